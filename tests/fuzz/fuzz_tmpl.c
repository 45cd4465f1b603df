/* fuzz_tmpl.c - libFuzzer target for src/util/tmpl.c: compiles the input
 * as a template and renders it with a fixed json context, with partials
 * (one of them recursive) and a small output cap.
 *
 * Build and run from the repository top:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *       -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
 *       $(pkg-config --cflags json-c) tests/fuzz/fuzz_tmpl.c \
 *       src/util/tmpl.c src/util/buf.c src/util/err.c \
 *       $(pkg-config --libs json-c) -o build/fuzz_tmpl
 *   mkdir -p build/fuzz_tmpl.corpus
 *   build/fuzz_tmpl -max_total_time=60 -timeout=5 \
 *       build/fuzz_tmpl.corpus tests/fuzz/tmpl
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/tmpl.h"

#define FUZZ_OUT_MAX	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char ctx_json[] =
    "{\"lang\":\"fr\",\"title\":\"<T&itle>\",\"n\":42,\"d\":2.5,"
    "\"zero\":0,\"yes\":true,\"no\":false,\"nil\":null,\"empty\":\"\","
    "\"t\":{\"k\":\"v'\\\"`=\",\"a\":\"b\"},"
    "\"list\":[1,\"two\",{\"name\":\"<3>\",\"list\":[]},[4,5],null,true],"
    "\"none\":[],"
    "\"o\":{\"p\":{\"q\":\"deep\",\"o\":{\"p\":{\"q\":\"deeper\"}}}},"
    "\"big\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}";

static const char *const partials[][2] = {
	{ "item", "<li>{{name}}{{.}}</li>" },
	{ "loop", "{{#list}}{{>item}}{{/list}}" },
	{ "self", "[{{>self}}]" },
	{ "deep", "{{#o}}{{#p}}{{q}}{{>deep}}{{/p}}{{/o}}" },
};

static struct json_object	*ctx;
static struct tmpl_set		*set;

static void
setup(void)
{
	struct tmpl	*t;
	size_t		 i;

	ctx = json_tokener_parse(ctx_json);
	set = tmpl_set_new();
	if (ctx == NULL || set == NULL)
		abort();
	for (i = 0; i < sizeof(partials) / sizeof(partials[0]); i++) {
		t = tmpl_compile(partials[i][1], strlen(partials[i][1]), NULL,
		    0);
		if (t == NULL || tmpl_set_add(set, partials[i][0], t) != P_OK)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl	*t;
	struct buf	 out;
	char		 err[128];
	int		 rc;

	if (set == NULL)
		setup();
	t = tmpl_compile((const char *)data, size, err, sizeof(err));
	if (t == NULL) {
		/* Every refusal says where. */
		if (strncmp(err, "line ", 5) != 0)
			abort();
		return 0;
	}
	buf_init(&out, FUZZ_OUT_MAX);
	rc = tmpl_render_one(set, t, ctx, &out);
	if (rc != P_OK && rc != P_ETOOBIG && rc != P_ENOTFOUND)
		abort();
	if (out.len > FUZZ_OUT_MAX || (rc != P_OK && out.len != 0))
		abort();
	buf_cleanup(&out);
	tmpl_free(t);
	return 0;
}
