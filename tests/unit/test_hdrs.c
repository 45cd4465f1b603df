/* test_hdrs.c - header-block analysis over the fixtures of
 * tests/data/headers (run from the top of the source tree), RFC 5322
 * dates, and the SpamAssassin table and importer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"

#define FIXTURES	"tests/data/headers/"

struct fx {
	struct arena		*a;
	char			*text;
	size_t			 len;
	struct hdr_report	*r;
};

static struct fx *
analyse(const char *name)
{
	static struct fx	 fx;
	char			 path[256];
	FILE			*fp;
	long			 n;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (run from the source tree)", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	fx.text = malloc((size_t)n + 1);
	assert_non_null(fx.text);
	assert_int_equal(fread(fx.text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	fx.len = (size_t)n;
	fx.a = arena_new(0);
	assert_non_null(fx.a);
	assert_int_equal(hdr_analyse(fx.a, fx.text, fx.len, &fx.r), P_OK);
	assert_non_null(fx.r);
	assert_non_null(fx.r->verdict);
	return &fx;
}

static void
done(struct fx *fx)
{
	arena_free(fx->a);
	free(fx->text);
}

static const struct hdr_auth *
auth(const struct hdr_report *r, const char *source, const char *method)
{
	size_t	 i;

	for (i = 0; i < r->nauth; i++)
		if (strcmp(r->auth[i].source, source) == 0 &&
		    strcmp(r->auth[i].method, method) == 0)
			return &r->auth[i];
	return NULL;
}

static const char *
prop(const struct hdr_auth *a, const char *ptype, const char *property)
{
	size_t	 i;

	for (i = 0; i < a->nprops; i++)
		if (strcmp(a->props[i].ptype, ptype) == 0 &&
		    strcmp(a->props[i].property, property) == 0)
			return a->props[i].value;
	return NULL;
}

static bool
has_defect(const struct hdr_report *r, const char *id)
{
	size_t	 i;

	for (i = 0; i < r->ndefects; i++)
		if (strcmp(r->defects[i].id, id) == 0)
			return true;
	return false;
}

static const struct hdr_cause *
cause(const struct hdr_report *r, const char *id)
{
	size_t	 i;

	for (i = 0; i < r->ncauses; i++)
		if (strcmp(r->causes[i].id, id) == 0)
			return &r->causes[i];
	return NULL;
}

static const struct hdr_vendor *
vendor(const struct hdr_report *r, const char *key)
{
	size_t	 i;

	for (i = 0; i < r->nvendor; i++)
		if (strcmp(r->vendor[i].key, key) == 0)
			return &r->vendor[i];
	return NULL;
}

static void
test_gmail(void **state)
{
	struct fx		*fx = analyse("gmail.txt");
	const struct hdr_report	*r = fx->r;
	const struct hdr_auth	*a;

	(void)state;
	assert_int_equal(r->nhops, 3);
	/* Oldest first: the app server, then Gmail's MX, then internal. */
	assert_string_equal(r->hops[0].from, "app3.exemple-boutique.fr");
	assert_string_equal(r->hops[0].from_ip, "2001:db8:10::3");
	assert_string_equal(r->hops[0].with, "ESMTPSA");
	assert_false(r->hops[0].has_delay);
	assert_string_equal(r->hops[1].from_ip, "192.0.2.25");
	assert_string_equal(r->hops[1].by, "mx.google.com");
	assert_string_equal(r->hops[1].for_addr, "claire.martin@gmail.com");
	assert_non_null(strstr(r->hops[1].tls, "TLS1_3"));
	/* 10:15:06 +0200 then 01:15:08 -0700: 2 s, not 9 hours. */
	assert_true(r->hops[1].has_delay);
	assert_int_equal(r->hops[1].delay, 2);
	assert_false(r->hops[1].tz_artifact);
	assert_int_equal(r->hops[2].delay, 1);
	assert_int_equal(r->total_delay, 3);
	assert_false(r->any_skew);

	a = auth(r, "Authentication-Results", "dmarc");
	assert_non_null(a);
	assert_string_equal(a->authserv_id, "mx.google.com");
	assert_int_equal(a->verdict, HDR_AR_PASS);
	assert_string_equal(a->comment, "p=QUARANTINE sp=QUARANTINE dis=NONE");
	assert_string_equal(prop(a, "header", "from"), "exemple-boutique.fr");
	assert_false(a->problem);
	a = auth(r, "Authentication-Results", "dkim");
	assert_string_equal(prop(a, "header", "s"), "mail2024");
	a = auth(r, "ARC-Authentication-Results", "spf");
	assert_non_null(a);
	assert_int_equal(a->arc_instance, 1);
	assert_string_equal(a->authserv_id, "mx.google.com");
	a = auth(r, "Received-SPF", "spf");
	assert_non_null(a);
	assert_int_equal(a->verdict, HDR_AR_PASS);
	assert_string_equal(prop(a, "", "client-ip"), "192.0.2.25");
	assert_int_equal(r->ndefects, 0);
	assert_false(r->looks_spam);
	assert_string_equal(r->verdict->id, "no-cause");
	done(fx);
}

