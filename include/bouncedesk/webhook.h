/* webhook.h - delivery of the outbox as signed webhooks (src/webhook, the
 * only module that knows libcurl), and the store calls behind it
 * (src/store/store_unblock.c).
 *
 * Signing follows the Standard Webhooks convention: headers webhook-id
 * (the event id, the same on every retry: receivers dedupe on it),
 * webhook-timestamp (unix seconds of the attempt) and webhook-signature
 * "v1,<base64 HMAC-SHA256 of id.timestamp.body>", keyed with the base64
 * part of the endpoint secret "whsec_<base64>". Delivery is at least
 * once: a row is leased before it is sent and marked delivered on a 2xx;
 * anything else is retried with exponential backoff. */
#ifndef BOUNCEDESK_WEBHOOK_H
#define BOUNCEDESK_WEBHOOK_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct store;

struct webhook_opts {
	long	 timeout_ms;		/* whole attempt; 10000 */
	long	 connect_timeout_ms;	/* 5000 */
	bool	 allow_http_loopback;	/* http:// to 127.0.0.1, ::1, localhost */
	int	 max_attempts;		/* then the row is given up; 12 */
	long	 backoff_base;		/* seconds before the 2nd attempt; 30 */
	long	 backoff_max;		/* cap of one wait; 6 hours */
	/* Customer mail (src/webhook/mail.c): the worker sends it too when
	 * smtp_relay is set. Borrowed for the worker's life; NULL: none. */
	const char	*smtp_relay;	/* "smtp://host:port" */
	const char	*smtp_from;
};

#define WEBHOOK_SECRET_MAX	64	/* "whsec_" + base64 of 24..32 bytes */
#define WEBHOOK_SIG_MAX		64	/* "v1," + base64 of 32 bytes */

void	webhook_opts_defaults(struct webhook_opts *);

/* A new endpoint secret "whsec_<base64 of 24 random bytes>" into out
 * (WEBHOOK_SECRET_MAX bytes). */
int	webhook_secret_new(char *out);
/* The webhook-signature value for one attempt into out (WEBHOOK_SIG_MAX
 * bytes). P_EINVAL when the secret is not "whsec_<base64>". */
int	webhook_sign(const char *secret, const char *id, long long ts,
	    const char *body, size_t len, char *out);
/* P_OK when url may receive webhooks: https://, or http:// to a loopback
 * host when opts allow it. */
int	webhook_url_check(const char *url, const struct webhook_opts *);
/* Seconds to wait after the given number of failed attempts (1..). */
long	webhook_backoff(int attempts, const struct webhook_opts *);

/* Sends up to max due outbox rows, one after the other; *sent (may be
 * NULL) gets how many were acknowledged. P_OK, or P_EDB. */
int	webhook_deliver_due(struct store *, int max,
	    const struct webhook_opts *, int *sent);

/* A thread that opens its own connection to db_path and delivers due rows
 * every interval_ms (and at once after webhook_worker_kick). NULL when
 * it cannot start. stop joins it and frees it; stop(NULL) is a no-op. */
struct webhook_worker;
struct webhook_worker *webhook_worker_start(const char *db_path,
	    const struct webhook_opts *, long interval_ms);
void	webhook_worker_kick(struct webhook_worker *);
void	webhook_worker_stop(struct webhook_worker *);

/* ---- store ---- */

struct webhook_endpoint {
	long long	 id;
	const char	*url;
	const char	*events;	/* "*" or a comma list */
	bool		 active;
	long long	 created_at;
};

/* One due row with what it takes to send it (arena strings). */
struct webhook_delivery {
	long long	 id;		/* outbox row */
	const char	*event_id;
	const char	*event_type;
	const char	*payload;
	const char	*url;
	const char	*secret;
	int		 attempts;	/* before this one */
};

int	store_webhook_endpoint_insert(struct store *, const char *url,
	    const char *secret, const char *events, long long now,
	    long long *id);
int	store_webhook_endpoint_list(struct store *, struct arena *,
	    struct webhook_endpoint **, size_t *);
/* Rows not delivered nor given up with next_attempt_at <= now, oldest
 * first, each leased until now + lease (so a crash retries it). */
int	store_outbox_due(struct store *, struct arena *, long long now,
	    long long lease, int max, struct webhook_delivery **, size_t *);
int	store_outbox_delivered(struct store *, long long id, long long now,
	    int status);
/* Records a failed attempt; next 0 gives the row up. */
int	store_outbox_failed(struct store *, long long id, int attempts,
	    long long next, long long now, int status, const char *error);

#endif /* BOUNCEDESK_WEBHOOK_H */
