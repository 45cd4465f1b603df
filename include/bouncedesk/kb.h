/* kb.h - the knowledge base: FAQ articles, full-text search with stemming
 * and typo tolerance, votes, revisions, and the seed loader.
 * Strings handed back live in the caller's arena. Functions return P_OK or
 * a negative P_E* code (err.h). */
#ifndef BOUNCEDESK_KB_H
#define BOUNCEDESK_KB_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct sqlite3;
struct store;

#define KB_PER_PAGE_MAX	50
#define KB_QUERY_MAX	512	/* bytes of query text considered */
#define KB_WORDS_MAX	16	/* query words considered */

/* ---- the tokenizer (src/store/store_fts.c) ---- */

/* Registers the "bouncedesk" FTS5 tokenizer on a connection; the store
 * calls it for every connection it opens. */
int	kb_fts_register(struct sqlite3 *);
/* Runs the tokenizer over text as it indexes a document in lang ("fr",
 * "en") and calls fn(arg, folded, flen, token, tlen) for each word: the
 * folded surface form and the indexed token (the stem; the code itself
 * for codes). fn returns P_OK to go on. */
int	kb_fts_words(struct sqlite3 *, const char *lang, const char *text,
	    size_t len, int (*fn)(void *, const char *, size_t, const char *,
	    size_t), void *arg);

/* ---- articles ---- */

struct kb_article {
	long long	 id;
	long long	 translation_of;	/* 0: none */
	const char	*lang;			/* "fr" or "en" */
	const char	*title;
	const char	*category;		/* "Hosting::Mail" */
	const char	*state;			/* "public" or "internal" */
	const char	*keywords;
	const char	*tags;			/* "a,b,c" */
	const char	*symptom, *problem, *solution;	/* Markdown */
	long long	 created_at, changed_at;	/* unix seconds */
	const char	*created_by, *changed_by;
	long long	 views, votes_yes, votes_no;
};

/* A line of a list (search hit, related, latest...). */
struct kb_brief {
	long long	 id;
	const char	*lang;
	const char	*title;
	const char	*title_hl;	/* with \2 \3 around matches; or NULL */
	const char	*snippet;	/* with \2 \3 around matches; or NULL */
	const char	*category;
	long long	 changed_at;
	long long	 views;
	double		 score;		/* bm25: lower is better */
};

struct kb_list {
	struct kb_brief	*items;
	size_t		 n;
};

struct kb_results {
	struct kb_brief	*hits;
	size_t		 nhits;
	long long	 total;		/* all matches, every page */
	int		 page, per_page;
	const char	*did_you_mean;	/* corrected query, or NULL */
	bool		 any_word;	/* fell back to "any word" */
};

/* Searches the articles. lang "fr"/"en" or NULL (both), category a path
 * prefix or NULL, page from 1. User syntax is never given to MATCH: every
 * word is quoted. With no hit, misspelt words are replaced by the nearest
 * indexed word (did_you_mean), then any word may match; a query that still
 * finds nothing is logged, normalised, without addresses. */
int	kb_search(struct store *, struct arena *, const char *query,
	    const char *lang, const char *category, int page, int per_page,
	    bool include_internal, struct kb_results *out);
/* After a write has committed: rebuilds now what searches derive from
 * the articles (the typo vocabulary of the process, the ranking tables of
 * this connection), so that the writer's request pays for it rather than
 * the next reader's. Its failure costs nothing but that. */
int	kb_search_warm(struct store *);
/* Search-as-you-type: up to max titles whose words start like the query. */
int	kb_suggest(struct store *, struct arena *, const char *prefix,
	    const char *lang, size_t max, struct kb_list *out);

/* One article; internal ones only with include_internal (else
 * P_ENOTFOUND). */
int	kb_article_get(struct store *, struct arena *, long long id,
	    bool include_internal, struct kb_article *out);
/* The id of the article's version in lang (itself when it is in lang);
 * P_ENOTFOUND when there is none. */
