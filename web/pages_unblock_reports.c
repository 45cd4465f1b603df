/* web/pages_unblock_reports.c - GET /unblock/reports: the blocked-message
 * reports of the customer's account, for a customer who came through a
 * block link (the account cookie, see session.h). Each entry links to the
 * report page with a fresh signed link. */
#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/reports.h"
#include "bouncedesk/session.h"

#define CUSTOMER_REPORTS_MAX	50

static struct json_object *
report_item(struct request *req, const struct rp_report *r)
{
	struct json_object	*o;
	const char		*link = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "subject", json_object_new_string(
	    r->subject != NULL ? r->subject : ""));
	json_object_object_add(o, "sender", json_object_new_string(
	    r->sender != NULL ? r->sender : ""));
	json_object_object_add(o, "when", json_object_new_string(
	    portal_time(req, r->created_at)));
	json_object_object_add(o, "score", json_object_new_string(
	    arena_printf(req->arena, "%.1f / %.1f", r->score, r->threshold)));
	if (report_link(req->db, req->arena, r->id, 0, &link, NULL) == P_OK)
		json_object_object_add(o, "url",
		    json_object_new_string(link));
	return o;
}

int
page_unblock_reports(struct request *req, struct response *res)
{
	struct json_object	*ctx, *list;
	struct rp_filter	 f = { 0, 0, CUSTOMER_REPORTS_MAX };
	struct rp_report	*v = NULL;
	size_t			 n = 0, i;
	long long		 acct;
	int			 rc;

	ctx = json_object_new_object();
	if (ctx == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "title", json_object_new_string(
	    portal_t(req, "ub_reports_title")));
	portal_nocache(res);
	if (!unblock_account_check(req->db, request_cookie(req,
	    UNBLOCK_ACCOUNT_COOKIE), &acct)) {
		/* Only a customer who followed a link of their account. */
		json_object_object_add(ctx, "find_error", json_object_new_string(
		    portal_t(req, "ub_link_needed")));
		return page_render(req, res, 403, "unblock", ctx);
	}
	f.account_id = acct;
	if ((rc = store_report_list(req->db, req->arena, &f, &v, &n)) != P_OK) {
		json_object_put(ctx);
		return rc;
	}
	list = json_object_new_array();
	for (i = 0; list != NULL && i < n; i++)
		json_object_array_add(list, report_item(req, &v[i]));
	json_object_object_add(ctx, "reports", list);
	json_object_object_add(ctx, "has_reports",
	    json_object_new_boolean(n > 0));
	return page_render(req, res, 200, "unblock_reports", ctx);
}
