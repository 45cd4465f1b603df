/* cfg.c - the configuration table and its three sources: built-in
 * defaults, a "key = value" file and BOUNCEDESK_<KEY> variables. Every
 * source goes through cfg_set(), so each value is checked the same way. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/cfg.h"

#define CFG_KEY_MAX	32		/* longer keys cannot be ours */
#define CFG_FILE_MAX	(1024 * 1024)	/* a config file is small */

enum cfg_type {
	CFG_STR,			/* text; min is the shortest length */
	CFG_INT,			/* a long in min..max */
	CFG_LANG			/* a language we ship: fr or en */
};

struct cfg_opt {
	const char	*key;
	enum cfg_type	 type;
	size_t		 off;		/* offset in struct config */
	size_t		 size;		/* strings: array size */
	long		 min, max;
	const char	*def;
	const char	*env;
	/* Extra check for a string: 0, or -1 with a reason in err. */
	int		(*check)(const char *, char *, size_t);
};

static int	check_listen(const char *, char *, size_t);
static int	check_url(const char *, char *, size_t);
static int	check_servers(const char *, char *, size_t);
static int	check_names(const char *, char *, size_t);
static int	check_ips(const char *, char *, size_t);
static int	check_spamd(const char *, char *, size_t);
static int	check_smtp(const char *, char *, size_t);
static int	check_mailaddr(const char *, char *, size_t);

#define STR(f)	offsetof(struct config, f), \
		sizeof(((struct config *)0)->f)
#define NUM(f)	offsetof(struct config, f), 0

