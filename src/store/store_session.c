/* src/store/store_session.c - staff sessions, the sign-in throttle, text
 * settings and the counts of the staff queue (web/session.c and the
 * portal pages). Tokens and throttle keys arrive here already hashed. */
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/session.h"
#include "bouncedesk/unblock.h"
#include "store_int.h"

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO staff_sessions (token_hash, staff_id, created_at, "
    "last_seen_at, expires_at, remote_addr) VALUES (?1, ?2, ?3, ?3, ?4, ?5)";
static const char SQL_SESSION_GET[] =
    "SELECT u.id, u.email, u.role, u.disabled, s.created_at, "
    "s.last_seen_at, s.expires_at FROM staff_sessions s "
    "JOIN staff_users u ON u.id = s.staff_id WHERE s.token_hash = ?1";
static const char SQL_SESSION_TOUCH[] =
    "UPDATE staff_sessions SET last_seen_at = ?2 "
    "WHERE token_hash = ?1 AND last_seen_at < ?2 - 60";
static const char SQL_SESSION_DELETE[] =
    "DELETE FROM staff_sessions WHERE token_hash = ?1";
static const char SQL_SESSION_PURGE[] =
    "DELETE FROM staff_sessions WHERE expires_at <= ?1 "
    "OR last_seen_at <= ?1 - ?2";

static const char SQL_FAIL_COUNT[] =
    "SELECT count(*), min(at) FROM login_failures WHERE key = ?1 "
    "AND at >= ?2";
static const char SQL_FAIL_ADD[] =
    "INSERT INTO login_failures (key, at) VALUES (?1, ?2)";
static const char SQL_FAIL_PURGE[] =
    "DELETE FROM login_failures WHERE at < ?1";
static const char SQL_FAIL_CLEAR[] =
    "DELETE FROM login_failures WHERE key = ?1";

static const char SQL_SETTING_TEXT[] =
    "SELECT value FROM settings WHERE key = ?1";
static const char SQL_SETTING_ADD[] =
    "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)";

static const char SQL_REQUEST_COUNTS[] =
    "SELECT state, count(*) FROM unblock_requests GROUP BY state";

int
store_session_insert(struct store *s,
    const unsigned char hash[SESSION_HASH_LEN], long long staff_id,
    long long now, long long expires_at, const char *addr)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SESSION_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, hash, SESSION_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, staff_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, expires_at);
	if (addr != NULL)
		sqlite3_bind_text(st, 5, addr, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	return store_step(st);
}

int
store_session_get(struct store *s, struct arena *a,
    const unsigned char hash[SESSION_HASH_LEN], struct store_session *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_SESSION_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, hash, SESSION_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->staff_id = sqlite3_column_int64(st, 0);
		out->email = store_col_str(a, st, 1);
		out->role = store_col_str(a, st, 2);
		out->disabled = sqlite3_column_int(st, 3) != 0;
		out->created_at = sqlite3_column_int64(st, 4);
		out->last_seen_at = sqlite3_column_int64(st, 5);
		out->expires_at = sqlite3_column_int64(st, 6);
		rc = out->email != NULL && out->role != NULL ? P_OK :
		    P_ENOMEM;
	} else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_session_touch(struct store *s,
    const unsigned char hash[SESSION_HASH_LEN], long long now)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SESSION_TOUCH)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, hash, SESSION_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return store_step(st);
}

int
store_session_delete(struct store *s,
    const unsigned char hash[SESSION_HASH_LEN])
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SESSION_DELETE)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, hash, SESSION_HASH_LEN, SQLITE_STATIC);
	return store_step(st);
}

int
store_session_purge(struct store *s, long long now, long idle)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SESSION_PURGE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, idle);
	return store_step(st);
}

int
store_login_failures(struct store *s, const unsigned char key[32],
    long long since, long long *n, long long *oldest)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if (oldest != NULL)
		*oldest = 0;
	if ((st = store_stmt(s, SQL_FAIL_COUNT)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		if (oldest != NULL)
			*oldest = sqlite3_column_int64(st, 1);
		rc = P_OK;
	} else
		rc = P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_login_fail_add(struct store *s, const unsigned char key[32],
    long long now, long long before)
{
	sqlite3_stmt	*st;
	int		 rc;

	/* Old rows go first so the table stays the size of one window. */
	if ((st = store_stmt(s, SQL_FAIL_PURGE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, before);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	if ((st = store_stmt(s, SQL_FAIL_ADD)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return store_step(st);
}

int
store_login_fail_clear(struct store *s, const unsigned char key[32])
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_FAIL_CLEAR)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	return store_step(st);
}

int
store_setting_text(struct store *s, struct arena *a, const char *key,
    const char **value)
{
	sqlite3_stmt	*st;
	int		 rc;

	*value = NULL;
	if ((st = store_stmt(s, SQL_SETTING_TEXT)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = store_col_str(a, st, 0);
		rc = *value != NULL ? P_OK : P_ENOMEM;
	} else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_setting_add(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SETTING_ADD)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_step(st);
}

int
store_request_counts(struct store *s, long long *n, size_t nstates)
{
	sqlite3_stmt		*st;
	enum ub_req_state	 state;
	const char		*name;
	int			 rc;

	memset(n, 0, nstates * sizeof(*n));
	if ((st = store_stmt(s, SQL_REQUEST_COUNTS)) == NULL)
		return P_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		if (ub_req_state_parse(name, &state) == P_OK &&
		    (size_t)state < nstates)
			n[state] = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}
