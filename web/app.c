/* web/app.c - build and tear down the shared state of serve and fcgi. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "bouncedesk/app.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/diag.h"
#include "bouncedesk/err.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/log.h"
#include "bouncedesk/metrics.h"
#include "bouncedesk/store.h"
#include "bouncedesk/tmpl.h"

/* The engine from the rules in the database; from the seed file when the
 * database has none yet (a database that was migrated, not seeded). */
static struct diag_engine *
build_engine(const struct app *app, struct store *s, char *err,
    size_t errlen)
{
	struct diag_engine	*e = NULL;
	struct buf		 b;
	char			 path[CFG_STR_MAX + 32];
	int			 n = 0;

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
	return e;
}

static struct diag_engine *
load_rules(struct app *app, char *err, size_t errlen)
{
	struct diag_engine	*e;
	struct store		*s;

	s = store_pool_get(app->pool);
	e = build_engine(app, s, err, errlen);
	store_pool_put(app->pool, s);
	return e;
}

/* ---- the live engine (see app.h) ---- */

struct diag_engine_ref {
	struct diag_engine	*engine;
	unsigned		 users;		/* runs holding it */
	bool			 retired;	/* replaced by a rebuild */
	bool			 boot;		/* app->diag: kept to the end */
};

struct diag_live {
	pthread_mutex_t		 lock;		/* cur, users, generation */
	pthread_mutex_t		 rebuild;	/* one rebuild at a time */
	struct diag_engine_ref	*cur;
	struct diag_engine_ref	 boot_ref;	/* app->diag's */
	unsigned long		 generation;
};

/* The first searches find what they derive from the articles already
 * built: the typo vocabulary, and the ranking tables of every connection
 * of the pool (all free at start). A failure only leaves the work to the
 * first searches. */
static void
warm_search(struct store_pool *pool, int n)
{
	struct store	**v;
	int		 i;

	if ((v = calloc((size_t)n, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++)
		if ((v[i] = store_pool_get(pool)) != NULL &&
		    kb_search_warm(v[i]) != P_OK)
			log_info("search tables: %s", store_errmsg(v[i]));
	for (i = 0; i < n; i++)
		if (v[i] != NULL)
			store_pool_put(pool, v[i]);
	free(v);
}

static struct diag_live *
live_new(struct diag_engine *boot)
{
	struct diag_live	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->boot_ref.engine = boot;
	l->boot_ref.boot = true;
	l->cur = &l->boot_ref;
	if (pthread_mutex_init(&l->lock, NULL) != 0) {
		free(l);
		return NULL;
	}
	if (pthread_mutex_init(&l->rebuild, NULL) != 0) {
		pthread_mutex_destroy(&l->lock);
		free(l);
		return NULL;
	}
	return l;
}

/* The boot ref lives in struct diag_live and its engine is app->diag:
 * app_cleanup frees those. */
static void
ref_free(struct diag_engine_ref *r)
{
	if (r == NULL || r->boot)
		return;
	diag_engine_free(r->engine);
	free(r);
}

const struct diag_engine *
app_diag_get(const struct app *app, struct diag_engine_ref **ref)
{
	struct diag_live	*l = app->diag_live;
	struct diag_engine_ref	*r;

	if (l == NULL) {		/* an app without a live engine */
		*ref = NULL;
		return app->diag;
	}
	pthread_mutex_lock(&l->lock);
	r = l->cur;
	r->users++;
	pthread_mutex_unlock(&l->lock);
	*ref = r;
	return r->engine;
}

void
app_diag_put(const struct app *app, struct diag_engine_ref *r)
{
	struct diag_live	*l = app->diag_live;
	bool			 dead;

	if (l == NULL || r == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	r->users--;
	dead = r->retired && r->users == 0;
	pthread_mutex_unlock(&l->lock);
	if (dead)
		ref_free(r);
}

int
app_diag_reload(const struct app *app, struct store *s, char *err,
    size_t errlen)
{
	struct diag_live	*l = app->diag_live;
	struct diag_engine_ref	*r, *old;
	unsigned long		 gen;
	bool			 dead;

	if (l == NULL) {
		snprintf(err, errlen, "no live engine");
		return P_EINVAL;
	}
	/* Reading the rules and swapping happen in one critical section
	 * of their own, so that the last rules written are the ones that
	 * end up running, whatever the order two rebuilds finish in. */
	pthread_mutex_lock(&l->rebuild);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		pthread_mutex_unlock(&l->rebuild);
		snprintf(err, errlen, "out of memory");
		return P_ENOMEM;
	}
	if ((r->engine = build_engine(app, s, err, errlen)) == NULL) {
		pthread_mutex_unlock(&l->rebuild);
		free(r);
		return P_EINVAL;
	}
	pthread_mutex_lock(&l->lock);
	old = l->cur;
	l->cur = r;
	gen = ++l->generation;
	old->retired = true;
	dead = old->users == 0;
	pthread_mutex_unlock(&l->lock);
	pthread_mutex_unlock(&l->rebuild);
	if (dead)
		ref_free(old);
	log_info("diagnosis engine rebuilt (generation %lu, %zu rules)", gen,
	    diag_engine_nrules(r->engine));
	return P_OK;
}

unsigned long
app_diag_generation(const struct app *app, size_t *nrules)
{
	struct diag_live	*l = app->diag_live;
	unsigned long		 gen = 0;

	if (l == NULL) {
		if (nrules != NULL)
			*nrules = app->diag != NULL ?
			    diag_engine_nrules(app->diag) : 0;
		return 0;
	}
	pthread_mutex_lock(&l->lock);
	gen = l->generation;
	if (nrules != NULL)
		*nrules = diag_engine_nrules(l->cur->engine);
	pthread_mutex_unlock(&l->lock);
	return gen;
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
	warm_search(app->pool, (int)cfg->threads + 1);

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
	if ((app->diag_live = live_new(app->diag)) == NULL)
		fatalx("out of memory");
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
	if (app->diag_live != NULL) {
		/* The workers have stopped: nothing holds an engine. */
		ref_free(app->diag_live->cur);
		pthread_mutex_destroy(&app->diag_live->lock);
		pthread_mutex_destroy(&app->diag_live->rebuild);
		free(app->diag_live);
	}
	diag_engine_free(app->diag);
	store_pool_free(app->pool);
	memset(app, 0, sizeof(*app));
}