static const struct cfg_opt cfg_opts[] = {
	{ "db", CFG_STR, STR(db_path), 1, 0, "bouncedesk.db",
	    "BOUNCEDESK_DB", NULL },
	{ "listen", CFG_STR, STR(listen), 1, 0, "127.0.0.1:8080",
	    "BOUNCEDESK_LISTEN", check_listen },
	{ "fcgi_socket", CFG_STR, STR(fcgi_socket), 0, 0, "",
	    "BOUNCEDESK_FCGI_SOCKET", NULL },
	{ "base_url", CFG_STR, STR(base_url), 1, 0, "http://127.0.0.1:8080",
	    "BOUNCEDESK_BASE_URL", check_url },
	{ "provider_name", CFG_STR, STR(provider_name), 1, 0,
	    "H\303\251bergeur", "BOUNCEDESK_PROVIDER_NAME", NULL },
	{ "provider_hosts", CFG_STR, STR(provider_hosts), 0, 0,
	    "*.relay.example.net,smtp-out*.example.net,mail-out*.example.net",
	    "BOUNCEDESK_PROVIDER_HOSTS", NULL },
	{ "share_dir", CFG_STR, STR(share_dir), 1, 0, ".",
	    "BOUNCEDESK_SHARE_DIR", NULL },
	{ "lang_default", CFG_LANG, STR(lang_default), 0, 0, "fr",
	    "BOUNCEDESK_LANG_DEFAULT", NULL },
	{ "threads", CFG_INT, NUM(threads), 1, 256, "8",
	    "BOUNCEDESK_THREADS", NULL },
	{ "max_body", CFG_INT, NUM(max_body), 1024, 64L * 1024 * 1024,
	    "8388608", "BOUNCEDESK_MAX_BODY", NULL },
	{ "conn_timeout", CFG_INT, NUM(conn_timeout), 1, 3600, "30",
	    "BOUNCEDESK_CONN_TIMEOUT", NULL },
	{ "header_timeout", CFG_INT, NUM(header_timeout), 1, 3600, "30",
	    "BOUNCEDESK_HEADER_TIMEOUT", NULL },
	{ "conn_memory", CFG_INT, NUM(conn_memory), 16384, 16L * 1024 * 1024,
	    "65536", "BOUNCEDESK_CONN_MEMORY", NULL },
	{ "max_conns_per_ip", CFG_INT, NUM(max_conns_per_ip), 1, 100000,
	    "256", "BOUNCEDESK_MAX_CONNS_PER_IP", NULL },
	{ "max_conns", CFG_INT, NUM(max_conns), 1, 100000, "1024",
	    "BOUNCEDESK_MAX_CONNS", NULL },
	{ "diag_retention_days", CFG_INT, NUM(diag_retention_days), 1, 3650,
	    "30", "BOUNCEDESK_DIAG_RETENTION_DAYS", NULL },
	{ "verbose", CFG_INT, NUM(verbose), 0, 2, "0",
	    "BOUNCEDESK_VERBOSE", NULL },
	{ "webhook_http_loopback", CFG_INT, NUM(webhook_http_loopback), 0, 1,
	    "0", "BOUNCEDESK_WEBHOOK_HTTP_LOOPBACK", NULL },
	{ "webhook_interval_ms", CFG_INT, NUM(webhook_interval_ms), 100,
	    600000, "1000", "BOUNCEDESK_WEBHOOK_INTERVAL_MS", NULL },
	{ "resolver", CFG_STR, STR(resolver), 0, 0, "",
	    "BOUNCEDESK_RESOLVER", check_servers },
	{ "dnsbl_zones", CFG_STR, STR(dnsbl_zones), 0, 0,
	    "zen.spamhaus.org,dbl.spamhaus.org,b.barracudacentral.org,"
	    "bl.spamcop.net", "BOUNCEDESK_DNSBL_ZONES", check_names },
	{ "provider_spf_include", CFG_STR, STR(provider_spf_include), 0, 0,
	    "_spf.example.net", "BOUNCEDESK_PROVIDER_SPF_INCLUDE",
	    check_names },
	{ "provider_dkim_selectors", CFG_STR, STR(provider_dkim_selectors), 0,
	    0, "mail", "BOUNCEDESK_PROVIDER_DKIM_SELECTORS", check_names },
	{ "provider_ips", CFG_STR, STR(provider_ips), 0, 0, "",
	    "BOUNCEDESK_PROVIDER_IPS", check_ips },
	{ "spamd", CFG_STR, STR(spamd), 0, 0, "", "BOUNCEDESK_SPAMD",
	    check_spamd },
	{ "dns_timeout_ms", CFG_INT, NUM(dns_timeout_ms), 50, 30000, "1000",
	    "BOUNCEDESK_DNS_TIMEOUT_MS", NULL },
	{ "dns_tries", CFG_INT, NUM(dns_tries), 1, 5, "2",
	    "BOUNCEDESK_DNS_TRIES", NULL },
	{ "check_timeout_ms", CFG_INT, NUM(check_timeout_ms), 100, 60000,
	    "5000", "BOUNCEDESK_CHECK_TIMEOUT_MS", NULL },
	{ "check_rate", CFG_INT, NUM(check_rate), 1, 100000, "20",
	    "BOUNCEDESK_CHECK_RATE", NULL },
	{ "spamd_timeout_ms", CFG_INT, NUM(spamd_timeout_ms), 100, 120000,
	    "15000", "BOUNCEDESK_SPAMD_TIMEOUT_MS", NULL },
	{ "spam_threshold", CFG_INT, NUM(spam_threshold), 0, 15, "3",
	    "BOUNCEDESK_SPAM_THRESHOLD", NULL },
	{ "smtp_relay", CFG_STR, STR(smtp_relay), 0, 0, "",
	    "BOUNCEDESK_SMTP_RELAY", check_smtp },
	{ "smtp_from", CFG_STR, STR(smtp_from), 1, 0,
	    "support@example.net", "BOUNCEDESK_SMTP_FROM", check_mailaddr },
};

#define CFG_NOPTS	(sizeof(cfg_opts) / sizeof(cfg_opts[0]))

static void	seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Copies at most n bytes of s for an error message, hiding control bytes. */
static void
printable(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t	 i;

	if (n >= dstlen)
		n = dstlen - 1;
	for (i = 0; i < n; i++)
		dst[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	dst[n] = '\0';
}

static const struct cfg_opt *
opt_find(const char *key, size_t klen)
{
	size_t	 i;

	for (i = 0; i < CFG_NOPTS; i++)
		if (strlen(cfg_opts[i].key) == klen &&
		    memcmp(cfg_opts[i].key, key, klen) == 0)
			return &cfg_opts[i];
	return NULL;
}

/* Port digits only (no sign, no spaces), 0..65535; 0 asks the system
 * for a free port (tests). */
static int
port_ok(const char *s)
{
	long	 v = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return 0;
	}
	return 1;
}

