/* src/store/store.c - SQLite connections, the statement cache, migrations
 * and the connection pool. The only file that opens a database. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/log.h"
#include "store_int.h"

#define STMT_CACHE	128
#define MIGRATION_MAX	(1024 * 1024)
#define MIGRATIONS_MAX	256

struct stmt_slot {
	const char	*sql;		/* the static string's address */
	sqlite3_stmt	*st;
};

struct store {
	sqlite3			*db;
	struct stmt_slot	 cache[STMT_CACHE];
	size_t			 ncache;
	struct kbrank		*kbrank;	/* store_kbrank.c */
};

struct store_pool {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct store		**free;
	int			 nfree, n;
	struct store		**all;
};

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

struct kbrank *
store_kbrank(struct store *s)
{
	return s->kbrank;
}

const char *
store_errmsg(struct store *s)
{
	return sqlite3_errmsg(s->db);
}

/* SQLite counts every allocation under one process-wide mutex unless told
 * not to: with a connection per thread that mutex is the contention of
 * the whole server (nothing here reads sqlite3_status). Before the first
 * connection, once; a no-op if SQLite is already initialised. */
static pthread_once_t	 sqlite_once = PTHREAD_ONCE_INIT;

static void
sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct store *
store_open(const char *path, bool readonly, char *err, size_t errlen)
{
	struct store	*s;
	int		 flags;

	(void)pthread_once(&sqlite_once, sqlite_setup);
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX;	/* one thread at a time, by contract */
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_exec(s->db, readonly ? "PRAGMA foreign_keys=ON;" :
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	/* Reads of the FTS index come from memory, not a pread per page. */
	(void)sqlite3_exec(s->db, "PRAGMA mmap_size=268435456; "
	    "PRAGMA cache_size=-8192;", NULL, NULL, NULL);
	/* The knowledge base index needs its tokenizer on every connection. */
	if (kb_fts_register(s->db) != P_OK) {
		snprintf(err, errlen, "%s: cannot register the FTS5 tokenizer",
		    path);
		goto fail;
	}
	if ((s->kbrank = kbrank_open(s->db)) == NULL) {
		snprintf(err, errlen, "%s: cannot register the ranking function",
		    path);
		goto fail;
	}
	return s;
fail:
	sqlite3_close(s->db);
	free(s);
	return NULL;
}

void
store_close(struct store *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	kbrank_close(s->kbrank);
	free(s);
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;
	size_t		 i;

	for (i = 0; i < s->ncache; i++) {
		if (s->cache[i].sql == sql) {
			st = s->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK)
		return NULL;
	if (s->ncache == STMT_CACHE) {
		/* Full: evict the oldest; statements are cheap to prepare. */
		sqlite3_finalize(s->cache[0].st);
		memmove(&s->cache[0], &s->cache[1],
		    sizeof(s->cache[0]) * (STMT_CACHE - 1));
		s->ncache--;
	}
	s->cache[s->ncache].sql = sql;
	s->cache[s->ncache].st = st;
	s->ncache++;
	return st;
}

int
store_step(sqlite3_stmt *st)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return P_OK;
	return (rc & 0xff) == SQLITE_CONSTRAINT ? P_ECONFLICT : P_EDB;
}

int
store_step_fk(sqlite3_stmt *st)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return P_OK;
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		return P_ENOTFOUND;	/* the parent row is missing */
	return (rc & 0xff) == SQLITE_CONSTRAINT ? P_ECONFLICT : P_EDB;
}

char *
store_col_str(struct arena *a, sqlite3_stmt *st, int i)
{
	const unsigned char	*t;

	t = sqlite3_column_text(st, i);
	if (t == NULL)
		return NULL;
	return arena_strndup(a, (const char *)t,
	    (size_t)sqlite3_column_bytes(st, i));
}

int
store_version(struct store *s, int *version)
{
	static const char SQL_VERSION[] = "PRAGMA user_version";
	sqlite3_stmt	*st;

	st = store_stmt(s, SQL_VERSION);
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW)
		return P_EDB;
	*version = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return P_OK;
}

int
store_health(struct store *s)
{
	static const char SQL_HEALTH[] = "SELECT count(*) FROM sqlite_schema";
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, SQL_HEALTH);
	if (st == NULL)
		return P_EDB;
	rc = sqlite3_step(st) == SQLITE_ROW ? P_OK : P_EDB;
	sqlite3_reset(st);
	return rc;
}

int
store_begin(struct store *s)
{
	return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK ? P_OK : P_EDB;
}

int
store_commit(struct store *s)
{
	return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ?
	    P_OK : P_EDB;
}

int
store_rollback(struct store *s)
{
	return sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK ?
	    P_OK : P_EDB;
}

