/* web/pages_staff_kb.c - the staff side of the knowledge base: the list of
 * articles (filters, counts, helpful %), the editor with its Markdown
 * preview, the staff view of an article (internal ones too), revisions
 * (list, view, restore), readers' feedback, and the searches that found
 * nothing. Every page needs a staff session, every form a CSRF token. */
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/session.h"

#define LIST_PAGE	50
#define REVISIONS_MAX	100
#define FEEDBACK_MAX	200
#define MISSES_MAX	200

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

static void
add_int(struct json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* s percent-encoded for a query string, in the arena. */
static char *
url_encode(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char		*out, *o;

	if ((out = arena_alloc(a, strlen(s) * 3 + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '%';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	}
	*o = '\0';
	return out;
}


/* Renders a staff page: never cached, never indexed. */
static int
staff_render(struct request *req, struct response *res, int status,
    const char *name, struct json_object *ctx)
{
	portal_nocache(res);
	return page_render(req, res, status, name, ctx);
}

/* The readers' verdict as "83 %" with its counts; "" with no vote. */
static void
add_helpful(struct request *req, struct json_object *o, long long yes,
    long long no)
{
	add_int(o, "votes_yes", yes);
	add_int(o, "votes_no", no);
	/* Always set: in a list, a missing key would resolve to the first
	 * item's value. */
	add_str(o, "helpful", yes + no > 0 ? arena_printf(req->arena,
	    "%lld %%", yes * 100 / (yes + no)) : NULL);
}

/* ---- the list ---- */

static struct json_object *
list_row(struct request *req, const struct kb_admin_row *r)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_int(o, "id", r->id);
	add_str(o, "lang", r->lang);
	add_str(o, "title", r->title);
	add_str(o, "category", r->category);
	add_str(o, "state", r->state);
	add_flag(o, "internal", strcmp(r->state, "internal") == 0);
	add_str(o, "changed", portal_time(req, r->changed_at));
	add_str(o, "changed_by", r->changed_by);
	add_int(o, "views", r->views);
	add_int(o, "feedback", r->feedback);
	add_int(o, "translation_of", r->translation_of);
	add_helpful(req, o, r->votes_yes, r->votes_no);
	return o;
}

/* One <option> list with the current value marked. */
static struct json_object *
options(const char *const *values, const char *const *labels, size_t n,
    const char *cur)
{
	struct json_object	*arr, *o;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL)
			break;
		add_str(o, "value", values[i]);
		add_str(o, "label", labels[i]);
		add_flag(o, "selected", cur != NULL && strcmp(cur,
		    values[i]) == 0);
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *
category_options(struct request *req, const char *cur, bool with_counts)
{
	struct kb_category	*c;
	struct json_object	*arr, *o;
	size_t			 n, i;

	if (kb_categories_all(req->db, req->arena, &c, &n) != P_OK ||
	    (arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL)
			break;
		add_str(o, "value", c[i].path);
		add_str(o, "label", with_counts ? arena_printf(req->arena,
		    "%s (%lld)", c[i].path, c[i].count) : c[i].path);
		add_flag(o, "selected", cur != NULL && strcmp(cur,
		    c[i].path) == 0);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* "/staff/faq?alang=..&state=..&page=n&category=..": "lang" would
 * switch the language of the page itself. */
static const char *
list_url(struct request *req, const struct kb_admin_filter *f, int page)
{
	const char	*c = "";

	if (f->category != NULL &&
	    (c = url_encode(req->arena, f->category)) == NULL)
		return NULL;
	return arena_printf(req->arena, "/staff/faq?alang=%s&state=%s&page=%d"
	    "%s%s", f->lang != NULL ? f->lang : "", f->state != NULL ?
	    f->state : "", page, f->category != NULL ? "&category=" : "", c);
}

int
page_staff_faq(struct request *req, struct response *res)
{
	static const char *const lv[] = { "", "fr", "en" };
	static const char *const sv[] = { "", "public", "internal" };
	struct staff_session	 ss;
	struct kb_admin_filter	 f;
	struct kb_admin_counts	 c;
	struct kb_admin_row	*rows;
	struct json_object	*ctx, *arr;
	const char		*ll[3], *sl[3], *v;
	size_t			 n, i;
	long long		 pages;
	int			 rc, page;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	memset(&f, 0, sizeof(f));
	f.lang = faq_lang(request_query(req, "alang"));
	v = request_query(req, "state");
	f.state = v != NULL && (strcmp(v, "public") == 0 ||
	    strcmp(v, "internal") == 0) ? v : NULL;
	v = request_query(req, "category");
	f.category = v != NULL && *v != '\0' && strlen(v) <= KB_CATEGORY_MAX ?
	    v : NULL;
	page = (int)faq_parse_id(request_query(req, "page"));
	page = page < 1 || page > 10000 ? 1 : page;
	f.offset = (page - 1) * LIST_PAGE;
	f.limit = LIST_PAGE;
	if ((rc = kb_admin_list(req->db, req->arena, &f, &rows, &n, &c)) !=
	    P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, &ss, "skb_list_title")) == NULL)
		return P_ENOMEM;
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++)
			json_object_array_add(arr, list_row(req, &rows[i]));
	json_object_object_add(ctx, "items", arr);
	ll[0] = portal_t(req, "skb_any_lang");
	ll[1] = portal_t(req, "lang_fr");
	ll[2] = portal_t(req, "lang_en");
	sl[0] = portal_t(req, "skb_any_state");
	sl[1] = portal_t(req, "skb_state_public");
	sl[2] = portal_t(req, "skb_state_internal");
	json_object_object_add(ctx, "lang_options", options(lv, ll, 3,
	    f.lang != NULL ? f.lang : ""));
	json_object_object_add(ctx, "state_options", options(sv, sl, 3,
	    f.state != NULL ? f.state : ""));
	json_object_object_add(ctx, "category_options",
	    category_options(req, f.category, true));
	add_int(ctx, "total", c.total);
	add_int(ctx, "count_all", c.all);
	add_int(ctx, "count_public", c.public_n);
	add_int(ctx, "count_internal", c.internal_n);
	add_int(ctx, "count_fr", c.fr);
	add_int(ctx, "count_en", c.en);
	pages = (c.total + LIST_PAGE - 1) / LIST_PAGE;
	add_int(ctx, "page", page);
	add_int(ctx, "pages", pages > 0 ? pages : 1);
	if (page > 1)
		add_str(ctx, "prev_url", list_url(req, &f, page - 1));
	if (page < pages)
		add_str(ctx, "next_url", list_url(req, &f, page + 1));
	v = request_query(req, "done");
	if (v != NULL && strcmp(v, "deleted") == 0)
		add_str(ctx, "notice", portal_t(req, "skb_deleted"));
	return staff_render(req, res, 200, "staff_faq", ctx);
}

/* ---- the editor ---- */

/* Browsers send textarea lines with CRLF; articles keep LF. */
static const char *
form_text(struct request *req, const char *name)
{
	const char	*v;
	char		*out, *o;

	if ((v = request_form(req, name)) == NULL)
		return "";
	if (strchr(v, '\r') == NULL)
		return v;
	if ((out = arena_strdup(req->arena, v)) == NULL)
		return NULL;
	for (o = out; *v != '\0'; v++)
		if (*v != '\r')
			*o++ = *v;
		else if (v[1] != '\n')
			*o++ = '\n';
	*o = '\0';
	return out;
}

/* A one-line field, trimmed. */
static const char *
form_line(struct request *req, const char *name)
{
	const char	*v;
	size_t		 n;

	if ((v = request_form(req, name)) == NULL)
		return "";
	v += strspn(v, " \t");
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return arena_strndup(req->arena, v, n);
}

/* The article as the form sent it; *bad_number is set when the
 * translation field holds something that is not an article id. */
static int
form_article(struct request *req, struct kb_article *a, bool *bad_number)
{
	const char	*t;

	memset(a, 0, sizeof(*a));
	a->id = faq_parse_id(request_form(req, "id"));
	a->lang = faq_lang(request_form(req, "lang"));
	a->title = form_line(req, "title");
	a->category = form_line(req, "category");
	a->state = form_line(req, "state");
	a->keywords = form_line(req, "keywords");
	a->tags = form_line(req, "tags");
	a->symptom = form_text(req, "symptom");
	a->problem = form_text(req, "problem");
	a->solution = form_text(req, "solution");
	t = form_line(req, "translation_of");
	if (a->title == NULL || a->category == NULL || a->state == NULL ||
	    a->keywords == NULL || a->tags == NULL || a->symptom == NULL ||
	    a->problem == NULL || a->solution == NULL || t == NULL)
		return P_ENOMEM;
	if (t[0] == '#')
		t++;
	a->translation_of = faq_parse_id(t);
	*bad_number = t[0] != '\0' && a->translation_of == 0;
	if (a->category[0] == '\0')
		a->category = "General";
	return P_OK;
}

/* A message for the first thing wrong with a, or NULL. */
static const char *
article_problem(struct request *req, const struct kb_article *a,
    bool bad_number)
{
	struct kb_article	 t;

	if (a->title[0] == '\0')
		return portal_t(req, "skb_err_title");
	if (strlen(a->title) > 300)
		return portal_t(req, "skb_err_title_long");
	if (a->lang == NULL)
		return portal_t(req, "skb_err_lang");
	if (strcmp(a->state, "public") != 0 &&
	    strcmp(a->state, "internal") != 0)
		return portal_t(req, "skb_err_state");
	if (strlen(a->category) > KB_CATEGORY_MAX ||
	    strlen(a->keywords) > KB_KEYWORDS_MAX ||
	    strlen(a->tags) > KB_KEYWORDS_MAX ||
	    strlen(a->symptom) > KB_BODY_MAX ||
	    strlen(a->problem) > KB_BODY_MAX ||
	    strlen(a->solution) > KB_BODY_MAX)
		return portal_t(req, "skb_err_too_long");
	if (bad_number || (a->translation_of != 0 &&
	    (a->translation_of == a->id || kb_article_get(req->db,
	    req->arena, a->translation_of, true, &t) != P_OK)))
		return portal_t(req, "skb_err_translation");
	if (a->translation_of != 0 && strcmp(t.lang, a->lang) == 0)
		return portal_t(req, "skb_err_translation_lang");
	return NULL;
}

/* The rendered Markdown of the three fields, as the article page shows
 * them (cmark, safe mode: no raw HTML, no unsafe links). */
static struct json_object *
preview_json(struct request *req, const struct kb_article *a)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_str(o, "symptom_html", kb_markdown_html(req->arena, a->symptom));
	add_str(o, "problem_html", kb_markdown_html(req->arena, a->problem));
	add_str(o, "solution_html", kb_markdown_html(req->arena,
	    a->solution));
	return o;
}

