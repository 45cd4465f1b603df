/* auth.h - API keys with scopes, staff passwords (argon2id), the bearer
 * check of API requests (src/auth), the `bouncedesk admin` commands
 * (src/auth/cli.c) and the store calls behind them
 * (src/store/store_auth.c).
 *
 * An API key is "bd_live_" followed by 43 base64url characters (32 random
 * bytes). It is shown once; the store keeps its first AUTH_PREFIX_LEN
 * random characters (to find the row) and its BLAKE2b-256 hash, which is
 * compared in constant time. */
#ifndef BOUNCEDESK_AUTH_H
#define BOUNCEDESK_AUTH_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct request;
struct response;
struct store;
struct ub_actor;

/* Least privilege: each endpoint asks for one scope. */
enum auth_scope {
	AUTH_ACCOUNTS_READ = 1u << 0,	/* accounts:read */
	AUTH_ACCOUNTS_WRITE = 1u << 1,	/* accounts:write */
	AUTH_BLOCKS_READ = 1u << 2,	/* blocks:read */
	AUTH_BLOCKS_WRITE = 1u << 3,	/* blocks:write */
	AUTH_BLOCKS_ADMIN = 1u << 4,	/* blocks:admin - lift permanent */
	AUTH_REQUESTS_READ = 1u << 5,	/* requests:read */
	AUTH_REQUESTS_WRITE = 1u << 6,	/* requests:write - file, answer */
	AUTH_REQUESTS_DECIDE = 1u << 7,	/* requests:decide */
	AUTH_AUDIT_READ = 1u << 8,	/* audit:read */
	AUTH_WEBHOOKS_ADMIN = 1u << 9,	/* webhooks:admin */
	AUTH_KEYS_ADMIN = 1u << 10,	/* keys:admin */
	AUTH_REPORTS_READ = 1u << 11,	/* reports:read - filter reports */
	AUTH_REPORTS_WRITE = 1u << 12,	/* reports:write - post, mark */
	AUTH_FAQ_WRITE = 1u << 13	/* faq:write - create, edit, delete */
};

#define AUTH_KEY_TAG		"bd_live_"
#define AUTH_KEY_LEN		(8 + 43)	/* tag + base64url of 32 bytes */
#define AUTH_PREFIX_LEN		12		/* random chars kept in clear */
#define AUTH_HASH_LEN		32
#define AUTH_PWHASH_MAX		128		/* crypto_pwhash_STRBYTES */
#define AUTH_PASSWORD_MIN	10
#define AUTH_PASSWORD_MAX	1024

/* Parses "blocks:write,requests:read" (spaces allowed); P_EINVAL on an
 * unknown scope or an empty list. */
int	auth_scopes_parse(const char *csv, unsigned *mask);
/* The scopes as a comma list in the arena ("" for none). */
char	*auth_scopes_format(struct arena *, unsigned mask);
/* The name of one scope bit ("blocks:write"), or NULL. */
const char *auth_scope_name(unsigned bit);

/* Fills key (AUTH_KEY_LEN + 1 bytes) with a new random key and prefix
 * (AUTH_PREFIX_LEN + 1) with its lookup part. P_OK, or P_ENOMEM when
 * libsodium cannot start. */
int	auth_key_generate(char *key, char *prefix);
/* BLAKE2b-256 of the key. */
void	auth_key_hash(const char *key, size_t len,
	    unsigned char out[AUTH_HASH_LEN]);
/* True when key hashes to stored; constant time in the hash. */
bool	auth_key_matches(const char *key, size_t len,
	    const unsigned char stored[AUTH_HASH_LEN]);
/* The lookup prefix of a well-formed key, or P_EINVAL. */
int	auth_key_prefix(const char *key, size_t len, char *prefix);

/* argon2id string (crypto_pwhash_str, interactive limits) into out
 * (AUTH_PWHASH_MAX bytes). P_EINVAL for a password out of bounds,
 * P_ENOMEM when the hash cannot get its memory. */
int	auth_password_hash(const char *pw, char *out);
bool	auth_password_verify(const char *hash, const char *pw);

enum auth_kind { AUTH_NONE, AUTH_API, AUTH_STAFF };

