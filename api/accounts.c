/* api/accounts.c - hosting accounts provisioned by the provider's systems:
 * POST /api/v1/accounts, GET /api/v1/accounts, GET /api/v1/accounts/{id}. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/unblock.h"

#define NAMES_MAX	200	/* domains or mailboxes in one call */

/* A JSON array of strings into an arena array; P_EINVAL otherwise. */
static int
names(struct request *req, struct json_object *body, const char *k,
    const char ***out, size_t *n)
{
	struct json_object	*arr, *v;
	const char		**p;
	size_t			 i, len;

	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(body, k, &arr) || arr == NULL)
		return P_OK;
	if (!json_object_is_type(arr, json_type_array))
		return P_EINVAL;
	len = json_object_array_length(arr);
	if (len > NAMES_MAX)
		return P_ETOOBIG;
	if (len == 0)
		return P_OK;
	if ((p = arena_calloc(req->arena, len, sizeof(*p))) == NULL)
		return P_ENOMEM;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string))
			return P_EINVAL;
		p[i] = json_object_get_string(v);
	}
	*out = p;
	*n = len;
	return P_OK;
}

/* The account with its domains and mailboxes. */
static struct json_object *
account_full(struct request *req, const struct ub_account *ac)
{
	struct json_object	*o, *arr;
	const char		**v;
	size_t			 n, i;
	int			 kind;

	if ((o = unblock_account_to_json(ac)) == NULL)
		return NULL;
	for (kind = 0; kind < 2; kind++) {
		if (store_account_names(req->db, req->arena, ac->id, kind == 1,
		    &v, &n) != P_OK || (arr = json_object_new_array()) == NULL) {
			json_object_put(o);
			return NULL;
		}
		for (i = 0; i < n; i++)
			json_object_array_add(arr, json_object_new_string(v[i]));
		json_object_object_add(o, kind == 0 ? "domains" : "mailboxes",
		    arr);
	}
	return o;
}

static int
accounts_create(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_actor		 who;
	struct ub_account	 ac;
	struct json_object	*body;
	const char		**dom, **mbx;
	size_t			 nd, nm;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_ACCOUNTS_WRITE, &p)) != P_OK)
		return rc;
	/* New accounts are the platform's: not for a key bound to one. */
	if (p.account_id > 0)
		return response_problem(res, req, 403, "other-account",
		    "Forbidden", "this key is bound to one account");
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	memset(&ac, 0, sizeof(ac));
	ac.ext_id = json_get_str(body, "ext_id");
	ac.name = json_get_str(body, "name");
	ac.contact_email = json_get_str(body, "contact_email");
	ac.lang = json_get_str(body, "lang");
	if ((rc = names(req, body, "domains", &dom, &nd)) != P_OK ||
	    (rc = names(req, body, "mailboxes", &mbx, &nm)) != P_OK) {
		json_object_put(body);
		return response_problem(res, req, rc == P_ETOOBIG ? 413 : 422,
		    "invalid-account", "Unprocessable Content",
		    "domains and mailboxes are arrays of strings");
	}
	auth_actor(&p, req->remote_addr, &who);
	rc = unblock_account_create(req->db, req->arena, &who, &ac, dom, nd,
	    mbx, nm);
	if (rc == P_OK)
		rc = store_account_get(req->db, req->arena, ac.id, &ac);
	json_object_put(body);
	if (rc == P_EINVAL)
		return response_problem(res, req, 422, "invalid-account",
		    "Unprocessable Content", "ext_id, name and contact_email "
		    "are required; lang is fr or en; mailboxes are addresses");
	if (rc == P_ECONFLICT)
		return response_problem(res, req, 409, "conflict", "Conflict",
		    "the account, one of its domains or mailboxes exists");
	if (rc != P_OK)
		return rc;
	response_header(res, "Location", arena_printf(req->arena,
	    "/api/v1/accounts/%lld", ac.id));
	return response_json(res, 201, account_full(req, &ac));
}

int
api_accounts_list(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_filter	 f = { 0, -1, 0, 0 };
	struct ub_account	*v;
	struct json_object	*o, *arr;
	const char		*q;
	size_t			 n, i;
	long long		 lim;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_ACCOUNTS_READ, &p)) != P_OK)
		return rc;
	if ((q = request_query(req, "after")) != NULL &&
	    http_parse_id(q, &f.after) != P_OK)
		return P_EINVAL;
	if ((q = request_query(req, "limit")) != NULL) {
		if (http_parse_id(q, &lim) != P_OK || lim > UB_LIST_MAX)
			return P_EINVAL;
		f.limit = (int)lim;
	}
	if (p.account_id > 0) {
		/* A bound key lists its own account and nothing else. */
		n = 0;
		if ((v = arena_calloc(req->arena, 1, sizeof(*v))) == NULL)
			return P_ENOMEM;
		if (f.after < p.account_id) {
			if ((rc = store_account_get(req->db, req->arena,
			    p.account_id, v)) != P_OK)
				return rc;
			n = 1;
		}
	} else if ((rc = store_account_list(req->db, req->arena, &f, &v,
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
		json_object_array_add(arr, unblock_account_to_json(&v[i]));
	json_object_object_add(o, "items", arr);
	json_object_object_add(o, "next_cursor", n > 0 && (int)n ==
	    (f.limit > 0 ? f.limit : UB_LIST_MAX) ?
	    json_object_new_int64(v[n - 1].id) : NULL);
	return response_json(res, 200, o);
}

int
api_accounts_get(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct ub_account	 ac;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_ACCOUNTS_READ, &p)) != P_OK)
		return rc;
	if (http_parse_id(request_param(req, "id"), &id) != P_OK)
		return P_ENOTFOUND;
	if (p.account_id > 0 && id != p.account_id)
		return P_ENOTFOUND;
	if ((rc = store_account_get(req->db, req->arena, id, &ac)) != P_OK)
		return rc;
	return response_json(res, 200, account_full(req, &ac));
}

/* POSTs honour Idempotency-Key. */

int
api_accounts_create(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, accounts_create);
}
