/* src/main.c - the bouncedesk command: parse the configuration and run a
 * subcommand (serve, fcgi, migrate, seed, diagnose, config). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BOUNCEDESK_SHAREDIR
#define BOUNCEDESK_SHAREDIR	"/usr/local/share/bouncedesk"
#endif

#include "bouncedesk/app.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/cfg.h"
#include "bouncedesk/check.h"
#include "bouncedesk/diag.h"
#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/log.h"
#include "bouncedesk/store.h"
#include "bouncedesk/transport.h"
#include "bouncedesk/webhook.h"

#define BOUNCEDESK_VERSION	"0.1.0"

int	diag_cli(int, char **, const char *, const char *);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bouncedesk COMMAND [options]\n"
	    "\n"
	    "commands:\n"
	    "  serve     serve HTTP with libmicrohttpd (--listen HOST:PORT)\n"
	    "  fcgi      serve FastCGI behind nginx (--socket PATH, else fd 0)\n"
	    "  migrate   apply the database migrations\n"
	    "  seed      migrate, then load the seed content (FAQ, rules)\n"
	    "  diagnose  diagnose bounce files: [--json|--jsonl] FILE... | -\n"
	    "  sa-import merge SpamAssassin rule descriptions [DIR]\n"
	    "  check-domain  DNS checks of a sender domain: DOMAIN [--ip IP]\n"
	    "            [--selector S] [--json] [--lang fr|en]\n"
	    "  spam-score  score a message with spamd: FILE|- [--json]\n"
	    "  admin     API keys and staff accounts (admin help)\n"
	    "  faq-export  write every FAQ article as JSON to stdout\n"
	    "  faq-import  insert or update FAQ articles from FILE.json|-\n"
	    "  config    print the effective configuration\n"
	    "  version   print the version\n"
	    "\n"
	    "common options (before or after the command):\n"
	    "  --config FILE   key = value file (also BOUNCEDESK_CONFIG)\n"
	    "  --db PATH       SQLite database (BOUNCEDESK_DB)\n"
	    "  --listen H:P    serve address (BOUNCEDESK_LISTEN)\n"
	    "  --socket PATH   FastCGI socket (BOUNCEDESK_FCGI_SOCKET)\n"
	    "  --share DIR     where templates/, static/, db/ are "
	    "(BOUNCEDESK_SHARE_DIR)\n"
	    "  -v              more logging\n");
}

/* Options that map to configuration keys; the rest stay for the command. */
static const struct {
	const char	*flag, *key;
} flag_keys[] = {
	{ "--db", "db" }, { "--listen", "listen" },
	{ "--socket", "fcgi_socket" }, { "--share", "share_dir" },
	{ "--base-url", "base_url" }, { "--threads", "threads" },
	{ "--resolver", "resolver" }, { "--spamd", "spamd" },
};

/* Builds the configuration from defaults, file, environment and flags;
 * removes the flags it used from argv. Exits on error. */
static void
load_config(struct config *cfg, int *argc, char **argv)
{
	char		 err[256];
	const char	*file;
	int		 i, j, out;
	size_t		 k;

	cfg_defaults(cfg);
	file = getenv("BOUNCEDESK_CONFIG");
	for (i = 1; i < *argc - 1; i++)
		if (strcmp(argv[i], "--config") == 0)
			file = argv[i + 1];
	if (file != NULL && cfg_parse_file(cfg, file, err, sizeof(err)) != 0)
		fatalx("%s: %s", file, err);
	if (cfg_parse_env(cfg, err, sizeof(err)) != 0)
		fatalx("environment: %s", err);
	for (i = 1, out = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			for (j = i; j < *argc; j++)
				argv[out++] = argv[j];
			break;
		}
		if (strcmp(argv[i], "-v") == 0) {
			cfg->verbose++;
			continue;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
			i++;
			continue;
		}
		for (k = 0; k < sizeof(flag_keys) / sizeof(flag_keys[0]); k++)
			if (strcmp(argv[i], flag_keys[k].flag) == 0)
				break;
		if (k < sizeof(flag_keys) / sizeof(flag_keys[0])) {
			if (i + 1 >= *argc)
				fatalx("%s needs a value", argv[i]);
			if (cfg_set(cfg, flag_keys[k].key, argv[i + 1], err,
			    sizeof(err)) != 0)
				fatalx("%s: %s", argv[i], err);
			i++;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	/* Outside the source tree, the default share directory is the one
	 * `make install` filled. */
	if (strcmp(cfg->share_dir, ".") == 0 &&
	    access("templates/home.html", R_OK) != 0 &&
	    access(BOUNCEDESK_SHAREDIR "/templates/home.html", R_OK) == 0)
		snprintf(cfg->share_dir, sizeof(cfg->share_dir), "%s",
		    BOUNCEDESK_SHAREDIR);
}

/* Adds the rules of db/seed/rules.txt that the database lacks. */
static int
seed_rules(struct store *s, const struct config *cfg)
{
	char	 path[CFG_STR_MAX + 32], *text, err[256];
	FILE	*f;
	size_t	 len;
	int	 added = 0, rc;

	snprintf(path, sizeof(path), "%s/db/seed/rules.txt", cfg->share_dir);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "bouncedesk: %s: cannot open\n", path);
		return 1;
	}
	text = malloc(DIAG_MAX_INPUT + 1);
	len = text != NULL ? fread(text, 1, DIAG_MAX_INPUT, f) : 0;
	fclose(f);
	if (text == NULL)
		return 1;
	rc = diag_rules_check_mem(text, len, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "bouncedesk: %s: %s\n", path, rc < 0 ? err :
		    "a rule does not match its own example");
		free(text);
		return 1;
	}
	rc = store_rules_seed(s, text, len, &added);
	free(text);
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: seeding rules: %s\n",
		    store_errmsg(s));
		return 1;
	}
	printf("%s: %d diagnosis rules added\n", cfg->db_path, added);
	return 0;
}