static void
test_office365(void **state)
{
	struct fx		*fx = analyse("o365.txt");
	const struct hdr_report	*r = fx->r;
	const struct hdr_auth	*a;
	const struct hdr_vendor	*v;

	(void)state;
	assert_int_equal(r->nhops, 4);
	assert_string_equal(r->hops[0].from_ip, "198.51.100.77");
	assert_string_equal(r->hops[0].with, "Microsoft SMTP Server");
	assert_string_equal(r->hops[1].from_ip, "2603:10a6:10:230:cafe::3f");
	/* The loose A-R: no authserv-id, no ';' before dmarc. */
	a = auth(r, "Authentication-Results", "spf");
	assert_non_null(a);
	assert_string_equal(a->authserv_id, "");
	assert_int_equal(a->verdict, HDR_AR_SOFTFAIL);
	assert_string_equal(a->comment, "sender IP is 198.51.100.77");
	assert_string_equal(prop(a, "smtp", "mailfrom"), "promo-pieces.fr");
	assert_true(a->problem);
	a = auth(r, "Authentication-Results", "dkim");
	assert_int_equal(a->verdict, HDR_AR_NONE);
	assert_string_equal(a->comment, "message not signed");
	a = auth(r, "Authentication-Results", "dmarc");
	assert_int_equal(a->verdict, HDR_AR_NONE);
	assert_string_equal(a->action, "none");
	assert_string_equal(prop(a, "header", "from"), "promo-pieces.fr");
	a = auth(r, "Authentication-Results", "compauth");
	assert_int_equal(a->verdict, HDR_AR_FAIL);
	assert_string_equal(a->reason, "001");
	assert_int_equal(auth(r, "Received-SPF", "spf")->verdict,
	    HDR_AR_SOFTFAIL);
	/* Forefront, X-Microsoft-Antispam and mailbox delivery. */
	assert_int_equal(r->ms_scl, 6);
	assert_int_equal(r->ms_bcl, 5);
	assert_int_equal(r->ms_pcl, HDR_UNSET);
	assert_string_equal(r->ms_sfv, "SPM");
	assert_string_equal(r->ms_cat, "SPM");
	v = vendor(r, "CIP");
	assert_string_equal(v->value, "198.51.100.77");
	assert_false(v->problem);
	assert_true(vendor(r, "SFV")->problem);
	assert_false(vendor(r, "BCL")->problem);
	assert_true(vendor(r, "dest")->problem);
	assert_string_equal(vendor(r, "CTRY")->value, "FR");
	assert_non_null(vendor(r, "IPV")->meaning_fr);
	assert_null(vendor(r, "SFS"));		/* opaque: not listed */
	assert_true(r->looks_spam);
	assert_non_null(cause(r, "ms-spam"));
	assert_non_null(cause(r, "spf-fail"));
	assert_non_null(cause(r, "junk-folder"));
	assert_string_equal(r->verdict->id, "compauth-fail");
	done(fx);
}

