/* api/faq_admin.c - the knowledge base for ticketing systems: create
 * (POST /api/v1/faq), replace or change (PUT / PATCH /api/v1/faq/{id}) and
 * delete articles with an API key holding faq:write, and
 * GET /api/v1/faq?updated_since= to keep a copy in sync. Every write keeps
 * a revision, authored "api:<client name>". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/auth.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/kb.h"

#define SYNC_DEFAULT	100
#define SYNC_MAX	500

static int
invalid(struct request *req, struct response *res, const char *detail)
{
	return response_problem(res, req, 422, "invalid-article",
	    "Unprocessable Content", detail);
}

/* A string field: P_OK with *out (arena; "" for null, unchanged when
 * absent), P_EINVAL when present with another type. */
static int
str_field(struct request *req, struct json_object *body, const char *k,
    const char **out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(body, k, &v))
		return P_OK;		/* absent: *out unchanged */
	if (v == NULL) {
		*out = "";
		return P_OK;
	}
	if (!json_object_is_type(v, json_type_string))
		return P_EINVAL;
	*out = arena_strdup(req->arena, json_object_get_string(v));
	return *out != NULL ? P_OK : P_ENOMEM;
}

/* A list field (tags, keywords): a string as is, or an array of strings
 * joined with sep. */
static int
list_field(struct request *req, struct json_object *body, const char *k,
    const char *sep, const char **out)
{
	struct json_object	*v, *e;
	const char		*acc = "";
	size_t			 i, n;

	if (!json_object_object_get_ex(body, k, &v) || v == NULL ||
	    json_object_is_type(v, json_type_string))
		return str_field(req, body, k, out);
	if (!json_object_is_type(v, json_type_array))
		return P_EINVAL;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return P_EINVAL;
		acc = arena_printf(req->arena, "%s%s%s", acc, i > 0 ? sep : "",
		    json_object_get_string(e));
		if (acc == NULL)
			return P_ENOMEM;
		if (strlen(acc) > KB_KEYWORDS_MAX)
			return P_ETOOBIG;
	}
	*out = acc;
	return P_OK;
}

/* Applies the fields of body over a (a PATCH keeps what is absent; a
 * create or PUT starts from an empty article). */
static int
apply_json(struct request *req, struct json_object *body,
    struct kb_article *a)
{
	struct json_object	*v;
	const char		*lang = NULL;
	int			 rc = P_OK;

	rc = str_field(req, body, "lang", &lang);
	if (rc == P_OK && lang != NULL && (a->lang = faq_lang(lang)) == NULL)
		rc = P_EINVAL;
	rc = rc ? rc : str_field(req, body, "title", &a->title);
	rc = rc ? rc : str_field(req, body, "category", &a->category);
	rc = rc ? rc : str_field(req, body, "state", &a->state);
	rc = rc ? rc : list_field(req, body, "keywords", "; ", &a->keywords);
	rc = rc ? rc : list_field(req, body, "tags", ",", &a->tags);
	rc = rc ? rc : str_field(req, body, "symptom", &a->symptom);
	rc = rc ? rc : str_field(req, body, "problem", &a->problem);
	rc = rc ? rc : str_field(req, body, "solution", &a->solution);
	if (rc == P_OK && json_object_object_get_ex(body, "translation_of",
	    &v)) {
		if (v == NULL)
			a->translation_of = 0;
		else if (json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) >= 0)
			a->translation_of = json_object_get_int64(v);
		else
			rc = P_EINVAL;
	}
	if (rc == P_OK && a->category != NULL && a->category[0] == '\0')
		a->category = NULL;		/* "General" */
	return rc;
}

static void
blank(struct kb_article *a)
{
	memset(a, 0, sizeof(*a));
	a->state = "public";
	a->keywords = a->tags = "";
	a->symptom = a->problem = a->solution = "";
}

static const char *
author(struct request *req, const struct auth_principal *p)
{
	return arena_printf(req->arena, "api:%s", p->name != NULL ? p->name :
	    "client");
}

