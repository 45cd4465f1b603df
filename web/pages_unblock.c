/* web/pages_unblock.c - the customer's unblock pages: how it works and
 * finding the block (/unblock), the block with its checklist form
 * (/unblock/{id}), the request's status with the answer form
 * (/unblock/{id}/requests/{rid}); and the views of blocks, requests and
 * audit events that the staff pages share. A block opens with its signed
 * link (?t=, then a cookie scoped to the block's path). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/session.h"
#include "bouncedesk/unblock.h"

#define FORM_ITEMS_MAX	16	/* no checklist is longer */
#define PORTAL_PAGES_MAX	20	/* of UB_LIST_MAX requests per account */

/* ---- shared with web/pages_staff.c ---- */

long long
portal_parse_id(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return 0;
	return v;
}

int
portal_redirect(struct request *req, struct response *res, const char *url)
{
	const char	*lang;

	if (url == NULL)
		return P_ENOMEM;
	/* A language chosen with ?lang= (forms carry it) goes on. */
	lang = request_query(req, "lang");
	if (lang != NULL && (strcmp(lang, "en") == 0 ||
	    strcmp(lang, "fr") == 0) && strstr(url, "lang=") == NULL &&
	    (url = arena_printf(req->arena, "%s%clang=%s", url,
	    strchr(url, '?') != NULL ? '&' : '?', lang)) == NULL)
		return P_ENOMEM;
	response_header(res, "Location", url);
	response_header(res, "Cache-Control", "no-store");
	return response_text(res, 303, "text/plain; charset=utf-8",
	    "See Other\n", 10);
}

void
portal_nocache(struct response *res)
{
	response_header(res, "Cache-Control", "no-store");
	response_header(res, "X-Robots-Tag", "noindex");
}

const char *
portal_t(const struct request *req, const char *key)
{
	return i18n_get(req->app->i18n, req->lang, key);
}

/* The text of prefix + name, with the name itself when the catalogue has
 * no such key (a state or action newer than the catalogue). */
static const char *
label_of(struct request *req, const char *prefix, const char *name)
{
	const char	*key, *v;

	if ((key = arena_printf(req->arena, "%s%s", prefix, name)) == NULL)
		return name;
	v = portal_t(req, key);
	return strcmp(v, key) == 0 ? name : v;
}

