/* api/reports.c - reports of the outbound filter:
 * POST /api/v1/filter-reports (reports:write; answers the customer link),
 * GET /api/v1/filter-reports?account=&account_id=&before=&limit=,
 * GET /api/v1/filter-reports/trends?days=&limit=,
 * GET /api/v1/filter-reports/{id} (reports:read), and
 * POST /api/v1/filter-reports/{id}/false-positive (reports:write). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/reports.h"
#include "bouncedesk/unblock.h"

#define TREND_DAYS	30
#define TREND_TOP	10

/* A decimal in [1, max] from text, else 0. */
static long long
parse_pos(const char *s, long long max)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0 || v > max)
		return 0;
	return v;
}

/* 422 with every bad field: {"errors": [{"field", "detail"}]}. */
static int
invalid(struct request *req, struct response *res,
    const struct rp_invalid *inv)
{
	struct json_object	*o, *arr, *e;
	size_t			 i;
	int			 rc;

	if ((o = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		json_object_put(o);
		return P_ENOMEM;
	}
	json_object_object_add(o, "type",
	    json_object_new_string("/problems/invalid-report"));
	json_object_object_add(o, "title",
	    json_object_new_string("Unprocessable Content"));
	json_object_object_add(o, "status", json_object_new_int(422));
	json_object_object_add(o, "detail", json_object_new_string(
	    "the report has bad fields; nothing was stored"));
	json_object_object_add(o, "instance",
	    json_object_new_string(req->path));
	for (i = 0; i < inv->n; i++) {
		if ((e = json_object_new_object()) == NULL)
			break;
		json_object_object_add(e, "field",
		    json_object_new_string(inv->e[i].field));
		json_object_object_add(e, "detail",
		    json_object_new_string(inv->e[i].why));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "errors", arr);
	json_object_object_add(o, "more_errors",
	    json_object_new_boolean(inv->more));
	rc = response_json(res, 422, o);
	res->content_type = "application/problem+json";
	return rc;
}

static int
reports_create(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_account	 ac;
	struct rp_report	 r;
	struct rp_invalid	 inv;
	struct json_object	*body, *o;
	const char		*link;
	long long		 expiry;
	int			 rc, purged;

	if ((rc = auth_request(req, res, AUTH_REPORTS_WRITE, &p)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	rc = report_parse(req->arena, body, (long long)time(NULL), &r, &inv);
	json_object_put(body);
	if (rc == P_EINVAL)
		return invalid(req, res, &inv);
	if (rc != P_OK)
		return rc;
	rc = store_account_find_ext(req->db, req->arena, r.account_ext, &ac);
	if (rc == P_ENOTFOUND) {
		report_invalid_add(&inv, "account", "no such account");
		return invalid(req, res, &inv);
	}
	if (rc != P_OK)
		return rc;
	if (p.account_id > 0 && ac.id != p.account_id)
		return response_problem(res, req, 403, "other-account",
		    "Forbidden", "this key is bound to another account");
	r.account_id = ac.id;
	if ((rc = report_create(req->db, &r, &purged)) != P_OK)
		return rc;
	if ((rc = report_link(req->db, req->arena, r.id, 0, &link,
	    &expiry)) != P_OK)
		return rc;
	if ((o = report_to_json(req->arena, &r, req->lang, false)) == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "link", json_object_new_string(link));
	json_object_object_add(o, "url", json_object_new_string(arena_printf(
	    req->arena, "%s%s", req->app->cfg.base_url, link)));
	json_object_object_add(o, "link_expires", json_object_new_string(
	    unblock_time_iso(req->arena, expiry)));
	json_object_object_add(o, "purged", json_object_new_int(purged));
	response_header(res, "Location", arena_printf(req->arena,
	    "/api/v1/filter-reports/%lld", r.id));
	/* The link opens the report: keep it out of caches. */
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, 201, o);
}

int
api_reports_create(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, reports_create);
}

int
api_reports_list(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct rp_filter	 f = { 0, 0, 0 };
	struct ub_account	 ac;
	struct rp_report	*v;
	struct json_object	*o, *arr;
	const char		*q;
	size_t			 n, i;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REPORTS_READ, &p)) != P_OK)
		return rc;
	if ((q = request_query(req, "account")) != NULL) {
		rc = store_account_find_ext(req->db, req->arena, q, &ac);
		if (rc == P_ENOTFOUND)
			return response_problem(res, req, 404, "not-found",
			    "Not Found", "no such account");
		if (rc != P_OK)
			return rc;
		f.account_id = ac.id;
	}
	if (((q = request_query(req, "account_id")) != NULL &&
	    (f.account_id = parse_pos(q, 1LL << 62)) == 0) ||
	    ((q = request_query(req, "before")) != NULL &&
	    (f.before = parse_pos(q, 1LL << 62)) == 0) ||
	    ((q = request_query(req, "limit")) != NULL &&
	    (f.limit = (int)parse_pos(q, RP_LIST_MAX)) == 0))
		return response_problem(res, req, 400, "invalid-query",
		    "Bad Request", "account_id and before are positive ids; "
		    "limit is 1 to 100");
	/* A bound key lists its own account only. */
	if (p.account_id > 0) {
		if (f.account_id > 0 && f.account_id != p.account_id)
			return response_problem(res, req, 404, "not-found",
			    "Not Found", "no such account");
		f.account_id = p.account_id;
	}
	rc = store_report_list(req->db, req->arena, &f, &v, &n);
	if (rc != P_OK)
		return rc;
	o = json_object_new_object();
	arr = json_object_new_array();
	if (o == NULL || arr == NULL) {
		json_object_put(o);
		json_object_put(arr);
		return P_ENOMEM;
	}
	for (i = 0; i < n; i++)
		json_object_array_add(arr, report_to_json(req->arena, &v[i],
		    req->lang, false));
	json_object_object_add(o, "items", arr);
	json_object_object_add(o, "next_cursor", n > 0 && (int)n ==
	    (f.limit > 0 ? f.limit : RP_LIST_MAX) ?
	    json_object_new_int64(v[n - 1].id) : NULL);
	return response_json(res, 200, o);
}

