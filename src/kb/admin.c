/* src/kb/admin.c - what staff do to articles beyond the store's single
 * statements: a checked, transactional save and the restore of a
 * revision (which is itself a new edit, so nothing is ever lost). */
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

static bool
len_ok(const char *s, size_t max)
{
	return s == NULL || strlen(s) <= max;
}

/* Control characters other than tab and newlines have no place in an
 * article; a NUL cannot come through C strings anyway. */
static bool
text_ok(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' &&
		    *s != '\r')
			return false;
	return true;
}

static int
check_fields(const struct kb_article *a)
{
	if (a->lang == NULL || (strcmp(a->lang, "fr") != 0 &&
	    strcmp(a->lang, "en") != 0))
		return P_EINVAL;
	if (a->title == NULL || a->title[strspn(a->title, " \t")] == '\0' ||
	    strlen(a->title) > 300 || strchr(a->title, '\n') != NULL)
		return P_EINVAL;
	if (a->state != NULL && strcmp(a->state, "public") != 0 &&
	    strcmp(a->state, "internal") != 0)
		return P_EINVAL;
	if (a->category != NULL && (a->category[0] == '\0' ||
	    strchr(a->category, '\n') != NULL))
		return P_EINVAL;
	if (!len_ok(a->category, KB_CATEGORY_MAX) ||
	    !len_ok(a->keywords, KB_KEYWORDS_MAX) ||
	    !len_ok(a->tags, KB_KEYWORDS_MAX))
		return P_ETOOBIG;
	if (!len_ok(a->symptom, KB_BODY_MAX) ||
	    !len_ok(a->problem, KB_BODY_MAX) ||
	    !len_ok(a->solution, KB_BODY_MAX))
		return P_ETOOBIG;
	if (!text_ok(a->title) || !text_ok(a->category) ||
	    !text_ok(a->keywords) || !text_ok(a->tags) ||
	    !text_ok(a->symptom) || !text_ok(a->problem) ||
	    !text_ok(a->solution))
		return P_EINVAL;
	return P_OK;
}

/* The translation link names another article, in the other language. */
static int
check_translation(struct store *s, const struct kb_article *a)
{
	struct kb_article	 t;
	struct arena		*ar;
	int			 rc;

	if (a->translation_of == 0)
		return P_OK;
	if (a->translation_of < 0 || a->translation_of == a->id)
		return P_EINVAL;
	if ((ar = arena_new(0)) == NULL)
		return P_ENOMEM;
	rc = kb_article_get(s, ar, a->translation_of, true, &t);
	if (rc == P_ENOTFOUND || (rc == P_OK && strcmp(t.lang, a->lang) == 0))
		rc = P_EINVAL;
	arena_free(ar);
	return rc;
}

int
kb_article_save(struct store *s, struct kb_article *a, const char *author)
{
	int	 rc;

	if ((rc = check_fields(a)) != P_OK)
		return rc;
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = check_translation(s, a);
	if (rc == P_OK)
		rc = a->id == 0 ? kb_article_create(s, a, author) :
		    kb_article_update(s, a, author);
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK)
		store_rollback(s);
	else
		(void)kb_search_warm(s);
	return rc;
}

int
kb_article_remove(struct store *s, long long id)
{
	int	 rc;

	if ((rc = kb_article_delete(s, id)) == P_OK)
		(void)kb_search_warm(s);
	return rc;
}

int
kb_revision_restore(struct store *s, long long id, long long rev,
    const char *author)
{
	struct kb_article	 a;
	struct kb_revision	 r;
	struct arena		*ar;
	int			 rc;

	if ((ar = arena_new(0)) == NULL)
		return P_ENOMEM;
	if (store_begin(s) != P_OK) {
		arena_free(ar);
		return P_EDB;
	}
	rc = kb_article_get(s, ar, id, true, &a);
	if (rc == P_OK)
		rc = kb_revision_get(s, ar, id, rev, &r);
	if (rc == P_OK) {
		a.title = r.title;
		a.category = r.category;
		a.state = r.state;
		a.keywords = r.keywords;
		a.tags = r.tags;
		a.symptom = r.symptom;
		a.problem = r.problem;
		a.solution = r.solution;
		/* The update names every content column: the revision
		 * trigger fires even when nothing differs. */
		rc = kb_article_update(s, &a, author);
	}
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK)
		store_rollback(s);
	else
		(void)kb_search_warm(s);
	arena_free(ar);
	return rc;
}
