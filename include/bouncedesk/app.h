/* app.h - the shared state built once at start-up and handed to handlers.
 * Handlers see it const; only the metrics, the pool and the live
 * diagnosis engine (which staff can rebuild) lock inside. */
#ifndef BOUNCEDESK_APP_H
#define BOUNCEDESK_APP_H
#include <signal.h>
#include "bouncedesk/cfg.h"

struct diag_engine;
struct diag_engine_ref;
struct diag_live;
struct i18n;
struct metrics;
struct store;
struct store_pool;
struct tmpl_set;

struct app {
	struct config		 cfg;
	struct store_pool	*pool;		/* one connection per worker */
	struct diag_engine	*diag;		/* rules at start-up: runs use
						 * app_diag_get() instead */
	struct tmpl_set		*tmpl;		/* compiled templates */
	struct i18n		*i18n;		/* message catalogues */
	struct metrics		*metrics;	/* counters, own lock */
	char			 static_dir[CFG_STR_MAX + 16];
	char			 template_dir[CFG_STR_MAX + 16];
	char			 db_dir[CFG_STR_MAX + 16];
	struct diag_live	*diag_live;	/* the engine runs use now */
};

/* Builds everything serve/fcgi need: opens and migrates the database,
 * compiles rules and templates. Exits with fatalx on failure (start-up). */
void	app_init(struct app *, const struct config *);
void	app_cleanup(struct app *);

/* The diagnosis engine can be rebuilt while the server runs (a staff rule
 * added, enabled or disabled). A run borrows the current engine with
 * app_diag_get() and gives it back with app_diag_put(ref) once it no longer
 * reads the report (a report points into its engine's rules). A rebuild
 * swaps the pointer under a mutex and bumps the generation; the engine it
 * replaces is freed by the last run still holding it (reference count),
 * so no run ever sees freed rules and no run waits for a rebuild. The
 * start-up engine (app->diag) stays alive until app_cleanup for code that
 * reads app->diag directly. One process: another serve or fcgi process on
 * the same database picks the change up at its next start. */
const struct diag_engine *app_diag_get(const struct app *,
		    struct diag_engine_ref **ref);
void		 app_diag_put(const struct app *, struct diag_engine_ref *ref);
/* Rebuilds the engine from the enabled rules in the database (s: the
 * caller's connection) and swaps it in. P_OK; P_EINVAL with a message in
 * err when the rules do not compile (the running engine stays); P_EDB. */
int		 app_diag_reload(const struct app *, struct store *s, char *err,
		    size_t errlen);
/* How many rebuilds so far (0: the start-up engine), and its rule count. */
unsigned long	 app_diag_generation(const struct app *, size_t *nrules);

#endif /* BOUNCEDESK_APP_H */
