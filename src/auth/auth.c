/* src/auth/auth.c - scopes, API keys (random, hashed, constant-time
 * compared) and staff passwords (argon2id through libsodium). */
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*name;
	unsigned	 bit;
} scopes[] = {
	{ "accounts:read", AUTH_ACCOUNTS_READ },
	{ "accounts:write", AUTH_ACCOUNTS_WRITE },
	{ "blocks:read", AUTH_BLOCKS_READ },
	{ "blocks:write", AUTH_BLOCKS_WRITE },
	{ "blocks:admin", AUTH_BLOCKS_ADMIN },
	{ "requests:read", AUTH_REQUESTS_READ },
	{ "requests:write", AUTH_REQUESTS_WRITE },
	{ "requests:decide", AUTH_REQUESTS_DECIDE },
	{ "audit:read", AUTH_AUDIT_READ },
	{ "webhooks:admin", AUTH_WEBHOOKS_ADMIN },
	{ "keys:admin", AUTH_KEYS_ADMIN },
	{ "reports:read", AUTH_REPORTS_READ },
	{ "reports:write", AUTH_REPORTS_WRITE },
	{ "faq:write", AUTH_FAQ_WRITE },
};

/* What a staff role may do through the API. */
#define STAFF_AGENT_SCOPES (AUTH_ACCOUNTS_READ | AUTH_BLOCKS_READ | \
    AUTH_BLOCKS_WRITE | AUTH_REQUESTS_READ | AUTH_REQUESTS_DECIDE | \
    AUTH_AUDIT_READ | AUTH_REPORTS_READ)
/* An admin may do everything, including what scopes added later allow. */
#define STAFF_ADMIN_SCOPES (~0u)

/* A valid argon2id string of a throw-away password: verifying against it
 * when the email is unknown makes a failed login take the usual time. */
static const char dummy_hash[AUTH_PWHASH_MAX] =
    "$argon2id$v=19$m=65536,t=2,p=1$MfBCLRPGopCRRKn7dDvsfA$"
    "mdnHO0E9JmnvKvH6RuNX8+TOnJjXqjt3H7Pyn6kQsfQ";

const char *
auth_scope_name(unsigned bit)
{
	size_t	 i;

	for (i = 0; i < NELEM(scopes); i++)
		if (scopes[i].bit == bit)
			return scopes[i].name;
	return NULL;
}

int
auth_scopes_parse(const char *csv, unsigned *mask)
{
	const char	*p = csv, *e;
	size_t		 i, len;
	unsigned	 m = 0;

	if (csv == NULL)
		return P_EINVAL;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ',' && *e != ' '; e++)
			;
		len = (size_t)(e - p);
		for (i = 0; i < NELEM(scopes); i++)
			if (strlen(scopes[i].name) == len &&
			    memcmp(scopes[i].name, p, len) == 0)
				break;
		if (i == NELEM(scopes))
			return P_EINVAL;
		m |= scopes[i].bit;
		p = e;
	}
	if (m == 0)
		return P_EINVAL;
	*mask = m;
	return P_OK;
}

char *
auth_scopes_format(struct arena *a, unsigned mask)
{
	char	*out = arena_strdup(a, "");
	size_t	 i;

	for (i = 0; i < NELEM(scopes) && out != NULL; i++)
		if (mask & scopes[i].bit)
			out = arena_printf(a, "%s%s%s", out,
			    out[0] != '\0' ? "," : "", scopes[i].name);
	return out;
}