int
api_reports_get(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct rp_report	 r;
	struct json_object	*o;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REPORTS_READ, &p)) != P_OK)
		return rc;
	if ((id = parse_pos(request_param(req, "id"), 1LL << 62)) == 0)
		return P_ENOTFOUND;
	if ((rc = store_report_get(req->db, req->arena, id, &r)) != P_OK)
		return rc;
	if (p.account_id > 0 && r.account_id != p.account_id)
		return P_ENOTFOUND;
	if ((o = report_to_json(req->arena, &r, req->lang, true)) == NULL)
		return P_ENOMEM;
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, 200, o);
}

static struct json_object *
counts_json(const struct rp_count *c, size_t n, const char *what,
    const char *lang)
{
	const struct rp_check_def	*d;
	struct json_object		*arr, *o;
	bool				 en = strcmp(lang, "en") == 0;
	size_t				 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL)
			break;
		json_object_object_add(o, what, json_object_new_string(
		    c[i].key));
		json_object_object_add(o, "reports",
		    json_object_new_int64(c[i].reports));
		if (strcmp(what, "name") == 0) {
			json_object_object_add(o, "total_score",
			    json_object_new_double(c[i].score));
			json_object_object_add(o, "explanation", c[i].key ==
			    NULL || report_test_explain(c[i].key, lang,
			    NULL) == NULL ? NULL : json_object_new_string(
			    report_test_explain(c[i].key, lang, NULL)));
		} else if (strcmp(what, "id") == 0) {
			d = report_check_find(c[i].key);
			json_object_object_add(o, "title", d == NULL ? NULL :
			    json_object_new_string(en ? d->title_en :
			    d->title_fr));
		} else
			json_object_object_add(o, "name", c[i].label != NULL ?
			    json_object_new_string(c[i].label) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

int
api_reports_trends(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct rp_trends	 t;
	struct json_object	*o;
	const char		*q;
	long long		 days = TREND_DAYS, top = TREND_TOP, since;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REPORTS_READ, &p)) != P_OK)
		return rc;
	/* Trends span every account: not for a key bound to one. */
	if (p.account_id > 0)
		return response_problem(res, req, 403, "other-account",
		    "Forbidden", "this key is bound to one account");
	if (((q = request_query(req, "days")) != NULL &&
	    (days = parse_pos(q, 3650)) == 0) ||
	    ((q = request_query(req, "limit")) != NULL &&
	    (top = parse_pos(q, 50)) == 0))
		return response_problem(res, req, 400, "invalid-query",
		    "Bad Request", "days is 1 to 3650, limit 1 to 50");
	since = (long long)time(NULL) - days * 86400;
	rc = store_report_trends(req->db, req->arena, since, (int)top, &t);
	if (rc != P_OK)
		return rc;
	if ((o = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "days", json_object_new_int64(days));
	json_object_object_add(o, "since", json_object_new_string(
	    unblock_time_iso(req->arena, since)));
	json_object_object_add(o, "reports", json_object_new_int64(t.reports));
	json_object_object_add(o, "accounts",
	    json_object_new_int64(t.accounts));
	json_object_object_add(o, "top_tests", counts_json(t.tests, t.ntests,
	    "name", req->lang));
	json_object_object_add(o, "top_checks", counts_json(t.checks,
	    t.nchecks, "id", req->lang));
	json_object_object_add(o, "top_accounts", counts_json(t.by_account,
	    t.naccounts, "account", req->lang));
	return response_json(res, 200, o);
}

/* {"note": "..."} (optional, the body may be empty). */
static int
reports_false_positive(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_actor		 who;
	struct rp_report	 r;
	struct json_object	*body = NULL, *v;
	const char		*note = NULL;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REPORTS_WRITE, &p)) != P_OK)
		return rc;
	if ((id = parse_pos(request_param(req, "id"), 1LL << 62)) == 0)
		return P_ENOTFOUND;
	if (p.account_id > 0 && ((rc = store_report_get(req->db, req->arena,
	    id, &r)) != P_OK || r.account_id != p.account_id))
		return rc == P_OK || rc == P_ENOTFOUND ? P_ENOTFOUND : rc;
	if (req->body_len > 0) {
		if ((body = request_json(req, &rc)) == NULL)
			return response_problem(res, req, 400, "invalid-json",
			    "Bad Request", "the body is not a JSON object");
		if (json_object_object_get_ex(body, "note", &v) && v != NULL) {
			if (!json_object_is_type(v, json_type_string)) {
				json_object_put(body);
				return response_problem(res, req, 422,
				    "invalid-note", "Unprocessable Content",
				    "note is a string");
			}
			note = arena_strdup(req->arena,
			    json_object_get_string(v));
		}
		json_object_put(body);
	}
	auth_actor(&p, req->remote_addr, &who);
	rc = report_false_positive(req->db, req->arena, &who, id, note, &r);
	if (rc == P_EINVAL)
		return response_problem(res, req, 422, "invalid-note",
		    "Unprocessable Content", "note is at most 2000 bytes");
	if (rc == P_ECONFLICT)
		return response_problem(res, req, 409, "already-marked",
		    "Conflict", "the report is already a false positive");
	if (rc != P_OK)
		return rc;
	return response_json(res, 200, report_to_json(req->arena, &r,
	    req->lang, true));
}

int
api_reports_false_positive(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, reports_false_positive);
}
