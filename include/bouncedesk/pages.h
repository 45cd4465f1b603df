/* pages.h - what HTML page handlers share: rendering a template inside the
 * common context, and CSRF tokens (double submit: a random token in a
 * SameSite=Strict cookie that forms echo in a hidden field). */
#ifndef BOUNCEDESK_PAGES_H
#define BOUNCEDESK_PAGES_H
#include <stdbool.h>
#include <json-c/json.h>
#include "bouncedesk/http.h"

/* Renders template name with ctx (taken: the caller's reference is
 * dropped) plus lang, t (catalogue), csrf, provider_name, base_url,
 * other_lang, path and title (when ctx has none). */
int		 page_render(struct request *, struct response *, int status,
		    const char *name, struct json_object *ctx);
/* The HTML error page for an error code (used by the router). */
int		 page_error(struct request *, struct response *, int code,
		    const char *detail);
/* The request's CSRF token; sets the cookie when there is none yet. */
const char	*csrf_token(struct request *, struct response *);
/* True when the form's "csrf" field equals the cookie (constant time). */
bool		 csrf_check(const struct request *);
/* The diagnosis page's inline sender checks: for the results whose cause
 * a DNS check explains, runs the checks of the sender's domain once and
 * adds each card's findings (web/pages_diag_check.c). Best effort: on any
 * failure or over the check rate the cards stay as they were. */
void		 diag_inline_checks(struct request *, struct json_object *report,
		    const char *pasted);

#endif /* BOUNCEDESK_PAGES_H */
