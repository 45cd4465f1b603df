/* src/store/store_fts.c - the "bouncedesk" FTS5 tokenizer of the knowledge
 * base, an SQLite extension and so part of the store: unicode61 folding
 * (case and accents), Snowball stemming in the language given as argument, and
 * SMTP / enhanced status codes kept whole ("5.7.1", "550", "0x800CCC0E").
 * Documents also get each word's folded form, prefixed with '~', at the
 * same position: the vocabulary then holds real words for typo correction
 * and prefix queries ("~bloq"*) can serve search-as-you-type. */
#include <string.h>
#include <sqlite3.h>
#include <libstemmer.h>

#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "store_int.h"

#define TOK_MAX		64	/* longer tokens are indexed unstemmed */
#define SURFACE_MARK	'~'

struct bdtok {
	fts5_tokenizer		 inner_api;	/* unicode61's methods */
	Fts5Tokenizer		*inner;
	struct sb_stemmer	*stemmer;	/* NULL: no stemming */
	int			 french;
};

struct tok_ctx {
	struct bdtok	*t;
	void		*uctx;
	int		(*xToken)(void *, int, const char *, int, int, int);
	int		 flags;		/* FTS5_TOKENIZE_* */
	const char	*text;		/* the original, for offsets */
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Light French derivation after Snowball, so that nouns in -age and the
 * verbs they come from meet ("blocage" "bloquer" -> "bloc"), as do
 * "authentification" and "authentifier", and "envois" with "envoi". */
static size_t
french_tail(char *s, size_t n)
{
	if (n > 4 && s[n - 1] == 's' && s[n - 2] != 's')
		n--;
	if (n >= 6 && memcmp(s + n - 2, "ag", 2) == 0)
		n -= 2;
	if (n >= 5 && memcmp(s + n - 2, "qu", 2) == 0) {
		s[n - 2] = 'c';
		n--;
	}
	if (n >= 6 && memcmp(s + n - 3, "ifi", 3) == 0)
		n--;
	return n;
}

/* Emits one word: its stem, and in documents its surface colocated. */
static int
emit_word(struct tok_ctx *c, const char *w, int n, int start, int end)
{
	char		 buf[TOK_MAX + 2];
	const sb_symbol	*st;
	int		 i, alpha = 1, rc, sn;

	if (n <= 0)
		return SQLITE_OK;
	for (i = 0; i < n; i++)
		if (is_digit((unsigned char)w[i]) || w[i] == '.')
			alpha = 0;
	if (!alpha || n > TOK_MAX)
		return c->xToken(c->uctx, 0, w, n, start, end);
	if (c->flags & FTS5_TOKENIZE_PREFIX) {
		/* A prefix cannot be stemmed: look it up among surfaces. */
		buf[0] = SURFACE_MARK;
		memcpy(buf + 1, w, (size_t)n);
		return c->xToken(c->uctx, 0, buf, n + 1, start, end);
	}
	/* snippet() and highlight() (FTS5_TOKENIZE_AUX) count positions
	 * and offsets only, never the token text: no stemming there. */
	if (c->t->stemmer != NULL && (c->flags & FTS5_TOKENIZE_AUX) == 0) {
		st = sb_stemmer_stem(c->t->stemmer, (const sb_symbol *)w, n);
		sn = sb_stemmer_length(c->t->stemmer);
		if (st == NULL || sn <= 0 || sn > TOK_MAX)
			return SQLITE_NOMEM;
		memcpy(buf, st, (size_t)sn);
		if (c->t->french)
			sn = (int)french_tail(buf, (size_t)sn);
		rc = c->xToken(c->uctx, 0, buf, sn, start, end);
	} else
		rc = c->xToken(c->uctx, 0, w, n, start, end);
	if (rc != SQLITE_OK || (c->flags & FTS5_TOKENIZE_DOCUMENT) == 0 ||
	    n < 2)
		return rc;
	buf[0] = SURFACE_MARK;
	memcpy(buf + 1, w, (size_t)n);
	return c->xToken(c->uctx, FTS5_TOKEN_COLOCATED, buf, n + 1, start,
	    end);
}

/* True when every dot-separated part is made of digits: a status code,
 * a version or an address, kept as one token. */
static int
is_code(const char *w, int n)
{
	int	 i, digits = 0;

	for (i = 0; i < n; i++) {
		if (w[i] == '.') {
			if (digits == 0)
				return 0;
			digits = 0;
		} else if (is_digit((unsigned char)w[i]))
			digits++;
		else
			return 0;
	}
	return digits > 0;
}

/* unicode61 (with '.' as a token character) hands over folded tokens;
 * dots are kept only inside codes, other tokens split at them. */
static int
on_inner(void *ctx, int tflags, const char *tok, int n, int start, int end)
{
	struct tok_ctx	*c = ctx;
	const char	*orig = c->text + start;
	int		 i, p, op, oi, rc;

	(void)tflags;
	while (n > 0 && tok[0] == '.') {
		tok++, n--;
		while (start < end && *orig != '.')
			orig++, start++;
		orig++, start++;
	}
	while (n > 0 && tok[n - 1] == '.') {
		n--;
		while (end > start && c->text[end - 1] != '.')
			end--;
		end--;
	}
	if (n <= 0)
		return SQLITE_OK;
	if (memchr(tok, '.', (size_t)n) == NULL || is_code(tok, n))
		return emit_word(c, tok, n, start, end);
	/* The k-th dot of the folded token is the k-th of the original:
	 * folding never adds or removes one. */
	for (p = 0, op = start, i = 0, oi = start; i <= n; i++) {
		if (i < n && tok[i] != '.')
			continue;
		while (oi < end && c->text[oi] != '.')
			oi++;
		rc = emit_word(c, tok + p, i - p, op, oi);
		if (rc != SQLITE_OK)
			return rc;
		p = i + 1;
		op = ++oi;
	}
	return SQLITE_OK;
}

static int
bd_tokenize(Fts5Tokenizer *p, void *uctx, int flags, const char *text,
    int n, int (*xToken)(void *, int, const char *, int, int, int))
{
	struct bdtok	*t = (struct bdtok *)p;
	struct tok_ctx	 c;

	c.t = t;
	c.uctx = uctx;
	c.xToken = xToken;
	c.flags = flags;
	c.text = text;
	/* Query text "~word": the caller wants surfaces, not stems. */
	if ((flags & FTS5_TOKENIZE_QUERY) && n > 1 && text[0] == SURFACE_MARK)
		c.flags |= FTS5_TOKENIZE_PREFIX;
	return t->inner_api.xTokenize(t->inner, &c, flags, text, n, on_inner);
}

static void
bd_delete(Fts5Tokenizer *p)
{
	struct bdtok	*t = (struct bdtok *)p;

	if (t == NULL)
		return;
	if (t->inner != NULL)
		t->inner_api.xDelete(t->inner);
	if (t->stemmer != NULL)
		sb_stemmer_delete(t->stemmer);
	sqlite3_free(t);
}

/* Arguments: the language ("french", "english" or "none"). */
static int
bd_create(void *api_ptr, const char **argv, int argc, Fts5Tokenizer **out)
{
	static const char *inner_args[] = { "remove_diacritics", "2",
	    "tokenchars", "." };
	fts5_api	*api = api_ptr;
	struct bdtok	*t;
	void		*ud = NULL;
	const char	*lang = argc > 0 ? argv[0] : "none";
	int		 rc;

	t = sqlite3_malloc(sizeof(*t));
	if (t == NULL)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	rc = api->xFindTokenizer(api, "unicode61", &ud, &t->inner_api);
	if (rc == SQLITE_OK)
		rc = t->inner_api.xCreate(ud, inner_args, 4, &t->inner);
	if (rc == SQLITE_OK && strcmp(lang, "none") != 0) {
		t->stemmer = sb_stemmer_new(lang, "UTF_8");
		if (t->stemmer == NULL)
			rc = SQLITE_ERROR;	/* unknown language */
		t->french = strcmp(lang, "french") == 0;
	}
	if (rc != SQLITE_OK) {
		bd_delete((Fts5Tokenizer *)t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

fts5_api *
kb_fts5_api(sqlite3 *db)
{
	fts5_api	*api = NULL;
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int
kb_fts_register(struct sqlite3 *db)
{
	static fts5_tokenizer methods = { bd_create, bd_delete, bd_tokenize };
	fts5_api	*api;

	api = kb_fts5_api(db);
	if (api == NULL || api->iVersion < 2)
		return P_EDB;
	return api->xCreateTokenizer(api, "bouncedesk", api, &methods,
	    NULL) == SQLITE_OK ? P_OK : P_EDB;
}

struct words_ctx {
	int	(*fn)(void *, const char *, size_t, const char *, size_t);
	void	*arg;
	char	 stem[TOK_MAX + 2];
	int	 nstem;
};

static int
on_word(void *ctx, int tflags, const char *tok, int n, int start, int end)
{
	struct words_ctx	*w = ctx;

	(void)start, (void)end;
	if ((tflags & FTS5_TOKEN_COLOCATED) && n > 1 && tok[0] == SURFACE_MARK)
		return w->fn(w->arg, tok + 1, (size_t)n - 1, w->stem,
		    (size_t)w->nstem) == P_OK ? SQLITE_OK : SQLITE_ABORT;
	if (n > TOK_MAX)
		n = TOK_MAX;
	memcpy(w->stem, tok, (size_t)n);
	w->nstem = n;
	/* Codes and short words have no surface: report them alone. */
	if (n > 0 && (is_digit((unsigned char)tok[0]) || n == 1))
		return w->fn(w->arg, tok, (size_t)n, tok, (size_t)n) == P_OK ?
		    SQLITE_OK : SQLITE_ABORT;
	return SQLITE_OK;
}

int
kb_fts_words(struct sqlite3 *db, const char *lang, const char *text,
    size_t len, int (*fn)(void *, const char *, size_t, const char *, size_t),
    void *arg)
{
	const char	*argv[1];
	fts5_api	*api;
	fts5_tokenizer	 m;
	Fts5Tokenizer	*t = NULL;
	struct words_ctx w;
	void		*ud = NULL;
	int		 rc;

	if (len > 1 << 20)
		return P_ETOOBIG;
	api = kb_fts5_api(db);
	if (api == NULL || api->xFindTokenizer(api, "bouncedesk", &ud, &m) !=
	    SQLITE_OK)
		return P_EDB;
	argv[0] = lang != NULL && strcmp(lang, "en") == 0 ? "english" :
	    "french";
	if (m.xCreate(ud, argv, 1, &t) != SQLITE_OK)
		return P_EDB;
	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.arg = arg;
	rc = m.xTokenize(t, &w, FTS5_TOKENIZE_DOCUMENT, text, (int)len,
	    on_word);
	m.xDelete(t);
	return rc == SQLITE_OK ? P_OK : rc == SQLITE_ABORT ? P_EINVAL : P_EDB;
}
