/* api/requests.c - unblock requests and the audit trail:
 * POST /api/v1/blocks/{id}/requests, GET /api/v1/requests?state=&account=,
 * GET /api/v1/requests/{id}, POST /api/v1/requests/{id}/decision,
 * POST /api/v1/requests/{id}/answer, POST /api/v1/requests/{id}/withdraw,
 * GET /api/v1/audit?account=. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/cond.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/unblock.h"

#define ANSWERS_MAX	32

static int
bad_json(struct request *req, struct response *res)
{
	return response_problem(res, req, 400, "invalid-json", "Bad Request",
	    "the body is not a JSON object");
}

/* Answers a domain error with the reason the domain gave. */
static int
domain_error(struct request *req, struct response *res, int rc,
    const char *why)
{
	switch (rc) {
	case P_EINVAL:
		return response_problem(res, req, 422, "invalid-request",
		    "Unprocessable Content", why);
	case P_ECONFLICT:
		return response_problem(res, req, 409, "illegal-transition",
		    "Conflict", why);
	case P_EFORBIDDEN:
		return response_problem(res, req, 403, "forbidden",
		    "Forbidden", why);
	default:
		return rc;
	}
}

/* One answer: true, or {"confirmed": bool, "details": "..."}. */
static int
answer_value(struct json_object *v, struct ub_answer *a)
{
	struct json_object	*c;

	if (json_object_is_type(v, json_type_boolean)) {
		a->confirmed = json_object_get_boolean(v);
		return P_OK;
	}
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "confirmed", &c) ||
	    !json_object_is_type(c, json_type_boolean))
		return P_EINVAL;
	a->confirmed = json_object_get_boolean(c);
	a->details = json_get_str(v, "details");
	return P_OK;
}

/* "answers": {"item": ...} or [{"item": "...", "confirmed": ...}].
 * The strings are borrowed from body. */
static int
parse_answers(struct request *req, struct json_object *body,
    struct ub_answer **out, size_t *n)
{
	struct json_object	*ans, *v;
	struct ub_answer	*a;
	size_t			 i, len;

	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(body, "answers", &ans) || ans == NULL)
		return P_OK;
	if (json_object_is_type(ans, json_type_object))
		len = (size_t)json_object_object_length(ans);
	else if (json_object_is_type(ans, json_type_array))
		len = json_object_array_length(ans);
	else
		return P_EINVAL;
	if (len > ANSWERS_MAX)
		return P_EINVAL;
	if (len == 0)
		return P_OK;
	if ((a = arena_calloc(req->arena, len, sizeof(*a))) == NULL)
		return P_ENOMEM;
	if (json_object_is_type(ans, json_type_object)) {
		i = 0;
		json_object_object_foreach(ans, key, val) {
			a[i].item = key;
			if (answer_value(val, &a[i]) != P_OK)
				return P_EINVAL;
			i++;
		}
	} else {
		for (i = 0; i < len; i++) {
			v = json_object_array_get_idx(ans, i);
			if ((a[i].item = json_get_str(v, "item")) == NULL ||
			    answer_value(v, &a[i]) != P_OK)
				return P_EINVAL;
		}
	}
	*out = a;
	*n = len;
	return P_OK;
}

/* P_OK when the key may touch block bid: unbound, or bound to the
 * block's account; P_ENOTFOUND otherwise (another account's ids are
 * answered as if they did not exist). */
static int
bound_block(struct request *req, const struct auth_principal *p,
    long long bid)
{
	struct ub_block	 b;
	int		 rc;

	if (p->account_id <= 0)
		return P_OK;
	if ((rc = store_block_get(req->db, req->arena, bid, &b)) != P_OK)
		return rc;
	return b.account_id == p->account_id ? P_OK : P_ENOTFOUND;
}

