/* test_kb_rank.c - the ranked search of the knowledge base
 * (src/store/store_kbrank.c) against FTS5's own bm25() on a real SQLite
 * file of 720 made-up articles: whether a language is answered through
 * FTS5 or from the in-memory frequency tables (every phrase matching 256
 * articles or more), the rows, their order, their scores and the total
 * are those of the plain SQL query the store used to run, on a second
 * connection that shares nothing with the store's caches. For AND and OR
 * queries, prefix phrases, both languages, category and state filters,
 * deep pages; and again after edits that change the lengths, states,
 * categories and the set of articles, and after a rolled-back write. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

#define ARTICLES	720
#define ROWS_MAX	(ARTICLES + 16)

#include "testdb.h"

struct fixture {
	struct testdb	*db;
	struct store	*s;		/* db->s */
	const char	*path;		/* db->path */
	sqlite3		*ref;		/* the reference connection */
};

/* The query of the store before store_kbrank.c: bm25 with the weights
 * title 10, keywords 6, body 1, joined with the articles for filters. */
#define REF_SELECT(L) \
    "SELECT kb_fts_" L ".rowid, '" L "', " \
    "bm25(kb_fts_" L ", 10.0, 6.0, 1.0) AS score FROM kb_fts_" L \
    " JOIN kb_articles a ON a.id = kb_fts_" L ".rowid " \
    "WHERE kb_fts_" L " MATCH ?1 AND ?2 IN ('', '" L "') AND " \
    "(?3 = '' OR a.category = ?3 OR " \
    "substr(a.category, 1, length(?3) + 2) = ?3 || '::') AND " \
    "(a.state = 'public' OR ?4)"
static const char REF_SQL[] =
    "SELECT * FROM (" REF_SELECT("fr") " UNION ALL " REF_SELECT("en")
    ") ORDER BY score, 1";

static const char *const words_en[] = {
	"message", "server", "quota", "mailbox", "sending", "password",
	"error", "domain", "filter", "record",
};
static const char *const words_fr[] = {
	"message", "serveur", "quota", "boîte", "envoi", "bloqué", "erreur",
	"domaine", "filtre", "délai",
};
static const char *const rare[] = { "zebra", "quokka", "narval" };
static const char *const categories[] = {
	"Mail", "Mail::Sending", "Mail::Bounces", "Hosting::Web", "Mailbox",
};

static unsigned long long rng = 0x2545f4914f6cdd1dULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Words from the list, most of them, a rare one now and then. */
static char *
text(const char *const *w, unsigned words)
{
	struct buf	 b;
	unsigned	 i;
	char		*out;

	buf_init(&b, 4096);
	for (i = 0; i < words; i++) {
		if (i > 0)
			assert_int_equal(buf_putc(&b, ' '), 0);
		if (rnd(40) == 0)
			assert_int_equal(buf_puts(&b, rare[rnd(3)]), 0);
		else
			assert_int_equal(buf_puts(&b, w[rnd(10) % (1 +
			    rnd(10))]), 0);
	}
	out = buf_take(&b, NULL);
	assert_non_null(out);
	buf_cleanup(&b);
	return out;
}

static void
add_article(struct store *s, int i)
{
	struct kb_article	 a;
	const char *const	*w = i % 2 == 0 ? words_fr : words_en;
	char			*t[5];
	int			 k;

	memset(&a, 0, sizeof(a));
	a.lang = i % 2 == 0 ? "fr" : "en";
	for (k = 0; k < 5; k++)
		t[k] = text(w, k == 0 ? 3 + rnd(5) : k == 1 ? 2 + rnd(6) :
		    5 + rnd(60));
	a.title = t[0];
	a.keywords = t[1];
	a.symptom = t[2];
	a.problem = t[3];
	a.solution = t[4];
	a.tags = "";
	a.category = categories[rnd(5)];
	a.state = rnd(10) == 0 ? "internal" : "public";
	assert_int_equal(kb_article_create(s, &a, "test"), P_OK);
	for (k = 0; k < 5; k++)
		free(t[k]);
}

