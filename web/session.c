/* web/session.c - staff sessions (random token cookie, hashed in the
 * store, expiry, rotation at sign-in), the sign-in throttle, and the
 * signed links that open a block to its customer. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/session.h"

#define LINK_SECRET_KEY	"unblock.link_secret"
#define LINK_MAC_BYTES	16	/* of crypto_auth's 32: 128 bits is plenty */
#define TOKEN_HEX	(SESSION_BYTES * 2)

static long long
now_s(void)
{
	return (long long)time(NULL);
}

int
session_cookie_add(struct response *res, const char *v)
{
	return response_header_add(res, "Set-Cookie", v);
}

bool
session_secure(const struct request *req)
{
	return req->app != NULL &&
	    strncmp(req->app->cfg.base_url, "https://", 8) == 0;
}

/* The hash of the request's session cookie; false when there is none or it
 * is not one of ours (64 hex digits). */
static bool
cookie_hash(const struct request *req, unsigned char hash[SESSION_HASH_LEN])
{
	const char	*c;
	unsigned char	 raw[SESSION_BYTES];
	size_t		 n;

	c = request_cookie(req, SESSION_COOKIE);
	if (c == NULL || strlen(c) != TOKEN_HEX)
		return false;
	if (sodium_hex2bin(raw, sizeof(raw), c, TOKEN_HEX, NULL, &n,
	    NULL) != 0 || n != sizeof(raw))
		return false;
	crypto_generichash(hash, SESSION_HASH_LEN, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return true;
}

static const char *
cookie_value(struct request *req, const char *token, long max_age)
{
	return arena_printf(req->arena, "%s=%s; Path=/staff; HttpOnly; "
	    "SameSite=Strict%s%s", SESSION_COOKIE, token, session_secure(req) ?
	    "; Secure" : "", max_age == 0 ? "; Max-Age=0" : "");
}

int
session_current(struct request *req, struct staff_session *out)
{
	struct store_session	 s;
	unsigned char		 h[SESSION_HASH_LEN];
	long long		 now = now_s();
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (req->db == NULL || !cookie_hash(req, h))
		return P_EUNAUTH;
	rc = store_session_get(req->db, req->arena, h, &s);
	if (rc == P_ENOTFOUND)
		return P_EUNAUTH;
	if (rc != P_OK)
		return rc;
	if (now >= s.expires_at || now - s.last_seen_at >= SESSION_IDLE) {
		(void)store_session_delete(req->db, h);
		return P_EUNAUTH;
	}
	if (s.disabled)
		return P_EUNAUTH;
	/* At most once a minute, so that reading pages stays read-only;
	 * best effort: a busy database must not sign anyone out. */
	if (now - s.last_seen_at >= 60)
		(void)store_session_touch(req->db, h, now);
	out->staff_id = s.staff_id;
	out->email = s.email;
	out->role = s.role;
	out->admin = strcmp(s.role, "admin") == 0;
	out->created_at = s.created_at;
	out->expires_at = s.expires_at;
	return P_OK;
}

int
session_start(struct request *req, struct response *res,
    const struct auth_principal *p, struct staff_session *out)
{
	unsigned char	 raw[SESSION_BYTES], h[SESSION_HASH_LEN];
	char		*token;
	const char	*v;
	long long	 now = now_s();
	int		 rc;

	if (req->db == NULL)
		return P_EDB;
	/* Rotation: whatever token the browser held is dropped. */
	if (cookie_hash(req, h))
		(void)store_session_delete(req->db, h);
	(void)store_session_purge(req->db, now, SESSION_IDLE);
	if ((token = arena_alloc(req->arena, TOKEN_HEX + 1)) == NULL)
		return P_ENOMEM;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, TOKEN_HEX + 1, raw, sizeof(raw));
	crypto_generichash(h, sizeof(h), raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	rc = store_session_insert(req->db, h, p->id, now,
	    now + SESSION_MAX_AGE, req->remote_addr);
	if (rc != P_OK)
		return rc;
	if ((v = cookie_value(req, token, -1)) == NULL)
		return P_ENOMEM;
	if ((rc = session_cookie_add(res, v)) != P_OK)
		return rc;
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->staff_id = p->id;
		out->email = p->name;
		out->admin = p->admin;
		out->role = p->admin ? "admin" : "agent";
		out->created_at = now;
		out->expires_at = now + SESSION_MAX_AGE;
	}
	return P_OK;
}

