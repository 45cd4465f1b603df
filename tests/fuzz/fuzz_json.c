/* fuzz_json.c - libFuzzer target for JSON request bodies: request_json()
 * (web/http.c, json-c's tokener with the API's depth limit) on a fake
 * request whose body is the input. An accepted object must serialise and
 * parse back to the same text, as the API echoes parts of it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Reads the fields the API handlers read, the way they read them. */
static void
walk(struct json_object *o, int depth)
{
	struct json_object_iterator	 it, end;
	size_t				 i, n;

	if (depth > 64)
		abort();	/* deeper than the tokener allows */
	switch (json_object_get_type(o)) {
	case json_type_object:
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		while (!json_object_iter_equal(&it, &end)) {
			if (json_object_iter_peek_name(&it) == NULL)
				abort();
			walk(json_object_iter_peek_value(&it), depth + 1);
			json_object_iter_next(&it);
		}
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			walk(json_object_array_get_idx(o, i), depth + 1);
		break;
	case json_type_string:
		if (strlen(json_object_get_string(o)) >
		    (size_t)json_object_get_string_len(o))
			abort();
		break;
	default:
		(void)json_object_get_int64(o);
		(void)json_object_get_double(o);
		(void)json_object_get_string(o);
		break;
	}
}

/* Parses text as a request body again. */
static struct json_object *
reparse(struct request *req, struct arena *a, const char *text)
{
	int	 err;

	req->body = arena_strdup(a, text);
	if (req->body == NULL)
		abort();
	req->body_len = strlen(req->body);
	return request_json(req, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request		 req;
	struct fuzz_tctx	 t;
	struct arena		*a;
	struct json_object	*o, *o2, *o3;
	const char		*s1;
	int			 err;

	if (size > 1024 * 1024)
		return 0;
	if ((a = arena_new(0)) == NULL)
		abort();
	fuzz_request(&req, &t, a);
	t.hdr[0].k = "Content-Type";
	t.hdr[0].v = "application/json";
	t.nhdr = 1;
	req.body = arena_strndup(a, (const char *)data, size);
	req.body_len = size;
	if (req.body == NULL)
		abort();
	o = request_json(&req, &err);
	if (o == NULL) {
		if (err != P_EINVAL && err != P_ENOMEM)
			abort();
		arena_free(a);
		return 0;
	}
	if (err != P_OK || !json_object_is_type(o, json_type_object))
		abort();
	walk(o, 0);
	/* json-c reads some numbers loosely ("-0e"), so the first round trip
	 * may change the text; from then on it must be stable. */
	s1 = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if ((o2 = reparse(&req, a, s1)) == NULL)
		abort();
	s1 = arena_strdup(a, json_object_to_json_string_ext(o2,
	    JSON_C_TO_STRING_PLAIN));
	if ((o3 = reparse(&req, a, s1)) == NULL)
		abort();
	if (strcmp(s1, json_object_to_json_string_ext(o3,
	    JSON_C_TO_STRING_PLAIN)) != 0)
		abort();
	json_object_put(o3);
	json_object_put(o2);
	json_object_put(o);
	arena_free(a);
	return 0;
}
