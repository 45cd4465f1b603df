/* src/store/store_kb.c - the knowledge base tables (004_kb.sql): articles,
 * tags, revisions (kept by triggers), votes, feedback, links, search misses
 * and the two FTS5 indexes (one per language). */
#include <stdio.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "store_int.h"

#define ARTICLE_COLS \
    "id, coalesce(translation_of, 0), lang, title, category, state, " \
    "keywords, tags, symptom, problem, solution, created_at, created_by, " \
    "changed_at, changed_by, views, votes_yes, votes_no"
#define BRIEF_COLS	"id, lang, title, category, changed_at, views"
#define PUBLIC_OK	"(state = 'public' OR ?9)"

/* Category filter: the path itself or anything under it. */
#define CATEGORY_OK \
    "(?3 = '' OR a.category = ?3 OR " \
    "substr(a.category, 1, length(?3) + 2) = ?3 || '::')"
#define SNIP_SELECT(L) \
    "SELECT a.title, a.category, a.changed_at, a.views, " \
    "highlight(kb_fts_" L ", 0, char(2), char(3)), " \
    "snippet(kb_fts_" L ", 2, char(2), char(3), '…', 24) " \
    "FROM kb_fts_" L " JOIN kb_articles a ON a.id = kb_fts_" L ".rowid " \
    "WHERE kb_fts_" L " MATCH ?1 AND kb_fts_" L ".rowid = ?2"
static const char SQL_KB_SNIP_FR[] = SNIP_SELECT("fr");
static const char SQL_KB_SNIP_EN[] = SNIP_SELECT("en");
static const char SQL_KB_ANY_FR[] =
    "SELECT 1 FROM kb_fts_fr WHERE kb_fts_fr MATCH ?1 LIMIT 1";
static const char SQL_KB_ANY_EN[] =
    "SELECT 1 FROM kb_fts_en WHERE kb_fts_en MATCH ?1 LIMIT 1";
/* Surface words carry a '~' (src/store/store_fts.c); char(127) ends the
 * range. */
static const char SQL_KB_VOCAB_FR[] =
    "SELECT term, doc FROM kb_vocab_fr WHERE term >= ?1 AND term < ?2";
static const char SQL_KB_VOCAB_EN[] =
    "SELECT term, doc FROM kb_vocab_en WHERE term >= ?1 AND term < ?2";
/* The generation of the vocabulary, bumped by every article write in the
 * same transaction (src/kb/search.c caches the vocabulary by it). */
static const char SQL_KB_GEN[] =
    "SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'kb.generation'";
/* Merges each index into one segment: after a bulk load, every lookup
 * then reads one b-tree instead of dozens (a snippet's seek to its row
 * went from 42 to 10 us at 10,000 articles). */
static const char SQL_KB_OPTIMIZE[] =
    "INSERT INTO kb_fts_fr (kb_fts_fr) VALUES ('optimize'); "
    "INSERT INTO kb_fts_en (kb_fts_en) VALUES ('optimize')";
static const char SQL_KB_MISS[] =
    "INSERT INTO kb_search_misses (query, lang) VALUES (?1, ?2) "
    "ON CONFLICT (query, lang) DO UPDATE SET hits = hits + 1, "
    "last_at = unixepoch()";
static const char SQL_KB_GET[] =
    "SELECT " ARTICLE_COLS " FROM kb_articles WHERE id = ?1";
static const char SQL_KB_TRANSLATION[] =
    "SELECT b.id FROM kb_articles a JOIN kb_articles b ON b.lang = ?2 AND "
    "(b.id = a.id OR b.id = a.translation_of OR b.translation_of = a.id OR "
    "(a.translation_of IS NOT NULL AND "
    "b.translation_of = a.translation_of)) "
    "WHERE a.id = ?1 AND (b.state = 'public' OR ?3) ORDER BY b.id LIMIT 1";
static const char SQL_KB_INSERT[] =
    "INSERT INTO kb_articles (id, lang, translation_of, title, category, "
    "state, keywords, tags, symptom, problem, solution, created_at, "
    "created_by, changed_at, changed_by) VALUES (nullif(?1, 0), ?2, "
    "nullif(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "coalesce(nullif(?12, 0), unixepoch()), ?13, "
    "coalesce(nullif(?14, 0), unixepoch()), ?13)";
