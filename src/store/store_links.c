/* src/store/store_links.c - the used nonces of one-time customer links
 * (db/migrations/009_links.sql). */
#include <sqlite3.h>

#include "bouncedesk/err.h"
#include "bouncedesk/session.h"
#include "store_int.h"

static const char SQL_LINK_PURGE[] =
    "DELETE FROM link_uses WHERE expires_at < ?1";
static const char SQL_LINK_USE[] =
    "INSERT INTO link_uses (nonce, block_id, used_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4)";

int
store_link_use(struct store *s, const unsigned char nonce[LINK_NONCE_LEN],
    long long block_id, long long now, long long expires_at)
{
	sqlite3_stmt	*st;
	int		 rc;

	/* Best effort: an old row left behind does no harm. */
	if ((st = store_stmt(s, SQL_LINK_PURGE)) != NULL) {
		sqlite3_bind_int64(st, 1, now);
		(void)sqlite3_step(st);
		sqlite3_reset(st);
	}
	if ((st = store_stmt(s, SQL_LINK_USE)) == NULL)
		return P_EDB;
	sqlite3_bind_blob(st, 1, nonce, LINK_NONCE_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, block_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, expires_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return P_OK;
	return (rc & 0xff) == SQLITE_CONSTRAINT ? P_ECONFLICT : P_EDB;
}
