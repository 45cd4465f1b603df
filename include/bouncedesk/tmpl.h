/* tmpl.h - a logic-less, Mustache-like template renderer.
 *   {{name}} {{a.b}}   a variable, HTML-escaped
 *   {{{raw name}}}     a variable emitted as is: only for server-built HTML
 *   {{#s}}..{{/s}}     section: once if truthy object/scalar, per item if array
 *   {{^s}}..{{/s}}     inverted section: when falsy, null or empty array
 *   {{>partial}}       another template of the set
 *   {{! comment }}     nothing
 *   {{.}}              the current item
 * Names resolve in the innermost context first, then outwards. Data is a
 * json-c object. Templates compile once; rendering is reentrant. */
#ifndef BOUNCEDESK_TMPL_H
#define BOUNCEDESK_TMPL_H
#include <stddef.h>
#include <json-c/json.h>

struct buf;
struct tmpl;
struct tmpl_set;

/* Compiles one template; NULL with a message (line) in err. */
struct tmpl	*tmpl_compile(const char *src, size_t len, char *err,
		    size_t errlen);
void		 tmpl_free(struct tmpl *);
/* Loads every *.html of dir, named by file name without ".html". */
struct tmpl_set	*tmpl_set_load(const char *dir, char *err, size_t errlen);
void		 tmpl_set_free(struct tmpl_set *);
/* Adds a compiled template to the set (the set takes ownership). */
int		 tmpl_set_add(struct tmpl_set *, const char *name,
		    struct tmpl *);
struct tmpl_set	*tmpl_set_new(void);
/* Renders into out; partials come from set (may be NULL). Returns P_OK,
 * P_ENOTFOUND (no such template) or P_ETOOBIG (out's cap). */
int		 tmpl_render(const struct tmpl_set *, const char *name,
		    struct json_object *ctx, struct buf *out);
/* The same with outer, a read-only object consulted after ctx: names not
 * found in ctx resolve there. outer may be shared between threads: the
 * renderer only reads it and takes no reference. */
int		 tmpl_render_with(const struct tmpl_set *, const char *name,
		    struct json_object *ctx, struct json_object *outer,
		    struct buf *out);
int		 tmpl_render_one(const struct tmpl_set *, const struct tmpl *,
		    struct json_object *ctx, struct buf *out);

#endif /* BOUNCEDESK_TMPL_H */