int
session_end(struct request *req, struct response *res)
{
	unsigned char	 h[SESSION_HASH_LEN];
	const char	*v;
	int		 rc = P_OK;

	if (req->db != NULL && cookie_hash(req, h))
		rc = store_session_delete(req->db, h);
	if ((v = cookie_value(req, "", 0)) == NULL)
		return P_ENOMEM;
	(void)session_cookie_add(res, v);
	return rc;
}

/* ---- the customer link secret ---- */

/* The secret key of the links (and of the throttle keys), made and stored
 * at first use; two first uses at once agree because the first insert
 * wins and both read back what was stored. */
static int
link_key(struct store *s, unsigned char key[crypto_auth_KEYBYTES])
{
	struct arena	*a;
	const char	*hex;
	unsigned char	 raw[crypto_auth_KEYBYTES];
	char		 fresh[crypto_auth_KEYBYTES * 2 + 1];
	size_t		 n;
	int		 rc;

	if ((a = arena_new(4096)) == NULL)
		return P_ENOMEM;
	rc = store_setting_text(s, a, LINK_SECRET_KEY, &hex);
	if (rc == P_ENOTFOUND) {
		crypto_auth_keygen(raw);
		sodium_bin2hex(fresh, sizeof(fresh), raw, sizeof(raw));
		sodium_memzero(raw, sizeof(raw));
		rc = store_setting_add(s, LINK_SECRET_KEY, fresh);
		sodium_memzero(fresh, sizeof(fresh));
		if (rc == P_OK)
			rc = store_setting_text(s, a, LINK_SECRET_KEY, &hex);
	}
	if (rc == P_OK && (sodium_hex2bin(key, crypto_auth_KEYBYTES, hex,
	    strlen(hex), NULL, &n, NULL) != 0 || n != crypto_auth_KEYBYTES))
		rc = P_EDB;	/* a secret someone broke by hand */
	arena_free(a);
	return rc;
}

static int
link_mac(struct store *s, long long block_id,
    unsigned char mac[crypto_auth_BYTES])
{
	unsigned char	 key[crypto_auth_KEYBYTES];
	char		 msg[40];
	int		 n, rc;

	if ((rc = link_key(s, key)) != P_OK)
		return rc;
	n = snprintf(msg, sizeof(msg), "block:%lld", block_id);
	crypto_auth(mac, (const unsigned char *)msg, (unsigned long long)n,
	    key);
	sodium_memzero(key, sizeof(key));
	return P_OK;
}

