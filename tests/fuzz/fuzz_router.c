/* fuzz_router.c - libFuzzer target for router_match() (web/router.c): the
 * input is "pattern\npath", matched as given, and the path is also matched
 * against every pattern of the real route table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/http.h"
#include "bouncedesk/router.h"
#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int m, const char *path, const struct http_kv *p, size_t n)
{
	size_t	 i;

	if (n > HTTP_MAX_PARAMS)
		abort();
	if (!m)
		return;
	for (i = 0; i < n; i++) {
		if (p[i].k == NULL || p[i].v == NULL)
			abort();
		/* A captured value is a piece of the path: the rest of it
		 * for a final star (a pointer into path), else one whole
		 * segment (an arena copy). */
		if (p[i].v >= path && p[i].v <= path + strlen(path)) {
			if (strcmp(p[i].k, "*") != 0)
				abort();
		} else if (strlen(p[i].v) == 0 || strchr(p[i].v, '/') != NULL ||
		    strstr(path, p[i].v) == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_kv		 params[HTTP_MAX_PARAMS];
	const struct route	*r;
	struct arena		*a;
	const char		*pattern, *path;
	size_t			 off = 0, n;
	int			 m;

	if (size > 4096)
		return 0;
	if ((a = arena_new(0)) == NULL)
		abort();
	pattern = fuzz_piece(a, data, size, &off);
	path = fuzz_piece(a, data, size, &off);
	if (pattern == NULL)
		abort();
	if (path == NULL)
		path = pattern;
	m = router_match(pattern, path, a, params, &n);
	check(m, path, params, n);
	for (r = routes; r->pattern != NULL; r++) {
		m = router_match(r->pattern, path, a, params, &n);
		check(m, path, params, n);
	}
	arena_free(a);
	return 0;
}