/* The latest revision id of an article (the editor sends it back, so a
 * save over someone else's newer edit is noticed), 0 when none. */
static long long
latest_revision(struct request *req, long long id)
{
	struct kb_revision	*r;
	size_t			 n;

	if (id == 0 || kb_revision_list(req->db, req->arena, id, 1, &r,
	    &n) != P_OK || n == 0)
		return 0;
	return r[0].id;
}

static int
render_editor(struct request *req, struct response *res, int status,
    const struct staff_session *ss, const struct kb_article *a,
    const char *translation_text, long long rev, const char *error,
    bool preview)
{
	struct json_object	*ctx, *o;
	bool			 is_new = a->id == 0;

	if ((ctx = staff_page_ctx(req, ss, is_new ? "skb_new_title" :
	    "skb_edit_title")) == NULL || (o = json_object_new_object()) ==
	    NULL) {
		json_object_put(ctx);
		return P_ENOMEM;
	}
	if (!is_new)
		add_int(o, "id", a->id);
	add_str(o, "title", a->title);
	add_str(o, "category", a->category);
	add_str(o, "keywords", a->keywords);
	add_str(o, "tags", a->tags);
	add_str(o, "symptom", a->symptom);
	add_str(o, "problem", a->problem);
	add_str(o, "solution", a->solution);
	add_str(o, "translation_of", translation_text != NULL ?
	    translation_text : a->translation_of > 0 ? arena_printf(
	    req->arena, "%lld", a->translation_of) : "");
	add_flag(o, "lang_fr", a->lang != NULL && strcmp(a->lang, "fr") == 0);
	add_flag(o, "lang_en", a->lang != NULL && strcmp(a->lang, "en") == 0);
	add_flag(o, "state_internal", a->state != NULL &&
	    strcmp(a->state, "internal") == 0);
	add_flag(o, "state_public", a->state == NULL ||
	    strcmp(a->state, "internal") != 0);
	json_object_object_add(ctx, "article", o);
	add_flag(ctx, "is_new", is_new);
	add_str(ctx, "action", is_new ? "/staff/faq/new" : arena_printf(
	    req->arena, "/staff/faq/%lld/edit", a->id));
	add_int(ctx, "rev", rev);
	json_object_object_add(ctx, "categories",
	    category_options(req, NULL, false));
	add_str(ctx, "form_error", error);
	if (preview)
		json_object_object_add(ctx, "preview", preview_json(req, a));
	if (!is_new && request_query(req, "saved") != NULL)
		add_str(ctx, "notice", portal_t(req, "skb_saved"));
	return staff_render(req, res, status, "staff_faq_edit", ctx);
}

