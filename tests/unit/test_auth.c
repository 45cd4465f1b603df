/* test_auth.c - scopes, API keys (format, hashing, lookup, revocation),
 * staff passwords, the bearer check of requests and `bouncedesk admin`. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/router.h"
#include "bouncedesk/store.h"

struct fx {
	char		 path[128];
	struct store	*s;
	struct arena	*a;
};

static int
setup(void **state)
{
	static int	 n;
	struct fx	*f;
	char		 err[256];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/bd_test_auth_%d_%d.db",
	    (int)getpid(), n++);
	unlink(f->path);
	f->s = store_open(f->path, false, err, sizeof(err));
	if (f->s == NULL || store_migrate(f->s, "db/migrations", NULL, NULL,
	    err, sizeof(err)) != P_OK) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	f->a = arena_new(0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	store_close(f->s);
	arena_free(f->a);
	unlink(f->path);
	free(f);
	return 0;
}

static void
test_scopes(void **state)
{
	struct arena	*a;
	unsigned	 m, m2;

	(void)state;
	a = arena_new(0);
	assert_int_equal(auth_scopes_parse("blocks:write, requests:read", &m),
	    P_OK);
	assert_int_equal(m, AUTH_BLOCKS_WRITE | AUTH_REQUESTS_READ);
	assert_string_equal(auth_scopes_format(a, m),
	    "blocks:write,requests:read");
	assert_int_equal(auth_scopes_parse(auth_scopes_format(a, 0x7ff), &m2),
	    P_OK);
	assert_int_equal(m2, 0x7ff);
	assert_int_equal(auth_scopes_parse("blocks:write,blocks:delete", &m),
	    P_EINVAL);
	assert_int_equal(auth_scopes_parse("blocks", &m), P_EINVAL);
	assert_int_equal(auth_scopes_parse(" , ", &m), P_EINVAL);
	assert_int_equal(auth_scopes_parse(NULL, &m), P_EINVAL);
	assert_string_equal(auth_scope_name(AUTH_REQUESTS_DECIDE),
	    "requests:decide");
	arena_free(a);
}

static void
test_key_format(void **state)
{
	char	 k1[AUTH_KEY_LEN + 1], k2[AUTH_KEY_LEN + 1];
	char	 p1[AUTH_PREFIX_LEN + 1], p2[AUTH_PREFIX_LEN + 1], p[16];
	size_t	 i;

	(void)state;
	assert_int_equal(auth_key_generate(k1, p1), P_OK);
	assert_int_equal(auth_key_generate(k2, p2), P_OK);
	assert_int_equal(strlen(k1), 51);
	assert_memory_equal(k1, "bd_live_", 8);
	for (i = 8; i < strlen(k1); i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
		    "klmnopqrstuvwxyz0123456789-_", k1[i]));
	assert_string_not_equal(k1, k2);
	assert_memory_equal(p1, k1 + 8, AUTH_PREFIX_LEN);
	assert_int_equal(auth_key_prefix(k1, strlen(k1), p), P_OK);
	assert_string_equal(p, p1);
	assert_int_equal(auth_key_prefix(k1, strlen(k1) - 1, p), P_EINVAL);
	k2[20] = '/';
	assert_int_equal(auth_key_prefix(k2, strlen(k2), p), P_EINVAL);
	memcpy(k2, "bd_test_", 8);
	assert_int_equal(auth_key_prefix(k2, strlen(k2), p), P_EINVAL);
}

static void
test_key_hash(void **state)
{
	/* BLAKE2b-256("abc"), RFC 7693 parameters, from another
	 * implementation (Python hashlib). */
	static const unsigned char want[32] = {
		0xbd, 0xdd, 0x81, 0x3c, 0x63, 0x42, 0x39, 0x72,
		0x31, 0x71, 0xef, 0x3f, 0xee, 0x98, 0x57, 0x9b,
		0x94, 0x96, 0x4e, 0x3b, 0xb1, 0xcb, 0x3e, 0x42,
		0x72, 0x62, 0xc8, 0xc0, 0x68, 0xd5, 0x23, 0x19 };
	unsigned char	 h[32];

	(void)state;
	auth_key_hash("abc", 3, h);
	assert_memory_equal(h, want, 32);
	assert_true(auth_key_matches("abc", 3, want));
	assert_false(auth_key_matches("abd", 3, want));
	assert_false(auth_key_matches("abc", 2, want));
}