const char *
portal_time(struct request *req, long long t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	char		 b[32];

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(b, sizeof(b), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		return "";
	return arena_strdup(req->arena, b);
}

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

/* Adds "<k>" (human) and "<k>_iso" for time t. */
static void
add_time(struct request *req, struct json_object *o, const char *k,
    long long t)
{
	char	 iso[48];

	add_str(o, k, portal_time(req, t));
	snprintf(iso, sizeof(iso), "%s_iso", k);
	add_str(o, iso, unblock_time_iso(req->arena, t));
}

static const char *
block_class(enum ub_block_state s)
{
	return s == UB_BLOCK_PERMANENT ? "permanent" : s == UB_BLOCK_LIFTED ?
	    "ok" : "temporary";
}

/* The figures other than the quota, as a list of {k, label, v} for a
 * <dl>; the platform's own keys show as they are. */
static struct json_object *
figure_list(struct request *req, struct json_object *figures)
{
	struct json_object	*arr, *kv;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	if (!json_object_is_type(figures, json_type_object))
		return arr;
	json_object_object_foreach(figures, key, val) {
		if (strcmp(key, "quota") == 0 || val == NULL ||
		    json_object_is_type(val, json_type_object) ||
		    json_object_is_type(val, json_type_array))
			continue;
		if ((kv = json_object_new_object()) == NULL)
			break;
		add_str(kv, "k", key);
		add_str(kv, "label", label_of(req, "ub_figure_", key));
		add_str(kv, "v", json_object_get_string(val));
		json_object_array_add(arr, kv);
	}
	return arr;
}

struct json_object *
portal_block_json(struct request *req, const struct ub_block *b)
{
	struct json_object	*o, *fig;
	const char		*cause = ub_cause_name(b->cause);
	const char		*state = ub_block_state_name(b->state);
	char			 key[64];

	if ((o = unblock_block_to_json(b)) == NULL)
		return NULL;
	add_str(o, "target_label", label_of(req, "ub_target_",
	    ub_target_name(b->target_kind)));
	add_str(o, "cause_label", label_of(req, "ub_cause_", cause));
	snprintf(key, sizeof(key), "ub_cause_%s_text", cause);
	add_str(o, "cause_text", portal_t(req, key));
	add_str(o, "state_label", label_of(req, "ub_block_", state));
	add_str(o, "state_class", block_class(b->state));
	add_flag(o, "is_active", b->state == UB_BLOCK_ACTIVE);
	add_flag(o, "is_permanent", b->state == UB_BLOCK_PERMANENT);
	add_flag(o, "is_lifted", b->state == UB_BLOCK_LIFTED);
	add_flag(o, "is_website", b->target_kind == UB_WEBSITE);
	add_time(req, o, "started", b->started_at);
	add_time(req, o, "updated", b->updated_at);
	if (json_object_object_get_ex(o, "figures", &fig))
		json_object_object_add(o, "facts", figure_list(req, fig));
	return o;
}

/* The answers of a request in the order of its checklist, with labels. */
static struct json_object *
answer_list(struct request *req, const struct ub_block *b,
    const struct ub_request *r)
{
	const struct ub_check_item	*items;
	struct json_object		*all, *arr, *it, *v, *c, *d;
	bool				 fr;
	size_t				 n, i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	if ((all = json_tokener_parse(r->answers)) == NULL)
		return arr;
	fr = strcmp(req->lang, "fr") == 0;
	items = unblock_checklist(b->target_kind, b->cause, r->self_sent, &n);
	for (i = 0; items != NULL && i < n; i++) {
		if ((it = json_object_new_object()) == NULL)
			break;
		add_str(it, "label", fr ? items[i].label_fr :
		    items[i].label_en);
		if (json_object_object_get_ex(all, items[i].key, &v)) {
			add_flag(it, "confirmed",
			    json_object_object_get_ex(v, "confirmed", &c) &&
			    json_object_get_boolean(c));
			add_str(it, "details",
			    json_object_object_get_ex(v, "details", &d) ?
			    json_object_get_string(d) : NULL);
		} else {
			add_flag(it, "confirmed", false);
			add_str(it, "details", NULL);
		}
		json_object_array_add(arr, it);
	}
	json_object_put(all);
	return arr;
}

struct json_object *
portal_request_json(struct request *req, const struct ub_block *b,
    const struct ub_request *r)
{
	struct json_object	*o;
	const char		*state = ub_req_state_name(r->state);
	char			 key[64];

	if ((o = unblock_request_to_json(r)) == NULL)
		return NULL;
	add_str(o, "state_label", label_of(req, "ub_req_", state));
	snprintf(key, sizeof(key), "ub_req_%s_text", state);
	add_str(o, "state_text", portal_t(req, key));
	add_str(o, "state_class", r->state == UB_REQ_APPROVED ? "ok" :
	    r->state == UB_REQ_REJECTED ? "permanent" :
	    r->state == UB_REQ_INFO ? "temporary" : "ours");
	add_flag(o, "is_open", unblock_request_is_open(r->state));
	add_flag(o, "is_info", r->state == UB_REQ_INFO);
	add_flag(o, "is_submitted", r->state == UB_REQ_SUBMITTED);
	/* The staff comment a customer needs: the question, or the reason
	 * of a refusal; an old question under an approval would mislead. */
	add_flag(o, "shows_comment", r->state == UB_REQ_INFO ||
	    r->state == UB_REQ_REJECTED);
	add_time(req, o, "created", r->created_at);
	add_time(req, o, "updated", r->updated_at);
	json_object_object_add(o, "answer_list", answer_list(req, b, r));
	return o;
}

struct json_object *
portal_audit_json(struct request *req, const struct ub_audit *e,
    bool staff)
{
	struct json_object	*o, *d, *c;
	char			 key[96];
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_time(req, o, "at", e->at);
	/* "request.info_requested" -> ub_act_request_info_requested */
	snprintf(key, sizeof(key), "%s", e->action);
	for (i = 0; key[i] != '\0'; i++)
		if (key[i] == '.')
			key[i] = '_';
	add_str(o, "what", label_of(req, "ub_act_", key));
	add_str(o, "action", e->action);
	if (staff) {
		add_str(o, "actor_kind", e->actor_kind);
		add_str(o, "actor_name", e->actor_name);
		add_str(o, "actor_addr", e->remote_addr);
		add_str(o, "from", e->from_state);
		add_str(o, "to", e->to_state);
	} else
		/* The customer sees "you" or "support", never staff names. */
		add_str(o, "who", portal_t(req,
		    strcmp(e->actor_kind, "customer") == 0 ? "ub_who_you" :
		    strcmp(e->actor_kind, "staff") == 0 ? "ub_who_support" :
		    "ub_who_platform"));
	/* Always set: a missing key would resolve to the page's own. */
	add_str(o, "comment", NULL);
	if ((d = json_tokener_parse(e->detail)) != NULL) {
		if (json_object_object_get_ex(d, "comment", &c) &&
		    json_object_is_type(c, json_type_string))
			add_str(o, "comment", json_object_get_string(c));
		json_object_put(d);
	}
	return o;
}

int
portal_block_requests(struct request *req, long long account_id,
    long long block_id, struct ub_request **out, size_t *nout)
{
	struct ub_filter	 f = { 0, -1, 0, UB_LIST_MAX };
	struct ub_request	*v, *all;
	size_t			 n, i, pages, cap = 0;
	int			 rc;

	*out = NULL;
	*nout = 0;
	f.account_id = account_id;
	/* Pages of the account's requests, oldest first, up to a cap. */
	for (pages = 0; pages < PORTAL_PAGES_MAX; pages++) {
		if ((rc = store_request_list(req->db, req->arena, &f, &v,
		    &n)) != P_OK)
			return rc;
		for (i = 0; i < n; i++) {
			if (v[i].block_id != block_id)
				continue;
			if (*nout == cap) {
				cap = cap == 0 ? 8 : cap * 2;
				if ((all = arena_calloc(req->arena, cap,
				    sizeof(*all))) == NULL)
					return P_ENOMEM;
				if (*nout > 0)
					memcpy(all, *out, *nout * sizeof(*all));
				*out = all;
			}
			(*out)[(*nout)++] = v[i];
		}
		if (n < UB_LIST_MAX)
			break;
		f.after = v[n - 1].id;
	}
	return P_OK;
}

/* ---- customer access ---- */

/* Answers the landing page with an error: a bad link or reference. */
static int
refuse(struct request *req, struct response *res, int status,
    const char *key)
{
	struct json_object	*ctx;

	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	add_str(ctx, "find_error", portal_t(req, key));
	add_str(ctx, "title", portal_t(req, "ub_title"));
	portal_nocache(res);
	return page_render(req, res, status, "unblock", ctx);
}

/* Opens the block's account to the browser (the account cookie, under
 * /unblock) and redirects to the block without the token, so that it
 * leaves the address bar and history. */
static int
open_link(struct request *req, struct response *res, long long id)
{
	struct ub_block	 b;
	char		 tok[UNBLOCK_ACCOUNT_LEN + 1];
	const char	*cookie;
	int		 rc;

	if ((rc = store_block_get(req->db, req->arena, id, &b)) != P_OK)
		return rc;
	if ((rc = unblock_account_token(req->db, b.account_id,
	    (long long)time(NULL) + UNBLOCK_ACCOUNT_TTL, tok)) != P_OK)
		return rc;
	cookie = arena_printf(req->arena, UNBLOCK_ACCOUNT_COOKIE "=%s; "
	    "Path=/unblock; Max-Age=%d; HttpOnly; SameSite=Lax%s", tok,
	    UNBLOCK_ACCOUNT_TTL, session_secure(req) ? "; Secure" : "");
	if (cookie == NULL || session_cookie_add(res, cookie) != P_OK)
		return P_ENOMEM;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/unblock/%lld", id));
}

/* A token of the address: the access code staff read out (reusable, the
 * UNBLOCK_LINK_LEN characters of unblock_link_token) or a notification's
 * one-time link, consumed here. *done is set. */
static int
follow_link(struct request *req, struct response *res, long long id,
    const char *t)
{
	bool	 expired;
	int	 rc;

	if (strlen(t) == UNBLOCK_LINK_LEN) {
		if (!unblock_link_check(req->db, id, t))
			return refuse(req, res, 403, "ub_link_bad");
		return open_link(req, res, id);
	}
	rc = unblock_once_redeem(req->db, id, t, &expired);
	if (rc == P_EFORBIDDEN)
		return refuse(req, res, 403, "ub_link_bad");
	if (rc == P_ECONFLICT)
		return refuse(req, res, 410, expired ? "ub_link_expired" :
		    "ub_link_used");
	if (rc != P_OK)
		return rc;
	return open_link(req, res, id);
}

/* The block of the path for its customer. P_OK with *done false: b is
 * the block. *done true: res holds the answer (redirect or refusal). */
static int
customer_block(struct request *req, struct response *res, struct ub_block *b,
    bool *done)
{
	const char	*t;
	long long	 id, acct;
	int		 rc;

	*done = false;
	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if (req->method != HTTP_POST &&
	    (t = request_query(req, "t")) != NULL) {
		*done = true;
		return follow_link(req, res, id, t);
	}
	t = request_cookie(req, UNBLOCK_ACCOUNT_COOKIE);
	if (!unblock_account_check(req->db, t, &acct)) {
		*done = true;
		return refuse(req, res, 403, "ub_link_needed");
	}
	rc = store_block_get(req->db, req->arena, id, b);
	if (rc == P_OK && b->account_id != acct) {
		/* Another account's block: as if there were no cookie. */
		*done = true;
		return refuse(req, res, 403, "ub_link_needed");
	}
	return rc;
}

/* The actor of what the customer does through the page. */
static void
customer_actor(struct request *req, const struct ub_block *b,
    struct ub_actor *who)
{
	struct ub_account	 ac;

	memset(who, 0, sizeof(*who));
	who->kind = UB_ACTOR_CUSTOMER;
	who->id = b->account_id;
	who->name = "customer";
	if (store_account_get(req->db, req->arena, b->account_id, &ac) ==
	    P_OK && ac.name != NULL)
		who->name = ac.name;
	who->addr = req->remote_addr;
}

/* ---- /unblock ---- */

int
page_unblock(struct request *req, struct response *res)
{
	struct json_object	*ctx;
	const char		*ref, *code;
	long long		 id;

	ref = request_query(req, "block");
	code = request_query(req, "code");
	if (ref != NULL || code != NULL) {
		while (ref != NULL && (*ref == '#' || *ref == ' '))
			ref++;
		while (code != NULL && *code == ' ')
			code++;
		id = portal_parse_id(ref);
		if (id == 0 || code == NULL ||
		    !unblock_link_check(req->db, id, code))
			return refuse(req, res, 404, "ub_find_bad");
		return open_link(req, res, id);
	}
	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	add_str(ctx, "title", portal_t(req, "ub_title"));
	return page_render(req, res, 200, "unblock", ctx);
}

/* ---- /unblock/{id}: the block and the form ---- */

struct form_item {
	const char	*key;
	bool		 checked;
	const char	*details;
	bool		 error;
};

struct filing_form {
	bool			 self_sent;
	struct form_item	 item[FORM_ITEMS_MAX];
	size_t			 n;
	const char		*message;
	const char		*error;		/* a summary for the top */
};

/* The checklist for the template, with what the customer gave. */
static struct json_object *
form_items(struct request *req, const struct ub_block *b,
    const struct filing_form *f)
{
	struct json_object	*arr, *it;
	size_t			 i;

	arr = unblock_checklist_to_json(b->target_kind, b->cause, f->self_sent,
	    req->lang);
	/* Every item gets every key: a missing one would resolve outwards. */
	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		it = json_object_array_get_idx(arr, i);
		add_flag(it, "checked", i < f->n && f->item[i].checked);
		add_str(it, "details", i < f->n ? f->item[i].details : NULL);
		add_flag(it, "error", i < f->n && f->item[i].error);
	}
	return arr;
}