int
page_staff_faq_new(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct kb_article	 a;
	const char		*v;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	/* Prefilled from a fruitless search or a "translate" link. */
	memset(&a, 0, sizeof(a));
	a.lang = faq_lang(request_query(req, "for_lang"));
	if (a.lang == NULL)
		a.lang = req->lang;
	v = request_query(req, "title");
	a.title = v != NULL && strlen(v) <= 300 ? v : "";
	v = request_query(req, "keywords");
	a.keywords = v != NULL && strlen(v) <= KB_KEYWORDS_MAX ? v : "";
	a.translation_of = faq_parse_id(request_query(req, "translation_of"));
	a.category = request_query(req, "category");
	if (a.category == NULL || strlen(a.category) > KB_CATEGORY_MAX)
		a.category = "";
	a.state = "internal";		/* publishing is a choice */
	a.tags = a.symptom = a.problem = a.solution = "";
	return render_editor(req, res, 200, &ss, &a, NULL, 0, NULL, false);
}

int
page_staff_faq_edit(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct kb_article	 a;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_get(req->db, req->arena, id, true, &a)) != P_OK)
		return rc;
	return render_editor(req, res, 200, &ss, &a, NULL,
	    latest_revision(req, id), NULL, false);
}

/* Saves the form as article id (0: a new one). */
static int
save(struct request *req, struct response *res, long long id)
{
	struct staff_session	 ss;
	struct kb_article	 a, cur;
	const char		*problem;
	long long		 rev;
	bool			 bad_number;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if ((rc = form_article(req, &a, &bad_number)) != P_OK)
		return rc;
	a.id = id;
	rev = faq_parse_id(request_form(req, "rev"));
	if (id != 0 && (rc = kb_article_get(req->db, req->arena, id, true,
	    &cur)) != P_OK)
		return rc;
	if ((problem = article_problem(req, &a, bad_number)) != NULL)
		return render_editor(req, res, 422, &ss, &a, form_line(req,
		    "translation_of"), rev, problem, false);
	/* Someone saved in between: show this version again, not lost. */
	if (id != 0 && rev != latest_revision(req, id))
		return render_editor(req, res, 409, &ss, &a, NULL, rev,
		    portal_t(req, "skb_err_conflict"), false);
	rc = kb_article_save(req->db, &a, ss.email);
	if (rc == P_EINVAL || rc == P_ETOOBIG)
		return render_editor(req, res, 422, &ss, &a, NULL, rev,
		    portal_t(req, "skb_err_invalid"), false);
	if (rc != P_OK)
		return rc;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/staff/faq/%lld/edit?saved=1", a.id));
}

