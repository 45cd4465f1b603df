/* api/diagnoses.c - POST /api/v1/diagnoses (diagnose a paste, optionally
 * keep it) and GET /api/v1/diagnoses/{id} (a kept analysis). */
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/diag.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

/* True when the media type of ct (parameters ignored) is type. */
static int
media_is(const char *ct, const char *type)
{
	size_t	 n = strlen(type);

	return ct != NULL && strncasecmp(ct, type, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

#define FAQ_PER_RESULT	3

/* Adds "faq": [{id, title, url}] to each result: the public articles in
 * lang that carry one of the result's tags, first tags first. */
static void
link_faq(struct request *req, struct json_object *rep, const char *lang)
{
	struct json_object	*results, *r, *tags, *faq, *a;
	struct kb_list		 l;
	size_t			 i, j, k, n, have;
	long long		 seen[FAQ_PER_RESULT];

	if (req->db == NULL || !json_object_object_get_ex(rep, "results",
	    &results) || !json_object_is_type(results, json_type_array))
		return;
	n = json_object_array_length(results);
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(results, i);
		faq = json_object_new_array();
		if (faq == NULL)
			return;
		have = 0;
		if (json_object_object_get_ex(r, "faq_tags", &tags) &&
		    json_object_is_type(tags, json_type_array)) {
			for (j = 0; j < json_object_array_length(tags) &&
			    have < FAQ_PER_RESULT; j++) {
				if (kb_articles_by_tag(req->db, req->arena,
				    json_object_get_string(
				    json_object_array_get_idx(tags, j)), lang,
				    FAQ_PER_RESULT, &l) != P_OK)
					continue;
				for (k = 0; k < l.n && have < FAQ_PER_RESULT;
				    k++) {
					size_t	 m;

					for (m = 0; m < have; m++)
						if (seen[m] == l.items[k].id)
							break;
					if (m < have)
						continue;
					seen[have++] = l.items[k].id;
					a = json_object_new_object();
					json_object_object_add(a, "id",
					    json_object_new_int64(
					    l.items[k].id));
					json_object_object_add(a, "title",
					    json_object_new_string(
					    l.items[k].title));
					json_object_object_add(a, "url",
					    json_object_new_string(arena_printf(
					    req->arena, "/faq/%lld",
					    l.items[k].id)));
					json_object_array_add(faq, a);
				}
			}
		}
		json_object_object_add(r, "faq", faq);
	}
}

/* Runs the engine and answers the analysis; stores it when asked. Shared
 * with the HTML page handler (web/pages_diag.c). */
static int
diagnose_with(struct request *req, const struct diag_engine *engine,
    const char *text, size_t len, enum diag_input hint, const char *lang,
    int keep, struct json_object **out)
{
	const struct app	*app = req->app;
	struct diag_report	 rep;
	struct json_object	*o, *both, *other;
	char			 id[33];
	const char		*js;
	int			 rc;

	rc = diag_run(engine, req->arena, text, len, hint, &rep);
	if (rc != P_OK)
		return rc;
	o = diag_report_to_json(&rep, lang);
	if (o == NULL)
		return P_ENOMEM;
	link_faq(req, o, lang);
	if (keep) {
		/* Kept in both languages: whoever opens the link reads it in
		 * theirs (the customer, then support). */
		both = json_object_new_object();
		other = diag_report_to_json(&rep, strcmp(lang, "fr") == 0 ?
		    "en" : "fr");
		if (both == NULL || other == NULL) {
			json_object_put(both);
			json_object_put(other);
			json_object_put(o);
			return P_ENOMEM;
		}
		link_faq(req, other, strcmp(lang, "fr") == 0 ? "en" : "fr");
		json_object_object_add(both, lang, json_object_get(o));
		json_object_object_add(both, strcmp(lang, "fr") == 0 ? "en" :
		    "fr", other);
		js = json_object_to_json_string_ext(both,
		    JSON_C_TO_STRING_PLAIN);
		rc = store_diag_put(req->db, diag_input_name(rep.input), len,
		    lang, js, app->cfg.diag_retention_days * 86400L, id);
		json_object_put(both);
		if (rc != P_OK) {
			json_object_put(o);
			return rc;
		}
		json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "url", json_object_new_string(
		    arena_printf(req->arena, "%s/d/%s", app->cfg.base_url,
		    id)));
		json_object_object_add(o, "retention_days",
		    json_object_new_int64(app->cfg.diag_retention_days));
	}
	*out = o;
	return P_OK;
}

