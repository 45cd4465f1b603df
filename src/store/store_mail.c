/* src/store/store_mail.c - the mail_outbox table (008_mail.sql): due rows
 * with a lease, and the outcome of each attempt. Rows are queued by
 * store_outbox_enqueue in the transaction of the request's change. */
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/mail.h"
#include "store_int.h"

static const char SQL_MAIL_DUE[] =
    "SELECT id, event_id, event_type, payload, attempts, created_at "
    "FROM mail_outbox WHERE delivered_at IS NULL AND failed_at IS NULL "
    "AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2";
static const char SQL_MAIL_LEASE[] =
    "UPDATE mail_outbox SET next_attempt_at = ?2 WHERE id = ?1";
static const char SQL_MAIL_DELIVERED[] =
    "UPDATE mail_outbox SET delivered_at = ?2, attempts = attempts + 1, "
    "last_error = NULL WHERE id = ?1";
static const char SQL_MAIL_FAILED[] =
    "UPDATE mail_outbox SET attempts = ?2, next_attempt_at = "
    "CASE WHEN ?3 = 0 THEN next_attempt_at ELSE ?3 END, "
    "failed_at = CASE WHEN ?3 = 0 THEN ?4 ELSE NULL END, "
    "last_error = ?5 WHERE id = ?1";

static int
step_done(sqlite3_stmt *st)
{
	int	 r;

	r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? P_OK : P_EDB;
}

static int
lease(struct store *s, const struct mail_row *v, size_t n, long long until)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc = P_OK;

	for (i = 0; rc == P_OK && i < n; i++) {
		if ((st = store_stmt(s, SQL_MAIL_LEASE)) == NULL)
			return P_EDB;
		sqlite3_bind_int64(st, 1, v[i].id);
		sqlite3_bind_int64(st, 2, until);
		rc = step_done(st);
	}
	return rc;
}

int
store_mail_due(struct store *s, struct arena *a, long long now,
    long long lease_s, int max, struct mail_row **out, size_t *n)
{
	sqlite3_stmt	*st;
	struct mail_row	*v;
	int		 r, rc = P_OK;

	*n = 0;
	if (max <= 0)
		max = 1;
	if ((v = arena_calloc(a, (size_t)max, sizeof(*v))) == NULL)
		return P_ENOMEM;
	*out = v;
	if (store_begin(s) != P_OK)
		return P_EDB;
	if ((st = store_stmt(s, SQL_MAIL_DUE)) == NULL) {
		store_rollback(s);
		return P_EDB;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, max);
	while (rc == P_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		v[*n].id = sqlite3_column_int64(st, 0);
		v[*n].event_id = store_col_str(a, st, 1);
		v[*n].event_type = store_col_str(a, st, 2);
		v[*n].payload = store_col_str(a, st, 3);
		v[*n].attempts = sqlite3_column_int(st, 4);
		v[*n].created_at = sqlite3_column_int64(st, 5);
		if (v[*n].event_id == NULL || v[*n].event_type == NULL ||
		    v[*n].payload == NULL)
			rc = P_ENOMEM;
		(*n)++;
	}
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	/* The lease: a crash during the send makes the row due again. */
	if (rc == P_OK)
		rc = lease(s, v, *n, now + lease_s);
	if (rc == P_OK && store_commit(s) != P_OK)
		rc = P_EDB;
	if (rc != P_OK) {
		store_rollback(s);
		*n = 0;
	}
	return rc;
}

int
store_mail_delivered(struct store *s, long long id, long long now)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_MAIL_DELIVERED)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return step_done(st);
}

int
store_mail_failed(struct store *s, long long id, int attempts, long long next,
    long long now, const char *error)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_MAIL_FAILED)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, attempts);
	sqlite3_bind_int64(st, 3, next);
	sqlite3_bind_int64(st, 4, now);
	if (error != NULL)
		sqlite3_bind_text(st, 5, error, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 5);
	return step_done(st);
}
