/* web/pages_staff.c - the staff side of the unblock workflow: sign-in and
 * sign-out, the queue of requests (by state, oldest first, with counts),
 * a request with the account's history, its checklist and audit trail and
 * the decision form, and a block with its customer link and the
 * admin-only changes of state. Every page needs a session; every form a
 * CSRF token. */
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/session.h"
#include "bouncedesk/unblock.h"

#define QUEUE_PAGE	50
#define NSTATES		(UB_REQ_WITHDRAWN + 1)

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL ? json_object_new_string(v) :
	    NULL);
}

static void
add_flag(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* Staff read the states from their side ("waiting for the customer"). */
static struct json_object *
staff_request_json(struct request *req, const struct ub_block *b,
    const struct ub_request *r)
{
	struct json_object	*o;
	char			 key[64];

	if ((o = portal_request_json(req, b, r)) == NULL)
		return NULL;
	snprintf(key, sizeof(key), "staff_req_%s", ub_req_state_name(r->state));
	add_str(o, "state_label", portal_t(req, key));
	return o;
}

/* ---- shared by every staff page (declared in handlers.h) ---- */

int
staff_page_guard(struct request *req, struct response *res,
    struct staff_session *ss)
{
	const char	*next;
	int		 rc;

	rc = session_current(req, ss);
	if (rc != P_EUNAUTH)
		return rc;
	/* Come back here after sign-in, if the path is plainly one of ours. */
	next = req->path;
	if (req->method != HTTP_GET || next[strspn(next,
	    "abcdefghijklmnopqrstuvwxyz0123456789/_-")] != '\0')
		next = "/staff";
	(void)portal_redirect(req, res, arena_printf(req->arena,
	    "/staff/login?next=%s", next));
	return P_EUNAUTH;
}

struct json_object *
staff_page_ctx(struct request *req, const struct staff_session *ss,
    const char *title_key)
{
	struct json_object	*ctx, *st;

	if ((ctx = json_object_new_object()) == NULL)
		return NULL;
	if ((st = json_object_new_object()) != NULL) {
		add_str(st, "email", ss->email);
		add_str(st, "role_label", portal_t(req, ss->admin ?
		    "staff_role_admin" : "staff_role_agent"));
		add_flag(st, "admin", ss->admin);
	}
	json_object_object_add(ctx, "staff", st);
	add_str(ctx, "title", portal_t(req, title_key));
	return ctx;
}


static void
staff_actor(struct request *req, const struct staff_session *ss,
    struct ub_actor *who)
{
	memset(who, 0, sizeof(*who));
	who->kind = UB_ACTOR_STAFF;
	who->id = ss->staff_id;
	who->name = ss->email;
	who->addr = req->remote_addr;
	who->admin = ss->admin;
}

/* Only local staff pages may be the target after sign-in. */
static const char *
safe_next(const char *next)
{
	if (next == NULL || strncmp(next, "/staff", 6) != 0 ||
	    strstr(next, "//") != NULL || strncmp(next, "/staff/login",
	    12) == 0 || next[strspn(next, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-.?=&")] != '\0')
		return "/staff";
	return next;
}

/* ---- sign-in and sign-out ---- */

static int
render_login(struct request *req, struct response *res, int status,
    const char *error, const char *email, const char *next)
{
	struct json_object	*ctx;

	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	add_str(ctx, "title", portal_t(req, "staff_login_title"));
	add_str(ctx, "form_error", error);
	add_str(ctx, "email", email);
	add_str(ctx, "next", safe_next(next));
	if (error == NULL && request_query(req, "out") != NULL)
		add_str(ctx, "notice", portal_t(req, "staff_signed_out"));
	portal_nocache(res);
	return page_render(req, res, status, "staff_login", ctx);
}

int
page_staff_login_form(struct request *req, struct response *res)
{
	struct staff_session	 ss;

	if (session_current(req, &ss) == P_OK)
		return portal_redirect(req, res, "/staff");
	return render_login(req, res, 200, NULL, NULL,
	    request_query(req, "next"));
}

int
page_staff_login(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	const char		*email, *pw, *next, *retry_s;
	long			 retry;
	int			 rc;

	email = request_form(req, "email");
	pw = request_form(req, "password");
	next = request_form(req, "next");
	if (!csrf_check(req))
		return render_login(req, res, 403, portal_t(req, "err_csrf"),
		    email, next);
	if (email == NULL || pw == NULL || email[0] == '\0' || pw[0] == '\0')
		return render_login(req, res, 400,
		    portal_t(req, "staff_login_missing"), email, next);
	rc = session_login_check(req, email, &retry);
	if (rc == P_ERATE) {
		if ((retry_s = arena_printf(req->arena, "%ld", retry)) != NULL)
			response_header(res, "Retry-After", retry_s);
		return render_login(req, res, 429,
		    portal_t(req, "staff_login_throttled"), email, next);
	}
	if (rc != P_OK)
		return rc;
	rc = auth_staff_login(req->db, req->arena, email, pw, &p);
	if (rc == P_EUNAUTH) {
		(void)session_login_failed(req, email);
		return render_login(req, res, 401,
		    portal_t(req, "staff_login_bad"), email, next);
	}
	if (rc != P_OK)
		return rc;
	(void)session_login_succeeded(req, email);
	if ((rc = session_start(req, res, &p, NULL)) != P_OK)
		return rc;
	return portal_redirect(req, res, safe_next(next));
}

int
page_staff_logout(struct request *req, struct response *res)
{
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	(void)session_end(req, res);
	return portal_redirect(req, res, "/staff/login?out=1");
}

/* ---- the queue ---- */

/* One line of the queue: the request with its block and account. */
static struct json_object *
queue_line(struct request *req, const struct ub_request *r, long long now)
{
	struct ub_block		 b;
	struct ub_account	 ac;
	struct json_object	*o;
	long long		 age;

	if (store_block_get(req->db, req->arena, r->block_id, &b) != P_OK)
		return NULL;
	if ((o = staff_request_json(req, &b, r)) == NULL)
		return NULL;
	json_object_object_add(o, "block", portal_block_json(req, &b));
	if (store_account_get(req->db, req->arena, r->account_id, &ac) ==
	    P_OK)
		add_str(o, "account_name", ac.name);
	/* How long it has waited, in the largest whole unit. */
	age = now - r->updated_at;
	if (age < 3600)
		add_str(o, "age", arena_printf(req->arena, "%lld %s",
		    age / 60, portal_t(req, "unit_min")));
	else if (age < 2 * 86400)
		add_str(o, "age", arena_printf(req->arena, "%lld %s",
		    age / 3600, portal_t(req, "unit_hour")));
	else
		add_str(o, "age", arena_printf(req->arena, "%lld %s",
		    age / 86400, portal_t(req, "unit_day")));
	return o;
}

/* The state tabs with their counts; cur is the state shown or -1. */
static struct json_object *
queue_tabs(struct request *req, int cur, long long *total)
{
	static const enum ub_req_state order[] = { UB_REQ_SUBMITTED,
	    UB_REQ_INFO, UB_REQ_APPROVED, UB_REQ_REJECTED, UB_REQ_WITHDRAWN };
	struct json_object	*arr, *o;
	long long		 n[NSTATES];
	size_t			 i;
	char			 key[64];

	*total = 0;
	if (store_request_counts(req->db, n, NSTATES) != P_OK ||
	    (arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if ((o = json_object_new_object()) == NULL)
			break;
		snprintf(key, sizeof(key), "staff_req_%s",
		    ub_req_state_name(order[i]));
		add_str(o, "state", ub_req_state_name(order[i]));
		add_str(o, "label", portal_t(req, key));
		json_object_object_add(o, "count",
		    json_object_new_int64(n[order[i]]));
		add_flag(o, "current", cur == (int)order[i]);
		json_object_array_add(arr, o);
		*total += n[order[i]];
	}
	return arr;
}

/* Blocks still in force (active, then permanent), newest last. */
static struct json_object *
live_blocks(struct request *req)
{
	static const enum ub_block_state states[] = { UB_BLOCK_ACTIVE,
	    UB_BLOCK_PERMANENT };
	struct ub_filter	 f = { 0, -1, 0, QUEUE_PAGE };
	struct ub_block		*v;
	struct json_object	*arr;
	size_t			 n, i, k;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (k = 0; k < 2; k++) {
		f.state = (int)states[k];
		if (store_block_list(req->db, req->arena, &f, &v, &n) != P_OK)
			break;
		for (i = 0; i < n; i++)
			json_object_array_add(arr, portal_block_json(req,
			    &v[i]));
	}
	return arr;
}

int
page_staff_queue(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct ub_filter	 f = { 0, UB_REQ_SUBMITTED, 0, QUEUE_PAGE };
	enum ub_req_state	 st;
	struct ub_request	*v;
	struct json_object	*ctx, *arr, *o;
	const char		*q;
	long long		 now = (long long)time(NULL), total;
	size_t			 n, i;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	q = request_query(req, "state");
	if (q != NULL && strcmp(q, "all") == 0)
		f.state = -1;
	else if (q != NULL && ub_req_state_parse(q, &st) == P_OK)
		f.state = (int)st;
	else if (q != NULL)
		return P_EINVAL;
	f.after = portal_parse_id(request_query(req, "after"));
	if ((rc = store_request_list(req->db, req->arena, &f, &v, &n)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, &ss, "staff_queue_title")) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		json_object_put(ctx);
		return P_ENOMEM;
	}
	for (i = 0; i < n; i++)
		if ((o = queue_line(req, &v[i], now)) != NULL)
			json_object_array_add(arr, o);
	json_object_object_add(ctx, "items", arr);
	json_object_object_add(ctx, "tabs", queue_tabs(req, f.state, &total));
	json_object_object_add(ctx, "total", json_object_new_int64(total));
	add_flag(ctx, "all_current", f.state == -1);
	add_str(ctx, "state", f.state == -1 ? "all" :
	    ub_req_state_name((enum ub_req_state)f.state));
	if (n == QUEUE_PAGE)
		add_str(ctx, "next_url", arena_printf(req->arena,
		    "/staff?state=%s&after=%lld", f.state == -1 ? "all" :
		    ub_req_state_name((enum ub_req_state)f.state),
		    v[n - 1].id));
	json_object_object_add(ctx, "blocks", live_blocks(req));
	portal_nocache(res);
	return page_render(req, res, 200, "staff_queue", ctx);
}

/* ---- a request ---- */

/* The account's blocks, newest first, marking the one of this request. */
static struct json_object *
block_history(struct request *req, long long account_id, long long current)
{
	struct ub_filter	 f = { 0, -1, 0, UB_LIST_MAX };
	struct ub_block		*v;
	struct json_object	*arr, *o;
	size_t			 n, i;

	f.account_id = account_id;
	if (store_block_list(req->db, req->arena, &f, &v, &n) != P_OK ||
	    (arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = n; i > 0; i--) {
		if ((o = portal_block_json(req, &v[i - 1])) == NULL)
			continue;
		add_flag(o, "current", v[i - 1].id == current);
		json_object_array_add(arr, o);
	}
	return arr;
}

static int
render_staff_request(struct request *req, struct response *res, int status,
    const struct staff_session *ss, long long id, const char *error,
    const char *comment)
{
	struct ub_filter	 f = { 0, -1, 0, UB_LIST_MAX };
	struct ub_request	 r;
	struct ub_block		 b;
	struct ub_account	 ac;
	struct ub_audit		*ev;
	struct json_object	*ctx, *arr;
	const char		*done;
	size_t			 n, i;
	int			 rc;

	if ((rc = store_request_get(req->db, req->arena, id, &r)) != P_OK ||
	    (rc = store_block_get(req->db, req->arena, r.block_id, &b)) !=
	    P_OK ||
	    (rc = store_account_get(req->db, req->arena, r.account_id, &ac)) !=
	    P_OK ||
	    (rc = store_audit_list(req->db, req->arena, &f, r.id, &ev, &n)) !=
	    P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, ss, "staff_request_title")) == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "req", staff_request_json(req, &b, &r));
	json_object_object_add(ctx, "block", portal_block_json(req, &b));
	json_object_object_add(ctx, "account", unblock_account_to_json(&ac));
	json_object_object_add(ctx, "history",
	    block_history(req, ac.id, b.id));
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    portal_audit_json(req, &ev[i], true));
	json_object_object_add(ctx, "events", arr);
	add_flag(ctx, "can_decide", r.state == UB_REQ_SUBMITTED);
	/* Approving lifts the block: a permanent one is for admins. */
	add_flag(ctx, "can_approve", r.state == UB_REQ_SUBMITTED &&
	    (b.state != UB_BLOCK_PERMANENT || ss->admin));
	add_str(ctx, "form_error", error);
	add_str(ctx, "comment", comment);
	done = request_query(req, "done");
	if (error == NULL && done != NULL)
		add_str(ctx, "notice", portal_t(req, "staff_done"));
	portal_nocache(res);
	return page_render(req, res, status, "staff_request", ctx);
}

int
page_staff_request(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	return render_staff_request(req, res, 200, &ss, id, NULL, NULL);
}

int
page_staff_decide(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct ub_actor		 who;
	enum ub_req_event	 ev;
	const char		*d, *comment;
	long long		 id;
	char			 why[256];
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	d = request_form(req, "decision");
	comment = request_form(req, "comment");
	if (comment != NULL && comment[strspn(comment, " \t\r\n")] == '\0')
		comment = NULL;
	if (d != NULL && strcmp(d, "approve") == 0)
		ev = UB_EV_APPROVE;
	else if (d != NULL && strcmp(d, "reject") == 0)
		ev = UB_EV_REJECT;
	else if (d != NULL && strcmp(d, "info") == 0)
		ev = UB_EV_ASK_INFO;
	else
		return render_staff_request(req, res, 400, &ss, id,
		    portal_t(req, "staff_decision_missing"), comment);
	staff_actor(req, &ss, &who);
	rc = unblock_request_apply(req->db, req->arena, &who, id, ev, comment,
	    NULL, why, sizeof(why));
	if (rc == P_EINVAL || rc == P_ETOOBIG)
		return render_staff_request(req, res, 422, &ss, id,
		    portal_t(req, "staff_comment_needed"), comment);
	if (rc == P_ECONFLICT)
		return render_staff_request(req, res, 409, &ss, id,
		    portal_t(req, "staff_conflict"), comment);
	if (rc == P_EFORBIDDEN)
		return render_staff_request(req, res, 403, &ss, id,
		    portal_t(req, "staff_admin_only"), comment);
	if (rc != P_OK)
		return rc;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/staff/requests/%lld?done=%s", id, ub_req_event_name(ev)));
}

/* ---- a block ---- */

static int
render_staff_block(struct request *req, struct response *res, int status,
    const struct staff_session *ss, long long id, const char *error)
{
	struct ub_block		 b;
	struct ub_account	 ac;
	struct ub_request	*v;
	struct json_object	*ctx, *arr;
	char			 token[UNBLOCK_LINK_LEN + 1];
	size_t			 n, i;
	int			 rc;

	if ((rc = store_block_get(req->db, req->arena, id, &b)) != P_OK ||
	    (rc = store_account_get(req->db, req->arena, b.account_id, &ac)) !=
	    P_OK || (rc = unblock_link_token(req->db, b.id, token)) != P_OK)
		return rc;
	if ((rc = portal_block_requests(req, b.account_id, b.id, &v, &n)) !=
	    P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, ss, "staff_block_title")) == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "block", portal_block_json(req, &b));
	json_object_object_add(ctx, "account", unblock_account_to_json(&ac));
	json_object_object_add(ctx, "history",
	    block_history(req, ac.id, b.id));
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    staff_request_json(req, &b, &v[i]));
	json_object_object_add(ctx, "requests", arr);
	add_str(ctx, "customer_link", arena_printf(req->arena,
	    "%s/unblock/%lld?t=%s", req->app->cfg.base_url, b.id, token));
	add_str(ctx, "customer_code", token);
	add_flag(ctx, "can_lift", b.state != UB_BLOCK_LIFTED);
	add_flag(ctx, "can_make_permanent", b.state == UB_BLOCK_ACTIVE);
	add_str(ctx, "form_error", error);
	if (error == NULL && request_query(req, "done") != NULL)
		add_str(ctx, "notice", portal_t(req, "staff_done"));
	portal_nocache(res);
	return page_render(req, res, status, "staff_block", ctx);
}

