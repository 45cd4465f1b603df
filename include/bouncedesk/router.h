/* router.h - method + path -> handler, with {name} path parameters.
 * The route table lives in web/routes.c; every handler has the same type. */
#ifndef BOUNCEDESK_ROUTER_H
#define BOUNCEDESK_ROUTER_H
#include "bouncedesk/http.h"

/* A handler fills res and returns P_OK, or returns an error code that the
 * router answers as a problem (404, 400...). */
typedef int handler_fn(struct request *, struct response *);

enum route_flags {
	R_NONE = 0,
	R_HTML = 1 << 0,	/* a page: errors answer HTML, not JSON */
	R_NOLOG = 1 << 1	/* keep out of the access log (static) */
};

struct route {
	unsigned	 methods;	/* HTTP_GET | HTTP_POST ... */
	const char	*pattern;	/* "/api/v1/faq/{id}"; a final "*" */
	handler_fn	*handler;
	unsigned	 flags;
};

/* Finds the route, sets req->params and req->route, runs the handler, adds
 * the security headers, turns error codes into problems (404 no route, 405
 * wrong method with Allow) and records metrics. Never fails. */
void	router_dispatch(struct request *, struct response *);
/* Adds the security headers every answer carries. */
void	router_secure(struct response *);
/* Matches one pattern against a path; fills params. For tests. */
int	router_match(const char *pattern, const char *path, struct arena *,
	    struct http_kv *params, size_t *nparams);

/* The table, terminated by a zero route (web/routes.c). */
extern const struct route routes[];

#endif /* BOUNCEDESK_ROUTER_H */
