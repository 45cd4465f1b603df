/* web/pages.c - the common page context, CSRF tokens, the error page and
 * the home page. */
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "bouncedesk/app.h"
#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/handlers.h"
#include "bouncedesk/i18n.h"
#include "bouncedesk/pages.h"
#include "bouncedesk/tmpl.h"

#define CSRF_BYTES	32

static bool
token_valid(const char *t)
{
	size_t	 i;

	if (t == NULL || strlen(t) != CSRF_BYTES * 2)
		return false;
	for (i = 0; t[i] != '\0'; i++)
		if (!((t[i] >= '0' && t[i] <= '9') ||
		    (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return true;
}

const char *
csrf_token(struct request *req, struct response *res)
{
	const char	*t;
	unsigned char	 raw[CSRF_BYTES];
	char		*hex, *cookie;

	size_t		 i;

	t = request_cookie(req, "csrf");
	if (token_valid(t))
		return t;
	/* Already made for this answer: the form and the cookie must agree. */
	for (i = 0; i < res->nhdr; i++)
		if (strcasecmp(res->hdr[i].k, "Set-Cookie") == 0 &&
		    strncmp(res->hdr[i].v, "csrf=", 5) == 0)
			return arena_strndup(req->arena, res->hdr[i].v + 5,
			    CSRF_BYTES * 2);
	hex = arena_alloc(req->arena, CSRF_BYTES * 2 + 1);
	if (hex == NULL)
		return "";
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, CSRF_BYTES * 2 + 1, raw, sizeof(raw));
	cookie = arena_printf(req->arena,
	    "csrf=%s; Path=/; HttpOnly; SameSite=Strict", hex);
	if (cookie != NULL)
		response_header(res, "Set-Cookie", cookie);
	return hex;
}

bool
csrf_check(const struct request *req)
{
	const char	*c, *f;

	c = request_cookie(req, "csrf");
	f = request_form(req, "csrf");
	if (!token_valid(c) || f == NULL || strlen(f) != strlen(c))
		return false;
	return sodium_memcmp(c, f, strlen(c)) == 0;
}

/* The current address with lang=<lang> instead of any lang parameter, so
 * that switching language keeps a search or a filter. */
static const char *
switch_url(struct request *req, const char *lang)
{
	const char	*q = req->query, *amp;
	char		*out;
	size_t		 n;

	out = arena_printf(req->arena, "%s?lang=%s", req->path, lang);
	while (out != NULL && q != NULL && *q != '\0') {
		amp = strchr(q, '&');
		n = amp != NULL ? (size_t)(amp - q) : strlen(q);
		if (n > 0 && !(n >= 5 && strncmp(q, "lang=", 5) == 0))
			out = arena_printf(req->arena, "%s&%.*s", out, (int)n,
			    q);
		q = amp != NULL ? amp + 1 : NULL;
	}
	return out != NULL ? out : "/";
}

/* An explicit ?lang= choice is remembered for the next pages. */
static void
remember_lang(struct request *req, struct response *res)
{
	const char	*p, *c;

	p = request_query(req, "lang");
	if (p == NULL || (strcmp(p, "fr") != 0 && strcmp(p, "en") != 0))
		return;
	c = request_cookie(req, "lang");
	if (c != NULL && strcmp(c, p) == 0)
		return;
	response_header(res, "Set-Cookie", strcmp(p, "fr") == 0 ?
	    "lang=fr; Path=/; Max-Age=31536000; SameSite=Lax" :
	    "lang=en; Path=/; Max-Age=31536000; SameSite=Lax");
}

int
page_render(struct request *req, struct response *res, int status,
    const char *name, struct json_object *ctx)
{
	const struct app	*app = req->app;
	int			 rc;

	if (ctx == NULL)
		ctx = json_object_new_object();
	if (ctx == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "lang", json_object_new_string(req->lang));
	json_object_object_add(ctx, "other_lang", json_object_new_string(
	    strcmp(req->lang, "fr") == 0 ? "en" : "fr"));
	json_object_object_add(ctx, "csrf",
	    json_object_new_string(csrf_token(req, res)));
	json_object_object_add(ctx, "provider_name",
	    json_object_new_string(app->cfg.provider_name));
	json_object_object_add(ctx, "base_url",
	    json_object_new_string(app->cfg.base_url));
	json_object_object_add(ctx, "path", json_object_new_string(req->path));
	json_object_object_add(ctx, "url_fr",
	    json_object_new_string(switch_url(req, "fr")));
	json_object_object_add(ctx, "url_en",
	    json_object_new_string(switch_url(req, "en")));
	remember_lang(req, res);
	if (!json_object_object_get_ex(ctx, "title", NULL))
		json_object_object_add(ctx, "title", json_object_new_string(
		    i18n_get(app->i18n, req->lang, "site_name")));
	buf_reset(&res->body);
	/* The catalogue ("t") is shared: an outer scope, not a member. */
	rc = tmpl_render_with(app->tmpl, name, ctx,
	    i18n_scope(app->i18n, req->lang), &res->body);
	json_object_put(ctx);
	if (rc != P_OK)
		return rc;
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	response_header(res, "Content-Language", req->lang);
	response_header(res, "Vary", "Accept-Language, Cookie");
	return P_OK;
}

int
page_error(struct request *req, struct response *res, int code,
    const char *detail)
{
	struct json_object	*ctx;
	int			 status;

	if (req->app == NULL || req->app->tmpl == NULL)
		return P_ENOTFOUND;
	status = http_status_from_err(code);
	ctx = json_object_new_object();
	if (ctx == NULL)
		return P_ENOMEM;
	json_object_object_add(ctx, "status", json_object_new_int(status));
	json_object_object_add(ctx, "error_title",
	    json_object_new_string(http_reason(status)));
	if (detail != NULL)
		json_object_object_add(ctx, "detail",
		    json_object_new_string(detail));
	return page_render(req, res, status, "error", ctx);
}

int
page_home(struct request *req, struct response *res)
{
	return page_render(req, res, 200, "home", NULL);
}