int
auth_key_generate(char *key, char *prefix)
{
	unsigned char	 raw[32];
	size_t		 tag = sizeof(AUTH_KEY_TAG) - 1;

	if (sodium_init() < 0)
		return P_ENOMEM;
	randombytes_buf(raw, sizeof(raw));
	memcpy(key, AUTH_KEY_TAG, tag);
	sodium_bin2base64(key + tag, AUTH_KEY_LEN - tag + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	memcpy(prefix, key + tag, AUTH_PREFIX_LEN);
	prefix[AUTH_PREFIX_LEN] = '\0';
	sodium_memzero(raw, sizeof(raw));
	return P_OK;
}

void
auth_key_hash(const char *key, size_t len, unsigned char out[AUTH_HASH_LEN])
{
	crypto_generichash(out, AUTH_HASH_LEN, (const unsigned char *)key, len,
	    NULL, 0);
}

bool
auth_key_matches(const char *key, size_t len,
    const unsigned char stored[AUTH_HASH_LEN])
{
	unsigned char	 h[AUTH_HASH_LEN];

	auth_key_hash(key, len, h);
	return sodium_memcmp(h, stored, AUTH_HASH_LEN) == 0;
}

int
auth_key_prefix(const char *key, size_t len, char *prefix)
{
	size_t	 tag = sizeof(AUTH_KEY_TAG) - 1, i;

	if (len != AUTH_KEY_LEN || memcmp(key, AUTH_KEY_TAG, tag) != 0)
		return P_EINVAL;
	for (i = tag; i < len; i++) {
		unsigned char	 c = (unsigned char)key[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return P_EINVAL;
	}
	memcpy(prefix, key + tag, AUTH_PREFIX_LEN);
	prefix[AUTH_PREFIX_LEN] = '\0';
	return P_OK;
}

int
auth_password_hash(const char *pw, char *out)
{
	size_t	 len;

	len = pw != NULL ? strlen(pw) : 0;
	if (len < AUTH_PASSWORD_MIN || len > AUTH_PASSWORD_MAX)
		return P_EINVAL;
	if (sodium_init() < 0)
		return P_ENOMEM;
	if (crypto_pwhash_str(out, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return P_ENOMEM;
	return P_OK;
}

bool
auth_password_verify(const char *hash, const char *pw)
{
	char	 h[AUTH_PWHASH_MAX];
	size_t	 n;

	if (hash == NULL || pw == NULL || strlen(pw) > AUTH_PASSWORD_MAX)
		return false;
	/* The API reads a full crypto_pwhash_STRBYTES array. */
	n = strlen(hash);
	if (n >= sizeof(h))
		return false;
	memset(h, 0, sizeof(h));
	memcpy(h, hash, n);
	return crypto_pwhash_str_verify(h, pw, strlen(pw)) == 0;
}

int
auth_key_create(struct store *s, const char *name, unsigned mask, char *key,
    long long *id)
{
	unsigned char	 h[AUTH_HASH_LEN];
	char		 prefix[AUTH_PREFIX_LEN + 1], list[512];
	size_t		 i, off = 0;

	if (name == NULL || name[0] == '\0' || strlen(name) > 100 || mask == 0)
		return P_EINVAL;
	list[0] = '\0';
	for (i = 0; i < NELEM(scopes); i++) {
		size_t	 n = strlen(scopes[i].name);

		if ((mask & scopes[i].bit) == 0)
			continue;
		if (off + n + 2 > sizeof(list))
			return P_ETOOBIG;
		if (off > 0)
			list[off++] = ',';
		memcpy(list + off, scopes[i].name, n + 1);
		off += n;
	}
	if (auth_key_generate(key, prefix) != P_OK)
		return P_ENOMEM;
	auth_key_hash(key, AUTH_KEY_LEN, h);
	return store_apikey_insert(s, name, prefix, h, list,
	    (long long)time(NULL), id);
}

int
auth_key_check(struct store *s, struct arena *a, const char *key,
    struct auth_principal *p)
{
	struct store_apikey	 k;
	char			 prefix[AUTH_PREFIX_LEN + 1];
	size_t			 len;
	unsigned		 mask;
	int			 rc;

	memset(p, 0, sizeof(*p));
	if (key == NULL)
		return P_EUNAUTH;
	len = strlen(key);
	if (auth_key_prefix(key, len, prefix) != P_OK)
		return P_EUNAUTH;
	rc = store_apikey_find(s, a, prefix, &k);
	if (rc == P_ENOTFOUND)
		return P_EUNAUTH;
	if (rc != P_OK)
		return rc;
	if (!auth_key_matches(key, len, k.hash) || k.revoked_at != 0)
		return P_EUNAUTH;
	if (auth_scopes_parse(k.scopes, &mask) != P_OK)
		return P_EUNAUTH;
	p->kind = AUTH_API;
	p->id = k.id;
	p->name = k.name;
	p->scopes = mask;
	p->admin = (mask & AUTH_BLOCKS_ADMIN) != 0;
	p->account_id = k.account_id;
	/* Best effort: a busy database must not fail the request. */
	(void)store_apikey_touch(s, k.id, (long long)time(NULL));
	return P_OK;
}

int
auth_bearer(struct store *s, struct arena *a, const char *h,
    struct auth_principal *p)
{
	memset(p, 0, sizeof(*p));
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return P_EUNAUTH;
	h += 7;
	while (*h == ' ')
		h++;
	return auth_key_check(s, a, h, p);
}

int
auth_staff_create(struct store *s, const char *email, const char *pw,
    const char *role, long long *id)
{
	char	 hash[AUTH_PWHASH_MAX];
	int	 rc;

	if (email == NULL || strchr(email, '@') == NULL ||
	    strlen(email) > 254)
		return P_EINVAL;
	if (role == NULL || (strcmp(role, "agent") != 0 &&
	    strcmp(role, "admin") != 0))
		return P_EINVAL;
	if ((rc = auth_password_hash(pw, hash)) != P_OK)
		return rc;
	return store_staff_insert(s, email, hash, role, (long long)time(NULL),
	    id);
}

int
auth_staff_login(struct store *s, struct arena *a, const char *email,
    const char *pw, struct auth_principal *p)
{
	struct store_staff	 u;
	int			 rc;
	bool			 ok;

	memset(p, 0, sizeof(*p));
	if (email == NULL || pw == NULL)
		return P_EUNAUTH;
	rc = store_staff_find(s, a, email, &u);
	if (rc != P_OK && rc != P_ENOTFOUND)
		return rc;
	if (rc == P_ENOTFOUND) {
		(void)auth_password_verify(dummy_hash, pw);
		return P_EUNAUTH;
	}
	ok = auth_password_verify(u.pw_hash, pw);
	if (!ok || u.disabled)
		return P_EUNAUTH;
	p->kind = AUTH_STAFF;
	p->id = u.id;
	p->name = u.email;
	p->admin = strcmp(u.role, "admin") == 0;
	p->scopes = p->admin ? STAFF_ADMIN_SCOPES : STAFF_AGENT_SCOPES;
	return P_OK;
}
