/* test_mail.c - the customer's e-mail about a request (its text, its
 * headers, what it refuses), the mail_outbox rows queued with request
 * events, and the conditional-request helpers of the API (ETag, If-Match,
 * since). */
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
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/cond.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/mail.h"
#include "bouncedesk/store.h"
#include "bouncedesk/unblock.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char PAYLOAD[] =
    "{\"type\":\"request.info_requested\",\"timestamp\":\"2026-01-02T03:04:05Z\","
    "\"data\":{\"account\":{\"id\":7,\"ext_id\":\"H-7\"},"
    "\"block\":{\"id\":3,\"target\":\"www.dupont.example\"},"
    "\"request\":{\"id\":42,\"state\":\"info_requested\"},"
    "\"comment\":\"Which form?\\nThe one on /contact.php\"}}";

static void
row_init(struct mail_row *r, const char *type, const char *payload)
{
	memset(r, 0, sizeof(*r));
	r->id = 1;
	r->event_id = "msg_0123abcd";
	r->event_type = type;
	r->payload = payload;
	r->created_at = 1767323045;	/* 2026-01-02T03:04:05Z */
}

static void
account_init(struct ub_account *ac, const char *email, const char *lang)
{
	memset(ac, 0, sizeof(*ac));
	ac->id = 7;
	ac->ext_id = "H-7";
	ac->name = "Dupont";
	ac->contact_email = email;
	ac->lang = lang;
}

static void
test_compose_en(void **state)
{
	struct arena		*a = arena_new(0);
	struct ub_account	 ac;
	struct mail_row		 r;
	char			*msg = NULL, *body;

	(void)state;
	account_init(&ac, "owner@dupont.example", "en");
	row_init(&r, "request.info_requested", PAYLOAD);
	assert_int_equal(mail_compose(a, "support@example.net", &ac, &r,
	    &msg), P_OK);
	assert_non_null(strstr(msg, "From: support@example.net\r\n"));
	assert_non_null(strstr(msg, "To: owner@dupont.example\r\n"));
	assert_non_null(strstr(msg,
	    "Message-ID: <msg_0123abcd@example.net>\r\n"));
	assert_non_null(strstr(msg,
	    "Date: Fri, 02 Jan 2026 03:04:05 +0000\r\n"));
	/* "Unblock request #42: information needed", RFC 2047 base64. */
	assert_non_null(strstr(msg, "Subject: =?UTF-8?B?VW5ibG9jayByZXF1ZXN0"
	    "ICM0MjogaW5mb3JtYXRpb24gbmVlZGVk?=\r\n"));
	body = strstr(msg, "\r\n\r\n");
	assert_non_null(body);
	assert_non_null(strstr(body, "request #42 for www.dupont.example"));
	/* The comment's own line break became CRLF. */
	assert_non_null(strstr(body, "Which form?\r\nThe one on /contact.php"));
	assert_null(strstr(msg, "\n\n"));
	arena_free(a);
}

static void
test_compose_fr(void **state)
{
	struct arena		*a = arena_new(0);
	struct ub_account	 ac;
	struct mail_row		 r;
	char			*msg = NULL;

	(void)state;
	account_init(&ac, "owner@dupont.example", "fr");
	row_init(&r, "request.approved", PAYLOAD);
	assert_int_equal(mail_compose(a, "support@example.net", &ac, &r,
	    &msg), P_OK);
	assert_non_null(strstr(msg, "Content-Language: fr\r\n"));
	assert_non_null(strstr(msg, "d\xc3\xa9" "blocage n\xc2\xb0" "42 est "
	    "accept\xc3\xa9" "e"));
	assert_non_null(strstr(msg, "Message du support :"));
	arena_free(a);
}

