/* web/pages_reports.c - the customer's page of a blocked message
 * (/r/{id}): opened by its signed link (?t=, then a cookie scoped to the
 * report's path, so the token leaves the address bar and the language
 * switch keeps working), it shows the verdict, the score against the
 * threshold, each test and failed check explained, the FAQ articles, the
 * account's block, and the review form (POST /r/{id}/review). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <sodium.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/reports.h"
#include "bouncedesk/session.h"
#include "bouncedesk/unblock.h"

#define RP_COOKIE	"rpt"
#define SCALE_MIN	15.0	/* the filter's scale: 0 to 15 */
#define FAQ_PER_TAG	3
#define FAQ_MAX		6
#define TAGS_MAX	(RP_CHECKS_MAX + 2)
#define REPEAT_DAYS	30

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

static long long
now_s(void)
{
	return (long long)time(NULL);
}

/* "w-0".."w-100" (steps of 5) for part of whole: the CSP forbids inline
 * styles, so bars are drawn with classes. */
static const char *
width_class(double part, double whole)
{
	static const char *const w[] = { "w-0", "w-5", "w-10", "w-15",
	    "w-20", "w-25", "w-30", "w-35", "w-40", "w-45", "w-50", "w-55",
	    "w-60", "w-65", "w-70", "w-75", "w-80", "w-85", "w-90", "w-95",
	    "w-100" };
	int	 i;

	if (whole <= 0 || part <= 0)
		return w[0];
	i = (int)(part / whole * 20.0 + 0.5);
	if (i < 1)
		i = 1;		/* a non-zero value stays visible */
	return w[i > 20 ? 20 : i];
}

/* A score for people: at most three decimals, a decimal comma in French,
 * a sign when asked. */
static const char *
score_text(struct request *req, double d, bool sign)
{
	char	 b[32], *p;
	size_t	 n;

	snprintf(b, sizeof(b), sign && d > 0 ? "+%.3f" : "%.3f", d);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '0')
		b[--n] = '\0';
	if (n > 0 && b[n - 1] == '.')
		b[--n] = '\0';
	if (strcmp(b, "-0") == 0 || strcmp(b, "+0") == 0)
		snprintf(b, sizeof(b), "0");	/* rounded away */
	if (strcmp(req->lang, "fr") == 0 && (p = strchr(b, '.')) != NULL)
		*p = ',';
	return arena_strdup(req->arena, b);
}

/* The catalogue text of key with {name} placeholders replaced by values
 * (names[i] -> vals[i]); unknown placeholders stay as written. */
static const char *
fill(struct request *req, const char *key, const char *const *names,
    const char *const *vals, size_t n)
{
	const char	*s = portal_t(req, key), *p, *e;
	struct buf	 b;
	size_t		 i, len;
	char		*out;
	int		 rc = P_OK;

	buf_init(&b, 4096);
	for (p = s; rc == P_OK && *p != '\0'; p++) {
		if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			len = (size_t)(e - p - 1);
			for (i = 0; i < n; i++)
				if (strlen(names[i]) == len &&
				    memcmp(names[i], p + 1, len) == 0)
					break;
			if (i < n) {
				rc = buf_puts(&b, vals[i]);
				p = e;
				continue;
			}
		}
		rc = buf_putc(&b, *p);
	}
	out = rc == P_OK ? arena_strdup(req->arena, buf_str(&b)) : NULL;
	buf_cleanup(&b);
	return out != NULL ? out : s;
}

/* The HTML error page with a status the router map lacks (410). */
static int
refuse(struct request *req, struct response *res, int status,
    const char *key)
{
	struct json_object	*ctx;

	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "status", json_object_new_int(status));
	add_str(ctx, "error_title", portal_t(req, status == 410 ?
	    "rp_link_expired_title" : status == 404 ? "rp_gone_title" :
	    "rp_link_bad_title"));
	add_str(ctx, "detail", portal_t(req, key));
	add_str(ctx, "title", portal_t(req, "rp_title"));
	portal_nocache(res);
	return page_render(req, res, status, "error", ctx);
}

