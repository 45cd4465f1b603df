/* api/blocks.c - blocks reported by the mail platform (or staff):
 * POST /api/v1/blocks, GET /api/v1/blocks?account=&state=,
 * GET /api/v1/blocks/{id}, POST /api/v1/blocks/{id}/state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/cond.h"
#include "bouncedesk/err.h"
#include "bouncedesk/app.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/session.h"
#include "bouncedesk/unblock.h"

/* The customer's link to the block's unblock page, for the platform's
 * notification mail: /unblock/{id}?t=TOKEN on the public base URL. Each
 * answer carries a fresh one-time link, valid UNBLOCK_ONCE_TTL. */
static void
add_unblock_url(struct request *req, struct json_object *o, long long id)
{
	char	 tok[UNBLOCK_ONCE_LEN + 1];

	if (unblock_once_token(req->db, id, UNBLOCK_ONCE_TTL, tok) != P_OK)
		return;
	json_object_object_add(o, "unblock_url", json_object_new_string(
	    arena_printf(req->arena, "%s/unblock/%lld?t=%s",
	    req->app != NULL ? req->app->cfg.base_url : "", id, tok)));
}

static int
invalid(struct request *req, struct response *res, const char *detail)
{
	return response_problem(res, req, 422, "invalid-block",
	    "Unprocessable Content", detail);
}

/* The account a body names: "account_id" (ours) or "account" (the
 * provider's ext_id). */
static int
body_account(struct request *req, struct json_object *body, long long *id)
{
	struct json_object	*v;
	struct ub_account	 ac;
	const char		*ext;
	int			 rc;

	if (json_object_object_get_ex(body, "account_id", &v) &&
	    json_object_is_type(v, json_type_int)) {
		*id = json_object_get_int64(v);
		return *id > 0 ? P_OK : P_EINVAL;
	}
	if ((ext = json_get_str(body, "account")) == NULL)
		return P_EINVAL;
	rc = store_account_find_ext(req->db, req->arena, ext, &ac);
	if (rc == P_OK)
		*id = ac.id;
	return rc;
}

static int
blocks_create(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_actor		 who;
	struct ub_policy	 pol;
	struct ub_block		 b;
	struct json_object	*body, *v, *out;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_BLOCKS_WRITE, &p)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	memset(&b, 0, sizeof(b));
	rc = body_account(req, body, &b.account_id);
	/* A key bound to one account writes only that account's blocks. */
	if (rc == P_OK && p.account_id > 0 && b.account_id != p.account_id) {
		json_object_put(body);
		return response_problem(res, req, 403, "other-account",
		    "Forbidden", "this key is bound to another account");
	}
	if (rc == P_OK && (ub_target_parse(json_get_str(body, "target_kind"),
	    &b.target_kind) != P_OK ||
	    ub_cause_parse(json_get_str(body, "cause"), &b.cause) != P_OK ||
	    (b.target = json_get_str(body, "target")) == NULL))
		rc = P_EINVAL;
	/* b outlives body: its strings go to the arena. */
	if (rc == P_OK && (b.target = arena_strdup(req->arena, b.target)) ==
	    NULL)
		rc = P_ENOMEM;
	if (rc == P_OK && json_object_object_get_ex(body, "figures", &v) &&
	    v != NULL) {
		if (!json_object_is_type(v, json_type_object))
			rc = P_EINVAL;
		else
			b.figures = arena_strdup(req->arena,
			    json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN));
	}
	if (rc == P_OK && (rc = unblock_policy_load(req->db, &pol)) == P_OK) {
		auth_actor(&p, req->remote_addr, &who);
		rc = unblock_block_create(req->db, req->arena, &who, &pol, &b);
	}
	json_object_put(body);
	if (rc == P_ENOTFOUND)
		return invalid(req, res, "no such account");
	if (rc == P_EINVAL)
		return invalid(req, res, "need account_id (or account, the "
		    "provider's id), target_kind website|mailbox, target, "
		    "cause quota|spam|compromised and optional figures {}");
	if (rc != P_OK)
		return rc;
	if ((out = unblock_block_to_json(&b)) == NULL)
		return P_ENOMEM;
	json_object_object_add(out, "escalated", json_object_new_boolean(
	    b.state == UB_BLOCK_PERMANENT));
	add_unblock_url(req, out, b.id);
	response_header(res, "Location", arena_printf(req->arena,
	    "/api/v1/blocks/%lld", b.id));
	return response_json(res, 201, out);
}


