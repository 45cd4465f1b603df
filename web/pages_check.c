/* web/pages_check.c - the sender-check page (GET /check?domain=&ip=
 * &selector=: a form, then the findings as badges with the record to
 * publish) and the pre-flight spam score (GET /spam-score: a form; POST:
 * the score against our threshold, each test explained). */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/pages.h"

static const char *
tr(struct request *req, const char *key)
{
	return i18n_get(req->app->i18n, req->lang, key);
}

static void
set_str(struct json_object *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
}

/* Badge and card classes of the stylesheet, and the verdict's words. */
static void
decorate_findings(struct request *req, struct json_object *rep)
{
	struct json_object	*arr, *f, *v;
	const char		*verdict;
	size_t			 i, n;

	if (!json_object_object_get_ex(rep, "findings", &arr))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		f = json_object_array_get_idx(arr, i);
		verdict = json_object_object_get_ex(f, "verdict", &v) ?
		    json_object_get_string(v) : "fail";
		set_str(f, "badge", strcmp(verdict, "pass") == 0 ? "pass" :
		    strcmp(verdict, "warn") == 0 ? "softfail" : "fail");
		set_str(f, "card", strcmp(verdict, "pass") == 0 ? "ok" :
		    strcmp(verdict, "warn") == 0 ? "temporary" : "permanent");
		set_str(f, "verdict_text", tr(req, strcmp(verdict, "pass") ==
		    0 ? "check_verdict_pass" : strcmp(verdict, "warn") == 0 ?
		    "check_verdict_warn" : "check_verdict_fail"));
	}
}

/* Which field is wrong, for the form's message. */
static const char *
form_error_key(struct request *req, const char *domain, const char *ip)
{
	const char	*out;
	const char	*why;

	if (check_domain_normalise(req->arena, domain, &out, &why) != P_OK)
		return "check_err_domain";
	if (ip != NULL && ip[0] != '\0' &&
	    check_ip_normalise(req->arena, ip, &out, NULL) != P_OK)
		return "check_err_ip";
	return "check_err_selector";
}

int
page_check(struct request *req, struct response *res)
{
	struct check_request	 rq;
	struct check_report	 rep;
	struct json_object	*ctx, *o;
	const char		*domain, *ip, *sel, *why;
	int			 rc;

	domain = request_query(req, "domain");
	ip = request_query(req, "ip");
	sel = request_query(req, "selector");
	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	set_str(ctx, "title", tr(req, "check_title"));
	set_str(ctx, "domain_input", domain);
	set_str(ctx, "ip_input", ip);
	set_str(ctx, "selector_input", sel);
	if (domain == NULL || domain[strspn(domain, " \t")] == '\0')
		return page_render(req, res, 200, "check", ctx);
	rc = check_request_build(req->arena, &req->app->cfg, domain, ip, sel,
	    &rq, &why);
	if (rc == P_EINVAL) {
		set_str(ctx, "form_error", tr(req, form_error_key(req, domain,
		    ip)));
		/* The precise reason is in English only. */
		if (strcmp(req->lang, "en") == 0)
			set_str(ctx, "form_error_detail", why);
		return page_render(req, res, 400, "check", ctx);
	}
	if (rc == P_OK)
		rc = check_rate_take(req, res, "check");
	if (rc == P_ERATE) {
		json_object_put(ctx);
		return page_error(req, res, rc, tr(req, "check_err_rate"));
	}
	if (rc == P_OK)
		rc = check_run(req->arena, &req->app->cfg, &rq, &rep);
	if (rc != P_OK) {
		json_object_put(ctx);
		return rc;
	}
	if ((o = check_report_to_json(&rep, req->lang)) == NULL) {
		json_object_put(ctx);
		return P_ENOMEM;
	}
	check_link_faq(req, o, req->lang);
	decorate_findings(req, o);
	json_object_object_add(ctx, "report", o);
	response_header(res, "Cache-Control", "private, no-store");
	return page_render(req, res, 200, "check", ctx);
}

/* ------------------------------------------------------ spam score --- */

static json_object *
spam_ctx(struct request *req)
{
	struct json_object	*ctx = json_object_new_object();

	if (ctx == NULL)
		return NULL;
	set_str(ctx, "title", tr(req, "spam_title"));
	json_object_object_add(ctx, "configured", json_object_new_boolean(
	    req->app->cfg.spamd[0] != '\0'));
	json_object_object_add(ctx, "threshold",
	    json_object_new_int((int)req->app->cfg.spam_threshold));
	return ctx;
}

int
page_spam_form(struct request *req, struct response *res)
{
	struct json_object	*ctx = spam_ctx(req);

	if (ctx == NULL)
		return P_ENOMEM;
	return page_render(req, res, 200, "check_spam", ctx);
}

/* Bars for the tests (the CSP forbids inline styles): "w-0".."w-100". */
static void
decorate_spam(struct json_object *o)
{
	struct json_object	*arr, *t, *v;
	double			 max = 0, s;
	size_t			 i, n;
	char			 cls[8];

	if (!json_object_object_get_ex(o, "tests", &arr))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_object_get(json_object_array_get_idx(arr, i),
		    "score");
		if (v != NULL && json_object_get_double(v) > max)
			max = json_object_get_double(v);
	}
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(arr, i);
		s = json_object_get_double(json_object_object_get(t, "score"));
		(void)snprintf(cls, sizeof(cls), "w-%d", max > 0 && s > 0 ?
		    5 * (int)(s / max * 20.0 + 0.5) : 0);
		set_str(t, "bar", strcmp(cls, "w-0") == 0 && s > 0 ? "w-5" :
		    cls);
		json_object_object_add(t, "negative",
		    json_object_new_boolean(s < 0));
	}
}

int
page_spam_score(struct request *req, struct response *res)
{
	struct json_object	*ctx, *o;
	const char		*msg, *slug, *detail;
	int			 rc, status;

	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN, tr(req, "err_csrf"));
	if ((ctx = spam_ctx(req)) == NULL)
		return P_ENOMEM;
	msg = request_form(req, "message");
	if (msg == NULL || msg[strspn(msg, " \t\r\n")] == '\0') {
		set_str(ctx, "form_error", tr(req, "spam_err_empty"));
		return page_render(req, res, 400, "check_spam", ctx);
	}
	set_str(ctx, "pasted", msg);
	if (req->app->cfg.spamd[0] == '\0')
		return page_render(req, res, 503, "check_spam", ctx);
	if (check_rate_take(req, res, "spam") != P_OK) {
		json_object_put(ctx);
		return page_error(req, res, P_ERATE, tr(req,
		    "check_err_rate"));
	}
	rc = spam_score_request(req, msg, strlen(msg), req->lang, &o, &status,
	    &slug, &detail);
	if (rc == P_ENOMEM) {
		json_object_put(ctx);
		return rc;
	}
	if (rc != P_OK) {
		set_str(ctx, "spamd_error", tr(req, "spam_err_unavailable"));
		return page_render(req, res, status, "check_spam", ctx);
	}
	decorate_spam(o);
	json_object_object_add(ctx, "result", o);
	response_header(res, "Cache-Control", "private, no-store");
	return page_render(req, res, 200, "check_spam", ctx);
}