/* host:port, where host is a name, an IPv4 address or [IPv6]. */
static int
check_listen(const char *v, char *err, size_t errlen)
{
	const char	*colon, *p;

	if ((colon = strrchr(v, ':')) == NULL || colon == v) {
		seterr(err, errlen, "'%s' is not host:port", v);
		return -1;
	}
	if (v[0] == '[') {
		if (colon[-1] != ']' || colon - v < 3)
			goto bad;
		for (p = v + 1; p < colon - 1; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':' &&
			    *p != '.')
				goto bad;
	} else {
		for (p = v; p < colon; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' &&
			    *p != '-' && *p != '_')
				goto bad;
	}
	if (!port_ok(colon + 1)) {
		seterr(err, errlen, "port '%s' out of range 0..65535",
		    colon + 1);
		return -1;
	}
	return 0;
 bad:
	seterr(err, errlen, "bad host in '%s'", v);
	return -1;
}

static int
check_url(const char *v, char *err, size_t errlen)
{
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
		seterr(err, errlen, "'%s' is not an http:// or https:// URL",
		    v);
		return -1;
	}
	return 0;
}

/* Calls fn on each item of a comma list (spaces around items allowed);
 * an empty list is fine, an empty item is not. */
static int
each_item(const char *v, int (*fn)(const char *, char *, size_t),
    char *err, size_t errlen)
{
	char		 item[CFG_STR_MAX];
	const char	*p = v, *e, *s;
	size_t		 n;

	while (*p != '\0') {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (s = p; s < e && *s == ' '; s++)
			;
		for (n = (size_t)(e - s); n > 0 && s[n - 1] == ' '; n--)
			;
		if (n == 0 || n >= sizeof(item)) {
			seterr(err, errlen, "empty item in '%s'", v);
			return -1;
		}
		memcpy(item, s, n);
		item[n] = '\0';
		if (fn(item, err, errlen) != 0)
			return -1;
		p = *e == ',' ? e + 1 : e;
	}
	return 0;
}

static int
check_ip(const char *v, char *err, size_t errlen)
{
	unsigned char	 b[16];

	if (inet_pton(AF_INET, v, b) == 1 || inet_pton(AF_INET6, v, b) == 1)
		return 0;
	seterr(err, errlen, "'%s' is not an IP address", v);
	return -1;
}

static int
check_ips(const char *v, char *err, size_t errlen)
{
	return each_item(v, check_ip, err, errlen);
}

/* A DNS server: an address, "ipv4:port" or "[ipv6]:port". */
static int
check_server(const char *v, char *err, size_t errlen)
{
	char		 host[CFG_STR_MAX];
	const char	*colon;

	if (check_ip(v, err, errlen) == 0)
		return 0;
	if (v[0] == '[') {
		if ((colon = strstr(v, "]:")) == NULL)
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - v - 1),
		    v + 1);
		colon++;
	} else {
		if ((colon = strrchr(v, ':')) == NULL)
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - v), v);
	}
	if (check_ip(host, err, errlen) == 0 && port_ok(colon + 1))
		return 0;
 bad:
	seterr(err, errlen, "'%s' is not ip, ip:port or [ipv6]:port", v);
	return -1;
}

static int
check_servers(const char *v, char *err, size_t errlen)
{
	return each_item(v, check_server, err, errlen);
}

/* A DNS name (or a DKIM selector): letters, digits, '-', '_' and dots. */
static int
check_name(const char *v, char *err, size_t errlen)
{
	const char	*p;

	for (p = v; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '.')
			break;
	if (*p == '\0' && v[0] != '.' && p[-1] != '.' &&
	    strstr(v, "..") == NULL)
		return 0;
	seterr(err, errlen, "'%s' is not a DNS name", v);
	return -1;
}

static int
check_names(const char *v, char *err, size_t errlen)
{
	return each_item(v, check_name, err, errlen);
}

/* smtp_relay: empty (no customer mail), or an smtp:// or smtps:// URL
 * as libcurl takes it. */
static int
check_smtp(const char *v, char *err, size_t errlen)
{
	if (v[0] == '\0' || strncmp(v, "smtp://", 7) == 0 ||
	    strncmp(v, "smtps://", 8) == 0)
		return 0;
	seterr(err, errlen, "smtp_relay must be smtp://host:port or "
	    "smtps://host:port");
	return -1;
}