/* Everything the block page shows about a block. */
static int
block_context(struct request *req, const struct ub_block *b,
    struct json_object *ctx, bool *can_file)
{
	struct ub_policy	 pol;
	struct ub_request	*v;
	struct json_object	*arr, *open = NULL;
	long long		 n;
	size_t			 nv, i;
	int			 rc;

	if ((rc = unblock_policy_load(req->db, &pol)) != P_OK ||
	    (rc = store_block_count_since(req->db, b->account_id,
	    (long long)time(NULL) - pol.window_days * 86400LL, &n)) != P_OK)
		return rc;
	json_object_object_add(ctx, "block", portal_block_json(req, b));
	json_object_object_add(ctx, "blocks_in_window",
	    json_object_new_int64(n));
	json_object_object_add(ctx, "window_days",
	    json_object_new_int64(pol.window_days));
	json_object_object_add(ctx, "threshold",
	    json_object_new_int64(pol.threshold));
	add_flag(ctx, "repeat", n > 1);
	add_flag(ctx, "near_threshold", b->state == UB_BLOCK_ACTIVE &&
	    n + 1 >= pol.threshold);
	if ((rc = portal_block_requests(req, b->account_id, b->id, &v,
	    &nv)) != P_OK)
		return rc;
	if ((arr = json_object_new_array()) == NULL)
		return P_ENOMEM;
	for (i = 0; i < nv; i++) {
		json_object_array_add(arr, portal_request_json(req, b, &v[i]));
		if (unblock_request_is_open(v[i].state))
			open = json_object_array_get_idx(arr,
			    json_object_array_length(arr) - 1);
	}
	json_object_object_add(ctx, "requests", arr);
	if (open != NULL)
		json_object_object_add(ctx, "open_request",
		    json_object_get(open));
	*can_file = open == NULL && b->state != UB_BLOCK_LIFTED;
	add_flag(ctx, "can_file", *can_file);
	return P_OK;
}