static void
test_spamassassin(void **state)
{
	struct fx		*fx = analyse("spamassassin.txt");
	const struct hdr_report	*r = fx->r;
	size_t			 i;

	(void)state;
	assert_int_equal(r->spam_flag, 1);
	assert_true(r->has_spam_score && r->has_spam_required);
	assert_true(r->spam_score > 7.89 && r->spam_score < 7.91);
	assert_true(r->spam_required > 4.99 && r->spam_required < 5.01);
	assert_int_equal(r->spam_level, 7);
	/* 9 tests in X-Spam-Status, all also in the report. */
	assert_int_equal(r->ntests, 9);
	assert_string_equal(r->tests[0].name, "BAYES_99");
	assert_true(r->tests[0].score > 3.49 && r->tests[0].score < 3.51);
	assert_string_equal(r->tests[1].name, "URIBL_BLACK");
	assert_string_equal(r->tests[2].name, "RDNS_NONE");
	for (i = 1; i < r->ntests; i++)
		assert_true(r->tests[i - 1].score >= r->tests[i].score);
	/* A multi-line description is joined. */
	assert_string_equal(r->tests[3].name, "HTML_IMAGE_ONLY_16");
	assert_string_equal(r->tests[3].description,
	    "BODY: HTML: images with 1200-1600 bytes of words");
	assert_non_null(r->tests[0].explain_en);
	assert_non_null(r->tests[0].explain_fr);
	assert_string_not_equal(r->tests[0].explain_en,
	    r->tests[0].explain_fr);
	assert_string_equal(r->hops[0].from_rdns, "unknown");
	assert_true(r->looks_spam);
	assert_string_equal(r->verdict->id, "spam-score");
	assert_non_null(strstr(r->verdict->detail, "BAYES_99"));
	assert_non_null(cause(r, "url-blacklist"));
	done(fx);
}

static void
test_status_only(void **state)
{
	static const char text[] =
	    "X-Spam-Status: No, score=-0.2 required=6.31\n"
	    "\ttagged_above=-999 tests=[BAYES_00=-1.9, DKIM_SIGNED=0.1,\n"
	    "\tHTML_MESSAGE=0.001, RDNS_NONE] autolearn=ham\n"
	    "Subject: x\n";
	struct arena		*a = arena_new(0);
	struct hdr_report	*r;

	(void)state;
	assert_int_equal(hdr_analyse(a, text, sizeof(text) - 1, &r), P_OK);
	assert_int_equal(r->spam_flag, 0);
	assert_true(r->spam_required > 6.3 && r->spam_required < 6.32);
	assert_int_equal(r->ntests, 4);
	/* RDNS_NONE had no score: the built-in default is used. */
	assert_string_equal(r->tests[0].name, "RDNS_NONE");
	assert_true(r->tests[0].score_default);
	assert_non_null(r->tests[0].description);
	assert_string_equal(r->tests[r->ntests - 1].name, "BAYES_00");
	assert_false(r->tests[r->ntests - 1].score_default);
	assert_false(r->looks_spam);
	arena_free(a);
}

static void
test_qmail(void **state)
{
	struct fx		*fx = analyse("qmail.txt");
	const struct hdr_report	*r = fx->r;

	(void)state;
	assert_int_equal(r->nhops, 3);
	assert_string_equal(r->hops[0].comment, "qmail 1234 invoked by uid 89");
	assert_null(r->hops[0].from);
	assert_true(r->hops[0].has_time);
	assert_string_equal(r->hops[1].from, "poste-compta");
	assert_string_equal(r->hops[1].from_rdns, "unknown");
	assert_string_equal(r->hops[1].from_ip, "198.51.100.14");
	assert_int_equal(r->hops[1].delay, 2);
	assert_string_equal(r->hops[2].comment,
	    "qmail 28471 invoked from network");
	assert_int_equal(r->hops[2].delay, 1);
	done(fx);
}

