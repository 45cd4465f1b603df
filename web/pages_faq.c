/* web/pages_faq.c - the knowledge base pages: /faq (search, categories,
 * most viewed, latest), /faq/{id} (an article, its vote form, related
 * articles, a print view), the vote POST, the RSS feed, the OpenSearch
 * description and the sitemap. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/pages.h"

#define LIST_MAX	8
#define FEED_MAX	30
#define SITEMAP_MAX	50000
#define XML_MAX		(4 * 1024 * 1024)

static struct json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static int
redirect(struct request *req, struct response *res, int status,
    const char *loc)
{
	(void)req;
	if (loc == NULL)
		return P_ENOMEM;
	response_header(res, "Location", loc);
	return response_text(res, status, "text/plain; charset=utf-8", "", 0);
}

static struct json_object *
list_json(struct request *req, const struct kb_list *l)
{
	struct json_object	*arr;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++)
		json_object_array_add(arr, faq_brief_json(req, &l->items[i]));
	return arr;
}

/* Appends s percent-encoded for a query string. */
static int
url_encode(struct buf *b, const char *s)
{
	int	 rc = 0;

	for (; rc == 0 && *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		    *s == '_')
			rc = buf_putc(b, *s);
		else
			rc = buf_printf(b, "%%%02X", (unsigned char)*s);
	}
	return rc;
}

/* "/faq?q=...&category=...&page=n", encoded. */
static char *
search_url(struct request *req, const char *q, const char *category,
    int page)
{
	struct buf	 b;
	char		*out;
	int		 rc;

	buf_init(&b, 4096);
	rc = buf_puts(&b, "/faq?q=");
	rc = rc ? rc : url_encode(&b, q);
	if (rc == 0 && category != NULL && *category != '\0') {
		rc = buf_puts(&b, "&category=");
		rc = rc ? rc : url_encode(&b, category);
	}
	if (rc == 0 && page > 1)
		rc = buf_printf(&b, "&page=%d", page);
	out = rc == 0 ? arena_strdup(req->arena, buf_str(&b)) : NULL;
	buf_cleanup(&b);
	return out;
}

/* A query that looks like an error message is offered the diagnosis,
 * with the text already in the paste box. */
static void
add_diagnose_offer(struct request *req, struct json_object *ctx,
    const char *q)
{
	struct json_object	*d;
	struct buf		 b;

	if (!kb_looks_like_error(q))
		return;
	/* The verdict leads, above the results. */
	if ((d = faq_diagnosis(req, q, req->lang)) != NULL)
		json_object_object_add(ctx, "diagnosis", d);
	buf_init(&b, 16384);
	if (buf_puts(&b, "/diagnose?text=") == 0 && url_encode(&b, q) == 0)
		json_object_object_add(ctx, "diagnose_url", jstr(arena_strdup(
		    req->arena, buf_str(&b))));
	buf_cleanup(&b);
}

static void
add_results(struct request *req, struct json_object *ctx, const char *q,
    const char *category, const struct kb_results *r)
{
	struct json_object	*arr, *h;
	size_t			 i;
	long long		 last;

	arr = json_object_new_array();
	for (i = 0; i < r->nhits; i++) {
		h = faq_brief_json(req, &r->hits[i]);
		if (h == NULL)
			continue;
		/* Escaped first, then marked: safe for {{{ }}}. */
		json_object_object_add(h, "title_html", jstr(kb_marks_html(
		    req->arena, r->hits[i].title_hl)));
		json_object_object_add(h, "snippet_html", jstr(kb_marks_html(
		    req->arena, r->hits[i].snippet)));
		json_object_array_add(arr, h);
	}
	json_object_object_add(ctx, "results", arr);
	json_object_object_add(ctx, "has_results",
	    json_object_new_boolean(r->nhits > 0));
	json_object_object_add(ctx, "total", json_object_new_int64(r->total));
	json_object_object_add(ctx, "any_word",
	    json_object_new_boolean(r->any_word));
	if (r->did_you_mean != NULL) {
		json_object_object_add(ctx, "did_you_mean",
		    jstr(r->did_you_mean));
		json_object_object_add(ctx, "did_you_mean_url",
		    jstr(search_url(req, r->did_you_mean, category, 1)));
	}
	last = (r->total + r->per_page - 1) / r->per_page;
	if (r->page > 1)
		json_object_object_add(ctx, "prev_url",
		    jstr(search_url(req, q, category, r->page - 1)));
	if (r->page < last)
		json_object_object_add(ctx, "next_url",
		    jstr(search_url(req, q, category, r->page + 1)));
	json_object_object_add(ctx, "page", json_object_new_int(r->page));
	json_object_object_add(ctx, "pages", json_object_new_int64(last));
}

