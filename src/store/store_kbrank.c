/* src/store/store_kbrank.c - the ranked search of the knowledge base.
 *
 * The score is FTS5's bm25() with the weights title 10, keywords 6, body 1;
 * only the way to it differs. bm25() reads each matching row's length
 * from the %_docsize table, a b-tree lookup per row, and the state and
 * category of each match came from a join: a broad query ("mailing list"
 * matches most of a dense 10,000-article base) spent 10 ms there. So each
 * connection keeps in memory, per generation of the knowledge base
 * (triggers bump it with every write that touches the index, the state or
 * the category: 010_kb_generation.sql):
 *
 *  - every article's length in tokens, language, state and category;
 *  - how many articles each phrase met so far matches (its IDF);
 *  - for the broad phrases (HOT_MIN articles or more), the weighted
 *    frequency of the phrase in every article, built by one scan.
 *
 * A query whose phrases are all broad is then answered from memory; any
 * other runs through FTS5 with bd_rank(), which computes the same score
 * from the table of lengths and answers NULL for the rows the reader may
 * not see, without decoding their positions. Either way the best rows are
 * kept while the matches stream by: no window, no sort of the whole set. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "store_int.h"

#define PHRASES_MAX	64
#define KEY_MAX		56	/* "e:word", "f:wor*" */
#define COUNT_SLOTS	1024	/* remembered phrase document counts */
#define HOT_TERMS	32	/* phrases with a frequency table */
#define HOT_BYTES	(2 << 20)	/* ... of at most this many bytes */
#define HOT_MIN		256	/* ... when they match this many articles */
#define TOPN_INSERT	256	/* deeper pages collect everything, then sort */
#define BM25_K1		1.2
#define BM25_B		0.75

/* The columns of kb_fts_fr and kb_fts_en: title, keywords (and tags),
 * body. Whole numbers, so that a weighted frequency is exact in a
 * uint32_t. */
static const unsigned weight[3] = { 10, 6, 1 };

struct kbdoc {
	long long	 id;
	int		 len;		/* tokens, all columns */
	unsigned	 cat : 31;	/* index in kbrank.cats */
	unsigned	 internal : 1;
};

struct countslot {
	char		 key[KEY_MAX];	/* "" free */
	long long	 nhit;
};

struct hotterm {
	char		 key[KEY_MAX];	/* "" free */
	uint32_t	*f;		/* per article of the language, by index */
	long long	 nhit;
};

/* The articles of one language, by id, ascending. */
struct kblang {
	struct kbdoc	*docs;
	size_t		 n, cap;
	long long	 ntok;		/* tokens, all articles */
};

struct kbrank {
	long long	 gen;
	bool		 ready;
	bool		 stale;		/* a row was missing during a query */
	struct kblang	 lang[2];	/* fr, en */
	char		**cats;		/* distinct category paths */
	size_t		 ncats, catcap;
	struct countslot count[COUNT_SLOTS];
	size_t		 ncount;
	struct hotterm	 hot[HOT_TERMS];
	unsigned	 nexthot;	/* the slot to reuse next */
	struct kb_rank_stats stats;
};

/* A MATCH expression of the search, understood: quoted phrases joined by
 * spaces (all must match) or by OR (any may). */
struct parsed {
	char		 keys[PHRASES_MAX][KEY_MAX];
	int		 n;
	bool		 any;		/* OR */
};

/* What one FTS5 query decides once (auxiliary data of bd_rank). */
struct rankq {
	int		 nphrase;
	double		 avgdl;
	double		 idf[PHRASES_MAX];
	int		 en;
	bool		 internal;
	unsigned char	*catok;		/* per category: passes the filter */
	size_t		 pos;		/* FTS5 gives rows by rowid, ascending */
};

/* The lengths come from FTS5's own table of them (columnsize=1: one
 * varint per column, in tokens), the rest from the articles. */
static const char SQL_KB_RANK_LOAD[] =
    "SELECT a.id, a.state = 'internal', a.category, d.sz, 0 "
    "FROM kb_articles a JOIN kb_fts_fr_docsize d ON d.id = a.id "
    "WHERE a.lang = 'fr' UNION ALL "
    "SELECT a.id, a.state = 'internal', a.category, d.sz, 1 "
    "FROM kb_articles a JOIN kb_fts_en_docsize d ON d.id = a.id "
    "WHERE a.lang = 'en' ORDER BY 1";