static void
test_skew(void **state)
{
	struct fx		*fx = analyse("skew.txt");
	const struct hdr_report	*r = fx->r;
	size_t			 i;

	(void)state;
	assert_int_equal(r->nhops, 4);
	/* 10:00:00 +0200 then 09:59:40 +0200: skew, not a delay. */
	assert_false(r->hops[1].has_delay);
	assert_true(r->hops[1].skew);
	assert_int_equal(r->hops[1].skew_seconds, 20);
	/* The same wall clock under +0000: a 2-hour zone slip. */
	assert_true(r->hops[2].tz_artifact);
	assert_int_equal(r->hops[2].tz_artifact_hours, 2);
	assert_int_equal(r->hops[2].delay, 50);
	/* And its undoing at the next hop. */
	assert_true(r->hops[3].tz_artifact);
	assert_int_equal(r->hops[3].delay, 30);
	for (i = 0; i < r->nhops; i++)
		if (r->hops[i].has_delay)
			assert_true(r->hops[i].delay >= 0 &&
			    r->hops[i].delay < 3600);
	assert_true(r->any_skew);
	assert_int_equal(r->total_delay, 80);
	done(fx);
}

static void
test_day_slip(void **state)
{
	/* A server that wrote its local date with UTC time: +24 h. */
	static const char text[] =
	    "Received: from b by c; Tue, 04 Jun 2024 23:30:10 +0000\n"
	    "Received: from a by b; Tue, 04 Jun 2024 00:30:00 +0100\n";
	struct arena		*a = arena_new(0);
	struct hdr_report	*r;

	(void)state;
	assert_int_equal(hdr_analyse(a, text, sizeof(text) - 1, &r), P_OK);
	assert_int_equal(r->nhops, 2);
	assert_true(r->hops[1].tz_artifact);
	assert_int_equal(r->hops[1].tz_artifact_hours, 24);
	assert_int_equal(r->hops[1].delay, 10);
	arena_free(a);
}

static void
test_runon(void **state)
{
	struct fx		*fx = analyse("runon.txt");
	const struct hdr_report	*r = fx->r;
	size_t			 i;

	(void)state;
	assert_int_equal(r->nfields, 6);
	assert_true(r->body_follows);
	assert_string_equal(r->fields[r->nfields - 1].name, "Message-ID");
	for (i = 0; i < r->nfields; i++)
		assert_string_not_equal(r->fields[i].name, "Note");
	assert_true(fx->text[r->header_len] == 'B');	/* "Bonjour" */
	assert_int_equal(r->ndefects, 0);
	done(fx);
}

static void
test_rewrapped(void **state)
{
	/* Webmail lost the indentation of a folded Received line. */
	static const char text[] =
	    "Received: from mail.exemple.fr (mail.exemple.fr [192.0.2.7])\n"
	    "by mx.exemple.org with ESMTP id Q1;\n"
	    "Mon, 10 Jun 2024 12:00:05 +0200\n"
	    "Subject: test\n";
	struct arena		*a = arena_new(0);
	struct hdr_report	*r;

	(void)state;
	assert_int_equal(hdr_analyse(a, text, sizeof(text) - 1, &r), P_OK);
	assert_int_equal(r->nfields, 2);
	assert_int_equal(r->nhops, 1);
	assert_string_equal(r->hops[0].by, "mx.exemple.org");
	assert_true(r->hops[0].has_time);
	arena_free(a);
}

