/* test_session.c - staff sessions (cookie, hashed row, rotation, expiry,
 * sign-out), the sign-in throttle, the customer link tokens and the queue
 * counts, on a real SQLite file with the real migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/session.h"
#include "bouncedesk/store.h"
#include "bouncedesk/unblock.h"

struct fx {
	char		 path[128];
	struct store	*s;
	struct arena	*a;
};

static const char	*test_cookie;	/* the Cookie header of requests */

static const char *
hdr_fn(const struct request *req, const char *name)
{
	(void)req;
	return strcmp(name, "Cookie") == 0 ? test_cookie : NULL;
}

static int
setup(void **state)
{
	static int	 n;
	struct fx	*f;
	char		 err[256];

	if (sodium_init() < 0 || (f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/bd_test_session_%d_%d.db",
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
	char		 p[160];

	store_close(f->s);
	arena_free(f->a);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
	return 0;
}

static void
new_request(struct fx *f, struct request *req, const char *cookie,
    const char *addr)
{
	memset(req, 0, sizeof(*req));
	req->header = hdr_fn;
	req->db = f->s;
	req->arena = f->a;
	req->remote_addr = addr;
	req->method = HTTP_POST;
	test_cookie = cookie;
}

/* The value of the response's Set-Cookie for name, or NULL. */
static const char *
set_cookie(const struct response *res, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; i < res->nhdr; i++)
		if (strcmp(res->hdr[i].k, "Set-Cookie") == 0 &&
		    strncmp(res->hdr[i].v, name, n) == 0 &&
		    res->hdr[i].v[n] == '=')
			return res->hdr[i].v;
	return NULL;
}

static void
test_link_token(void **state)
{
	struct fx	*f = *state;
	struct store	*s2;
	char		 t1[UNBLOCK_LINK_LEN + 1], t2[UNBLOCK_LINK_LEN + 1];
	char		 t3[UNBLOCK_LINK_LEN + 1], err[256];

	assert_int_equal(unblock_link_token(f->s, 42, t1), P_OK);
	assert_int_equal(strlen(t1), UNBLOCK_LINK_LEN);
	assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_"), UNBLOCK_LINK_LEN);
	assert_true(unblock_link_check(f->s, 42, t1));
	/* Stable: the secret was made once and kept. */
	assert_int_equal(unblock_link_token(f->s, 42, t2), P_OK);
	assert_string_equal(t1, t2);
	s2 = store_open(f->path, false, err, sizeof(err));
	assert_non_null(s2);
	assert_int_equal(unblock_link_token(s2, 42, t3), P_OK);
	assert_string_equal(t1, t3);
	store_close(s2);
	/* Another block, a changed character, a cut or padded token. */
	assert_int_equal(unblock_link_token(f->s, 43, t2), P_OK);
	assert_string_not_equal(t1, t2);
	assert_false(unblock_link_check(f->s, 43, t1));
	assert_false(unblock_link_check(f->s, 0, t1));
	t3[0] = t3[0] == 'A' ? 'B' : 'A';
	assert_false(unblock_link_check(f->s, 42, t3));
	t1[UNBLOCK_LINK_LEN - 1] = '\0';
	assert_false(unblock_link_check(f->s, 42, t1));
	assert_false(unblock_link_check(f->s, 42, NULL));
	assert_false(unblock_link_check(f->s, 42, ""));
	assert_false(unblock_link_check(f->s, 42,
	    "!!!!!!!!!!!!!!!!!!!!!!"));
}

static void
test_once_token(void **state)
{
	struct fx	*f = *state;
	char		 t1[UNBLOCK_ONCE_LEN + 1], t2[UNBLOCK_ONCE_LEN + 1];
	char		 c[UNBLOCK_ACCOUNT_LEN + 1];
	long long	 acct;
	bool		 expired;

	assert_int_equal(unblock_once_token(f->s, 42, 600, t1), P_OK);
	assert_int_equal(strlen(t1), UNBLOCK_ONCE_LEN);
	assert_int_equal(unblock_once_token(f->s, 42, 600, t2), P_OK);
	assert_string_not_equal(t1, t2);	/* a fresh nonce each time */
	/* Another block's token consumes nothing. */
	assert_int_equal(unblock_once_redeem(f->s, 43, t1, &expired),
	    P_EFORBIDDEN);
	assert_int_equal(unblock_once_redeem(f->s, 42, t1, &expired), P_OK);
	assert_int_equal(unblock_once_redeem(f->s, 42, t1, &expired),
	    P_ECONFLICT);
	assert_false(expired);
	assert_int_equal(unblock_once_redeem(f->s, 42, t2, &expired), P_OK);
	/* Expired, and tampered. */
	assert_int_equal(unblock_once_token(f->s, 42, -1, t1), P_OK);
	assert_int_equal(unblock_once_redeem(f->s, 42, t1, &expired),
	    P_ECONFLICT);
	assert_true(expired);
	assert_int_equal(unblock_once_token(f->s, 42, 600, t1), P_OK);
	t1[10] = t1[10] == 'A' ? 'B' : 'A';
	assert_int_equal(unblock_once_redeem(f->s, 42, t1, &expired),
	    P_EFORBIDDEN);
	assert_int_equal(unblock_once_redeem(f->s, 42, NULL, &expired),
	    P_EFORBIDDEN);
	/* The account cookie. */
	assert_int_equal(unblock_account_token(f->s, 7, time(NULL) + 60, c),
	    P_OK);
	assert_int_equal(strlen(c), UNBLOCK_ACCOUNT_LEN);
	assert_true(unblock_account_check(f->s, c, &acct));
	assert_int_equal(acct, 7);
	c[3] = c[3] == 'A' ? 'B' : 'A';
	assert_false(unblock_account_check(f->s, c, &acct));
	assert_int_equal(unblock_account_token(f->s, 7, time(NULL) - 1, c),
	    P_OK);
	assert_false(unblock_account_check(f->s, c, &acct));
}

/* Signs staff in and returns the cookie header for the new session. */
static const char *
sign_in(struct fx *f, const char *cookie, const char *email, const char *pw,
    struct staff_session *ss)
{
	struct request		 req;
	struct response		 res;
	struct auth_principal	 p;
	const char		*sc, *end;
	char			*c;

	assert_int_equal(auth_staff_login(f->s, f->a, email, pw, &p), P_OK);
	new_request(f, &req, cookie, "192.0.2.10");
	response_init(&res);
	assert_int_equal(session_start(&req, &res, &p, ss), P_OK);
	sc = set_cookie(&res, SESSION_COOKIE);
	assert_non_null(sc);
	assert_non_null(strstr(sc, "; HttpOnly"));
	assert_non_null(strstr(sc, "; SameSite=Strict"));
	assert_non_null(strstr(sc, "; Path=/staff"));
	assert_null(strstr(sc, "Max-Age"));
	end = strchr(sc, ';');
	c = arena_strndup(f->a, sc, (size_t)(end - sc));
	assert_int_equal(strlen(c), strlen(SESSION_COOKIE) + 1 + 64);
	response_cleanup(&res);
	return c;
}

static int
current(struct fx *f, const char *cookie, struct staff_session *ss)
{
	struct request	 req;

	new_request(f, &req, cookie, "192.0.2.10");
	return session_current(&req, ss);
}

static void
test_session_lifecycle(void **state)
{
	struct fx		*f = *state;
	struct staff_session	 ss;
	struct request		 req;
	struct response		 res;
	const char		*c1, *c2, *sc;
	char			 both[256];
	sqlite3			*db;

	assert_int_equal(auth_staff_create(f->s, "ana@support.test",
	    "a-long-password", "admin", NULL), P_OK);
	assert_int_equal(current(f, NULL, &ss), P_EUNAUTH);
	assert_int_equal(current(f, "sid=zz", &ss), P_EUNAUTH);
	assert_int_equal(current(f, "sid=0000000000000000000000000000000000"
	    "000000000000000000000000000000", &ss), P_EUNAUTH);

	c1 = sign_in(f, NULL, "ana@support.test", "a-long-password", &ss);
	assert_int_equal(current(f, c1, &ss), P_OK);
	assert_string_equal(ss.email, "ana@support.test");
	assert_true(ss.admin);
	assert_string_equal(ss.role, "admin");
	assert_true(ss.expires_at > (long long)time(NULL));
	/* Among other cookies. */
	snprintf(both, sizeof(both), "csrf=abc; %s; lang=fr", c1);
	assert_int_equal(current(f, both, &ss), P_OK);

	/* Signing in again with the old cookie rotates it away. */
	c2 = sign_in(f, c1, "ana@support.test", "a-long-password", &ss);
	assert_string_not_equal(c1, c2);
	assert_int_equal(current(f, c1, &ss), P_EUNAUTH);
	assert_int_equal(current(f, c2, &ss), P_OK);

	/* A disabled user's session stops working at once. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE staff_users SET disabled = 1",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(current(f, c2, &ss), P_EUNAUTH);
	assert_int_equal(sqlite3_exec(db, "UPDATE staff_users SET disabled = 0",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(current(f, c2, &ss), P_OK);

	/* Expired (absolute) and idle sessions are refused and dropped. */
	assert_int_equal(sqlite3_exec(db, "UPDATE staff_sessions SET "
	    "expires_at = strftime('%s','now') - 1", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(current(f, c2, &ss), P_EUNAUTH);
	c2 = sign_in(f, NULL, "ana@support.test", "a-long-password", &ss);
	assert_int_equal(sqlite3_exec(db, "UPDATE staff_sessions SET "
	    "last_seen_at = strftime('%s','now') - 7201", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(current(f, c2, &ss), P_EUNAUTH);
	sqlite3_close(db);

	/* Sign-out deletes the row and clears the cookie. */
	c2 = sign_in(f, NULL, "ana@support.test", "a-long-password", &ss);
	new_request(f, &req, c2, "192.0.2.10");
	response_init(&res);
	assert_int_equal(session_end(&req, &res), P_OK);
	sc = set_cookie(&res, SESSION_COOKIE);
	assert_non_null(sc);
	assert_non_null(strstr(sc, "Max-Age=0"));
	response_cleanup(&res);
	assert_int_equal(current(f, c2, &ss), P_EUNAUTH);
}

static int
throttle(struct fx *f, const char *addr, const char *email, long *retry)
{
	struct request	 req;

	new_request(f, &req, NULL, addr);
	return session_login_check(&req, email, retry);
}

static void
record_failure(struct fx *f, const char *addr, const char *email)
{
	struct request	 req;

	new_request(f, &req, NULL, addr);
	assert_int_equal(session_login_failed(&req, email), P_OK);
}

static void
test_throttle(void **state)
{
	struct fx	*f = *state;
	struct request	 req;
	long		 retry;
	char		 email[64];
	int		 i;

	for (i = 0; i < LOGIN_MAX_PER_EMAIL - 1; i++) {
		assert_int_equal(throttle(f, "192.0.2.1", "bo@x.test", &retry),
		    P_OK);
		record_failure(f, "192.0.2.1", "bo@x.test");
	}
	assert_int_equal(throttle(f, "192.0.2.1", "bo@x.test", &retry), P_OK);
	record_failure(f, "192.0.2.1", "BO@X.test");	/* the case does not matter */
	assert_int_equal(throttle(f, "192.0.2.1", "bo@x.test", &retry),
	    P_ERATE);
	assert_true(retry > 0 && retry <= LOGIN_WINDOW);
	/* Other emails from there, the same email from elsewhere: free. */
	assert_int_equal(throttle(f, "192.0.2.1", "cy@x.test", &retry), P_OK);
	assert_int_equal(throttle(f, "192.0.2.2", "bo@x.test", &retry), P_OK);
	/* A good sign-in forgets that email's failures. */
	new_request(f, &req, NULL, "192.0.2.1");
	assert_int_equal(session_login_succeeded(&req, "bo@x.test"), P_OK);
	assert_int_equal(throttle(f, "192.0.2.1", "bo@x.test", &retry), P_OK);

	/* Spraying many emails from one address is stopped too. */
	for (i = 0; i < LOGIN_MAX_PER_ADDR; i++) {
		snprintf(email, sizeof(email), "u%d@x.test", i);
		record_failure(f, "198.51.100.7", email);
	}
	assert_int_equal(throttle(f, "198.51.100.7", "new@x.test", &retry),
	    P_ERATE);
	assert_int_equal(throttle(f, "198.51.100.8", "new@x.test", &retry),
	    P_OK);
}

static void
test_request_counts(void **state)
{
	struct fx		*f = *state;
	struct ub_actor		 who = { UB_ACTOR_API, 1, "platform", NULL,
				    false };
	struct ub_account	 ac = { 0, "acct-9", "Nine", "n@nine.test", "en",
				    0 };
	struct ub_policy	 pol;
	struct ub_block		 b;
	struct ub_request	 r;
	struct ub_answer	 ans = { "sending_changed", true,
				    "moved the newsletter" };
	long long		 n[UB_REQ_WITHDRAWN + 1];
	char			 why[128];

	assert_int_equal(store_request_counts(f->s, n, UB_REQ_WITHDRAWN + 1),
	    P_OK);
	assert_int_equal(n[UB_REQ_SUBMITTED], 0);
	unblock_policy_defaults(&pol);
	assert_int_equal(unblock_account_create(f->s, f->a, &who, &ac, NULL, 0,
	    NULL, 0), P_OK);
	memset(&b, 0, sizeof(b));
	b.account_id = ac.id;
	b.target_kind = UB_WEBSITE;
	b.target = "www.nine.test";
	b.cause = UB_QUOTA;
	assert_int_equal(unblock_block_create(f->s, f->a, &who, &pol, &b),
	    P_OK);
	assert_int_equal(unblock_request_file(f->s, f->a, &who, &pol, b.id,
	    true, &ans, 1, NULL, &r, NULL, why, sizeof(why)), P_OK);
	assert_int_equal(store_request_counts(f->s, n, UB_REQ_WITHDRAWN + 1),
	    P_OK);
	assert_int_equal(n[UB_REQ_SUBMITTED], 1);
	assert_int_equal(unblock_request_apply(f->s, f->a, &who, r.id,
	    UB_EV_WITHDRAW, NULL, NULL, why, sizeof(why)), P_OK);
	assert_int_equal(store_request_counts(f->s, n, UB_REQ_WITHDRAWN + 1),
	    P_OK);
	assert_int_equal(n[UB_REQ_SUBMITTED], 0);
	assert_int_equal(n[UB_REQ_WITHDRAWN], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_once_token, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_link_token, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_session_lifecycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_counts, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
