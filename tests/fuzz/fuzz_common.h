/* fuzz_common.h - small helpers shared by the libFuzzer targets: a fake
 * struct request whose headers come from a table, and input splitting. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/http.h"

#define FUZZ_HDRS	4

/* The transport-private part of the fake request: its header table. */
struct fuzz_tctx {
	struct http_kv	 hdr[FUZZ_HDRS];
	size_t		 nhdr;
};

static inline const char *
fuzz_header(const struct request *req, const char *name)
{
	const struct fuzz_tctx	*t = req->tctx;
	size_t			 i;

	for (i = 0; i < t->nhdr; i++)
		if (strcasecmp(t->hdr[i].k, name) == 0)
			return t->hdr[i].v;
	return NULL;
}

static inline void
fuzz_request(struct request *req, struct fuzz_tctx *t, struct arena *a)
{
	memset(req, 0, sizeof(*req));
	memset(t, 0, sizeof(*t));
	req->method = HTTP_POST;
	req->method_str = "POST";
	req->path = "/";
	req->query = "";
	req->body = "";
	req->header = fuzz_header;
	req->tctx = t;
	req->arena = a;
	req->lang = "fr";
}

/* Cuts the next piece of data at a '\n' (or takes the rest) and returns
 * it NUL-terminated in the arena; *off moves past the separator. */
static inline char *
fuzz_piece(struct arena *a, const uint8_t *data, size_t size, size_t *off)
{
	const uint8_t	*nl;
	size_t		 n;
	char		*s;

	if (*off > size)
		return NULL;
	nl = memchr(data + *off, '\n', size - *off);
	n = nl != NULL ? (size_t)(nl - (data + *off)) : size - *off;
	s = arena_strndup(a, (const char *)data + *off, n);
	*off += n + 1;
	return s;
}

#endif /* FUZZ_COMMON_H */
