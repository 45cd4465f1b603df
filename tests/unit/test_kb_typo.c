/* test_kb_typo.c - the typo correction of the FAQ search and its
 * in-memory vocabulary (src/kb/search.c) against a real SQLite file: the
 * cached vocabulary follows every article write, on the same connection
 * and on another one, and the choice among near words is the one the
 * scan of fts5vocab made (distance, then the same first letter, then the
 * number of documents). The articles are made here, not the seed. */
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

#include "testdb.h"

static int
setup(void **state)
{
	*state = testdb_open_bare("test_kb_typo");
	return 0;
}

static int
teardown(void **state)
{
	testdb_close(*state);
	return 0;
}

static long long
add(struct store *s, const char *lang, const char *title, const char *body)
{
	struct kb_article	 a;

	memset(&a, 0, sizeof(a));
	a.lang = lang;
	a.title = title;
	a.category = "Mail::Test";
	a.state = "public";
	a.keywords = "";
	a.tags = "";
	a.symptom = body;
	a.problem = "";
	a.solution = "";
	assert_int_equal(kb_article_create(s, &a, "test"), P_OK);
	assert_true(a.id > 0);
	return a.id;
}

static struct kb_results
search(struct store *s, struct arena *a, const char *q, const char *lang)
{
	struct kb_results	 r;

	assert_int_equal(kb_search(s, a, q, lang, NULL, 1, 10, false, &r),
	    P_OK);
	return r;
}

/* Every write changes the generation the cache is keyed by. */
static void
test_generation_bumps(void **state)
{
	struct testdb	*f = *state;
	long long	 g0, g1, g2, id;

	assert_int_equal(store_kb_generation(f->s, &g0), P_OK);
	id = add(f->s, "fr", "Gribouillage", "Un texte.");
	assert_int_equal(store_kb_generation(f->s, &g1), P_OK);
	assert_true(g1 > g0);
	assert_int_equal(kb_article_delete(f->s, id), P_OK);
	assert_int_equal(store_kb_generation(f->s, &g2), P_OK);
	assert_true(g2 > g1);
	/* A failed delete changes nothing. */
	assert_int_equal(kb_article_delete(f->s, id), P_ENOTFOUND);
	assert_int_equal(store_kb_generation(f->s, &g1), P_OK);
	assert_int_equal(g1, g2);
}

/* The cached vocabulary sees words added, changed and deleted. */
static void
test_cache_follows_writes(void **state)
{
	struct testdb		*f = *state;
	struct kb_article	 a;
	struct kb_results	 r;
	long long		 w, q;

	w = add(f->s, "fr", "Le wombatier", "Le wombatier garde la boite.");
	r = search(f->s, f->a, "wombatiar", "fr");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "wombatier");
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, w);
	/* Not in the cache built above: found once written. */
	q = add(f->s, "fr", "Quiproquolet", "Un quiproquolet de courrier.");
	r = search(f->s, f->a, "quiproqolet", "fr");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "quiproquolet");
	assert_int_equal(r.hits[0].id, q);
	/* An edit drops the old word and brings a new one. */
	assert_int_equal(kb_article_get(f->s, f->a, w, true, &a), P_OK);
	a.title = "Le marsupiel";
	a.symptom = "Le marsupiel garde la boite.";
	assert_int_equal(kb_article_update(f->s, &a, "test"), P_OK);
	r = search(f->s, f->a, "wombatiar", "fr");
	assert_int_equal(r.total, 0);
	assert_null(r.did_you_mean);
	r = search(f->s, f->a, "marsupial", "fr");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "marsupiel");
	/* A deleted article's words are no longer offered. */
	assert_int_equal(kb_article_delete(f->s, q), P_OK);
	r = search(f->s, f->a, "quiproqolet", "fr");
	assert_int_equal(r.total, 0);
	assert_null(r.did_you_mean);
}

/* A write through another connection of the same file is seen too. */
static void
test_cache_other_connection(void **state)
{
	struct testdb		*f = *state;
	struct kb_results	 r;
	struct store		*s2;
	char			 err[256];
	long long		 id;

	add(f->s, "en", "Flumpering", "The flumpering of the mailbox.");
	r = search(f->s, f->a, "flumperng", "en");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "flumpering");
	s2 = store_open(f->path, false, err, sizeof(err));
	if (s2 == NULL)
		fail_msg("store_open: %s", err);
	id = add(s2, "en", "Snorklewise", "Snorklewise delivery.");
	r = search(f->s, f->a, "snorklewse", "en");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "snorklewise");
	assert_int_equal(r.total, 1);
	assert_int_equal(r.hits[0].id, id);
	store_close(s2);
}

/* Among words at the same distance: the same first letter, then the
 * most documents; the language filter applies to the candidates. */
static void
test_choice_among_near_words(void **state)
{
	struct testdb		*f = *state;
	struct kb_results	 r;
	long long		 bolk;

	add(f->s, "en", "Tolk one", "tolk");
	add(f->s, "en", "Tolk two", "tolk");
	add(f->s, "en", "Tolk three", "tolk");
	bolk = add(f->s, "en", "Bolk", "bolk");
	/* "bolx": "bolk" is 1 away, "tolk" 2: the distance first. */
	r = search(f->s, f->a, "bolx", "en");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "bolk");
	assert_int_equal(r.hits[0].id, bolk);
	/* "xolk": both 1 away, no first letter shared: more documents. */
	r = search(f->s, f->a, "xolk", "en");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "tolk");
	/* "btolk": both 1 away; the shared first letter wins over the
	 * documents. */
	r = search(f->s, f->a, "btolk", "en");
	assert_non_null(r.did_you_mean);
	assert_string_equal(r.did_you_mean, "bolk");
	/* A word of the other language is not offered. */
	r = search(f->s, f->a, "bolx", "fr");
	assert_null(r.did_you_mean);
	assert_int_equal(r.total, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generation_bumps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cache_follows_writes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_other_connection,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_choice_among_near_words,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
