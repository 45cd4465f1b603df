/* api/check.c - GET /api/v1/domains/{domain}/check (the DNS facts of a
 * sender domain, and of an IP) and POST /api/v1/spam-score (a raw message
 * scored by spamd). Both are rate-limited per client. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/kb.h"

#define FAQ_PER_FINDING	2

int
check_rate_take(struct request *req, struct response *res, const char *what)
{
	const struct config	*cfg = &req->app->cfg;
	char			 key[96], *retry;
	long			 wait;

	(void)snprintf(key, sizeof(key), "%s:%s", what,
	    req->remote_addr != NULL ? req->remote_addr : "");
	/* A burst of a quarter of the minute's allowance, at least 3. */
	if (ratelimit_take(ratelimit_shared(), key, (double)cfg->check_rate,
	    cfg->check_rate / 4.0 > 3 ? cfg->check_rate / 4.0 : 3,
	    dns_now_ms(), &wait))
		return P_OK;
	if ((retry = arena_printf(req->arena, "%ld", wait)) != NULL)
		response_header(res, "Retry-After", retry);
	return P_ERATE;
}

void
check_link_faq(struct request *req, struct json_object *rep,
    const char *lang)
{
	struct json_object	*arr, *f, *faq, *tag, *x;
	struct kb_list		 l;
	size_t			 i, k, n;

	if (req->db == NULL || !json_object_object_get_ex(rep, "findings",
	    &arr))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		f = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(f, "faq_tag", &tag) ||
		    kb_articles_by_tag(req->db, req->arena,
		    json_object_get_string(tag), lang, FAQ_PER_FINDING, &l) !=
		    P_OK || l.n == 0)
			continue;
		if ((faq = json_object_new_array()) == NULL)
			return;
		for (k = 0; k < l.n; k++) {
			x = json_object_new_object();
			json_object_object_add(x, "id",
			    json_object_new_int64(l.items[k].id));
			json_object_object_add(x, "title",
			    json_object_new_string(l.items[k].title));
			json_object_object_add(x, "url", json_object_new_string(
			    arena_printf(req->arena, "/faq/%lld",
			    l.items[k].id)));
			json_object_array_add(faq, x);
		}
		json_object_object_add(f, "faq", faq);
	}
}

static const char *
api_lang(struct request *req)
{
	const char	*l = request_query(req, "lang");

	if (l != NULL && (strcmp(l, "fr") == 0 || strcmp(l, "en") == 0))
		return l;
	return req->lang;
}

int
api_domain_check(struct request *req, struct response *res)
{
	struct check_request	 rq;
	struct check_report	 rep;
	struct json_object	*o;
	const char		*why, *lang = api_lang(req);
	int			 rc;

	rc = check_request_build(req->arena, &req->app->cfg,
	    request_param(req, "domain"), request_query(req, "ip"),
	    request_query(req, "selector"), &rq, &why);
	if (rc == P_EINVAL)
		return response_problem(res, req, 400, "invalid-domain",
		    "Bad Request", why);
	if (rc != P_OK)
		return rc;
	/* Validated first: a bad name costs no token. */
	if (check_rate_take(req, res, "check") != P_OK)
		return response_problem(res, req, 429, "rate-limited",
		    "Too Many Requests", "too many checks from this address; "
		    "try again later");
	if ((rc = check_run(req->arena, &req->app->cfg, &rq, &rep)) != P_OK)
		return rc;
	if ((o = check_report_to_json(&rep, lang)) == NULL)
		return P_ENOMEM;
	check_link_faq(req, o, lang);
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, 200, o);
}

/* Runs spamd for the API and the page. On failure fills *status, *slug
 * and *detail for a problem (503 not configured or unreachable, 413, 502
 * for an answer that is not spamd's). */
int
spam_score_request(struct request *req, const char *msg, size_t len,
    const char *lang, struct json_object **out, int *status,
    const char **slug, const char **detail)
{
	const struct config	*cfg = &req->app->cfg;
	struct spam_result	 r;
	char			 err[256];
	int			 rc;

	*out = NULL;
	if (cfg->spamd[0] == '\0') {
		*status = 503;
		*slug = "spamd-not-configured";
		*detail = "the spam score is not configured on this server "
		    "(no spamd)";
		return P_EIO;
	}
	rc = spamc_check(cfg->spamd, cfg->spamd_timeout_ms, msg, len,
	    req->arena, &r, err, sizeof(err));
	if (rc != P_OK) {
		*status = rc == P_ETOOBIG ? 413 : rc == P_EINVAL ? 502 : 503;
		*slug = rc == P_ETOOBIG ? "too-big" : rc == P_EINVAL ?
		    "spamd-bad-answer" : "spamd-unavailable";
		*detail = arena_strdup(req->arena, err);
		return rc;
	}
	if ((*out = spam_result_to_json(&r, (double)cfg->spam_threshold,
	    lang)) == NULL)
		return P_ENOMEM;
	return P_OK;
}

int
api_spam_score(struct request *req, struct response *res)
{
	struct json_object	*o;
	const char		*slug, *detail;
	int			 rc, status;

	if (req->body_len == 0 || req->body[strspn(req->body, " \t\r\n")] ==
	    '\0')
		return response_problem(res, req, 400, "empty-input",
		    "Bad Request", "send the whole message (headers and body) "
		    "as the request body");
	if (req->app->cfg.spamd[0] != '\0' &&
	    check_rate_take(req, res, "spam") != P_OK)
		return response_problem(res, req, 429, "rate-limited",
		    "Too Many Requests", "too many scores from this address; "
		    "try again later");
	rc = spam_score_request(req, req->body, req->body_len, api_lang(req),
	    &o, &status, &slug, &detail);
	if (rc == P_ENOMEM)
		return rc;
	if (rc != P_OK)
		return response_problem(res, req, status, slug,
		    status == 413 ? "Content Too Large" : status == 502 ?
		    "Bad Gateway" : "Service Unavailable", detail);
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, 200, o);
}
