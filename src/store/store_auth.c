/* src/store/store_auth.c - API clients (hashed keys) and staff users. */
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "store_int.h"

static const char SQL_KEY_INSERT[] =
    "INSERT INTO api_clients (name, key_prefix, key_hash, scopes, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_KEY_FIND[] =
    "SELECT id, name, key_prefix, key_hash, scopes, created_at, "
    "last_used_at, revoked_at, account_id FROM api_clients "
    "WHERE key_prefix = ?1";
static const char SQL_KEY_LIST[] =
    "SELECT id, name, key_prefix, key_hash, scopes, created_at, "
    "last_used_at, revoked_at, account_id FROM api_clients ORDER BY id "
    "LIMIT 1000";
static const char SQL_KEY_BIND[] =
    "UPDATE api_clients SET account_id = ?2 WHERE id = ?1";
static const char SQL_KEY_TOUCH[] =
    "UPDATE api_clients SET last_used_at = ?2 WHERE id = ?1 AND "
    "(last_used_at IS NULL OR last_used_at < ?2 - 60)";
static const char SQL_KEY_REVOKE[] =
    "UPDATE api_clients SET revoked_at = ?2 WHERE id = ?1 AND "
    "revoked_at IS NULL";
static const char SQL_STAFF_INSERT[] =
    "INSERT INTO staff_users (email, pw_hash, role, created_at) "
    "VALUES (?1, ?2, ?3, ?4)";
static const char SQL_STAFF_FIND[] =
    "SELECT id, email, pw_hash, role, disabled FROM staff_users "
    "WHERE email = ?1";

static const char SQL_IDEM_GET[] =
    "SELECT method, path, status, body FROM idempotency_keys "
    "WHERE client_id = ?1 AND key = ?2 AND created_at >= ?3";
static const char SQL_IDEM_PURGE[] =
    "DELETE FROM idempotency_keys WHERE created_at < ?1";
static const char SQL_IDEM_PUT[] =
    "INSERT OR IGNORE INTO idempotency_keys (client_id, key, method, path, "
    "status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

int
store_apikey_insert(struct store *s, const char *name, const char *prefix,
    const unsigned char hash[AUTH_HASH_LEN], const char *scopes,
    long long now, long long *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_KEY_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, hash, AUTH_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, scopes, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	rc = store_step(st);
	if (rc == P_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

static int
key_row(struct arena *a, sqlite3_stmt *st, struct store_apikey *k)
{
	k->id = sqlite3_column_int64(st, 0);
	k->name = store_col_str(a, st, 1);
	k->prefix = store_col_str(a, st, 2);
	if (sqlite3_column_bytes(st, 3) != AUTH_HASH_LEN)
		return P_EDB;
	memcpy(k->hash, sqlite3_column_blob(st, 3), AUTH_HASH_LEN);
	k->scopes = store_col_str(a, st, 4);
	k->created_at = sqlite3_column_int64(st, 5);
	k->last_used_at = sqlite3_column_int64(st, 6);
	k->revoked_at = sqlite3_column_int64(st, 7);
	k->account_id = sqlite3_column_int64(st, 8);
	return k->name != NULL && k->prefix != NULL && k->scopes != NULL ?
	    P_OK : P_ENOMEM;
}

int
store_apikey_bind(struct store *s, long long id, long long account_id)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_KEY_BIND)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, account_id);
	return store_step(st);
}

int
store_apikey_find(struct store *s, struct arena *a, const char *prefix,
    struct store_apikey *k)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_KEY_FIND)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = key_row(a, st, k);
	else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_apikey_touch(struct store *s, long long id, long long now)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_KEY_TOUCH)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return store_step(st);
}

int
store_apikey_revoke(struct store *s, long long id, long long now)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_KEY_REVOKE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	rc = store_step(st);
	if (rc == P_OK && sqlite3_changes(store_db(s)) != 1)
		rc = P_ENOTFOUND;
	return rc;
}

int
store_apikey_list(struct store *s, struct arena *a, struct store_apikey **out,
    size_t *n)
{
	sqlite3_stmt		*st;
	struct store_apikey	*v = NULL, *nv;
	size_t			 cap = 0;
	int			 r, rc = P_OK;

	*n = 0;
	if ((st = store_stmt(s, SQL_KEY_LIST)) == NULL)
		return P_EDB;
	while (rc == P_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = arena_calloc(a, cap, sizeof(*nv))) == NULL) {
				rc = P_ENOMEM;
				break;
			}
			if (*n > 0)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		rc = key_row(a, st, &v[(*n)++]);
	}
	if (rc == P_OK && r != SQLITE_DONE)
		rc = P_EDB;
	sqlite3_reset(st);
	*out = v;
	return rc;
}

int
store_staff_insert(struct store *s, const char *email, const char *pw_hash,
    const char *role, long long now, long long *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_STAFF_INSERT)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pw_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	rc = store_step(st);
	if (rc == P_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return rc;
}

int
store_staff_find(struct store *s, struct arena *a, const char *email,
    struct store_staff *u)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_STAFF_FIND)) == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(st, 0);
		u->email = store_col_str(a, st, 1);
		u->pw_hash = store_col_str(a, st, 2);
		u->role = store_col_str(a, st, 3);
		u->disabled = sqlite3_column_int(st, 4) != 0;
		rc = u->email != NULL && u->pw_hash != NULL &&
		    u->role != NULL ? P_OK : P_ENOMEM;
	} else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_idem_get(struct store *s, struct arena *a, long long client,
    const char *key, long long since, const char **method, const char **path,
    int *status, const char **body)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_IDEM_GET)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, client);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, since);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*method = store_col_str(a, st, 0);
		*path = store_col_str(a, st, 1);
		*status = sqlite3_column_int(st, 2);
		*body = store_col_str(a, st, 3);
		rc = *method != NULL && *path != NULL && *body != NULL ?
		    P_OK : P_ENOMEM;
	} else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_idem_put(struct store *s, long long client, const char *key,
    const char *method, const char *path, int status, const char *body,
    long long now, long long since)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = store_stmt(s, SQL_IDEM_PURGE)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, since);
	if ((rc = store_step(st)) != P_OK)
		return rc;
	if ((st = store_stmt(s, SQL_IDEM_PUT)) == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, client);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, status);
	sqlite3_bind_text(st, 6, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, now);
	return store_step(st);
}
