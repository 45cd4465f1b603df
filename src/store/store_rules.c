/* src/store/store_rules.c - the diagnosis rules kept in the database. */
#include <string.h>
#include <time.h>

#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "store_int.h"

static const char SQL_RULES_NEXT_POS[] =
    "SELECT coalesce(max(position), 0) FROM diag_rules";
static const char SQL_RULES_ADD[] =
    "INSERT OR IGNORE INTO diag_rules (id, body, source, position, "
    "updated_at) VALUES (?1, ?2, 'seed', ?3, ?4)";
static const char SQL_RULES_ALL[] =
    "SELECT body FROM diag_rules WHERE enabled = 1 ORDER BY position, id";

/* The start of the next line beginning with "id:" at or after p. */
static const char *
next_block(const char *p, const char *end)
{
	while (p < end) {
		if ((size_t)(end - p) >= 3 && memcmp(p, "id:", 3) == 0)
			return p;
		p = memchr(p, '\n', (size_t)(end - p));
		if (p == NULL)
			return end;
		p++;
	}
	return end;
}

int
store_rules_seed(struct store *s, const char *text, size_t len, int *added)
{
	sqlite3_stmt	*st;
	const char	*p, *end = text + len, *q, *idend;
	long long	 pos;
	int		 rc = P_OK, n = 0;

	if (store_begin(s) != P_OK)
		return P_EDB;
	st = store_stmt(s, SQL_RULES_NEXT_POS);
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		rc = P_EDB;
		goto out;
	}
	pos = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (p = next_block(text, end); p < end; p = q) {
		q = next_block(p + 3, end);
		idend = memchr(p, '\n', (size_t)(q - p));
		if (idend == NULL)
			idend = q;
		st = store_stmt(s, SQL_RULES_ADD);
		if (st == NULL) {
			rc = P_EDB;
			goto out;
		}
		/* the id: trimmed text after "id:" on the first line */
		{
			const char	*a = p + 3, *b = idend;

			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\r' ||
			    b[-1] == '\t'))
				b--;
			sqlite3_bind_text(st, 1, a, (int)(b - a),
			    SQLITE_STATIC);
		}
		sqlite3_bind_text(st, 2, p, (int)(q - p), SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, ++pos);
		sqlite3_bind_int64(st, 4, (long long)time(NULL));
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			rc = P_EDB;
			goto out;
		}
		n += sqlite3_changes(store_db(s));
		sqlite3_reset(st);
	}
out:
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK)
		store_rollback(s);
	if (added != NULL)
		*added = n;
	return rc;
}

int
store_rules_text(struct store *s, struct buf *out, int *count)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	st = store_stmt(s, SQL_RULES_ALL);
	if (st == NULL)
		return P_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (buf_append(out, sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0)) != P_OK ||
		    buf_putc(out, '\n') != P_OK) {
			sqlite3_reset(st);
			return P_ETOOBIG;
		}
		n++;
	}
	sqlite3_reset(st);
	if (count != NULL)
		*count = n;
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}
