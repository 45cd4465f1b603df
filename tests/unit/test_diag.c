/* test_diag.c - the diagnosis engine: the rule set's own examples, the
 * golden fixtures of tests/data/bounces (each X.eml or X.txt with its
 * X.expect.json), provider relays, JSON output and hostile inputs. Runs
 * from the repository root; BOUNCEDESK_TESTDATA and BOUNCEDESK_RULES
 * override the paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/diag.h"
#include "../../src/diag/diag_int.h"	/* acmatch, text_utf8_sanitize */

static struct diag_engine	*eng;

static const char *
data_dir(void)
{
	const char *d = getenv("BOUNCEDESK_TESTDATA");

	return d != NULL ? d : "tests/data";
}

static const char *
rules_path(void)
{
	const char *r = getenv("BOUNCEDESK_RULES");

	return r != NULL ? r : "db/seed/rules.txt";
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*b;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b != NULL) {
		*len = fread(b, 1, (size_t)n, f);
		b[*len] = '\0';
	}
	fclose(f);
	return b;
}

static int
setup(void **state)
{
	char	 err[256];

	(void)state;
	eng = diag_engine_new(rules_path(), "*.relay.example.net", err,
	    sizeof(err));
	if (eng == NULL)
		fprintf(stderr, "engine: %s\n", err);
	return eng == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	diag_engine_free(eng);
	return 0;
}

/* Every rule has examples; each example matches its own rule first. */
static void
test_rules_selfcheck(void **state)
{
	char	 err[4096];
	int	 fails;

	(void)state;
	fails = diag_engine_check(eng, err, sizeof(err));
	if (fails != 0)
		fail_msg("%d rule example(s) fail; first: %s", fails, err);
	assert_true(diag_engine_nrules(eng) >= 30);
}

static void
test_rules_bad_text(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;	/* a word of the error message */
	} bad[] = {
		{ "id: a\nreason: userunknown\npattern: (\nexample: x\n",
		  "pattern" },
		{ "id: a\nreason: nosuchreason\npattern: x\n", "reason" },
		{ "id: a\nreason: userunknown\nfrobnicate: 1\n", "unknown" },
		{ "reason: userunknown\n", "before" },
		{ "id: a\nreason: userunknown\npattern: x\nexample: x\n"
		  "id: a\nreason: userunknown\npattern: y\n", "duplicate" },
		{ "id: a\nreason: userunknown\n", "pattern" },
		{ "id: a\nreason: userunknown\npattern: x\nconfidence: 2\n",
		  "confidence" },
	};
	char	 err[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = diag_rules_check_mem(bad[i].text,
		    strlen(bad[i].text), err, sizeof(err));

		if (rc != -1 || strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: got rc %d err '%s', want -1 and "
			    "'%s'", i, rc, err, bad[i].want);
	}
	/* An example that does not match its rule is counted. */
	assert_int_equal(diag_rules_check_mem("id: a\nreason: userunknown\n"
	    "pattern: nobody\nexample: somebody\n", 57, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "does not match"));
	/* A rule without example is counted. */
	assert_int_equal(diag_rules_check_mem("id: a\nreason: userunknown\n"
	    "pattern: nobody\n", 40, err, sizeof(err)), 1);
}

static void
test_engine_mem(void **state)
{
	static const char rules[] = "id: t1\nreason: mailboxfull\n"
	    "pattern: boite pleine\nrequires: pleine\nexample: boite pleine\n";
	struct diag_engine	*e;
	struct diag_report	 rep;
	struct arena		*a;
	char			 err[128];
	static const char	 text[] = "550 boite pleine";

	(void)state;
	e = diag_engine_new_mem(rules, sizeof(rules) - 1, "", err,
	    sizeof(err));
	assert_non_null(e);
	a = arena_new(0);
	assert_int_equal(diag_run(e, a, text, sizeof(text) - 1,
	    DIAG_IN_FRAGMENT, &rep), P_OK);
	assert_int_equal(rep.nrcpt, 1);
	assert_string_equal(rep.rcpt[0].reason, "mailboxfull");
	assert_string_equal(rep.rcpt[0].evidence.rule_id, "t1");
	assert_string_equal(rep.rcpt[0].evidence.matched, "boite pleine");
	assert_int_equal(rep.rcpt[0].evidence.start, 4);
	arena_free(a);
	diag_engine_free(e);
}

/* ------------------------------------------------------- fixtures --- */

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

