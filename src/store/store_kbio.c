/* src/store/store_kbio.c - what the FAQ import and export need beyond the
 * article statements of store_kb.c: an article's explicit links, and its
 * dates and authors as a file gives them. */
#include <sqlite3.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "store_int.h"

static const char SQL_KBIO_LINKS[] =
    "SELECT related_id FROM kb_related WHERE article_id = ?1 "
    "ORDER BY related_id";
static const char SQL_KBIO_UNLINK[] =
    "DELETE FROM kb_related WHERE article_id = ?1";
static const char SQL_KBIO_STAMPS[] =
    "UPDATE kb_articles SET created_at = ?2, created_by = ?3, "
    "changed_at = ?4, changed_by = ?5 WHERE id = ?1";

int
store_kb_links_of(struct store *s, struct arena *a, long long id,
    long long **out, size_t *n)
{
	sqlite3_stmt	*st;
	long long	*v = NULL, *nv;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	if ((st = store_stmt(s, SQL_KBIO_LINKS)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if ((nv = arena_calloc(a, cap, sizeof(*nv))) == NULL) {
				sqlite3_reset(st);
				return P_ENOMEM;
			}
			for (size_t i = 0; i < *n; i++)
				nv[i] = v[i];
			v = nv;
		}
		v[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return P_EDB;
	*out = v;
	return P_OK;
}

int
store_kb_links_set(struct store *s, long long id, const long long *ids,
    size_t n)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	if ((st = store_stmt(s, SQL_KBIO_UNLINK)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return P_EDB;
	for (i = 0; i < n; i++)
		if ((rc = store_kb_link(s, id, ids[i])) != P_OK)
			return rc;
	return P_OK;
}

int
store_kb_stamps(struct store *s, long long id, long long created_at,
    const char *created_by, long long changed_at, const char *changed_by)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_KBIO_STAMPS)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, created_at);
	sqlite3_bind_text(st, 3, created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, changed_at);
	sqlite3_bind_text(st, 5, changed_by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return P_EDB;
	return sqlite3_changes(store_db(s)) == 0 ? P_ENOTFOUND : P_OK;
}