/* Renders the block page; f is the form to show again, or NULL. */
static int
render_block(struct request *req, struct response *res, int status,
    const struct ub_block *b, const struct filing_form *f,
    const char *notice)
{
	struct json_object	*ctx;
	struct filing_form	 empty;
	const char		*sent;
	bool			 can_file, form;
	int			 rc;

	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	if ((rc = block_context(req, b, ctx, &can_file)) != P_OK) {
		json_object_put(ctx);
		return rc;
	}
	add_str(ctx, "title", portal_t(req, "ub_block_title"));
	add_str(ctx, "notice", notice);
	/* A compromise leaves no choice: the remediation checklist. */
	add_flag(ctx, "can_choose", b->cause != UB_COMPROMISED);
	memset(&empty, 0, sizeof(empty));
	form = f != NULL;
	if (f == NULL) {
		f = &empty;
		sent = request_query(req, "sent");
		if (b->cause == UB_COMPROMISED ||
		    (sent != NULL && strcmp(sent, "no") == 0))
			form = true;
		else if (sent != NULL && strcmp(sent, "yes") == 0) {
			empty.self_sent = true;
			form = true;
		}
	}
	if (can_file && form) {
		add_flag(ctx, "show_form", true);
		add_flag(ctx, "self_sent", f->self_sent);
		add_str(ctx, "sent", f->self_sent ? "yes" : "no");
		json_object_object_add(ctx, "items", form_items(req, b, f));
		add_str(ctx, "message", f->message);
		add_str(ctx, "form_error", f->error);
	} else if (can_file)
		add_flag(ctx, "show_choice", true);
	portal_nocache(res);
	return page_render(req, res, status, "unblock_block", ctx);
}