/* The token of the request (?t= first, else the cookie) checked against
 * the report of the path. P_OK; else res holds the refusal. */
static int
report_access(struct request *req, struct response *res, long long id,
    const char *token, bool *answered)
{
	unsigned char		 key[RP_KEY_LEN];
	enum rp_token_verdict	 v;
	int			 rc;

	*answered = true;
	if (token == NULL)
		return refuse(req, res, 403, "rp_link_needed");
	if ((rc = report_link_key(req->db, key)) != P_OK)
		return rc;
	v = report_token_check(key, id, token, now_s());
	sodium_memzero(key, sizeof(key));
	if (v == RP_TOKEN_BAD)
		return refuse(req, res, 403, "rp_link_bad");
	if (v == RP_TOKEN_EXPIRED)
		return refuse(req, res, 410, "rp_link_expired");
	*answered = false;
	return P_OK;
}

/* Moves a good token into a cookie for this report's path and redirects
 * to the page without it. The language: the one asked, else the
 * account's. */
static int
open_link(struct request *req, struct response *res, long long id,
    const char *token)
{
	struct rp_report	 r;
	struct ub_account	 ac;
	const char		*cookie, *lang, *exp;
	long long		 left;

	exp = strchr(token, '.');
	left = exp != NULL ? strtoll(exp + 1, NULL, 10) - now_s() : 0;
	cookie = arena_printf(req->arena, RP_COOKIE "=%s; Path=/r/%lld; "
	    "Max-Age=%lld; HttpOnly; SameSite=Lax%s", token, id,
	    left > 0 ? left : 0, session_secure(req) ? "; Secure" : "");
	if (cookie == NULL || session_cookie_add(res, cookie) != P_OK)
		return P_ENOMEM;
	lang = request_query(req, "lang");
	if (lang != NULL && strcmp(lang, "en") != 0 && strcmp(lang, "fr") != 0)
		lang = NULL;
	if (lang == NULL && store_report_get(req->db, req->arena, id, &r) ==
	    P_OK && store_account_get(req->db, req->arena, r.account_id,
	    &ac) == P_OK)
		lang = ac.lang;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/r/%lld%s%s", id, lang != NULL ? "?lang=" : "",
	    lang != NULL ? lang : ""));
}

/* ---- the page's context ---- */

static struct json_object *
tests_ctx(struct request *req, const struct rp_report *r)
{
	struct json_object	*arr, *t;
	const char		*ex;
	double			 max = 0, d;
	bool			 ours;
	size_t			 i;

	for (i = 0; i < r->ntests; i++) {
		d = r->tests[i].score < 0 ? -r->tests[i].score :
		    r->tests[i].score;
		if (d > max)
			max = d;
	}
	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	/* The store hands them highest score first. */
	for (i = 0; i < r->ntests; i++) {
		d = r->tests[i].score;
		if ((t = json_object_new_object()) == NULL)
			break;
		add_str(t, "name", r->tests[i].name);
		add_str(t, "score", score_text(req, d, true));
		add_str(t, "bar", width_class(d < 0 ? -d : d, max));
		add_str(t, "kind", d > 0 ? "bad" : d < 0 ? "good" : "warn");
		ex = report_test_explain(r->tests[i].name, req->lang, &ours);
		add_str(t, "explain", ex);
		add_flag(t, "described", ex != NULL && !ours);
		json_object_array_add(arr, t);
	}
	return arr;
}

static struct json_object *
checks_ctx(struct request *req, const struct rp_report *r,
    const char *check_url)
{
	const struct rp_check_def	*d;
	struct json_object		*arr, *c;
	bool				 en = strcmp(req->lang, "en") == 0;
	size_t				 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < r->nchecks; i++) {
		if ((c = json_object_new_object()) == NULL)
			break;
		d = report_check_find(r->checks[i].id);
		add_str(c, "id", r->checks[i].id);
		add_str(c, "detail", r->checks[i].detail);
		/* Every key, null when unknown: a missing one would resolve
		 * in the outer context (the report's check_url...). */
		add_str(c, "title", d == NULL ? NULL : en ? d->title_en :
		    d->title_fr);
		add_str(c, "explain", d == NULL ? NULL : en ? d->explain_en :
		    d->explain_fr);
		add_str(c, "fix", d == NULL ? NULL : en ? d->fix_en : d->fix_fr);
		add_str(c, "check_url", d != NULL && d->domain ? check_url :
		    NULL);
		json_object_array_add(arr, c);
	}
	return arr;
}