static const char SQL_KB_UPDATE[] =
    "UPDATE kb_articles SET lang = ?2, translation_of = nullif(?3, 0), "
    "title = ?4, category = ?5, state = ?6, keywords = ?7, tags = ?8, "
    "symptom = ?9, problem = ?10, solution = ?11, "
    "changed_at = unixepoch(), changed_by = ?12 WHERE id = ?1";
static const char SQL_KB_DELETE[] = "DELETE FROM kb_articles WHERE id = ?1";
static const char SQL_KB_TAGS_CLEAR[] =
    "DELETE FROM kb_article_tags WHERE article_id = ?1";
static const char SQL_KB_TAG_ADD[] =
    "INSERT OR IGNORE INTO kb_article_tags (tag, article_id) "
    "VALUES (?1, ?2)";
static const char SQL_KB_VIEWED[] =
    "UPDATE kb_articles SET views = views + 1 WHERE id = ?1";
static const char SQL_KB_REVCOUNT[] =
    "SELECT count(*) FROM kb_revisions WHERE article_id = ?1";
static const char SQL_KB_EXISTS[] =
    "SELECT 1 FROM kb_articles WHERE id = ?1";
static const char SQL_KB_VOTE[] =
    "INSERT INTO kb_votes (article_id, visitor, helpful) VALUES (?1, ?2, ?3)"
    " ON CONFLICT DO NOTHING";
static const char SQL_KB_VOTE_COUNT[] =
    "UPDATE kb_articles SET votes_yes = votes_yes + ?2, "
    "votes_no = votes_no + ?3 WHERE id = ?1";
static const char SQL_KB_FEEDBACK[] =
    "INSERT INTO kb_feedback (article_id, comment) VALUES (?1, ?2)";
static const char SQL_KB_BY_TAG[] =
    "SELECT " BRIEF_COLS " FROM kb_articles WHERE id IN "
    "(SELECT article_id FROM kb_article_tags WHERE tag = ?1) "
    "AND lang = ?2 AND state = 'public' ORDER BY views DESC, id LIMIT ?3";
static const char SQL_KB_RELATED[] =
    "SELECT " BRIEF_COLS " FROM kb_articles b JOIN ("
    " SELECT related_id AS rid, 1000 AS w FROM kb_related "
    "  WHERE article_id = ?1"
    " UNION ALL SELECT article_id, 1000 FROM kb_related "
    "  WHERE related_id = ?1"
    " UNION ALL SELECT t2.article_id, 1 FROM kb_article_tags t1 "
    "  JOIN kb_article_tags t2 ON t2.tag = t1.tag "
    "  WHERE t1.article_id = ?1) r ON r.rid = b.id "
    "WHERE b.id != ?1 AND b.state = 'public' AND "
    "b.lang = (SELECT lang FROM kb_articles WHERE id = ?1) "
    "GROUP BY b.id ORDER BY sum(r.w) DESC, b.views DESC, b.id LIMIT ?2";
static const char SQL_KB_MOST_VIEWED[] =
    "SELECT " BRIEF_COLS " FROM kb_articles WHERE lang = ?1 AND "
    "state = 'public' ORDER BY views DESC, id LIMIT ?2";
static const char SQL_KB_LATEST[] =
    "SELECT " BRIEF_COLS " FROM kb_articles WHERE (?1 = '' OR lang = ?1) "
    "AND state = 'public' ORDER BY changed_at DESC, id DESC LIMIT ?2";
static const char SQL_KB_CATEGORIES[] =
    "SELECT category, count(*) FROM kb_articles WHERE (?1 = '' OR "
    "lang = ?1) AND state = 'public' GROUP BY category ORDER BY category";
static const char SQL_KB_LINK[] =
    "INSERT OR IGNORE INTO kb_related (article_id, related_id) "
    "VALUES (?1, ?2)";

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

