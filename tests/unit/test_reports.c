/* test_reports.c - filter reports: the signed link tokens (make, check,
 * expiry, another report, tampering), strict validation (table-driven:
 * which fields a body gets refused for), the form-check table, the
 * meaning of tests (ours, SpamAssassin's, none), and the store side on a
 * real SQLite file migrated with db/migrations: create with the retention
 * purge, reads in order, review and false-positive transitions with their
 * audit events and outbox rows, and the trend counts. */
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
#include <json-c/json.h>
#include <sodium.h>
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "bouncedesk/reports.h"
#include "bouncedesk/session.h"
#include "bouncedesk/store.h"
#include "bouncedesk/unblock.h"
#include "bouncedesk/webhook.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- tokens ---- */

static void
test_token_roundtrip(void **state)
{
	unsigned char	 key[RP_KEY_LEN], other[RP_KEY_LEN];
	char		 tok[RP_TOKEN_MAX], bad[RP_TOKEN_MAX + 8];
	long long	 now = 1750000000LL, exp = now + 3600;

	(void)state;
	assert_true(sodium_init() >= 0);
	crypto_auth_keygen(key);
	crypto_auth_keygen(other);
	assert_int_equal(report_token_make(key, 42, exp, tok), P_OK);
	/* 43 base64url characters, '.', the expiry. */
	assert_int_equal(tok[43], '.');
	assert_string_equal(tok + 44, "1750003600");
	assert_int_equal(report_token_check(key, 42, tok, now), RP_TOKEN_OK);
	assert_int_equal(report_token_check(key, 42, tok, exp - 1),
	    RP_TOKEN_OK);
	/* Expired from the expiry second on. */
	assert_int_equal(report_token_check(key, 42, tok, exp),
	    RP_TOKEN_EXPIRED);
	assert_int_equal(report_token_check(key, 42, tok, exp + 86400),
	    RP_TOKEN_EXPIRED);
	/* Another report, another key. */
	assert_int_equal(report_token_check(key, 43, tok, now), RP_TOKEN_BAD);
	assert_int_equal(report_token_check(key, 4, tok, now), RP_TOKEN_BAD);
	assert_int_equal(report_token_check(other, 42, tok, now),
	    RP_TOKEN_BAD);
	/* A longer expiry written by hand: the MAC no longer matches. */
	snprintf(bad, sizeof(bad), "%.44s%lld", tok, exp + 86400 * 365);
	assert_int_equal(report_token_check(key, 42, bad, now), RP_TOKEN_BAD);
	/* An expired token made "fresh" by hand is forged, not expired. */
	assert_int_equal(report_token_make(key, 42, now - 10, tok), P_OK);
	assert_int_equal(report_token_check(key, 42, tok, now),
	    RP_TOKEN_EXPIRED);
	snprintf(bad, sizeof(bad), "%.44s%lld", tok, now + 3600);
	assert_int_equal(report_token_check(key, 42, bad, now), RP_TOKEN_BAD);
	/* Ids must be positive. */
	assert_int_equal(report_token_make(key, 0, exp, tok), P_EINVAL);
	assert_int_equal(report_token_check(key, 0, tok, now), RP_TOKEN_BAD);
}

static void
test_token_malformed(void **state)
{
	unsigned char	 key[RP_KEY_LEN];
	char		 tok[RP_TOKEN_MAX], t[128];
	long long	 now = 1750000000LL;
	size_t		 i;
	const char	*cases[] = {
		"", ".", "abc", "abc.123",
		/* right shape, garbage MAC */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.1750003600",
		/* base64 with a character outside the url alphabet */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+.1750003600",
	};

	(void)state;
	crypto_auth_keygen(key);
	assert_int_equal(report_token_check(key, 7, NULL, now), RP_TOKEN_BAD);
	for (i = 0; i < NELEM(cases); i++)
		if (report_token_check(key, 7, cases[i], now) != RP_TOKEN_BAD)
			fail_msg("case %zu \"%s\" accepted", i, cases[i]);
	assert_int_equal(report_token_make(key, 7, now + 60, tok), P_OK);
	/* Variations of a good token: each one refused. */
	snprintf(t, sizeof(t), "%s ", tok);			/* trailing */
	assert_int_equal(report_token_check(key, 7, t, now), RP_TOKEN_BAD);
	snprintf(t, sizeof(t), "%.44s0%s", tok, tok + 44);	/* leading 0 */
	assert_int_equal(report_token_check(key, 7, t, now), RP_TOKEN_BAD);
	snprintf(t, sizeof(t), "%.44s-%s", tok, tok + 44);	/* sign */
	assert_int_equal(report_token_check(key, 7, t, now), RP_TOKEN_BAD);
	snprintf(t, sizeof(t), "%.44s99999999999999999999999", tok);
	assert_int_equal(report_token_check(key, 7, t, now), RP_TOKEN_BAD);
	snprintf(t, sizeof(t), "%s", tok);
	t[43] = '_';					/* no dot */
	assert_int_equal(report_token_check(key, 7, t, now), RP_TOKEN_BAD);
	for (i = 0; i < 43; i++) {
		/* Every single-character change of the MAC is caught. */
		snprintf(t, sizeof(t), "%s", tok);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		if (report_token_check(key, 7, t, now) != RP_TOKEN_BAD)
			fail_msg("MAC change at %zu accepted", i);
	}
}