/* Compares every key of want with got; returns a message or NULL. */
static const char *
compare(struct json_object *want, struct json_object *got, char *msg,
    size_t len)
{
	json_object_object_foreach(want, k, wv) {
		struct json_object	*gv;
		const char		*ws, *gs;

		if (!json_object_object_get_ex(got, k, &gv))
			gv = NULL;
		ws = wv != NULL ? json_object_get_string(wv) : "null";
		gs = gv != NULL ? json_object_get_string(gv) : "null";
		if (strcmp(ws, gs) != 0) {
			snprintf(msg, len, "%s: got %s want %s", k, gs, ws);
			return msg;
		}
	}
	return NULL;
}

static int
run_fixture(const char *dir, const char *name, char *msg, size_t mlen)
{
	struct json_object	*want, *got, *wres, *gres;
	struct diag_report	 rep;
	struct arena		*a;
	char			 path[1024], epath[1024];
	char			*text;
	const char		*dot, *wi, *bad = NULL;
	size_t			 len, i;
	int			 rc;

	dot = strrchr(name, '.');
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path) || snprintf(epath, sizeof(epath),
	    "%s/%.*s.expect.json", dir, (int)(dot - name), name) >=
	    (int)sizeof(epath))
		return -1;
	if ((want = json_object_from_file(epath)) == NULL) {
		if (snprintf(msg, mlen, "%s: no expect file", name) < 0)
			return -1;
		return -1;
	}
	text = slurp(path, &len);
	assert_non_null(text);
	a = arena_new(0);
	rc = diag_run(eng, a, text, len, DIAG_IN_AUTO, &rep);
	free(text);
	if (rc != P_OK) {
		snprintf(msg, mlen, "%s: diag_run %d", name, rc);
		arena_free(a);
		json_object_put(want);
		return -1;
	}
	got = diag_report_to_json(&rep, "en");
	if ((wi = jstr(want, "input")) != NULL &&
	    strcmp(wi, diag_input_name(rep.input)) != 0) {
		snprintf(msg, mlen, "%s: input %s want %s", name,
		    diag_input_name(rep.input), wi);
		bad = msg;
	}
	json_object_object_get_ex(want, "results", &wres);
	json_object_object_get_ex(got, "results", &gres);
	if (bad == NULL && json_object_array_length(wres) !=
	    json_object_array_length(gres)) {
		snprintf(msg, mlen, "%s: %zu results, want %zu: %s", name,
		    json_object_array_length(gres),
		    json_object_array_length(wres),
		    json_object_to_json_string(gres));
		bad = msg;
	}
	for (i = 0; bad == NULL && i < json_object_array_length(wres); i++) {
		char sub[512];

		if (compare(json_object_array_get_idx(wres, i),
		    json_object_array_get_idx(gres, i), sub,
		    sizeof(sub)) != NULL) {
			snprintf(msg, mlen, "%s #%zu: %s", name, i, sub);
			bad = msg;
		}
	}
	json_object_put(got);
	json_object_put(want);
	arena_free(a);
	return bad != NULL ? -1 : 0;
}

static bool
is_input(const char *n)
{
	size_t	 l = strlen(n);

	return (l > 4 && (strcmp(n + l - 4, ".eml") == 0 ||
	    strcmp(n + l - 4, ".txt") == 0));
}

static void
test_fixtures(void **state)
{
	char		 dir[1024], msg[1024];
	DIR		*d;
	struct dirent	*de;
	int		 n = 0, bad = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bounces", data_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (!is_input(de->d_name))
			continue;
		n++;
		if (run_fixture(dir, de->d_name, msg, sizeof(msg)) != 0) {
			print_message("  %s\n", msg);
			bad++;
		}
	}
	closedir(d);
	assert_true(n >= 40);
	assert_int_equal(bad, 0);
}

/* The fixtures cover every reason of REASONS.md. */
static void
test_fixtures_cover_reasons(void **state)
{
	static const char *const reasons[] = { "userunknown", "hostunknown",
		"hasmoved", "mailboxfull", "systemfull", "suspend",
		"notaccept", "exceedlimit", "mesgtoobig", "filtered",
		"rejected", "blocked", "badreputation", "requireptr",
		"authfailure", "spamdetected", "virusdetected",
		"policyviolation", "securityerror", "contenterror",
		"notcompliantrfc", "norelaying", "syntaxerror", "toomanyconn",
		"speeding", "networkerror", "expired", "systemerror",
		"mailererror", "onhold", "undefined", "delivered", "feedback",
		"vacation", NULL };
	char		 dir[1024], path[2048];
	DIR		*d;
	struct dirent	*de;
	char		*all = NULL, *t;
	size_t		 alen = 0, len, i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bounces", data_dir());
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".expect.json") == NULL)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || (t = slurp(path, &len)) == NULL)
			continue;
		all = realloc(all, alen + len + 1);
		assert_non_null(all);
		memcpy(all + alen, t, len + 1);
		alen += len;
		free(t);
	}
	closedir(d);
	assert_non_null(all);
	for (i = 0; reasons[i] != NULL; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\"reason\": \"%s\"", reasons[i]);
		if (strstr(all, want) == NULL)
			fail_msg("no fixture for reason %s", reasons[i]);
	}
	free(all);
}