/* smtp_from: one bare address, no spaces, brackets or line breaks. */
static int
check_mailaddr(const char *v, char *err, size_t errlen)
{
	const char	*at = strchr(v, '@');

	if (at != NULL && at != v && at[1] != '\0' &&
	    strpbrk(v, " \t\r\n<>,;\"") == NULL)
		return 0;
	seterr(err, errlen, "smtp_from must be an address like "
	    "support@example.net");
	return -1;
}

/* spamd: a unix socket path, or host:port as for listen. */
static int
check_spamd(const char *v, char *err, size_t errlen)
{
	if (v[0] == '\0' || v[0] == '/')
		return 0;
	return check_listen(v, err, errlen);
}

static int
parse_long(const char *s, long *out)
{
	char	*end;
	long	 v;

	/* strtol() would skip leading spaces and take "+" or "0x" forms. */
	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' &&
	    isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Checks value against opt, then stores it; cfg is untouched on error. */
static int
opt_set(struct config *cfg, const struct cfg_opt *o, const char *value,
    char *err, size_t errlen)
{
	char	 why[CFG_STR_MAX + 64];
	size_t	 len, i;
	long	 v;

	if (o->type == CFG_INT) {
		if (parse_long(value, &v) != 0) {
			seterr(err, errlen, "%s: '%s' is not a number",
			    o->key, value);
			return -1;
		}
		if (v < o->min || v > o->max) {
			seterr(err, errlen, "%s: %ld out of range %ld..%ld",
			    o->key, v, o->min, o->max);
			return -1;
		}
		memcpy((char *)cfg + o->off, &v, sizeof(v));
		return 0;
	}

	len = strlen(value);
	if (len >= o->size) {
		seterr(err, errlen, "%s: value too long (%zu bytes, max %zu)",
		    o->key, len, o->size - 1);
		return -1;
	}
	if (len < (size_t)o->min) {
		seterr(err, errlen, "%s: must not be empty", o->key);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (iscntrl((unsigned char)value[i])) {
			seterr(err, errlen, "%s: control character in value",
			    o->key);
			return -1;
		}
	if (o->type == CFG_LANG && strcmp(value, "fr") != 0 &&
	    strcmp(value, "en") != 0) {
		seterr(err, errlen, "%s: '%s' is not a language (fr, en)",
		    o->key, value);
		return -1;
	}
	if (o->check != NULL && o->check(value, why, sizeof(why)) != 0) {
		seterr(err, errlen, "%s: %s", o->key, why);
		return -1;
	}
	memcpy((char *)cfg + o->off, value, len + 1);
	return 0;
}

void
cfg_defaults(struct config *cfg)
{
	size_t	 i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < CFG_NOPTS; i++)
		if (opt_set(cfg, &cfg_opts[i], cfg_opts[i].def, NULL, 0) != 0)
			abort();	/* a bad built-in default is a bug */
}

int
cfg_set(struct config *cfg, const char *key, const char *value,
    char *err, size_t errlen)
{
	const struct cfg_opt	*o;
	char			 k[CFG_KEY_MAX + 1];

	if ((o = opt_find(key, strlen(key))) == NULL) {
		printable(k, sizeof(k), key, strlen(key));
		seterr(err, errlen, "unknown key '%s'", k);
		return -1;
	}
	return opt_set(cfg, o, value, err, errlen);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

/*
 * One line [s, e), without its '\n'. A value may be wrapped in double
 * quotes, which keep '#' and spaces; the closing quote is the last '"' on
 * the line. Unquoted, " #" starts a comment.
 */
static int
parse_line(struct config *cfg, const char *s, const char *e, char *err,
    size_t errlen)
{
	const struct cfg_opt	*o;
	const char		*eq, *ks, *ke, *vs, *ve, *q, *p;
	char			 k[CFG_KEY_MAX + 1], value[CFG_STR_MAX];
	char			 why[CFG_STR_MAX + 128];

	trim(&s, &e);
	if (s == e || *s == '#')
		return 0;
	if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
		seterr(err, errlen, "NUL byte in line");
		return -1;
	}
	if ((eq = memchr(s, '=', (size_t)(e - s))) == NULL || eq == s) {
		seterr(err, errlen, "expected 'key = value'");
		return -1;
	}
	ks = s;
	ke = eq;
	trim(&ks, &ke);
	if ((o = opt_find(ks, (size_t)(ke - ks))) == NULL) {
		printable(k, sizeof(k), ks, (size_t)(ke - ks));
		seterr(err, errlen, "unknown key '%s'", k);
		return -1;
	}

	vs = eq + 1;
	ve = e;
	trim(&vs, &ve);
	if (vs < ve && *vs == '"') {
		for (q = NULL, p = vs + 1; p < ve; p++)
			if (*p == '"')
				q = p;
		if (q == NULL) {
			seterr(err, errlen, "%s: missing closing quote",
			    o->key);
			return -1;
		}
		for (p = q + 1; p < ve && is_space(*p); p++)
			;
		if (p < ve && *p != '#') {
			seterr(err, errlen, "%s: text after closing quote",
			    o->key);
			return -1;
		}
		vs++;
		ve = q;
	} else {
		for (p = vs; p < ve; p++)
			if (*p == '#' && (p == vs || is_space(p[-1])))
				break;
		ve = p;
		trim(&vs, &ve);
	}

	if ((size_t)(ve - vs) >= sizeof(value)) {
		seterr(err, errlen, "%s: value too long (%zu bytes, max %zu)",
		    o->key, (size_t)(ve - vs), sizeof(value) - 1);
		return -1;
	}
	memcpy(value, vs, (size_t)(ve - vs));
	value[ve - vs] = '\0';
	if (opt_set(cfg, o, value, why, sizeof(why)) != 0) {
		seterr(err, errlen, "%s", why);
		return -1;
	}
	return 0;
}

int
cfg_parse_mem(struct config *cfg, const char *buf, size_t len, char *err,
    size_t errlen)
{
	const char	*s, *nl, *end = buf + len;
	char		 why[CFG_STR_MAX + 192];
	unsigned long	 lineno;

	if (len == 0)
		return 0;
	/* A UTF-8 byte order mark is harmless; skip it. */
	if (len >= 3 && memcmp(buf, "\357\273\277", 3) == 0)
		buf += 3;
	for (s = buf, lineno = 1; s < end; s = nl + 1, lineno++) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (parse_line(cfg, s, nl, why, sizeof(why)) != 0) {
			seterr(err, errlen, "line %lu: %s", lineno, why);
			return -1;
		}
	}
	return 0;
}