static void
test_key_store(void **state)
{
	struct fx		*f = *state;
	struct auth_principal	 p;
	char			 key[AUTH_KEY_LEN + 1], bad[AUTH_KEY_LEN + 1];
	char			 hdr[128];
	sqlite3			*db;
	sqlite3_stmt		*st;
	long long		 id;

	assert_int_equal(auth_key_create(f->s, "ticketing",
	    AUTH_REQUESTS_READ | AUTH_REQUESTS_DECIDE, key, &id), P_OK);
	assert_int_equal(auth_key_check(f->s, f->a, key, &p), P_OK);
	assert_int_equal(p.kind, AUTH_API);
	assert_int_equal(p.id, id);
	assert_string_equal(p.name, "ticketing");
	assert_int_equal(p.scopes, AUTH_REQUESTS_READ | AUTH_REQUESTS_DECIDE);
	assert_false(p.admin);
	/* Same prefix, another secret part: refused. */
	memcpy(bad, key, sizeof(bad));
	bad[AUTH_KEY_LEN - 1] = bad[AUTH_KEY_LEN - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(auth_key_check(f->s, f->a, bad, &p), P_EUNAUTH);
	assert_int_equal(p.kind, AUTH_NONE);
	assert_int_equal(auth_key_check(f->s, f->a, "bd_live_short", &p),
	    P_EUNAUTH);
	assert_int_equal(auth_key_check(f->s, f->a, NULL, &p), P_EUNAUTH);
	/* The header forms. */
	snprintf(hdr, sizeof(hdr), "Bearer %s", key);
	assert_int_equal(auth_bearer(f->s, f->a, hdr, &p), P_OK);
	snprintf(hdr, sizeof(hdr), "bearer  %s", key);
	assert_int_equal(auth_bearer(f->s, f->a, hdr, &p), P_OK);
	snprintf(hdr, sizeof(hdr), "Basic %s", key);
	assert_int_equal(auth_bearer(f->s, f->a, hdr, &p), P_EUNAUTH);
	assert_int_equal(auth_bearer(f->s, f->a, NULL, &p), P_EUNAUTH);
	/* Names are unique. */
	assert_int_equal(auth_key_create(f->s, "ticketing", AUTH_BLOCKS_READ,
	    bad, NULL), P_ECONFLICT);
	assert_int_equal(auth_key_create(f->s, "none", 0, bad, NULL),
	    P_EINVAL);
	/* The key is nowhere in the database, in any column. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "api_clients WHERE instr(name || key_prefix || scopes || "
	    "hex(key_hash), ?1) > 0 OR instr(key_hash, ?1) > 0", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, key + 8 + AUTH_PREFIX_LEN, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* Revoked keys stop working. */
	assert_int_equal(store_apikey_revoke(f->s, id, 1), P_OK);
	assert_int_equal(auth_key_check(f->s, f->a, key, &p), P_EUNAUTH);
	assert_int_equal(store_apikey_revoke(f->s, id, 2), P_ENOTFOUND);
}

static void
test_password(void **state)
{
	char	 h[AUTH_PWHASH_MAX], h2[AUTH_PWHASH_MAX];

	(void)state;
	assert_int_equal(auth_password_hash("correct horse battery", h), P_OK);
	assert_memory_equal(h, "$argon2id$", 10);
	assert_true(auth_password_verify(h, "correct horse battery"));
	assert_false(auth_password_verify(h, "correct horse batterx"));
	assert_false(auth_password_verify(h, ""));
	/* Salted: the same password hashes differently. */
	assert_int_equal(auth_password_hash("correct horse battery", h2), P_OK);
	assert_string_not_equal(h, h2);
	assert_int_equal(auth_password_hash("short", h), P_EINVAL);
	assert_false(auth_password_verify("not a hash", "whatever123"));
}

static void
test_staff(void **state)
{
	struct fx		*f = *state;
	struct auth_principal	 p;
	long long		 id;

	assert_int_equal(auth_staff_create(f->s, "boss@example.net",
	    "a long admin password", "admin", &id), P_OK);
	assert_int_equal(auth_staff_create(f->s, "ann@example.net",
	    "a long agent password", "agent", NULL), P_OK);
	assert_int_equal(auth_staff_create(f->s, "BOSS@example.net",
	    "another long password", "agent", NULL), P_ECONFLICT);
	assert_int_equal(auth_staff_create(f->s, "x@example.net",
	    "another long password", "root", NULL), P_EINVAL);
	assert_int_equal(auth_staff_create(f->s, "nobody",
	    "another long password", "agent", NULL), P_EINVAL);

	assert_int_equal(auth_staff_login(f->s, f->a, "boss@example.net",
	    "a long admin password", &p), P_OK);
	assert_int_equal(p.kind, AUTH_STAFF);
	assert_int_equal(p.id, id);
	assert_true(p.admin);
	assert_true(p.scopes & AUTH_KEYS_ADMIN);
	assert_int_equal(auth_staff_login(f->s, f->a, "ann@example.net",
	    "a long agent password", &p), P_OK);
	assert_false(p.admin);
	assert_true(p.scopes & AUTH_REQUESTS_DECIDE);
	assert_false(p.scopes & (AUTH_KEYS_ADMIN | AUTH_BLOCKS_ADMIN));
	assert_int_equal(auth_staff_login(f->s, f->a, "ann@example.net",
	    "a long admin password", &p), P_EUNAUTH);
	assert_int_equal(auth_staff_login(f->s, f->a, "who@example.net",
	    "a long admin password", &p), P_EUNAUTH);
}

/* ---- the bearer check of a request ---- */

static const char *test_auth_value, *test_idem_value;

static const char *
hdr_fn(const struct request *req, const char *name)
{
	(void)req;
	if (strcasecmp(name, "Idempotency-Key") == 0)
		return test_idem_value;
	return strcasecmp(name, "Authorization") == 0 ? test_auth_value : NULL;
}

static void
test_auth_request(void **state)
{
	struct fx		*f = *state;
	struct request		 req;
	struct response		 res;
	struct auth_principal	 p;
	char			 key[AUTH_KEY_LEN + 1], hdr[128];
	size_t			 i;
	int			 www = 0;

	memset(&req, 0, sizeof(req));
	req.header = hdr_fn;
	req.db = f->s;
	req.arena = f->a;
	assert_int_equal(auth_key_create(f->s, "platform", AUTH_BLOCKS_WRITE |
	    AUTH_BLOCKS_READ, key, NULL), P_OK);

	response_init(&res);
	test_auth_value = NULL;
	assert_int_equal(auth_request(&req, &res, AUTH_BLOCKS_WRITE, &p),
	    P_EUNAUTH);
	for (i = 0; i < res.nhdr; i++)
		if (strcmp(res.hdr[i].k, "WWW-Authenticate") == 0 &&
		    strncmp(res.hdr[i].v, "Bearer", 6) == 0)
			www = 1;
	assert_true(www);
	response_cleanup(&res);

	response_init(&res);
	snprintf(hdr, sizeof(hdr), "Bearer %s", key);
	test_auth_value = hdr;
	assert_int_equal(auth_request(&req, &res, AUTH_BLOCKS_WRITE, &p), P_OK);
	assert_int_equal(auth_request(&req, &res, AUTH_REQUESTS_DECIDE, &p),
	    P_EFORBIDDEN);
	assert_int_equal(res.nhdr, 0);
	response_cleanup(&res);
}

/* ---- the scope x endpoint matrix, through the router ---- */

static const struct {
	enum http_method	 m;
	const char		*path;
	unsigned		 scope;
	const char		*body;
} matrix[] = {
	{ HTTP_POST, "/api/v1/accounts", AUTH_ACCOUNTS_WRITE, "{}" },
	{ HTTP_GET, "/api/v1/accounts", AUTH_ACCOUNTS_READ, "" },
	{ HTTP_GET, "/api/v1/accounts/1", AUTH_ACCOUNTS_READ, "" },
	{ HTTP_POST, "/api/v1/blocks", AUTH_BLOCKS_WRITE, "{}" },
	{ HTTP_GET, "/api/v1/blocks", AUTH_BLOCKS_READ, "" },
	{ HTTP_GET, "/api/v1/blocks/1", AUTH_BLOCKS_READ, "" },
	{ HTTP_POST, "/api/v1/blocks/1/state", AUTH_BLOCKS_ADMIN,
	    "{\"state\": \"lifted\"}" },
	{ HTTP_POST, "/api/v1/blocks/1/requests", AUTH_REQUESTS_WRITE,
	    "{\"self_sent\": false}" },
	{ HTTP_GET, "/api/v1/requests", AUTH_REQUESTS_READ, "" },
	{ HTTP_GET, "/api/v1/requests/1", AUTH_REQUESTS_READ, "" },
	{ HTTP_POST, "/api/v1/requests/1/decision", AUTH_REQUESTS_DECIDE,
	    "{\"decision\": \"approve\"}" },
	{ HTTP_POST, "/api/v1/requests/1/answer", AUTH_REQUESTS_WRITE,
	    "{\"message\": \"x\"}" },
	{ HTTP_POST, "/api/v1/requests/1/withdraw", AUTH_REQUESTS_WRITE, "" },
	{ HTTP_GET, "/api/v1/audit", AUTH_AUDIT_READ, "" },
	{ HTTP_POST, "/api/v1/keys", AUTH_KEYS_ADMIN, "{}" },
	{ HTTP_GET, "/api/v1/keys", AUTH_KEYS_ADMIN, "" },
	{ HTTP_POST, "/api/v1/webhooks", AUTH_WEBHOOKS_ADMIN, "{}" },
	{ HTTP_GET, "/api/v1/webhooks", AUTH_WEBHOOKS_ADMIN, "" },
};

static int
dispatch(struct fx *f, size_t i, const char *auth, struct response *res)
{
	struct request	 req;

	memset(&req, 0, sizeof(req));
	req.method = matrix[i].m;
	req.method_str = matrix[i].m == HTTP_GET ? "GET" : "POST";
	req.path = matrix[i].path;
	req.query = "";
	req.body = matrix[i].body;
	req.body_len = strlen(matrix[i].body);
	req.remote_addr = "127.0.0.1";
	req.header = hdr_fn;
	req.arena = f->a;
	req.db = f->s;
	req.lang = "en";
	test_auth_value = auth;
	response_init(res);
	router_dispatch(&req, res);
	return res->status;
}

static const char *
req_name(size_t i)
{
	return matrix[i].m == HTTP_GET ? "GET" : "POST";
}

static void
test_scope_matrix(void **state)
{
	struct fx		*f = *state;
	struct response		 res;
	char			 key[AUTH_KEY_LEN + 1], hdr[128], name[32];
	size_t			 i, k;
	int			 st, www;

	for (i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		st = dispatch(f, i, NULL, &res);
		for (k = 0, www = 0; k < res.nhdr; k++)
			if (strcmp(res.hdr[k].k, "WWW-Authenticate") == 0)
				www = 1;
		response_cleanup(&res);
		if (st != 401 || !www)
			fail_msg("%s %s without a key: got %d, want 401 and "
			    "WWW-Authenticate", req_name(i), matrix[i].path,
			    st);
		/* Every scope but the one needed. */
		snprintf(name, sizeof(name), "all-but-%zu", i);
		assert_int_equal(auth_key_create(f->s, name,
		    0x7ffu & ~matrix[i].scope, key, NULL), P_OK);
		snprintf(hdr, sizeof(hdr), "Bearer %s", key);
		st = dispatch(f, i, hdr, &res);
		response_cleanup(&res);
		if (st != 403)
			fail_msg("%s %s without its scope: got %d, want 403",
			    req_name(i), matrix[i].path, st);
		/* Only the one needed. */
		snprintf(name, sizeof(name), "only-%zu", i);
		assert_int_equal(auth_key_create(f->s, name, matrix[i].scope,
		    key, NULL), P_OK);
		snprintf(hdr, sizeof(hdr), "Bearer %s", key);
		st = dispatch(f, i, hdr, &res);
		response_cleanup(&res);
		if (st == 401 || st == 403 || st >= 500)
			fail_msg("%s %s with its scope: got %d", req_name(i),
			    matrix[i].path, st);
	}
}

/* ---- one block's life through the API ---- */

/* Runs one call; returns the status and the parsed body in *out. */
static int
call(struct fx *f, enum http_method m, const char *path, const char *query,
    const char *body, const char *auth, struct json_object **out)
{
	struct request	 req;
	struct response	 res;
	int		 st;

	memset(&req, 0, sizeof(req));
	req.method = m;
	req.method_str = m == HTTP_GET ? "GET" : "POST";
	req.path = path;
	req.query = query;
	req.body = body;
	req.body_len = strlen(body);
	req.remote_addr = "192.0.2.77";
	req.header = hdr_fn;
	req.arena = f->a;
	req.db = f->s;
	req.lang = "en";
	test_auth_value = auth;
	response_init(&res);
	router_dispatch(&req, &res);
	st = res.status;
	*out = json_tokener_parse(buf_str(&res.body));
	response_cleanup(&res);
	return st;
}

static const char *
field(struct json_object *o, const char *path)
{
	struct json_object	*v = o;
	char			 k[64];
	const char		*p = path, *e;

	while (v != NULL && *p != '\0') {
		e = strchr(p, '.');
		snprintf(k, sizeof(k), "%.*s", (int)(e != NULL ? e - p :
		    (long)strlen(p)), p);
		if (!json_object_object_get_ex(v, k, &v))
			return NULL;
		p = e != NULL ? e + 1 : p + strlen(p);
	}
	return v != NULL ? json_object_get_string(v) : NULL;
}

static void
test_api_lifecycle(void **state)
{
	struct fx		*f = *state;
	struct json_object	*o;
	char			 key[AUTH_KEY_LEN + 1], plat[128], help[128];
	char			 path[64];
	int			 i;

	assert_int_equal(auth_key_create(f->s, "platform", AUTH_ACCOUNTS_WRITE |
	    AUTH_BLOCKS_WRITE | AUTH_REQUESTS_WRITE, key, NULL), P_OK);
	snprintf(plat, sizeof(plat), "Bearer %s", key);
	assert_int_equal(auth_key_create(f->s, "helpdesk", AUTH_REQUESTS_READ |
	    AUTH_REQUESTS_DECIDE | AUTH_BLOCKS_READ | AUTH_AUDIT_READ, key,
	    NULL), P_OK);
	snprintf(help, sizeof(help), "Bearer %s", key);

	assert_int_equal(call(f, HTTP_POST, "/api/v1/accounts", "",
	    "{\"ext_id\": \"H-7\", \"name\": \"Dupont\", "
	    "\"contact_email\": \"c@dupont.example\", \"mailboxes\": "
	    "[\"info@dupont.example\"]}", plat, &o), 201);
	json_object_put(o);
	/* Three blocks in the window: the third is permanent. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks", "",
		    "{\"account\": \"H-7\", \"target_kind\": \"mailbox\","
		    " \"target\": \"info@dupont.example\", \"cause\": "
		    "\"compromised\"}", plat, &o), 201);
		assert_string_equal(field(o, "state"), i < 2 ? "active" :
		    "permanent");
		json_object_put(o);
	}
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks", "",
	    "{\"account\": \"H-404\", \"target_kind\": \"mailbox\", "
	    "\"target\": \"x@y.example\", \"cause\": \"spam\"}", plat,
	    &o), 422);
	json_object_put(o);

	/* File on block 2: the repeat warning. */
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks/2/requests", "",
	    "{\"self_sent\": false, \"answers\": "
	    "{\"passwords_changed_mailbox\": true, \"devices_checked\": "
	    "{\"confirmed\": true, \"details\": \"2 phones\"}}}", plat, &o),
	    201);
	assert_string_equal(field(o, "warning"), "repeat");
	assert_string_equal(field(o, "blocks_in_window"), "3");
	assert_string_equal(field(o, "state"), "submitted");
	json_object_put(o);
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks/2/requests", "",
	    "{\"self_sent\": false, \"answers\": "
	    "{\"passwords_changed_mailbox\": true, \"devices_checked\": "
	    "true}}", plat, &o), 409);
	json_object_put(o);
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks/1/requests", "",
	    "{\"self_sent\": true, \"answers\": {}}", plat, &o), 422);
	json_object_put(o);

	/* Staff ask, the customer answers, staff approve. */
	assert_int_equal(call(f, HTTP_POST, "/api/v1/requests/1/decision", "",
	    "{\"decision\": \"info\", \"comment\": \"Which phones?\"}",
	    help, &o), 200);
	assert_string_equal(field(o, "state"), "info_requested");
	json_object_put(o);
	assert_int_equal(call(f, HTTP_POST, "/api/v1/requests/1/decision", "",
	    "{\"decision\": \"approve\"}", help, &o), 409);
	json_object_put(o);
	assert_int_equal(call(f, HTTP_POST, "/api/v1/requests/1/answer", "",
	    "{\"message\": \"An old Android, now reset\"}", plat, &o), 200);
	assert_string_equal(field(o, "state"), "submitted");
	json_object_put(o);
	assert_int_equal(call(f, HTTP_POST, "/api/v1/requests/1/decision", "",
	    "{\"decision\": \"approve\", \"comment\": \"ok\"}", help,
	    &o), 200);
	assert_string_equal(field(o, "state"), "approved");
	json_object_put(o);

	assert_int_equal(call(f, HTTP_GET, "/api/v1/requests/1", "", "", help,
	    &o), 200);
	assert_string_equal(field(o, "block.state"), "lifted");
	assert_true(json_object_object_get_ex(o, "audit", NULL));
	assert_int_equal(json_object_array_length(json_object_object_get(o,
	    "audit")), 5);
	json_object_put(o);

	/* The permanent block: an agent-like key cannot approve. */
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks/3/requests", "",
	    "{\"self_sent\": false, \"answers\": "
	    "{\"passwords_changed_mailbox\": true, \"devices_checked\": "
	    "true}}", plat, &o), 201);
	assert_true(json_object_get_boolean(json_object_object_get(o,
	    "permanent_block")));
	json_object_put(o);
	assert_int_equal(call(f, HTTP_POST, "/api/v1/requests/2/decision", "",
	    "{\"decision\": \"approve\"}", help, &o), 403);
	json_object_put(o);

	/* Lists: oldest first, filters. */
	assert_int_equal(call(f, HTTP_GET, "/api/v1/requests",
	    "state=submitted", "", help, &o), 200);
	assert_int_equal(json_object_array_length(json_object_object_get(o,
	    "items")), 1);
	json_object_put(o);
	assert_int_equal(call(f, HTTP_GET, "/api/v1/requests", "state=bogus",
	    "", help, &o), 400);
	json_object_put(o);
	assert_int_equal(call(f, HTTP_GET, "/api/v1/blocks",
	    "account=1&state=active", "", help, &o), 200);
	assert_int_equal(json_object_array_length(json_object_object_get(o,
	    "items")), 1);
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/v1/audit");
	assert_int_equal(call(f, HTTP_GET, path, "account=1&limit=100", "",
	    help, &o), 200);
	assert_true(json_object_array_length(json_object_object_get(o,
	    "items")) >= 10);
	assert_string_equal(field(o, "next_cursor") == NULL ? "null" : "x",
	    "null");
	json_object_put(o);
}