/* ---- validation ---- */

/* A good report; cases patch it. */
static const char *good_report =
    "{\"account\": \"H-1001\", \"sender\": \"news@dupont.example\","
    " \"recipients\": [\"a@example.org\", \"b@example.net\"],"
    " \"subject\": \"Promo -50% \\u00e9t\\u00e9\","
    " \"message_id\": \"<x1@dupont.example>\","
    " \"time\": \"2025-03-01T09:30:00+01:00\", \"score\": 7.2,"
    " \"threshold\": 3, \"tests\": [{\"name\": \"BAYES_99\", \"score\": 3.5},"
    " {\"name\": \"XV_UNKNOWN_1\", \"score\": 3.7}],"
    " \"checks\": [{\"id\": \"no_rdns\", \"detail\": \"no PTR\"}],"
    " \"relay\": \"smtp-out1.provider.example\", \"ip\": \"203.0.113.45\"}";

/* Parses text (a JSON object) and returns the bad fields as "a,b,c". */
static const char *
bad_fields(struct arena *a, const char *text, struct rp_report *r, int *rc)
{
	struct json_object	*o;
	struct rp_invalid	 inv;
	char			*out = arena_strdup(a, "");
	size_t			 i;

	o = json_tokener_parse(text);
	if (o == NULL)
		fail_msg("test JSON does not parse: %s", text);
	*rc = report_parse(a, o, 1750000000LL, r, &inv);
	json_object_put(o);
	for (i = 0; i < inv.n; i++)
		out = arena_printf(a, "%s%s%s", out, i > 0 ? "," : "",
		    inv.e[i].field);
	return out;
}

/* good_report with key set to value (raw JSON), or removed (NULL). */
static const char *
patched(struct arena *a, const char *key, const char *value)
{
	struct json_object	*o, *v = NULL;

	o = json_tokener_parse(good_report);
	assert_non_null(o);
	if (value != NULL) {
		v = json_tokener_parse(value);
		if (v == NULL && strcmp(value, "null") != 0)
			fail_msg("bad patch %s", value);
		json_object_object_add(o, key, v);
	} else
		json_object_object_del(o, key);
	value = arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return value;
}

static void
test_validate_good(void **state)
{
	struct arena		*a = arena_new(0);
	struct rp_report	 r;
	const char		*bad;
	int			 rc;

	(void)state;
	bad = bad_fields(a, good_report, &r, &rc);
	assert_int_equal(rc, P_OK);
	assert_string_equal(bad, "");
	assert_string_equal(r.account_ext, "H-1001");
	assert_string_equal(r.sender, "news@dupont.example");
	assert_int_equal(r.nrcpts, 2);
	assert_string_equal(r.rcpts[1], "b@example.net");
	assert_string_equal(r.subject, "Promo -50% \xc3\xa9t\xc3\xa9");
	/* 09:30 at +01:00 is 08:30 UTC. */
	assert_int_equal(r.sent_at, 1740817800LL);
	assert_true(r.score > 7.19 && r.score < 7.21);
	assert_int_equal(r.ntests, 2);
	assert_string_equal(r.tests[1].name, "XV_UNKNOWN_1");
	assert_int_equal(r.nchecks, 1);
	assert_string_equal(r.checks[0].detail, "no PTR");
	assert_null(r.headers);
	arena_free(a);
}

