/* test_kb.c - the knowledge base against a real SQLite file: every
 * migration applied, the seed articles of db/seed/faq loaded. Search
 * (folding, stemming, typos, codes, ranking, filters, paging, hostile
 * syntax), votes, revisions, the seed loader and the text helpers. */
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

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

#include "testdb.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))


static int
setup(void **state)
{
	*state = testdb_open("test_kb", 24);
	return 0;
}

static int
teardown(void **state)
{
	testdb_close(*state);
	return 0;
}

static struct kb_results
search(struct testdb *f, const char *q, const char *lang)
{
	struct kb_results	 r;
	int			 rc;

	rc = kb_search(f->s, f->a, q, lang, NULL, 1, 10, false, &r);
	if (rc != P_OK)
		fail_msg("search \"%s\": %s", q, perr_name(rc));
	return r;
}

/* Fails unless the article titled like want (a substring) is in the top
 * n for q. */
static void
want_top(struct testdb *f, const char *q, const char *lang,
    const char *want, size_t n)
{
	struct kb_results	 r;
	size_t			 i;

	r = search(f, q, lang);
	for (i = 0; i < r.nhits && i < n; i++)
		if (strstr(r.hits[i].title, want) != NULL)
			return;
	fail_msg("search \"%s\" (%s): \"%s\" not in top %zu (got %zu hits, "
	    "first \"%s\")", q, lang != NULL ? lang : "any", want, n, r.nhits,
	    r.nhits > 0 ? r.hits[0].title : "-");
}

static void
test_accents_and_case(void **state)
{
	struct testdb	*f = *state;

	/* "bloque" and "BLOQUÉ" find an article that says "bloqué". */
	want_top(f, "bloque", "fr", "procédure de déblocage", 3);
	want_top(f, "BLOQUÉ", "fr", "procédure de déblocage", 3);
	want_top(f, "boite pleine", "fr", "Boîte du destinataire pleine", 1);
	want_top(f, "piraté", "fr", "piraté", 1);
	want_top(f, "pirate", "fr", "piraté", 1);
}

static void
test_stemming(void **state)
{
	struct testdb	*f = *state;
	struct kb_results r1, r2;

	/* Only the "blocage" family: the three forms meet. */
	want_top(f, "blocages", "fr", "déblocage", 3);
	want_top(f, "bloquer", "fr", "déblocage", 3);
	r1 = search(f, "blocages", "fr");
	r2 = search(f, "bloquer", "fr");
	if (r1.total != r2.total || r1.total == 0)
		fail_msg("blocages: %lld hits, bloquer: %lld: want the same",
		    r1.total, r2.total);
	/* English plurals and verb forms. */
	want_top(f, "attachments", "en", "too large", 3);
	want_top(f, "blacklists", "en", "Blacklists", 1);
	want_top(f, "quota", "en", "quotas", 3);
	want_top(f, "authenticating", "en", "SMTP authentication", 3);
}

static void
test_typos(void **state)
{
	struct testdb	*f = *state;
	static const struct {
		const char	*q, *lang, *title, *suggest;
	} cases[] = {
		{ "authentifcation smtp", "fr", "authentification SMTP",
		  "authentification" },
		{ "quotat", "fr", "Quotas d'envoi", "quota" },
		{ "blaklist", "en", "Blacklists", "blacklist" },
		{ "greylistnig", "en", "Greylisting", "greylisting" },
	};
	struct kb_results r;
	size_t		 i, j;

	for (i = 0; i < NELEM(cases); i++) {
		r = search(f, cases[i].q, cases[i].lang);
		if (r.did_you_mean == NULL ||
		    strstr(r.did_you_mean, cases[i].suggest) == NULL)
			fail_msg("\"%s\": did_you_mean %s, want \"%s\"",
			    cases[i].q, r.did_you_mean != NULL ?
			    r.did_you_mean : "NULL", cases[i].suggest);
		for (j = 0; j < r.nhits && j < 3; j++)
			if (strstr(r.hits[j].title, cases[i].title) != NULL)
				break;
		if (j == r.nhits || j == 3)
			fail_msg("\"%s\": \"%s\" not in top 3", cases[i].q,
			    cases[i].title);
	}
	/* A correct word gets no suggestion. */
	r = search(f, "quota", "fr");
	assert_null(r.did_you_mean);
	assert_true(r.total > 0);
}

static void
test_codes(void **state)
{
	struct testdb	*f = *state;
	struct kb_results r;

	want_top(f, "0x800CCC0E", "fr", "Outlook", 1);
	want_top(f, "0x800ccc0e", "en", "Outlook", 1);
	want_top(f, "5.1.1", "en", "Unknown recipient", 3);
	want_top(f, "550 5.1.1", "fr", "Destinataire inconnu", 1);
	want_top(f, "4.7.28", "en", "Greylisting", 1);
	want_top(f, "5.7.26", "fr", "SPF", 1);
	want_top(f, "552 5.3.4", "en", "too large", 1);
	/* A code is one token: "5.7.1" does not match a bare "5" or "7". */
	r = search(f, "5.3.4", "en");
	assert_int_equal(r.total, 1);
	r = search(f, "550", "fr");
	assert_true(r.total >= 3);
}

