/* cfg.h - configuration: defaults, then a key = value file, then the
 * environment (BOUNCEDESK_<KEY>), then command-line flags. One table drives
 * all of them (src/util/cfg.c); bad keys or values stop start-up. */
#ifndef BOUNCEDESK_CFG_H
#define BOUNCEDESK_CFG_H
#include <stddef.h>
#include <stdio.h>

#define CFG_STR_MAX	256

struct config {
	char	db_path[CFG_STR_MAX];		/* db = bouncedesk.db */
	char	listen[CFG_STR_MAX];		/* listen = 127.0.0.1:8080 */
	char	fcgi_socket[CFG_STR_MAX];	/* fcgi_socket = (stdin/FD 0) */
	char	base_url[CFG_STR_MAX];		/* base_url = http://127.0.0.1:8080 */
	char	provider_name[CFG_STR_MAX];	/* provider_name */
	char	provider_hosts[CFG_STR_MAX];	/* our outbound relays, globs */
	char	share_dir[CFG_STR_MAX];		/* templates/, static/, db/ */
	char	lang_default[8];		/* fr */
	long	threads;			/* worker threads */
	long	max_body;			/* bytes; larger bodies get 413 */
	long	conn_timeout;			/* seconds of idle per connection */
	long	header_timeout;			/* seconds to send a whole head */
	long	max_conns_per_ip;		/* connections from one address */
	long	conn_memory;			/* bytes of MHD memory per connection */
	long	max_conns;			/* simultaneous connections */
	long	diag_retention_days;		/* stored analyses live this long */
	long	verbose;
	long	webhook_http_loopback;		/* 1: http:// to loopback ok */
	long	webhook_interval_ms;		/* outbox poll period */
	/* Sender checks (src/check): DNS and spamd. */
	char	resolver[CFG_STR_MAX];		/* "ip:port,..."; "" system's */
	char	dnsbl_zones[CFG_STR_MAX];	/* IP and domain lists */
	char	provider_spf_include[CFG_STR_MAX];	/* _spf.example.net */
	char	provider_dkim_selectors[CFG_STR_MAX];	/* "s1,s2" */
	char	provider_ips[CFG_STR_MAX];	/* our sending IPs, "a,b" */
	char	spamd[CFG_STR_MAX];		/* host:port or /path; "" off */
	long	dns_timeout_ms;			/* per query try */
	long	dns_tries;
	long	check_timeout_ms;		/* one whole domain check */
	long	check_rate;			/* checks a minute per client */
	long	spamd_timeout_ms;
	long	spam_threshold;			/* our filter's, 0..15 */
	char	smtp_relay[CFG_STR_MAX];	/* smtp://host:port; "" off */
	char	smtp_from[CFG_STR_MAX];		/* envelope and From: */
};

/* Fills cfg with the built-in defaults. */
void	cfg_defaults(struct config *);
/* Applies "key = value" lines from buf; returns 0 or -1 with a message in
 * err (line number and reason). '#' starts a comment. */
int	cfg_parse_mem(struct config *, const char *buf, size_t len,
	    char *err, size_t errlen);
/* Reads path (must exist); same return as cfg_parse_mem. */
int	cfg_parse_file(struct config *, const char *path, char *err,
	    size_t errlen);
/* Applies BOUNCEDESK_<KEY> variables from the environment. */
int	cfg_parse_env(struct config *, char *err, size_t errlen);
/* Sets one key; -1 with a message when unknown or out of range. */
int	cfg_set(struct config *, const char *key, const char *value,
	    char *err, size_t errlen);
/* Writes the effective configuration as "key = value" lines that
 * cfg_parse_mem() reads back (strings quoted). */
void	cfg_dump(const struct config *, FILE *);

#endif /* BOUNCEDESK_CFG_H */
