/* fuzz_cfg.c - libFuzzer target for cfg_parse_mem() (src/util/cfg.c). A
 * refused input must say why; an accepted one must dump (cfg_dump) to text
 * that parses back to the same configuration. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/cfg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The configuration as text, malloc'ed. */
static char *
dump(const struct config *cfg, size_t *len)
{
	FILE	*f;
	char	*s = NULL;

	if ((f = open_memstream(&s, len)) == NULL)
		abort();
	cfg_dump(cfg, f);
	if (fclose(f) != 0)
		abort();
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 c1, c2;
	char		 err[256];
	char		*d1, *d2;
	size_t		 l1, l2;

	if (size > 64 * 1024)
		return 0;
	cfg_defaults(&c1);
	err[0] = '\0';
	if (cfg_parse_mem(&c1, (const char *)data, size, err,
	    sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	d1 = dump(&c1, &l1);
	cfg_defaults(&c2);
	if (cfg_parse_mem(&c2, d1, l1, err, sizeof(err)) != 0) {
		fprintf(stderr, "dump does not parse back: %s\n%s", err, d1);
		abort();
	}
	d2 = dump(&c2, &l2);
	if (l1 != l2 || memcmp(d1, d2, l1) != 0) {
		fprintf(stderr, "dump differs after a round trip:\n%s---\n%s",
		    d1, d2);
		abort();
	}
	free(d1);
	free(d2);
	return 0;
}