int
store_kb_snippet(struct store *s, struct arena *a, const char *match,
    const struct kb_hitrow *h, struct kb_brief *b)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, strcmp(h->lang, "en") == 0 ? SQL_KB_SNIP_EN :
	    SQL_KB_SNIP_FR);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, h->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		b->id = h->id;
		b->lang = strcmp(h->lang, "en") == 0 ? "en" : "fr";
		b->score = h->score;
		b->title = store_col_str(a, st, 0);
		b->category = store_col_str(a, st, 1);
		b->changed_at = sqlite3_column_int64(st, 2);
		b->views = sqlite3_column_int64(st, 3);
		b->title_hl = store_col_str(a, st, 4);
		b->snippet = store_col_str(a, st, 5);
		rc = b->title != NULL && b->snippet != NULL ? P_OK : P_ENOMEM;
	} else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

static int
any_in(struct store *s, const char *sql, const char *match, bool *hit)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, sql);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		*hit = true;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
store_kb_any(struct store *s, const char *match, const char *lang,
    bool *hit)
{
	int	 rc = P_OK;

	*hit = false;
	if (lang == NULL || strcmp(lang, "en") != 0)
		rc = any_in(s, SQL_KB_ANY_FR, match, hit);
	if (rc == P_OK && !*hit && (lang == NULL || strcmp(lang, "fr") != 0))
		rc = any_in(s, SQL_KB_ANY_EN, match, hit);
	return rc;
}

static int
vocab_in(struct store *s, const char *sql, int first,
    int (*fn)(void *, const char *, size_t, long long), void *arg)
{
	sqlite3_stmt	*st;
	char		 lo[3] = "~", hi[3] = "\x7f";
	const char	*t;
	int		 rc, n;

	if (first > 0 && first < 0x7f) {
		lo[1] = (char)first;
		hi[0] = '~';
		hi[1] = (char)(first + 1);
	}
	st = store_stmt(s, sql);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 0);
		n = sqlite3_column_bytes(st, 0);
		if (t == NULL || n < 2)
			continue;
		if (fn(arg, t + 1, (size_t)n - 1,
		    sqlite3_column_int64(st, 1)) != P_OK) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
store_kb_vocab(struct store *s, const char *lang, int first,
    int (*fn)(void *, const char *, size_t, long long), void *arg)
{
	int	 rc = P_OK;

	if (lang == NULL || strcmp(lang, "en") != 0)
		rc = vocab_in(s, SQL_KB_VOCAB_FR, first, fn, arg);
	if (rc == P_OK && (lang == NULL || strcmp(lang, "fr") != 0))
		rc = vocab_in(s, SQL_KB_VOCAB_EN, first, fn, arg);
	return rc;
}

int
store_kb_generation(struct store *s, long long *gen)
{
	sqlite3_stmt	*st;
	int		 rc;

	*gen = 0;
	st = store_stmt(s, SQL_KB_GEN);
	if (st == NULL)
		return P_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*gen = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
store_kb_dbkey(struct store *s, char *key, size_t size)
{
	const char	*file;
	int		 n;

	file = sqlite3_db_filename(store_db(s), "main");
	if (file == NULL || file[0] == '\0')
		n = snprintf(key, size, "mem:%p", (void *)store_db(s));
	else
		n = snprintf(key, size, "file:%s", file);
	return n < 0 || (size_t)n >= size ? P_EINVAL : P_OK;
}

int
store_kb_optimize(struct store *s)
{
	return sqlite3_exec(store_db(s), SQL_KB_OPTIMIZE, NULL, NULL, NULL) ==
	    SQLITE_OK ? P_OK : P_EDB;
}

int
store_kb_words(struct store *s, const char *lang, const char *text,
    int (*fn)(void *, const char *, size_t, const char *, size_t), void *arg)
{
	return kb_fts_words(store_db(s), lang, text, strlen(text), fn, arg);
}

int
store_kb_log_miss(struct store *s, const char *query, const char *lang)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, SQL_KB_MISS);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lang != NULL ? lang : "", -1, SQLITE_STATIC);
	return store_step(st);
}

int
store_kb_link(struct store *s, long long id, long long related)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, SQL_KB_LINK);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, related);
	return store_step(st);
}

