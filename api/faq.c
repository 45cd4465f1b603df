/* api/faq.c - the knowledge base API: search, suggestions, categories, an
 * article, and the reader's vote. Internal articles are never served here
 * until staff authentication exists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <sodium.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/kb.h"

#define COMMENT_MAX	2000

/* A positive article id from text, or 0. */
long long
faq_parse_id(const char *s)
{
	char		*end;
	long long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0)
		return 0;
	return n;
}

/* "fr" or "en" when s names one, else NULL. */
const char *
faq_lang(const char *s)
{
	if (s != NULL && strcmp(s, "fr") == 0)
		return "fr";
	if (s != NULL && strcmp(s, "en") == 0)
		return "en";
	return NULL;
}

static int
int_param(const struct request *req, const char *name, int dflt)
{
	const char	*v = request_query(req, name);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0')
		return dflt;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > 100000)
		return dflt;
	return (int)n;
}

/* One reader, for votes: a hash of the "vid" cookie, else of the address
 * and user agent. Only the hash is stored. */
const char *
faq_visitor(struct request *req)
{
	crypto_generichash_state st;
	unsigned char		 h[16];
	const char		*v, *ua;
	char			*hex;

	crypto_generichash_init(&st, (const unsigned char *)"bouncedesk-vote",
	    15, sizeof(h));
	v = request_cookie(req, "vid");
	if (v != NULL && strlen(v) >= 16 && strlen(v) <= 128) {
		crypto_generichash_update(&st, (const unsigned char *)"c:", 2);
		crypto_generichash_update(&st, (const unsigned char *)v,
		    strlen(v));
	} else {
		ua = req->header(req, "User-Agent");
		v = req->remote_addr != NULL ? req->remote_addr : "";
		crypto_generichash_update(&st, (const unsigned char *)"a:", 2);
		crypto_generichash_update(&st, (const unsigned char *)v,
		    strlen(v) + 1);
		if (ua != NULL)
			crypto_generichash_update(&st,
			    (const unsigned char *)ua, strlen(ua));
	}
	crypto_generichash_final(&st, h, sizeof(h));
	if ((hex = arena_alloc(req->arena, sizeof(h) * 2 + 1)) == NULL)
		return NULL;
	return sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
}

static struct json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

struct json_object *
faq_brief_json(struct request *req, const struct kb_brief *b)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_int64(b->id));
	json_object_object_add(o, "title", jstr(b->title));
	json_object_object_add(o, "url", jstr(arena_printf(req->arena,
	    "%s/faq/%lld", req->app->cfg.base_url, b->id)));
	json_object_object_add(o, "category", jstr(b->category));
	json_object_object_add(o, "lang", jstr(b->lang));
	return o;
}

/* Votes as count and percentage of "yes". */
static void
add_votes(struct json_object *o, long long yes, long long no)
{
	json_object_object_add(o, "votes_yes", json_object_new_int64(yes));
	json_object_object_add(o, "votes_no", json_object_new_int64(no));
	json_object_object_add(o, "helpful_percent", yes + no > 0 ?
	    json_object_new_int((int)(yes * 100 / (yes + no))) : NULL);
}

struct json_object *
faq_article_json(struct request *req, const struct kb_article *a)
{
	struct json_object	*o, *tags;
	const char		*p, *e;
	long long		 other;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "lang", jstr(a->lang));
	json_object_object_add(o, "title", jstr(a->title));
	json_object_object_add(o, "category", jstr(a->category));
	json_object_object_add(o, "state", jstr(a->state));
	json_object_object_add(o, "keywords", jstr(a->keywords));
	tags = json_object_new_array();
	for (p = a->tags; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		if (e > p)
			json_object_array_add(tags, json_object_new_string_len(
			    p, (int)(e - p)));
	}
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "symptom", jstr(a->symptom));
	json_object_object_add(o, "problem", jstr(a->problem));
	json_object_object_add(o, "solution", jstr(a->solution));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(a->created_at));
	json_object_object_add(o, "changed_at",
	    json_object_new_int64(a->changed_at));
	json_object_object_add(o, "views", json_object_new_int64(a->views));
	add_votes(o, a->votes_yes, a->votes_no);
	json_object_object_add(o, "url", jstr(arena_printf(req->arena,
	    "%s/faq/%lld", req->app->cfg.base_url, a->id)));
	if (kb_translation(req->db, a->id, strcmp(a->lang, "fr") == 0 ?
	    "en" : "fr", false, &other) == P_OK)
		json_object_object_add(o, "translation_id",
		    json_object_new_int64(other));
	return o;
}

/* A pasted error line is a query too: the verdict of the diagnosis of
 * the first result (reason, explanation, steps, the articles its rules
 * link), or NULL when q does not look like an error or says nothing. */
struct json_object *
faq_diagnosis(struct request *req, const char *q, const char *lang)
{
	static const char *const keep[] = { "reason", "status", "replycode",
	    "explanation", "steps", "faq" };
	struct json_object	*rep = NULL, *arr, *first, *v, *o;
	size_t			 i;

	if (!kb_looks_like_error(q))
		return NULL;
	if (diagnose_request(req, q, strlen(q), DIAG_IN_AUTO,
	    lang != NULL ? lang : req->lang, 0, &rep) != P_OK || rep == NULL)
		return NULL;
	if (!json_object_object_get_ex(rep, "results", &arr) ||
	    json_object_array_length(arr) == 0 ||
	    (first = json_object_array_get_idx(arr, 0)) == NULL ||
	    (o = json_object_new_object()) == NULL) {
		json_object_put(rep);
		return NULL;
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_object_get_ex(first, keep[i], &v))
			json_object_object_add(o, keep[i], json_object_get(v));
	json_object_put(rep);
	return o;
}