int
page_faq(struct request *req, struct response *res)
{
	struct json_object	*ctx, *arr, *o;
	struct kb_results	 r;
	struct kb_category	*c;
	struct kb_list		 l;
	const char		*q, *category, *pg;
	size_t			 n, i;
	int			 rc, page = 1;

	q = request_query(req, "q");
	category = request_query(req, "category");
	pg = request_query(req, "page");
	if (pg != NULL && faq_parse_id(pg) > 0 && faq_parse_id(pg) < 1000)
		page = (int)faq_parse_id(pg);
	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "title", jstr(i18n_get(req->app->i18n,
	    req->lang, "faq_title")));
	if (q != NULL && *q != '\0') {
		json_object_object_add(ctx, "q", jstr(q));
		json_object_object_add(ctx, "searched",
		    json_object_new_boolean(1));
		add_diagnose_offer(req, ctx, q);
		rc = kb_search(req->db, req->arena, q, req->lang, category,
		    page, 10, false, &r);
		if (rc != P_OK) {
			json_object_put(ctx);
			return rc;
		}
		add_results(req, ctx, q, category, &r);
	} else {
		if (kb_most_viewed(req->db, req->arena, req->lang, LIST_MAX,
		    &l) == P_OK)
			json_object_object_add(ctx, "most_viewed",
			    list_json(req, &l));
		if (kb_latest(req->db, req->arena, req->lang, LIST_MAX,
		    &l) == P_OK)
			json_object_object_add(ctx, "latest",
			    list_json(req, &l));
	}
	if (category != NULL && *category != '\0')
		json_object_object_add(ctx, "category", jstr(category));
	if (kb_categories(req->db, req->arena, req->lang, &c, &n) == P_OK) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++) {
			o = json_object_new_object();
			json_object_object_add(o, "path", jstr(c[i].path));
			json_object_object_add(o, "count",
			    json_object_new_int64(c[i].count));
			json_object_object_add(o, "url", jstr(search_url(req,
			    q != NULL ? q : "", c[i].path, 1)));
			json_object_array_add(arr, o);
		}
		json_object_object_add(ctx, "categories", arr);
	}
	return page_render(req, res, 200, "faq", ctx);
}

static void
add_article(struct request *req, struct json_object *ctx,
    const struct kb_article *a)
{
	struct json_object	*o;
	struct kb_list		 l;
	long long		 other;
	const char		*olang;

	o = faq_article_json(req, a);
	if (o == NULL)
		return;
	json_object_object_add(o, "symptom_html",
	    jstr(kb_markdown_html(req->arena, a->symptom)));
	json_object_object_add(o, "problem_html",
	    jstr(kb_markdown_html(req->arena, a->problem)));
	json_object_object_add(o, "solution_html",
	    jstr(kb_markdown_html(req->arena, a->solution)));
	json_object_object_add(ctx, "article", o);
	olang = strcmp(a->lang, "fr") == 0 ? "en" : "fr";
	if (kb_translation(req->db, a->id, olang, false, &other) == P_OK &&
	    other != a->id)
		json_object_object_add(ctx, "translation_url", jstr(
		    arena_printf(req->arena, "/faq/%lld?lang=%s", other,
		    olang)));
	if (strcmp(a->lang, req->lang) != 0)
		json_object_object_add(ctx, "other_lang_only",
		    json_object_new_boolean(1));
	if (kb_related(req->db, req->arena, a->id, 5, &l) == P_OK && l.n > 0)
		json_object_object_add(ctx, "related", list_json(req, &l));
}