static int
read_article(struct arena *a, sqlite3_stmt *st, struct kb_article *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->translation_of = sqlite3_column_int64(st, 1);
	o->lang = store_col_str(a, st, 2);
	o->title = store_col_str(a, st, 3);
	o->category = store_col_str(a, st, 4);
	o->state = store_col_str(a, st, 5);
	o->keywords = store_col_str(a, st, 6);
	o->tags = store_col_str(a, st, 7);
	o->symptom = store_col_str(a, st, 8);
	o->problem = store_col_str(a, st, 9);
	o->solution = store_col_str(a, st, 10);
	o->created_at = sqlite3_column_int64(st, 11);
	o->created_by = store_col_str(a, st, 12);
	o->changed_at = sqlite3_column_int64(st, 13);
	o->changed_by = store_col_str(a, st, 14);
	o->views = sqlite3_column_int64(st, 15);
	o->votes_yes = sqlite3_column_int64(st, 16);
	o->votes_no = sqlite3_column_int64(st, 17);
	return o->solution != NULL && o->changed_by != NULL ? P_OK : P_ENOMEM;
}

int
kb_article_get(struct store *s, struct arena *a, long long id,
    bool internal, struct kb_article *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, SQL_KB_GET);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = read_article(a, st, out);
		if (rc == P_OK && !internal &&
		    strcmp(out->state, "public") != 0)
			rc = P_ENOTFOUND;
	} else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
kb_translation(struct store *s, long long id, const char *lang,
    bool internal, long long *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, SQL_KB_TRANSLATION);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, internal);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return P_OK;
	return rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
}

static int
valid_article(const struct kb_article *a)
{
	if (a->lang == NULL || (strcmp(a->lang, "fr") != 0 &&
	    strcmp(a->lang, "en") != 0))
		return 0;
	if (a->title == NULL || a->title[0] == '\0' || strlen(a->title) > 300)
		return 0;
	if (a->state != NULL && strcmp(a->state, "public") != 0 &&
	    strcmp(a->state, "internal") != 0)
		return 0;
	return 1;
}

/* Rewrites the tag rows of id from "a, b,c" (lowercased, trimmed). */
static int
write_tags(struct store *s, long long id, const char *tags)
{
	sqlite3_stmt	*st;
	char		 tag[64];
	const char	*p, *e;
	size_t		 n, i;
	int		 rc;

	st = store_stmt(s, SQL_KB_TAGS_CLEAR);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	for (p = nz(tags); *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(tag))
			continue;
		for (i = 0; i < n; i++)
			tag[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ?
			    p[i] + 32 : p[i]);
		tag[n] = '\0';
		st = store_stmt(s, SQL_KB_TAG_ADD);
		if (st == NULL)
			return P_EDB;
		sqlite3_bind_text(st, 1, tag, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, id);
		if ((rc = store_step(st)) != P_OK)
			return rc;
	}
	return P_OK;
}

static void
bind_content(sqlite3_stmt *st, const struct kb_article *a)
{
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_text(st, 2, a->lang, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->translation_of);
	sqlite3_bind_text(st, 4, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->category != NULL ? a->category :
	    "General", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->state != NULL ? a->state : "public", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 7, nz(a->keywords), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, nz(a->tags), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, nz(a->symptom), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, nz(a->problem), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, nz(a->solution), -1, SQLITE_STATIC);
}

int
kb_article_create(struct store *s, struct kb_article *a, const char *author)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (!valid_article(a))
		return P_EINVAL;
	st = store_stmt(s, SQL_KB_INSERT);
	if (st == NULL)
		return P_EDB;
	bind_content(st, a);
	sqlite3_bind_int64(st, 12, a->created_at);
	sqlite3_bind_text(st, 13, author != NULL ? author : "system", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, a->changed_at);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	a->id = sqlite3_last_insert_rowid(store_db(s));
	return write_tags(s, a->id, a->tags);
}

int
kb_article_update(struct store *s, const struct kb_article *a,
    const char *author)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (!valid_article(a) || a->id <= 0)
		return P_EINVAL;
	st = store_stmt(s, SQL_KB_UPDATE);
	if (st == NULL)
		return P_EDB;
	bind_content(st, a);
	sqlite3_bind_text(st, 12, author != NULL ? author : "system", -1,
	    SQLITE_STATIC);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	if (sqlite3_changes(store_db(s)) == 0)
		return P_ENOTFOUND;
	return write_tags(s, a->id, a->tags);
}

static int
by_id(struct store *s, const char *sql, long long id)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, sql);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	return sqlite3_changes(store_db(s)) > 0 ? P_OK : P_ENOTFOUND;
}

