/* mail.h - the customer's e-mail about their unblock request: composed
 * from an outbox event (src/webhook/mail.c) and sent through the
 * configured SMTP relay with libcurl, retried like the webhooks; and the
 * store calls behind it (src/store/store_mail.c, table mail_outbox). */
#ifndef BOUNCEDESK_MAIL_H
#define BOUNCEDESK_MAIL_H
#include <stddef.h>

struct arena;
struct store;
struct ub_account;
struct webhook_opts;

#define MAIL_MAX_AGE	(2 * 86400)	/* older unsent rows are given up */

/* One due row (arena strings). */
struct mail_row {
	long long	 id;
	const char	*event_id;
	const char	*event_type;
	const char	*payload;	/* the webhook envelope */
	int		 attempts;	/* before this one */
	long long	 created_at;
};

/* The message (headers and a plain-text body, CRLF lines) telling the
 * account's contact what happened to their request, in the account's
 * language; arena memory in *msg. P_EINVAL when the event is not about a
 * request or the contact address cannot be used in a header. */
int	mail_compose(struct arena *, const char *from,
	    const struct ub_account *, const struct mail_row *, char **msg);

/* Sends up to max due rows through o->smtp_relay; *sent (may be NULL)
 * gets how many the relay accepted. P_OK, or P_EDB. */
int	mail_deliver_due(struct store *, int max, const struct webhook_opts *,
	    int *sent);

/* ---- store ---- */

/* Rows not delivered nor given up with next_attempt_at <= now, oldest
 * first, each leased until now + lease. */
int	store_mail_due(struct store *, struct arena *, long long now,
	    long long lease, int max, struct mail_row **, size_t *);
int	store_mail_delivered(struct store *, long long id, long long now);
/* Records a failed attempt; next 0 gives the row up. */
int	store_mail_failed(struct store *, long long id, int attempts,
	    long long next, long long now, const char *error);

#endif /* BOUNCEDESK_MAIL_H */