int
page_staff_faq_create(struct request *req, struct response *res)
{
	return save(req, res, 0);
}

int
page_staff_faq_update(struct request *req, struct response *res)
{
	long long	 id;

	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	return save(req, res, id);
}

/* The Markdown preview. A form post answers the editor with the preview
 * under it; a script (Accept: application/json) gets the three fields. */
int
page_staff_faq_preview(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct kb_article	 a;
	const char		*acc;
	bool			 bad_number;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if ((rc = form_article(req, &a, &bad_number)) != P_OK)
		return rc;
	if (strlen(a.symptom) > KB_BODY_MAX || strlen(a.problem) >
	    KB_BODY_MAX || strlen(a.solution) > KB_BODY_MAX)
		return P_ETOOBIG;
	acc = req->header(req, "Accept");
	if (acc != NULL && strncmp(acc, "application/json", 16) == 0) {
		portal_nocache(res);
		return response_json(res, 200, preview_json(req, &a));
	}
	return render_editor(req, res, 200, &ss, &a, form_line(req,
	    "translation_of"), faq_parse_id(request_form(req, "rev")), NULL,
	    true);
}

/* Deleting drops the revisions and feedback too: admins only. */
int
page_staff_faq_delete(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if (!ss.admin)
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "staff_admin_only"));
	if ((rc = kb_article_remove(req->db, id)) != P_OK)
		return rc;
	return portal_redirect(req, res, "/staff/faq?done=deleted");
}

/* ---- an article as readers see it, internal ones too ---- */