/* The FAQ articles of the report's tags, without repeats. */
static struct json_object *
faq_ctx(struct request *req, const struct rp_report *r, bool blocked)
{
	const struct rp_check_def	*d;
	struct json_object		*arr, *a;
	struct kb_list			 l;
	const char			*tags[TAGS_MAX];
	long long			 seen[FAQ_MAX];
	size_t				 nt = 0, ns = 0, i, j, k;

	if (r->score >= r->threshold)
		tags[nt++] = "spamdetected";
	for (i = 0; i < r->nchecks && nt < TAGS_MAX - 1; i++) {
		if ((d = report_check_find(r->checks[i].id)) == NULL)
			continue;
		for (j = 0; j < nt; j++)
			if (strcmp(tags[j], d->faq_tag) == 0)
				break;
		if (j == nt)
			tags[nt++] = d->faq_tag;
	}
	if (blocked)
		tags[nt++] = "blocked";
	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < nt && ns < FAQ_MAX; i++) {
		if (kb_articles_by_tag(req->db, req->arena, tags[i], req->lang,
		    FAQ_PER_TAG, &l) != P_OK)
			continue;
		for (k = 0; k < l.n && ns < FAQ_MAX; k++) {
			for (j = 0; j < ns; j++)
				if (seen[j] == l.items[k].id)
					break;
			if (j < ns || (a = json_object_new_object()) == NULL)
				continue;
			seen[ns++] = l.items[k].id;
			add_str(a, "title", l.items[k].title);
			add_str(a, "url", arena_printf(req->arena, "/faq/%lld",
			    l.items[k].id));
			json_object_array_add(arr, a);
		}
	}
	return arr;
}

/* The account's block still in force (active first, else permanent),
 * with the link that opens it; NULL when there is none. */