static void
test_two_from(void **state)
{
	struct fx		*fx = analyse("two-from.txt");
	const struct hdr_report	*r = fx->r;
	size_t			 i;

	(void)state;
	assert_true(has_defect(r, "from-multiple"));
	assert_true(has_defect(r, "subject-multiple"));
	assert_true(has_defect(r, "date-missing"));
	assert_true(has_defect(r, "message-id-missing"));
	for (i = 0; i < r->ndefects; i++)
		if (strcmp(r->defects[i].id, "from-multiple") == 0)
			assert_non_null(strstr(r->defects[i].detail,
			    "different domains"));
	assert_int_equal(auth(r, "Authentication-Results", "dmarc")->verdict,
	    HDR_AR_FAIL);
	assert_string_equal(r->verdict->id, "dmarc-fail");
	assert_non_null(cause(r, "from-multiple"));
	done(fx);
}

static void
test_garbage(void **state)
{
	struct fx		*fx = analyse("garbage.bin");
	struct hdr_report	*r;
	struct arena		*a;
	struct json_object	*j;
	unsigned char		 buf[512];
	unsigned int		 seed = 12345;
	size_t			 i, k, n;

	(void)state;
	assert_int_equal(fx->r->nfields, 0);
	assert_int_equal(fx->r->nhops, 0);
	assert_string_equal(fx->r->verdict->id, "no-cause");
	done(fx);
	a = arena_new(0);
	assert_int_equal(hdr_analyse(a, NULL, 0, &r), P_OK);
	assert_int_equal(r->nfields, 0);
	/* Random bytes biased towards header syntax: no crash, no leak of
	 * a negative delay. */
	for (k = 0; k < 3000; k++) {
		static const char alpha[] = "Received: from by with id for ;()"
		    "[]<>=\"\\\n\t 0123456789:+-.,ABCDEFGHIJ\r";
		n = (seed = seed * 1103515245u + 12345u) % sizeof(buf);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (seed >> 16) & 1 ? (unsigned char)alpha[(seed >>
			    17) % (sizeof(alpha) - 1)] : (unsigned char)(seed >>
			    8);
		}
		assert_int_equal(hdr_analyse(a, (char *)buf, n, &r), P_OK);
		for (i = 0; i < r->nhops; i++)
			assert_true(!r->hops[i].has_delay ||
			    r->hops[i].delay >= 0);
		j = hdr_report_to_json(r, "fr");
		assert_non_null(j);
		json_object_put(j);
	}
	arena_free(a);
}

static void
test_json(void **state)
{
	struct fx		*fx = analyse("o365.txt");
	struct json_object	*en, *fr, *v;
	const char		*s_en, *s_fr;

	(void)state;
	en = hdr_report_to_json(fx->r, "en");
	fr = hdr_report_to_json(fx->r, "fr");
	assert_true(json_object_object_get_ex(en, "verdict", &v));
	assert_true(json_object_object_get_ex(v, "explain", &v));
	s_en = json_object_get_string(v);
	assert_true(json_object_object_get_ex(fr, "verdict", &v));
	assert_true(json_object_object_get_ex(v, "explain", &v));
	s_fr = json_object_get_string(v);
	assert_string_not_equal(s_en, s_fr);
	assert_true(json_object_object_get_ex(en, "hops", &v));
	assert_int_equal(json_object_array_length(v), 4);
	assert_true(json_object_object_get_ex(en, "microsoft", &v));
	assert_true(json_object_object_get_ex(v, "scl", &v));
	assert_int_equal(json_object_get_int(v), 6);
	json_object_put(en);
	json_object_put(fr);
	done(fx);
}

static void
test_looks_like(void **state)
{
	static const char hb[] = "Received: from x by y; 1 Jan 2024 00:00 Z\n";
	static const char two[] = "Foo: bar\nSubject: hello\n";
	static const char body[] = "Bonjour,\nvoici ma question: pourquoi?\n";
	static const char smtp[] = "550 5.1.1 <a@b.c>: Recipient unknown\n";

	(void)state;
	assert_true(hdr_looks_like_block(hb, sizeof(hb) - 1));
	assert_true(hdr_looks_like_block(two, sizeof(two) - 1));
	assert_false(hdr_looks_like_block(body, sizeof(body) - 1));
	assert_false(hdr_looks_like_block(smtp, sizeof(smtp) - 1));
	assert_false(hdr_looks_like_block("", 0));
	assert_false(hdr_looks_like_block(NULL, 10));
}

