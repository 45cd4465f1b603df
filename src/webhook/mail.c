/* src/webhook/mail.c - the customer's e-mail about their unblock request.
 * Rows of mail_outbox (queued with the change itself) are composed in the
 * account's language and handed to the SMTP relay with libcurl; a refusal
 * or a network error is retried with the webhooks' backoff. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/log.h"
#include "bouncedesk/mail.h"
#include "bouncedesk/unblock.h"
#include "bouncedesk/webhook.h"

#define MAIL_MSG_MAX	(64 * 1024)
#define MAIL_LINE_MAX	900	/* SMTP allows 998 bytes a line */
#define MAIL_LEASE	30	/* seconds beyond the timeout */

/* The words of one message, by event and language. */
struct mail_text {
	const char	*type;
	const char	*subj_en, *body_en;
	const char	*subj_fr, *body_fr;
};

/* Bodies take the request id and the blocked target, in that order. */
static const struct mail_text texts[] = {
	{ "request.submitted",
	  "received", "We have received your unblock request #%lld for %s.\r\n"
	  "Our support team will review it and tell you the outcome.",
	  "re\xc3\xa7ue", "Nous avons bien re\xc3\xa7u votre demande de "
	  "d\xc3\xa9" "blocage n\xc2\xb0%lld pour %s.\r\nNotre support "
	  "l'examine et vous informera de sa d\xc3\xa9" "cision." },
	{ "request.info_requested",
	  "information needed", "Our support team needs more information "
	  "about your unblock request #%lld for %s.\r\nPlease answer on the "
	  "page of your request.",
	  "informations demand\xc3\xa9" "es", "Notre support a besoin de "
	  "pr\xc3\xa9" "cisions sur votre demande de d\xc3\xa9" "blocage "
	  "n\xc2\xb0%lld pour %s.\r\nMerci de r\xc3\xa9pondre sur la page de "
	  "votre demande." },
	{ "request.answered",
	  "answer received", "We have received your answer about unblock "
	  "request #%lld for %s.\r\nOur support team will review it.",
	  "r\xc3\xa9ponse re\xc3\xa7ue", "Nous avons bien re\xc3\xa7u votre "
	  "r\xc3\xa9ponse sur la demande de d\xc3\xa9" "blocage n\xc2\xb0%lld "
	  "pour %s.\r\nNotre support l'examine." },
	{ "request.approved",
	  "approved", "Your unblock request #%lld has been approved: %s may "
	  "send mail again.",
	  "accept\xc3\xa9" "e", "Votre demande de d\xc3\xa9" "blocage "
	  "n\xc2\xb0%lld est accept\xc3\xa9" "e : %s peut de nouveau envoyer "
	  "des messages." },
	{ "request.rejected",
	  "rejected", "Your unblock request #%lld for %s has been rejected.",
	  "refus\xc3\xa9" "e", "Votre demande de d\xc3\xa9" "blocage "
	  "n\xc2\xb0%lld pour %s est refus\xc3\xa9" "e." },
	{ "request.withdrawn",
	  "withdrawn", "Your unblock request #%lld for %s has been withdrawn.",
	  "retir\xc3\xa9" "e", "Votre demande de d\xc3\xa9" "blocage "
	  "n\xc2\xb0%lld pour %s a \xc3\xa9t\xc3\xa9 retir\xc3\xa9" "e." },
};

static const struct mail_text *
text_of(const char *type)
{
	size_t	 i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(texts[i].type, type) == 0)
			return &texts[i];
	return NULL;
}

/* A value usable in a header: an address with no line breaks, spaces or
 * brackets. */
static bool
is_header_addr(const char *s)
{
	const char	*at;

	return s != NULL && (at = strchr(s, '@')) != NULL && at != s &&
	    at[1] != '\0' && strlen(s) < 320 &&
	    strpbrk(s, " \t\r\n<>,;\"()") == NULL;
}

/* Appends text with CRLF line ends and lines cut below MAIL_LINE_MAX
 * (never inside a UTF-8 sequence). */
static int
put_text(struct buf *b, const char *s)
{
	size_t	 col = 0;
	int	 rc = P_OK;

	for (; rc == P_OK && *s != '\0'; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n') {
			rc = buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if (col >= MAIL_LINE_MAX && ((unsigned char)*s & 0xc0) != 0x80) {
			rc = buf_puts(b, "\r\n");
			col = 0;
		}
		if (rc == P_OK)
			rc = buf_putc(b, *s);
		col++;
	}
	return rc;
}