int
kb_article_delete(struct store *s, long long id)
{
	return by_id(s, SQL_KB_DELETE, id);
}

int
kb_article_viewed(struct store *s, long long id)
{
	return by_id(s, SQL_KB_VIEWED, id);
}

int
kb_revision_count(struct store *s, long long id, long long *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, SQL_KB_REVCOUNT);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? P_OK : P_EDB;
}

static int
vote_tx(struct store *s, long long id, const char *visitor, bool helpful,
    const char *comment)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, SQL_KB_EXISTS);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	st = store_stmt(s, SQL_KB_VOTE);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, visitor, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, helpful);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	if (sqlite3_changes(store_db(s)) == 0)
		return P_ECONFLICT;		/* this visitor voted already */
	st = store_stmt(s, SQL_KB_VOTE_COUNT);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, helpful);
	sqlite3_bind_int(st, 3, !helpful);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	if (comment == NULL || comment[0] == '\0')
		return P_OK;
	st = store_stmt(s, SQL_KB_FEEDBACK);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, comment, -1, SQLITE_STATIC);
	return store_step(st);
}

int
kb_vote(struct store *s, long long id, const char *visitor, bool helpful,
    const char *comment)
{
	int	 rc;

	if (visitor == NULL || visitor[0] == '\0' ||
	    (comment != NULL && strlen(comment) > 2000))
		return P_EINVAL;
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = vote_tx(s, id, visitor, helpful, comment);
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK)
		store_rollback(s);
	return rc;
}

/* Runs a list query whose columns are BRIEF_COLS. */
static int
read_list(struct arena *a, sqlite3_stmt *st, size_t max, struct kb_list *out)
{
	struct kb_brief	*b;
	int		 rc = SQLITE_DONE;

	out->n = 0;
	out->items = arena_calloc(a, max > 0 ? max : 1, sizeof(*out->items));
	if (out->items == NULL) {
		sqlite3_reset(st);
		return P_ENOMEM;
	}
	while (out->n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		b = &out->items[out->n++];
		b->id = sqlite3_column_int64(st, 0);
		b->lang = store_col_str(a, st, 1);
		b->title = store_col_str(a, st, 2);
		b->category = store_col_str(a, st, 3);
		b->changed_at = sqlite3_column_int64(st, 4);
		b->views = sqlite3_column_int64(st, 5);
		if (b->title == NULL || b->category == NULL) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
	}
	rc = out->n == max ? SQLITE_DONE : rc;
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? P_OK : P_EDB;
}

int
kb_articles_by_tag(struct store *s, struct arena *a, const char *tag,
    const char *lang, size_t max, struct kb_list *out)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, SQL_KB_BY_TAG);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, nz(tag), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lang != NULL ? lang : "fr", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (long long)max);
	return read_list(a, st, max, out);
}

int
kb_related(struct store *s, struct arena *a, long long id, size_t max,
    struct kb_list *out)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, SQL_KB_RELATED);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (long long)max);
	return read_list(a, st, max, out);
}

int
kb_most_viewed(struct store *s, struct arena *a, const char *lang,
    size_t max, struct kb_list *out)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, SQL_KB_MOST_VIEWED);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, lang != NULL ? lang : "fr", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (long long)max);
	return read_list(a, st, max, out);
}

int
kb_latest(struct store *s, struct arena *a, const char *lang, size_t max,
    struct kb_list *out)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, SQL_KB_LATEST);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, nz(lang), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (long long)max);
	return read_list(a, st, max, out);
}

int
kb_categories(struct store *s, struct arena *a, const char *lang,
    struct kb_category **out, size_t *n)
{
	sqlite3_stmt		*st;
	struct kb_category	*c = NULL, *bigger;
	size_t			 cap = 0;
	int			 rc;

	*n = 0;
	st = store_stmt(s, SQL_KB_CATEGORIES);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, nz(lang), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			bigger = arena_calloc(a, cap, sizeof(*c));
			if (bigger == NULL) {
				sqlite3_reset(st);
				return P_ENOMEM;
			}
			if (*n > 0)
				memcpy(bigger, c, *n * sizeof(*c));
			c = bigger;
		}
		c[*n].path = store_col_str(a, st, 0);
		c[*n].count = sqlite3_column_int64(st, 1);
		if (c[*n].path == NULL) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
		(*n)++;
	}
	sqlite3_reset(st);
	*out = c;
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}

