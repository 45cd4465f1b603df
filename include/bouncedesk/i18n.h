/* i18n.h - message catalogues (templates/i18n/<lang>.json, flat key ->
 * text) and language negotiation. Languages: "fr" (default) and "en". */
#ifndef BOUNCEDESK_I18N_H
#define BOUNCEDESK_I18N_H
#include <stddef.h>
#include <json-c/json.h>

struct i18n;

struct i18n	*i18n_load(const char *dir, char *err, size_t errlen);
void		 i18n_free(struct i18n *);
/* The text of key in lang, else in French, else the key itself. */
const char	*i18n_get(const struct i18n *, const char *lang,
		    const char *key);
/* The whole catalogue of lang as a json object (borrowed). */
struct json_object *i18n_catalogue(const struct i18n *, const char *lang);
/* {"t": catalogue of lang}, built at load and shared by all threads:
 * render it as an outer scope (tmpl_render_with), never add it to a
 * per-request object (json-c reference counts are not thread-safe). */
struct json_object *i18n_scope(const struct i18n *, const char *lang);
/* "fr" or "en": an explicit parameter, else the cookie, else the first
 * supported language of Accept-Language, else dflt. Static strings. */
const char	*i18n_negotiate(const char *param, const char *cookie,
		    const char *accept_language, const char *dflt);

#endif /* BOUNCEDESK_I18N_H */