int
unblock_link_token(struct store *s, long long block_id, char *out)
{
	unsigned char	 mac[crypto_auth_BYTES];
	int		 rc;

	if ((rc = link_mac(s, block_id, mac)) != P_OK)
		return rc;
	sodium_bin2base64(out, UNBLOCK_LINK_LEN + 1, mac, LINK_MAC_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return P_OK;
}

bool
unblock_link_check(struct store *s, long long block_id, const char *token)
{
	unsigned char	 mac[crypto_auth_BYTES], got[LINK_MAC_BYTES];
	size_t		 n;

	if (token == NULL || strlen(token) != UNBLOCK_LINK_LEN || block_id <= 0)
		return false;
	if (sodium_base642bin(got, sizeof(got), token, UNBLOCK_LINK_LEN, NULL,
	    &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(got))
		return false;
	if (link_mac(s, block_id, mac) != P_OK)
		return false;
	return sodium_memcmp(mac, got, sizeof(got)) == 0;
}

/* ---- one-time links and the account cookie ---- */

static void
put_be64(unsigned char *p, long long v)
{
	unsigned long long	 u = (unsigned long long)v;
	int			 i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
}

static long long
get_be64(const unsigned char *p)
{
	unsigned long long	 u = 0;
	int			 i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (long long)u;
}

/* The 16-byte tag of label:id: followed by body, under the link secret. */
static int
tag_of(struct store *s, const char *label, long long id,
    const unsigned char *body, size_t blen, unsigned char tag[LINK_MAC_BYTES])
{
	crypto_auth_hmacsha512256_state	 st;
	unsigned char			 key[crypto_auth_KEYBYTES];
	unsigned char			 mac[crypto_auth_BYTES];
	char				 head[48];
	int				 n, rc;

	if ((rc = link_key(s, key)) != P_OK)
		return rc;
	n = snprintf(head, sizeof(head), "%s:%lld:", label, id);
	crypto_auth_hmacsha512256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)head,
	    (unsigned long long)n);
	crypto_auth_hmacsha512256_update(&st, body, blen);
	crypto_auth_hmacsha512256_final(&st, mac);
	memcpy(tag, mac, LINK_MAC_BYTES);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	return P_OK;
}

#define ONCE_RAW	(8 + LINK_NONCE_LEN + LINK_MAC_BYTES)
#define ACCT_RAW	(8 + 8 + LINK_MAC_BYTES)