int
page_staff_faq_view(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct kb_article	 a;
	struct json_object	*ctx, *o;
	long long		 id, other;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_get(req->db, req->arena, id, true, &a)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, &ss, "skb_view_title")) == NULL)
		return P_ENOMEM;
	if ((o = faq_article_json(req, &a)) == NULL) {
		json_object_put(ctx);
		return P_ENOMEM;
	}
	add_str(o, "symptom_html", kb_markdown_html(req->arena, a.symptom));
	add_str(o, "problem_html", kb_markdown_html(req->arena, a.problem));
	add_str(o, "solution_html", kb_markdown_html(req->arena, a.solution));
	add_flag(o, "internal", strcmp(a.state, "internal") == 0);
	add_str(o, "changed", portal_time(req, a.changed_at));
	add_str(o, "created", portal_time(req, a.created_at));
	add_str(o, "changed_by", a.changed_by);
	add_str(o, "created_by", a.created_by);
	add_helpful(req, o, a.votes_yes, a.votes_no);
	if (kb_translation(req->db, a.id, strcmp(a.lang, "fr") == 0 ? "en" :
	    "fr", true, &other) != P_OK || other == a.id)
		other = 0;
	add_int(o, "other_id", other);
	json_object_object_add(ctx, "article", o);
	return staff_render(req, res, 200, "staff_faq_view", ctx);
}

/* ---- revisions ---- */

static struct json_object *
revision_json(struct request *req, const struct kb_revision *r, bool full)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_int(o, "id", r->id);
	add_int(o, "article_id", r->article_id);
	add_str(o, "title", r->title);
	add_str(o, "category", r->category);
	add_str(o, "state", r->state);
	add_flag(o, "internal", strcmp(r->state, "internal") == 0);
	add_str(o, "changed", portal_time(req, r->changed_at));
	add_str(o, "changed_by", r->changed_by);
	if (!full)
		return o;
	add_str(o, "keywords", r->keywords);
	add_str(o, "tags", r->tags);
	add_str(o, "symptom", r->symptom);
	add_str(o, "problem", r->problem);
	add_str(o, "solution", r->solution);
	add_str(o, "symptom_html", kb_markdown_html(req->arena, r->symptom));
	add_str(o, "problem_html", kb_markdown_html(req->arena, r->problem));
	add_str(o, "solution_html", kb_markdown_html(req->arena,
	    r->solution));
	return o;
}

static int
render_revisions(struct request *req, struct response *res,
    const struct staff_session *ss, long long id, long long rev)
{
	struct kb_article	 a;
	struct kb_revision	*v, one;
	struct json_object	*ctx, *arr, *o;
	size_t			 n, i;
	int			 rc;

	if ((rc = kb_article_get(req->db, req->arena, id, true, &a)) != P_OK ||
	    (rc = kb_revision_list(req->db, req->arena, id, REVISIONS_MAX,
	    &v, &n)) != P_OK)
		return rc;
	if (rev != 0 && (rc = kb_revision_get(req->db, req->arena, id, rev,
	    &one)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, ss, "skb_revisions_title")) == NULL)
		return P_ENOMEM;
	add_int(ctx, "article_id", a.id);
	add_str(ctx, "article_title", a.title);
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++) {
			if ((o = revision_json(req, &v[i], false)) == NULL)
				continue;
			add_flag(o, "current", i == 0);
			add_flag(o, "selected", v[i].id == rev);
			json_object_array_add(arr, o);
		}
	json_object_object_add(ctx, "revisions", arr);
	if (rev != 0) {
		o = revision_json(req, &one, true);
		if (o != NULL)
			add_flag(o, "current", n > 0 && v[0].id == rev);
		json_object_object_add(ctx, "revision", o);
	}
	if (request_query(req, "restored") != NULL)
		add_str(ctx, "notice", portal_t(req, "skb_restored"));
	return staff_render(req, res, 200, "staff_faq_revisions", ctx);
}

int
page_staff_faq_revisions(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	long long		 id;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	return render_revisions(req, res, &ss, id, 0);
}

int
page_staff_faq_revision(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	long long		 id, rev;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0 ||
	    (rev = faq_parse_id(request_param(req, "rev"))) == 0)
		return P_ENOTFOUND;
	return render_revisions(req, res, &ss, id, rev);
}

int
page_staff_faq_restore(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	long long		 id, rev;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0 ||
	    (rev = faq_parse_id(request_param(req, "rev"))) == 0)
		return P_ENOTFOUND;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	if ((rc = kb_revision_restore(req->db, id, rev, ss.email)) != P_OK)
		return rc;
	return portal_redirect(req, res, arena_printf(req->arena,
	    "/staff/faq/%lld/revisions?restored=1", id));
}