static int
cmd_migrate(const struct config *cfg, int seed)
{
	struct store	*s;
	char		 err[512], dir[CFG_STR_MAX + 32];
	int		 from, to, rc, added = 0;

	s = store_open(cfg->db_path, false, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "bouncedesk: %s\n", err);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/db/migrations", cfg->share_dir);
	rc = store_migrate(s, dir, &from, &to, err, sizeof(err));
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: migrate: %s\n", err);
		store_close(s);
		return 1;
	}
	printf("%s: schema version %d -> %d\n", cfg->db_path, from, to);
	if (seed) {
		snprintf(dir, sizeof(dir), "%s/db/seed", cfg->share_dir);
		rc = store_seed_sql(s, dir, err, sizeof(err));
		if (rc != P_OK) {
			fprintf(stderr, "bouncedesk: seed: %s\n", err);
			store_close(s);
			return 1;
		}
		/* Each kind of content on its own: a rule file that does not
		 * check out must not keep the FAQ from loading. */
		rc = seed_rules(s, cfg);
		snprintf(dir, sizeof(dir), "%s/db/seed/faq", cfg->share_dir);
		if (kb_seed_dir_count(s, dir, &added, err, sizeof(err)) !=
		    P_OK) {
			fprintf(stderr, "bouncedesk: faq: %s\n", err);
			rc = 1;
		} else
			printf("%s: %d FAQ articles added\n", cfg->db_path,
			    added);
		if (rc != 0) {
			store_close(s);
			return 1;
		}
		printf("%s: seed content loaded\n", cfg->db_path);
	}
	store_close(s);
	return 0;
}

/* bouncedesk sa-import [DIR]: merges SpamAssassin's describe/score lines
 * into db/seed/spamassassin.txt (Debian: /usr/share/spamassassin). */
static int
cmd_sa_import(const struct config *cfg, int argc, char **argv)
{
	const char	*dir = argc > 0 ? argv[0] : "/usr/share/spamassassin";
	char		 out[CFG_STR_MAX + 64], err[256];
	int		 n;

	snprintf(out, sizeof(out), "%s/db/seed/spamassassin.txt",
	    cfg->share_dir);
	n = sa_import_rules_dir(dir, out, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "bouncedesk: sa-import: %s\n", err);
		return 1;
	}
	printf("%s: %d SpamAssassin tests (rebuild to use them)\n", out, n);
	return 0;
}

static int
cmd_serve(const struct config *cfg, int fcgi)
{
	struct app		 app;
	struct webhook_opts	 wo;
	struct webhook_worker	*ww;
	char			 err[512];
	int			 rc;

	app_init(&app, cfg);
	/* Webhooks go out from their own thread and connection; the outbox
	 * table carries them across restarts. */
	webhook_opts_defaults(&wo);
	wo.allow_http_loopback = cfg->webhook_http_loopback != 0;
	wo.smtp_relay = cfg->smtp_relay;
	wo.smtp_from = cfg->smtp_from;
	ww = webhook_worker_start(cfg->db_path, &wo, cfg->webhook_interval_ms);
	if (ww == NULL)
		log_warnx("webhook worker did not start: webhooks wait");
	if (fcgi)
		rc = fcgi_serve(&app, cfg->fcgi_socket, err, sizeof(err));
	else
		rc = mhd_serve(&app, cfg->listen, err, sizeof(err));
	if (rc != 0)
		log_warnx("%s", err);
	webhook_worker_stop(ww);
	app_cleanup(&app);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	const char	*cmd;
	char		 rules[CFG_STR_MAX + 32];

	load_config(&cfg, &argc, argv);
	log_init((int)cfg.verbose, 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&cfg, 0);
	if (strcmp(cmd, "fcgi") == 0)
		return cmd_serve(&cfg, 1);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(&cfg, 0);
	if (strcmp(cmd, "seed") == 0)
		return cmd_migrate(&cfg, 1);
	if (strcmp(cmd, "diagnose") == 0) {
		snprintf(rules, sizeof(rules), "%s/db/seed/rules.txt",
		    cfg.share_dir);
		return diag_cli(argc - 2, argv + 2, rules, cfg.provider_hosts);
	}
	if (strcmp(cmd, "check-domain") == 0)
		return check_cli(argc - 2, argv + 2, &cfg);
	if (strcmp(cmd, "spam-score") == 0)
		return spam_cli(argc - 2, argv + 2, &cfg);
	if (strcmp(cmd, "sa-import") == 0)
		return cmd_sa_import(&cfg, argc - 2, argv + 2);
	if (strcmp(cmd, "admin") == 0)
		return admin_cli(argc - 2, argv + 2, cfg.db_path);
	if (strcmp(cmd, "faq-export") == 0 || strcmp(cmd, "faq-import") == 0)
		return kb_cli(argc - 2, argv + 2, cmd, cfg.db_path);
	if (strcmp(cmd, "config") == 0) {
		cfg_dump(&cfg, stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("bouncedesk %s\n", BOUNCEDESK_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "bouncedesk: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