static void
test_validate_table(void **state)
{
	static const struct {
		const char	*key, *value;	/* value NULL: field removed */
		const char	*want;		/* bad fields, in order */
	} cases[] = {
		{ "account", NULL, "account" },
		{ "account", "\"\"", "account" },
		{ "account", "12", "account" },
		{ "sender", NULL, "sender" },
		{ "sender", "\"Dupont <news@dupont.example>\"", "sender" },
		{ "sender", "\"news@@dupont.example\"", "sender" },
		{ "sender", "\"news@localhost\"", "sender" },
		{ "sender", "\"news@-bad-.example\"", "sender" },
		{ "sender", "\".news@dupont.example\"", "sender" },
		{ "sender", "\"n..ews@dupont.example\"", "sender" },
		{ "recipients", NULL, "recipients" },
		{ "recipients", "[]", "recipients" },
		{ "recipients", "\"a@example.org\"", "recipients" },
		{ "recipients", "[\"a@example.org\", 5, \"x\"]",
		  "recipients[1],recipients[2]" },
		{ "subject", "\"line\\r\\nBcc: x@example.org\"", "subject" },
		{ "subject", "\"nul\\u0000byte\"", "subject" },
		{ "subject", "7", "subject" },
		{ "message_id", "\"has space@x\"", "message_id" },
		{ "message_id", "\"\"", "message_id" },
		{ "time", NULL, "time" },
		{ "time", "\"yesterday\"", "time" },
		{ "time", "\"2025-02-29T10:00:00Z\"", "time" },
		{ "time", "\"2025-03-01T25:00:00Z\"", "time" },
		{ "time", "\"2025-03-01T10:00:00\"", "time" },
		{ "time", "\"1999-12-31T23:59:59Z\"", "time" },
		{ "time", "\"2030-01-01T00:00:00Z\"", "time" },
		{ "time", "946684799", "time" },
		{ "score", NULL, "score" },
		{ "score", "\"7\"", "score" },
		{ "score", "1e9", "score" },
		{ "threshold", "-1", "threshold" },
		{ "threshold", NULL, "threshold" },
		{ "tests", NULL, "tests" },
		{ "tests", "{}", "tests" },
		{ "tests", "[{\"name\": \"BAYES_99\"}]", "tests[0].score" },
		{ "tests", "[{\"name\": \"bad name\", \"score\": 1}]",
		  "tests[0].name" },
		{ "tests", "[{\"name\": \"9LIVES\", \"score\": 1}]",
		  "tests[0].name" },
		{ "tests", "[{\"name\": \"A\", \"score\": 1, \"x\": 1}]",
		  "tests[0]" },
		{ "tests", "[{\"name\": \"A\", \"score\": 1}, {\"name\": \"A\", "
		  "\"score\": 2}]", "tests[1].name" },
		{ "tests", "[7]", "tests[0]" },
		{ "checks", "[{\"id\": \"No-RDNS\"}]", "checks[0].id" },
		{ "checks", "[{\"id\": \"no_rdns\", \"detail\": 5}]",
		  "checks[0].detail" },
		{ "checks", "[{\"id\": \"no_rdns\", \"extra\": \"x\"}]",
		  "checks[0]" },
		{ "checks", "{\"id\": \"no_rdns\"}", "checks" },
		{ "relay", "\"not a host\"", "relay" },
		{ "ip", NULL, "ip" },
		{ "ip", "\"203.0.113.256\"", "ip" },
		{ "ip", "\"mail.example\"", "ip" },
		{ "body", "\"Hello\"", "body" },
		{ "spam", "true", "spam" },
		/* Accepted forms. */
		{ "time", "1740817800", "" },
		{ "time", "\"2025-03-01T08:30:00.250Z\"", "" },
		{ "ip", "\"2001:db8::25\"", "" },
		{ "subject", NULL, "" },
		{ "message_id", "null", "" },
		{ "checks", "[{\"id\": \"future_check_42\"}]", "" },
		{ "tests", "[]", "" },
		{ "sender", "\"j\xc3\xa9r\xc3\xb4me@dupont.example\"", "" },
	};
	struct arena		*a = arena_new(0);
	struct rp_report	 r;
	const char		*got;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		got = bad_fields(a, patched(a, cases[i].key, cases[i].value),
		    &r, &rc);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu (%s = %s): got bad \"%s\", want "
			    "\"%s\"", i, cases[i].key, cases[i].value ?
			    cases[i].value : "(removed)", got, cases[i].want);
		if ((rc == P_OK) != (cases[i].want[0] == '\0'))
			fail_msg("case %zu: rc %d", i, rc);
	}
	arena_free(a);
}

