/* src/store/store_rules.c - the diagnosis rules kept in the database. */
#include <string.h>
#include <time.h>

#include "bouncedesk/arena.h"
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

/* ---- the staff rules page ---- */

static const char SQL_RULES_EXCEPT[] =
    "SELECT body FROM diag_rules WHERE enabled = 1 AND id != ?1 "
    "ORDER BY position, id";
static const char SQL_RULES_LIST[] =
    "SELECT id, body, source, enabled, position, updated_at FROM diag_rules "
    "ORDER BY position, id";
static const char SQL_RULE_GET[] =
    "SELECT id, body, source, enabled, position, updated_at FROM diag_rules "
    "WHERE id = ?1";
static const char SQL_RULE_SOURCE[] =
    "SELECT source FROM diag_rules WHERE id = ?1";
static const char SQL_RULE_INSERT_STAFF[] =
    "INSERT INTO diag_rules (id, body, enabled, source, position, "
    "updated_at) VALUES (?1, ?2, 1, 'staff', (SELECT coalesce(max(position), "
    "0) + 1 FROM diag_rules), ?3)";
static const char SQL_RULE_UPDATE_STAFF[] =
    "UPDATE diag_rules SET body = ?2, updated_at = ?3 WHERE id = ?1 AND "
    "source = 'staff'";
static const char SQL_RULE_ENABLE[] =
    "UPDATE diag_rules SET enabled = ?2, updated_at = ?3 WHERE id = ?1";

int
store_rules_text_except(struct store *s, const char *skip, struct buf *out,
    int *count)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if (skip == NULL)
		return store_rules_text(s, out, count);
	if ((st = store_stmt(s, SQL_RULES_EXCEPT)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, skip, -1, SQLITE_STATIC);
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

static int
read_rule(struct arena *a, sqlite3_stmt *st, struct store_rule *r)
{
	r->id = store_col_str(a, st, 0);
	r->body = store_col_str(a, st, 1);
	r->source = store_col_str(a, st, 2);
	r->enabled = sqlite3_column_int(st, 3) != 0;
	r->position = sqlite3_column_int64(st, 4);
	r->updated_at = sqlite3_column_int64(st, 5);
	return r->id != NULL && r->body != NULL && r->source != NULL ? P_OK :
	    P_ENOMEM;
}

int
store_rules_list(struct store *s, struct arena *a, struct store_rule **out,
    size_t *n)
{
	sqlite3_stmt		*st;
	struct store_rule	*v = NULL, *bigger;
	size_t			 cap = 0;
	int			 rc;

	*n = 0;
	*out = NULL;
	if ((st = store_stmt(s, SQL_RULES_LIST)) == NULL)
		return P_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 128 : cap * 2;
			if ((bigger = arena_calloc(a, cap, sizeof(*v))) ==
			    NULL) {
				sqlite3_reset(st);
				return P_ENOMEM;
			}
			if (*n > 0)
				memcpy(bigger, v, *n * sizeof(*v));
			v = bigger;
		}
		if (read_rule(a, st, &v[*n]) != P_OK) {
			sqlite3_reset(st);
			return P_ENOMEM;
		}
		(*n)++;
	}
	sqlite3_reset(st);
	*out = v;
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}

int
store_rule_get(struct store *s, struct arena *a, const char *id,
    struct store_rule *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_RULE_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = read_rule(a, st, out);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

static int
run_done(sqlite3_stmt *st)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}

static int
put_staff_tx(struct store *s, const char *id, const char *body)
{
	sqlite3_stmt	*st;
	const char	*src;
	int		 rc, exists, staff = 0;

	if ((st = store_stmt(s, SQL_RULE_SOURCE)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	exists = rc == SQLITE_ROW;
	if (exists) {
		src = (const char *)sqlite3_column_text(st, 0);
		staff = src != NULL && strcmp(src, "staff") == 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return P_EDB;
	if (exists && !staff)
		return P_ECONFLICT;	/* seed rules are changed in the seed */
	st = store_stmt(s, exists ? SQL_RULE_UPDATE_STAFF :
	    SQL_RULE_INSERT_STAFF);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (long long)time(NULL));
	return run_done(st);
}

int
store_rule_put_staff(struct store *s, const char *id, const char *body)
{
	int	 rc;

	if (id == NULL || id[0] == '\0' || body == NULL)
		return P_EINVAL;
	if (store_begin(s) != P_OK)
		return P_EDB;
	rc = put_staff_tx(s, id, body);
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK)
		store_rollback(s);
	return rc;
}

int
store_rule_enable(struct store *s, const char *id, bool enabled)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_RULE_ENABLE)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, enabled);
	sqlite3_bind_int64(st, 3, (long long)time(NULL));
	if ((rc = run_done(st)) != P_OK)
		return rc;
	return sqlite3_changes(store_db(s)) > 0 ? P_OK : P_ENOTFOUND;
}