/* Saves a and answers it (status 201 or 200). */
static int
save_answer(struct request *req, struct response *res,
    const struct auth_principal *p, struct kb_article *a, int status)
{
	struct kb_article	 out;
	struct json_object	*o;
	const char		*who;
	int			 rc;

	if ((who = author(req, p)) == NULL)
		return P_ENOMEM;
	rc = kb_article_save(req->db, a, who);
	if (rc == P_EINVAL)
		return invalid(req, res, "need lang fr|en and a title of 1 to "
		    "300 characters on one line; state public|internal; a "
		    "translation_of naming an article in the other language");
	if (rc == P_ETOOBIG)
		return invalid(req, res, "a field is too long (category 100, "
		    "keywords and tags 1000, each text 65536 bytes)");
	if (rc != P_OK)
		return rc;
	if ((rc = kb_article_get(req->db, req->arena, a->id, true, &out)) !=
	    P_OK)
		return rc;
	if ((o = faq_article_json(req, &out)) == NULL)
		return P_ENOMEM;
	if (out.translation_of > 0)
		json_object_object_add(o, "translation_of",
		    json_object_new_int64(out.translation_of));
	if (status == 201)
		response_header(res, "Location", arena_printf(req->arena,
		    "/api/v1/faq/%lld", a->id));
	return response_json(res, status, o);
}

static int
faq_create(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct kb_article	 a;
	struct json_object	*body;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_FAQ_WRITE, &p)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	blank(&a);
	rc = apply_json(req, body, &a);
	json_object_put(body);
	if (rc == P_EINVAL)
		return invalid(req, res, "a field has the wrong type");
	if (rc != P_OK)
		return rc;
	a.id = 0;
	return save_answer(req, res, &p, &a, 201);
}

int
api_faq_create(struct request *req, struct response *res)
{
	return auth_idempotent(req, res, faq_create);
}

/* PUT replaces the whole article (absent fields become empty); PATCH
 * changes the fields it names. */
int
api_faq_replace(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct kb_article	 a, cur;
	struct json_object	*body;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_FAQ_WRITE, &p)) != P_OK)
		return rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_get(req->db, req->arena, id, true, &cur)) != P_OK)
		return rc;
	if ((body = request_json(req, &rc)) == NULL)
		return response_problem(res, req, 400, "invalid-json",
		    "Bad Request", "the body is not a JSON object");
	if (req->method == HTTP_PATCH)
		a = cur;
	else {
		blank(&a);
		a.lang = cur.lang;	/* unless the body says otherwise */
	}
	rc = apply_json(req, body, &a);
	json_object_put(body);
	if (rc == P_EINVAL)
		return invalid(req, res, "a field has the wrong type");
	if (rc != P_OK)
		return rc;
	a.id = id;
	return save_answer(req, res, &p, &a, 200);
}

int
api_faq_delete(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	long long		 id;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_FAQ_WRITE, &p)) != P_OK)
		return rc;
	if ((id = faq_parse_id(request_param(req, "id"))) == 0)
		return P_ENOTFOUND;
	if ((rc = kb_article_remove(req->db, id)) != P_OK)
		return rc;
	return response_text(res, 204, "text/plain; charset=utf-8", "", 0);
}

/* GET /api/v1/faq/export: every article as the JSON document of
 * `bouncedesk faq-export` (faq:write: internal articles are in it). */
int
api_faq_export(struct request *req, struct response *res)
{
	struct auth_principal	 p;
	struct buf		 b;
	int			 rc;

	if ((rc = auth_request(req, res, AUTH_FAQ_WRITE, &p)) != P_OK)
		return rc;
	buf_init(&b, 256 * 1024 * 1024);
	rc = kb_export_json(req->db, &b);
	if (rc == P_OK)
		rc = response_text(res, 200, "application/json", buf_str(&b),
		    b.len);
	if (rc == P_OK)
		rc = response_header(res, "Content-Disposition",
		    "attachment; filename=\"faq-export.json\"");
	buf_cleanup(&b);
	return rc;
}

/* ---- sync ---- */

/* Unix seconds, or an ISO 8601 UTC time "2025-01-31T14:05:00Z" (the
 * date alone is midnight). -1 when it is neither. */
