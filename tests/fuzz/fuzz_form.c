/* fuzz_form.c - libFuzzer target for form, query and cookie decoding
 * (web/http.c): http_urldecode() on the raw input, then the input cut at
 * newlines into a query string, a Cookie header and a name looked up with
 * http_form_get(), request_query(), request_form() and request_cookie(). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/http.h"
#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const names[] = { "q", "lang", "csrf", "text", "" };

static void
check_value(const char *v, size_t inlen)
{
	if (v != NULL && strlen(v) > inlen)
		abort();	/* decoding never grows */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request		 req;
	struct fuzz_tctx	 t;
	struct arena		*a;
	const char		*qs, *cookie, *name, *v;
	size_t			 off = 0, i;
	char			*d;

	if ((a = arena_new(0)) == NULL)
		abort();
	d = http_urldecode(a, (const char *)data, size, size % 2 == 0);
	if (d != NULL && strlen(d) > size)
		abort();	/* decoding never grows */

	qs = fuzz_piece(a, data, size, &off);
	cookie = fuzz_piece(a, data, size, &off);
	name = fuzz_piece(a, data, size, &off);
	if (qs == NULL)
		qs = "";
	fuzz_request(&req, &t, a);
	req.query = qs;
	req.body = qs;
	req.body_len = strlen(qs);
	t.hdr[0].k = "Content-Type";
	t.hdr[0].v = "application/x-www-form-urlencoded; charset=utf-8";
	t.nhdr = 1;
	if (cookie != NULL) {
		t.hdr[1].k = "Cookie";
		t.hdr[1].v = cookie;
		t.nhdr = 2;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]) + 1; i++) {
		const char	*n = i < sizeof(names) / sizeof(names[0]) ?
			    names[i] : name;

		if (n == NULL)
			continue;
		check_value(http_form_get(a, qs, n), strlen(qs));
		check_value(request_query(&req, n), strlen(qs));
		check_value(request_form(&req, n), strlen(qs));
		v = request_cookie(&req, n);
		if (v != NULL && (cookie == NULL || strlen(v) > strlen(cookie)))
			abort();
	}
	arena_free(a);
	return 0;
}
