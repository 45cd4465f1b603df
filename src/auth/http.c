/* src/auth/http.c - the bearer check every API handler starts with, and
 * the mapping from a principal to the actor of the audit trail. */
#include <string.h>
#include <time.h>

#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/unblock.h"

int
auth_request(struct request *req, struct response *res, unsigned scope,
    struct auth_principal *p)
{
	int	 rc;

	rc = auth_bearer(req->db, req->arena,
	    req->header(req, "Authorization"), p);
	if (rc == P_EUNAUTH) {
		(void)response_header(res, "WWW-Authenticate",
		    "Bearer realm=\"bouncedesk\"");
		return rc;
	}
	if (rc != P_OK)
		return rc;
	if ((p->scopes & scope) != scope)
		return P_EFORBIDDEN;
	return P_OK;
}

void
auth_actor(const struct auth_principal *p, const char *addr,
    struct ub_actor *who)
{
	memset(who, 0, sizeof(*who));
	who->kind = p->kind == AUTH_STAFF ? UB_ACTOR_STAFF : UB_ACTOR_API;
	who->id = p->id;
	who->name = p->name;
	who->addr = addr;
	who->admin = p->admin;
}

int
auth_idempotent(struct request *req, struct response *res,
    int (*inner)(struct request *, struct response *))
{
	struct auth_principal	 p;
	const char		*key, *method, *path, *body;
	long long		 now = (long long)time(NULL);
	int			 rc, status;

	key = req->header(req, "Idempotency-Key");
	/* Without a key, or a valid client, inner answers as usual. */
	if (key == NULL || auth_bearer(req->db, req->arena,
	    req->header(req, "Authorization"), &p) != P_OK)
		return inner(req, res);
	if (key[0] == '\0' || strlen(key) > AUTH_IDEM_KEY_MAX)
		return response_problem(res, req, 400, "bad-idempotency-key",
		    "Bad Request", "Idempotency-Key is 1 to 255 characters");
	rc = store_idem_get(req->db, req->arena, p.id, key,
	    now - AUTH_IDEM_TTL, &method, &path, &status, &body);
	if (rc == P_OK) {
		if (strcmp(method, req->method_str) != 0 ||
		    strcmp(path, req->path) != 0)
			return response_problem(res, req, 422,
			    "idempotency-key-reused", "Unprocessable Content",
			    "this Idempotency-Key was used for another request");
		(void)response_header(res, "Idempotent-Replayed", "true");
		return response_text(res, status, status >= 400 ?
		    "application/problem+json" : "application/json", body,
		    strlen(body));
	}
	if (rc != P_ENOTFOUND)
		return rc;
	rc = inner(req, res);
	/* Keep answers the client may rely on; server errors may be
	 * retried. */
	if (rc == P_OK && res->status > 0 && res->status < 500)
		(void)store_idem_put(req->db, p.id, key, req->method_str,
		    req->path, res->status, buf_str(&res->body), now,
		    now - AUTH_IDEM_TTL);
	return rc;
}