static const char SQL_KB_SNAP[] = "SAVEPOINT kb_rank";
static const char SQL_KB_SNAP_END[] = "RELEASE kb_rank";
static const char SQL_KB_RANK_FR[] =
    "SELECT rowid, bd_rank(kb_fts_fr, ?2, ?3, ?1, 'fr') FROM kb_fts_fr "
    "WHERE kb_fts_fr MATCH ?1";
static const char SQL_KB_RANK_EN[] =
    "SELECT rowid, bd_rank(kb_fts_en, ?2, ?3, ?1, 'en') FROM kb_fts_en "
    "WHERE kb_fts_en MATCH ?1";
static const char SQL_KB_COUNT_FR[] =
    "SELECT count(*) FROM kb_fts_fr WHERE kb_fts_fr MATCH ?1";
static const char SQL_KB_COUNT_EN[] =
    "SELECT count(*) FROM kb_fts_en WHERE kb_fts_en MATCH ?1";
static const char SQL_KB_FREQ_FR[] =
    "SELECT rowid, bd_freq(kb_fts_fr) FROM kb_fts_fr WHERE kb_fts_fr MATCH ?1";
static const char SQL_KB_FREQ_EN[] =
    "SELECT rowid, bd_freq(kb_fts_en) FROM kb_fts_en WHERE kb_fts_en MATCH ?1";

/* ---- the table of articles ---- */

static void
hot_clear(struct kbrank *r)
{
	size_t	 i;

	for (i = 0; i < HOT_TERMS; i++) {
		free(r->hot[i].f);
		r->hot[i].f = NULL;
		r->hot[i].key[0] = '\0';
	}
	r->nexthot = 0;
}

static void
rank_clear(struct kbrank *r)
{
	size_t	 i;

	for (i = 0; i < r->ncats; i++)
		free(r->cats[i]);
	free(r->cats);
	r->cats = NULL;
	r->ncats = r->catcap = 0;
	for (i = 0; i < 2; i++) {
		free(r->lang[i].docs);
		memset(&r->lang[i], 0, sizeof(r->lang[i]));
	}
	memset(r->count, 0, sizeof(r->count));
	r->ncount = 0;
	hot_clear(r);
	r->ready = false;
}

static int
cat_index(struct kbrank *r, const char *cat, unsigned *out)
{
	size_t	 i, cap;
	void	*p;

	/* Few categories: the latest are the likeliest. */
	for (i = r->ncats; i-- > 0; )
		if (strcmp(r->cats[i], cat) == 0) {
			*out = (unsigned)i;
			return P_OK;
		}
	if (r->ncats >= (1u << 30) - 1)
		return P_ETOOBIG;
	if (r->ncats == r->catcap) {
		cap = r->catcap == 0 ? 16 : r->catcap * 2;
		if ((p = realloc(r->cats, cap * sizeof(*r->cats))) == NULL)
			return P_ENOMEM;
		r->cats = p;
		r->catcap = cap;
	}
	if ((r->cats[r->ncats] = strdup(cat)) == NULL)
		return P_ENOMEM;
	*out = (unsigned)r->ncats++;
	return P_OK;
}

static int
doc_add(struct kblang *l, const struct kbdoc *d)
{
	size_t	 cap;
	void	*p;

	/* The rows come in id order: the table stays sorted. */
	if (l->n > 0 && l->docs[l->n - 1].id >= d->id)
		return P_EINVAL;
	if (l->n == l->cap) {
		cap = l->cap == 0 ? 1024 : l->cap * 2;
		if ((p = realloc(l->docs, cap * sizeof(*l->docs))) == NULL)
			return P_ENOMEM;
		l->docs = p;
		l->cap = cap;
	}
	l->docs[l->n++] = *d;
	l->ntok += d->len;
	return P_OK;
}

/* The article id, looked for from *pos on: the rows of one query come in
 * ascending order, so a few steps forward usually find it; a jump
 * (a rare word) falls back to a binary search. */
