/* fuzz_hdrs.c - libFuzzer target for the header-block analysis
 * (src/diag/hdrs*.c): hdr_analyse() on the input, the report's invariants,
 * its JSON in both languages, and hdr_parse_date() on the input as one
 * line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"

#define FUZZ_ARENA_MAX	(64u * 1024 * 1024)
#define DATE_MAX	512

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_report(const struct hdr_report *r, size_t size)
{
	size_t	 i;

	if (r->nfields > HDR_MAX_FIELDS || r->nhops > HDR_MAX_HOPS ||
	    r->ntests > HDR_MAX_TESTS)
		abort();
	if (r->header_len > size)
		abort();
	if (r->verdict == NULL)
		abort();
	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].name == NULL || r->fields[i].value == NULL ||
		    r->fields[i].offset > size)
			abort();
	for (i = 0; i < r->nhops; i++) {
		if (r->hops[i].has_delay && r->hops[i].delay < 0)
			abort();
		if (r->hops[i].skew && r->hops[i].skew_seconds <= 0)
			abort();
	}
	for (i = 1; i < r->ntests; i++)
		if (r->tests[i - 1].has_score && r->tests[i].has_score &&
		    r->tests[i - 1].score < r->tests[i].score)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr_report	*rep = NULL;
	struct json_object	*o;
	struct arena		*a;
	char			 line[DATE_MAX + 1];
	time_t			 t;
	int			 tz;
	size_t			 n;

	if ((a = arena_new(FUZZ_ARENA_MAX)) == NULL)
		abort();
	(void)hdr_looks_like_block((const char *)data, size);
	if (hdr_analyse(a, (const char *)data, size, &rep) == P_OK) {
		if (rep == NULL)
			abort();
		check_report(rep, size);
		o = hdr_report_to_json(rep, size % 2 ? "en" : "fr");
		if (o == NULL)
			abort();
		(void)json_object_to_json_string(o);
		json_object_put(o);
	}
	arena_free(a);

	n = size < DATE_MAX ? size : DATE_MAX;
	memcpy(line, data, n);
	line[n] = '\0';
	(void)hdr_parse_date(line, &t, &tz);
	return 0;
}
