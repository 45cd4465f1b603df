/* api/keys.c - administration over the API: keys (POST/GET /api/v1/keys,
 * keys:admin) and webhook endpoints (POST/GET /api/v1/webhooks,
 * webhooks:admin). Keys and secrets are shown once, at creation. */
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/webhook.h"

/* "scopes": ["a", "b"] or "a,b" as a comma list in the arena. */
static const char *
body_list(struct request *req, struct json_object *body, const char *k)
{
	struct json_object	*v, *it;
	const char		*out = "";
	size_t			 i;

	if (!json_object_object_get_ex(body, k, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return arena_strdup(req->arena, json_object_get_string(v));
	if (!json_object_is_type(v, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(v) && out != NULL; i++) {
		it = json_object_array_get_idx(v, i);
		if (!json_object_is_type(it, json_type_string))
			return NULL;
		out = arena_printf(req->arena, "%s%s%s", out,
		    out[0] != '\0' ? "," : "", json_object_get_string(it));
	}
	return out;
}

int
api_keys_create(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct json_object	*body, *o;
	const char		*name, *list;
	char			 key[AUTH_KEY_LEN + 1];
	unsigned		 mask;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_KEYS_ADMIN, &p)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	name = arena_strdup(req->arena, json_get_str(body, "name") != NULL ?
	    json_get_str(body, "name") : "");
	list = body_list(req, body, "scopes");
	json_object_put(body);
	if (name == NULL || list == NULL ||
	    auth_scopes_parse(list, &mask) != P_OK)
		return response_problem(res, req, 422, "invalid-key",
		    "Unprocessable Content", "need a name and known scopes");
	rc = auth_key_create(req->db, name, mask, key, &id);
	if (rc == P_ECONFLICT)
		return response_problem(res, req, 409, "conflict", "Conflict",
		    "a key with that name exists");
	if (rc == P_EINVAL)
		return response_problem(res, req, 422, "invalid-key",
		    "Unprocessable Content", "the name is empty or too long");
	if (rc != P_OK)
		return rc;
	if ((o = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "scopes", json_object_new_string(
	    auth_scopes_format(req->arena, mask)));
	json_object_object_add(o, "key", json_object_new_string(key));
	sodium_memzero(key, sizeof(key));
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, 201, o);
}

int
api_keys_list(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct store_apikey	*k;
	struct json_object	*arr, *o;
	size_t			 n, i;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_KEYS_ADMIN, &p)) != P_OK)
		return rc;
	if ((rc = store_apikey_list(req->db, req->arena, &k, &n)) != P_OK)
		return rc;
	if ((arr = json_object_new_array()) == NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL)
			break;
		json_object_object_add(o, "id", json_object_new_int64(k[i].id));
		json_object_object_add(o, "name",
		    json_object_new_string(k[i].name));
		json_object_object_add(o, "prefix", json_object_new_string(
		    arena_printf(req->arena, AUTH_KEY_TAG "%s", k[i].prefix)));
		json_object_object_add(o, "scopes",
		    json_object_new_string(k[i].scopes));
		json_object_object_add(o, "revoked",
		    json_object_new_boolean(k[i].revoked_at != 0));
		json_object_array_add(arr, o);
	}
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(arr);
		return P_ENOMEM;
	}
	json_object_object_add(o, "items", arr);
	return response_json(res, 200, o);
}

int
api_webhooks_create(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct webhook_opts	 wo;
	struct json_object	*body, *o;
	const char		*url, *events;
	char			 secret[WEBHOOK_SECRET_MAX];
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_WEBHOOKS_ADMIN, &p)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	url = arena_strdup(req->arena, json_get_str(body, "url") != NULL ?
	    json_get_str(body, "url") : "");
	events = body_list(req, body, "events");
	json_object_put(body);
	webhook_opts_defaults(&wo);
	/* Loopback receivers are for tests and local relays. */
	wo.allow_http_loopback = true;
	if (url == NULL || webhook_url_check(url, &wo) != P_OK)
		return response_problem(res, req, 422, "invalid-webhook",
		    "Unprocessable Content", "url must be https:// (or "
		    "http:// to a loopback address)");
	if (events == NULL || events[0] == '\0')
		events = "*";
	if (webhook_secret_new(secret) != P_OK)
		return P_ENOMEM;
	rc = store_webhook_endpoint_insert(req->db, url, secret, events,
	    (long long)time(NULL), &id);
	if (rc != P_OK)
		return rc;
	if ((o = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "events", json_object_new_string(events));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	sodium_memzero(secret, sizeof(secret));
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, 201, o);
}

int
api_webhooks_list(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct webhook_endpoint	*e;
	struct json_object	*arr, *o;
	size_t			 n, i;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_WEBHOOKS_ADMIN, &p)) != P_OK)
		return rc;
	rc = store_webhook_endpoint_list(req->db, req->arena, &e, &n);
	if (rc != P_OK)
		return rc;
	if ((arr = json_object_new_array()) == NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL)
			break;
		json_object_object_add(o, "id", json_object_new_int64(e[i].id));
		json_object_object_add(o, "url",
		    json_object_new_string(e[i].url));
		json_object_object_add(o, "events",
		    json_object_new_string(e[i].events));
		json_object_object_add(o, "active",
		    json_object_new_boolean(e[i].active));
		json_object_array_add(arr, o);
	}
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(arr);
		return P_ENOMEM;
	}
	json_object_object_add(o, "items", arr);
	return response_json(res, 200, o);
}