static struct json_object *
block_ctx(struct request *req, long long account_id)
{
	struct ub_filter	 f;
	struct ub_block		*v, *act = NULL, *perm = NULL, *pick;
	struct json_object	*o;
	char			 tok[UNBLOCK_LINK_LEN + 1];
	size_t			 n, i;

	memset(&f, 0, sizeof(f));
	f.account_id = account_id;
	f.state = -1;
	do {
		if (store_block_list(req->db, req->arena, &f, &v, &n) != P_OK)
			return NULL;
		for (i = 0; i < n; i++) {
			if (v[i].state == UB_BLOCK_ACTIVE)
				act = &v[i];
			else if (v[i].state == UB_BLOCK_PERMANENT)
				perm = &v[i];
		}
		if (n > 0)
			f.after = v[n - 1].id;
	} while (n == UB_LIST_MAX);
	pick = act != NULL ? act : perm;
	if (pick == NULL || unblock_link_token(req->db, pick->id, tok) != P_OK ||
	    (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_int64(pick->id));
	add_str(o, "url", arena_printf(req->arena, "/unblock/%lld?t=%s",
	    pick->id, tok));
	add_flag(o, "permanent", pick->state == UB_BLOCK_PERMANENT);
	add_str(o, "target", pick->target);
	return o;
}

static const char *
verdict(struct request *req, const struct rp_report *r)
{
	static const char *const names[] = { "score", "threshold", "checks" };
	const char	*vals[3];

	vals[0] = score_text(req, r->score, false);
	vals[1] = score_text(req, r->threshold, false);
	vals[2] = arena_printf(req->arena, "%zu", r->nchecks);
	if (vals[0] == NULL || vals[1] == NULL || vals[2] == NULL)
		return portal_t(req, "rp_title");
	if (r->score >= r->threshold)
		return fill(req, r->nchecks > 0 ? "rp_verdict_both" :
		    "rp_verdict_score", names, vals, 3);
	return fill(req, "rp_verdict_checks", names, vals, 3);
}

static struct json_object *
report_ctx(struct request *req, const struct rp_report *r)
{
	struct json_object	*o, *arr;
	const char		*dom, *check_url;
	double			 scale;
	long long		 n;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	dom = report_addr_domain(r->sender);
	check_url = dom != NULL ? arena_printf(req->arena, "/check?domain=%s",
	    dom) : NULL;
	json_object_object_add(o, "id", json_object_new_int64(r->id));
	add_str(o, "sender", r->sender);
	add_str(o, "sender_domain", dom);
	add_str(o, "check_url", check_url);
	add_str(o, "subject", r->subject);
	add_str(o, "message_id", r->message_id);
	add_str(o, "time", portal_time(req, r->sent_at));
	add_str(o, "time_iso", unblock_time_iso(req->arena, r->sent_at));
	add_str(o, "ip", r->ip);
	add_str(o, "relay", r->relay);
	add_str(o, "headers", r->headers);
	add_str(o, "verdict", verdict(req, r));
	add_flag(o, "over", r->score >= r->threshold);
	scale = SCALE_MIN;
	if (r->score > scale)
		scale = r->score;
	if (r->threshold > scale)
		scale = r->threshold;
	add_str(o, "score", score_text(req, r->score, false));
	add_str(o, "threshold", score_text(req, r->threshold, false));
	add_str(o, "scale", score_text(req, scale, false));
	add_str(o, "gauge", width_class(r->score, scale));
	add_str(o, "gauge_kind", r->score >= r->threshold ? "bad" : "good");
	add_str(o, "threshold_bar", width_class(r->threshold, scale));
	json_object_object_add(o, "tests", tests_ctx(req, r));
	add_flag(o, "has_tests", r->ntests > 0);
	json_object_object_add(o, "checks", checks_ctx(req, r, check_url));
	add_flag(o, "has_checks", r->nchecks > 0);
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < r->nrcpts; i++)
			json_object_array_add(arr,
			    json_object_new_string(r->rcpts[i]));
	json_object_object_add(o, "recipients", arr);
	json_object_object_add(o, "nrecipients",
	    json_object_new_int64((long long)r->nrcpts));
	if (store_report_count_since(req->db, r->account_id, now_s() -
	    REPEAT_DAYS * 86400LL, &n) != P_OK)
		n = 0;
	json_object_object_add(o, "repeat", n > 1 ?
	    json_object_new_int64(n) : NULL);
	json_object_object_add(o, "repeat_days",
	    json_object_new_int(REPEAT_DAYS));
	return o;
}

static int
render(struct request *req, struct response *res, int status,
    const struct rp_report *r, const char *form_error, const char *note,
    const char *notice)
{
	struct json_object	*ctx, *rep, *faq, *block, *rv;

	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	if ((rep = report_ctx(req, r)) == NULL) {
		json_object_put(ctx);
		return P_ENOMEM;
	}
	json_object_object_add(ctx, "report", rep);
	block = block_ctx(req, r->account_id);
	faq = faq_ctx(req, r, block != NULL);
	add_flag(ctx, "has_faq", faq != NULL &&
	    json_object_array_length(faq) > 0);
	json_object_object_add(ctx, "faq", faq);
	json_object_object_add(ctx, "block", block);
	rv = NULL;
	if (r->review_at != 0 && (rv = json_object_new_object()) != NULL) {
		add_str(rv, "at", portal_time(req, r->review_at));
		add_str(rv, "reason", portal_t(req, r->review_reason != NULL &&
		    strcmp(r->review_reason, "fixed") == 0 ?
		    "rp_reason_fixed" : "rp_reason_fp"));
		add_str(rv, "note", r->review_note);
	}
	json_object_object_add(ctx, "review", rv);
	if (r->fp_at != 0)
		add_str(ctx, "fp_at", portal_time(req, r->fp_at));
	add_str(ctx, "form_error", form_error);
	add_str(ctx, "note", note);
	add_str(ctx, "notice", notice);
	add_str(ctx, "title", portal_t(req, "rp_title"));
	portal_nocache(res);
	return page_render(req, res, status, "report", ctx);
}