static long long
parse_since(const char *s)
{
	struct tm	 tm;
	char		*end;
	long long	 n;
	int		 used = 0;

	if (s == NULL || *s == '\0')
		return 0;
	if (s[strspn(s, "0123456789")] == '\0') {
		errno = 0;
		n = strtoll(s, &end, 10);
		return errno == 0 && *end == '\0' ? n : -1;
	}
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &used) != 3 || used != 10)
		return -1;
	s += used;
	if (*s == 'T') {
		used = 0;
		if (sscanf(s, "T%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min,
		    &tm.tm_sec, &used) != 3 || used != 9)
			return -1;
		s += used;
	}
	if ((*s != '\0' && strcmp(s, "Z") != 0) || tm.tm_year < 1970 ||
	    tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* The cursor "T-ID" of the last article of a page. */
static int
parse_cursor(const char *s, long long *t, long long *id)
{
	const char	*dash;
	char		*end;

	*t = *id = 0;
	if (s == NULL || *s == '\0')
		return P_OK;
	if ((dash = strchr(s, '-')) == NULL || dash == s)
		return P_EINVAL;
	errno = 0;
	*t = strtoll(s, &end, 10);
	if (errno != 0 || end != dash || *t < 0)
		return P_EINVAL;
	*id = strtoll(dash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || *id < 0 || end == dash + 1)
		return P_EINVAL;
	return P_OK;
}

/* Internal articles only for a key with faq:write; a key that is sent
 * must be good (no silent downgrade to the public view). */
static int
sync_access(struct request *req, struct response *res, bool *internal)
{
	struct auth_principal	 p;
	int			 rc;

	*internal = false;
	if (req->header(req, "Authorization") == NULL)
		return P_OK;
	if ((rc = auth_request(req, res, AUTH_FAQ_WRITE, &p)) != P_OK)
		return rc;
	*internal = true;
	return P_OK;
}

int
api_faq_list(struct request *req, struct response *res)
{
	struct kb_article	*v;
	struct json_object	*o, *arr, *ids, *x;
	const char		*lim;
	long long		 since, at, aid, *idv;
	size_t			 n, i, nid, max = SYNC_DEFAULT;
	bool			 internal;
	int			 rc;

	if ((rc = sync_access(req, res, &internal)) != P_OK)
		return rc;
	if ((since = parse_since(request_query(req, "updated_since"))) < 0)
		return response_problem(res, req, 400, "bad-updated-since",
		    "Bad Request", "updated_since is unix seconds or "
		    "YYYY-MM-DDTHH:MM:SSZ");
	if (parse_cursor(request_query(req, "after"), &at, &aid) != P_OK)
		return response_problem(res, req, 400, "bad-cursor",
		    "Bad Request", "after is a previous page's next_after");
	lim = request_query(req, "limit");
	if (lim != NULL && (faq_parse_id(lim) < 1 ||
	    faq_parse_id(lim) > SYNC_MAX))
		return response_problem(res, req, 400, "bad-limit",
		    "Bad Request", "limit is 1 to 500");
	if (lim != NULL)
		max = (size_t)faq_parse_id(lim);
	rc = kb_changed_since(req->db, req->arena, since, at, aid, internal,
	    max, &v, &n);
	if (rc != P_OK)
		return rc;
	if ((o = json_object_new_object()) == NULL)
		return P_ENOMEM;
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		if ((x = faq_article_json(req, &v[i])) == NULL)
			continue;
		json_object_object_add(x, "translation_of",
		    v[i].translation_of > 0 ?
		    json_object_new_int64(v[i].translation_of) : NULL);
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "articles", arr);
	json_object_object_add(o, "count",
	    json_object_new_int64((long long)n));
	/* A full page may have a next one. */
	json_object_object_add(o, "next_after", n == max && n > 0 ?
	    json_object_new_string(arena_printf(req->arena, "%lld-%lld",
	    v[n - 1].changed_at, v[n - 1].id)) : NULL);
	json_object_object_add(o, "server_time",
	    json_object_new_int64((long long)time(NULL)));
	/* Deletions leave no row: the ids let a client drop its extras. */
	if (request_query(req, "ids") != NULL &&
	    kb_article_ids(req->db, req->arena, internal, &idv, &nid) ==
	    P_OK && (ids = json_object_new_array()) != NULL) {
		for (i = 0; i < nid; i++)
			json_object_array_add(ids,
			    json_object_new_int64(idv[i]));
		json_object_object_add(o, "ids", ids);
	}
	response_header(res, "Cache-Control", "no-store");
	return response_json(res, 200, o);
}