static void
test_title_first(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a;
	struct kb_results	 r;

	/* Two articles mention "zorglub": the one whose title says it must
	 * come first even though the other repeats it in its body. */
	memset(&a, 0, sizeof(a));
	a.lang = "en";
	a.title = "Something else entirely";
	a.category = "Test::Rank";
	a.solution = "zorglub zorglub zorglub appears in this body a lot, "
	    "zorglub again.";
	assert_int_equal(kb_article_create(f->s, &a, "test"), P_OK);
	memset(&a, 0, sizeof(a));
	a.lang = "en";
	a.title = "The zorglub setting";
	a.category = "Test::Rank";
	a.solution = "Explained here once, with many other words around it "
	    "so that the body is longer than the other one.";
	assert_int_equal(kb_article_create(f->s, &a, "test"), P_OK);
	r = search(f, "zorglub", "en");
	assert_int_equal(r.total, 2);
	assert_string_equal(r.hits[0].title, "The zorglub setting");
	assert_non_null(strchr(r.hits[0].title_hl, '\2'));
	/* The losing article's snippet carries the highlight markers. */
	assert_non_null(strstr(r.hits[1].snippet, "\2zorglub\3"));
	assert_true(r.hits[0].score < r.hits[1].score);
}

static void
test_filters(void **state)
{
	struct testdb	*f = *state;
	struct kb_results r;
	size_t		 i;

	/* "spam" is in both languages. */
	r = search(f, "spam", NULL);
	assert_true(r.total > 0);
	for (i = 0; i < r.nhits; i++)
		if (strcmp(r.hits[i].lang, "en") == 0)
			break;
	assert_true(i < r.nhits);
	r = search(f, "spam", "fr");
	for (i = 0; i < r.nhits; i++)
		assert_string_equal(r.hits[i].lang, "fr");
	assert_int_equal(kb_search(f->s, f->a, "spam", "en", "Mail::Security",
	    1, 50, false, &r), P_OK);
	assert_true(r.total > 0);
	for (i = 0; i < r.nhits; i++) {
		assert_string_equal(r.hits[i].lang, "en");
		assert_string_equal(r.hits[i].category, "Mail::Security");
	}
	/* A parent path takes its children; a partial name does not. */
	assert_int_equal(kb_search(f->s, f->a, "spam", "en", "Mail", 1, 50,
	    false, &r), P_OK);
	assert_true(r.total > 0);
	assert_int_equal(kb_search(f->s, f->a, "spam", "en", "Mai", 1, 50,
	    false, &r), P_OK);
	assert_int_equal(r.total, 0);
}

static void
test_pagination(void **state)
{
	struct testdb		*f = *state;
	struct kb_results	 all, p;
	int			 page;
	size_t			 seen = 0;

	assert_int_equal(kb_search(f->s, f->a, "message", "en", NULL, 1, 50,
	    false, &all), P_OK);
	assert_true(all.total >= 6);
	for (page = 1; page <= 3; page++) {
		assert_int_equal(kb_search(f->s, f->a, "message", "en", NULL,
		    page, 2, false, &p), P_OK);
		assert_int_equal(p.total, all.total);
		assert_int_equal(p.nhits, 2);
		assert_int_equal(p.hits[0].id, all.hits[seen].id);
		assert_int_equal(p.hits[1].id, all.hits[seen + 1].id);
		seen += 2;
	}
	/* Past the end: no hits, the total still known. */
	assert_int_equal(kb_search(f->s, f->a, "message", "en", NULL, 400, 2,
	    false, &p), P_OK);
	assert_int_equal(p.nhits, 0);
	assert_int_equal(p.total, all.total);
}

static void
test_hostile_syntax(void **state)
{
	struct testdb	*f = *state;
	static const char *qs[] = {
		"\"", "\"\"\"", "spam\"", "NEAR(spam quota)", "spam NEAR quota",
		"*", "spam*", "(", ")", "((spam)", "title:spam", "body : x",
		"{title keywords}: spam", "spam AND", "OR", "NOT spam", "-spam",
		"^spam", "spam + quota", "'; DROP TABLE kb_articles; --",
		"\x01\x02\x03", "~spam", "a.b.c.", "...", "@", "\xc3\x28",
		"NEAR", "AND OR NOT", "quota\\", "spam%", "«»",
	};
	struct kb_results r;
	size_t		 i;
	int		 rc;

	for (i = 0; i < NELEM(qs); i++) {
		rc = kb_search(f->s, f->a, qs[i], "fr", NULL, 1, 10, false, &r);
		if (rc != P_OK)
			fail_msg("query %zu \"%s\": %s", i, qs[i], perr_name(rc));
		rc = kb_search(f->s, f->a, qs[i], NULL, NULL, 1, 10, false, &r);
		if (rc != P_OK)
			fail_msg("query %zu \"%s\" (any): %s", i, qs[i],
			    perr_name(rc));
	}
	/* Operators are words like any other: "NOT spam" is not "-spam". */
	r = search(f, "spam NEAR", "en");
	assert_int_equal(kb_search(f->s, f->a, "", "fr", NULL, 1, 10, false,
	    &r), P_OK);
	assert_int_equal(r.total, 0);
}

