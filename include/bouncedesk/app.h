/* app.h - the shared state built once at start-up and handed to handlers.
 * Handlers see it const; only the metrics and the pool lock inside. */
#ifndef BOUNCEDESK_APP_H
#define BOUNCEDESK_APP_H
#include <signal.h>
#include "bouncedesk/cfg.h"

struct diag_engine;
struct i18n;
struct metrics;
struct store_pool;
struct tmpl_set;

struct app {
	struct config		 cfg;
	struct store_pool	*pool;		/* one connection per worker */
	struct diag_engine	*diag;		/* compiled rules */
	struct tmpl_set		*tmpl;		/* compiled templates */
	struct i18n		*i18n;		/* message catalogues */
	struct metrics		*metrics;	/* counters, own lock */
	char			 static_dir[CFG_STR_MAX + 16];
	char			 template_dir[CFG_STR_MAX + 16];
	char			 db_dir[CFG_STR_MAX + 16];
};

/* Builds everything serve/fcgi need: opens and migrates the database,
 * compiles rules and templates. Exits with fatalx on failure (start-up). */
void	app_init(struct app *, const struct config *);
void	app_cleanup(struct app *);

#endif /* BOUNCEDESK_APP_H */