static const struct kbdoc *
doc_find(const struct kblang *l, long long id, size_t *pos)
{
	size_t	 lo = *pos, hi = l->n, mid, end;

	if (lo > hi || (lo > 0 && l->docs[lo - 1].id >= id))
		lo = 0;		/* not ascending after all */
	for (end = lo + 8 < hi ? lo + 8 : hi; lo < end; lo++)
		if (l->docs[lo].id >= id)
			break;
	if (lo == end)
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (l->docs[mid].id < id)
				lo = mid + 1;
			else
				hi = mid;
		}
	*pos = lo;
	return lo < l->n && l->docs[lo].id == id ? &l->docs[lo] : NULL;
}

/* The sum of the varints of a %_docsize blob (SQLite's varint format). */
static int
docsize_total(const unsigned char *p, int n)
{
	long long	 total = 0;
	uint64_t	 v;
	int		 i = 0, k;

	while (i < n) {
		v = 0;
		for (k = 0; k < 8 && i < n; k++) {
			v = (v << 7) | (p[i] & 0x7f);
			if ((p[i++] & 0x80) == 0)
				break;
		}
		if (k == 8 && i < n)
			v = (v << 8) | p[i++];
		total += (long long)(v & 0x7fffffff);
	}
	return total > INT32_MAX ? INT32_MAX : (int)total;
}