static void
test_validate_more(void **state)
{
	struct arena		*a = arena_new(0);
	struct rp_report	 r;
	struct json_object	*o, *arr, *t;
	struct rp_invalid	 inv;
	const char		*got;
	char			 name[32];
	int			 rc, i;

	(void)state;
	/* Nothing blocked: under the threshold without a failed check. */
	got = bad_fields(a, patched(a, "checks", "[]"), &r, &rc);
	assert_string_equal(got, "");
	got = bad_fields(a, "{\"account\": \"H\", \"sender\": \"a@b.example\","
	    " \"recipients\": [\"c@d.example\"], \"time\": 1740817800,"
	    " \"score\": 1.2, \"threshold\": 3, \"tests\": [],"
	    " \"ip\": \"192.0.2.1\"}", &r, &rc);
	assert_int_equal(rc, P_EINVAL);
	assert_string_equal(got, "score");
	/* A garbage body lists many fields but at most RP_ERRORS_MAX. */
	o = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < 40; i++) {
		t = json_object_new_object();
		snprintf(name, sizeof(name), "bad name %d", i);
		json_object_object_add(t, "name", json_object_new_string(name));
		json_object_object_add(t, "score", json_object_new_int(1));
		json_object_array_add(arr, t);
	}
	json_object_object_add(o, "tests", arr);
	rc = report_parse(a, o, 1750000000LL, &r, &inv);
	json_object_put(o);
	assert_int_equal(rc, P_EINVAL);
	assert_int_equal(inv.n, RP_ERRORS_MAX);
	assert_true(inv.more);
	/* The headers lose the body at the first empty line. */
	got = patched(a, "headers", "\"From: a@dupont.example\\r\\n"
	    "Subject: x\\r\\n\\r\\nThe secret body\\r\\n\"");
	got = bad_fields(a, got, &r, &rc);
	assert_int_equal(rc, P_OK);
	assert_string_equal(r.headers, "From: a@dupont.example\r\n"
	    "Subject: x\r\n");
	got = bad_fields(a, patched(a, "headers", "\"\\nonly a body\""), &r,
	    &rc);
	assert_int_equal(rc, P_OK);
	assert_null(r.headers);
	/* Over the limit. */
	{
		char	*big = malloc(RP_HEADERS_MAX + 64);

		assert_non_null(big);
		memset(big, 'x', RP_HEADERS_MAX + 10);
		big[0] = '"';
		big[RP_HEADERS_MAX + 8] = '"';
		big[RP_HEADERS_MAX + 9] = '\0';
		got = bad_fields(a, patched(a, "headers", big), &r, &rc);
		free(big);
	}
	assert_string_equal(got, "headers");
	/* Not UTF-8. */
	o = json_tokener_parse(good_report);
	json_object_object_add(o, "subject",
	    json_object_new_string("caf\xe9"));
	rc = report_parse(a, o, 1750000000LL, &r, &inv);
	json_object_put(o);
	assert_int_equal(rc, P_EINVAL);
	assert_string_equal(inv.e[0].field, "subject");
	arena_free(a);
}

static void
test_helpers(void **state)
{
	long long	 t;

	(void)state;
	assert_true(report_addr_valid("a@b.example"));
	assert_false(report_addr_valid("a@b"));
	assert_false(report_addr_valid("@b.example"));
	assert_false(report_addr_valid("a b@b.example"));
	assert_false(report_addr_valid(NULL));
	assert_true(report_host_valid("smtp-out1.provider.example"));
	assert_true(report_host_valid("relay"));
	assert_false(report_host_valid("a..b"));
	assert_false(report_host_valid("-a.b"));
	assert_false(report_host_valid("a-.b"));
	assert_false(report_host_valid("a.b."));
	assert_string_equal(report_addr_domain("x@dupont.example"),
	    "dupont.example");
	assert_null(report_addr_domain("nodomain"));
	assert_int_equal(report_time_parse("1970-01-01T00:00:00Z", &t), P_OK);
	assert_int_equal(t, 0);
	assert_int_equal(report_time_parse("2024-02-29T12:00:00-02:30", &t),
	    P_OK);
	assert_int_equal(t, 1709208000LL + 9000);
	assert_int_equal(report_time_parse("2024-02-29T12:00:00.5z", &t),
	    P_OK);
	assert_int_equal(report_time_parse("2024-02-30T12:00:00Z", &t),
	    P_EINVAL);
	assert_int_equal(report_time_parse("2024-02-29T12:00:00+0200", &t),
	    P_EINVAL);
	assert_int_equal(report_time_parse("2024-02-29T12:00:00.Z", &t),
	    P_EINVAL);
}

/* ---- the check table and the tests' meaning ---- */

