/* cli.c - `bouncedesk check-domain DOMAIN [--ip IP] [--selector S]
 * [--json] [--lang fr|en]` and `bouncedesk spam-score FILE|- [--json]
 * [--lang fr|en]`: the same checks as the API, printed as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/cfg.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

#define CLI_ARENA_MAX	(64 * 1024 * 1024)

struct opts {
	const char	*arg, *ip, *sel, *lang;
	bool		 json;
};

/* Options anywhere; one positional argument. 0 or -1 (usage). */
static int
parse_opts(int argc, char **argv, const struct config *cfg, struct opts *o)
{
	int	 i;

	memset(o, 0, sizeof(*o));
	o->lang = cfg->lang_default;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			o->json = true;
		else if (strcmp(argv[i], "--ip") == 0 && i + 1 < argc)
			o->ip = argv[++i];
		else if (strcmp(argv[i], "--selector") == 0 && i + 1 < argc)
			o->sel = argv[++i];
		else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			o->lang = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return -1;
		else if (o->arg == NULL)
			o->arg = argv[i];
		else
			return -1;
	}
	if (strcmp(o->lang, "fr") != 0 && strcmp(o->lang, "en") != 0)
		return -1;
	return o->arg != NULL ? 0 : -1;
}

static void
print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void
print_report(const struct check_report *r, bool fr)
{
	static const char *const word[] = { "PASS", "WARN", "FAIL" };
	const struct check_finding	*f;
	const char			*p, *nl;
	size_t				 i;

	printf("%s: %u pass, %u warn, %u fail (%u queries, %u cached, "
	    "%ld ms%s)\n", r->domain, r->npass, r->nwarn, r->nfail,
	    r->queries, r->cached, r->elapsed_ms, r->complete ? "" :
	    ", incomplete");
	for (i = 0; i < r->n; i++) {
		f = &r->f[i];
		printf("%s  %-6s %-22s %s\n", word[f->verdict], f->group,
		    f->id, fr ? f->explain_fr : f->explain_en);
		for (p = f->fix; p != NULL && *p != '\0'; p = nl) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p);
			printf("      %s %.*s\n", fr ? "publier :" : "publish:",
			    (int)(nl - p), p);
			if (*nl == '\n')
				nl++;
		}
		if (f->detail != NULL)
			printf("      %s %s\n", fr ? "vu :" : "seen:", f->detail);
	}
}

int
check_cli(int argc, char **argv, const struct config *cfg)
{
	struct check_request	 rq;
	struct check_report	 rep;
	struct arena		*a;
	struct opts		 o;
	const char		*why;
	int			 rc;

	if (parse_opts(argc, argv, cfg, &o) != 0) {
		fprintf(stderr, "usage: bouncedesk check-domain DOMAIN [--ip IP]"
		    " [--selector S] [--json] [--lang fr|en]\n");
		return 2;
	}
	if ((a = arena_new(CLI_ARENA_MAX)) == NULL)
		return 3;
	rc = check_request_build(a, cfg, o.arg, o.ip, o.sel, &rq, &why);
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: check-domain: %s\n",
		    why != NULL ? why : perr_str(rc));
		arena_free(a);
		return 2;
	}
	if ((rc = check_run(a, cfg, &rq, &rep)) != P_OK) {
		fprintf(stderr, "bouncedesk: check-domain: %s\n",
		    perr_str(rc));
		arena_free(a);
		return 3;
	}
	if (o.json)
		print_json(check_report_to_json(&rep, o.lang));
	else
		print_report(&rep, strcmp(o.lang, "fr") == 0);
	rc = rep.nfail > 0 ? 1 : 0;
	arena_free(a);
	return rc;
}

/* Reads FILE (or stdin for "-") up to SPAM_MAX_MESSAGE + 1 bytes. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*b;
	size_t	 n = 0, r;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if ((b = malloc(SPAM_MAX_MESSAGE + 2)) != NULL) {
		while (n < SPAM_MAX_MESSAGE + 1 && (r = fread(b + n, 1,
		    SPAM_MAX_MESSAGE + 1 - n, f)) > 0)
			n += r;
		b[n] = '\0';
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return b;
}

int
spam_cli(int argc, char **argv, const struct config *cfg)
{
	struct spam_result	 res;
	struct json_object	*o, *tests, *t, *v;
	struct arena		*a;
	struct opts		 opt;
	char			*msg, err[256];
	size_t			 len, i;
	int			 rc;

	if (parse_opts(argc, argv, cfg, &opt) != 0 || opt.ip != NULL ||
	    opt.sel != NULL) {
		fprintf(stderr, "usage: bouncedesk spam-score FILE|- [--json] "
		    "[--lang fr|en]\n");
		return 2;
	}
	if (cfg->spamd[0] == '\0') {
		fprintf(stderr, "bouncedesk: spam-score: spamd is not "
		    "configured (set spamd = 127.0.0.1:783 or a socket path)\n");
		return 3;
	}
	if ((msg = slurp(opt.arg, &len)) == NULL) {
		fprintf(stderr, "bouncedesk: spam-score: cannot read %s\n",
		    opt.arg);
		return 2;
	}
	if ((a = arena_new(CLI_ARENA_MAX)) == NULL) {
		free(msg);
		return 3;
	}
	rc = spamc_check(cfg->spamd, cfg->spamd_timeout_ms, msg, len, a, &res,
	    err, sizeof(err));
	free(msg);
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: spam-score: %s\n", err);
		arena_free(a);
		return rc == P_ETOOBIG ? 2 : 3;
	}
	o = spam_result_to_json(&res, (double)cfg->spam_threshold, opt.lang);
	rc = res.score >= (double)cfg->spam_threshold ? 1 : 0;
	if (opt.json)
		print_json(o);
	else if (o != NULL) {
		printf("score %.1f, threshold %ld: %s (spamd's own threshold "
		    "%.1f)\n", res.score, cfg->spam_threshold, rc ? "blocked" :
		    "ok", res.required);
		json_object_object_get_ex(o, "tests", &tests);
		for (i = 0; i < json_object_array_length(tests); i++) {
			t = json_object_array_get_idx(tests, i);
			printf("%7.1f  %-24s", json_object_get_double(
			    json_object_object_get(t, "score")),
			    json_object_get_string(json_object_object_get(t,
			    "name")));
			if (json_object_object_get_ex(t, "explanation", &v) ||
			    json_object_object_get_ex(t, "description", &v))
				printf(" %s", json_object_get_string(v));
			printf("\n");
		}
		json_object_put(o);
	}
	arena_free(a);
	return rc;
}
