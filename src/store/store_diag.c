/* src/store/store_diag.c - analyses kept for sharing, with expiry. */
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "store_int.h"

static const char SQL_DIAG_PURGE[] =
    "DELETE FROM diagnoses WHERE expires_at <= ?1";
static const char SQL_DIAG_PUT[] =
    "INSERT INTO diagnoses (id, created_at, expires_at, input_kind, "
    "input_bytes, lang, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_DIAG_GET[] =
    "SELECT report, created_at, expires_at FROM diagnoses "
    "WHERE id = ?1 AND expires_at > ?2";

int
store_diag_put(struct store *s, const char *kind, size_t bytes,
    const char *lang, const char *report, long ttl, char id_out[33])
{
	sqlite3_stmt	*st;
	unsigned char	 raw[16];
	long long	 now = (long long)time(NULL);
	int		 rc;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(id_out, 33, raw, sizeof(raw));
	st = store_stmt(s, SQL_DIAG_PURGE);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return P_EDB;
	st = store_stmt(s, SQL_DIAG_PUT);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, id_out, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now + ttl);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (long long)bytes);
	sqlite3_bind_text(st, 6, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, report, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? P_OK : P_EDB;
}

static int
valid_id(const char *id)
{
	size_t	 i;

	if (strlen(id) != 32)
		return 0;
	for (i = 0; i < 32; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

int
store_diag_get(struct store *s, struct arena *a, const char *id,
    char **report, long long *created, long long *expires)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (!valid_id(id))
		return P_ENOTFOUND;
	st = store_stmt(s, SQL_DIAG_GET);
	if (st == NULL)
		return P_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (long long)time(NULL));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*report = store_col_str(a, st, 0);
		if (created != NULL)
			*created = sqlite3_column_int64(st, 1);
		if (expires != NULL)
			*expires = sqlite3_column_int64(st, 2);
		rc = *report != NULL ? P_OK : P_ENOMEM;
	} else
		rc = rc == SQLITE_DONE ? P_ENOTFOUND : P_EDB;
	sqlite3_reset(st);
	return rc;
}
