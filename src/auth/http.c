/* src/auth/http.c - the bearer check every API handler starts with, and
 * the mapping from a principal to the actor of the audit trail. */
#include <string.h>

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