static void
test_dates(void **state)
{
	static const struct {
		const char	*in;
		long		 want;	/* -1: invalid */
		int		 tz;
	} cases[] = {
		{ "Tue, 04 Jun 2024 10:15:05 +0200", 1717488905, 120 },
		{ "Tue,  4 Jun 2024 10:15:05 +0200 (CEST)", 1717488905, 120 },
		{ "4 Jun 2024 08:15:05 -0000", 1717488905, 0 },
		{ "Tue, 4 Jun 2024 01:15:05 PDT", 1717488905, -420 },
		{ "Tue, 4 Jun 2024 08:15:05 GMT", 1717488905, 0 },
		{ "Tue, 4 Jun 2024 08:15 UT", 1717488900, 0 },
		{ "Tue, 4 Jun 24 08:15:05 +0000", 1717488905, 0 },
		{ "Tue, 4 Jun 124 08:15:05 +0000", 1717488905, 0 },
		{ "Thu, 29 Feb 2024 00:00:00 +0000", 1709164800, 0 },
		{ "Tuesday, 4 June 2024 08:15:05 Z", 1717488905, 0 },
		{ "Sat, 31 Dec 2016 23:59:60 +0000", 1483228799, 0 },
		{ "Thu, 29 Feb 2023 00:00:00 +0000", -1, 0 },
		{ "Tue, 31 Jun 2024 10:00:00 +0200", -1, 0 },
		{ "Tue, 4 Jun 2024 24:00:00 +0200", -1, 0 },
		{ "Tue, 4 Jun 2024 10:60:00 +0200", -1, 0 },
		{ "Tue, 4 Jun 2024 10:00:00 +2400", -1, 0 },
		{ "Tue, 4 Jun 2024 10:00:00", -1, 0 },
		{ "Tue, 4 Foo 2024 10:00:00 +0000", -1, 0 },
		{ "4 Jun 2024 10:00:00 +0000 trailing", -1, 0 },
		{ "Xyz, 4 Jun 2024 10:00:00 +0000", -1, 0 },
		{ "0 Jun 2024 10:00:00 +0000", -1, 0 },
		{ "", -1, 0 },
	};
	size_t	 i;
	time_t	 t;
	int	 tz, rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = hdr_parse_date(cases[i].in, &t, &tz);
		if (cases[i].want < 0) {
			if (rc == P_OK)
				fail_msg("%s: got %ld want invalid", cases[i].in,
				    (long)t);
			continue;
		}
		if (rc != P_OK || (long)t != cases[i].want || tz != cases[i].tz)
			fail_msg("%s: got rc %d %ld %d want %ld %d", cases[i].in,
			    rc, (long)t, tz, cases[i].want, cases[i].tz);
	}
	assert_int_equal(hdr_parse_date(NULL, &t, &tz), P_EINVAL);
}

static void
test_sa_builtin(void **state)
{
	const struct sa_rule	*r;

	(void)state;
	assert_true(sa_builtin_count() >= 150);
	r = sa_find(NULL, "BAYES_99");
	assert_non_null(r);
	assert_true(r->score > 3.0);
	assert_non_null(strstr(r->description, "99"));
	assert_non_null(sa_find(NULL, "RDNS_NONE"));
	assert_non_null(sa_find(NULL, "URIBL_BLACK"));
	assert_null(sa_find(NULL, "NO_SUCH_RULE_X"));
	/* Exact, family, T_ fallback, none. */
	assert_non_null(strstr(sa_explain("BAYES_99", "en"), "almost sure"));
	assert_non_null(sa_explain("URIBL_DBL_SPAM", "fr"));
	assert_string_equal(sa_explain("T_DKIM_INVALID", "en"),
	    sa_explain("DKIM_INVALID", "en"));
	assert_string_equal(sa_explain("RCVD_IN_DNSWL_HI", "en"),
	    sa_explain("RCVD_IN_DNSWL_LOW", "en"));
	assert_string_not_equal(sa_explain("RCVD_IN_DNSWL_HI", "en"),
	    sa_explain("RCVD_IN_PSBL", "en"));
	assert_null(sa_explain("ZZZ_UNKNOWN", "en"));
}

