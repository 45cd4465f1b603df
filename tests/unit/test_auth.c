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
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
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

static const char *test_auth_value;

static const char *
hdr_fn(const struct request *req, const char *name)
{
	(void)req;
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