/* ---- the staff side: lists with counters, revisions, feedback, the
 * miss log, sync ---- */

#define ADMIN_WHERE \
    "(?1 = '' OR a.lang = ?1) AND " \
    "(?2 = '' OR a.category = ?2 OR " \
    "substr(a.category, 1, length(?2) + 2) = ?2 || '::') AND " \
    "(?3 = '' OR a.state = ?3)"
static const char SQL_KB_ADMIN_LIST[] =
    "SELECT a.id, coalesce(a.translation_of, 0), a.lang, a.title, "
    "a.category, a.state, a.changed_by, a.changed_at, a.views, "
    "a.votes_yes, a.votes_no, (SELECT count(*) FROM kb_feedback f "
    "WHERE f.article_id = a.id) FROM kb_articles a WHERE " ADMIN_WHERE
    " ORDER BY a.changed_at DESC, a.id DESC LIMIT ?4 OFFSET ?5";
static const char SQL_KB_ADMIN_COUNT[] =
    "SELECT count(*) FROM kb_articles a WHERE " ADMIN_WHERE;
static const char SQL_KB_ADMIN_TOTALS[] =
    "SELECT count(*), coalesce(sum(state = 'public'), 0), "
    "coalesce(sum(state = 'internal'), 0), coalesce(sum(lang = 'fr'), 0), "
    "coalesce(sum(lang = 'en'), 0) FROM kb_articles";
static const char SQL_KB_CATEGORIES_ALL[] =
    "SELECT category, count(*) FROM kb_articles GROUP BY category "
    "ORDER BY category";
#define REV_COLS \
    "id, article_id, title, category, state, keywords, tags, symptom, " \
    "problem, solution, changed_at, changed_by"
static const char SQL_KB_REV_LIST[] =
    "SELECT " REV_COLS " FROM kb_revisions WHERE article_id = ?1 "
    "ORDER BY id DESC LIMIT ?2";
static const char SQL_KB_REV_GET[] =
    "SELECT " REV_COLS " FROM kb_revisions WHERE article_id = ?1 AND "
    "id = ?2";
static const char SQL_KB_FEEDBACK_LIST[] =
    "SELECT id, article_id, comment, created_at FROM kb_feedback "
    "WHERE article_id = ?1 ORDER BY id DESC LIMIT ?2";
static const char SQL_KB_FEEDBACK_COUNT[] =
    "SELECT count(*) FROM kb_feedback WHERE article_id = ?1";
static const char SQL_KB_MISSES[] =
    "SELECT query, lang, hits, first_at, last_at FROM kb_search_misses "
    "WHERE (?2 = 0 OR lang = ?1) ORDER BY hits DESC, last_at DESC, query "
    "LIMIT ?3";
static const char SQL_KB_MISSES_COUNT[] =
    "SELECT count(*) FROM kb_search_misses WHERE (?2 = 0 OR lang = ?1)";
static const char SQL_KB_MISS_FORGET[] =
    "DELETE FROM kb_search_misses WHERE query = ?1 AND lang = ?2";
static const char SQL_KB_CHANGED[] =
    "SELECT " ARTICLE_COLS " FROM kb_articles WHERE changed_at >= ?1 AND "
    "(changed_at > ?2 OR (changed_at = ?2 AND id > ?3)) AND "
    "(state = 'public' OR ?4) ORDER BY changed_at, id LIMIT ?5";
static const char SQL_KB_IDS[] =
    "SELECT id FROM kb_articles WHERE state = 'public' OR ?1 ORDER BY id";

/* One count(*) row of st (already bound); resets st. */
static int
count_row(sqlite3_stmt *st, long long *n)
{
	int	 rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? P_OK : P_EDB;
}

static void
bind_admin(sqlite3_stmt *st, const struct kb_admin_filter *f)
{
	sqlite3_bind_text(st, 1, nz(f->lang), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nz(f->category), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, nz(f->state), -1, SQLITE_STATIC);
}