/* ---- readers' feedback ---- */

int
page_staff_faq_feedback(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	struct kb_article	 a;
	struct kb_feedback	*v;
	struct json_object	*ctx, *arr, *o;
	long long		 id, total;
	size_t			 n, i;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_get(req->db, req->arena, id, true, &a)) != P_OK ||
	    (rc = kb_feedback_list(req->db, req->arena, id, FEEDBACK_MAX, &v,
	    &n, &total)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, &ss, "skb_feedback_title")) == NULL)
		return P_ENOMEM;
	add_int(ctx, "article_id", a.id);
	add_str(ctx, "article_title", a.title);
	add_helpful(req, ctx, a.votes_yes, a.votes_no);
	add_int(ctx, "total", total);
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++) {
			if ((o = json_object_new_object()) == NULL)
				break;
			add_str(o, "comment", v[i].comment);
			add_str(o, "when", portal_time(req, v[i].created_at));
			json_object_array_add(arr, o);
		}
	json_object_object_add(ctx, "items", arr);
	return staff_render(req, res, 200, "staff_faq_feedback", ctx);
}

/* ---- searches that found nothing ---- */

int
page_staff_searches(struct request *req, struct response *res)
{
	static const char *const lv[] = { "", "fr", "en" };
	struct staff_session	 ss;
	struct kb_miss		*v;
	struct json_object	*ctx, *arr, *o;
	const char		*lang, *ll[3], *ml, *q;
	long long		 total;
	size_t			 n, i;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	lang = faq_lang(request_query(req, "alang"));
	if ((rc = kb_misses(req->db, req->arena, lang, MISSES_MAX, &v, &n,
	    &total)) != P_OK)
		return rc;
	if ((ctx = staff_page_ctx(req, &ss, "skb_searches_title")) == NULL)
		return P_ENOMEM;
	if ((arr = json_object_new_array()) != NULL)
		for (i = 0; i < n; i++) {
			if ((o = json_object_new_object()) == NULL)
				break;
			ml = faq_lang(v[i].lang);
			q = url_encode(req->arena, v[i].query);
			add_str(o, "query", v[i].query);
			add_str(o, "lang_label", v[i].lang[0] != '\0' ?
			    v[i].lang : portal_t(req, "skb_both_langs"));
			add_str(o, "lang_value", v[i].lang);
			add_int(o, "hits", v[i].hits);
			add_str(o, "first", portal_time(req, v[i].first_at));
			add_str(o, "last", portal_time(req, v[i].last_at));
			add_str(o, "search_url", arena_printf(req->arena,
			    "/faq?q=%s%s%s", q, ml != NULL ? "&lang=" : "",
			    ml != NULL ? ml : ""));
			add_str(o, "new_url", arena_printf(req->arena,
			    "/staff/faq/new?title=%s&keywords=%s%s%s", q, q,
			    ml != NULL ? "&for_lang=" : "", ml != NULL ? ml :
			    ""));
			json_object_array_add(arr, o);
		}
	json_object_object_add(ctx, "items", arr);
	add_int(ctx, "total", total);
	ll[0] = portal_t(req, "skb_any_lang");
	ll[1] = portal_t(req, "lang_fr");
	ll[2] = portal_t(req, "lang_en");
	json_object_object_add(ctx, "lang_options", options(lv, ll, 3,
	    lang != NULL ? lang : ""));
	if (request_query(req, "done") != NULL)
		add_str(ctx, "notice", portal_t(req, "skb_search_forgotten"));
	return staff_render(req, res, 200, "staff_searches", ctx);
}

/* Takes a search off the list (answered, or noise). */
int
page_staff_searches_forget(struct request *req, struct response *res)
{
	struct staff_session	 ss;
	const char		*q, *l;
	int			 rc;

	if ((rc = staff_page_guard(req, res, &ss)) != P_OK)
		return rc == P_EUNAUTH ? P_OK : rc;
	if (!csrf_check(req))
		return page_error(req, res, P_EFORBIDDEN,
		    portal_t(req, "err_csrf"));
	q = request_form(req, "query");
	l = request_form(req, "lang");
	if (q == NULL || l == NULL)
		return P_EINVAL;
	rc = kb_miss_forget(req->db, q, l);
	if (rc != P_OK && rc != P_ENOTFOUND)
		return rc;
	return portal_redirect(req, res, "/staff/searches?done=1");
}
