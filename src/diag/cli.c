/* cli.c - `bouncedesk diagnose`: many inputs in one process, as plain
 * text, JSON or JSON lines; a hidden --repeat N times the engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/diag.h"

#define CLI_ARENA_MAX	(256 * 1024 * 1024)

enum cli_out { OUT_TEXT, OUT_JSON, OUT_JSONL };

struct cli {
	enum cli_out	 out;
	enum diag_input	 input;
	const char	*lang;
	const char	*rules;
	long		 repeat;
};

static void
usage(void)
{
	fprintf(stderr, "usage: bouncedesk diagnose [--json | --jsonl] "
	    "[--input auto|message|pasted|fragment|headers] [--lang fr|en] "
	    "[--rules PATH] FILE... | -\n");
}

/* Reads a whole file (or stdin for "-") up to DIAG_MAX_INPUT + 1 bytes,
 * so that a larger one is seen as too big. */
static int
slurp(const char *path, char **out, size_t *outlen)
{
	FILE	*f;
	char	*b;
	size_t	 n = 0, cap = DIAG_MAX_INPUT + 2, r;

	*out = NULL;
	*outlen = 0;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return P_EIO;
	if ((b = malloc(cap)) == NULL) {
		if (f != stdin)
			fclose(f);
		return P_ENOMEM;
	}
	while (n < cap - 1 && (r = fread(b + n, 1, cap - 1 - n, f)) > 0)
		n += r;
	if (ferror(f)) {
		if (f != stdin)
			fclose(f);
		free(b);
		return P_EIO;
	}
	if (f != stdin)
		fclose(f);
	b[n] = '\0';
	*out = b;
	*outlen = n;
	return P_OK;
}

static void
print_text(const char *file, const struct diag_report *r, bool fr)
{
	size_t	 i;

	printf("%s: %s%s%s%s\n", file, diag_input_name(r->input),
	    r->mta != NULL ? ", " : "", r->mta != NULL ? r->mta : "",
	    r->recognised ? "" : ", unrecognised");
	if (r->orig_subject != NULL)
		printf("  original: %s\n", r->orig_subject);
	for (i = 0; i < r->nrcpt; i++) {
		const struct diag_recipient *p = &r->rcpt[i];

		printf("  %s: %s (%s %s) %s, %s, act: %s%s\n",
		    p->recipient != NULL ? p->recipient : "(unknown)",
		    p->reason, p->replycode[0] ? p->replycode : "-",
		    p->status[0] ? p->status : "-",
		    p->hardbounce ? "hard" : "soft",
		    p->permanent ? "permanent" : "temporary",
		    diag_actor_name(p->actor), p->ours ? ", OUR RELAY" : "");
		if (p->diagnostic != NULL)
			printf("    said: %.300s\n", p->diagnostic);
		printf("    why: %s [%s]\n", fr ? p->explain_fr : p->explain_en,
		    p->evidence.rule_id != NULL ? p->evidence.rule_id : "-");
	}
}

static void
print_error(const struct cli *c, const char *file, const char *msg)
{
	struct json_object	*o;

	fprintf(stderr, "bouncedesk diagnose: %s: %s\n", file, msg);
	if (c->out == OUT_TEXT)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "results", json_object_new_array());
	printf("%s\n", json_object_to_json_string_ext(o,
	    c->out == OUT_JSON ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static int
one(const struct cli *c, const struct diag_engine *e, const char *file)
{
	struct diag_report	 rep;
	struct arena		*a;
	struct json_object	*o;
	char			*text;
	size_t			 len;
	int			 rc;

	if ((rc = slurp(file, &text, &len)) != P_OK) {
		print_error(c, file, rc == P_EIO ? strerror(errno) :
		    perr_str(rc));
		return 1;
	}
	if ((a = arena_new(CLI_ARENA_MAX)) == NULL) {
		free(text);
		print_error(c, file, perr_str(P_ENOMEM));
		return 1;
	}
	rc = diag_run(e, a, text, len, c->input, &rep);
	free(text);
	if (rc != P_OK) {
		print_error(c, file, rc == P_EINVAL ? "empty input" :
		    perr_str(rc));
		arena_free(a);
		return 1;
	}
	if (c->out == OUT_TEXT)
		print_text(file, &rep, strcmp(c->lang, "fr") == 0);
	else {
		o = diag_report_to_json(&rep, c->lang);
		json_object_object_add(o, "file",
		    json_object_new_string(file));
		printf("%s\n", json_object_to_json_string_ext(o,
		    c->out == OUT_JSON ? JSON_C_TO_STRING_PRETTY :
		    JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
	arena_free(a);
	return 0;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --repeat N: reads every input once, then diagnoses them all N times and
 * prints the rate to stderr. Nothing on stdout. */
static int
bench(const struct cli *c, const struct diag_engine *e, char **files,
    int nfiles)
{
	struct diag_report	 rep;
	struct arena		*a;
	char			**text;
	size_t			*len;
	long			 k, done = 0;
	int			 i, bad = 0;
	double			 t0, dt;

	text = calloc((size_t)nfiles, sizeof(*text));
	len = calloc((size_t)nfiles, sizeof(*len));
	if (text == NULL || len == NULL) {
		free(text);
		free(len);
		return 1;
	}
	for (i = 0; i < nfiles; i++)
		if (slurp(files[i], &text[i], &len[i]) != P_OK)
			bad = 1;
	t0 = now();
	for (k = 0; k < c->repeat; k++)
		for (i = 0; i < nfiles; i++) {
			if (text[i] == NULL ||
			    (a = arena_new(CLI_ARENA_MAX)) == NULL)
				continue;
			(void)diag_run(e, a, text[i], len[i], c->input, &rep);
			arena_free(a);
			done++;
		}
	dt = now() - t0;
	fprintf(stderr, "%ld messages in %.3f s: %.0f messages/s\n", done, dt,
	    dt > 0 ? (double)done / dt : 0.0);
	for (i = 0; i < nfiles; i++)
		free(text[i]);
	free(text);
	free(len);
	return bad;
}

int
diag_cli(int argc, char **argv, const char *rules_path, const char *hosts)
{
	struct cli		 c = { OUT_TEXT, DIAG_IN_AUTO, "en", NULL, 0 };
	struct diag_engine	*e;
	char			 err[256];
	char			*end;
	int			 i, status = 0;

	c.rules = rules_path;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			c.out = OUT_JSON;
		else if (strcmp(argv[i], "--jsonl") == 0)
			c.out = OUT_JSONL;
		else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) {
			c.input = diag_input_parse(argv[++i]);
			if (c.input == DIAG_IN_AUTO &&
			    strcmp(argv[i], "auto") != 0) {
				usage();
				return 2;
			}
		} else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			c.lang = strcmp(argv[++i], "fr") == 0 ? "fr" : "en";
		else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			c.rules = argv[++i];
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			c.repeat = strtol(argv[++i], &end, 10);
			if (*end != '\0' || c.repeat < 1 || c.repeat > 100000) {
				usage();
				return 2;
			}
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			usage();
			return 2;
		} else
			break;
	}
	if (i >= argc || c.rules == NULL) {
		usage();
		return 2;
	}
	if ((e = diag_engine_new(c.rules, hosts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bouncedesk diagnose: %s\n", err);
		return 2;
	}
	if (c.repeat > 0)
		status = bench(&c, e, argv + i, argc - i);
	else
		for (; i < argc; i++)
			if (one(&c, e, argv[i]) != 0)
				status = 1;
	fflush(stdout);
	diag_engine_free(e);
	return status;
}