static int
rank_load(struct store *s, struct kbrank *r, long long gen)
{
	struct kbdoc	 d;
	sqlite3_stmt	*st;
	const char	*cat;
	unsigned	 ci = 0;
	int		 rc = P_OK, src, en;

	rank_clear(r);
	st = store_stmt(s, SQL_KB_RANK_LOAD);
	if (st == NULL)
		return P_EDB;
	while (rc == P_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		cat = (const char *)sqlite3_column_text(st, 2);
		rc = cat_index(r, cat != NULL ? cat : "", &ci);
		memset(&d, 0, sizeof(d));
		d.id = sqlite3_column_int64(st, 0);
		d.internal = sqlite3_column_int(st, 1) != 0;
		d.len = docsize_total(sqlite3_column_blob(st, 3),
		    sqlite3_column_bytes(st, 3));
		d.cat = ci;
		en = sqlite3_column_int(st, 4) != 0;
		if (rc == P_OK)
			rc = doc_add(&r->lang[en], &d);
	}
	if (rc == P_OK && src != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	if (rc != P_OK) {
		rank_clear(r);
		return rc;
	}
	r->gen = gen;
	r->ready = true;
	r->stale = false;
	r->stats.loads++;
	return P_OK;
}

/* Called inside the read transaction of the search. */
static int
rank_fresh(struct store *s, struct kbrank *r)
{
	long long	 gen;
	int		 rc;

	if ((rc = store_kb_generation(s, &gen)) != P_OK)
		return rc;
	if (r->ready && !r->stale && r->gen == gen)
		return P_OK;
	return rank_load(s, r, gen);
}

/* ---- phrases ---- */

/* The phrases of match in order ("l:text", a '*' after a prefix phrase),
 * as FTS5 numbers them. False for anything but quoted phrases joined by
 * spaces or all by OR, or a phrase too long to remember. */
static bool
parse_match(const char *match, char lang, struct parsed *p)
{
	const char	*c, *e;
	size_t		 n;
	int		 ors = 0;

	p->n = 0;
	p->any = false;
	for (c = match; *c != '\0'; c++) {
		if (*c == ' ')
			continue;
		if (strncmp(c, "OR ", 3) == 0 && p->n > 0) {
			ors++;
			c += 2;
			continue;
		}
		if (*c != '"' || p->n == PHRASES_MAX ||
		    (e = strchr(c + 1, '"')) == NULL)
			return false;
		n = (size_t)(e - c - 1);
		if (n == 0 || n + 4 > KEY_MAX)
			return false;
		p->keys[p->n][0] = lang;
		p->keys[p->n][1] = ':';
		memcpy(p->keys[p->n] + 2, c + 1, n);
		if (e[1] == '*') {
			p->keys[p->n][2 + n++] = '*';
			e++;
		}
		p->keys[p->n][2 + n] = '\0';
		p->n++;
		c = e;
	}
	/* "a" "b" OR "c" would mix the two: not ours. */
	if (ors != 0 && ors != p->n - 1)
		return false;
	p->any = ors > 0;
	return p->n > 0;
}

static size_t
count_slot(const struct kbrank *r, const char *key)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;
	const char	*c;

	for (c = key; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
	for (i = (size_t)h & (COUNT_SLOTS - 1); r->count[i].key[0] != '\0' &&
	    strcmp(r->count[i].key, key) != 0; i = (i + 1) & (COUNT_SLOTS - 1))
		;
	return i;
}

/* How many articles the phrase matches, if known; -1 if not. */
static long long
count_get(const struct kbrank *r, const char *key)
{
	size_t	 i = count_slot(r, key);

	return r->count[i].key[0] != '\0' ? r->count[i].nhit : -1;
}

static void
count_put(struct kbrank *r, const char *key, long long nhit)
{
	size_t	 i;

	/* Full at three quarters: start again rather than probe long. */
	if (r->ncount >= COUNT_SLOTS * 3 / 4) {
		memset(r->count, 0, sizeof(r->count));
		r->ncount = 0;
	}
	i = count_slot(r, key);
	if (r->count[i].key[0] == '\0')
		r->ncount++;
	memcpy(r->count[i].key, key, strlen(key) + 1);
	r->count[i].nhit = nhit;
}

static const struct hotterm *
hot_get(const struct kbrank *r, const char *key)
{
	size_t	 i;

	for (i = 0; i < HOT_TERMS; i++)
		if (r->hot[i].f != NULL && strcmp(r->hot[i].key, key) == 0)
			return &r->hot[i];
	return NULL;
}

/* The weighted frequency of phrase i in the current row, from its own
 * position list (cheaper than xInst(), which merges all the lists in
 * position order first); -1 on error. */
static long long
phrase_freq(const Fts5ExtensionApi *api, Fts5Context *fts, int i)
{
	Fts5PhraseIter	 it;
	long long	 f = 0;
	int		 ic = -1, io = 0;

	if (api->xPhraseFirst(fts, i, &it, &ic, &io) != SQLITE_OK)
		return -1;
	for (; ic >= 0; api->xPhraseNext(fts, &it, &ic, &io))
		if (ic < 3)
			f += weight[ic];
	return f;
}

/* bd_freq(table): the weighted frequency of the only phrase. */
static void
bd_freq(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
    int argc, sqlite3_value **argv)
{
	long long	 f;

	(void)argc, (void)argv;
	if ((f = phrase_freq(api, fts, 0)) < 0)
		sqlite3_result_error_code(ctx, SQLITE_ERROR);
	else
		sqlite3_result_int64(ctx, f);
}

/* The MATCH expression of one phrase from its key. */
static void
key_match(const char *key, char *match, size_t size)
{
	size_t	 n = strlen(key + 2);

	if (n > 0 && key[2 + n - 1] == '*')
		snprintf(match, size, "\"%.*s\"*", (int)n - 1, key + 2);
	else
		snprintf(match, size, "\"%s\"", key + 2);
}

/* How many articles a phrase matches: remembered, or counted. */
static int
phrase_count(struct store *s, struct kbrank *r, const char *key,
    long long *nhit)
{
	sqlite3_stmt	*st;
	char		 match[KEY_MAX + 4];
	int		 rc;

	if ((*nhit = count_get(r, key)) >= 0)
		return P_OK;
	key_match(key, match, sizeof(match));
	st = store_stmt(s, key[0] == 'e' ? SQL_KB_COUNT_EN : SQL_KB_COUNT_FR);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*nhit = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return P_EDB;
	count_put(r, key, *nhit);
	return P_OK;
}

/* Builds the frequency table of a broad phrase: one scan of its rows. A
 * row the table of articles does not know leaves the phrase without one
 * (FTS5 ranks it, and finds the table stale). */
static int
hot_build(struct store *s, struct kbrank *r, const char *key)
{
	struct hotterm	*h;
	sqlite3_stmt	*st;
	const struct kbdoc *d;
	const struct kblang *l = &r->lang[key[0] == 'e'];
	char		 match[KEY_MAX + 4];
	size_t		 pos = 0, slots;
	long long	 f, nhit = 0;
	int		 rc = P_OK, src = SQLITE_DONE;
	bool		 odd = false;

	key_match(key, match, sizeof(match));
	/* A large base keeps fewer tables, never more than HOT_BYTES. */
	slots = HOT_BYTES / ((l->n + 1) * sizeof(*h->f));
	slots = slots < 1 ? 1 : slots > HOT_TERMS ? HOT_TERMS : slots;
	h = &r->hot[r->nexthot % slots];
	r->nexthot = (r->nexthot + 1) % slots;
	free(h->f);
	h->key[0] = '\0';
	if ((h->f = calloc(l->n + 1, sizeof(*h->f))) == NULL)
		return P_ENOMEM;
	st = store_stmt(s, key[0] == 'e' ? SQL_KB_FREQ_EN : SQL_KB_FREQ_FR);
	if (st == NULL)
		rc = P_EDB;
	else
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	while (rc == P_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		f = sqlite3_column_int64(st, 1);
		if ((d = doc_find(l, sqlite3_column_int64(st, 0), &pos)) ==
		    NULL || f <= 0) {
			odd = true;
			break;
		}
		h->f[d - l->docs] = f > UINT32_MAX ? UINT32_MAX : (uint32_t)f;
		nhit++;
	}
	if (rc == P_OK && !odd && src != SQLITE_DONE)
		rc = P_EDB;
	if (st != NULL)
		sqlite3_reset(st);
	if (rc != P_OK || odd) {
		free(h->f);
		h->f = NULL;
		return rc;
	}
	memcpy(h->key, key, strlen(key) + 1);
	h->nhit = nhit;
	r->stats.tables_built++;
	count_put(r, key, nhit);
	return P_OK;
}

/* ---- the FTS5 way ---- */

static int
count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
	(void)api, (void)fts;
	(*(long long *)arg)++;
	return SQLITE_OK;
}