/* A relay named in provider_hosts marks the refusal as ours. */
static void
test_provider_host(void **state)
{
	static const char text[] = "<a@example.org>: host "
	    "out7.relay.example.net[192.0.2.7] said: 554 5.7.1 Client host "
	    "blocked (in reply to RCPT TO command)\n";
	struct diag_report	 rep;
	struct arena		*a = arena_new(0);

	(void)state;
	assert_int_equal(diag_run(eng, a, text, sizeof(text) - 1,
	    DIAG_IN_PASTED, &rep), P_OK);
	assert_int_equal(rep.nrcpt, 1);
	assert_string_equal(rep.rcpt[0].remote_mta, "out7.relay.example.net");
	assert_string_equal(rep.rcpt[0].remote_ip, "192.0.2.7");
	assert_true(rep.rcpt[0].ours);
	assert_int_equal(rep.rcpt[0].actor, ACTOR_PROVIDER);
	arena_free(a);
}

static void
test_json_shape(void **state)
{
	static const char text[] = "550 5.1.1 <bob@example.org>: User "
	    "unknown (in reply to RCPT TO command)";
	struct diag_report	 rep;
	struct json_object	*o, *res, *r, *ev, *steps;
	struct arena		*a = arena_new(0);

	(void)state;
	assert_int_equal(diag_run(eng, a, text, sizeof(text) - 1,
	    DIAG_IN_AUTO, &rep), P_OK);
	assert_int_equal(rep.input, DIAG_IN_FRAGMENT);
	o = diag_report_to_json(&rep, "fr");
	assert_true(json_object_object_get_ex(o, "results", &res));
	r = json_object_array_get_idx(res, 0);
	assert_non_null(r);
	assert_string_equal(jstr(r, "recipient"), "bob@example.org");
	assert_string_equal(jstr(r, "status"), "5.1.1");
	assert_string_equal(jstr(r, "replycode"), "550");
	assert_string_equal(jstr(r, "reason"), "userunknown");
	assert_string_equal(jstr(r, "hardbounce"), "true");
	assert_string_equal(jstr(r, "phase"), "rcpt");
	assert_true(json_object_object_get_ex(r, "evidence", &ev));
	assert_non_null(jstr(ev, "rule"));
	assert_true(json_object_object_get_ex(r, "steps", &steps));
	assert_true(json_object_array_length(steps) >= 1);
	/* French explanation for lang=fr. */
	assert_non_null(strstr(jstr(r, "explanation"), "adresse"));
	json_object_put(o);
	arena_free(a);
}

/* ---------------------------------------------------- bad inputs --- */

static int
run_bytes(const char *p, size_t len, enum diag_input in,
    struct diag_report *rep)
{
	struct arena		*a = arena_new(0);
	struct json_object	*o;
	int			 rc;

	rc = diag_run(eng, a, p, len, in, rep);
	if (rc == P_OK) {
		/* The report must serialise whatever the bytes were. */
		o = diag_report_to_json(rep, "en");
		assert_non_null(json_object_to_json_string(o));
		json_object_put(o);
	}
	arena_free(a);
	return rc;
}

static void
test_bad_empty(void **state)
{
	struct diag_report	 rep;

	(void)state;
	assert_int_equal(run_bytes("", 0, DIAG_IN_AUTO, &rep), P_EINVAL);
	assert_int_equal(run_bytes(NULL, 0, DIAG_IN_MESSAGE, &rep), P_EINVAL);
}

static void
test_bad_garbage(void **state)
{
	struct diag_report	 rep;
	char			*b;
	size_t			 i, n = 256 * 1024;
	unsigned int		 x = 12345;

	(void)state;
	b = malloc(n);
	assert_non_null(b);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (char)(x >> 16);
	}
	assert_int_equal(run_bytes(b, n, DIAG_IN_AUTO, &rep), P_OK);
	assert_int_equal(run_bytes(b, n, DIAG_IN_MESSAGE, &rep), P_OK);
	assert_int_equal(run_bytes(b, n, DIAG_IN_PASTED, &rep), P_OK);
	free(b);
}