static void
test_sa_import(void **state)
{
	char			 out[] = "/tmp/test_hdrs_saXXXXXX", err[256];
	struct sa_db		*db;
	const struct sa_rule	*r;
	FILE			*fp;
	int			 fd, n;

	(void)state;
	fd = mkstemp(out);
	assert_true(fd >= 0);
	/* An existing file: its rules stay unless the .cf files redefine
	 * them. */
	fp = fdopen(fd, "w");
	fputs("# old\nBD_KEPT\t0.5\tKept from before\n"
	    "BD_TEST_SUBJECT\t0.1\tOld description\n", fp);
	fclose(fp);
	n = sa_import_rules_dir("tests/data/sa", out, err, sizeof(err));
	if (n < 0)
		fail_msg("import: %d %s", n, err);
	/* BAYES_99 BD_KEPT BD_NO_SCORE BD_OVERRIDDEN BD_TEST_FOUR
	 * BD_TEST_SUBJECT T_BD_TESTING; not __BD_SUB. */
	assert_int_equal(n, 7);
	assert_int_equal(sa_load(out, &db, err, sizeof(err)), P_OK);
	assert_int_equal(sa_db_count(db), 7);
	r = sa_find(db, "BD_TEST_SUBJECT");
	assert_string_equal(r->description, "Subject mentions bouncedesk");
	assert_true(r->score > 2.49 && r->score < 2.51);
	r = sa_find(db, "BD_TEST_FOUR");
	assert_true(r->score > 1.99 && r->score < 2.01);
	r = sa_find(db, "BD_OVERRIDDEN");
	assert_true(r->score > 1.24 && r->score < 1.26);
	assert_string_equal(r->description,
	    "Score set twice, the later file wins");
	r = sa_find(db, "BD_NO_SCORE");
	assert_true(r->score > 0.99 && r->score < 1.01);
	assert_string_equal(sa_find(db, "BD_KEPT")->description,
	    "Kept from before");
	assert_string_equal(sa_find(db, "BAYES_99")->description,
	    "Bayes spam probability is 99 to 100% (fixture)");
	assert_null(sa_find(db, "__BD_SUB"));
	/* Rules not in db come from the built-in table. */
	assert_non_null(sa_find(db, "RDNS_NONE"));
	sa_db_free(db);
	assert_int_equal(sa_import_rules_dir("/nonexistent/dir", out, err,
	    sizeof(err)), P_EIO);
	assert_int_equal(sa_load("/nonexistent/file", &db, err, sizeof(err)),
	    P_EIO);
	fp = fopen(out, "w");
	fputs("BAD LINE\n", fp);
	fclose(fp);
	assert_int_equal(sa_load(out, &db, err, sizeof(err)), P_EINVAL);
	assert_non_null(strstr(err, ":1:"));
	unlink(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gmail),
		cmocka_unit_test(test_office365),
		cmocka_unit_test(test_spamassassin),
		cmocka_unit_test(test_status_only),
		cmocka_unit_test(test_qmail),
		cmocka_unit_test(test_skew),
		cmocka_unit_test(test_day_slip),
		cmocka_unit_test(test_runon),
		cmocka_unit_test(test_rewrapped),
		cmocka_unit_test(test_two_from),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_looks_like),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_sa_builtin),
		cmocka_unit_test(test_sa_import),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
