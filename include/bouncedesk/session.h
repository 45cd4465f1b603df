/* session.h - staff sessions of the portal, the sign-in throttle and the
 * signed links that open one block to a customer (web/session.c), and the
 * store calls behind them (src/store/store_session.c).
 *
 * A staff session is 32 random bytes sent once as the cookie "sid"
 * (HttpOnly, SameSite=Strict, Path=/staff); the store keeps only their
 * BLAKE2b-256 hash, with an absolute expiry and an idle timeout. Signing in
 * always issues a new token and drops the one the browser came with, so a
 * token planted before sign-in is worth nothing after it. */
#ifndef BOUNCEDESK_SESSION_H
#define BOUNCEDESK_SESSION_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct auth_principal;
struct request;
struct response;
struct store;

#define SESSION_COOKIE		"sid"
#define SESSION_BYTES		32
#define SESSION_HASH_LEN	32
#define SESSION_MAX_AGE		(12 * 3600)	/* seconds, from sign-in */
#define SESSION_IDLE		(2 * 3600)	/* seconds without a request */

/* Failed sign-ins in the window before 429: per address and email, and
 * per address whatever the email (password spraying). */
#define LOGIN_WINDOW		(15 * 60)
#define LOGIN_MAX_PER_EMAIL	5
#define LOGIN_MAX_PER_ADDR	30

/* The customer link: base64url of the first 16 bytes of an HMAC
 * (crypto_auth) of "block:<id>" under a secret kept in the settings table
 * (unblock.link_secret, made at first use). */
#define UNBLOCK_LINK_LEN	22
#define UNBLOCK_LINK_COOKIE	"ubt"

/* The signed-in staff member. Strings in the request arena. */
struct staff_session {
	long long	 staff_id;
	const char	*email;
	const char	*role;		/* "agent" or "admin" */
	bool		 admin;
	long long	 created_at, expires_at;
};

/* The session of the request's cookie: P_OK, P_EUNAUTH (none, unknown,
 * expired, or the user is disabled) or P_EDB. Keeps it alive (idle). */
int	session_current(struct request *, struct staff_session *);
/* Signs p in: drops the session of the incoming cookie, stores a new one
 * and sets its cookie on res. out (may be NULL) gets it. */
int	session_start(struct request *, struct response *,
	    const struct auth_principal *p, struct staff_session *out);
/* Drops the request's session (if any) and clears the cookie. */
int	session_end(struct request *, struct response *);

/* Adds one more Set-Cookie header (v lives as long as res); P_ETOOBIG when
 * the response has no header left. */
int	session_cookie_add(struct response *, const char *v);
/* True when the portal is served over https (base_url): cookies get
 * Secure. */
bool	session_secure(const struct request *);

/* P_OK while the address (and the address with this email) is under its
 * limits, P_ERATE when not (*retry gets the seconds to wait), P_EDB. */
int	session_login_check(struct request *, const char *email, long *retry);
/* Records a failed sign-in, or forgets the failures of a good one. */
int	session_login_failed(struct request *, const char *email);
int	session_login_succeeded(struct request *, const char *email);

/* The link token of a block into out (UNBLOCK_LINK_LEN + 1 bytes). P_OK,
 * P_EDB. The secret is made on first use. */
int	unblock_link_token(struct store *, long long block_id, char *out);
/* True when token opens block_id; constant time. */
bool	unblock_link_check(struct store *, long long block_id,
	    const char *token);

/* One-time customer links (what notifications carry): base64url of
 * expiry (8 bytes, big endian) | nonce (16 random bytes) | the first 16
 * bytes of crypto_auth over "link:<block id>:" expiry nonce, under the
 * same secret. The first visit records the nonce (store_link_use). */
#define LINK_NONCE_LEN		16
#define UNBLOCK_ONCE_LEN	54
#define UNBLOCK_ONCE_TTL	(7 * 24 * 3600)
/* The customer cookie a link opens: base64url of account id (8) | expiry
 * (8) | 16 bytes of crypto_auth over "account:" id expiry. It opens every
 * block and request of that one account, under Path=/unblock. */
#define UNBLOCK_ACCOUNT_COOKIE	"uba"
#define UNBLOCK_ACCOUNT_LEN	43
#define UNBLOCK_ACCOUNT_TTL	(24 * 3600)

/* A one-time link token of block_id valid until now + ttl into out
 * (UNBLOCK_ONCE_LEN + 1 bytes). P_OK, P_EDB. */
int	unblock_once_token(struct store *, long long block_id, long ttl,
	    char *out);
/* Redeems token for block_id: P_OK (the nonce is now used), P_EFORBIDDEN
 * (not a token of this block), P_ECONFLICT (used before; *expired false)
 * or expired (*expired true), P_EDB. */
int	unblock_once_redeem(struct store *, long long block_id,
	    const char *token, bool *expired);
/* The account cookie's value for account_id until expires_at into out
 * (UNBLOCK_ACCOUNT_LEN + 1 bytes). */
int	unblock_account_token(struct store *, long long account_id,
	    long long expires_at, char *out);
/* True when token is a live account cookie; *account_id gets the id. */
bool	unblock_account_check(struct store *, const char *token,
	    long long *account_id);

/* ---- store (src/store/store_session.c, store_links.c) ---- */

/* Records the nonce of a visited link: P_OK, P_ECONFLICT when it was used
 * before, P_EDB. Drops rows whose link expired before now. */
int	store_link_use(struct store *,
	    const unsigned char nonce[LINK_NONCE_LEN], long long block_id,
	    long long now, long long expires_at);


struct store_session {
	long long	 staff_id;
	const char	*email;
	const char	*role;
	bool		 disabled;
	long long	 created_at, last_seen_at, expires_at;
};

int	store_session_insert(struct store *,
	    const unsigned char hash[SESSION_HASH_LEN], long long staff_id,
	    long long now, long long expires_at, const char *addr);
/* P_ENOTFOUND when there is no such session (expired or not). */
int	store_session_get(struct store *, struct arena *,
	    const unsigned char hash[SESSION_HASH_LEN], struct store_session *);
int	store_session_touch(struct store *,
	    const unsigned char hash[SESSION_HASH_LEN], long long now);
int	store_session_delete(struct store *,
	    const unsigned char hash[SESSION_HASH_LEN]);
/* Deletes sessions past their absolute end or idle for idle seconds. */
int	store_session_purge(struct store *, long long now, long idle);

/* Failures of key since since; record one; forget those of key; drop those
 * older than before. *oldest (may be NULL) gets the oldest counted. */
int	store_login_failures(struct store *, const unsigned char key[32],
	    long long since, long long *n, long long *oldest);
int	store_login_fail_add(struct store *, const unsigned char key[32],
	    long long now, long long before);
int	store_login_fail_clear(struct store *, const unsigned char key[32]);

/* A text setting in the arena; P_ENOTFOUND when absent. */
int	store_setting_text(struct store *, struct arena *, const char *key,
	    const char **value);
/* Stores value under key unless the key exists (first writer wins). */
int	store_setting_add(struct store *, const char *key, const char *value);

/* Unblock requests per state (the staff queue's counts): n[state] for
 * every enum ub_req_state, which has nstates values. */
int	store_request_counts(struct store *, long long *n, size_t nstates);

#endif /* BOUNCEDESK_SESSION_H */
