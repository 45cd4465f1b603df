/* web/app.c - build and tear down the shared state of serve and fcgi. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "bouncedesk/app.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/diag.h"
#include "bouncedesk/err.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/log.h"
#include "bouncedesk/metrics.h"
#include "bouncedesk/store.h"
#include "bouncedesk/tmpl.h"

/* The engine from the rules in the database; from the seed file when the
 * database has none yet (a database that was migrated, not seeded). */
static struct diag_engine *
load_rules(struct app *app, char *err, size_t errlen)
{
	struct diag_engine	*e = NULL;
	struct store		*s;
	struct buf		 b;
	char			 path[CFG_STR_MAX + 32];
	int			 n = 0;

	s = store_pool_get(app->pool);
	buf_init(&b, DIAG_MAX_INPUT);
	if (store_rules_text(s, &b, &n) != P_OK) {
		snprintf(err, errlen, "reading rules: %s", store_errmsg(s));
		goto out;
	}
	if (n == 0) {
		snprintf(path, sizeof(path), "%s/seed/rules.txt", app->db_dir);
		log_warnx("no diagnosis rules in %s: using %s (run "
		    "`bouncedesk seed`)", app->cfg.db_path, path);
		e = diag_engine_new(path, app->cfg.provider_hosts, err, errlen);
	} else {
		e = diag_engine_new_mem(buf_str(&b), b.len,
		    app->cfg.provider_hosts, err, errlen);
		if (e != NULL)
			log_info("%d diagnosis rules loaded", n);
	}
out:
	buf_cleanup(&b);
	store_pool_put(app->pool, s);
	return e;
}

void
app_init(struct app *app, const struct config *cfg)
{
	struct store	*s;
	char		 err[512], dir[CFG_STR_MAX + 32];
	int		 from, to;

	memset(app, 0, sizeof(*app));
	app->cfg = *cfg;
	snprintf(app->static_dir, sizeof(app->static_dir), "%s/static",
	    cfg->share_dir);
	snprintf(app->template_dir, sizeof(app->template_dir), "%s/templates",
	    cfg->share_dir);
	snprintf(app->db_dir, sizeof(app->db_dir), "%s/db", cfg->share_dir);
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialise");

	s = store_open(cfg->db_path, false, err, sizeof(err));
	if (s == NULL)
		fatalx("database: %s", err);
	snprintf(dir, sizeof(dir), "%s/migrations", app->db_dir);
	if (store_migrate(s, dir, &from, &to, err, sizeof(err)) != P_OK)
		fatalx("migrate: %s", err);
	if (from != to)
		log_info("database %s migrated from %d to %d", cfg->db_path,
		    from, to);
	store_close(s);
	app->pool = store_pool_new(cfg->db_path, (int)cfg->threads + 1, err,
	    sizeof(err));
	if (app->pool == NULL)
		fatalx("database pool: %s", err);

	app->tmpl = tmpl_set_load(app->template_dir, err, sizeof(err));
	if (app->tmpl == NULL)
		fatalx("templates: %s", err);
	snprintf(dir, sizeof(dir), "%s/i18n", app->template_dir);
	app->i18n = i18n_load(dir, err, sizeof(err));
	if (app->i18n == NULL)
		fatalx("messages: %s", err);
	app->diag = load_rules(app, err, sizeof(err));
	if (app->diag == NULL)
		fatalx("diagnosis rules: %s", err);
	app->metrics = metrics_new();
	if (app->metrics == NULL)
		fatalx("out of memory");
}

void
app_cleanup(struct app *app)
{
	metrics_free(app->metrics);
	i18n_free(app->i18n);
	tmpl_set_free(app->tmpl);
	diag_engine_free(app->diag);
	store_pool_free(app->pool);
	memset(app, 0, sizeof(*app));
}