static void
rankq_free(void *p)
{
	struct rankq	*q = p;

	if (q != NULL)
		free(q->catok);
	free(q);
}

/* The category filter: the path itself or anything under it. */
static bool
cat_passes(const char *cat, const char *want, size_t wlen)
{
	return wlen == 0 || strcmp(cat, want) == 0 ||
	    (strncmp(cat, want, wlen) == 0 && cat[wlen] == ':' &&
	    cat[wlen + 1] == ':');
}

static unsigned char *
cat_filter(const struct kbrank *r, const char *want)
{
	unsigned char	*ok;
	size_t		 i, wlen = want != NULL ? strlen(want) : 0;

	if ((ok = calloc(r->ncats + 1, 1)) == NULL)
		return NULL;
	for (i = 0; i < r->ncats; i++)
		ok[i] = cat_passes(r->cats[i], want, wlen);
	return ok;
}

static double
idf_of(long long nrow, long long nhit)
{
	double	 idf;

	idf = log(((double)nrow - (double)nhit + 0.5) / ((double)nhit + 0.5));
	return idf <= 0.0 ? 1e-6 : idf;
}

/* As FTS5's bm25(): IDF from the rows each phrase matches, the average
 * length from the table's totals; decided at the first row. */
static struct rankq *
rankq_get(const Fts5ExtensionApi *api, Fts5Context *fts, struct kbrank *r,
    sqlite3_value **argv)
{
	struct parsed	 p;
	struct rankq	*q;
	const char	*want, *match, *lang;
	sqlite3_int64	 nrow = 0, ntok = 0;
	long long	 hit;
	bool		 keyed;
	int		 i, rc;

	if ((q = api->xGetAuxdata(fts, 0)) != NULL)
		return q;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->nphrase = api->xPhraseCount(fts);
	if (q->nphrase > PHRASES_MAX)
		q->nphrase = PHRASES_MAX;
	q->internal = sqlite3_value_int(argv[1]) != 0;
	want = (const char *)sqlite3_value_text(argv[0]);
	if ((q->catok = cat_filter(r, want)) == NULL) {
		free(q);
		return NULL;
	}
	rc = api->xRowCount(fts, &nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fts, -1, &ntok);
	q->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	match = (const char *)sqlite3_value_text(argv[2]);
	lang = (const char *)sqlite3_value_text(argv[3]);
	q->en = lang != NULL && lang[0] == 'e';
	keyed = match != NULL && lang != NULL && lang[0] != '\0' &&
	    parse_match(match, lang[0], &p) && p.n == q->nphrase;
	for (i = 0; rc == SQLITE_OK && i < q->nphrase; i++) {
		if (!keyed || (hit = count_get(r, p.keys[i])) < 0) {
			hit = 0;
			rc = api->xQueryPhrase(fts, i, &hit, count_cb);
			if (rc == SQLITE_OK && keyed)
				count_put(r, p.keys[i], hit);
		}
		q->idf[i] = idf_of(nrow, hit);
	}
	if (rc != SQLITE_OK || api->xSetAuxdata(fts, q, rankq_free) !=
	    SQLITE_OK) {
		rankq_free(q);
		return NULL;
	}
	return q;
}