int	kb_translation(struct store *, long long id, const char *lang,
	    bool include_internal, long long *out);
/* Creates (a->id 0: a new id is written back; else that id must be free)
 * or updates an article; each keeps a revision. author is recorded. */
int	kb_article_create(struct store *, struct kb_article *a,
	    const char *author);
int	kb_article_update(struct store *, const struct kb_article *a,
	    const char *author);
int	kb_article_delete(struct store *, long long id);
/* Counts a view. */
int	kb_article_viewed(struct store *, long long id);
/* Number of revisions kept for id. */
int	kb_revision_count(struct store *, long long id, long long *n);

/* Records a reader's vote; P_ECONFLICT when visitor (an opaque hash)
 * already voted on this article. comment (may be NULL) is kept as
 * feedback. */
int	kb_vote(struct store *, long long id, const char *visitor,
	    bool helpful, const char *comment);

/* Public articles in lang carrying tag (diagnosis links), best known
 * first. */
int	kb_articles_by_tag(struct store *, struct arena *, const char *tag,
	    const char *lang, size_t max, struct kb_list *out);
/* Explicit links first, then articles sharing tags. */
int	kb_related(struct store *, struct arena *, long long id,
	    size_t max, struct kb_list *out);
int	kb_most_viewed(struct store *, struct arena *, const char *lang,
	    size_t max, struct kb_list *out);
/* Latest changed; lang may be NULL (both). */
int	kb_latest(struct store *, struct arena *, const char *lang,
	    size_t max, struct kb_list *out);

struct kb_category {
	const char	*path;
	long long	 count;
};
/* Categories of public articles in lang (NULL: all), with counts. */
int	kb_categories(struct store *, struct arena *, const char *lang,
	    struct kb_category **out, size_t *n);

/* ---- seed (src/kb/seed.c) ---- */

/* Loads every *.md article of dir (front matter, then ## sections) that
 * the database lacks, by id, in one transaction: staff edits survive.
 * *added (may be NULL) counts the new ones. */
int	kb_seed_dir(struct store *, const char *dir, char *err,
	    size_t errlen);
int	kb_seed_dir_count(struct store *, const char *dir, int *added,
	    char *err, size_t errlen);
/* Parses one seed file into a (strings in the arena). related gets up to
 * maxrel ids of "related:". */
int	kb_seed_parse(struct arena *, const char *text, size_t len,
	    struct kb_article *a, long long *related, size_t maxrel,
	    size_t *nrelated, char *err, size_t errlen);

/* ---- text helpers (src/kb/text.c) ---- */

/* Turns \2..\3 markers into <mark>..</mark> around HTML-escaped text;
 * Markdown emphasis signs are dropped. */
char	*kb_marks_html(struct arena *, const char *);
/* The same text without markers nor Markdown signs. */
char	*kb_marks_plain(struct arena *, const char *);
/* Markdown to HTML with cmark, raw HTML and unsafe links left out. */
char	*kb_markdown_html(struct arena *, const char *md);
/* True when a search text looks like an error message rather than
 * words to look up: an enhanced status code (5.7.1), an SMTP reply
 * ("550 5.1.1", "421-", "554 Rejected"), a mail client code
 * (0x800CCC0E) or a bounce's own wording (Diagnostic-Code, said:). */
bool	kb_looks_like_error(const char *query);
/* Restricted Damerau-Levenshtein distance of two byte strings, capped:
 * returns max + 1 as soon as the distance is over max. */
int	kb_distance(const char *a, size_t alen, const char *b, size_t blen,
	    int max);

/* ---- storage (src/store/store_kb.c; used by src/kb) ---- */

struct kb_hitrow {
	long long	 id;
	char		 lang[3];
	double		 score;
};
/* Runs a MATCH expression (already safe) in lang ("fr", "en" or "" for
 * both); fills up to max rows from offset and the total. */
int	store_kb_match(struct store *, const char *match, const char *lang,
	    const char *category, bool include_internal, int offset, int max,
	    struct kb_hitrow *rows, int *nrows, long long *total);