static void
test_compose_refuses(void **state)
{
	static const char *const bad_rcpt[] = {
		"owner@dupont.example\r\nBcc: x@evil.example",
		"no-at-sign", "@dupont.example", "a b@dupont.example",
		"<owner@dupont.example>"
	};
	struct arena		*a = arena_new(0);
	struct ub_account	 ac;
	struct mail_row		 r;
	char			*msg;
	size_t			 i;

	(void)state;
	row_init(&r, "request.approved", PAYLOAD);
	for (i = 0; i < NELEM(bad_rcpt); i++) {
		account_init(&ac, bad_rcpt[i], "en");
		assert_int_equal(mail_compose(a, "support@example.net", &ac,
		    &r, &msg), P_EINVAL);
	}
	account_init(&ac, "owner@dupont.example", "en");
	/* Not a request event, or not JSON. */
	row_init(&r, "block.created", PAYLOAD);
	assert_int_equal(mail_compose(a, "support@example.net", &ac, &r,
	    &msg), P_EINVAL);
	row_init(&r, "request.approved", "{not json");
	assert_int_equal(mail_compose(a, "support@example.net", &ac, &r,
	    &msg), P_EINVAL);
	arena_free(a);
}

/* A comment of one 5000-byte line of two-byte characters: every line
 * stays under SMTP's 998 and no character is cut in two. */
static void
test_compose_long_line(void **state)
{
	struct arena		*a = arena_new(0);
	struct ub_account	 ac;
	struct mail_row		 r;
	char			*msg = NULL, *p, *nl, *payload;
	size_t			 i, off;

	(void)state;
	payload = malloc(6000);
	assert_non_null(payload);
	off = (size_t)snprintf(payload, 6000, "{\"data\":{\"request\":"
	    "{\"id\":1},\"comment\":\"");
	for (i = 0; i < 2500; i++) {
		payload[off++] = '\xc3';
		payload[off++] = '\xa9';
	}
	memcpy(payload + off, "\"}}", 4);
	account_init(&ac, "owner@dupont.example", "en");
	row_init(&r, "request.rejected", payload);
	assert_int_equal(mail_compose(a, "support@example.net", &ac, &r,
	    &msg), P_OK);
	for (p = msg; (nl = strstr(p, "\r\n")) != NULL; p = nl + 2) {
		assert_true(nl - p < 998);
		if (nl > p)	/* a line never starts inside a character */
			assert_true(((unsigned char)*p & 0xc0) != 0x80);
	}
	free(payload);
	arena_free(a);
}

/* store_outbox_enqueue queues a mail row for request events only, in the
 * caller's transaction; due rows are leased; outcomes are kept. */
static void
test_mail_outbox(void **state)
{
	struct arena	*a = arena_new(0);
	struct store	*s;
	struct mail_row	*v;
	sqlite3		*raw;
	sqlite3_stmt	*st;
	char		 path[64], err[256];
	size_t		 n;
	long long	 now = (long long)time(NULL);

	(void)state;
	snprintf(path, sizeof(path), "/tmp/bd_test_mail_%d.db", (int)getpid());
	unlink(path);
	s = store_open(path, false, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(store_migrate(s, "db/migrations", NULL, NULL, err,
	    sizeof(err)), P_OK);
	assert_int_equal(store_begin(s), P_OK);
	assert_int_equal(store_outbox_enqueue(s, "msg_a", "block.created",
	    "{}", now, NULL), P_OK);
	assert_int_equal(store_outbox_enqueue(s, "msg_b", "request.approved",
	    PAYLOAD, now, NULL), P_OK);
	assert_int_equal(store_rollback(s), P_OK);
	/* Rolled back with the change: nothing queued. */
	assert_int_equal(store_mail_due(s, a, now, 60, 10, &v, &n), P_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_begin(s), P_OK);
	assert_int_equal(store_outbox_enqueue(s, "msg_a", "block.created",
	    "{}", now, NULL), P_OK);
	assert_int_equal(store_outbox_enqueue(s, "msg_b", "request.approved",
	    PAYLOAD, now, NULL), P_OK);
	assert_int_equal(store_commit(s), P_OK);
	assert_int_equal(store_mail_due(s, a, now, 60, 10, &v, &n), P_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].event_id, "msg_b");
	assert_string_equal(v[0].event_type, "request.approved");
	/* Leased: not due again until the lease ends. */
	assert_int_equal(store_mail_due(s, a, now + 59, 60, 10, &v, &n), P_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_mail_due(s, a, now + 61, 60, 10, &v, &n), P_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_mail_failed(s, v[0].id, 1, now + 500, now,
	    "451 later"), P_OK);
	assert_int_equal(store_mail_due(s, a, now + 499, 60, 10, &v, &n), P_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_mail_due(s, a, now + 500, 60, 10, &v, &n), P_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].attempts, 1);
	assert_int_equal(store_mail_delivered(s, v[0].id, now + 500), P_OK);
	assert_int_equal(store_mail_due(s, a, now + 9999, 60, 10, &v, &n),
	    P_OK);
	assert_int_equal(n, 0);
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT attempts, "
	    "delivered_at IS NOT NULL FROM mail_outbox", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	assert_int_equal(sqlite3_column_int(st, 1), 1);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	store_close(s);
	unlink(path);
	arena_free(a);
}