static void
test_internal_hidden(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a, got;
	struct kb_results	 r;

	memset(&a, 0, sizeof(a));
	a.lang = "fr";
	a.title = "Note interne : procédure plurk";
	a.state = "internal";
	a.solution = "Réservé au support.";
	assert_int_equal(kb_article_create(f->s, &a, "staff"), P_OK);
	r = search(f, "plurk", "fr");
	assert_int_equal(r.total, 0);
	assert_int_equal(kb_search(f->s, f->a, "plurk", "fr", NULL, 1, 10,
	    true, &r), P_OK);
	assert_int_equal(r.total, 1);
	assert_int_equal(kb_article_get(f->s, f->a, a.id, false, &got),
	    P_ENOTFOUND);
	assert_int_equal(kb_article_get(f->s, f->a, a.id, true, &got), P_OK);
}

static void
test_votes(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a;

	assert_int_equal(kb_vote(f->s, 5, "visitor-a", true, NULL), P_OK);
	assert_int_equal(kb_vote(f->s, 5, "visitor-a", false, "again"),
	    P_ECONFLICT);
	assert_int_equal(kb_vote(f->s, 5, "visitor-b", false,
	    "the example did not match my error"), P_OK);
	assert_int_equal(kb_vote(f->s, 105, "visitor-a", true, NULL), P_OK);
	assert_int_equal(kb_vote(f->s, 999999, "visitor-a", true, NULL),
	    P_ENOTFOUND);
	assert_int_equal(kb_vote(f->s, 5, "", true, NULL), P_EINVAL);
	assert_int_equal(kb_article_get(f->s, f->a, 5, false, &a), P_OK);
	assert_int_equal(a.votes_yes, 1);
	assert_int_equal(a.votes_no, 1);
}

static void
test_revisions(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a;
	struct kb_results	 r;
	long long		 n0, n1;

	assert_int_equal(kb_article_get(f->s, f->a, 13, false, &a), P_OK);
	assert_int_equal(kb_revision_count(f->s, 13, &n0), P_OK);
	assert_int_equal(n0, 1);
	a.solution = "Utilisez un service de transfert : wombatique.";
	assert_int_equal(kb_article_update(f->s, &a, "staff"), P_OK);
	assert_int_equal(kb_revision_count(f->s, 13, &n1), P_OK);
	assert_int_equal(n1, 2);
	/* Counting a view is no edit. */
	assert_int_equal(kb_article_viewed(f->s, 13), P_OK);
	assert_int_equal(kb_revision_count(f->s, 13, &n1), P_OK);
	assert_int_equal(n1, 2);
	/* The index follows the edit: the new word is found, the old gone. */
	r = search(f, "wombatique", "fr");
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, 13);
	r = search(f, "compressez", "fr");
	assert_int_equal(r.total, 0);
	assert_int_equal(kb_article_get(f->s, f->a, 13, false, &a), P_OK);
	assert_string_equal(a.changed_by, "staff");
	assert_int_equal(a.views, 1);
}

static void
test_seed_idempotent(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a;
	char			 err[256];
	int			 added = -1;

	/* A staff edit survives a re-seed, which adds nothing. */
	assert_int_equal(kb_article_get(f->s, f->a, 9, false, &a), P_OK);
	a.title = "Greylisting (edited by staff)";
	assert_int_equal(kb_article_update(f->s, &a, "staff"), P_OK);
	if (kb_seed_dir_count(f->s, "db/seed/faq", &added, err,
	    sizeof(err)) != P_OK)
		fail_msg("re-seed: %s", err);
	assert_int_equal(added, 0);
	assert_int_equal(kb_article_get(f->s, f->a, 9, false, &a), P_OK);
	assert_string_equal(a.title, "Greylisting (edited by staff)");
}