static int
admin_totals(struct store *s, struct kb_admin_counts *c)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_KB_ADMIN_TOTALS)) == NULL)
		return P_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->all = sqlite3_column_int64(st, 0);
		c->public_n = sqlite3_column_int64(st, 1);
		c->internal_n = sqlite3_column_int64(st, 2);
		c->fr = sqlite3_column_int64(st, 3);
		c->en = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? P_OK : P_EDB;
}

static int
admin_row(struct arena *a, sqlite3_stmt *st, struct kb_admin_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->translation_of = sqlite3_column_int64(st, 1);
	r->lang = store_col_str(a, st, 2);
	r->title = store_col_str(a, st, 3);
	r->category = store_col_str(a, st, 4);
	r->state = store_col_str(a, st, 5);
	r->changed_by = store_col_str(a, st, 6);
	r->changed_at = sqlite3_column_int64(st, 7);
	r->views = sqlite3_column_int64(st, 8);
	r->votes_yes = sqlite3_column_int64(st, 9);
	r->votes_no = sqlite3_column_int64(st, 10);
	r->feedback = sqlite3_column_int64(st, 11);
	return r->changed_by != NULL && r->state != NULL ? P_OK : P_ENOMEM;
}

int
kb_admin_list(struct store *s, struct arena *a,
    const struct kb_admin_filter *f, struct kb_admin_row **out, size_t *n,
    struct kb_admin_counts *c)
{
	sqlite3_stmt	*st;
	size_t		 max;
	int		 rc;