/* The engine is borrowed for the run and the JSON conversion: a report
 * points into its rules, and staff may rebuild the engine meanwhile. */
int
diagnose_request(struct request *req, const char *text, size_t len,
    enum diag_input hint, const char *lang, int keep,
    struct json_object **out)
{
	struct diag_engine_ref		*ref;
	const struct diag_engine	*e;
	int				 rc;

	*out = NULL;
	e = app_diag_get(req->app, &ref);
	rc = e != NULL ? diagnose_with(req, e, text, len, hint, lang, keep,
	    out) : P_EDB;
	app_diag_put(req->app, ref);
	return rc;
}

int
api_diagnoses_create(struct request *req, struct response *res)
{
	struct json_object	*body = NULL, *v, *out;
	const char		*ct, *text, *q, *lang, *input;
	size_t			 len;
	enum diag_input		 hint;
	int			 rc, keep;

	ct = req->header(req, "Content-Type");
	text = req->body;
	len = req->body_len;
	input = request_query(req, "input");
	lang = request_query(req, "lang");
	if (media_is(ct, "application/json")) {
		body = request_json(req, &rc);
		if (body == NULL)
			return response_problem(res, req, 400, "invalid-json",
			    "Bad Request", "the body is not a JSON object");
		if (!json_object_object_get_ex(body, "text", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			json_object_put(body);
			return response_problem(res, req, 422, "missing-text",
			    "Unprocessable Content",
			    "the JSON object needs a string field \"text\"");
		}
		text = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (json_object_object_get_ex(body, "input", &v))
			input = json_object_get_string(v);
		if (json_object_object_get_ex(body, "lang", &v))
			lang = json_object_get_string(v);
	} else if (!media_is(ct, "text/plain") &&
	    !media_is(ct, "message/rfc822") && ct != NULL)
		return response_problem(res, req, 415, "unsupported-media-type",
		    "Unsupported Media Type", "send text/plain, "
		    "message/rfc822 or application/json {\"text\": ...}");
	if (len == 0) {
		json_object_put(body);
		return response_problem(res, req, 400, "empty-input",
		    "Bad Request", "there is nothing to diagnose: paste the "
		    "error message or the whole bounce");
	}
	hint = media_is(ct, "message/rfc822") ? DIAG_IN_MESSAGE :
	    diag_input_parse(input);
	if (lang == NULL || (strcmp(lang, "fr") != 0 && strcmp(lang, "en")))
		lang = req->lang;
	q = request_query(req, "store");
	keep = q != NULL && (strcmp(q, "1") == 0 || strcmp(q, "true") == 0);
	rc = diagnose_request(req, text, len, hint, lang, keep, &out);
	json_object_put(body);
	if (rc == P_ETOOBIG)
		return response_problem(res, req, 413, "too-big",
		    "Content Too Large", "the text is over the diagnosis limit");
	if (rc != P_OK)
		return rc;
	if (keep)
		response_header(res, "Location", arena_printf(req->arena,
		    "/api/v1/diagnoses/%s", json_object_get_string(
		    json_object_object_get(out, "id"))));
	return response_json(res, keep ? 201 : 200, out);
}

struct json_object *
diagnosis_load(struct request *req, const char *id)
{
	struct json_object	*both, *one;
	char			*report;

	if (store_diag_get(req->db, req->arena, id, &report, NULL, NULL) !=
	    P_OK)
		return NULL;
	both = json_tokener_parse(report);
	if (both == NULL)
		return NULL;
	one = json_object_object_get(both, req->lang);
	if (one != NULL)
		json_object_get(one);
	json_object_put(both);
	if (one != NULL) {
		json_object_object_add(one, "id", json_object_new_string(id));
		json_object_object_add(one, "url", json_object_new_string(
		    arena_printf(req->arena, "%s/d/%s",
		    req->app->cfg.base_url, id)));
	}
	return one;
}

int
api_diagnoses_get(struct request *req, struct response *res)
{
	struct json_object	*o;

	o = diagnosis_load(req, request_param(req, "id"));
	if (o == NULL)
		return P_ENOTFOUND;
	response_header(res, "Cache-Control", "private, no-store");
	return response_json(res, 200, o);
}