static void
test_seed_parse(void **state)
{
	static const char good[] =
	    "---\nid: 42\nlang: en\ntranslation_of: 7\ntitle: T\n"
	    "category: A::B\nrelated: 3, 4\n---\n\n## Symptom\n\nS line\n\n"
	    "## Problem\nP\n## Solution\n\nX\nY\n";
	static const char *bad[] = {
		"id: 1\n", "---\nid: x\n---\n## Solution\nx\n",
		"---\nid: 1\nlang: en\ntitle: t\n---\n## Nope\nx\n",
		"---\nid: 1\nlang: en\ntitle: t\n---\n", "---\nbogus: 1\n---\n",
		"---\nid: 1\nlang: en\ntitle: t\n",
	};
	struct arena		*a;
	struct kb_article	 art;
	long long		 rel[4];
	size_t			 nrel, i;
	char			 err[128];

	(void)state;
	assert_non_null(a = arena_new(0));
	assert_int_equal(kb_seed_parse(a, good, strlen(good), &art, rel, 4,
	    &nrel, err, sizeof(err)), P_OK);
	assert_int_equal(art.id, 42);
	assert_int_equal(art.translation_of, 7);
	assert_string_equal(art.category, "A::B");
	assert_string_equal(art.symptom, "S line");
	assert_string_equal(art.problem, "P");
	assert_string_equal(art.solution, "X\nY");
	assert_int_equal(nrel, 2);
	assert_int_equal(rel[1], 4);
	for (i = 0; i < NELEM(bad); i++)
		if (kb_seed_parse(a, bad[i], strlen(bad[i]), &art, rel, 4,
		    &nrel, err, sizeof(err)) != P_EINVAL)
			fail_msg("bad seed %zu accepted", i);
	arena_free(a);
}

static void
test_links(void **state)
{
	struct testdb	*f = *state;
	struct kb_list	 l;
	long long	 id;
	size_t		 i;

	/* Diagnosis reasons reach their articles by tag, per language. */
	assert_int_equal(kb_articles_by_tag(f->s, f->a, "userunknown", "fr",
	    5, &l), P_OK);
	assert_true(l.n >= 1);
	assert_int_equal(l.items[0].id, 5);
	assert_int_equal(kb_articles_by_tag(f->s, f->a, "mailboxfull", "en",
	    5, &l), P_OK);
	assert_true(l.n >= 1);
	assert_string_equal(l.items[0].lang, "en");
	/* Translations both ways, and none to itself in another language. */
	assert_int_equal(kb_translation(f->s, 5, "en", false, &id), P_OK);
	assert_int_equal(id, 105);
	assert_int_equal(kb_translation(f->s, 105, "fr", false, &id), P_OK);
	assert_int_equal(id, 5);
	assert_int_equal(kb_translation(f->s, 105, "en", false, &id), P_OK);
	assert_int_equal(id, 105);
	/* Related: the explicit link (5 -> 14) first, same language only. */
	assert_int_equal(kb_related(f->s, f->a, 5, 5, &l), P_OK);
	assert_true(l.n >= 1);
	assert_int_equal(l.items[0].id, 14);
	for (i = 0; i < l.n; i++)
		assert_string_equal(l.items[i].lang, "fr");
}

static void
test_misses_logged(void **state)
{
	struct testdb	*f = *state;
	struct kb_results r;

	r = search(f, "xqzvw jjjkkk bob@example.org", "fr");
	assert_int_equal(r.total, 0);
	assert_null(r.did_you_mean);
	/* kb_search logged it; a second identical miss is counted, and
	 * store_kb_log_miss answers P_OK on the upsert. */
	assert_int_equal(store_kb_log_miss(f->s, "xqzvw jjjkkk [address]",
	    "fr"), P_OK);
}

static void
test_suggest(void **state)
{
	struct testdb	*f = *state;
	struct kb_list	 l;
	size_t		 i;

	assert_int_equal(kb_suggest(f->s, f->a, "greyl", "en", 5, &l), P_OK);
	assert_true(l.n >= 1);
	for (i = 0; i < l.n; i++)
		if (strstr(l.items[i].title, "Greylisting") != NULL)
			break;
	assert_true(i < l.n);
	assert_int_equal(kb_suggest(f->s, f->a, "smtp authenti", "en", 5, &l),
	    P_OK);
	assert_true(l.n >= 1);
}

static void
test_lists(void **state)
{
	struct testdb		*f = *state;
	struct kb_list		 l;
	struct kb_category	*c;
	size_t			 n, i;

	assert_int_equal(kb_article_viewed(f->s, 110), P_OK);
	assert_int_equal(kb_article_viewed(f->s, 110), P_OK);
	assert_int_equal(kb_most_viewed(f->s, f->a, "en", 3, &l), P_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.items[0].id, 110);
	assert_int_equal(kb_latest(f->s, f->a, NULL, 100, &l), P_OK);
	assert_true(l.n >= 28);
	assert_int_equal(kb_categories(f->s, f->a, "fr", &c, &n), P_OK);
	assert_true(n >= 3);
	for (i = 0; i < n; i++)
		if (strcmp(c[i].path, "Mail::Security") == 0)
			assert_true(c[i].count >= 4);
}