/* Who is calling, once authenticated. Strings in the arena. */
struct auth_principal {
	enum auth_kind	 kind;
	long long	 id;
	const char	*name;		/* client name or staff email */
	unsigned	 scopes;	/* API keys; staff get their role's */
	bool		 admin;		/* staff admin or blocks:admin */
	long long	 account_id;	/* a key bound to one account; 0: any */
};

/* Creates an API client; key (AUTH_KEY_LEN + 1) gets the key to show once.
 * P_ECONFLICT when the name is taken. */
int	auth_key_create(struct store *, const char *name, unsigned scopes,
	    char *key, long long *id);
/* Checks a key; P_EUNAUTH when unknown, revoked or malformed. */
int	auth_key_check(struct store *, struct arena *, const char *key,
	    struct auth_principal *);
/* Checks an Authorization header value ("Bearer <key>"). */
int	auth_bearer(struct store *, struct arena *, const char *authorization,
	    struct auth_principal *);

/* role: "agent" or "admin". P_EINVAL, P_ECONFLICT (email taken). */
int	auth_staff_create(struct store *, const char *email, const char *pw,
	    const char *role, long long *id);
/* P_EUNAUTH for an unknown email, a wrong password or a disabled user;
 * takes the same time either way. */
int	auth_staff_login(struct store *, struct arena *, const char *email,
	    const char *pw, struct auth_principal *);

/* For API handlers (src/auth/http.c): authenticates the request's bearer
 * key and checks scope. P_OK; P_EUNAUTH (and a WWW-Authenticate header on
 * res) without a valid key; P_EFORBIDDEN without the scope. */
int	auth_request(struct request *, struct response *, unsigned scope,
	    struct auth_principal *);
/* Idempotency-Key on POST: with a valid bearer key and the header, a
 * request already answered for this client and key within 24 hours gets
 * the same answer again (Idempotent-Replayed: true) without running
 * inner; the same key on another path answers 422. Otherwise inner runs
 * and a success or client error answer is kept. */
int	auth_idempotent(struct request *, struct response *,
	    int (*inner)(struct request *, struct response *));
#define AUTH_IDEM_TTL	86400
#define AUTH_IDEM_KEY_MAX 255

/* The actor of the audit trail for a principal calling from addr. */
void	auth_actor(const struct auth_principal *, const char *addr,
	    struct ub_actor *);

/* `bouncedesk admin create-key NAME --scopes a,b | create-staff EMAIL
 * --role agent|admin (password on stdin) | list-keys | revoke-key ID`.
 * argv[0] is the subcommand. Returns the exit status. */
int	admin_cli(int argc, char **argv, const char *db_path);

/* ---- store (src/store/store_auth.c) ---- */

struct store_apikey {
	long long	 id;
	const char	*name;
	const char	*prefix;
	unsigned char	 hash[AUTH_HASH_LEN];
	const char	*scopes;
	long long	 created_at, last_used_at, revoked_at;	/* 0: never */
	long long	 account_id;	/* the bound account; 0: none */
};

struct store_staff {
	long long	 id;
	const char	*email;
	const char	*pw_hash;
	const char	*role;
	bool		 disabled;
};

int	store_apikey_insert(struct store *, const char *name,
	    const char *prefix, const unsigned char hash[AUTH_HASH_LEN],
	    const char *scopes, long long now, long long *id);
int	store_apikey_find(struct store *, struct arena *, const char *prefix,
	    struct store_apikey *);
/* Records use, at most once a minute per key. */
int	store_apikey_touch(struct store *, long long id, long long now);
int	store_apikey_revoke(struct store *, long long id, long long now);
/* Binds key id to one account (migration 009). */
int	store_apikey_bind(struct store *, long long id, long long account_id);
int	store_apikey_list(struct store *, struct arena *,
	    struct store_apikey **, size_t *);
/* The kept answer of (client, key) newer than since; P_ENOTFOUND. */
int	store_idem_get(struct store *, struct arena *, long long client,
	    const char *key, long long since, const char **method,
	    const char **path, int *status, const char **body);
/* Keeps an answer (first one wins) and drops those older than since. */
int	store_idem_put(struct store *, long long client, const char *key,
	    const char *method, const char *path, int status,
	    const char *body, long long now, long long since);
int	store_staff_insert(struct store *, const char *email,
	    const char *pw_hash, const char *role, long long now, long long *id);
int	store_staff_find(struct store *, struct arena *, const char *email,
	    struct store_staff *);

#endif /* BOUNCEDESK_AUTH_H */