/* RFC 2047 encoded word of an UTF-8 subject. */
static int
put_subject(struct buf *b, const char *subj)
{
	char	 enc[256];
	size_t	 len = strlen(subj);

	if (sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL) >
	    sizeof(enc))
		return P_ETOOBIG;
	sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)subj, len,
	    sodium_base64_VARIANT_ORIGINAL);
	return buf_printf(b, "Subject: =?UTF-8?B?%s?=\r\n", enc);
}

/* RFC 5322 date in UTC, without the locale's help. */
static int
put_date(struct buf *b, time_t t)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	*mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
				    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
				    "Dec" };
	struct tm		 tm;

	if (gmtime_r(&t, &tm) == NULL)
		return P_EINVAL;
	return buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const char *
jpath(struct json_object *o, const char *a, const char *b)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, a, &v) ||
	    (b != NULL && !json_object_object_get_ex(v, b, &v)) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
compose(struct buf *b, const char *from, const struct ub_account *ac,
    const struct mail_row *row, struct json_object *data)
{
	const struct mail_text	*t;
	struct json_object	*req, *v;
	const char		*target, *comment, *dom;
	char			 subj[160];
	long long		 rid = 0;
	bool			 fr;
	int			 rc;

	if ((t = text_of(row->event_type)) == NULL ||
	    !json_object_object_get_ex(data, "request", &req))
		return P_EINVAL;
	if (json_object_object_get_ex(req, "id", &v))
		rid = json_object_get_int64(v);
	if ((target = jpath(data, "block", "target")) == NULL)
		target = "?";
	comment = jpath(data, "comment", NULL);
	fr = ac->lang == NULL || strcmp(ac->lang, "en") != 0;
	dom = strchr(from, '@') + 1;
	if (fr)
		snprintf(subj, sizeof(subj), "Demande de d\xc3\xa9" "blocage "
		    "n\xc2\xb0%lld : %s", rid, t->subj_fr);
	else
		snprintf(subj, sizeof(subj), "Unblock request #%lld: %s", rid,
		    t->subj_en);
	rc = buf_printf(b, "From: %s\r\nTo: %s\r\n", from, ac->contact_email);
	if (rc == P_OK)
		rc = put_subject(b, subj);
	if (rc == P_OK)
		rc = put_date(b, (time_t)row->created_at);
	if (rc == P_OK)
		rc = buf_printf(b, "Message-ID: <%s@%s>\r\n"
		    "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n"
		    "Content-Language: %s\r\n"
		    "Auto-Submitted: auto-generated\r\n\r\n", row->event_id, dom,
		    fr ? "fr" : "en");
	if (rc == P_OK)
		rc = buf_printf(b, fr ? t->body_fr : t->body_en, rid, target);
	if (rc == P_OK && comment != NULL && comment[0] != '\0') {
		rc = buf_puts(b, fr ? "\r\n\r\nMessage du support :\r\n" :
		    "\r\n\r\nMessage from support:\r\n");
		if (rc == P_OK)
			rc = put_text(b, comment);
	}
	if (rc == P_OK)
		rc = buf_puts(b, "\r\n");
	return rc;
}

int
mail_compose(struct arena *a, const char *from, const struct ub_account *ac,
    const struct mail_row *row, char **msg)
{
	struct json_object	*env, *data;
	struct buf		 b;
	int			 rc;

	if (!is_header_addr(from) || !is_header_addr(ac->contact_email))
		return P_EINVAL;
	if ((env = json_tokener_parse(row->payload)) == NULL)
		return P_EINVAL;
	if (!json_object_object_get_ex(env, "data", &data)) {
		json_object_put(env);
		return P_EINVAL;
	}
	buf_init(&b, MAIL_MSG_MAX);
	rc = compose(&b, from, ac, row, data);
	json_object_put(env);
	if (rc == P_OK && (*msg = arena_strdup(a, buf_str(&b))) == NULL)
		rc = P_ENOMEM;
	buf_cleanup(&b);
	return rc;
}