int
page_unblock_block(struct request *req, struct response *res)
{
	struct ub_block	 b;
	bool		 done;
	int		 rc;

	rc = customer_block(req, res, &b, &done);
	if (done || rc != P_OK)
		return rc;
	return render_block(req, res, 200, &b, NULL, NULL);
}

static bool
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

/* Reads the form into f and checks it the way the domain will, so the
 * customer gets the reasons in their language, item by item. */
static bool
read_form(struct request *req, const struct ub_block *b,
    struct filing_form *f, struct ub_answer *ans, size_t *nans)
{
	const struct ub_check_item	*items;
	const char			*sent;
	char				 name[80];
	size_t				 i;
	bool				 ok = true;

	memset(f, 0, sizeof(*f));
	sent = request_form(req, "sent");
	f->self_sent = b->cause != UB_COMPROMISED && sent != NULL &&
	    strcmp(sent, "yes") == 0;
	f->message = request_form(req, "message");
	items = unblock_checklist(b->target_kind, b->cause, f->self_sent,
	    &f->n);
	if (items == NULL || f->n > FORM_ITEMS_MAX)
		return false;
	*nans = 0;
	for (i = 0; i < f->n; i++) {
		f->item[i].key = items[i].key;
		snprintf(name, sizeof(name), "c_%s", items[i].key);
		f->item[i].checked = request_form(req, name) != NULL;
		snprintf(name, sizeof(name), "d_%s", items[i].key);
		f->item[i].details = request_form(req, name);
		if (blank(f->item[i].details))
			f->item[i].details = NULL;
		if ((items[i].required && !f->item[i].checked) ||
		    (items[i].needs_details && f->item[i].details == NULL) ||
		    (f->item[i].details != NULL &&
		    strlen(f->item[i].details) > UB_DETAILS_MAX)) {
			f->item[i].error = true;
			ok = false;
		}
		if (!f->item[i].checked && f->item[i].details == NULL)
			continue;
		ans[*nans].item = items[i].key;
		ans[*nans].confirmed = f->item[i].checked;
		ans[*nans].details = f->item[i].details;
		(*nans)++;
	}
	if (f->message != NULL && strlen(f->message) > UB_TEXT_MAX)
		ok = false;
	if (!ok)
		f->error = portal_t(req, "ub_form_fix");
	return ok;
}