int
api_blocks_list(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_filter	 f = { 0, -1, 0, 0 };
	enum ub_block_state	 st;
	struct ub_block		*v;
	struct json_object	*o, *arr;
	const char		*q;
	long long		 lim, since = 0;
	size_t			 n, i;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_BLOCKS_READ, &p)) != P_OK)
		return rc;
	if (((q = request_query(req, "account")) != NULL &&
	    http_parse_id(q, &f.account_id) != P_OK) ||
	    ((q = request_query(req, "after")) != NULL &&
	    http_parse_id(q, &f.after) != P_OK))
		return P_EINVAL;
	if (p.account_id > 0) {
		if (f.account_id > 0 && f.account_id != p.account_id)
			return P_ENOTFOUND;
		f.account_id = p.account_id;
	}
	if ((q = request_query(req, "state")) != NULL) {
		if (ub_block_state_parse(q, &st) != P_OK)
			return P_EINVAL;
		f.state = (int)st;
	}
	if ((q = request_query(req, "limit")) != NULL) {
		if (http_parse_id(q, &lim) != P_OK || lim > UB_LIST_MAX)
			return P_EINVAL;
		f.limit = (int)lim;
	}
	/* since: blocks changed at or after, ISO 8601 or unix time. */
	if ((q = request_query(req, "since")) != NULL &&
	    cond_since_parse(q, &since) != P_OK)
		return P_EINVAL;
	if ((rc = store_block_list_since(req->db, req->arena, &f, since, &v,
	    &n)) != P_OK)
		return rc;
	o = json_object_new_object();
	arr = json_object_new_array();
	if (o == NULL || arr == NULL) {
		json_object_put(o);
		json_object_put(arr);
		return P_ENOMEM;
	}
	for (i = 0; i < n; i++)
		json_object_array_add(arr, unblock_block_to_json(&v[i]));
	json_object_object_add(o, "items", arr);
	json_object_object_add(o, "next_cursor", n > 0 && (int)n ==
	    (f.limit > 0 ? f.limit : UB_LIST_MAX) ?
	    json_object_new_int64(v[n - 1].id) : NULL);
	return response_json(res, 200, o);
}

int
api_blocks_get(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_block		 b;
	struct json_object	*o, *cl;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_BLOCKS_READ, &p)) != P_OK)
		return rc;
	if (http_parse_id(request_param(req, "id"), &id) != P_OK)
		return P_ENOTFOUND;
	if ((rc = store_block_get(req->db, req->arena, id, &b)) != P_OK)
		return rc;
	if (p.account_id > 0 && b.account_id != p.account_id)
		return P_ENOTFOUND;
	if ((o = unblock_block_to_json(&b)) == NULL)
		return P_ENOMEM;
	response_header(res, "ETag", cond_etag_block(req->arena, &b));
	add_unblock_url(req, o, b.id);
	/* What the customer will be asked, on either path. */
	if ((cl = json_object_new_object()) != NULL) {
		json_object_object_add(cl, "remediation",
		    unblock_checklist_to_json(b.target_kind, b.cause, false,
		    req->lang));
		json_object_object_add(cl, "legitimate", b.cause ==
		    UB_COMPROMISED ? NULL : unblock_checklist_to_json(
		    b.target_kind, b.cause, true, req->lang));
	}
	json_object_object_add(o, "checklist", cl);
	return response_json(res, 200, o);
}

/* {"state": "lifted"|"permanent", "comment": "..."}: staff decisions
 * outside a request. Needs blocks:admin. */
static int
blocks_state(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_actor		 who;
	struct ub_block		 b;
	struct json_object	*body;
	enum ub_block_event	 ev;
	const char		*state;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_BLOCKS_ADMIN, &p)) != P_OK)
		return rc;
	if (http_parse_id(request_param(req, "id"), &id) != P_OK)
		return P_ENOTFOUND;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	state = json_get_str(body, "state");
	if (state != NULL && strcmp(state, "lifted") == 0)
		ev = UB_BEV_LIFT;
	else if (state != NULL && strcmp(state, "permanent") == 0)
		ev = UB_BEV_MAKE_PERMANENT;
	else {
		json_object_put(body);
		return invalid(req, res, "state is lifted or permanent");
	}
	/* If-Match: the client must have seen the block as it is now. */
	if ((rc = store_block_get(req->db, req->arena, id, &b)) != P_OK ||
	    (p.account_id > 0 && b.account_id != p.account_id)) {
		json_object_put(body);
		return rc != P_OK ? rc : P_ENOTFOUND;
	}
	if (!cond_if_match(req, cond_etag_block(req->arena, &b))) {
		json_object_put(body);
		return response_problem(res, req, 412, "precondition-failed",
		    "Precondition Failed", "the block changed since you read "
		    "it: If-Match does not match its ETag");
	}
	auth_actor(&p, req->remote_addr, &who);
	rc = unblock_block_change(req->db, req->arena, &who, id, ev,
	    json_get_str(body, "comment"), &b);
	json_object_put(body);
	if (rc == P_ECONFLICT)
		return response_problem(res, req, 409, "illegal-transition",
		    "Conflict", "the block cannot go to that state from "
		    "where it is");
	if (rc != P_OK)
		return rc;
	response_header(res, "ETag", cond_etag_block(req->arena, &b));
	return response_json(res, 200, unblock_block_to_json(&b));
}

/* POSTs honour Idempotency-Key. */

int
api_blocks_create(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, blocks_create);
}

int
api_blocks_state(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, blocks_state);
}