/* ---- delivery ---- */

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
feed(char *dst, size_t size, size_t n, void *arg)
{
	struct upload	*u = arg;
	size_t		 len = size * n;

	if (len > u->left)
		len = u->left;
	memcpy(dst, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

static pthread_once_t	 mail_curl_once = PTHREAD_ONCE_INIT;

static void
mail_curl_start(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		log_warnx("mail: curl_global_init failed");
}

/* One message to one recipient; *err gets a static reason on failure. */
static int
send_one(const struct webhook_opts *o, const char *to, const char *msg,
    const char **err)
{
	struct curl_slist	*rcpt = NULL;
	struct upload		 u;
	CURL			*c;
	CURLcode		 cc;
	char			 addr[400];

	*err = NULL;
	if ((c = curl_easy_init()) == NULL) {
		*err = "curl_easy_init failed";
		return P_ENOMEM;
	}
	snprintf(addr, sizeof(addr), "<%s>", to);
	if ((rcpt = curl_slist_append(NULL, addr)) == NULL) {
		curl_easy_cleanup(c);
		*err = "out of memory";
		return P_ENOMEM;
	}
	u.p = msg;
	u.left = strlen(msg);
	snprintf(addr, sizeof(addr), "<%s>", o->smtp_from);
	curl_easy_setopt(c, CURLOPT_URL, o->smtp_relay);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK)
		*err = curl_easy_strerror(cc);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? P_OK : P_EINVAL;
}

/* The account an event is about, from its payload. */
static int
event_account(struct store *s, struct arena *a, const char *payload,
    struct ub_account *ac)
{
	struct json_object	*env, *v;
	long long		 id = 0;

	if ((env = json_tokener_parse(payload)) == NULL)
		return P_EINVAL;
	if (json_object_object_get_ex(env, "data", &v) &&
	    json_object_object_get_ex(v, "account", &v) &&
	    json_object_object_get_ex(v, "id", &v))
		id = json_object_get_int64(v);
	json_object_put(env);
	if (id <= 0)
		return P_EINVAL;
	return store_account_get(s, a, id, ac);
}

/* Sends one row; P_OK when the relay took it, P_EINVAL when it never can
 * be sent, anything else to retry. */
static int
deliver(struct store *s, struct arena *a, const struct webhook_opts *o,
    const struct mail_row *row, const char **err)
{
	struct ub_account	 ac;
	char			*msg;
	int			 rc;

	*err = NULL;
	if ((rc = event_account(s, a, row->payload, &ac)) != P_OK) {
		*err = "no account for the event";
		return rc == P_EDB ? P_EDB : P_EINVAL;
	}
	if ((rc = mail_compose(a, o->smtp_from, &ac, row, &msg)) != P_OK) {
		*err = "the message cannot be composed";
		return rc == P_ENOMEM ? P_ENOMEM : P_EINVAL;
	}
	return send_one(o, ac.contact_email, msg, err) == P_OK ? P_OK :
	    P_EIO;
}

int
mail_deliver_due(struct store *s, int max, const struct webhook_opts *o,
    int *sent)
{
	struct arena		*a;
	struct mail_row		*v;
	const char		*err;
	size_t			 n, i;
	long long		 now = (long long)time(NULL), next;
	int			 rc, r, attempts, ok = 0;

	if (sent != NULL)
		*sent = 0;
	if (o->smtp_relay == NULL || o->smtp_relay[0] == '\0' ||
	    o->smtp_from == NULL)
		return P_OK;
	pthread_once(&mail_curl_once, mail_curl_start);
	if ((a = arena_new(0)) == NULL)
		return P_ENOMEM;
	rc = store_mail_due(s, a, now, o->timeout_ms / 1000 + MAIL_LEASE, max,
	    &v, &n);
	for (i = 0; rc == P_OK && i < n; i++) {
		if (now - v[i].created_at > MAIL_MAX_AGE) {
			r = P_EINVAL;
			err = "too old";
		} else
			r = deliver(s, a, o, &v[i], &err);
		if (r == P_OK) {
			rc = store_mail_delivered(s, v[i].id,
			    (long long)time(NULL));
			ok++;
			continue;
		}
		attempts = v[i].attempts + 1;
		next = r == P_EINVAL || attempts >= o->max_attempts ? 0 :
		    (long long)time(NULL) + webhook_backoff(attempts, o);
		log_info("mail: %s %s attempt %d failed: %s%s", v[i].event_type,
		    v[i].event_id, attempts, err != NULL ? err : "error",
		    next == 0 ? " (given up)" : "");
		rc = store_mail_failed(s, v[i].id, attempts, next,
		    (long long)time(NULL), err);
	}
	arena_free(a);
	if (sent != NULL)
		*sent = ok;
	return rc;
}
