/* src/kb/search.c - the search of the knowledge base: the query becomes a
 * MATCH expression of quoted words (no user syntax reaches FTS5), ranked by
 * bm25; with no hit, misspelt words are replaced by their nearest indexed
 * word, then any word may match; fruitless queries are logged. */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"

#define PER_PAGE_DEFAULT	10
#define PAGE_MAX		1000
#define TYPO_MINLEN		3	/* shorter words are not corrected */
#define PATH_MAX_KEY		4096

struct qword {
	const char	*w;		/* as typed (arena) */
	size_t		 n;
};

struct query {
	struct qword	 words[KB_WORDS_MAX];
	size_t		 n;
};

/* Word bytes: letters, digits, '.', '@' and anything non-ASCII. Every
 * FTS5 operator character ("*():^+-{}) separates words. */
static int
is_word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '.' || c == '@';
}

static int
query_split(struct arena *a, const char *text, struct query *q)
{
	const char	*p, *s, *end;
	size_t		 len;

	q->n = 0;
	len = strlen(text);
	if (len > KB_QUERY_MAX)
		len = KB_QUERY_MAX;
	end = text + len;
	for (p = text; p < end && q->n < KB_WORDS_MAX; ) {
		while (p < end && !is_word_byte((unsigned char)*p))
			p++;
		for (s = p; p < end && is_word_byte((unsigned char)*p); p++)
			;
		while (s < p && *s == '.')
			s++;
		len = (size_t)(p - s);
		while (len > 0 && s[len - 1] == '.')
			len--;
		if (len == 0)
			continue;
		q->words[q->n].w = arena_strndup(a, s, len);
		if (q->words[q->n].w == NULL)
			return P_ENOMEM;
		q->words[q->n].n = len;
		q->n++;
	}
	return P_OK;
}

/* Words too common to decide anything (both languages, folded as typed
 * in lower case); dropped when the query has other words. */
static const char *const stopwords[] = {
	"a", "an", "and", "are", "au", "aux", "avec", "be", "ce", "ces",
	"cette", "dans", "de", "des", "do", "does", "du", "elle", "en", "est",
	"et", "for", "from", "how", "i", "il", "in", "is", "it", "je", "la",
	"le", "les", "ma", "mes", "mon", "my", "ne", "not", "of", "on", "ou",
	"par", "pas", "pour", "qui", "que", "quoi", "sa", "se", "ses", "son",
	"sur", "the", "to", "un", "une", "vos", "votre", "what", "why", "with",
	"y", "you", "your", "à"
};

static int
is_stopword(const char *w, size_t n)
{
	char	 low[8];
	size_t	 i;

	if (n >= sizeof(low))
		return 0;
	for (i = 0; i < n; i++)
		low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
	low[n] = '\0';
	for (i = 0; i < sizeof(stopwords) / sizeof(stopwords[0]); i++)
		if (strcmp(low, stopwords[i]) == 0)
			return 1;
	return 0;
}

/* Drops stopwords, unless nothing else would be left. */
static void
query_prune(struct query *q)
{
	size_t	 i, n = 0;

	for (i = 0; i < q->n; i++)
		if (!is_stopword(q->words[i].w, q->words[i].n))
			n++;
	if (n == 0 || n == q->n)
		return;
	for (i = 0, n = 0; i < q->n; i++)
		if (!is_stopword(q->words[i].w, q->words[i].n))
			q->words[n++] = q->words[i];
	q->n = n;
}

/* '"w1" "w2"' (all words) or '"w1" OR "w2"'. A word never holds a '"'. */
static char *
query_match(struct arena *a, const struct query *q, const char *op,
    const char *suffix)
{
	struct buf	 b;
	size_t		 i;
	char		*out;
	int		 rc = 0;

	buf_init(&b, KB_QUERY_MAX * 4 + 64);
	for (i = 0; i < q->n && rc == 0; i++) {
		if (i > 0)
			rc = buf_puts(&b, op);
		if (rc == 0)
			rc = buf_printf(&b, "\"%s\"%s", q->words[i].w,
			    i + 1 == q->n ? suffix : "");
	}
	out = rc == 0 ? arena_strndup(a, buf_str(&b), b.len) : NULL;
	buf_cleanup(&b);
	return out;
}