int
api_faq_search(struct request *req, struct response *res)
{
	struct kb_results	 r;
	struct json_object	*o, *arr, *h;
	const char		*q;
	size_t			 i;
	int			 rc;

	q = request_query(req, "q");
	if (q == NULL || *q == '\0')
		return response_problem(res, req, 400, "missing-query",
		    "Bad Request", "give the words to search in q");
	rc = kb_search(req->db, req->arena, q,
	    faq_lang(request_query(req, "lang")),
	    request_query(req, "category"), int_param(req, "page", 1),
	    int_param(req, "per_page", 10), false, &r);
	if (rc != P_OK)
		return rc;
	if ((o = json_object_new_object()) == NULL)
		return P_ENOMEM;
	arr = json_object_new_array();
	for (i = 0; i < r.nhits; i++) {
		if ((h = faq_brief_json(req, &r.hits[i])) == NULL)
			continue;
		json_object_object_add(h, "snippet",
		    jstr(kb_marks_plain(req->arena, r.hits[i].snippet)));
		json_object_object_add(h, "snippet_html",
		    jstr(kb_marks_html(req->arena, r.hits[i].snippet)));
		/* bm25 is lower for better hits; the API says higher. */
		json_object_object_add(h, "score",
		    json_object_new_double(-r.hits[i].score));
		json_object_array_add(arr, h);
	}
	json_object_object_add(o, "results", arr);
	json_object_object_add(o, "total", json_object_new_int64(r.total));
	json_object_object_add(o, "page", json_object_new_int(r.page));
	json_object_object_add(o, "per_page", json_object_new_int(r.per_page));
	json_object_object_add(o, "did_you_mean", jstr(r.did_you_mean));
	json_object_object_add(o, "any_word", json_object_new_boolean(
	    r.any_word));
	if ((h = faq_diagnosis(req, q, faq_lang(request_query(req,
	    "lang")))) != NULL)
		json_object_object_add(o, "diagnosis", h);
	return response_json(res, 200, o);
}

int
api_faq_suggest(struct request *req, struct response *res)
{
	struct kb_list		 l;
	struct json_object	*arr;
	size_t			 i;
	int			 rc;

	rc = kb_suggest(req->db, req->arena, request_query(req, "q"),
	    faq_lang(request_query(req, "lang")), 8, &l);
	if (rc != P_OK)
		return rc;
	if ((arr = json_object_new_array()) == NULL)
		return P_ENOMEM;
	for (i = 0; i < l.n; i++)
		json_object_array_add(arr, faq_brief_json(req, &l.items[i]));
	response_header(res, "Cache-Control", "public, max-age=60");
	return response_json(res, 200, arr);
}

int
api_faq_categories(struct request *req, struct response *res)
{
	struct kb_category	*c;
	struct json_object	*arr, *o;
	size_t			 n, i;
	int			 rc;

	rc = kb_categories(req->db, req->arena,
	    faq_lang(request_query(req, "lang")), &c, &n);
	if (rc != P_OK)
		return rc;
	if ((arr = json_object_new_array()) == NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "path", jstr(c[i].path));
		json_object_object_add(o, "count",
		    json_object_new_int64(c[i].count));
		json_object_array_add(arr, o);
	}
	return response_json(res, 200, arr);
}

int
api_faq_get(struct request *req, struct response *res)
{
	struct kb_article	 a;
	struct json_object	*o;
	long long		 id;
	int			 rc;

	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_get(req->db, req->arena, id, false, &a)) != P_OK)
		return rc;
	if ((o = faq_article_json(req, &a)) == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "solution_html",
	    jstr(kb_markdown_html(req->arena, a.solution)));
	json_object_object_add(o, "symptom_html",
	    jstr(kb_markdown_html(req->arena, a.symptom)));
	json_object_object_add(o, "problem_html",
	    jstr(kb_markdown_html(req->arena, a.problem)));
	return response_json(res, 200, o);
}

int
api_faq_vote(struct request *req, struct response *res)
{
	struct json_object	*body, *v, *o;
	struct kb_article	 a;
	const char		*comment = NULL, *visitor;
	long long		 id;
	int			 rc, helpful;

	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_get(req->db, req->arena, id, false, &a)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	if (!json_object_object_get_ex(body, "helpful", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		json_object_put(body);
		return response_problem(res, req, 422, "missing-helpful",
		    "Unprocessable Content",
		    "the JSON object needs a boolean field \"helpful\"");
	}
	helpful = json_object_get_boolean(v);
	if (json_object_object_get_ex(body, "comment", &v) &&
	    json_object_is_type(v, json_type_string))
		comment = arena_strdup(req->arena, json_object_get_string(v));
	json_object_put(body);
	if (comment != NULL && strlen(comment) > COMMENT_MAX)
		return response_problem(res, req, 422, "comment-too-long",
		    "Unprocessable Content", "the comment is over 2000 bytes");
	if ((visitor = faq_visitor(req)) == NULL)
		return P_ENOMEM;
	rc = kb_vote(req->db, id, visitor, helpful, comment);
	if (rc == P_ECONFLICT)
		return response_problem(res, req, 409, "already-voted",
		    "Conflict", "this visitor already voted on this article");
	if (rc != P_OK)
		return rc;
	if ((rc = kb_article_get(req->db, req->arena, id, false, &a)) != P_OK)
		return rc;
	if ((o = json_object_new_object()) == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "id", json_object_new_int64(id));
	add_votes(o, a.votes_yes, a.votes_no);
	return response_json(res, 201, o);
}