/* ---- handlers ---- */

int
page_report(struct request *req, struct response *res)
{
	struct rp_report	 r;
	const char		*t;
	long long		 id;
	bool			 done;
	int			 rc;

	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((t = request_query(req, "t")) != NULL) {
		rc = report_access(req, res, id, t, &done);
		if (done || rc != P_OK)
			return rc;
		return open_link(req, res, id, t);
	}
	rc = report_access(req, res, id, request_cookie(req, RP_COOKIE),
	    &done);
	if (done || rc != P_OK)
		return rc;
	rc = store_report_get(req->db, req->arena, id, &r);
	if (rc == P_ENOTFOUND)
		return refuse(req, res, 404, "rp_gone");
	if (rc != P_OK)
		return rc;
	t = request_query(req, "review");
	return render(req, res, 200, &r, NULL, NULL, t != NULL &&
	    strcmp(t, "sent") == 0 && r.review_at != 0 ?
	    portal_t(req, "rp_review_sent") : NULL);
}

int
page_report_review(struct request *req, struct response *res)
{
	struct rp_report	 r;
	struct ub_account	 ac;
	struct ub_actor		 who;
	const char		*reason, *note, *lang;
	long long		 id;
	bool			 done;
	int			 rc;

	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	rc = report_access(req, res, id, request_cookie(req, RP_COOKIE),
	    &done);
	if (done || rc != P_OK)
		return rc;
	rc = store_report_get(req->db, req->arena, id, &r);
	if (rc == P_ENOTFOUND)
		return refuse(req, res, 404, "rp_gone");
	if (rc != P_OK)
		return rc;
	reason = request_form(req, "reason");
	note = request_form(req, "note");
	if (!csrf_check(req))
		return render(req, res, 403, &r, portal_t(req, "err_csrf"),
		    note, NULL);
	if (reason == NULL || (strcmp(reason, "fixed") != 0 &&
	    strcmp(reason, "false_positive") != 0))
		return render(req, res, 422, &r,
		    portal_t(req, "rp_review_reason_needed"), note, NULL);
	if (note != NULL && strlen(note) > RP_NOTE_MAX)
		return render(req, res, 422, &r,
		    portal_t(req, "rp_review_note_long"), note, NULL);
	memset(&who, 0, sizeof(who));
	who.kind = UB_ACTOR_CUSTOMER;
	who.id = r.account_id;
	who.name = "customer";
	if (store_account_get(req->db, req->arena, r.account_id, &ac) ==
	    P_OK && ac.name != NULL)
		who.name = ac.name;
	who.addr = req->remote_addr;
	rc = report_request_review(req->db, req->arena, &who, id, reason, note);
	if (rc == P_ECONFLICT) {
		(void)store_report_get(req->db, req->arena, id, &r);
		return render(req, res, 409, &r,
		    portal_t(req, "rp_review_already"), NULL, NULL);
	}
	if (rc != P_OK)
		return rc;
	lang = request_query(req, "lang");
	if (lang != NULL && strcmp(lang, "en") != 0 && strcmp(lang, "fr") != 0)
		lang = NULL;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/r/%lld?review=sent%s%s", id, lang != NULL ? "&lang=" : "",
	    lang != NULL ? lang : ""));
}

/* ---- staff: the reports with their trends, one report, the mark ---- */

#define STAFF_DAYS	30
#define STAFF_TOP	10
#define STAFF_PAGE	50

