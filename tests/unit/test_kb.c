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
#include <unistd.h>

#include <cmocka.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct fixture {
	char		 path[64];
	struct store	*s;
	struct arena	*a;
};

static int
setup(void **state)
{
	struct fixture	*f;
	char		 err[256];
	int		 fd, added = 0;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->path, sizeof(f->path), "/tmp/test_kb.XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	f->s = store_open(f->path, false, err, sizeof(err));
	if (f->s == NULL)
		fail_msg("store_open: %s", err);
	if (store_migrate(f->s, "db/migrations", NULL, NULL, err,
	    sizeof(err)) != P_OK)
		fail_msg("migrate: %s", err);
	if (kb_seed_dir_count(f->s, "db/seed/faq", &added, err,
	    sizeof(err)) != P_OK)
		fail_msg("seed: %s", err);
	if (added < 24)
		fail_msg("seed added %d articles, want at least 24", added);
	f->a = arena_new(0);
	assert_non_null(f->a);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 p[80];

	arena_free(f->a);
	store_close(f->s);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
	return 0;
}

static struct kb_results
search(struct fixture *f, const char *q, const char *lang)
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
want_top(struct fixture *f, const char *q, const char *lang,
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
	struct fixture	*f = *state;

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
	struct fixture	*f = *state;
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
	struct fixture	*f = *state;
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
	struct fixture	*f = *state;
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
	struct fixture		*f = *state;
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
	struct fixture	*f = *state;
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
	struct fixture		*f = *state;
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
	struct fixture	*f = *state;
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
	struct fixture		*f = *state;
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
	struct fixture		*f = *state;
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
	struct fixture		*f = *state;
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
	struct fixture		*f = *state;
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
	struct fixture	*f = *state;
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
	struct fixture	*f = *state;
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
	struct fixture	*f = *state;
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
	struct fixture		*f = *state;
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
