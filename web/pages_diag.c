/* web/pages_diag.c - the diagnosis pages: POST /diagnose (the home form),
 * GET /diagnose (the form alone) and GET /d/{id} (a shared analysis). */
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/diag.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/store.h"

/* Width class "w-0".."w-100" (steps of 5) for part of whole: the CSP
 * forbids inline styles, so bars are drawn with classes. */
static const char *
width_class(double part, double whole)
{
	static const char *const w[] = { "w-0", "w-5", "w-10", "w-15",
	    "w-20", "w-25", "w-30", "w-35", "w-40", "w-45", "w-50", "w-55",
	    "w-60", "w-65", "w-70", "w-75", "w-80", "w-85", "w-90", "w-95",
	    "w-100" };
	int	 i;

	if (whole <= 0 || part <= 0)
		return w[0];
	i = (int)(part / whole * 20.0 + 0.5);
	if (i < 1)
		i = 1;		/* a non-zero value stays visible */
	if (i > 20)
		i = 20;
	return w[i];
}

/* Header blocks: bar widths for the hop delays and the spam tests, the
 * badge class of each authentication verdict. */
/* has_<key> for each non-empty array of o: a section over "list.0" would
 * push the first item as a context, and names missing from later items
 * would then resolve to the first item's values. */
static void
add_has_flags(struct json_object *o)
{
	char	 key[64];

	json_object_object_foreach(o, k, v) {
		if (!json_object_is_type(v, json_type_array) ||
		    strncmp(k, "has_", 4) == 0)
			continue;
		snprintf(key, sizeof(key), "has_%s", k);
		json_object_object_add(o, key, json_object_new_boolean(
		    json_object_array_length(v) > 0));
	}
}

static void
decorate_headers(struct json_object *h)
{
	struct json_object	*a, *x, *v;
	double			 max = 0, d;
	size_t			 i, n;

	add_has_flags(h);
	if (json_object_object_get_ex(h, "spamassassin", &x) &&
	    json_object_is_type(x, json_type_object))
		add_has_flags(x);

	if (json_object_object_get_ex(h, "hops", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			x = json_object_array_get_idx(a, i);
			if (json_object_object_get_ex(x, "delay", &v) &&
			    json_object_get_double(v) > max)
				max = json_object_get_double(v);
		}
		for (i = 0; i < n; i++) {
			x = json_object_array_get_idx(a, i);
			d = json_object_object_get_ex(x, "delay", &v) ?
			    json_object_get_double(v) : 0;
			json_object_object_add(x, "bar",
			    json_object_new_string(width_class(d, max)));
			json_object_object_add(x, "step",
			    json_object_new_int((int)i + 1));
		}
	}
	if (json_object_object_get_ex(h, "auth", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			x = json_object_array_get_idx(a, i);
			json_object_object_add(x, "badge", json_object_new_string(
			    json_object_object_get_ex(x, "problem", &v) &&
			    json_object_get_boolean(v) ? "permanent" : "ok"));
		}
	}
	if (json_object_object_get_ex(h, "spamassassin", &x) &&
	    json_object_object_get_ex(x, "tests", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		max = 0;
		for (i = 0; i < n; i++) {
			v = json_object_object_get(json_object_array_get_idx(a,
			    i), "score");
			if (v != NULL && json_object_get_double(v) > max)
				max = json_object_get_double(v);
		}
		for (i = 0; i < n; i++) {
			x = json_object_array_get_idx(a, i);
			v = json_object_object_get(x, "score");
			json_object_object_add(x, "bar", json_object_new_string(
			    width_class(v != NULL ? json_object_get_double(v) :
			    0, max)));
		}
	}
}

/* Adds what the template needs beyond the API answer: a CSS class per
 * card, the actor's words, a flag per result for our own blocks. */
static void
decorate(const struct request *req, struct json_object *rep)
{
	struct json_object	*results, *r, *v;
	const char		*cls, *actor;
	size_t			 i, n;
	char			 key[64];

	if (json_object_object_get_ex(rep, "headers", &v) &&
	    json_object_is_type(v, json_type_object))
		decorate_headers(v);
	if (!json_object_object_get_ex(rep, "results", &results) ||
	    !json_object_is_type(results, json_type_array))
		return;
	n = json_object_array_length(results);
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(results, i);
		cls = "temporary";
		if (json_object_object_get_ex(r, "permanent", &v) &&
		    json_object_get_boolean(v))
			cls = "permanent";
		if (json_object_object_get_ex(r, "ours", &v) &&
		    json_object_get_boolean(v))
			cls = "ours";
		json_object_object_add(r, "has_steps", json_object_new_boolean(
		    json_object_object_get_ex(r, "steps", &v) &&
		    json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) > 0));
		json_object_object_add(r, "has_faq", json_object_new_boolean(
		    json_object_object_get_ex(r, "faq", &v) &&
		    json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) > 0));
		json_object_object_add(r, "card_class",
		    json_object_new_string(cls));
		/* The sender checks can explain these causes. */
		json_object_object_add(r, "check_offer",
		    json_object_new_boolean(check_reason_offers(
		    json_object_object_get_ex(r, "reason", &v) ?
		    json_object_get_string(v) : NULL)));
		actor = json_object_object_get_ex(r, "actor", &v) ?
		    json_object_get_string(v) : "none";
		snprintf(key, sizeof(key), "actor_%s", actor);
		json_object_object_add(r, "actor_text", json_object_new_string(
		    i18n_get(req->app->i18n, req->lang, key)));
	}
	json_object_object_add(rep, "count", json_object_new_int((int)n));
}

