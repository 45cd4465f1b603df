/* store_int.h - what src/store/store_<feature>.c files share; nothing
 * outside src/store includes this (only the store knows SQL). */
#ifndef BOUNCEDESK_STORE_INT_H
#define BOUNCEDESK_STORE_INT_H
#include <sqlite3.h>
#include "bouncedesk/store.h"

/* The connection of a store. */
sqlite3		*store_db(struct store *);
/* A prepared statement for sql, cached per connection by the address of
 * the static string sql, reset and with bindings cleared. Never finalize
 * it; NULL on a prepare error (store_errmsg says why). Callers pass only
 * `static const char SQL_X[]` strings. */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);
/* Steps a write statement and resets it: P_OK when done, P_ECONFLICT on a
 * constraint, else P_EDB. */
int		 store_step(sqlite3_stmt *);
/* The same, but a foreign key failure (the parent row is missing) gives
 * P_ENOTFOUND. */
int		 store_step_fk(sqlite3_stmt *);
/* The FTS5 API of a connection (store_fts.c), or NULL. */
fts5_api	*kb_fts5_api(sqlite3 *db);
/* The knowledge-base ranking of a connection (store_kbrank.c): registers
 * the FTS5 function bd_rank() on db; freed after the connection closes. */
struct kbrank;
struct kbrank	*kbrank_open(sqlite3 *db);
void		 kbrank_close(struct kbrank *);
struct kbrank	*store_kbrank(struct store *);
/* Copies column i into the arena (NULL for SQL NULL). */
struct arena;
char		*store_col_str(struct arena *, sqlite3_stmt *, int i);

#endif /* BOUNCEDESK_STORE_INT_H */
