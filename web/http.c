/* web/http.c - the transport-neutral request/response helpers, and
 * http_handle(), the one path every request takes from a transport. */
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/log.h"
#include "bouncedesk/metrics.h"
#include "bouncedesk/router.h"
#include "bouncedesk/store.h"

#define RESPONSE_MAX	(32 * 1024 * 1024)	/* a response body's cap */

static const struct {
	enum http_method	 m;
	const char		*name;
} methods[] = {
	{ HTTP_GET, "GET" }, { HTTP_HEAD, "HEAD" }, { HTTP_POST, "POST" },
	{ HTTP_PUT, "PUT" }, { HTTP_PATCH, "PATCH" },
	{ HTTP_DELETE, "DELETE" }, { HTTP_OPTIONS, "OPTIONS" },
};

enum http_method
http_method_parse(const char *s)
{
	size_t	 i;

	for (i = 0; s != NULL && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(s, methods[i].name) == 0)
			return methods[i].m;
	return HTTP_OTHER;
}

const char *
http_method_name(enum http_method m)
{
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].m == m)
			return methods[i].name;
	return "OTHER";
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
response_init(struct response *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->body, RESPONSE_MAX);
}

void
response_cleanup(struct response *res)
{
	buf_cleanup(&res->body);
}

int
response_header(struct response *res, const char *k, const char *v)
{
	size_t	 i;

	/* Every cookie needs a header line of its own. */
	if (strcasecmp(k, "Set-Cookie") == 0)
		return response_header_add(res, k, v);
	for (i = 0; i < res->nhdr; i++) {
		if (strcasecmp(res->hdr[i].k, k) == 0) {
			res->hdr[i].v = v;
			return P_OK;
		}
	}
	if (res->nhdr == HTTP_MAX_HDRS)
		return P_ETOOBIG;
	res->hdr[res->nhdr].k = k;
	res->hdr[res->nhdr].v = v;
	res->nhdr++;
	return P_OK;
}

int
response_header_add(struct response *res, const char *k, const char *v)
{
	if (res->nhdr == HTTP_MAX_HDRS)
		return P_ETOOBIG;
	res->hdr[res->nhdr].k = k;
	res->hdr[res->nhdr].v = v;
	res->nhdr++;
	return P_OK;
}

int
response_text(struct response *res, int status, const char *ctype,
    const char *body, size_t len)
{
	res->status = status;
	res->content_type = ctype;
	buf_reset(&res->body);
	return buf_append(&res->body, body, len);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not
 * one: overlong forms, surrogates and code points past U+10FFFF too. */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	size_t	 n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Appends s to out with every invalid UTF-8 byte replaced by U+FFFD.
 * json-c copies string bytes as they are, and texts pasted by customers
 * are not always UTF-8: the answer must still be valid JSON. */
static int
append_utf8(struct buf *out, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, run = 0;
	int			 rc = P_OK;

	while (i < len && rc == P_OK) {
		n = utf8_seq(p + i, len - i);
		if (n > 0) {
			i += n;
			run += n;
			continue;
		}
		rc = buf_append(out, s + i - run, run);
		if (rc == P_OK)
			rc = buf_append(out, "\xef\xbf\xbd", 3);
		run = 0;
		i++;
	}
	if (rc == P_OK)
		rc = buf_append(out, s + i - run, run);
	return rc;
}

int
response_json(struct response *res, int status, struct json_object *obj)
{
	const char	*s;
	size_t		 len;
	int		 rc;

	if (obj == NULL)
		return P_ENOMEM;
	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	res->status = status;
	res->content_type = "application/json";
	buf_reset(&res->body);
	rc = append_utf8(&res->body, s, len);
	json_object_put(obj);
	return rc;
}

int
response_problem(struct response *res, const struct request *req,
    int status, const char *slug, const char *title, const char *detail)
{
	struct json_object	*o;
	char			 type[128];
	int			 rc;

	snprintf(type, sizeof(type), "/problems/%s", slug);
	o = json_object_new_object();
	if (o == NULL)
		return P_ENOMEM;
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "status", json_object_new_int(status));
	if (detail != NULL)
		json_object_object_add(o, "detail",
		    json_object_new_string(detail));
	if (req != NULL && req->path != NULL)
		json_object_object_add(o, "instance",
		    json_object_new_string(req->path));
	rc = response_json(res, status, o);
	res->content_type = "application/problem+json";
	return rc;
}

int
http_status_from_err(int code)
{
	switch (code) {
	case P_OK:		return 200;
	case P_EINVAL:		return 400;
	case P_EUNAUTH:		return 401;
	case P_EFORBIDDEN:	return 403;
	case P_ENOTFOUND:	return 404;
	case P_EMETHOD:		return 405;
	case P_ECONFLICT:	return 409;
	case P_ETOOBIG:		return 413;
	case P_EUNSUPP:		return 415;
	case P_ERATE:		return 429;
	case P_EDB:		return 503;
	default:		return 500;
	}
}