int
page_faq_article(struct request *req, struct response *res)
{
	struct json_object	*ctx;
	struct kb_article	 a;
	const char		*print, *voted;
	long long		 id, tid;
	int			 rc;

	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_get(req->db, req->arena, id, false, &a)) != P_OK)
		return rc;
	/* The reader's language first: an article that exists in it is
	 * served there; one that does not is served as it is, never 404. */
	if (strcmp(a.lang, req->lang) != 0 && kb_translation(req->db, id,
	    req->lang, false, &tid) == P_OK && tid != id)
		return redirect(req, res, 302, arena_printf(req->arena,
		    "/faq/%lld", tid));
	kb_article_viewed(req->db, id);
	if ((ctx = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "title", jstr(a.title));
	add_article(req, ctx, &a);
	voted = request_query(req, "voted");
	if (voted != NULL && strcmp(voted, "1") == 0)
		json_object_object_add(ctx, "vote_thanks",
		    json_object_new_boolean(1));
	else if (voted != NULL && strcmp(voted, "again") == 0)
		json_object_object_add(ctx, "vote_again",
		    json_object_new_boolean(1));
	print = request_query(req, "print");
	if (print != NULL && strcmp(print, "1") == 0)
		return page_render(req, res, 200, "faq_print", ctx);
	return page_render(req, res, 200, "faq_article", ctx);
}

int
page_faq_vote(struct request *req, struct response *res)
{
	struct kb_article	 a;
	const char		*h, *comment, *visitor;
	long long		 id;
	int			 rc;

	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if (!csrf_check(req))
		return P_EFORBIDDEN;
	if ((rc = kb_article_get(req->db, req->arena, id, false, &a)) != P_OK)
		return rc;
	h = request_form(req, "helpful");
	if (h == NULL || (strcmp(h, "yes") != 0 && strcmp(h, "no") != 0))
		return P_EINVAL;
	comment = request_form(req, "comment");
	if (comment != NULL && strlen(comment) > 2000)
		return P_ETOOBIG;
	if ((visitor = faq_visitor(req)) == NULL)
		return P_ENOMEM;
	rc = kb_vote(req->db, id, visitor, strcmp(h, "yes") == 0,
	    strcmp(h, "no") == 0 ? comment : NULL);
	if (rc != P_OK && rc != P_ECONFLICT)
		return rc;
	return redirect(req, res, 303, arena_printf(req->arena,
	    "/faq/%lld?voted=%s#vote", id, rc == P_OK ? "1" : "again"));
}

/* ---- XML: RSS, OpenSearch, sitemap ---- */

static int
xml_text(struct buf *b, const char *s)
{
	return buf_put_html(b, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

static int
xml_reply(struct response *res, const char *ctype, struct buf *b, int rc)
{
	if (rc == P_OK)
		rc = response_text(res, 200, ctype, buf_str(b), b->len);
	buf_cleanup(b);
	return rc;
}

int
page_faq_rss(struct request *req, struct response *res)
{
	const char	*base = req->app->cfg.base_url;
	struct kb_list	 l;
	struct buf	 b;
	struct tm	 tm;
	time_t		 t;
	char		 date[64];
	size_t		 i;
	int		 rc;

	if ((rc = kb_latest(req->db, req->arena, req->lang, FEED_MAX, &l)) !=
	    P_OK)
		return rc;
	buf_init(&b, XML_MAX);
	rc = buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\"><channel>\n<title>");
	rc = rc ? rc : xml_text(&b, i18n_get(req->app->i18n, req->lang,
	    "faq_title"));
	rc = rc ? rc : buf_puts(&b, "</title>\n<link>");
	rc = rc ? rc : xml_text(&b, base);
	rc = rc ? rc : buf_printf(&b, "/faq</link>\n<description>");
	rc = rc ? rc : xml_text(&b, i18n_get(req->app->i18n, req->lang,
	    "faq_rss_description"));
	rc = rc ? rc : buf_printf(&b, "</description>\n<language>%s"
	    "</language>\n", req->lang);
	for (i = 0; rc == 0 && i < l.n; i++) {
		t = (time_t)l.items[i].changed_at;
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
		    &tm);
		rc = buf_puts(&b, "<item><title>");
		rc = rc ? rc : xml_text(&b, l.items[i].title);
		rc = rc ? rc : buf_puts(&b, "</title><link>");
		rc = rc ? rc : xml_text(&b, base);
		rc = rc ? rc : buf_printf(&b, "/faq/%lld</link><guid>",
		    l.items[i].id);
		rc = rc ? rc : xml_text(&b, base);
		rc = rc ? rc : buf_printf(&b, "/faq/%lld#%lld</guid>"
		    "<category>", l.items[i].id, l.items[i].changed_at);
		rc = rc ? rc : xml_text(&b, l.items[i].category);
		rc = rc ? rc : buf_printf(&b, "</category><pubDate>%s"
		    "</pubDate></item>\n", date);
	}
	rc = rc ? rc : buf_puts(&b, "</channel></rss>\n");
	return xml_reply(res, "application/rss+xml; charset=utf-8", &b, rc);
}