int
unblock_once_token(struct store *s, long long block_id, long ttl, char *out)
{
	unsigned char	 raw[ONCE_RAW];
	int		 rc;

	put_be64(raw, now_s() + ttl);
	randombytes_buf(raw + 8, LINK_NONCE_LEN);
	if ((rc = tag_of(s, "link", block_id, raw, 8 + LINK_NONCE_LEN,
	    raw + 8 + LINK_NONCE_LEN)) != P_OK)
		return rc;
	sodium_bin2base64(out, UNBLOCK_ONCE_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return P_OK;
}

int
unblock_once_redeem(struct store *s, long long block_id, const char *token,
    bool *expired)
{
	unsigned char	 raw[ONCE_RAW], tag[LINK_MAC_BYTES];
	long long	 exp;
	size_t		 n;
	int		 rc;

	*expired = false;
	if (token == NULL || strlen(token) != UNBLOCK_ONCE_LEN || block_id <= 0)
		return P_EFORBIDDEN;
	if (sodium_base642bin(raw, sizeof(raw), token, UNBLOCK_ONCE_LEN, NULL,
	    &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(raw))
		return P_EFORBIDDEN;
	if ((rc = tag_of(s, "link", block_id, raw, 8 + LINK_NONCE_LEN,
	    tag)) != P_OK)
		return rc;
	if (sodium_memcmp(tag, raw + 8 + LINK_NONCE_LEN, sizeof(tag)) != 0)
		return P_EFORBIDDEN;
	exp = get_be64(raw);
	if (now_s() >= exp) {
		*expired = true;
		return P_ECONFLICT;
	}
	return store_link_use(s, raw + 8, block_id, now_s(), exp);
}

int
unblock_account_token(struct store *s, long long account_id,
    long long expires_at, char *out)
{
	unsigned char	 raw[ACCT_RAW];
	int		 rc;

	put_be64(raw, account_id);
	put_be64(raw + 8, expires_at);
	if ((rc = tag_of(s, "account", account_id, raw, 16, raw + 16)) != P_OK)
		return rc;
	sodium_bin2base64(out, UNBLOCK_ACCOUNT_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return P_OK;
}

bool
unblock_account_check(struct store *s, const char *token,
    long long *account_id)
{
	unsigned char	 raw[ACCT_RAW], tag[LINK_MAC_BYTES];
	long long	 id;
	size_t		 n;

	*account_id = 0;
	if (token == NULL || strlen(token) != UNBLOCK_ACCOUNT_LEN)
		return false;
	if (sodium_base642bin(raw, sizeof(raw), token, UNBLOCK_ACCOUNT_LEN,
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(raw))
		return false;
	id = get_be64(raw);
	if (id <= 0 || tag_of(s, "account", id, raw, 16, tag) != P_OK ||
	    sodium_memcmp(tag, raw + 16, sizeof(tag)) != 0 ||
	    now_s() >= get_be64(raw + 8))
		return false;
	*account_id = id;
	return true;
}

/* ---- sign-in throttle ---- */

/* The throttle keys: a keyed hash of the address, and of the address with
 * the email folded to lower case, so that no email is stored. */
static int
throttle_keys(struct request *req, const char *email,
    unsigned char kaddr[32], unsigned char kboth[32])
{
	crypto_generichash_state	 st;
	unsigned char			 key[crypto_auth_KEYBYTES];
	const char			*addr;
	unsigned char			 c;
	size_t				 i;
	int				 rc;

	if ((rc = link_key(req->db, key)) != P_OK)
		return rc;
	addr = req->remote_addr != NULL ? req->remote_addr : "-";
	crypto_generichash_init(&st, key, sizeof(key), 32);
	crypto_generichash_update(&st, (const unsigned char *)"login-addr", 11);
	crypto_generichash_update(&st, (const unsigned char *)addr,
	    strlen(addr) + 1);
	crypto_generichash_final(&st, kaddr, 32);
	crypto_generichash_init(&st, key, sizeof(key), 32);
	crypto_generichash_update(&st, (const unsigned char *)"login-both", 11);
	crypto_generichash_update(&st, (const unsigned char *)addr,
	    strlen(addr) + 1);
	for (i = 0; email != NULL && email[i] != '\0' && i < 320; i++) {
		c = (unsigned char)tolower((unsigned char)email[i]);
		crypto_generichash_update(&st, &c, 1);
	}
	crypto_generichash_final(&st, kboth, 32);
	sodium_memzero(key, sizeof(key));
	return P_OK;
}

int
session_login_check(struct request *req, const char *email, long *retry)
{
	unsigned char	 ka[32], kb[32];
	long long	 now = now_s(), na, nb, oa, ob, oldest;
	int		 rc;

	*retry = 0;
	if ((rc = throttle_keys(req, email, ka, kb)) != P_OK)
		return rc;
	if ((rc = store_login_failures(req->db, ka, now - LOGIN_WINDOW, &na,
	    &oa)) != P_OK ||
	    (rc = store_login_failures(req->db, kb, now - LOGIN_WINDOW, &nb,
	    &ob)) != P_OK)
		return rc;
	if (na < LOGIN_MAX_PER_ADDR && nb < LOGIN_MAX_PER_EMAIL)
		return P_OK;
	/* Free again when the oldest counted failure leaves the window. */
	oldest = nb >= LOGIN_MAX_PER_EMAIL ? ob : oa;
	*retry = (long)(oldest + LOGIN_WINDOW - now);
	if (*retry < 1)
		*retry = 1;
	return P_ERATE;
}

int
session_login_failed(struct request *req, const char *email)
{
	unsigned char	 ka[32], kb[32];
	long long	 now = now_s();
	int		 rc;

	if ((rc = throttle_keys(req, email, ka, kb)) != P_OK)
		return rc;
	if ((rc = store_login_fail_add(req->db, ka, now, now - LOGIN_WINDOW)) !=
	    P_OK)
		return rc;
	return store_login_fail_add(req->db, kb, now, now - LOGIN_WINDOW);
}

int
session_login_succeeded(struct request *req, const char *email)
{
	unsigned char	 ka[32], kb[32];
	int		 rc;

	if ((rc = throttle_keys(req, email, ka, kb)) != P_OK)
		return rc;
	return store_login_fail_clear(req->db, kb);
}
