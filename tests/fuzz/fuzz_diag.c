/* fuzz_diag.c - libFuzzer target for the diagnosis engine: runs diag_run()
 * on the input with every input hint (auto, message, pasted, fragment,
 * headers) and serialises each report in both languages. The engine is
 * built once from db/seed/rules.txt (BOUNCEDESK_RULES overrides the path;
 * run from the repository top). Checks the report's own invariants. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/cfg.h"
#include "bouncedesk/diag.h"
#include "bouncedesk/err.h"

#define FUZZ_ARENA_MAX	(64u * 1024 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct diag_engine	*engine;

static void
setup(void)
{
	struct config	 cfg;
	const char	*path;
	char		 err[256];

	path = getenv("BOUNCEDESK_RULES");
	if (path == NULL)
		path = "db/seed/rules.txt";
	cfg_defaults(&cfg);
	engine = diag_engine_new(path, cfg.provider_hosts, err, sizeof(err));
	if (engine == NULL) {
		fprintf(stderr, "fuzz_diag: %s: %s\n", path, err);
		abort();
	}
}

/* What any report must satisfy, whatever the input. */
static void
check_report(const struct diag_report *r)
{
	const struct diag_recipient	*x;
	size_t				 i, mlen;

	if (r->nrcpt > DIAG_MAX_RCPT || (r->nrcpt > 0 && r->rcpt == NULL))
		abort();
	for (i = 0; i < r->nrcpt; i++) {
		x = &r->rcpt[i];
		if (x->confidence < 0.0 || x->confidence > 1.0)
			abort();
		if (x->evidence.matched == NULL)
			continue;
		/* The span is in the text the rule ran on: the diagnostic,
		 * or the block's context for the "context" and "fallback"
		 * stages; either way it is as long as what it matched. */
		mlen = strlen(x->evidence.matched);
		if (x->evidence.start > x->evidence.end ||
		    x->evidence.end - x->evidence.start != mlen) {
			fprintf(stderr, "evidence %s [%zu, %zu) for \"%s\"\n",
			    x->evidence.rule_id != NULL ? x->evidence.rule_id :
			    "-", x->evidence.start, x->evidence.end,
			    x->evidence.matched);
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum diag_input hints[] = { DIAG_IN_AUTO,
	    DIAG_IN_MESSAGE, DIAG_IN_PASTED, DIAG_IN_FRAGMENT,
	    DIAG_IN_HEADERS };
	struct diag_report	 rep;
	struct json_object	*o;
	struct arena		*a;
	size_t			 i;
	int			 rc;

	if (engine == NULL)
		setup();
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if ((a = arena_new(FUZZ_ARENA_MAX)) == NULL)
			abort();
		rc = diag_run(engine, a, (const char *)data, size, hints[i],
		    &rep);
		if (rc == P_OK) {
			check_report(&rep);
			o = diag_report_to_json(&rep, i % 2 ? "en" : "fr");
			if (o == NULL)
				abort();
			(void)json_object_to_json_string(o);
			json_object_put(o);
		} else if (rc != P_EINVAL && rc != P_ETOOBIG &&
		    rc != P_ENOMEM)
			abort();
		if (size == 0 && rc != P_EINVAL)
			abort();
		arena_free(a);
	}
	return 0;
}