static char *
query_text(struct arena *a, const struct query *q, int scrub)
{
	struct buf	 b;
	size_t		 i;
	char		*out;
	int		 rc = 0;

	buf_init(&b, KB_QUERY_MAX * 2 + 64);
	for (i = 0; i < q->n && rc == 0; i++) {
		if (i > 0)
			rc = buf_putc(&b, ' ');
		if (rc == 0 && scrub && strchr(q->words[i].w, '@') != NULL)
			rc = buf_puts(&b, "[address]");
		else if (rc == 0)
			rc = buf_puts(&b, q->words[i].w);
	}
	out = rc == 0 ? arena_strndup(a, buf_str(&b), b.len) : NULL;
	buf_cleanup(&b);
	if (out != NULL && scrub)
		for (i = 0; out[i] != '\0'; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				out[i] = (char)(out[i] + 32);
	return out;
}

/* ---- typo correction ---- */

struct fold_ctx {
	struct arena	*a;
	char		*fold;
	size_t		 n;
};

static int
on_fold(void *arg, const char *w, size_t n, const char *tok, size_t tn)
{
	struct fold_ctx	*f = arg;

	(void)tok, (void)tn;
	if (f->fold != NULL)
		return P_OK;
	f->fold = arena_strndup(f->a, w, n);
	f->n = n;
	return f->fold != NULL ? P_OK : P_ENOMEM;
}

/* The vocabulary of one language in memory: the indexed surface words in
 * the order fts5vocab gives them (their ordinal breaks full ties as the
 * scan did), bucketed by length, so that a correction reads only the
 * words whose length is within the distance. Process-wide, one database at
 * a time, rebuilt when the database or its generation (bumped by every
 * article write, in the same transaction) changes. */
#define VOCAB_WLEN	72		/* longest word kept, '\0' included */

struct vword {
	const char	*t;		/* in the block of the language */
	long long	 docs;
	unsigned	 ord;
	unsigned char	 n;
};

struct vlang {
	struct vword	*words;		/* grouped by length */
	size_t		 nwords, cap;
	size_t		 start[VOCAB_WLEN + 1];	/* words of length n */
	char		*text;
	size_t		 tlen, tcap;
};

static struct {
	pthread_mutex_t	 lock;
	char		*db;		/* file name (or connection) */
	long long	 gen;
	bool		 ready;
	struct vlang	 lang[2];	/* fr, en */
} vcache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
vlang_free(struct vlang *v)
{
	free(v->words);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

struct vbuild {
	struct vlang	*v;
	unsigned	 ord;
	int		 rc;
};

static int
on_build(void *arg, const char *t, size_t n, long long docs)
{
	struct vbuild	*b = arg;
	struct vlang	*v = b->v;
	void		*p;
	size_t		 cap;

	if (n >= VOCAB_WLEN || n < TYPO_MINLEN - 1) {
		b->ord++;
		return P_OK;
	}
	if (v->nwords == v->cap) {
		cap = v->cap == 0 ? 1024 : v->cap * 2;
		if ((p = realloc(v->words, cap * sizeof(*v->words))) == NULL)
			return b->rc = P_ENOMEM;
		v->words = p;
		v->cap = cap;
	}
	if (v->tlen + n + 1 > v->tcap) {
		cap = v->tcap == 0 ? 16384 : v->tcap;
		while (cap < v->tlen + n + 1)
			cap *= 2;
		if ((p = realloc(v->text, cap)) == NULL)
			return b->rc = P_ENOMEM;
		v->text = p;
		v->tcap = cap;
	}
	memcpy(v->text + v->tlen, t, n);
	v->text[v->tlen + n] = '\0';
	/* An offset until the text stops moving. */
	v->words[v->nwords].t = (const char *)(uintptr_t)v->tlen;
	v->words[v->nwords].docs = docs;
	v->words[v->nwords].ord = b->ord++;
	v->words[v->nwords].n = (unsigned char)n;
	v->nwords++;
	v->tlen += n + 1;
	return P_OK;
}

static int
by_len(const void *x, const void *y)
{
	const struct vword	*a = x, *b = y;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

static int
vlang_build(struct store *s, const char *lang, unsigned ord0,
    struct vlang *v, unsigned *ordend)
{
	struct vbuild	 b;
	size_t		 i;
	int		 rc;

	memset(&b, 0, sizeof(b));
	b.v = v;
	b.ord = ord0;
	rc = store_kb_vocab(s, lang, 0, on_build, &b);
	if (rc == P_OK)
		rc = b.rc;
	if (rc != P_OK)
		return rc;
	*ordend = b.ord;
	for (i = 0; i < v->nwords; i++)
		v->words[i].t = v->text + (uintptr_t)v->words[i].t;
	if (v->nwords > 0)
		qsort(v->words, v->nwords, sizeof(*v->words), by_len);
	for (i = 0; i <= VOCAB_WLEN; i++)
		v->start[i] = v->nwords;
	for (i = v->nwords; i-- > 0; )
		v->start[v->words[i].n] = i;
	for (i = VOCAB_WLEN; i-- > 0; )
		if (v->start[i] > v->start[i + 1])
			v->start[i] = v->start[i + 1];
	return P_OK;
}

/* Called with the lock held: makes the cache match the database. */
static int
vcache_fresh(struct store *s)
{
	char		 key[PATH_MAX_KEY];
	long long	 gen;
	unsigned	 ord;
	int		 rc;

	/* The generation first: the vocabulary read after it is as new. */
	if ((rc = store_kb_generation(s, &gen)) != P_OK)
		return rc;
	if ((rc = store_kb_dbkey(s, key, sizeof(key))) != P_OK)
		return rc;
	if (vcache.ready && vcache.gen == gen && vcache.db != NULL &&
	    strcmp(vcache.db, key) == 0)
		return P_OK;
	vcache.ready = false;
	free(vcache.db);
	vcache.db = NULL;
	vlang_free(&vcache.lang[0]);
	vlang_free(&vcache.lang[1]);
	/* Ordinals run on from French to English, as the scan of both. */
	rc = vlang_build(s, "fr", 0, &vcache.lang[0], &ord);
	if (rc == P_OK)
		rc = vlang_build(s, "en", ord, &vcache.lang[1], &ord);
	if (rc == P_OK && (vcache.db = strdup(key)) == NULL)
		rc = P_ENOMEM;
	if (rc != P_OK) {
		vlang_free(&vcache.lang[0]);
		vlang_free(&vcache.lang[1]);
		return rc;
	}
	vcache.gen = gen;
	vcache.ready = true;
	return P_OK;
}

struct near_ctx {
	const char	*w;		/* the folded word */
	size_t		 n;
	int		 max;
	/* The best so far: distance, same first letter, documents. */
	int		 dist, same_first;
	long long	 docs;
	unsigned	 ord;
	char		 best[VOCAB_WLEN];
};

static void
near_in(struct near_ctx *c, const struct vlang *v)
{
	const struct vword	*e;
	size_t			 lo, hi, i;
	int			 d, same;

	lo = c->n > (size_t)c->max ? c->n - (size_t)c->max : 0;
	hi = c->n + (size_t)c->max + 1;
	if (hi > VOCAB_WLEN)
		hi = VOCAB_WLEN;
	if (lo >= hi)
		return;
	for (i = v->start[lo]; i < v->start[hi]; i++) {
		e = &v->words[i];
		d = kb_distance(c->w, c->n, e->t, e->n, c->max);
		if (d > c->max || d == 0)
			continue;
		same = e->t[0] == c->w[0];
		if (d < c->dist || (d == c->dist && (same > c->same_first ||
		    (same == c->same_first && (e->docs > c->docs ||
		    (e->docs == c->docs && e->ord < c->ord)))))) {
			c->dist = d;
			c->same_first = same;
			c->docs = e->docs;
			c->ord = e->ord;
			memcpy(c->best, e->t, e->n);
			c->best[e->n] = '\0';
		}
	}
}

/* The nearest indexed word to w, or NULL. */
static const char *
nearest(struct store *s, struct arena *a, const char *lang, const char *w)
{
	struct fold_ctx	 f;
	struct near_ctx	 c;
	int		 rc;

	memset(&f, 0, sizeof(f));
	f.a = a;
	if (store_kb_words(s, lang, w, on_fold, &f) != P_OK || f.fold == NULL)
		return NULL;
	memset(&c, 0, sizeof(c));
	c.w = f.fold;
	c.n = f.n;
	c.max = f.n <= 4 ? 1 : 2;
	c.dist = c.max + 1;
	c.ord = UINT_MAX;
	pthread_mutex_lock(&vcache.lock);
	rc = vcache_fresh(s);
	if (rc == P_OK && (lang == NULL || strcmp(lang, "en") != 0))
		near_in(&c, &vcache.lang[0]);
	if (rc == P_OK && (lang == NULL || strcmp(lang, "fr") != 0))
		near_in(&c, &vcache.lang[1]);
	pthread_mutex_unlock(&vcache.lock);
	if (rc != P_OK || c.dist > c.max)
		return NULL;
	return arena_strdup(a, c.best);
}

/* Replaces the words that find nothing; true in *changed if any was. */
static int
correct(struct store *s, struct arena *a, const char *lang, struct query *q,
    bool *changed)
{
	const char	*m, *near;
	size_t		 i, j;
	bool		 hit, alpha;
	int		 rc;

	*changed = false;
	for (i = 0; i < q->n; i++) {
		for (alpha = true, j = 0; j < q->words[i].n; j++)
			if (!((unsigned char)q->words[i].w[j] >= 0x80 ||
			    (q->words[i].w[j] | 0x20) >= 'a'))
				alpha = false;
		if (!alpha || q->words[i].n < TYPO_MINLEN)
			continue;
		m = arena_printf(a, "\"%s\"", q->words[i].w);
		if (m == NULL)
			return P_ENOMEM;
		if ((rc = store_kb_any(s, m, lang, &hit)) != P_OK)
			return rc;
		if (hit || (near = nearest(s, a, lang, q->words[i].w)) == NULL)
			continue;
		q->words[i].w = near;
		q->words[i].n = strlen(near);
		*changed = true;
	}
	return P_OK;
}

/* ---- the search ---- */

static int
run(struct store *s, struct arena *a, const char *match, const char *lang,
    const char *category, bool internal, struct kb_results *out)
{
	struct kb_hitrow	*rows;
	int			 nrows, i, rc;

	rows = arena_calloc(a, (size_t)out->per_page, sizeof(*rows));
	out->hits = arena_calloc(a, (size_t)out->per_page,
	    sizeof(*out->hits));
	if (rows == NULL || out->hits == NULL)
		return P_ENOMEM;
	rc = store_kb_match(s, match, lang, category, internal,
	    (out->page - 1) * out->per_page, out->per_page, rows, &nrows,
	    &out->total);
	if (rc != P_OK)
		return rc;
	out->nhits = 0;
	for (i = 0; i < nrows; i++) {
		rc = store_kb_snippet(s, a, match, &rows[i],
		    &out->hits[out->nhits]);
		if (rc == P_ENOTFOUND)
			continue;
		if (rc != P_OK)
			return rc;
		out->nhits++;
	}
	return P_OK;
}

static const char *
lang_or_null(const char *lang)
{
	if (lang != NULL && (strcmp(lang, "fr") == 0 || strcmp(lang, "en") == 0))
		return lang;
	return NULL;
}

int
kb_search(struct store *s, struct arena *a, const char *text,
    const char *lang, const char *category, int page, int per_page,
    bool internal, struct kb_results *out)
{
	struct query	 q;
	const char	*match;
	bool		 changed;
	int		 rc;

	memset(out, 0, sizeof(*out));
	out->page = page < 1 ? 1 : page > PAGE_MAX ? PAGE_MAX : page;
	out->per_page = per_page < 1 ? PER_PAGE_DEFAULT :
	    per_page > KB_PER_PAGE_MAX ? KB_PER_PAGE_MAX : per_page;
	lang = lang_or_null(lang);
	if (category != NULL && category[0] == '\0')
		category = NULL;
	if (text == NULL || (rc = query_split(a, text, &q)) != P_OK)
		return text == NULL ? P_OK : rc;
	if (q.n == 0)
		return P_OK;
	query_prune(&q);
	if ((match = query_match(a, &q, " ", "")) == NULL)
		return P_ENOMEM;
	if ((rc = run(s, a, match, lang, category, internal, out)) != P_OK ||
	    out->total > 0)
		return rc;
	if ((rc = correct(s, a, lang, &q, &changed)) != P_OK)
		return rc;
	if (changed) {
		out->did_you_mean = query_text(a, &q, 0);
		if ((match = query_match(a, &q, " ", "")) == NULL)
			return P_ENOMEM;
		rc = run(s, a, match, lang, category, internal, out);
		if (rc != P_OK || out->total > 0)
			return rc;
	}
	if (q.n > 1) {
		if ((match = query_match(a, &q, " OR ", "")) == NULL)
			return P_ENOMEM;
		out->any_word = true;
		rc = run(s, a, match, lang, category, internal, out);
		if (rc != P_OK || out->total > 0)
			return rc;
	}
	out->did_you_mean = NULL;
	out->any_word = false;
	/* Staff see it; the words are kept, never an address. */
	if ((match = query_text(a, &q, 1)) == NULL)
		return P_ENOMEM;
	return store_kb_log_miss(s, match, lang);
}

int
kb_search_warm(struct store *s)
{
	int	 rc;

	pthread_mutex_lock(&vcache.lock);
	rc = vcache_fresh(s);
	pthread_mutex_unlock(&vcache.lock);
	return rc == P_OK ? store_kb_rank_warm(s) : rc;
}

int
kb_suggest(struct store *s, struct arena *a, const char *prefix,
    const char *lang, size_t max, struct kb_list *out)
{
	struct kb_results	 r;
	struct query		 q;
	const char		*match;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (prefix == NULL || (rc = query_split(a, prefix, &q)) != P_OK)
		return prefix == NULL ? P_OK : rc;
	if (q.n == 0)
		return P_OK;
	/* The last word is unfinished: a prefix of indexed surface words. */
	if ((match = query_match(a, &q, " ", "*")) == NULL)
		return P_ENOMEM;
	memset(&r, 0, sizeof(r));
	r.page = 1;
	r.per_page = max < 1 ? 1 : max > KB_PER_PAGE_MAX ? KB_PER_PAGE_MAX :
	    (int)max;
	rc = run(s, a, match, lang_or_null(lang), NULL, false, &r);
	out->items = r.hits;
	out->n = r.nhits;
	return rc;
}