int
page_unblock_file(struct request *req, struct response *res)
{
	struct ub_block		 b;
	struct ub_actor		 who;
	struct ub_policy	 pol;
	struct ub_request	 r;
	struct ub_answer	 ans[FORM_ITEMS_MAX];
	struct filing_form	 f;
	size_t			 nans = 0;
	char			 why[256];
	bool			 done;
	int			 rc;

	rc = customer_block(req, res, &b, &done);
	if (done || rc != P_OK)
		return rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if (!read_form(req, &b, &f, ans, &nans))
		return render_block(req, res, 422, &b, &f, NULL);
	if ((rc = unblock_policy_load(req->db, &pol)) != P_OK)
		return rc;
	customer_actor(req, &b, &who);
	why[0] = '\0';
	rc = unblock_request_file(req->db, req->arena, &who, &pol, b.id,
	    f.self_sent, ans, nans, blank(f.message) ? NULL : f.message, &r,
	    NULL, why, sizeof(why));
	if (rc == P_EINVAL || rc == P_ETOOBIG) {
		f.error = portal_t(req, "ub_form_fix");
		return render_block(req, res, 422, &b, &f, NULL);
	}
	if (rc == P_ECONFLICT)
		return render_block(req, res, 409, &b, NULL,
		    portal_t(req, "ub_already_open"));
	if (rc != P_OK)
		return rc;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/unblock/%lld/requests/%lld?filed=1", b.id, r.id));
}