static void
test_text_helpers(void **state)
{
	struct arena	*a;

	(void)state;
	assert_non_null(a = arena_new(0));
	assert_string_equal(kb_marks_html(a, "a <b> \2x&y\3 **z**"),
	    "a &lt;b&gt; <mark>x&amp;y</mark> z");
	assert_string_equal(kb_marks_html(a, "\2open"), "<mark>open</mark>");
	assert_string_equal(kb_marks_plain(a, "#\2t\3\nu"), "t u");
	assert_int_equal(kb_distance("quota", 5, "quotat", 6, 2), 1);
	assert_int_equal(kb_distance("abcd", 4, "abdc", 4, 2), 1);
	assert_int_equal(kb_distance("spam", 4, "spam", 4, 2), 0);
	assert_int_equal(kb_distance("abc", 3, "xyz", 3, 2), 3);
	assert_int_equal(kb_distance("a", 1, "abcdef", 6, 2), 3);
	arena_free(a);
}

/* ---- the staff side (src/kb/admin.c, store additions) ---- */

static long long
new_article(struct testdb *f, const char *lang, const char *title,
    const char *state, const char *solution)
{
	struct kb_article	 a;

	memset(&a, 0, sizeof(a));
	a.lang = lang;
	a.title = title;
	a.state = state;
	a.category = "Test::Staff";
	a.solution = solution;
	if (kb_article_save(f->s, &a, "staff@test") != P_OK)
		fail_msg("save \"%s\" failed", title);
	return a.id;
}

static void
test_save_checks(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a;
	char			 big[KB_CATEGORY_MAX + 2];
	long long		 fr;

	fr = new_article(f, "fr", "Article à traduire", "public", "x");
	/* Table of (what is wrong, want). */
	memset(&a, 0, sizeof(a));
	a.lang = "de";
	a.title = "T";
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_EINVAL);
	a.lang = "en";
	a.title = "   ";
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_EINVAL);
	a.title = "two\nlines";
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_EINVAL);
	a.title = "T";
	a.state = "draft";
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_EINVAL);
	a.state = "public";
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	a.category = big;
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_ETOOBIG);
	a.category = "Test::Staff";
	a.solution = "bell \a inside";
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_EINVAL);
	a.solution = "ok";
	/* The translation link: another article, in the other language. */
	a.translation_of = 999999;
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_EINVAL);
	a.lang = "fr";
	a.translation_of = fr;
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_EINVAL);
	a.lang = "en";
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_OK);
	assert_true(a.id > 0);
	/* Nothing half-written by the refused saves. */
	assert_int_equal(kb_article_get(f->s, f->a, a.id, true, &a), P_OK);
	assert_int_equal(a.translation_of, fr);
	/* An update of a missing id is refused, not created. */
	a.id = 999998;
	assert_int_equal(kb_article_save(f->s, &a, "s"), P_ENOTFOUND);
	assert_int_equal(kb_article_get(f->s, f->a, 999998, true, &a),
	    P_ENOTFOUND);
}

static void
test_revision_restore(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a;
	struct kb_revision	*v, one;
	struct kb_results	 r;
	long long		 id, first, n;
	size_t			 nv;

	id = new_article(f, "en", "Restore me: first words", "internal",
	    "The quokkafirst version.");
	assert_int_equal(kb_article_get(f->s, f->a, id, true, &a), P_OK);
	a.title = "Restore me: second words";
	a.state = "public";
	a.solution = "The wallabysecond version.";
	assert_int_equal(kb_article_save(f->s, &a, "editor@test"), P_OK);
	assert_int_equal(kb_revision_list(f->s, f->a, id, 10, &v, &nv), P_OK);
	assert_int_equal(nv, 2);
	/* Newest first, each with its author. */
	assert_string_equal(v[0].title, "Restore me: second words");
	assert_string_equal(v[0].changed_by, "editor@test");
	assert_string_equal(v[1].state, "internal");
	first = v[1].id;
	assert_int_equal(kb_revision_get(f->s, f->a, id, first, &one), P_OK);
	assert_string_equal(one.solution, "The quokkafirst version.");
	/* A revision is only found under its own article. */
	assert_int_equal(kb_revision_get(f->s, f->a, 5, first, &one),
	    P_ENOTFOUND);
	assert_int_equal(kb_revision_restore(f->s, 5, first, "x"),
	    P_ENOTFOUND);
	/* Restoring writes the old content as a third revision. */
	assert_int_equal(kb_revision_restore(f->s, id, first, "restorer@test"),
	    P_OK);
	assert_int_equal(kb_revision_count(f->s, id, &n), P_OK);
	assert_int_equal(n, 3);
	assert_int_equal(kb_article_get(f->s, f->a, id, true, &a), P_OK);
	assert_string_equal(a.title, "Restore me: first words");
	assert_string_equal(a.state, "internal");
	assert_string_equal(a.changed_by, "restorer@test");
	assert_int_equal(kb_revision_list(f->s, f->a, id, 1, &v, &nv), P_OK);
	assert_int_equal(nv, 1);
	assert_string_equal(v[0].changed_by, "restorer@test");
	/* The index follows: the restored words are found (staff view),
	 * the replaced ones are gone. */
	assert_int_equal(kb_search(f->s, f->a, "quokkafirst", "en", NULL, 1,
	    10, true, &r), P_OK);
	assert_int_equal(r.total, 1);
	assert_int_equal(kb_search(f->s, f->a, "wallabysecond", "en", NULL, 1,
	    10, true, &r), P_OK);
	assert_int_equal(r.total, 0);
	/* Restoring the current version again still makes a revision. */
	assert_int_equal(kb_revision_restore(f->s, id, first, "again@test"),
	    P_OK);
	assert_int_equal(kb_revision_count(f->s, id, &n), P_OK);
	assert_int_equal(n, 4);
}

