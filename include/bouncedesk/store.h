/* store.h - the only module that knows SQL (SQLite today).
 * A struct store is one connection with its prepared-statement cache; it
 * belongs to one thread at a time (take it from the pool per request).
 * Per-feature functions live in src/store/store_<feature>.c and are declared
 * in the feature's own header section below. */
#ifndef BOUNCEDESK_STORE_H
#define BOUNCEDESK_STORE_H
#include <stdbool.h>
#include <stddef.h>

struct store;
struct store_pool;

/* Opens (creating) path in WAL mode with foreign keys and a busy timeout.
 * Returns NULL with a message in err. */
struct store	*store_open(const char *path, bool readonly, char *err,
		    size_t errlen);
void		 store_close(struct store *);
/* Applies db/migrations/NNN_*.sql above PRAGMA user_version, each in a
 * transaction. *from and *to (may be NULL) get the versions. */
int		 store_migrate(struct store *, const char *migrations_dir,
		    int *from, int *to, char *err, size_t errlen);
int		 store_version(struct store *, int *version);
/* Runs every db/seed/NNN_*.sql of dir in order, in one transaction. Seed
 * files only add what is missing (INSERT OR IGNORE), so staff edits
 * survive a re-seed. */
int		 store_seed_sql(struct store *, const char *seed_dir, char *err,
		    size_t errlen);
/* P_OK when the database answers a query. */
int		 store_health(struct store *);
int		 store_begin(struct store *);	/* BEGIN IMMEDIATE */
int		 store_commit(struct store *);
int		 store_rollback(struct store *);
/* The last SQLite error text of this connection. */
const char	*store_errmsg(struct store *);

/* A fixed set of connections shared by worker threads. get blocks until
 * one is free; put gives it back. */
struct store_pool *store_pool_new(const char *path, int n, char *err,
		    size_t errlen);
void		 store_pool_free(struct store_pool *);
struct store	*store_pool_get(struct store_pool *);
void		 store_pool_put(struct store_pool *, struct store *);

/* Stored analyses (src/store/store_diag.c). */
struct arena;
/* Keeps report (JSON text) for ttl seconds under a new random id, written
 * to id_out (33 bytes: 32 hex digits). Purges expired rows first. */
int		 store_diag_put(struct store *, const char *input_kind,
		    size_t input_bytes, const char *lang, const char *report,
		    long ttl, char id_out[33]);
/* The report JSON text of a live analysis, in the arena; P_ENOTFOUND when
 * absent or expired. *created may be NULL. */
int		 store_diag_get(struct store *, struct arena *, const char *id,
		    char **report, long long *created, long long *expires);

/* Diagnosis rules (src/store/store_rules.c). */
struct buf;
/* Splits rules text into blocks (each starts with a line "id: X") and
 * inserts those whose id is missing; *added (may be NULL) counts them. */
int		 store_rules_seed(struct store *, const char *text, size_t len,
		    int *added);
/* Appends the enabled rules, in order, as one rules text. */
int		 store_rules_text(struct store *, struct buf *out, int *count);
/* The same without the rule whose id is skip (NULL: none): the rules an
 * edited version of skip would join. */
int		 store_rules_text_except(struct store *, const char *skip,
		    struct buf *out, int *count);
/* One stored rule, for the staff rules page. Strings in the arena. */
struct store_rule {
	const char	*id, *body;
	const char	*source;		/* "seed" or "staff" */
	bool		 enabled;
	long long	 position, updated_at;
};
/* Every rule, disabled ones too, in evaluation order. */
int		 store_rules_list(struct store *, struct arena *,
		    struct store_rule **out, size_t *n);
/* P_ENOTFOUND when there is no rule id. */
int		 store_rule_get(struct store *, struct arena *, const char *id,
		    struct store_rule *out);
/* Stores a staff rule: a new id goes last in the order, enabled; a staff
 * rule of that id gets the new body. P_ECONFLICT when a seed rule has the
 * id. The caller checks the body first (diag_rules_check_mem). */
int		 store_rule_put_staff(struct store *, const char *id,
		    const char *body);
/* Enables or disables any rule; P_ENOTFOUND. */
int		 store_rule_enable(struct store *, const char *id,
		    bool enabled);

#endif /* BOUNCEDESK_STORE_H */