/* How the ranking of one connection (src/store/store_kbrank.c) answered
 * so far, per language searched: from its in-memory frequency tables or
 * through FTS5; tables of broad phrases built; article tables loaded (one
 * per generation of the knowledge base). */
struct kb_rank_stats {
	long long	 from_memory, from_fts, tables_built, loads;
};
void	store_kb_rank_stats(struct store *, struct kb_rank_stats *);
/* Title, category, highlighted title and body snippet of one hit. */
int	store_kb_snippet(struct store *, struct arena *, const char *match,
	    const struct kb_hitrow *, struct kb_brief *);
/* True in *hit when match finds anything in lang ("" both). */
int	store_kb_any(struct store *, const char *match, const char *lang,
	    bool *hit);
/* Calls fn(arg, word, wlen, docs) for each indexed surface word of lang
 * ("" both) starting with first (0: all). */
int	store_kb_vocab(struct store *, const char *lang, int first,
	    int (*fn)(void *, const char *, size_t, long long), void *arg);
/* Merges the full-text indexes into one segment each; after bulk loads
 * (seed, import), where it makes every later search cheaper. */
int	store_kb_optimize(struct store *);
/* Makes this connection's ranking tables match the database now. */
int	store_kb_rank_warm(struct store *);
/* The vocabulary generation: changes with every article write. */
int	store_kb_generation(struct store *, long long *gen);
/* A name for the database of the store (its file, or the connection). */
int	store_kb_dbkey(struct store *, char *key, size_t size);
/* The folded words of text, as the index sees them. */
int	store_kb_words(struct store *, const char *lang, const char *text,
	    int (*fn)(void *, const char *, size_t, const char *, size_t),
	    void *arg);
int	store_kb_log_miss(struct store *, const char *query, const char *lang);
/* Adds explicit related links (missing ones). */
int	store_kb_link(struct store *, long long id, long long related_id);

/* ---- the staff side (src/kb/admin.c, src/store/store_kb.c) ---- */

#define KB_ADMIN_MAX	200		/* lines of one staff list page */
#define KB_CATEGORY_MAX	100		/* bytes of a category path */
#define KB_KEYWORDS_MAX	1000		/* bytes of keywords, of tags */
#define KB_BODY_MAX	(64 * 1024)	/* bytes of each Markdown field */

/* Creates (a->id 0: the new id is written back) or updates a, tags
 * included, in one transaction; the edit keeps a revision. Checks the
 * fields (lengths, state, language) and the translation link: it must
 * name another article in the other language. P_EINVAL, P_ENOTFOUND
 * (update of a missing id), P_EDB. */
int	kb_article_save(struct store *, struct kb_article *a,
	    const char *author);
/* Deletes an article (its revisions, votes, links go with it).
 * P_ENOTFOUND, P_EDB. */
int	kb_article_remove(struct store *, long long id);

/* A line of the staff list: an article and its counters. */
struct kb_admin_row {
	long long	 id, translation_of;
	const char	*lang, *title, *category, *state, *changed_by;
	long long	 changed_at, views, votes_yes, votes_no;
	long long	 feedback;		/* readers' notes kept */
};

struct kb_admin_filter {
	const char	*lang;		/* "fr", "en" or NULL: both */
	const char	*category;	/* a path and what is under it; NULL */
	const char	*state;		/* "public", "internal" or NULL */
	int		 offset;
	int		 limit;		/* 1..KB_ADMIN_MAX */
};

struct kb_admin_counts {
	long long	 total;		/* matching the filter, every page */
	long long	 all, public_n, internal_n, fr, en;	/* whole base */
};

/* Every article, internal ones too, newest change first. */
int	kb_admin_list(struct store *, struct arena *,
	    const struct kb_admin_filter *, struct kb_admin_row **out,
	    size_t *n, struct kb_admin_counts *counts);
/* Categories of every article (internal too), with counts. */
int	kb_categories_all(struct store *, struct arena *,
	    struct kb_category **out, size_t *n);

