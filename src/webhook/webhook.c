/* src/webhook/webhook.c - signs outbox rows the Standard Webhooks way and
 * posts them with libcurl: bounded time, no redirects, https only (plus
 * http to loopback when allowed), acknowledged by a 2xx. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/log.h"
#include "bouncedesk/webhook.h"

#define SECRET_TAG	"whsec_"
#define KEY_MAX		64	/* bytes of a decoded secret */
#define LEASE_EXTRA	30	/* seconds of lease beyond the timeout */

void
webhook_opts_defaults(struct webhook_opts *o)
{
	o->timeout_ms = 10000;
	o->connect_timeout_ms = 5000;
	o->allow_http_loopback = false;
	o->max_attempts = 12;
	o->backoff_base = 30;
	o->backoff_max = 6 * 3600;
	o->smtp_relay = NULL;
	o->smtp_from = NULL;
}

int
webhook_secret_new(char *out)
{
	unsigned char	 raw[24];

	if (sodium_init() < 0)
		return P_ENOMEM;
	randombytes_buf(raw, sizeof(raw));
	memcpy(out, SECRET_TAG, sizeof(SECRET_TAG) - 1);
	sodium_bin2base64(out + sizeof(SECRET_TAG) - 1,
	    WEBHOOK_SECRET_MAX - (sizeof(SECRET_TAG) - 1), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof(raw));
	return P_OK;
}

int
webhook_sign(const char *secret, const char *id, long long ts,
    const char *body, size_t len, char *out)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 key[KEY_MAX], mac[32];
	size_t				 klen, tag = sizeof(SECRET_TAG) - 1;
	char				 tsb[24];

	if (secret == NULL || strncmp(secret, SECRET_TAG, tag) != 0)
		return P_EINVAL;
	if (sodium_base642bin(key, sizeof(key), secret + tag,
	    strlen(secret + tag), NULL, &klen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || klen == 0)
		return P_EINVAL;
	snprintf(tsb, sizeof(tsb), "%lld", ts);
	/* HMAC-SHA256 over "id.timestamp.body". */
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
	    strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tsb,
	    strlen(tsb));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(key, sizeof(key));
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, WEBHOOK_SIG_MAX - 3, mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
	return P_OK;
}

static bool
is_loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcasecmp(host, "localhost") == 0;
}

int
webhook_url_check(const char *url, const struct webhook_opts *o)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	int	 rc = P_EINVAL;

	if (url == NULL || strlen(url) > 2048 || (u = curl_url()) == NULL)
		return P_EINVAL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (strcmp(scheme, "https") == 0)
			rc = P_OK;
		else if (strcmp(scheme, "http") == 0 &&
		    o->allow_http_loopback && is_loopback(host))
			rc = P_OK;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

long
webhook_backoff(int attempts, const struct webhook_opts *o)
{
	long	 w = o->backoff_base;
	int	 i;

	for (i = 1; i < attempts && w < o->backoff_max; i++)
		w *= 2;
	return w < o->backoff_max ? w : o->backoff_max;
}

/* The receiver's body is not needed: count it and drop it. */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* One attempt; *status gets the HTTP status (0 when none). */
static int
send_one(struct arena *a, const struct webhook_delivery *d,
    const struct webhook_opts *o, int *status, const char **err)
{
	CURL			*c;
	struct curl_slist	*h = NULL, *nh;
	char			 sig[WEBHOOK_SIG_MAX];
	long long		 ts = (long long)time(NULL);
	long			 code = 0;
	CURLcode		 cc;
	const char		*lines[6];
	size_t			 i;

	*status = 0;
	*err = NULL;
	if (webhook_url_check(d->url, o) != P_OK) {
		*err = "endpoint url not allowed";
		return P_EINVAL;
	}
	if (webhook_sign(d->secret, d->event_id, ts, d->payload,
	    strlen(d->payload), sig) != P_OK) {
		*err = "bad endpoint secret";
		return P_EINVAL;
	}
	lines[0] = "Content-Type: application/json";
	lines[1] = "User-Agent: bouncedesk-webhook/1";
	lines[2] = arena_printf(a, "webhook-id: %s", d->event_id);
	lines[3] = arena_printf(a, "webhook-timestamp: %lld", ts);
	lines[4] = arena_printf(a, "webhook-signature: %s", sig);
	lines[5] = "Expect:";
	for (i = 0; i < 6; i++) {
		if (lines[i] == NULL ||
		    (nh = curl_slist_append(h, lines[i])) == NULL) {
			curl_slist_free_all(h);
			*err = "out of memory";
			return P_ENOMEM;
		}
		h = nh;
	}
	if ((c = curl_easy_init()) == NULL) {
		curl_slist_free_all(h);
		*err = "curl_easy_init failed";
		return P_ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, d->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(d->payload));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	else
		*err = arena_strdup(a, curl_easy_strerror(cc));
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	*status = (int)code;
	if (cc != CURLE_OK)
		return P_EIO;
	if (code < 200 || code > 299) {
		*err = arena_printf(a, "HTTP %ld", code);
		return P_EIO;
	}
	return P_OK;
}

static pthread_once_t	 curl_once = PTHREAD_ONCE_INIT;

static void
curl_start(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		log_warnx("webhook: curl_global_init failed");
}

int
webhook_deliver_due(struct store *s, int max, const struct webhook_opts *o,
    int *sent)
{
	struct arena		*a;
	struct webhook_delivery	*v;
	const char		*err;
	size_t			 n, i;
	long long		 now = (long long)time(NULL), next;
	int			 rc, status, attempts, ok = 0;

	if (sent != NULL)
		*sent = 0;
	pthread_once(&curl_once, curl_start);
	if ((a = arena_new(0)) == NULL)
		return P_ENOMEM;
	rc = store_outbox_due(s, a, now, o->timeout_ms / 1000 + LEASE_EXTRA,
	    max, &v, &n);
	for (i = 0; rc == P_OK && i < n; i++) {
		if (send_one(a, &v[i], o, &status, &err) == P_OK) {
			rc = store_outbox_delivered(s, v[i].id,
			    (long long)time(NULL), status);
			ok++;
			continue;
		}
		attempts = v[i].attempts + 1;
		next = attempts >= o->max_attempts ? 0 :
		    (long long)time(NULL) + webhook_backoff(attempts, o);
		log_info("webhook: %s %s attempt %d failed: %s%s",
		    v[i].event_type, v[i].event_id, attempts,
		    err != NULL ? err : "error", next == 0 ? " (given up)" :
		    "");
		rc = store_outbox_failed(s, v[i].id, attempts, next,
		    (long long)time(NULL), status, err);
	}
	arena_free(a);
	if (sent != NULL)
		*sent = ok;
	return rc;
}
