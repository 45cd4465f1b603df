/* http.h - the transport-neutral request and response.
 * A transport (web/mhd.c, web/fcgi.c) fills struct request, calls
 * router_dispatch() and writes struct response; then frees the arena, which
 * owns every string of both. */
#ifndef BOUNCEDESK_HTTP_H
#define BOUNCEDESK_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>
#include "bouncedesk/buf.h"

struct app;
struct arena;
struct store;

enum http_method {
	HTTP_OTHER = 0,
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6
};

#define HTTP_MAX_PARAMS	8
#define HTTP_MAX_HDRS	16

struct http_kv {
	const char	*k, *v;
};

struct request {
	enum http_method	 method;
	const char		*method_str;
	const char		*path;		/* decoded, no query */
	const char		*query;		/* raw, without '?'; "" if none */
	const char		*body;		/* NUL-terminated */
	size_t			 body_len;
	const char		*remote_addr;
	/* Header lookup, case-insensitive; NULL when absent. */
	const char		*(*header)(const struct request *, const char *);
	void			*tctx;		/* transport-private */
	struct arena		*arena;
	const struct app	*app;
	struct store		*db;		/* this worker's connection */
	const char		*route;		/* matched pattern, for metrics */
	struct http_kv		 params[HTTP_MAX_PARAMS];	/* {id} values */
	size_t			 nparams;
	const char		*lang;		/* "fr" or "en", set by router */
	unsigned long long	 id;		/* request id */
};

struct response {
	int		 status;
	const char	*content_type;
	struct buf	 body;			/* freed by the transport */
	struct http_kv	 hdr[HTTP_MAX_HDRS];
	size_t		 nhdr;
};

enum http_method http_method_parse(const char *);
const char	*http_method_name(enum http_method);
const char	*http_reason(int status);

void	response_init(struct response *);
void	response_cleanup(struct response *);
/* Adds a header; k and v must live as long as the response (arena or
 * static). Returns P_ETOOBIG when full. */
int	response_header(struct response *, const char *k, const char *v);
/* Adds a header even when one of that name exists (Set-Cookie). */
int	response_header_add(struct response *, const char *k, const char *v);
/* Sets status and a copy of the body. */
int	response_text(struct response *, int status, const char *ctype,
	    const char *body, size_t len);
/* Serialises obj (and drops the caller's reference to it). */
int	response_json(struct response *, int status, struct json_object *obj);
/* RFC 9457 problem: type is a stable slug ("not-found") made into
 * "https://bouncedesk.invalid/problems/<slug>" by the base URL. */
int	response_problem(struct response *, const struct request *,
	    int status, const char *slug, const char *title,
	    const char *detail);
/* The HTTP status for an error code (the only such map). */
int	http_status_from_err(int code);
/* Answers the error code as a problem. */
int	response_error(struct response *, const struct request *, int code,
	    const char *detail);

/* Runs one request end to end for a transport: numbers it, negotiates the
 * language, takes a store from the pool, dispatches, gives the store back,
 * records metrics and writes the access line. The transport fills method,
 * method_str, path, query, body, body_len, header, tctx, remote_addr and
 * arena first, and owns res afterwards (response_cleanup). */
void	http_handle(const struct app *, struct request *, struct response *);

/* Answers a request the transport refused before dispatch (413, 400) as
 * a problem, with the security headers, counted in the metrics and the
 * access log like any other answer. */
void	http_refuse(const struct app *, struct request *, struct response *,
	    int code, const char *detail);

/* Looks up a parameter of an application/x-www-form-urlencoded string
 * ("a=1&b=2"); returns the decoded value in the arena, or NULL. */
const char *http_form_get(struct arena *, const char *qs, const char *name);
const char *request_query(const struct request *, const char *name);
/* Form field from a urlencoded POST body. */
const char *request_form(const struct request *, const char *name);
const char *request_param(const struct request *, const char *name);
/* Cookie value from the Cookie header, or NULL. */
const char *request_cookie(const struct request *, const char *name);
/* Percent-decodes s (and '+' as space when plus); NULL on bad escapes or
 * an encoded NUL. */
char	*http_urldecode(struct arena *, const char *s, size_t len, bool plus);
/* The string value of key in o; NULL when absent or not a string. */
const char *json_get_str(struct json_object *, const char *key);
/* A positive decimal id, digits only, into *out: P_OK or P_EINVAL. */
int	http_parse_id(const char *, long long *out);
/* Parses the body as a JSON object; NULL with *err set when it is not one.
 * The caller owns the reference. */
struct json_object *request_json(const struct request *, int *err);

#endif /* BOUNCEDESK_HTTP_H */