int
page_opensearch(struct request *req, struct response *res)
{
	const char	*base = req->app->cfg.base_url;
	struct buf	 b;
	int		 rc;

	buf_init(&b, 64 * 1024);
	rc = buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<OpenSearchDescription "
	    "xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n<ShortName>");
	rc = rc ? rc : xml_text(&b, req->app->cfg.provider_name);
	rc = rc ? rc : buf_puts(&b, " FAQ</ShortName>\n<Description>");
	rc = rc ? rc : xml_text(&b, i18n_get(req->app->i18n, req->lang,
	    "faq_rss_description"));
	rc = rc ? rc : buf_puts(&b, "</Description>\n<InputEncoding>UTF-8"
	    "</InputEncoding>\n<Url type=\"text/html\" method=\"get\" "
	    "template=\"");
	rc = rc ? rc : xml_text(&b, base);
	rc = rc ? rc : buf_puts(&b, "/faq?q={searchTerms}\"/>\n"
	    "<Url type=\"application/json\" rel=\"results\" template=\"");
	rc = rc ? rc : xml_text(&b, base);
	rc = rc ? rc : buf_puts(&b, "/api/v1/faq/search?q={searchTerms}\"/>\n"
	    "</OpenSearchDescription>\n");
	return xml_reply(res, "application/opensearchdescription+xml", &b,
	    rc);
}

int
page_sitemap(struct request *req, struct response *res)
{
	const char	*base = req->app->cfg.base_url;
	struct kb_list	 l;
	struct buf	 b;
	struct tm	 tm;
	time_t		 t;
	char		 date[16];
	size_t		 i;
	int		 rc;

	if ((rc = kb_latest(req->db, req->arena, NULL, SITEMAP_MAX, &l)) !=
	    P_OK)
		return rc;
	buf_init(&b, XML_MAX);
	rc = buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
	    "<url><loc>");
	rc = rc ? rc : xml_text(&b, base);
	rc = rc ? rc : buf_puts(&b, "/</loc></url>\n<url><loc>");
	rc = rc ? rc : xml_text(&b, base);
	rc = rc ? rc : buf_puts(&b, "/faq</loc></url>\n");
	for (i = 0; rc == 0 && i < l.n; i++) {
		t = (time_t)l.items[i].changed_at;
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		rc = buf_puts(&b, "<url><loc>");
		rc = rc ? rc : xml_text(&b, base);
		rc = rc ? rc : buf_printf(&b, "/faq/%lld?lang=%s</loc>"
		    "<lastmod>%s</lastmod></url>\n", l.items[i].id,
		    l.items[i].lang, date);
	}
	rc = rc ? rc : buf_puts(&b, "</urlset>\n");
	return xml_reply(res, "application/xml; charset=utf-8", &b, rc);
}