/* A trend list: key, label, reports and a bar against the first. */
static struct json_object *
counts_ctx(struct request *req, const struct rp_count *c, size_t n,
    bool tests, bool checks)
{
	const struct rp_check_def	*d;
	struct json_object		*arr, *o;
	size_t				 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL)
			break;
		add_str(o, "key", c[i].key);
		d = checks ? report_check_find(c[i].key) : NULL;
		add_str(o, "label", d != NULL ? (strcmp(req->lang, "en") == 0 ?
		    d->title_en : d->title_fr) : c[i].label);
		add_str(o, "explain", tests ? report_test_explain(c[i].key,
		    req->lang, NULL) : NULL);
		json_object_object_add(o, "reports",
		    json_object_new_int64(c[i].reports));
		add_str(o, "bar", width_class((double)c[i].reports,
		    (double)c[0].reports));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
trends_ctx(struct request *req, long long days)
{
	struct rp_trends	 t;
	struct json_object	*o;

	if (store_report_trends(req->db, req->arena, now_s() - days * 86400,
	    STAFF_TOP, &t) != P_OK || (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "reports", json_object_new_int64(t.reports));
	json_object_object_add(o, "accounts",
	    json_object_new_int64(t.accounts));
	json_object_object_add(o, "days", json_object_new_int64(days));
	json_object_object_add(o, "tests", counts_ctx(req, t.tests, t.ntests,
	    true, false));
	add_flag(o, "has_tests", t.ntests > 0);
	json_object_object_add(o, "by_account", counts_ctx(req, t.by_account,
	    t.naccounts, false, false));
	add_flag(o, "has_accounts", t.naccounts > 0);
	json_object_object_add(o, "checks", counts_ctx(req, t.checks,
	    t.nchecks, false, true));
	add_flag(o, "has_checks", t.nchecks > 0);
	return o;
}

static struct json_object *
list_item(struct request *req, const struct rp_report *r)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_int64(r->id));
	add_str(o, "account", r->account_ext);
	add_str(o, "sender", r->sender);
	add_str(o, "score", score_text(req, r->score, false));
	add_str(o, "threshold", score_text(req, r->threshold, false));
	add_str(o, "top_test", r->ntests > 0 && r->tests != NULL ?
	    r->tests[0].name : NULL);
	json_object_object_add(o, "nchecks",
	    json_object_new_int64((long long)r->nchecks));
	add_str(o, "time", portal_time(req, r->sent_at));
	add_str(o, "time_iso", unblock_time_iso(req->arena, r->sent_at));
	add_flag(o, "fp", r->fp_at != 0);
	add_flag(o, "review", r->review_at != 0);
	return o;
}

int
page_staff_reports(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct rp_filter	 f;
	struct ub_account	 ac;
	struct rp_report	*v;
	struct json_object	*ctx, *arr;
	const char		*acct, *q, *error = NULL;
	long long		 days = STAFF_DAYS;
	size_t			 n = 0, i;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	memset(&f, 0, sizeof(f));
	f.limit = STAFF_PAGE;
	acct = request_query(req, "account");
	if (acct != NULL && acct[0] == '\0')
		acct = NULL;
	if ((q = request_query(req, "days")) != NULL && q[0] != '\0' &&
	    ((days = portal_parse_id(q)) == 0 || days > 3650))
		days = STAFF_DAYS;
	if ((q = request_query(req, "before")) != NULL)
		f.before = portal_parse_id(q);
	if (acct != NULL) {
		rc = store_account_find_ext(req->db, req->arena, acct, &ac);
		if (rc == P_ENOTFOUND)
			error = portal_t(req, "rp_staff_no_account");
		else if (rc != P_OK)
			return rc;
		else
			f.account_id = ac.id;
	}
	if (error == NULL &&
	    (rc = store_report_list(req->db, req->arena, &f, &v, &n)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, &ss, "rp_staff_title")) == NULL)
		return P_ENOMEM;
	add_str(ctx, "account", acct);
	json_object_object_add(ctx, "days", json_object_new_int64(days));
	add_str(ctx, "form_error", error);
	json_object_object_add(ctx, "trends", trends_ctx(req, days));
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr, list_item(req, &v[i]));
	json_object_object_add(ctx, "items", arr);
	add_str(ctx, "next_url", n == STAFF_PAGE ? arena_printf(req->arena,
	    "/staff/reports?days=%lld&before=%lld%s%s", days, v[n - 1].id,
	    acct != NULL ? "&account=" : "", acct != NULL ? acct : "") :
	    NULL);
	portal_nocache(res);
	return page_render(req, res, error != NULL ? 404 : 200,
	    "report_staff_list", ctx);
}