/* ---- cond.c ---- */

static const char *if_match;

static const char *
hdr(const struct request *req, const char *name)
{
	(void)req;
	return strcmp(name, "If-Match") == 0 ? if_match : NULL;
}

static void
test_if_match(void **state)
{
	static const struct {
		const char	*hv;
		bool		 want;
	} cases[] = {
		{ NULL, true },
		{ "*", true },
		{ "\"r1-abc\"", true },
		{ " \"x\" , \"r1-abc\" ", true },
		{ "W/\"r1-abc\"", false },
		{ "\"r1-ab\"", false },
		{ "r1-abc", false },
		{ "", false },
	};
	struct request	 req;
	size_t		 i;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.header = hdr;
	for (i = 0; i < NELEM(cases); i++) {
		if_match = cases[i].hv;
		if (cond_if_match(&req, "\"r1-abc\"") != cases[i].want)
			fail_msg("If-Match %s: got %d, want %d", cases[i].hv,
			    !cases[i].want, cases[i].want);
	}
}

static void
test_etag(void **state)
{
	struct arena		*a = arena_new(0);
	struct ub_request	 r;
	const char		*t1, *t2, *t3;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.id = 5;
	r.state = UB_REQ_SUBMITTED;
	r.updated_at = 1000;
	t1 = cond_etag_request(a, &r);
	r.state = UB_REQ_INFO;
	t2 = cond_etag_request(a, &r);
	r.state = UB_REQ_SUBMITTED;
	r.updated_at = 1001;
	t3 = cond_etag_request(a, &r);
	assert_non_null(t1);
	assert_true(t1[0] == '"' && t1[strlen(t1) - 1] == '"');
	assert_string_not_equal(t1, t2);
	assert_string_not_equal(t1, t3);
	r.updated_at = 1000;
	assert_string_equal(t1, cond_etag_request(a, &r));
	arena_free(a);
}

static void
test_since(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		long long	 want;
	} cases[] = {
		{ "1718000000", P_OK, 1718000000 },
		{ "0", P_OK, 0 },
		{ "2024-06-10T08:00:00Z", P_OK, 1718006400 },
		{ "2024-06-10T10:00:00+02:00", P_OK, 1718006400 },
		{ "2024-06-10T03:30:00-04:30", P_OK, 1718006400 },
		{ "2024-06-10T10:00:00 02:00", P_OK, 1718006400 },
		{ "2024-06-10T08:00:00.250Z", P_OK, 1718006400 },
		{ "2024-06-10T08:00Z", P_OK, 1718006400 },
		{ "2024-06-10", P_OK, 1717977600 },
		{ "2024-02-29", P_OK, 1709164800 },
		{ "2023-02-29", P_EINVAL, 0 },
		{ "2024-06-10T08:00:00", P_EINVAL, 0 },
		{ "2024-13-01", P_EINVAL, 0 },
		{ "2024-06-10T25:00:00Z", P_EINVAL, 0 },
		{ "yesterday", P_EINVAL, 0 },
		{ "-5", P_EINVAL, 0 },
		{ "", P_EINVAL, 0 },
		{ "99999999999999999999", P_EINVAL, 0 },
		{ "2024-06-10T08:00:00Zjunk", P_EINVAL, 0 },
	};
	long long	 got;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		got = 0;
		rc = cond_since_parse(cases[i].in, &got);
		if (rc != cases[i].rc || (rc == P_OK && got != cases[i].want))
			fail_msg("since %s: got rc %d, %lld; want rc %d, %lld",
			    cases[i].in, rc, got, cases[i].rc, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compose_en),
		cmocka_unit_test(test_compose_fr),
		cmocka_unit_test(test_compose_refuses),
		cmocka_unit_test(test_compose_long_line),
		cmocka_unit_test(test_mail_outbox),
		cmocka_unit_test(test_if_match),
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_since),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