static void
test_check_table(void **state)
{
	static const char *const required[] = { "blacklisted_ip", "no_rdns",
	    "spf_missing", "spf_without_provider", "dkim_mismatch",
	    "bad_header", "sender_domain_unknown", "recipient_domain_unknown",
	    "no_mx", "two_from", "bad_date" };
	const struct rp_check_def	*t, *d;
	size_t				 n, i;

	(void)state;
	t = report_checks(&n);
	assert_true(n >= NELEM(required));
	for (i = 0; i < n; i++) {
		if (!report_check_id_valid(t[i].id))
			fail_msg("bad id %s", t[i].id);
		if (i > 0 && strcmp(t[i - 1].id, t[i].id) >= 0)
			fail_msg("table not sorted at %s", t[i].id);
		if (t[i].faq_tag == NULL || t[i].faq_tag[0] == '\0' ||
		    strlen(t[i].title_en) < 5 || strlen(t[i].title_fr) < 5 ||
		    strlen(t[i].explain_en) < 40 ||
		    strlen(t[i].explain_fr) < 40 ||
		    strlen(t[i].fix_en) < 40 || strlen(t[i].fix_fr) < 40)
			fail_msg("%s lacks a text", t[i].id);
		/* French and English are really different texts. */
		if (strcmp(t[i].fix_en, t[i].fix_fr) == 0)
			fail_msg("%s: one text for both languages", t[i].id);
	}
	for (i = 0; i < NELEM(required); i++) {
		if ((d = report_check_find(required[i])) == NULL)
			fail_msg("no check %s", required[i]);
		assert_string_equal(d->id, required[i]);
	}
	assert_true(report_check_find("spf_missing")->domain);
	assert_false(report_check_find("blacklisted_ip")->domain);
	assert_null(report_check_find("future_check_42"));
	assert_null(report_check_find(NULL));
	assert_false(report_check_id_valid("Bad"));
	assert_false(report_check_id_valid("_x"));
	assert_true(report_test_name_valid("T_REMOTE_IMAGE"));
	assert_false(report_test_name_valid("1X"));
	assert_false(report_test_name_valid(""));
}

static void
test_explain(void **state)
{
	const struct sa_rule	*r;
	const char		*en, *fr;
	bool			 ours;

	(void)state;
	/* Ours, in the reader's language. */
	en = report_test_explain("BAYES_99", "en", &ours);
	assert_non_null(en);
	assert_true(ours);
	fr = report_test_explain("BAYES_99", "fr", &ours);
	assert_non_null(fr);
	assert_true(ours);
	assert_string_not_equal(en, fr);
	assert_ptr_equal(en, sa_explain("BAYES_99", "en"));
	/* SpamAssassin's description when we have no words of our own. */
	assert_null(sa_explain("DEAR_SOMETHING", "en"));
	r = sa_find(NULL, "DEAR_SOMETHING");
	assert_non_null(r);
	en = report_test_explain("DEAR_SOMETHING", "en", &ours);
	assert_false(ours);
	assert_ptr_equal(en, r->description);
	/* Unknown to both: NULL, so the page says "no description yet". */
	assert_null(report_test_explain("XV_LOCAL_BULK_PHRASE", "en", &ours));
	assert_false(ours);
	assert_null(report_test_explain("XV_LOCAL_BULK_PHRASE", "fr", NULL));
	/* Known to SpamAssassin without a description: none either. */
	if (sa_find(NULL, "HTML_TITLE_SUBJ_DIFF") != NULL &&
	    sa_explain("HTML_TITLE_SUBJ_DIFF", "en") == NULL)
		assert_null(report_test_explain("HTML_TITLE_SUBJ_DIFF", "en",
		    NULL));
	assert_null(report_test_explain(NULL, "en", NULL));
}

/* ---- the store ---- */

struct fx {
	char		 path[128];
	struct store	*s;
	struct arena	*a;
	sqlite3		*raw;
	long long	 account, account2;
};

static long long
add_account(struct fx *f, const char *ext, const char *name)
{
	struct ub_account	 ac;

	memset(&ac, 0, sizeof(ac));
	ac.ext_id = ext;
	ac.name = name;
	ac.contact_email = "contact@dupont.example";
	ac.lang = "fr";
	ac.created_at = (long long)time(NULL);
	assert_int_equal(store_account_insert(f->s, &ac), P_OK);
	return ac.id;
}

static int
setup(void **state)
{
	static int	 n;
	struct fx	*f;
	char		 err[256];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/bd_test_reports_%d_%d.db",
	    (int)getpid(), n++);
	unlink(f->path);
	f->s = store_open(f->path, false, err, sizeof(err));
	if (f->s == NULL || store_migrate(f->s, "db/migrations", NULL, NULL,
	    err, sizeof(err)) != P_OK) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (sqlite3_open(f->path, &f->raw) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(f->raw, 2000);
	f->a = arena_new(0);
	f->account = add_account(f, "H-1001", "Boulangerie Dupont");
	f->account2 = add_account(f, "H-2002", "Garage Martin");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	sqlite3_close(f->raw);
	store_close(f->s);
	arena_free(f->a);
	unlink(f->path);
	free(f);
	return 0;
}