/* bd_rank(table, category, include_internal, match, lang): the bm25 score
 * (negative, lower is better) or NULL when the row is filtered out; match
 * and lang name the phrases for the remembered counts. */
static void
bd_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
    int argc, sqlite3_value **argv)
{
	struct kbrank		*r = api->xUserData(fts);
	const struct kbdoc	*d;
	struct rankq		*q;
	double			 score = 0.0, norm;
	long long		 f;
	int			 i;

	if (argc != 4) {
		sqlite3_result_error(ctx, "bd_rank: four arguments", -1);
		return;
	}
	if ((q = rankq_get(api, fts, r, argv)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if ((d = doc_find(&r->lang[q->en], api->xRowid(fts), &q->pos)) ==
	    NULL) {
		/* Not in the snapshot the table was built from. */
		r->stale = true;
		sqlite3_result_null(ctx);
		return;
	}
	if ((d->internal && !q->internal) || !q->catok[d->cat]) {
		sqlite3_result_null(ctx);
		return;
	}
	norm = BM25_K1 * (1 - BM25_B + BM25_B * (double)d->len / q->avgdl);
	for (i = 0; i < q->nphrase; i++) {
		if ((f = phrase_freq(api, fts, i)) < 0) {
			sqlite3_result_error_code(ctx, SQLITE_ERROR);
			return;
		}
		score += q->idf[i] * (((double)f * (BM25_K1 + 1.0)) /
		    ((double)f + norm));
	}
	sqlite3_result_double(ctx, -1.0 * score);
}

struct kbrank *
kbrank_open(struct sqlite3 *db)
{
	struct kbrank	*r;
	fts5_api	*api = kb_fts5_api(db);

	if (api == NULL || (r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (api->xCreateFunction(api, "bd_rank", r, bd_rank, NULL) !=
	    SQLITE_OK || api->xCreateFunction(api, "bd_freq", r, bd_freq,
	    NULL) != SQLITE_OK) {
		free(r);
		return NULL;
	}
	return r;
}

void
kbrank_close(struct kbrank *r)
{
	if (r == NULL)
		return;
	rank_clear(r);
	free(r);
}

/* ---- the best rows ---- */

/* Better first: lower score, then lower id (as ORDER BY score, id). */
static bool
before(const struct kb_hitrow *a, const struct kb_hitrow *b)
{
	return a->score < b->score || (a->score == b->score && a->id < b->id);
}

static int
by_rank(const void *x, const void *y)
{
	const struct kb_hitrow	*a = x, *b = y;

	return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

struct topn {
	struct kb_hitrow	*v;
	size_t			 n, cap, keep;	/* keep: the rows wanted */
	bool			 all;		/* collect, sort at the end */
};

static int
topn_add(struct topn *t, const struct kb_hitrow *h)
{
	size_t	 i, cap;
	void	*p;

	if (!t->all) {
		if (t->n == t->keep && !before(h, &t->v[t->n - 1]))
			return P_OK;
		i = t->n < t->keep ? t->n++ : t->n - 1;
		for (; i > 0 && before(h, &t->v[i - 1]); i--)
			t->v[i] = t->v[i - 1];
		t->v[i] = *h;
		return P_OK;
	}
	if (t->n == t->cap) {
		cap = t->cap == 0 ? 1024 : t->cap * 2;
		if ((p = realloc(t->v, cap * sizeof(*t->v))) == NULL)
			return P_ENOMEM;
		t->v = p;
		t->cap = cap;
	}
	t->v[t->n++] = *h;
	return P_OK;
}

/* ---- one language ---- */

struct want {
	const char	*match;
	const char	*category;
	bool		 internal;
};

static int
rank_fts(struct store *s, int en, const struct want *w, struct topn *t,
    long long *total)
{
	struct kb_hitrow	 h;
	sqlite3_stmt		*st;
	int			 rc = P_OK, src;

	st = store_stmt(s, en ? SQL_KB_RANK_EN : SQL_KB_RANK_FR);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, w->match, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w->category != NULL ? w->category : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 3, w->internal);
	memset(&h, 0, sizeof(h));
	memcpy(h.lang, en ? "en" : "fr", 3);
	while (rc == P_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		h.id = sqlite3_column_int64(st, 0);
		h.score = sqlite3_column_double(st, 1);
		(*total)++;
		rc = topn_add(t, &h);
	}
	if (rc == P_OK && src != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

/* From memory, when every phrase has its frequency table: the same rows
 * FTS5 would match (a phrase matches where its frequency is not 0, every
 * column weighing at least 1), the same score. */
static int
rank_mem(struct kbrank *r, int en, const struct parsed *p,
    const struct want *w, const struct hotterm **hot, struct topn *t,
    long long *total)
{
	const struct kblang	*l = &r->lang[en];
	struct kb_hitrow	 h;
	const struct kbdoc	*d;
	unsigned char		*catok;
	double			 idf[PHRASES_MAX], score, norm, avgdl, f;
	size_t			 k;
	int			 i, found, rc = P_OK;

	if ((catok = cat_filter(r, w->category)) == NULL)
		return P_ENOMEM;
	avgdl = l->n > 0 ? (double)l->ntok / (double)l->n : 1.0;
	for (i = 0; i < p->n; i++)
		idf[i] = idf_of((long long)l->n, hot[i]->nhit);
	memset(&h, 0, sizeof(h));
	memcpy(h.lang, en ? "en" : "fr", 3);
	for (k = 0; k < l->n && rc == P_OK; k++) {
		d = &l->docs[k];
		for (found = 0, i = 0; i < p->n; i++)
			found += hot[i]->f[k] != 0;
		if (found == 0 || (!p->any && found < p->n))
			continue;
		if ((d->internal && !w->internal) || !catok[d->cat])
			continue;
		norm = BM25_K1 * (1 - BM25_B + BM25_B * (double)d->len /
		    avgdl);
		for (score = 0.0, i = 0; i < p->n; i++) {
			f = (double)hot[i]->f[k];
			score += idf[i] * ((f * (BM25_K1 + 1.0)) / (f + norm));
		}
		h.id = d->id;
		h.score = -1.0 * score;
		(*total)++;
		rc = topn_add(t, &h);
	}
	free(catok);
	return rc;
}

/* The frequency tables of every phrase, building those of broad phrases
 * (counted first: a rare phrase costs little either way and keeps its
 * slot free); false in *ok when one is rare (then FTS5 ranks). */
static int
hot_all(struct store *s, struct kbrank *r, const struct parsed *p,
    const struct hotterm **hot, bool *ok)
{
	long long	 nhit;
	int		 i, rc;

	*ok = false;
	for (i = 0; i < p->n; i++) {
		if ((hot[i] = hot_get(r, p->keys[i])) != NULL)
			continue;
		if ((rc = phrase_count(s, r, p->keys[i], &nhit)) != P_OK)
			return rc;
		if (nhit < HOT_MIN)
			return P_OK;
		if ((rc = hot_build(s, r, p->keys[i])) != P_OK)
			return rc;
		if ((hot[i] = hot_get(r, p->keys[i])) == NULL)
			return P_OK;
	}
	/* A table built late may have pushed out an earlier one. */
	for (i = 0; i < p->n; i++)
		if ((hot[i] = hot_get(r, p->keys[i])) == NULL)
			return P_OK;
	*ok = true;
	return P_OK;
}

static int
rank_lang(struct store *s, struct kbrank *r, int en, const struct want *w,
    struct topn *t, long long *total)
{
	const struct hotterm	*hot[PHRASES_MAX];
	struct parsed		 p;
	bool			 ok = false;
	int			 rc;

	if (parse_match(w->match, en ? 'e' : 'f', &p) &&
	    (rc = hot_all(s, r, &p, hot, &ok)) != P_OK)
		return rc;
	if (ok) {
		r->stats.from_memory++;
		return rank_mem(r, en, &p, w, hot, t, total);
	}
	r->stats.from_fts++;
	return rank_fts(s, en, w, t, total);
}

static int
rank_all(struct store *s, struct kbrank *r, const char *lang,
    const struct want *w, struct topn *t, long long *total)
{
	int	 rc = P_OK;

	t->n = 0;
	*total = 0;
	r->stale = false;
	if (lang == NULL || strcmp(lang, "en") != 0)
		rc = rank_lang(s, r, 0, w, t, total);
	if (rc == P_OK && (lang == NULL || strcmp(lang, "fr") != 0))
		rc = rank_lang(s, r, 1, w, t, total);
	return rc;
}

int
store_kb_match(struct store *s, const char *match, const char *lang,
    const char *category, bool internal, int offset, int max,
    struct kb_hitrow *rows, int *nrows, long long *total)
{
	struct kbrank	*r = store_kbrank(s);
	struct kb_hitrow stack[TOPN_INSERT];
	struct want	 w;
	struct topn	 t;
	sqlite3_stmt	*st;
	size_t		 i;
	bool		 outer;
	int		 rc;

	*nrows = 0;
	*total = 0;
	if (r == NULL || offset < 0 || max < 1)
		return r == NULL ? P_EDB : P_EINVAL;
	memset(&t, 0, sizeof(t));
	t.keep = (size_t)offset + (size_t)max;
	t.all = t.keep > TOPN_INSERT;
	if (!t.all) {
		t.v = stack;
		t.cap = TOPN_INSERT;
	}
	w.match = match;
	w.category = category != NULL && category[0] != '\0' ? category :
	    NULL;
	w.internal = internal;
	if (lang != NULL && lang[0] == '\0')
		lang = NULL;
	/* One snapshot for the generation, the tables and the matches. In
	 * a caller's transaction the snapshot may hold writes that a
	 * rollback takes back: what was built from it is not kept. */
	outer = sqlite3_get_autocommit(store_db(s)) == 0;
	if ((st = store_stmt(s, SQL_KB_SNAP)) == NULL ||
	    sqlite3_step(st) != SQLITE_DONE)
		return P_EDB;
	rc = rank_fresh(s, r);
	if (rc == P_OK)
		rc = rank_all(s, r, lang, &w, &t, total);
	/* A row the table did not know: build it again, once. */
	if (rc == P_OK && r->stale && (rc = rank_load(s, r, r->gen)) == P_OK)
		rc = rank_all(s, r, lang, &w, &t, total);
	if ((st = store_stmt(s, SQL_KB_SNAP_END)) == NULL ||
	    sqlite3_step(st) != SQLITE_DONE)
		rc = rc == P_OK ? P_EDB : rc;
	if (outer)
		r->ready = false;
	if (rc == P_OK && t.all && t.n > 0)
		qsort(t.v, t.n, sizeof(*t.v), by_rank);
	for (i = (size_t)offset; rc == P_OK && i < t.n && *nrows < max; i++)
		rows[(*nrows)++] = t.v[i];
	if (t.all)
		free(t.v);
	return rc;
}

int
store_kb_rank_warm(struct store *s)
{
	struct kbrank	*r = store_kbrank(s);
	sqlite3_stmt	*st;
	int		 rc;

	/* Only what a committed snapshot shows is kept. */
	if (r == NULL || sqlite3_get_autocommit(store_db(s)) == 0)
		return P_OK;
	if ((st = store_stmt(s, SQL_KB_SNAP)) == NULL ||
	    sqlite3_step(st) != SQLITE_DONE)
		return P_EDB;
	rc = rank_fresh(s, r);
	if ((st = store_stmt(s, SQL_KB_SNAP_END)) == NULL ||
	    sqlite3_step(st) != SQLITE_DONE)
		rc = rc == P_OK ? P_EDB : rc;
	return rc;
}

void
store_kb_rank_stats(struct store *s, struct kb_rank_stats *out)
{
	struct kbrank	*r = store_kbrank(s);

	if (r != NULL)
		*out = r->stats;
	else
		memset(out, 0, sizeof(*out));
}