static int
requests_create(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_actor		 who;
	struct ub_policy	 pol;
	struct ub_request	 r;
	struct ub_filing	 info;
	struct ub_answer	*ans;
	struct json_object	*body, *v, *out = NULL;
	size_t			 nans;
	long long		 bid;
	char			 why[256];
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REQUESTS_WRITE, &p)) != P_OK)
		return rc;
	if (http_parse_id(request_param(req, "id"), &bid) != P_OK)
		return P_ENOTFOUND;
	if ((rc = bound_block(req, &p, bid)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return bad_json(req, res);
	snprintf(why, sizeof(why), "answers must be an object of items: "
	    "true or {\"confirmed\": bool, \"details\": \"...\"}");
	if (!json_object_object_get_ex(body, "self_sent", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		snprintf(why, sizeof(why), "self_sent (true or false) is "
		    "required: did you send these messages yourself?");
		rc = P_EINVAL;
	} else
		rc = parse_answers(req, body, &ans, &nans);
	if (rc == P_OK)
		rc = unblock_policy_load(req->db, &pol);
	if (rc == P_OK) {
		auth_actor(&p, req->remote_addr, &who);
		why[0] = '\0';
		rc = unblock_request_file(req->db, req->arena, &who, &pol, bid,
		    json_object_get_boolean(v), ans, nans, json_get_str(body,
		    "message"), &r, &info, why, sizeof(why));
	}
	/* r borrows strings from body: render before letting it go. */
	if (rc == P_OK && (out = unblock_request_to_json(&r)) == NULL)
		rc = P_ENOMEM;
	json_object_put(body);
	if (rc == P_ETOOBIG)
		return response_problem(res, req, 413, "too-big",
		    "Content Too Large", why);
	if (rc != P_OK)
		return domain_error(req, res, rc, why);
	json_object_object_add(out, "warning", info.repeat ?
	    json_object_new_string("repeat") : NULL);
	json_object_object_add(out, "blocks_in_window",
	    json_object_new_int64(info.blocks_in_window));
	json_object_object_add(out, "window_days",
	    json_object_new_int64(info.window_days));
	json_object_object_add(out, "threshold",
	    json_object_new_int64(info.threshold));
	json_object_object_add(out, "permanent_block",
	    json_object_new_boolean(info.permanent));
	response_header(res, "Location", arena_printf(req->arena,
	    "/api/v1/unblock-requests/%lld", r.id));
	response_header(res, "ETag", cond_etag_request(req->arena, &r));
	return response_json(res, 201, out);
}

/* Reads ?account=&state=&after=&limit= into f; state via parse. */
static int
list_filter(struct request *req, struct ub_filter *f, bool requests,
    long long *since)
{
	enum ub_req_state	 st;
	const char		*q;
	long long		 lim;

	f->account_id = 0;
	f->state = -1;
	f->after = 0;
	f->limit = 0;
	*since = 0;
	if (((q = request_query(req, "account")) != NULL &&
	    http_parse_id(q, &f->account_id) != P_OK) ||
	    ((q = request_query(req, "after")) != NULL &&
	    http_parse_id(q, &f->after) != P_OK))
		return P_EINVAL;
	if ((q = request_query(req, "since")) != NULL &&
	    cond_since_parse(q, since) != P_OK)
		return P_EINVAL;
	if (requests && (q = request_query(req, "state")) != NULL) {
		if (ub_req_state_parse(q, &st) != P_OK)
			return P_EINVAL;
		f->state = (int)st;
	}
	if ((q = request_query(req, "limit")) != NULL) {
		if (http_parse_id(q, &lim) != P_OK || lim > UB_LIST_MAX)
			return P_EINVAL;
		f->limit = (int)lim;
	}
	return P_OK;
}

/* {"items": [...], "next_cursor": id|null} */
static int
answer_list(struct response *res, struct json_object *arr,
    const struct ub_filter *f, size_t n, long long last)
{
	struct json_object	*o;

	if (arr == NULL || (o = json_object_new_object()) == NULL) {
		json_object_put(arr);
		return P_ENOMEM;
	}
	json_object_object_add(o, "items", arr);
	json_object_object_add(o, "next_cursor", n > 0 && (int)n ==
	    (f->limit > 0 ? f->limit : UB_LIST_MAX) ?
	    json_object_new_int64(last) : NULL);
	return response_json(res, 200, o);
}

int
api_requests_list(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_filter	 f;
	struct ub_request	*v;
	struct json_object	*arr;
	long long		 since;
	size_t			 n, i;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REQUESTS_READ, &p)) != P_OK)
		return rc;
	if (list_filter(req, &f, true, &since) != P_OK)
		return P_EINVAL;
	if (p.account_id > 0) {
		if (f.account_id > 0 && f.account_id != p.account_id)
			return P_ENOTFOUND;
		f.account_id = p.account_id;
	}
	if ((rc = store_request_list_since(req->db, req->arena, &f, since, &v,
	    &n)) != P_OK)
		return rc;
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    unblock_request_to_json(&v[i]));
	return answer_list(res, arr, &f, n, n > 0 ? v[n - 1].id : 0);
}