int
page_staff_block(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	return render_staff_block(req, res, 200, &ss, id, NULL);
}

/* Lifting or making permanent outside a request: admins only, as the
 * API's blocks:admin scope. */
int
page_staff_block_state(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct ub_actor		 who;
	enum ub_block_event	 ev;
	const char		*to, *comment;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if (!ss.admin)
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "staff_admin_only"));
	to = request_form(req, "state");
	comment = request_form(req, "comment");
	if (comment != NULL && comment[0] == '\0')
		comment = NULL;
	if (to != NULL && strcmp(to, "lifted") == 0)
		ev = UB_BEV_LIFT;
	else if (to != NULL && strcmp(to, "permanent") == 0)
		ev = UB_BEV_MAKE_PERMANENT;
	else
		return render_staff_block(req, res, 400, &ss, id,
		    portal_t(req, "staff_decision_missing"));
	staff_actor(req, &ss, &who);
	rc = unblock_block_change(req->db, req->arena, &who, id, ev, comment,
	    NULL);
	if (rc == P_ECONFLICT)
		return render_staff_block(req, res, 409, &ss, id,
		    portal_t(req, "staff_conflict"));
	if (rc == P_ETOOBIG)
		return render_staff_block(req, res, 422, &ss, id,
		    portal_t(req, "staff_comment_needed"));
	if (rc != P_OK)
		return rc;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/staff/blocks/%lld?done=1", id));
}