	*n = 0;
	memset(c, 0, sizeof(*c));
	max = f->limit < 1 ? 1 : f->limit > KB_ADMIN_MAX ? KB_ADMIN_MAX :
	    (size_t)f->limit;
	if ((*out = arena_calloc(a, max, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((rc = admin_totals(s, c)) != P_OK)
		return rc;
	if ((st = store_stmt(s, SQL_KB_ADMIN_COUNT)) == NULL)
		return P_EDB;
	bind_admin(st, f);
	if ((rc = count_row(st, &c->total)) != P_OK)
		return rc;
	if ((st = store_stmt(s, SQL_KB_ADMIN_LIST)) == NULL)
		return P_EDB;
	bind_admin(st, f);
	sqlite3_bind_int64(st, 4, (long long)max);
	sqlite3_bind_int(st, 5, f->offset < 0 ? 0 : f->offset);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (admin_row(a, st, &(*out)[(*n)++]) != P_OK) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
kb_categories_all(struct store *s, struct arena *a, struct kb_category **out,
    size_t *n)
{
	sqlite3_stmt		*st;
	struct kb_category	*c;
	size_t			 cap = 64;
	int			 rc = SQLITE_DONE;

	*n = 0;
	*out = NULL;
	if ((st = store_stmt(s, SQL_KB_CATEGORIES_ALL)) == NULL)
		return P_EDB;
	/* A bounded list: a base with more categories shows the first. */
	if ((c = arena_calloc(a, cap, sizeof(*c))) == NULL) {
		sqlite3_reset(st);
		return P_ENOMEM;
	}
	while (*n < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c[*n].path = store_col_str(a, st, 0);
		c[*n].count = sqlite3_column_int64(st, 1);
		if (c[*n].path == NULL) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
		(*n)++;
	}
	sqlite3_reset(st);
	*out = c;
	return *n == cap || rc == SQLITE_DONE ? P_OK : P_EDB;
}

static int
read_revision(struct arena *a, sqlite3_stmt *st, struct kb_revision *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->article_id = sqlite3_column_int64(st, 1);
	r->title = store_col_str(a, st, 2);
	r->category = store_col_str(a, st, 3);
	r->state = store_col_str(a, st, 4);
	r->keywords = store_col_str(a, st, 5);
	r->tags = store_col_str(a, st, 6);
	r->symptom = store_col_str(a, st, 7);
	r->problem = store_col_str(a, st, 8);
	r->solution = store_col_str(a, st, 9);
	r->changed_at = sqlite3_column_int64(st, 10);
	r->changed_by = store_col_str(a, st, 11);
	return r->solution != NULL && r->changed_by != NULL ? P_OK : P_ENOMEM;
}

int
kb_revision_list(struct store *s, struct arena *a, long long id, size_t max,
    struct kb_revision **out, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc = SQLITE_DONE;

	*n = 0;
	if ((*out = arena_calloc(a, max > 0 ? max : 1, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((st = store_stmt(s, SQL_KB_REV_LIST)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (read_revision(a, st, &(*out)[(*n)++]) != P_OK) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
kb_revision_get(struct store *s, struct arena *a, long long id,
    long long rev, struct kb_revision *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_KB_REV_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, rev);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = read_revision(a, st, out);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
kb_feedback_list(struct store *s, struct arena *a, long long id, size_t max,
    struct kb_feedback **out, size_t *n, long long *total)
{
	sqlite3_stmt		*st;
	struct kb_feedback	*f;
	int			 rc = SQLITE_DONE;

	*n = 0;
	if ((*out = arena_calloc(a, max > 0 ? max : 1, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if (total != NULL) {
		if ((st = store_stmt(s, SQL_KB_FEEDBACK_COUNT)) == NULL)
			return P_EDB;
		sqlite3_bind_int64(st, 1, id);
		if ((rc = count_row(st, total)) != P_OK)
			return rc;
	}
	if ((st = store_stmt(s, SQL_KB_FEEDBACK_LIST)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		f = &(*out)[(*n)++];
		f->id = sqlite3_column_int64(st, 0);
		f->article_id = sqlite3_column_int64(st, 1);
		f->comment = store_col_str(a, st, 2);
		f->created_at = sqlite3_column_int64(st, 3);
		if (f->comment == NULL) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
kb_misses(struct store *s, struct arena *a, const char *lang, size_t max,
    struct kb_miss **out, size_t *n, long long *total)
{
	sqlite3_stmt	*st;
	struct kb_miss	*m;
	int		 rc = SQLITE_DONE;

	*n = 0;
	if ((*out = arena_calloc(a, max > 0 ? max : 1, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if (total != NULL) {
		if ((st = store_stmt(s, SQL_KB_MISSES_COUNT)) == NULL)
			return P_EDB;
		sqlite3_bind_text(st, 1, nz(lang), -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, lang != NULL);
		if ((rc = count_row(st, total)) != P_OK)
			return rc;
	}
	if ((st = store_stmt(s, SQL_KB_MISSES)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, nz(lang), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, lang != NULL);
	sqlite3_bind_int64(st, 3, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		m = &(*out)[(*n)++];
		m->query = store_col_str(a, st, 0);
		m->lang = store_col_str(a, st, 1);
		m->hits = sqlite3_column_int64(st, 2);
		m->first_at = sqlite3_column_int64(st, 3);
		m->last_at = sqlite3_column_int64(st, 4);
		if (m->query == NULL || m->lang == NULL) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
kb_miss_forget(struct store *s, const char *query, const char *lang)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (query == NULL)
		return P_EINVAL;
	if ((st = store_stmt(s, SQL_KB_MISS_FORGET)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nz(lang), -1, SQLITE_STATIC);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	return sqlite3_changes(store_db(s)) > 0 ? P_OK : P_ENOTFOUND;
}

int
kb_changed_since(struct store *s, struct arena *a, long long since,
    long long after_t, long long after_id, bool internal, size_t max,
    struct kb_article **out, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc = SQLITE_DONE;

	*n = 0;
	if ((*out = arena_calloc(a, max > 0 ? max : 1, sizeof(**out))) == NULL)
		return P_ENOMEM;
	if ((st = store_stmt(s, SQL_KB_CHANGED)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, after_t);
	sqlite3_bind_int64(st, 3, after_id);
	sqlite3_bind_int(st, 4, internal);
	sqlite3_bind_int64(st, 5, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (read_article(a, st, &(*out)[(*n)++]) != P_OK) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
kb_article_ids(struct store *s, struct arena *a, bool internal,
    long long **out, size_t *n)
{
	sqlite3_stmt	*st;
	long long	*v = NULL, *bigger;
	size_t		 cap = 0;
	int		 rc;

	*n = 0;
	if ((st = store_stmt(s, SQL_KB_IDS)) == NULL)
		return P_EDB;
	sqlite3_bind_int(st, 1, internal);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((bigger = arena_calloc(a, cap, sizeof(*v))) ==
			    NULL) {
				sqlite3_reset(st);
				return P_ENOMEM;
			}
			if (*n > 0)
				memcpy(bigger, v, *n * sizeof(*v));
			v = bigger;
		}
		v[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	*out = v;
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}