int
api_requests_get(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_filter	 f = { 0, -1, 0, UB_LIST_MAX };
	struct ub_request	 r;
	struct ub_block		 b;
	struct ub_audit		*ev;
	struct json_object	*o, *arr;
	size_t			 n, i;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REQUESTS_READ, &p)) != P_OK)
		return rc;
	if (http_parse_id(request_param(req, "id"), &id) != P_OK)
		return P_ENOTFOUND;
	if ((rc = store_request_get(req->db, req->arena, id, &r)) != P_OK ||
	    (rc = store_block_get(req->db, req->arena, r.block_id, &b)) !=
	    P_OK ||
	    (p.account_id > 0 && b.account_id != p.account_id &&
	    (rc = P_ENOTFOUND) != P_OK) ||
	    (rc = store_audit_list(req->db, req->arena, &f, id, &ev, &n)) !=
	    P_OK)
		return rc;
	if ((o = unblock_request_to_json(&r)) == NULL)
		return P_ENOMEM;
	response_header(res, "ETag", cond_etag_request(req->arena, &r));
	json_object_object_add(o, "block", unblock_block_to_json(&b));
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    unblock_audit_to_json(&ev[i]));
	json_object_object_add(o, "audit", arr);
	return response_json(res, 200, o);
}

/* Applies ev with the body's comment field (key) and answers the
 * request as it now is. */
static int
transition(struct request *req, struct response *res,
    const struct auth_principal *p, enum ub_req_event ev,
    struct json_object *body, const char *key)
{
	struct ub_actor		 who;
	struct ub_request	 r;
	struct json_object	*out = NULL;
	long long		 id;
	char			 why[256];
	int			 rc;

	if (http_parse_id(request_param(req, "id"), &id) != P_OK) {
		json_object_put(body);
		return P_ENOTFOUND;
	}
	/* If-Match: the client must have seen the request as it is now. */
	if ((rc = store_request_get(req->db, req->arena, id, &r)) != P_OK ||
	    (rc = bound_block(req, p, r.block_id)) != P_OK) {
		json_object_put(body);
		return rc;
	}
	if (!cond_if_match(req, cond_etag_request(req->arena, &r))) {
		json_object_put(body);
		return response_problem(res, req, 412, "precondition-failed",
		    "Precondition Failed", "the request changed since you "
		    "read it: If-Match does not match its ETag");
	}
	auth_actor(p, req->remote_addr, &who);
	why[0] = '\0';
	rc = unblock_request_apply(req->db, req->arena, &who, id, ev,
	    body != NULL ? json_get_str(body, key) : NULL, &r, why, sizeof(why));
	if (rc == P_OK && (out = unblock_request_to_json(&r)) == NULL)
		rc = P_ENOMEM;
	json_object_put(body);
	if (rc == P_ETOOBIG)
		return response_problem(res, req, 413, "too-big",
		    "Content Too Large", why);
	if (rc != P_OK)
		return domain_error(req, res, rc, why);
	response_header(res, "ETag", cond_etag_request(req->arena, &r));
	return response_json(res, 200, out);
}

static int
requests_decision(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct json_object	*body;
	enum ub_req_event	 ev;
	const char		*d;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REQUESTS_DECIDE, &p)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return bad_json(req, res);
	d = json_get_str(body, "decision");
	if (d != NULL && strcmp(d, "approve") == 0)
		ev = UB_EV_APPROVE;
	else if (d != NULL && strcmp(d, "reject") == 0)
		ev = UB_EV_REJECT;
	else if (d != NULL && strcmp(d, "info") == 0)
		ev = UB_EV_ASK_INFO;
	else {
		json_object_put(body);
		return response_problem(res, req, 422, "invalid-decision",
		    "Unprocessable Content", "decision is approve, reject or "
		    "info");
	}
	return transition(req, res, &p, ev, body, "comment");
}

static int
requests_answer(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct json_object	*body;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REQUESTS_WRITE, &p)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return bad_json(req, res);
	return transition(req, res, &p, UB_EV_ANSWER, body, "message");
}

static int
requests_withdraw(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_REQUESTS_WRITE, &p)) != P_OK)
		return rc;
	return transition(req, res, &p, UB_EV_WITHDRAW,
	    req->body_len > 0 ? request_json(req, &rc) : NULL, "comment");
}

int
api_audit_list(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_filter	 f;
	struct ub_audit		*v;
	struct json_object	*arr;
	long long		 since;
	size_t			 n, i;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_AUDIT_READ, &p)) != P_OK)
		return rc;
	if (list_filter(req, &f, false, &since) != P_OK)
		return P_EINVAL;
	if (p.account_id > 0) {
		if (f.account_id > 0 && f.account_id != p.account_id)
			return P_ENOTFOUND;
		f.account_id = p.account_id;
	}
	if ((rc = store_audit_list_since(req->db, req->arena, &f, 0, since,
	    &v, &n)) != P_OK)
		return rc;
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr, unblock_audit_to_json(&v[i]));
	return answer_list(res, arr, &f, n, n > 0 ? v[n - 1].id : 0);
}

/* POSTs honour Idempotency-Key. */

int
api_requests_create(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, requests_create);
}

int
api_requests_decision(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, requests_decision);
}

int
api_requests_answer(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, requests_answer);
}

int
api_requests_withdraw(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, requests_withdraw);
}