/* ---- /unblock/{id}/requests/{rid}: status, answer, withdraw ---- */

static int
customer_request(struct request *req, struct response *res,
    struct ub_block *b, struct ub_request *r, bool *done)
{
	long long	 rid;
	int		 rc;

	rc = customer_block(req, res, b, done);
	if (*done || rc != P_OK)
		return rc;
	if ((rid = portal_parse_id(request_param(req, "rid"))) == 0)
		return P_ENOTFOUND;
	rc = store_request_get(req->db, req->arena, rid, r);
	if (rc == P_OK && r->block_id != b->id)
		rc = P_ENOTFOUND;	/* another block's request */
	return rc;
}

static int
render_request(struct request *req, struct response *res, int status,
    const struct ub_block *b, const struct ub_request *r, const char *error,
    const char *answer)
{
	struct ub_filter	 f = { 0, -1, 0, UB_LIST_MAX };
	struct ub_audit		*ev;
	struct json_object	*ctx, *arr;
	const char		*note;
	size_t			 n, i;
	int			 rc;

	if ((rc = store_audit_list(req->db, req->arena, &f, r->id, &ev, &n)) !=
	    P_OK)
		return rc;
	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "block", portal_block_json(req, b));
	json_object_object_add(ctx, "req", portal_request_json(req, b, r));
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    portal_audit_json(req, &ev[i], false));
	json_object_object_add(ctx, "events", arr);
	note = request_query(req, "filed") != NULL ? "ub_notice_filed" :
	    request_query(req, "answered") != NULL ? "ub_notice_answered" :
	    request_query(req, "withdrawn") != NULL ? "ub_notice_withdrawn" :
	    NULL;
	if (note != NULL && error == NULL)
		add_str(ctx, "notice", portal_t(req, note));
	add_str(ctx, "form_error", error);
	add_str(ctx, "answer", answer);
	add_str(ctx, "title", portal_t(req, "ub_request_title"));
	portal_nocache(res);
	return page_render(req, res, status, "unblock_request", ctx);
}

int
page_unblock_request(struct request *req, struct response *res)
{
	struct ub_block		 b;
	struct ub_request	 r;
	bool			 done;
	int			 rc;

	rc = customer_request(req, res, &b, &r, &done);
	if (done || rc != P_OK)
		return rc;
	return render_request(req, res, 200, &b, &r, NULL, NULL);
}

/* Applies the customer's answer or withdrawal and shows the outcome. */
static int
customer_event(struct request *req, struct response *res,
    enum ub_req_event ev)
{
	struct ub_block		 b;
	struct ub_request	 r;
	struct ub_actor		 who;
	const char		*text = NULL;
	char			 why[256];
	bool			 done;
	int			 rc;

	rc = customer_request(req, res, &b, &r, &done);
	if (done || rc != P_OK)
		return rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if (ev == UB_EV_ANSWER) {
		text = request_form(req, "answer");
		if (blank(text))
			return render_request(req, res, 422, &b, &r,
			    portal_t(req, "ub_answer_empty"), text);
	}
	customer_actor(req, &b, &who);
	rc = unblock_request_apply(req->db, req->arena, &who, r.id, ev, text,
	    &r, why, sizeof(why));
	if (rc == P_ECONFLICT)
		return render_request(req, res, 409, &b, &r,
		    portal_t(req, "ub_not_waiting"), NULL);
	if (rc == P_EINVAL || rc == P_ETOOBIG)
		return render_request(req, res, 422, &b, &r,
		    portal_t(req, "ub_answer_empty"), text);
	if (rc != P_OK)
		return rc;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/unblock/%lld/requests/%lld?%s=1", b.id, r.id,
	    ev == UB_EV_ANSWER ? "answered" : "withdrawn"));
}

int
page_unblock_answer(struct request *req, struct response *res)
{
	return customer_event(req, res, UB_EV_ANSWER);
}

int
page_unblock_withdraw(struct request *req, struct response *res)
{
	return customer_event(req, res, UB_EV_WITHDRAW);
}