static void
test_admin_list(void **state)
{
	struct testdb		*f = *state;
	struct kb_admin_filter	 flt;
	struct kb_admin_counts	 c, c2;
	struct kb_admin_row	*rows;
	struct kb_category	*cat;
	size_t			 n, i, ncat;
	long long		 id;

	memset(&flt, 0, sizeof(flt));
	flt.limit = KB_ADMIN_MAX;
	assert_int_equal(kb_admin_list(f->s, f->a, &flt, &rows, &n, &c),
	    P_OK);
	assert_true(c.all >= 40);
	assert_int_equal(c.total, c.all);
	assert_int_equal(c.public_n + c.internal_n, c.all);
	assert_int_equal(c.fr + c.en, c.all);
	/* Newest change first. */
	for (i = 1; i < n; i++)
		assert_true(rows[i - 1].changed_at >= rows[i].changed_at);
	id = new_article(f, "fr", "Liste : article interne", "internal",
	    "interne");
	assert_int_equal(kb_vote(f->s, id, "v1", true, NULL), P_OK);
	assert_int_equal(kb_vote(f->s, id, "v2", false, "il manque X"), P_OK);
	flt.lang = "fr";
	flt.state = "internal";
	flt.category = "Test";		/* a parent path */
	assert_int_equal(kb_admin_list(f->s, f->a, &flt, &rows, &n, &c2),
	    P_OK);
	assert_int_equal(c2.all, c.all + 1);
	assert_int_equal(c2.internal_n, c.internal_n + 1);
	assert_int_equal((long long)n, c2.total);
	for (i = 0; i < n; i++) {
		assert_string_equal(rows[i].lang, "fr");
		assert_string_equal(rows[i].state, "internal");
		assert_int_equal(strncmp(rows[i].category, "Test::", 6), 0);
	}
	assert_true(n >= 1);
	assert_int_equal(rows[0].id, id);
	assert_int_equal(rows[0].votes_yes, 1);
	assert_int_equal(rows[0].votes_no, 1);
	assert_int_equal(rows[0].feedback, 1);
	/* Paging past the end keeps the total. */
	flt.offset = 1000;
	assert_int_equal(kb_admin_list(f->s, f->a, &flt, &rows, &n, &c2),
	    P_OK);
	assert_int_equal(n, 0);
	assert_true(c2.total >= 1);
	/* Categories of internal articles are listed for staff. */
	assert_int_equal(kb_categories_all(f->s, f->a, &cat, &ncat), P_OK);
	for (i = 0; i < ncat; i++)
		if (strcmp(cat[i].path, "Test::Staff") == 0)
			break;
	assert_true(i < ncat);
}

static void
test_feedback_read_back(void **state)
{
	struct testdb		*f = *state;
	struct kb_feedback	*v;
	size_t			 n;
	long long		 id, total;

	id = new_article(f, "en", "Feedback target", "public", "text");
	assert_int_equal(kb_vote(f->s, id, "r1", false, "No screenshot"),
	    P_OK);
	assert_int_equal(kb_vote(f->s, id, "r2", false, "Port 465 missing"),
	    P_OK);
	assert_int_equal(kb_vote(f->s, id, "r3", true, "ignored? no: kept"),
	    P_OK);
	assert_int_equal(kb_feedback_list(f->s, f->a, id, 2, &v, &n, &total),
	    P_OK);
	assert_int_equal(total, 3);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].comment, "ignored? no: kept");
	assert_string_equal(v[1].comment, "Port 465 missing");
	assert_int_equal(kb_feedback_list(f->s, f->a, 5, 10, &v, &n, NULL),
	    P_OK);
}