int
response_error(struct response *res, const struct request *req, int code,
    const char *detail)
{
	int	 status;
	char	 slug[32];
	size_t	 i;

	status = http_status_from_err(code);
	/* "einval" -> "invalid": stable slugs derived from the code name */
	snprintf(slug, sizeof(slug), "%s", perr_name(code));
	for (i = 0; slug[i] != '\0'; i++)
		if (slug[i] == '_')
			slug[i] = '-';
	return response_problem(res, req, status,
	    slug[0] == 'e' ? slug + 1 : slug, http_reason(status), detail);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
http_urldecode(struct arena *a, const char *s, size_t len, bool plus)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	out = arena_alloc(a, len + 1);
	if (out == NULL)
		return NULL;
	for (i = 0, o = out; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len)
				return NULL;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus && s[i] == '+')
			*o++ = ' ';
		else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

const char *
http_form_get(struct arena *a, const char *qs, const char *name)
{
	const char	*p, *amp, *eq;
	size_t		 nlen;

	if (qs == NULL || name == NULL)
		return NULL;
	nlen = strlen(name);
	for (p = qs; *p != '\0'; p = amp + 1) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0)
			return http_urldecode(a, eq + 1,
			    (size_t)(amp - eq - 1), true);
		if (eq == NULL && (size_t)(amp - p) == nlen &&
		    memcmp(p, name, nlen) == 0)
			return "";
		if (*amp == '\0')
			break;
	}
	return NULL;
}

const char *
request_query(const struct request *req, const char *name)
{
	return http_form_get(req->arena, req->query, name);
}

const char *
request_form(const struct request *req, const char *name)
{
	const char	*ct;

	ct = req->header(req, "Content-Type");
	if (ct == NULL || strncasecmp(ct,
	    "application/x-www-form-urlencoded", 33) != 0)
		return NULL;
	return http_form_get(req->arena, req->body, name);
}

const char *
request_param(const struct request *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].k, name) == 0)
			return req->params[i].v;
	return NULL;
}

const char *
request_cookie(const struct request *req, const char *name)
{
	const char	*c, *p, *end, *eq;
	size_t		 nlen;

	c = req->header(req, "Cookie");
	if (c == NULL)
		return NULL;
	nlen = strlen(name);
	for (p = c; *p != '\0'; p = end) {
		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0)
			return arena_strndup(req->arena, eq + 1,
			    (size_t)(end - eq - 1));
	}
	return NULL;
}

const char *
json_get_str(struct json_object *o, const char *k)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
http_parse_id(const char *s, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return P_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return P_EINVAL;
	*out = v;
	return P_OK;
}

struct json_object *
request_json(const struct request *req, int *err)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	*err = P_EINVAL;
	if (req->body_len == 0)
		return NULL;
	tok = json_tokener_new_ex(32);
	if (tok == NULL) {
		*err = P_ENOMEM;
		return NULL;
	}
	o = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != req->body_len ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	} else
		*err = P_OK;
	json_tokener_free(tok);
	return o;
}

static atomic_ullong	 next_request_id;

static void
http_account(const struct app *app, struct request *req,
    struct response *res, const struct timespec *t0)
{
	struct timespec	 t1;
	double		 secs;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	if (app->metrics != NULL)
		metrics_observe(app->metrics, req->route, res->status, secs);
	log_access(req->id, req->method_str != NULL ? req->method_str : "?",
	    req->route != NULL ? req->route : "-", res->status, secs * 1e3,
	    req->remote_addr != NULL ? req->remote_addr : "-");
}

void
http_refuse(const struct app *app, struct request *req,
    struct response *res, int code, const char *detail)
{
	struct timespec	 t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	req->app = app;
	req->id = atomic_fetch_add(&next_request_id, 1) + 1;
	if (response_error(res, req, code, detail) != P_OK)
		res->status = http_status_from_err(code);
	router_secure(res);
	http_account(app, req, res, &t0);
}

void
http_handle(const struct app *app, struct request *req, struct response *res)
{
	struct timespec	 t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	req->app = app;
	req->id = atomic_fetch_add(&next_request_id, 1) + 1;
	if (req->query == NULL)
		req->query = "";
	req->lang = i18n_negotiate(request_query(req, "lang"),
	    request_cookie(req, "lang"), req->header(req, "Accept-Language"),
	    app->cfg.lang_default);
	req->db = app->pool != NULL ? store_pool_get(app->pool) : NULL;
	router_dispatch(req, res);
	if (req->db != NULL)
		store_pool_put(app->pool, req->db);
	req->db = NULL;
	http_account(app, req, res, &t0);
}