struct kb_revision {
	long long	 id, article_id;
	const char	*title, *category, *state, *keywords, *tags;
	const char	*symptom, *problem, *solution;	/* Markdown */
	long long	 changed_at;
	const char	*changed_by;
};
/* The revisions of an article, newest first, at most max. */
int	kb_revision_list(struct store *, struct arena *, long long article_id,
	    size_t max, struct kb_revision **out, size_t *n);
/* One revision of article_id; P_ENOTFOUND when rev_id is not one of
 * its revisions. */
int	kb_revision_get(struct store *, struct arena *, long long article_id,
	    long long rev_id, struct kb_revision *out);
/* Writes revision rev_id back to its article as a new edit by author: a
 * new revision is kept, the older ones stay. Language and translation
 * link are not part of a revision and do not change. */
int	kb_revision_restore(struct store *, long long article_id,
	    long long rev_id, const char *author);

/* What readers who voted "no" said was missing. */
struct kb_feedback {
	long long	 id, article_id;
	const char	*comment;
	long long	 created_at;
};
/* Newest first, at most max; *total (may be NULL) counts them all. */
int	kb_feedback_list(struct store *, struct arena *, long long article_id,
	    size_t max, struct kb_feedback **out, size_t *n,
	    long long *total);

/* A search that found nothing (as kb_search logged it). */
struct kb_miss {
	const char	*query, *lang;	/* lang "" when searched in both */
	long long	 hits, first_at, last_at;
};
/* Most frequent first (then latest); lang NULL: every language.
 * *total (may be NULL) counts the distinct queries. */
int	kb_misses(struct store *, struct arena *, const char *lang,
	    size_t max, struct kb_miss **out, size_t *n, long long *total);
/* Forgets one logged miss (once an article answers it). P_ENOTFOUND. */
int	kb_miss_forget(struct store *, const char *query, const char *lang);

/* Sync for other systems: articles changed at or after since, oldest
 * change first, strictly after the cursor (after_t, after_id) (0, 0 for
 * the first page); at most max. Internal ones only with
 * include_internal. */
int	kb_changed_since(struct store *, struct arena *, long long since,
	    long long after_t, long long after_id, bool include_internal,
	    size_t max, struct kb_article **out, size_t *n);
/* Every article id (internal too when asked), ascending, for a sync
 * client to notice deletions. */
int	kb_article_ids(struct store *, struct arena *, bool include_internal,
	    long long **out, size_t *n);

/* ---- import and export (src/kb/export.c, src/store/store_kbio.c) ---- */

struct buf;
/* Every article (internal ones too), ascending id, as one JSON document
 * {"format": "bouncedesk-faq", "version": 1, "articles": [...]}: all
 * content fields, translation link, tags, explicit related ids, dates and
 * authors (not the readers' counters). */
int	kb_export_json(struct store *, struct buf *out);
/* Inserts or updates, by id, every article of such a document in one
 * transaction; an update is an edit by author (a revision is kept), an
 * insert keeps the file's dates and authors. Explicit related links of
 * each imported article become the file's. *added, *updated may be NULL.
 * P_EINVAL (err says why) leaves the base unchanged. */
int	kb_import_json(struct store *, const char *text, size_t len,
	    const char *author, int *added, int *updated, char *err,
	    size_t errlen);
/* The faq-export and faq-import commands (argv after the command). */
int	kb_cli(int argc, char **argv, const char *cmd, const char *db_path);
/* Explicit related ids of id, ascending (strings in the arena). */
int	store_kb_links_of(struct store *, struct arena *, long long id,
	    long long **out, size_t *n);
/* Makes the explicit related ids of id exactly ids. */
int	store_kb_links_set(struct store *, long long id, const long long *ids,
	    size_t n);
/* Sets the dates and authors of id as given. */
int	store_kb_stamps(struct store *, long long id, long long created_at,
	    const char *created_by, long long changed_at,
	    const char *changed_by);

#endif /* BOUNCEDESK_KB_H */