static void
test_miss_log_read_back(void **state)
{
	struct testdb	*f = *state;
	struct kb_results r;
	struct kb_miss	*v;
	size_t		 n, i;
	long long	 total;

	/* Three misses of one query, one of another; an address is never
	 * kept. */
	for (i = 0; i < 3; i++)
		r = search(f, "Frobnicate Xylophagous", "en");
	assert_int_equal(r.total, 0);
	r = search(f, "qwxz jane.doe@example.org", "fr");
	assert_int_equal(r.total, 0);
	assert_int_equal(kb_misses(f->s, f->a, NULL, 100, &v, &n, &total),
	    P_OK);
	assert_true(n >= 2);
	assert_int_equal((long long)n, total);
	for (i = 1; i < n; i++)
		assert_true(v[i - 1].hits >= v[i].hits);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].query, "frobnicate xylophagous") == 0)
			break;
	assert_true(i < n);
	assert_string_equal(v[i].lang, "en");
	assert_int_equal(v[i].hits, 3);
	assert_true(v[i].last_at >= v[i].first_at);
	for (i = 0; i < n; i++)
		assert_null(strstr(v[i].query, "@"));
	/* The language filter. */
	assert_int_equal(kb_misses(f->s, f->a, "fr", 100, &v, &n, &total),
	    P_OK);
	for (i = 0; i < n; i++)
		assert_string_equal(v[i].lang, "fr");
	for (i = 0; i < n; i++)
		if (strcmp(v[i].query, "qwxz [address]") == 0)
			break;
	assert_true(i < n);
	/* Forgetting: once, then it is gone. */
	assert_int_equal(kb_miss_forget(f->s, "frobnicate xylophagous", "en"),
	    P_OK);
	assert_int_equal(kb_miss_forget(f->s, "frobnicate xylophagous", "en"),
	    P_ENOTFOUND);
	assert_int_equal(kb_misses(f->s, f->a, "en", 100, &v, &n, NULL), P_OK);
	for (i = 0; i < n; i++)
		assert_string_not_equal(v[i].query, "frobnicate xylophagous");
}

static void
test_changed_since(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	*v;
	long long		*ids, t, id, last_t = 0, last_id = 0;
	size_t			 n, nids, seen = 0, i, pages = 0;
	bool			 found = false;

	id = new_article(f, "fr", "Synchro : interne", "internal", "s");
	/* Everything, three at a time, in (changed_at, id) order. */
	do {
		assert_int_equal(kb_changed_since(f->s, f->a, 0, last_t,
		    last_id, true, 3, &v, &n), P_OK);
		for (i = 0; i < n; i++) {
			assert_true(v[i].changed_at > last_t ||
			    (v[i].changed_at == last_t && v[i].id > last_id));
			last_t = v[i].changed_at;
			last_id = v[i].id;
			found = found || v[i].id == id;
		}
		seen += n;
		pages++;
	} while (n == 3 && pages < 1000);
	assert_true(found);
	assert_int_equal(kb_article_ids(f->s, f->a, true, &ids, &nids), P_OK);
	assert_int_equal(seen, nids);
	for (i = 1; i < nids; i++)
		assert_true(ids[i - 1] < ids[i]);
	/* Public only: the internal one is left out. */
	assert_int_equal(kb_changed_since(f->s, f->a, 0, 0, 0, false, 500,
	    &v, &n), P_OK);
	for (i = 0; i < n; i++)
		assert_int_not_equal(v[i].id, id);
	/* In the future: nothing. */
	t = (long long)time(NULL) + 3600;
	assert_int_equal(kb_changed_since(f->s, f->a, t, 0, 0, true, 10, &v,
	    &n), P_OK);
	assert_int_equal(n, 0);
}