static void
test_idempotency(void **state)
{
	struct fx		*f = *state;
	struct json_object	*o1, *o2;
	char			 key[AUTH_KEY_LEN + 1], plat[128];
	static const char	 block[] = "{\"account\": \"H-9\", "
	    "\"target_kind\": \"website\", \"target\": \"www.x.example\", "
	    "\"cause\": \"quota\"}";
	sqlite3			*db;
	sqlite3_stmt		*st;
	int			 n;

	assert_int_equal(auth_key_create(f->s, "platform", AUTH_ACCOUNTS_WRITE |
	    AUTH_BLOCKS_WRITE, key, NULL), P_OK);
	snprintf(plat, sizeof(plat), "Bearer %s", key);
	assert_int_equal(call(f, HTTP_POST, "/api/v1/accounts", "",
	    "{\"ext_id\": \"H-9\", \"name\": \"X\", \"contact_email\": "
	    "\"c@x.example\"}", plat, &o1), 201);
	json_object_put(o1);
	test_idem_value = "retry-4711";
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks", "", block, plat,
	    &o1), 201);
	test_idem_value = "retry-4711";
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks", "", block, plat,
	    &o2), 201);
	assert_string_equal(json_object_to_json_string(o1),
	    json_object_to_json_string(o2));
	json_object_put(o1);
	json_object_put(o2);
	/* The same key elsewhere is refused. */
	test_idem_value = "retry-4711";
	assert_int_equal(call(f, HTTP_POST, "/api/v1/accounts", "", "{}", plat,
	    &o1), 422);
	json_object_put(o1);
	/* Another key, or none, creates another block. */
	test_idem_value = "retry-4712";
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks", "", block, plat,
	    &o1), 201);
	json_object_put(o1);
	test_idem_value = NULL;
	assert_int_equal(call(f, HTTP_POST, "/api/v1/blocks", "", block, plat,
	    &o1), 201);
	json_object_put(o1);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM blocks",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(n, 3);
}