static int
setup(void **state)
{
	struct fixture	*f;
	int		 i;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->db = testdb_open_bare("test_kb_rank");
	f->s = f->db->s;
	f->path = f->db->path;
	assert_int_equal(store_begin(f->s), P_OK);
	for (i = 0; i < ARTICLES; i++)
		add_article(f->s, i);
	assert_int_equal(store_commit(f->s), P_OK);
	assert_int_equal(sqlite3_open_v2(f->path, &f->ref,
	    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(kb_fts_register(f->ref), P_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	sqlite3_close(f->ref);
	testdb_close(f->db);
	free(f);
	return 0;
}

/* Every row of the reference, best first. */
static int
reference(sqlite3 *db, const char *match, const char *lang,
    const char *category, bool internal, struct kb_hitrow *rows)
{
	sqlite3_stmt	*st;
	const char	*l;
	int		 n = 0, rc;

	assert_int_equal(sqlite3_prepare_v2(db, REF_SQL, -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lang != NULL ? lang : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, category != NULL ? category : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 4, internal);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		assert_true(n < ROWS_MAX);
		rows[n].id = sqlite3_column_int64(st, 0);
		l = (const char *)sqlite3_column_text(st, 1);
		memcpy(rows[n].lang, l, 3);
		rows[n].score = sqlite3_column_double(st, 2);
		n++;
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	return n;
}

/* The store's answer for one page equals the reference's slice. */
static void
same_page(struct fixture *f, const char *match, const char *lang,
    const char *category, bool internal, int offset, int max)
{
	static struct kb_hitrow	 ref[ROWS_MAX], got[ROWS_MAX];
	long long		 total = -1;
	int			 nref, ngot = -1, i, want;

	nref = reference(f->ref, match, lang, category, internal, ref);
	assert_int_equal(store_kb_match(f->s, match, lang, category,
	    internal, offset, max, got, &ngot, &total), P_OK);
	if (total != nref)
		fail_msg("%s [%s/%s/%d]: total %lld, bm25() %d", match,
		    lang != NULL ? lang : "", category != NULL ? category : "",
		    internal, total, nref);
	want = nref - offset < 0 ? 0 : nref - offset > max ? max :
	    nref - offset;
	assert_int_equal(ngot, want);
	for (i = 0; i < ngot; i++) {
		if (got[i].id != ref[offset + i].id ||
		    strcmp(got[i].lang, ref[offset + i].lang) != 0 ||
		    fabs(got[i].score - ref[offset + i].score) > 1e-12 *
		    fmax(1.0, fabs(ref[offset + i].score)))
			fail_msg("%s: row %d is %lld (%s) %.17g, bm25() has "
			    "%lld (%s) %.17g", match, offset + i, got[i].id,
			    got[i].lang, got[i].score, ref[offset + i].id,
			    ref[offset + i].lang, ref[offset + i].score);
	}
}

static const struct {
	const char	*match, *lang;
} queries[] = {
	{ "\"message\" \"server\"", "en" },	/* broad AND */
	{ "\"message\" OR \"quota\"", "en" },	/* broad OR */
	{ "\"message\" OR \"zebra\"", "en" },	/* a rare phrase: FTS5 */
	{ "\"serveur\" \"bloqué\"", "fr" },
	{ "\"bloque\"", "fr" },			/* accents folded */
	{ "\"message\"", NULL },		/* both languages */
	{ "\"quota\" \"mess\"*", NULL },	/* a prefix phrase */
	{ "\"zebra\" \"quokka\"", NULL },
	{ "\"nothing\"", "en" },
};

static void
all_pages(struct fixture *f)
{
	static const char *const cats[] = { NULL, "Mail", "Mail::Sending",
	    "Hosting" };
	size_t	 q, c;
	int	 internal;

	for (q = 0; q < sizeof(queries) / sizeof(queries[0]); q++)
		for (c = 0; c < sizeof(cats) / sizeof(cats[0]); c++)
			for (internal = 0; internal <= 1; internal++) {
				same_page(f, queries[q].match, queries[q].lang,
				    cats[c], internal, 0, 10);
				same_page(f, queries[q].match, queries[q].lang,
				    cats[c], internal, 7, 5);
			}
	/* Past the insertion buffer: every row collected, then sorted. */
	same_page(f, "\"message\"", NULL, NULL, true, 290, 50);
	same_page(f, "\"message\" OR \"zebra\"", "en", NULL, false, 250, 50);
	same_page(f, "\"message\"", "fr", NULL, false, 5000, 10);
}

/* Three passes: the first counts the phrases through FTS5, the second
 * builds the tables of the broad ones, the third reads them. */
static void
test_same_as_bm25(void **state)
{
	struct fixture		*f = *state;
	struct kb_rank_stats	 st;
	int			 pass;

	for (pass = 0; pass < 3; pass++)
		all_pages(f);
	store_kb_rank_stats(f->s, &st);
	/* Both ways were taken, the tables built once each. */
	assert_true(st.from_memory > 100);
	assert_true(st.from_fts > 100);
	assert_true(st.tables_built >= 4 && st.tables_built <= 16);
	assert_int_equal(st.loads, 1);
}

/* Edits change the generation: the tables follow. */
static void
test_after_edits(void **state)
{
	struct fixture		*f = *state;
	struct kb_rank_stats	 before, after;
	struct kb_article	 a;
	struct arena		*ar;

	all_pages(f);
	store_kb_rank_stats(f->s, &before);
	ar = arena_new(0);
	assert_non_null(ar);
	assert_int_equal(store_begin(f->s), P_OK);
	/* Longer, moved to another category, made internal, deleted. */
	assert_int_equal(kb_article_get(f->s, ar, 2, true, &a), P_OK);
	a.solution = "message message message server server quota zebra";
	a.category = "Hosting::Web";
	assert_int_equal(kb_article_update(f->s, &a, "test"), P_OK);
	assert_int_equal(kb_article_get(f->s, ar, 4, true, &a), P_OK);
	a.state = strcmp(a.state, "internal") == 0 ? "public" : "internal";
	assert_int_equal(kb_article_update(f->s, &a, "test"), P_OK);
	assert_int_equal(kb_article_delete(f->s, 6), P_OK);
	add_article(f->s, 1);
	add_article(f->s, 2);
	assert_int_equal(store_commit(f->s), P_OK);
	arena_free(ar);
	all_pages(f);
	all_pages(f);
	store_kb_rank_stats(f->s, &after);
	assert_int_equal(after.loads, before.loads + 1);
	assert_true(after.tables_built > before.tables_built);
	assert_true(after.from_memory > before.from_memory);
}

/* A save through the knowledge base (as the portal and the API save)
 * rebuilds the writer's tables at once; its searches then agree. */
static void
test_save_warms(void **state)
{
	struct fixture		*f = *state;
	struct kb_rank_stats	 before, after;
	struct kb_article	 a;
	struct arena		*ar;

	all_pages(f);
	store_kb_rank_stats(f->s, &before);
	ar = arena_new(0);
	assert_non_null(ar);
	assert_int_equal(kb_article_get(f->s, ar, 3, true, &a), P_OK);
	a.title = "message server quota quota";
	assert_int_equal(kb_article_save(f->s, &a, "test"), P_OK);
	store_kb_rank_stats(f->s, &after);
	assert_int_equal(after.loads, before.loads + 1);
	assert_int_equal(kb_article_remove(f->s, 5), P_OK);
	store_kb_rank_stats(f->s, &before);
	assert_int_equal(before.loads, after.loads + 1);
	assert_int_equal(kb_article_remove(f->s, 5), P_ENOTFOUND);
	arena_free(ar);
	all_pages(f);
	store_kb_rank_stats(f->s, &after);
	assert_int_equal(after.loads, before.loads);
}

/* A write through another connection is seen by this one. */
static void
test_other_connection(void **state)
{
	struct fixture	*f = *state;
	struct store	*w;
	char		 err[256];

	all_pages(f);
	w = store_open(f->path, false, err, sizeof(err));
	assert_non_null(w);
	add_article(w, 3);
	assert_int_equal(kb_article_delete(w, 8), P_OK);
	store_close(w);
	all_pages(f);
}

/* A search inside a transaction that is rolled back, then a write of
 * another connection that brings the generation to the same number (and
 * the new article to the same id): nothing of the rolled-back state may
 * be served. */
static void
test_rollback(void **state)
{
	struct fixture	*f = *state;
	struct kb_hitrow rows[10];
	struct store	*w;
	long long	 total = 0;
	char		 err[256];
	int		 n = 0, pass;

	all_pages(f);
	assert_int_equal(store_begin(f->s), P_OK);
	add_article(f->s, 5);
	for (pass = 0; pass < 3; pass++)
		assert_int_equal(store_kb_match(f->s, "\"message\" \"server\"",
		    "en", NULL, true, 0, 10, rows, &n, &total), P_OK);
	assert_int_equal(store_rollback(f->s), P_OK);
	w = store_open(f->path, false, err, sizeof(err));
	assert_non_null(w);
	add_article(w, 7);
	store_close(w);
	all_pages(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_bm25, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_after_edits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_other_connection, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_save_warms, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("test_kb_rank", tests, NULL, NULL);
}
