/* web/router.c - method + path -> handler. Patterns are literal segments,
 * {name} segments (one path segment, captured) and a final star that
 * captures the rest of the path as the parameter "*". */
#include <string.h>
#include <strings.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/router.h"

/* Every answer gets these; pages and API alike. */
static const struct http_kv security_headers[] = {
	{ "Content-Security-Policy", "default-src 'self'; img-src 'self' "
	    "data:; style-src 'self'; script-src 'self'; object-src 'none'; "
	    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "same-origin" },
	{ "X-Frame-Options", "DENY" },
};

int
router_match(const char *pattern, const char *path, struct arena *a,
    struct http_kv *params, size_t *nparams)
{
	const char	*p = pattern, *s = path, *pe, *se;

	*nparams = 0;
	while (*p != '\0' && *s != '\0') {
		if (*p == '*' && p[1] == '\0') {
			if (*nparams == HTTP_MAX_PARAMS)
				return 0;
			params[*nparams].k = "*";
			params[(*nparams)++].v = s;
			return 1;
		}
		if (*p == '{') {
			pe = strchr(p, '}');
			if (pe == NULL)
				return 0;
			se = strchr(s, '/');
			if (se == NULL)
				se = s + strlen(s);
			if (se == s || *nparams == HTTP_MAX_PARAMS)
				return 0;
			params[*nparams].k = arena_strndup(a, p + 1,
			    (size_t)(pe - p - 1));
			params[*nparams].v = arena_strndup(a, s,
			    (size_t)(se - s));
			if (params[*nparams].k == NULL ||
			    params[*nparams].v == NULL)
				return 0;
			(*nparams)++;
			p = pe + 1;
			s = se;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p == '*' && p[1] == '\0' && *s == '\0')
		return 0;	/* "/static/" alone names no file */
	return *p == '\0' && *s == '\0';
}

static int
wants_html(const struct request *req)
{
	const char	*acc;

	acc = req->header(req, "Accept");
	return acc != NULL && strstr(acc, "text/html") != NULL;
}

/* The allowed methods of routes matching req->path, as an Allow value. */
static unsigned
allowed_methods(struct request *req)
{
	const struct route	*r;
	struct http_kv		 params[HTTP_MAX_PARAMS];
	size_t			 n;
	unsigned		 m = 0;

	for (r = routes; r->pattern != NULL; r++)
		if (router_match(r->pattern, req->path, req->arena, params, &n))
			m |= r->methods;
	if (m & HTTP_GET)
		m |= HTTP_HEAD;
	return m;
}

static const char *
allow_value(struct arena *a, unsigned m)
{
	static const enum http_method order[] = { HTTP_GET, HTTP_HEAD,
	    HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS };
	const char	*out = "";
	size_t		 i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]) && out != NULL; i++) {
		if ((m & order[i]) == 0)
			continue;
		out = arena_printf(a, "%s%s%s", out, out[0] != '\0' ? ", " : "",
		    http_method_name(order[i]));
	}
	return out;
}

/* Answers code as a problem, or as the HTML error page for pages. */
int	page_error(struct request *, struct response *, int, const char *);

static void
answer_error(struct request *req, struct response *res, int code,
    unsigned flags, const char *detail)
{
	if ((flags & R_HTML) || (req->route == NULL && wants_html(req))) {
		if (page_error(req, res, code, detail) == P_OK)
			return;
	}
	if (response_error(res, req, code, detail) != P_OK) {
		res->status = 500;
		res->content_type = "text/plain";
	}
}

void
router_dispatch(struct request *req, struct response *res)
{
	const struct route	*r;
	enum http_method	 m;
	unsigned		 allow;
	int			 rc;

	m = req->method == HTTP_HEAD ? HTTP_GET : req->method;
	for (r = routes; r->pattern != NULL; r++) {
		if ((r->methods & m) == 0)
			continue;
		if (router_match(r->pattern, req->path, req->arena,
		    req->params, &req->nparams))
			break;
	}
	if (r->pattern == NULL) {
		req->nparams = 0;
		allow = allowed_methods(req);
		if (allow != 0) {
			answer_error(req, res, P_EMETHOD, 0,
			    "this method is not allowed here");
			response_header(res, "Allow",
			    allow_value(req->arena, allow));
		} else
			answer_error(req, res, P_ENOTFOUND, 0,
			    "no such page or resource");
	} else {
		req->route = r->pattern;
		rc = r->handler(req, res);
		if (rc != P_OK)
			answer_error(req, res, rc, r->flags, NULL);
		else if (res->status == 0)
			res->status = 200;
	}
	router_secure(res);
}

void
router_secure(struct response *res)
{
	size_t	 i;

	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]);
	    i++)
		response_header(res, security_headers[i].k,
		    security_headers[i].v);
}