/* ---- bouncedesk admin ---- */

/* Runs admin_cli with stdin from in and stdout into out (read back). */
static int
run_cli(struct fx *f, int argc, char **argv, const char *in, char *out,
    size_t outlen)
{
	char	 ip[160], op[160];
	int	 fd, save_in, save_out, rc;
	FILE	*fp;
	size_t	 n;

	snprintf(ip, sizeof(ip), "%s.in", f->path);
	snprintf(op, sizeof(op), "%s.out", f->path);
	fp = fopen(ip, "w");
	assert_non_null(fp);
	fputs(in, fp);
	fclose(fp);
	fflush(stdout);
	save_in = dup(0);
	save_out = dup(1);
	fd = open(ip, O_RDONLY);
	dup2(fd, 0);
	close(fd);
	fd = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	clearerr(stdin);
	rc = admin_cli(argc, argv, f->path);
	fflush(stdout);
	dup2(save_in, 0);
	dup2(save_out, 1);
	close(save_in);
	close(save_out);
	clearerr(stdin);
	fp = fopen(op, "r");
	assert_non_null(fp);
	n = fread(out, 1, outlen - 1, fp);
	out[n] = '\0';
	fclose(fp);
	unlink(ip);
	unlink(op);
	return rc;
}

static void
test_admin_cli(void **state)
{
	struct fx		*f = *state;
	struct auth_principal	 p;
	char			 out[2048];
	char			*ck[] = { "create-key", "helpdesk", "--scopes",
				    "requests:read,requests:decide", NULL };
	char			*bad[] = { "create-key", "x", "--scopes",
				    "requests:everything", NULL };
	char			*cs[] = { "create-staff", "lead@example.net",
				    "--role", "admin", NULL };
	char			*lk[] = { "list-keys", NULL };

	assert_int_equal(run_cli(f, 4, ck, "", out, sizeof(out)), 0);
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(strlen(out), AUTH_KEY_LEN);
	assert_int_equal(auth_key_check(f->s, f->a, out, &p), P_OK);
	assert_string_equal(p.name, "helpdesk");
	assert_int_equal(p.scopes, AUTH_REQUESTS_READ | AUTH_REQUESTS_DECIDE);
	assert_int_not_equal(run_cli(f, 4, bad, "", out, sizeof(out)), 0);

	assert_int_equal(run_cli(f, 4, cs, "staff password 42\n", out,
	    sizeof(out)), 0);
	assert_int_equal(auth_staff_login(f->s, f->a, "lead@example.net",
	    "staff password 42", &p), P_OK);
	assert_true(p.admin);
	assert_int_not_equal(run_cli(f, 4, cs, "", out, sizeof(out)), 0);

	assert_int_equal(run_cli(f, 1, lk, "", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "helpdesk"));
	assert_non_null(strstr(out, "requests:read,requests:decide"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_key_format),
		cmocka_unit_test(test_key_hash),
		cmocka_unit_test(test_password),
		cmocka_unit_test_setup_teardown(test_key_store, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_staff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_request, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_admin_cli, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scope_matrix, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_api_lifecycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idempotency, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