static void
test_bad_utf8(void **state)
{
	static const char t[] = "550 5.1.1 <\xff\xfe\xc3@example.org>: "
	    "User unknown \xe9\xe8\xc0\x80 bo\xf0\x9f\x98te";
	struct diag_report	 rep;

	(void)state;
	assert_int_equal(run_bytes(t, sizeof(t) - 1, DIAG_IN_AUTO, &rep),
	    P_OK);
}

static void
test_bad_huge(void **state)
{
	struct diag_report	 rep;
	size_t			 n = 20 * 1024 * 1024;
	char			*b = malloc(n);

	(void)state;
	assert_non_null(b);
	memset(b, 'a', n);
	assert_int_equal(run_bytes(b, n, DIAG_IN_AUTO, &rep), P_ETOOBIG);
	free(b);
}

/* A multipart nested 1000 deep must finish quickly and cleanly. */
static void
test_bad_nested(void **state)
{
	struct diag_report	 rep;
	char			*b, *p;
	size_t			 cap = 1024 * 1024, i, depth = 1000;
	int			 rc;
	clock_t			 t0;

	(void)state;
	b = malloc(cap);
	assert_non_null(b);
	p = b;
	p += snprintf(p, 256, "From: MAILER-DAEMON@example.org\nTo: a@b.c\n"
	    "Subject: nest\nMIME-Version: 1.0\n");
	for (i = 0; i < depth; i++)
		p += snprintf(p, 256, "Content-Type: multipart/mixed; "
		    "boundary=\"b%zu\"\n\n--b%zu\n", i, i);
	p += snprintf(p, 256, "Content-Type: text/plain\n\nUser unknown\n");
	for (i = depth; i-- > 0;)
		p += snprintf(p, 64, "--b%zu--\n", i);
	t0 = clock();
	rc = run_bytes(b, (size_t)(p - b), DIAG_IN_AUTO, &rep);
	assert_int_equal(rc, P_OK);
	assert_true(clock() - t0 < 10 * CLOCKS_PER_SEC);
	/* The same with message/rfc822 parts. */
	p = b;
	p += snprintf(p, 256, "From: x@example.org\nTo: a@b.c\n"
	    "Subject: nest\nMIME-Version: 1.0\n");
	for (i = 0; i < depth; i++)
		p += snprintf(p, 128, "Content-Type: message/rfc822\n\n"
		    "Subject: n%zu\n", i);
	p += snprintf(p, 64, "\nbody\n");
	assert_int_equal(run_bytes(b, (size_t)(p - b), DIAG_IN_MESSAGE,
	    &rep), P_OK);
	free(b);
}

/* ----------------------------------------------------- internals --- */

static void
test_acmatch(void **state)
{
	static const char *const w[] = { "user unknown", "unknown", "quota",
		"no such user", "x.y" };
	static const char text[] = "550 No such USER here; quota: x.y User "
	    "Unknown";
	struct acmatch	*ac;
	uint64_t	 found[1];
	size_t		 end;
	ssize_t		 k;

	(void)state;
	assert_non_null(ac = acmatch_new(w, 5));
	acmatch_scan(ac, text, sizeof(text) - 1, found);
	/* Every word, in any case, and a word inside a longer one. */
	assert_int_equal(found[0], 0x1f);
	k = acmatch_first(ac, text, sizeof(text) - 1, &end);
	assert_int_equal(k, 3);
	assert_int_equal(end, 16);
	k = acmatch_last(ac, text, sizeof(text) - 1, &end);
	assert_int_equal(k, 0);		/* the longest word ending last */
	assert_int_equal(end, sizeof(text) - 1);
	assert_int_equal(acmatch_first(ac, "nothing here", 12, NULL), -1);
	acmatch_scan(ac, "", 0, found);
	assert_int_equal(found[0], 0);
	acmatch_free(ac);
}