int
cfg_parse_file(struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	FILE	*fp;
	char	*data, why[CFG_STR_MAX + 256];
	size_t	 n;
	int	 rc;

	if ((fp = fopen(path, "r")) == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((data = malloc(CFG_FILE_MAX + 1)) == NULL) {
		fclose(fp);
		seterr(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(data, 1, CFG_FILE_MAX + 1, fp);
	if (ferror(fp) || n > CFG_FILE_MAX) {
		seterr(err, errlen, "%s: %s", path, ferror(fp) ?
		    "read error" : "file too large");
		rc = -1;
	} else if ((rc = cfg_parse_mem(cfg, data, n, why, sizeof(why))) != 0)
		seterr(err, errlen, "%s: %s", path, why);
	free(data);
	fclose(fp);
	return rc;
}

int
cfg_parse_env(struct config *cfg, char *err, size_t errlen)
{
	const char	*v;
	char		 why[CFG_STR_MAX + 128];
	size_t		 i;

	for (i = 0; i < CFG_NOPTS; i++) {
		if ((v = getenv(cfg_opts[i].env)) == NULL)
			continue;
		if (opt_set(cfg, &cfg_opts[i], v, why, sizeof(why)) != 0) {
			seterr(err, errlen, "%s: %s", cfg_opts[i].env, why);
			return -1;
		}
	}
	return 0;
}

void
cfg_dump(const struct config *cfg, FILE *fp)
{
	const struct cfg_opt	*o;
	const char		*base = (const char *)cfg;
	long			 v;
	size_t			 i;

	for (i = 0; i < CFG_NOPTS; i++) {
		o = &cfg_opts[i];
		if (o->type == CFG_INT) {
			memcpy(&v, base + o->off, sizeof(v));
			fprintf(fp, "%s = %ld\n", o->key, v);
		} else
			fprintf(fp, "%s = \"%s\"\n", o->key, base + o->off);
	}
}