static long long
q1(struct fx *f, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -1;

	assert_int_equal(sqlite3_prepare_v2(f->raw, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
exec_raw(struct fx *f, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(f->raw, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* Stores good_report for account (with tests patched when given). */
static long long
new_report(struct fx *f, long long account, const char *tests)
{
	struct rp_report	 r;
	const char		*bad;
	int			 rc;

	bad = bad_fields(f->a, tests != NULL ? patched(f->a, "tests", tests) :
	    good_report, &r, &rc);
	if (rc != P_OK)
		fail_msg("report refused: %s", bad);
	r.account_id = account;
	assert_int_equal(report_create(f->s, &r, NULL), P_OK);
	assert_true(r.id > 0);
	return r.id;
}

static void
test_store_roundtrip(void **state)
{
	struct fx		*f = *state;
	struct rp_report	 r, *v;
	struct rp_filter	 flt;
	long long		 id;
	size_t			 n;

	id = new_report(f, f->account, "[{\"name\": \"LOW\", \"score\": 0.5},"
	    " {\"name\": \"NEG\", \"score\": -1}, {\"name\": \"HIGH\","
	    " \"score\": 4}, {\"name\": \"MID\", \"score\": 2}]");
	assert_int_equal(store_report_get(f->s, f->a, id, &r), P_OK);
	assert_string_equal(r.account_ext, "H-1001");
	assert_int_equal(r.ntests, 4);
	/* Sorted by weight: highest first, the negative last. */
	assert_string_equal(r.tests[0].name, "HIGH");
	assert_string_equal(r.tests[1].name, "MID");
	assert_string_equal(r.tests[2].name, "LOW");
	assert_string_equal(r.tests[3].name, "NEG");
	assert_int_equal(r.nrcpts, 2);
	assert_string_equal(r.rcpts[0], "a@example.org");
	assert_int_equal(r.nchecks, 1);
	assert_string_equal(r.checks[0].id, "no_rdns");
	assert_int_equal(r.review_at, 0);
	assert_int_equal(r.fp_at, 0);
	assert_int_equal(store_report_get(f->s, f->a, id + 100, &r),
	    P_ENOTFOUND);
	/* Lists: per account, newest first, with a cursor. */
	new_report(f, f->account2, NULL);
	new_report(f, f->account, NULL);
	memset(&flt, 0, sizeof(flt));
	flt.account_id = f->account;
	assert_int_equal(store_report_list(f->s, f->a, &flt, &v, &n), P_OK);
	assert_int_equal(n, 2);
	assert_true(v[0].id > v[1].id);
	assert_int_equal(v[1].ntests, 4);
	assert_string_equal(v[1].tests[0].name, "HIGH");
	flt.before = v[0].id;
	flt.limit = 1;
	assert_int_equal(store_report_list(f->s, f->a, &flt, &v, &n), P_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, id);
	flt.account_id = f->account2;
	flt.before = 0;
	assert_int_equal(store_report_list(f->s, f->a, &flt, &v, &n), P_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].account_ext, "H-2002");
}

static void
test_store_purge(void **state)
{
	struct fx	*f = *state;
	struct rp_report r;
	const char	*bad;
	char		 sql[256];
	long long	 old, kept;
	int		 rc, purged;

	old = new_report(f, f->account, NULL);
	kept = new_report(f, f->account, NULL);
	/* 91 days and 89 days old: the first goes at the next write. */
	snprintf(sql, sizeof(sql), "UPDATE filter_reports SET created_at = "
	    "strftime('%%s','now') - 91 * 86400 WHERE id = %lld", old);
	exec_raw(f, sql);
	snprintf(sql, sizeof(sql), "UPDATE filter_reports SET created_at = "
	    "strftime('%%s','now') - 89 * 86400 WHERE id = %lld", kept);
	exec_raw(f, sql);
	bad = bad_fields(f->a, good_report, &r, &rc);
	assert_string_equal(bad, "");
	r.account_id = f->account;
	assert_int_equal(report_create(f->s, &r, &purged), P_OK);
	assert_int_equal(purged, 1);
	assert_int_equal(q1(f, "SELECT count(*) FROM filter_reports"), 2);
	assert_int_equal(store_report_get(f->s, f->a, old, &r), P_ENOTFOUND);
	/* Its tests and checks went with it. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM filter_report_tests "
	    "WHERE report_id = %lld", old);
	assert_int_equal(q1(f, sql), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM filter_report_checks "
	    "WHERE report_id = %lld", old);
	assert_int_equal(q1(f, sql), 0);
	/* A shorter retention from the settings. */
	exec_raw(f, "UPDATE settings SET value = '7' "
	    "WHERE key = 'reports.retention_days'");
	assert_int_equal(report_retention_days(f->s), 7);
	bad = bad_fields(f->a, good_report, &r, &rc);
	r.account_id = f->account;
	assert_int_equal(report_create(f->s, &r, &purged), P_OK);
	assert_int_equal(purged, 1);
	exec_raw(f, "UPDATE settings SET value = 'garbage' "
	    "WHERE key = 'reports.retention_days'");
	assert_int_equal(report_retention_days(f->s), RP_RETENTION_DAYS);
	/* An unknown account is refused by the foreign key. */
	r.account_id = 999;
	rc = report_create(f->s, &r, NULL);
	assert_true(rc == P_ENOTFOUND || rc == P_ECONFLICT);
}

static void
test_review_and_fp(void **state)
{
	struct fx		*f = *state;
	struct ub_actor		 cust = { UB_ACTOR_CUSTOMER, 0, "Boulangerie",
				    "198.51.100.7", false };
	struct ub_actor		 agent = { UB_ACTOR_API, 5, "staff-tool",
				    "203.0.113.5", false };
	struct rp_report	 r;
	struct json_object	*payload, *data, *rep, *v;
	sqlite3_stmt		*st;
	long long		 id, ep;
	const char		*text;

	id = new_report(f, f->account, NULL);
	cust.id = f->account;
	/* No endpoint yet: the transition still happens, no row. */
	assert_int_equal(report_request_review(f->s, f->a, &cust, id,
	    "maybe", NULL), P_EINVAL);
	assert_int_equal(report_request_review(f->s, f->a, &cust, id + 50,
	    "fixed", NULL), P_ENOTFOUND);
	assert_int_equal(report_request_review(f->s, f->a, &cust, id,
	    "fixed", "PTR record added"), P_OK);
	assert_int_equal(report_request_review(f->s, f->a, &cust, id,
	    "false_positive", NULL), P_ECONFLICT);
	assert_int_equal(store_report_get(f->s, f->a, id, &r), P_OK);
	assert_true(r.review_at > 0);
	assert_string_equal(r.review_reason, "fixed");
	assert_string_equal(r.review_note, "PTR record added");
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events WHERE "
	    "action = 'report.review_requested' AND actor_kind = 'customer'"),
	    1);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 0);

	/* With an endpoint that takes report events, FP queues one row. */
	assert_int_equal(store_webhook_endpoint_insert(f->s,
	    "https://filter.example/hook", "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=",
	    "report.false_positive", (long long)time(NULL), &ep), P_OK);
	assert_int_equal(store_webhook_endpoint_insert(f->s,
	    "https://tickets.example/hook", "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=",
	    "block.created", (long long)time(NULL), NULL), P_OK);
	assert_int_equal(report_false_positive(f->s, f->a, &agent, id,
	    "known newsletter", &r), P_OK);
	assert_true(r.fp_at > 0);
	assert_string_equal(r.fp_by, "staff-tool");
	assert_int_equal(report_false_positive(f->s, f->a, &agent, id, NULL,
	    NULL), P_ECONFLICT);
	assert_int_equal(report_false_positive(f->s, f->a, &agent, id + 50,
	    NULL, NULL), P_ENOTFOUND);
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(sqlite3_prepare_v2(f->raw, "SELECT event_type, "
	    "payload, endpoint_id FROM outbox", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
	    "report.false_positive");
	assert_int_equal(sqlite3_column_int64(st, 2), ep);
	text = (const char *)sqlite3_column_text(st, 1);
	payload = json_tokener_parse(text);
	sqlite3_finalize(st);
	assert_non_null(payload);
	assert_true(json_object_object_get_ex(payload, "data", &data));
	assert_true(json_object_object_get_ex(data, "report", &rep));
	assert_true(json_object_object_get_ex(rep, "id", &v));
	assert_int_equal(json_object_get_int64(v), id);
	assert_true(json_object_object_get_ex(rep, "message_id", &v));
	assert_string_equal(json_object_get_string(v), "<x1@dupont.example>");
	assert_true(json_object_object_get_ex(rep, "tests", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_true(json_object_object_get_ex(data, "note", &v));
	assert_string_equal(json_object_get_string(v), "known newsletter");
	/* No recipients nor headers go to the filter. */
	assert_false(json_object_object_get_ex(rep, "recipients", &v));
	json_object_put(payload);
	assert_int_equal(q1(f, "SELECT count(*) FROM audit_events WHERE "
	    "action = 'report.false_positive' AND actor_kind = 'api'"), 1);
	/* A note over the limit changes nothing. */
	{
		char	*note = malloc(RP_NOTE_MAX + 2);

		assert_non_null(note);
		memset(note, 'n', RP_NOTE_MAX + 1);
		note[RP_NOTE_MAX + 1] = '\0';
		id = new_report(f, f->account, NULL);
		assert_int_equal(report_false_positive(f->s, f->a, &agent, id,
		    note, NULL), P_EINVAL);
		free(note);
	}
	assert_int_equal(q1(f, "SELECT count(*) FROM outbox"), 1);
}

static void
test_link_key_and_trends(void **state)
{
	struct fx		*f = *state;
	unsigned char		 k1[RP_KEY_LEN], k2[RP_KEY_LEN];
	struct rp_trends	 t;
	const char		*path, *tok;
	long long		 exp, id;

	assert_int_equal(q1(f, "SELECT count(*) FROM settings WHERE key = "
	    "'reports.link_secret'"), 0);
	assert_int_equal(report_link_key(f->s, k1), P_OK);
	assert_int_equal(q1(f, "SELECT length(value) FROM settings WHERE key = "
	    "'reports.link_secret'"), 64);
	assert_int_equal(report_link_key(f->s, k2), P_OK);
	assert_memory_equal(k1, k2, RP_KEY_LEN);
	id = new_report(f, f->account, NULL);
	assert_int_equal(report_link(f->s, f->a, id, 0, &path, &exp), P_OK);
	/* The default life is reports.link_days (30). */
	assert_true(exp - (long long)time(NULL) > 29 * 86400);
	assert_true(exp - (long long)time(NULL) <= 30 * 86400);
	assert_non_null(tok = strstr(path, "?t="));
	assert_int_equal(report_token_check(k1, id, tok + 3, time(NULL)),
	    RP_TOKEN_OK);
	assert_int_equal(report_token_check(k1, id + 1, tok + 3, time(NULL)),
	    RP_TOKEN_BAD);
	assert_int_equal(report_link(f->s, f->a, id, 5, &path, &exp), P_OK);
	tok = strstr(path, "?t=") + 3;
	assert_int_equal(report_token_check(k1, id, tok, time(NULL) + 6),
	    RP_TOKEN_EXPIRED);

	/* Trends: BAYES_99 in three reports, XV_UNKNOWN_1 in two. */
	new_report(f, f->account, NULL);
	new_report(f, f->account2, "[{\"name\": \"BAYES_99\", \"score\": 3.5},"
	    " {\"name\": \"DKIM_VALID\", \"score\": -0.1}]");
	assert_int_equal(store_report_trends(f->s, f->a,
	    (long long)time(NULL) - 86400, 10, &t), P_OK);
	assert_int_equal(t.reports, 3);
	assert_int_equal(t.accounts, 2);
	assert_int_equal(t.ntests, 2);	/* the negative test is left out */
	assert_string_equal(t.tests[0].key, "BAYES_99");
	assert_int_equal(t.tests[0].reports, 3);
	assert_string_equal(t.tests[1].key, "XV_UNKNOWN_1");
	assert_int_equal(t.tests[1].reports, 2);
	assert_int_equal(t.naccounts, 2);
	assert_string_equal(t.by_account[0].key, "H-1001");
	assert_string_equal(t.by_account[0].label, "Boulangerie Dupont");
	assert_int_equal(t.by_account[0].reports, 2);
	assert_int_equal(t.nchecks, 1);
	assert_string_equal(t.checks[0].key, "no_rdns");
	assert_int_equal(t.checks[0].reports, 3);
	/* A window in the future sees nothing. */
	assert_int_equal(store_report_trends(f->s, f->a,
	    (long long)time(NULL) + 10, 10, &t), P_OK);
	assert_int_equal(t.reports, 0);
	assert_int_equal(t.ntests, 0);
	assert_int_equal(t.naccounts, 0);
}

static void
test_json_view(void **state)
{
	struct fx		*f = *state;
	struct rp_report	 r;
	struct json_object	*o, *arr, *x, *v;
	long long		 id;

	id = new_report(f, f->account, "[{\"name\": \"XV_UNKNOWN_1\","
	    " \"score\": 2.3}, {\"name\": \"BAYES_99\", \"score\": 3.5}]");
	assert_int_equal(store_report_get(f->s, f->a, id, &r), P_OK);
	o = report_to_json(f->a, &r, "en", true);
	assert_non_null(o);
	/* 2.3 is written 2.3, not 2.2999999999999998. */
	assert_non_null(strstr(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "\"score\":2.3,"));
	assert_true(json_object_object_get_ex(o, "tests", &arr));
	x = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(x,
	    "name")), "BAYES_99");
	assert_string_equal(json_object_get_string(json_object_object_get(x,
	    "source")), "bouncedesk");
	x = json_object_array_get_idx(arr, 1);
	/* The unknown test is there, with no explanation. */
	assert_string_equal(json_object_get_string(json_object_object_get(x,
	    "name")), "XV_UNKNOWN_1");
	assert_true(json_object_object_get_ex(x, "explanation", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "checks", &arr));
	x = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(x,
	    "title")), "No reverse DNS");
	json_object_put(o);
	o = report_to_json(f->a, &r, "fr", true);
	assert_true(json_object_object_get_ex(o, "checks", &arr));
	x = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(x,
	    "title")), "Pas de DNS inverse");
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_roundtrip),
		cmocka_unit_test(test_token_malformed),
		cmocka_unit_test(test_validate_good),
		cmocka_unit_test(test_validate_table),
		cmocka_unit_test(test_validate_more),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_explain),
		cmocka_unit_test_setup_teardown(test_store_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_purge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_review_and_fp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_link_key_and_trends, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_json_view, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
