/* src/reports/token.c - the signed, expiring links that open one report
 * to its customer: base64url(HMAC-SHA-512-256 of "report:<id>:<expiry>")
 * followed by "." and the expiry, under a secret of the settings table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/reports.h"
#include "bouncedesk/session.h"
#include "bouncedesk/unblock.h"

#define SECRET_KEY	"reports.link_secret"
#define MAC_B64		43	/* base64url of 32 bytes, no padding */

/* The MAC of report id until expiry. */
static void
token_mac(const unsigned char key[RP_KEY_LEN], long long id,
    long long expiry, unsigned char mac[crypto_auth_BYTES])
{
	char	 msg[64];
	int	 n;

	n = snprintf(msg, sizeof(msg), "report:%lld:%lld", id, expiry);
	crypto_auth(mac, (const unsigned char *)msg, (unsigned long long)n,
	    key);
}

int
report_token_make(const unsigned char key[RP_KEY_LEN], long long id,
    long long expiry, char out[RP_TOKEN_MAX])
{
	unsigned char	 mac[crypto_auth_BYTES];

	if (id <= 0 || expiry <= 0)
		return P_EINVAL;
	token_mac(key, id, expiry, mac);
	sodium_bin2base64(out, MAC_B64 + 1, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out + MAC_B64, RP_TOKEN_MAX - MAC_B64, ".%lld", expiry);
	return P_OK;
}

enum rp_token_verdict
report_token_check(const unsigned char key[RP_KEY_LEN], long long id,
    const char *token, long long now)
{
	unsigned char	 got[crypto_auth_BYTES], want[crypto_auth_BYTES];
	const char	*e;
	char		*end;
	long long	 expiry;
	size_t		 n;

	if (token == NULL || id <= 0 || strlen(token) >= RP_TOKEN_MAX ||
	    strlen(token) < MAC_B64 + 2 || token[MAC_B64] != '.')
		return RP_TOKEN_BAD;
	e = token + MAC_B64 + 1;
	if (*e < '1' || *e > '9')
		return RP_TOKEN_BAD;
	errno = 0;
	expiry = strtoll(e, &end, 10);
	if (errno != 0 || *end != '\0')
		return RP_TOKEN_BAD;
	if (sodium_base642bin(got, sizeof(got), token, MAC_B64, NULL, &n,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(got))
		return RP_TOKEN_BAD;
	/* The MAC covers the expiry: a forged one never reaches the clock.
	 * sodium_memcmp takes the same time wherever the bytes differ. */
	token_mac(key, id, expiry, want);
	if (sodium_memcmp(want, got, sizeof(got)) != 0)
		return RP_TOKEN_BAD;
	return now >= expiry ? RP_TOKEN_EXPIRED : RP_TOKEN_OK;
}

int
report_link_key(struct store *s, unsigned char key[RP_KEY_LEN])
{
	struct arena	*a;
	const char	*hex;
	unsigned char	 raw[RP_KEY_LEN];
	char		 fresh[RP_KEY_LEN * 2 + 1];
	size_t		 n;
	int		 rc;

	if (sodium_init() < 0 || (a = arena_new(4096)) == NULL)
		return P_ENOMEM;
	rc = store_setting_text(s, a, SECRET_KEY, &hex);
	if (rc == P_ENOTFOUND) {
		/* First use; the first writer wins a race. */
		crypto_auth_keygen(raw);
		sodium_bin2hex(fresh, sizeof(fresh), raw, sizeof(raw));
		sodium_memzero(raw, sizeof(raw));
		rc = store_setting_add(s, SECRET_KEY, fresh);
		sodium_memzero(fresh, sizeof(fresh));
		if (rc == P_OK)
			rc = store_setting_text(s, a, SECRET_KEY, &hex);
	}
	if (rc == P_OK && (sodium_hex2bin(key, RP_KEY_LEN, hex, strlen(hex),
	    NULL, &n, NULL) != 0 || n != RP_KEY_LEN))
		rc = P_EDB;	/* a secret broken by hand */
	arena_free(a);
	return rc;
}

int
report_link(struct store *s, struct arena *a, long long id, long ttl,
    const char **path, long long *expiry)
{
	unsigned char	 key[RP_KEY_LEN];
	char		 tok[RP_TOKEN_MAX];
	long		 days;
	long long	 exp;
	int		 rc;

	if (ttl <= 0) {
		if ((rc = store_setting_long(s, "reports.link_days",
		    RP_LINK_DAYS, &days)) != P_OK)
			return rc;
		if (days < 1 || days > 3650)
			days = RP_LINK_DAYS;
		ttl = days * 86400L;
	}
	exp = (long long)time(NULL) + ttl;
	if ((rc = report_link_key(s, key)) != P_OK)
		return rc;
	rc = report_token_make(key, id, exp, tok);
	sodium_memzero(key, sizeof(key));
	if (rc != P_OK)
		return rc;
	if ((*path = arena_printf(a, "/r/%lld?t=%s", id, tok)) == NULL)
		return P_ENOMEM;
	if (expiry != NULL)
		*expiry = exp;
	return P_OK;
}