/* Reads a whole file (up to max bytes) into malloc'd memory. */
static char *
slurp(const char *path, size_t max, size_t *len)
{
	FILE	*f;
	char	*p;
	size_t	 n;

	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	p = malloc(max + 1);
	if (p == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(p);
		errno = EFBIG;
		return NULL;
	}
	p[n] = '\0';
	if (len != NULL)
		*len = n;
	return p;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The migration number of "NNN_name.sql", or -1. */
static int
migration_number(const char *name)
{
	char	*end;
	long	 n;
	size_t	 len;

	len = strlen(name);
	if (len < 8 || strcmp(name + len - 4, ".sql") != 0)
		return -1;
	n = strtol(name, &end, 10);
	if (end == name || *end != '_' || n <= 0 || n > 9999)
		return -1;
	return (int)n;
}

int
store_migrate(struct store *s, const char *dir, int *from, int *to,
    char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	char		*names[MIGRATIONS_MAX], path[4096], *sql, *msg = NULL;
	size_t		 n = 0, i;
	int		 version, num, rc = P_OK;

	if (store_version(s, &version) != P_OK) {
		snprintf(err, errlen, "reading user_version: %s",
		    store_errmsg(s));
		return P_EDB;
	}
	if (from != NULL)
		*from = version;
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return P_EIO;
	}
	while ((de = readdir(d)) != NULL && n < MIGRATIONS_MAX)
		if (migration_number(de->d_name) > 0)
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n && rc == P_OK; i++) {
		num = migration_number(names[i]);
		if (num <= version)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		sql = slurp(path, MIGRATION_MAX, NULL);
		if (sql == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = P_EIO;
			break;
		}
		/* The migration and its version number commit together. */
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) !=
		    SQLITE_OK || sqlite3_exec(s->db, sql, NULL, NULL, &msg) !=
		    SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", names[i],
			    msg != NULL ? msg : store_errmsg(s));
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			rc = P_EDB;
		} else {
			char	 pragma[64];

			snprintf(pragma, sizeof(pragma),
			    "PRAGMA user_version = %d", num);
			if (sqlite3_exec(s->db, pragma, NULL, NULL, &msg) !=
			    SQLITE_OK || sqlite3_exec(s->db, "COMMIT", NULL,
			    NULL, &msg) != SQLITE_OK) {
				snprintf(err, errlen, "%s: %s", names[i],
				    msg != NULL ? msg : store_errmsg(s));
				sqlite3_exec(s->db, "ROLLBACK", NULL, NULL,
				    NULL);
				rc = P_EDB;
			} else
				version = num;
		}
		sqlite3_free(msg);
		msg = NULL;
		free(sql);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	if (to != NULL)
		*to = version;
	return rc;
}

int
store_seed_sql(struct store *s, const char *dir, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	char		*names[MIGRATIONS_MAX], path[4096], *sql, *msg = NULL;
	size_t		 n = 0, i;
	int		 rc = P_OK;

	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return P_EIO;
	}
	while ((de = readdir(d)) != NULL && n < MIGRATIONS_MAX)
		if (migration_number(de->d_name) > 0)
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	if (store_begin(s) != P_OK) {
		snprintf(err, errlen, "begin: %s", store_errmsg(s));
		rc = P_EDB;
	}
	for (i = 0; i < n && rc == P_OK; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		sql = slurp(path, MIGRATION_MAX, NULL);
		if (sql == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = P_EIO;
		} else if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) !=
		    SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", names[i],
			    msg != NULL ? msg : store_errmsg(s));
			rc = P_EDB;
		}
		sqlite3_free(msg);
		msg = NULL;
		free(sql);
	}
	if (rc == P_OK && store_commit(s) != P_OK) {
		snprintf(err, errlen, "commit: %s", store_errmsg(s));
		rc = P_EDB;
	}
	if (rc != P_OK)
		store_rollback(s);
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

struct store_pool *
store_pool_new(const char *path, int n, char *err, size_t errlen)
{
	struct store_pool	*p;
	int			 i;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->free = calloc((size_t)n, sizeof(*p->free));
	p->all = calloc((size_t)n, sizeof(*p->all));
	if (p->free == NULL || p->all == NULL) {
		snprintf(err, errlen, "out of memory");
		store_pool_free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	for (i = 0; i < n; i++) {
		p->all[i] = store_open(path, false, err, errlen);
		if (p->all[i] == NULL) {
			store_pool_free(p);
			return NULL;
		}
		p->free[p->nfree++] = p->all[i];
		p->n++;
	}
	return p;
}

void
store_pool_free(struct store_pool *p)
{
	int	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		store_close(p->all[i]);
	if (p->all != NULL && p->free != NULL) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
	}
	free(p->all);
	free(p->free);
	free(p);
}

struct store *
store_pool_get(struct store_pool *p)
{
	struct store	*s;

	pthread_mutex_lock(&p->lock);
	while (p->nfree == 0)
		pthread_cond_wait(&p->cond, &p->lock);
	s = p->free[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	return s;
}

void
store_pool_put(struct store_pool *p, struct store *s)
{
	/* A handler that failed mid-transaction must not leak it. */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_lock(&p->lock);
	p->free[p->nfree++] = s;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}