static int
render_staff_report(struct request *req, struct response *res, int status,
    const struct staff_session *ss, long long id, const char *error,
    const char *note)
{
	struct rp_report	 r;
	struct ub_account	 ac;
	struct json_object	*ctx, *rep, *o;
	const char		*link;
	int			 rc;

	if ((rc = store_report_get(req->db, req->arena, id, &r)) != P_OK ||
	    (rc = store_account_get(req->db, req->arena, r.account_id, &ac)) !=
	    P_OK || (rc = report_link(req->db, req->arena, id, 0, &link,
	    NULL)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, ss, "rp_staff_report")) == NULL)
		return P_ENOMEM;
	if ((rep = report_ctx(req, &r)) == NULL) {
		json_object_put(ctx);
		return P_ENOMEM;
	}
	json_object_object_add(ctx, "report", rep);
	json_object_object_add(ctx, "account", unblock_account_to_json(&ac));
	o = NULL;
	if (r.review_at != 0 && (o = json_object_new_object()) != NULL) {
		add_str(o, "at", portal_time(req, r.review_at));
		add_str(o, "reason", portal_t(req, r.review_reason != NULL &&
		    strcmp(r.review_reason, "fixed") == 0 ?
		    "rp_reason_fixed" : "rp_reason_fp"));
		add_str(o, "note", r.review_note);
	}
	json_object_object_add(ctx, "review", o);
	o = NULL;
	if (r.fp_at != 0 && (o = json_object_new_object()) != NULL) {
		add_str(o, "at", portal_time(req, r.fp_at));
		add_str(o, "by", r.fp_by);
		add_str(o, "note", r.fp_note);
	}
	json_object_object_add(ctx, "fp", o);
	add_str(ctx, "customer_link", arena_printf(req->arena, "%s%s",
	    req->app->cfg.base_url, link));
	add_str(ctx, "form_error", error);
	add_str(ctx, "note", note);
	add_str(ctx, "notice", error == NULL && request_query(req, "done") !=
	    NULL && r.fp_at != 0 ? portal_t(req, "rp_staff_fp_done") : NULL);
	portal_nocache(res);
	return page_render(req, res, status, "report_staff", ctx);
}

int
page_staff_report(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	return render_staff_report(req, res, 200, &ss, id, NULL, NULL);
}

int
page_staff_report_fp(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct ub_actor		 who;
	const char		*note, *lang;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = portal_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	note = request_form(req, "note");
	if (!csrf_check(req))
		return render_staff_report(req, res, 403, &ss, id,
		    portal_t(req, "err_csrf"), note);
	memset(&who, 0, sizeof(who));
	who.kind = UB_ACTOR_STAFF;
	who.id = ss.staff_id;
	who.name = ss.email;
	who.addr = req->remote_addr;
	who.admin = ss.admin;
	rc = report_false_positive(req->db, req->arena, &who, id, note, NULL);
	if (rc == P_EINVAL)
		return render_staff_report(req, res, 422, &ss, id,
		    portal_t(req, "rp_review_note_long"), note);
	if (rc == P_ECONFLICT)
		return render_staff_report(req, res, 409, &ss, id,
		    portal_t(req, "rp_staff_fp_already"), NULL);
	if (rc != P_OK)
		return rc;
	lang = request_query(req, "lang");
	if (lang != NULL && strcmp(lang, "en") != 0 && strcmp(lang, "fr") != 0)
		lang = NULL;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/staff/reports/%lld?done=1%s%s", id, lang != NULL ? "&lang=" : "",
	    lang != NULL ? lang : ""));
}