static void
test_looks_like_error(void **state)
{
	static const struct {
		const char	*q;
		bool		 want;
	} cases[] = {
		{ "550 5.1.1", true }, { "5.7.1", true },
		{ "0x800CCC0E", true }, { "erreur 0x800ccc0f outlook", true },
		{ "550", true }, { "421-mx.example.net busy", true },
		{ "host said: 554 Rejected", true },
		{ "Remote Server returned '550 RecipNotFound'", true },
		{ "Diagnostic-Code: smtp; x", true },
		{ "boite pleine", false }, { "quota 500 messages", false },
		{ "port 587", false }, { "version 15.2.1.3", false },
		{ "ip 192.0.2.1", false }, { "", false }, { "0x800CC", false },
		{ "5550", false },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (kb_looks_like_error(cases[i].q) != cases[i].want)
			fail_msg("\"%s\": got %d, want %d", cases[i].q,
			    !cases[i].want, cases[i].want);
	assert_false(kb_looks_like_error(NULL));
}

/* The API write scope: named, parsed, and carried by a key. */
static void
test_faq_write_scope(void **state)
{
	struct testdb		*f = *state;
	struct auth_principal	 p;
	char			 key[AUTH_KEY_LEN + 1];
	unsigned		 m = 0;
	long long		 id;

	assert_string_equal(auth_scope_name(AUTH_FAQ_WRITE), "faq:write");
	assert_int_equal(auth_scopes_parse("faq:write, blocks:read", &m),
	    P_OK);
	assert_int_equal(m, AUTH_FAQ_WRITE | AUTH_BLOCKS_READ);
	assert_int_equal(auth_scopes_parse("faq:writ", &m), P_EINVAL);
	assert_non_null(strstr(auth_scopes_format(f->a, AUTH_FAQ_WRITE),
	    "faq:write"));
	assert_int_equal(auth_key_create(f->s, "ticketing", AUTH_FAQ_WRITE,
	    key, &id), P_OK);
	assert_int_equal(auth_key_check(f->s, f->a, key, &p), P_OK);
	assert_true(p.scopes & AUTH_FAQ_WRITE);
	assert_int_equal(auth_key_create(f->s, "reader", AUTH_BLOCKS_READ,
	    key, &id), P_OK);
	assert_int_equal(auth_key_check(f->s, f->a, key, &p), P_OK);
	assert_false(p.scopes & AUTH_FAQ_WRITE);
}

/* Staff rules in the store: added last, replaced, kept apart from the
 * seed ones, enabled and disabled, left out of a trial set. */
static void
test_staff_rules_store(void **state)
{
	static const char seed[] =
	    "id: seed-one\nreason: userunknown\npattern: nobody here\n"
	    "example: 550 nobody here\n\n"
	    "id: seed-two\nreason: mailboxfull\npattern: box is full\n"
	    "example: 552 box is full\n";
	struct testdb		*f = *state;
	struct store_rule	*v, r;
	struct buf		 b;
	size_t			 n;
	int			 added, count;

	assert_int_equal(store_rules_seed(f->s, seed, strlen(seed), &added),
	    P_OK);
	assert_int_equal(added, 2);
	assert_int_equal(store_rule_put_staff(f->s, "staff-x",
	    "id: staff-x\nreason: blocked\npattern: acme says no\n"), P_OK);
	assert_int_equal(store_rules_list(f->s, f->a, &v, &n), P_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[2].id, "staff-x");
	assert_string_equal(v[2].source, "staff");
	assert_true(v[2].enabled);
	assert_true(v[2].position > v[1].position);
	/* A staff rule's body can change; a seed rule's id is refused. */
	assert_int_equal(store_rule_put_staff(f->s, "staff-x",
	    "id: staff-x\nreason: blocked\npattern: acme refuses\n"), P_OK);
	assert_int_equal(store_rule_get(f->s, f->a, "staff-x", &r), P_OK);
	assert_non_null(strstr(r.body, "acme refuses"));
	assert_int_equal(store_rule_put_staff(f->s, "seed-one", "id: x\n"),
	    P_ECONFLICT);
	assert_int_equal(store_rule_get(f->s, f->a, "seed-one", &r), P_OK);
	assert_string_equal(r.source, "seed");
	assert_int_equal(store_rule_get(f->s, f->a, "nope", &r), P_ENOTFOUND);
	/* Disabled rules leave the text the engine is built from. */
	assert_int_equal(store_rule_enable(f->s, "seed-two", false), P_OK);
	assert_int_equal(store_rule_enable(f->s, "nope", false), P_ENOTFOUND);
	buf_init(&b, 1 << 20);
	assert_int_equal(store_rules_text(f->s, &b, &count), P_OK);
	assert_int_equal(count, 2);
	assert_null(strstr(buf_str(&b), "seed-two"));
	buf_reset(&b);
	assert_int_equal(store_rules_text_except(f->s, "staff-x", &b,
	    &count), P_OK);
	assert_int_equal(count, 1);
	assert_null(strstr(buf_str(&b), "staff-x"));
	assert_non_null(strstr(buf_str(&b), "seed-one"));
	buf_cleanup(&b);
	assert_int_equal(store_rule_enable(f->s, "seed-two", true), P_OK);
	assert_int_equal(store_rule_get(f->s, f->a, "seed-two", &r), P_OK);
	assert_true(r.enabled);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accents_and_case),
		cmocka_unit_test(test_stemming),
		cmocka_unit_test(test_typos),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_title_first),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_pagination),
		cmocka_unit_test(test_hostile_syntax),
		cmocka_unit_test(test_internal_hidden),
		cmocka_unit_test(test_votes),
		cmocka_unit_test(test_revisions),
		cmocka_unit_test(test_seed_idempotent),
		cmocka_unit_test(test_seed_parse),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_misses_logged),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_text_helpers),
		cmocka_unit_test(test_save_checks),
		cmocka_unit_test(test_revision_restore),
		cmocka_unit_test(test_admin_list),
		cmocka_unit_test(test_feedback_read_back),
		cmocka_unit_test(test_miss_log_read_back),
		cmocka_unit_test(test_changed_since),
		cmocka_unit_test(test_looks_like_error),
		cmocka_unit_test(test_faq_write_scope),
		cmocka_unit_test(test_staff_rules_store),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