static int
render_report(struct request *req, struct response *res,
    struct json_object *rep, const char *pasted)
{
	struct json_object	*ctx;

	decorate(req, rep);
	ctx = json_object_new_object();
	if (ctx == NULL) {
		json_object_put(rep);
		return P_ENOMEM;
	}
	json_object_object_add(ctx, "report", rep);
	if (pasted != NULL)
		json_object_object_add(ctx, "pasted",
		    json_object_new_string(pasted));
	json_object_object_add(ctx, "title", json_object_new_string(
	    i18n_get(req->app->i18n, req->lang, "diag_title")));
	return page_render(req, res, 200, "diagnosis", ctx);
}

/* GET /diagnose?text=... fills the paste box (the FAQ offers it for a
 * search that looks like an error); the analysis still needs the POST. */
int
page_diagnose_form(struct request *req, struct response *res)
{
	struct json_object	*ctx;
	const char		*text;

	text = request_query(req, "text");
	if (text == NULL || text[0] == '\0' || strlen(text) > 8192)
		return page_render(req, res, 200, "home", NULL);
	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "pasted", json_object_new_string(text));
	return page_render(req, res, 200, "home", ctx);
}

int
page_diagnose(struct request *req, struct response *res)
{
	struct json_object	*rep, *ctx;
	const char		*text, *keep;
	int			 rc;

	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    i18n_get(req->app->i18n, req->lang, "err_csrf"));
	text = request_form(req, "text");
	if (text == NULL || text[strspn(text, " \t\r\n")] == '\0') {
		ctx = json_object_new_object();
		if (ctx == NULL)
			return P_ENOMEM;
		json_object_object_add(ctx, "form_error", json_object_new_string(
		    i18n_get(req->app->i18n, req->lang, "err_empty_paste")));
		return page_render(req, res, 400, "home", ctx);
	}
	keep = request_form(req, "share");
	rc = diagnose_request(req, text, strlen(text), DIAG_IN_AUTO, req->lang,
	    keep != NULL && keep[0] != '\0', &rep);
	if (rc == P_ETOOBIG)
		return page_error(req, res, rc,
		    i18n_get(req->app->i18n, req->lang, "err_too_big"));
	if (rc != P_OK)
		return rc;
	diag_inline_checks(req, rep, text);
	return render_report(req, res, rep, text);
}

int
page_diagnosis_shared(struct request *req, struct response *res)
{
	struct json_object	*rep;

	rep = diagnosis_load(req, request_param(req, "id"));
	if (rep == NULL)
		return P_ENOTFOUND;
	response_header(res, "Cache-Control", "private, no-store");
	response_header(res, "X-Robots-Tag", "noindex");
	return render_report(req, res, rep, NULL);
}