/* A rule with conditions applies only to its hosts, phases and codes. */
static void
test_rule_conditions(void **state)
{
	static const char rules[] =
	    "id: h1\nreason: rejected\nhost: mx.example.net\n"
	    "phase: end-of-data\nstatus: none, 5.0.0\n"
	    "pattern: refused here\nrequires: refused\n"
	    "example: <a@b.example>: host mx.example.net[192.0.2.1] said: "
	    "550 refused here (in reply to end of DATA command)\n";
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "<a@b.example>: host mx.example.net[192.0.2.1] said: 550 "
		  "refused here (in reply to end of DATA command)",
		  "rejected" },
		/* another host */
		{ "<a@b.example>: host mx.other.example[192.0.2.1] said: 550 "
		  "refused here (in reply to end of DATA command)", "onhold" },
		/* another command */
		{ "<a@b.example>: host mx.example.net[192.0.2.1] said: 550 "
		  "refused here (in reply to RCPT TO command)", "onhold" },
		/* another code */
		{ "<a@b.example>: host mx.example.net[192.0.2.1] said: 550 "
		  "5.7.1 refused here (in reply to end of DATA command)",
		  "securityerror" },
	};
	struct diag_engine	*e;
	struct diag_report	 rep;
	struct arena		*a;
	char			 err[256];
	size_t			 i;

	(void)state;
	e = diag_engine_new_mem(rules, sizeof(rules) - 1, "", err,
	    sizeof(err));
	if (e == NULL)
		fail_msg("engine: %s", err);
	assert_int_equal(diag_engine_check(e, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = arena_new(0);
		assert_int_equal(diag_run(e, a, cases[i].text,
		    strlen(cases[i].text), DIAG_IN_FRAGMENT, &rep), P_OK);
		assert_int_equal(rep.nrcpt, 1);
		if (strcmp(rep.rcpt[0].reason, cases[i].want) != 0)
			fail_msg("case %zu: got %s want %s", i,
			    rep.rcpt[0].reason, cases[i].want);
		arena_free(a);
	}
	diag_engine_free(e);
	assert_int_equal(diag_rules_check_mem("id: a\nreason: rejected\n"
	    "phase: lunch\npattern: x\nexample: x\n", 50, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "phase"));
}

/* Is s valid UTF-8? */
static bool
utf8_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, i;

	while (*p != '\0') {
		if (*p < 0x80)
			n = 1;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 2;
		else if ((*p & 0xf0) == 0xe0)
			n = 3;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 4;
		else
			return false;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

/* Bytes that are not UTF-8 (Latin-1, Shift_JIS pasted raw) never reach the
 * JSON output. */
static void
test_utf8_output(void **state)
{
	static const char text[] = "Delivery failed\n\n<ana@example.org>: "
	    "host mx.example.org[192.0.2.2] said: 550 5.1.1 Utilisateur "
	    "inconnu \xe9\xe8 \x82\xa0\x82\xa2 (in reply to RCPT TO command)"
	    "\n";
	struct diag_report	 rep;
	struct json_object	*o;
	struct arena		*a = arena_new(0);
	char			 buf[] = "ok \xff\xc3\x28 caf\xc3\xa9";

	(void)state;
	assert_int_equal(diag_run(eng, a, text, sizeof(text) - 1,
	    DIAG_IN_PASTED, &rep), P_OK);
	o = diag_report_to_json(&rep, "en");
	assert_true(utf8_ok(json_object_to_json_string(o)));
	assert_string_equal(rep.rcpt[0].reason, "userunknown");
	json_object_put(o);
	arena_free(a);
	text_utf8_sanitize(buf, strlen(buf));
	assert_string_equal(buf, "ok ?" "?( caf\xc3\xa9");
}

struct worker {
	const char	*text;
	int		 bad;
};

static void *
worker_run(void *arg)
{
	struct worker		*w = arg;
	struct diag_report	 rep;
	struct arena		*a;
	int			 i;

	for (i = 0; i < 200; i++) {
		a = arena_new(0);
		if (diag_run(eng, a, w->text, strlen(w->text), DIAG_IN_AUTO,
		    &rep) != P_OK || rep.nrcpt != 1 ||
		    strcmp(rep.rcpt[0].reason, "mailboxfull") != 0)
			w->bad++;
		arena_free(a);
	}
	return NULL;
}

/* One engine, several threads at once (match data is per thread). */
static void
test_threads(void **state)
{
	struct worker	 w[4];
	pthread_t	 t[4];
	int		 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		w[i].text = "<lea@example.org>: host mx.example.org[192.0.2.5] "
		    "said: 552 5.2.2 <lea@example.org>: Mailbox full (in "
		    "reply to RCPT TO command)";
		w[i].bad = 0;
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_selfcheck),
		cmocka_unit_test(test_rules_bad_text),
		cmocka_unit_test(test_engine_mem),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_fixtures_cover_reasons),
		cmocka_unit_test(test_provider_host),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_bad_empty),
		cmocka_unit_test(test_bad_garbage),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_bad_huge),
		cmocka_unit_test(test_bad_nested),
		cmocka_unit_test(test_acmatch),
		cmocka_unit_test(test_rule_conditions),
		cmocka_unit_test(test_utf8_output),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
