/* i18n.c - message catalogues (one flat json object of strings per
 * language) and the choice of language for a request: explicit parameter,
 * then cookie, then Accept-Language (RFC 9110 q-values), then the default. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/i18n.h"

#define I18N_NLANG	2
#define I18N_MAX_ITEMS	64	/* Accept-Language items looked at */

static const char *const langs[I18N_NLANG] = { "fr", "en" };

struct i18n {
	struct json_object	*cat[I18N_NLANG];
	struct json_object	*scope[I18N_NLANG];	/* {"t": cat[k]} */
};

/* The index of a supported language tag ("en", "en-GB", "FR"), or -1. */
static int
lang_index(const char *tag, size_t len)
{
	int	 i;

	for (i = 0; i < I18N_NLANG; i++)
		if (len >= 2 && strncasecmp(tag, langs[i], 2) == 0 &&
		    (len == 2 || tag[2] == '-'))
			return i;
	return -1;
}

static int
lang_index_str(const char *tag)
{
	return tag != NULL ? lang_index(tag, strlen(tag)) : -1;
}

static int
load_one(struct i18n *i, int k, const char *dir, char *err, size_t errlen)
{
	char	 path[4096];
	int	 n;

	n = snprintf(path, sizeof(path), "%s/%s.json", dir, langs[k]);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	i->cat[k] = json_object_from_file(path);
	if (!json_object_is_type(i->cat[k], json_type_object)) {
		snprintf(err, errlen, "%s: not a json object (%s)", path,
		    json_util_get_last_err() ? json_util_get_last_err() : "");
		return -1;
	}
	json_object_object_foreach(i->cat[k], key, val) {
		if (!json_object_is_type(val, json_type_string)) {
			snprintf(err, errlen, "%s: \"%s\" is not a string",
			    path, key);
			return -1;
		}
	}
	return 0;
}

struct i18n *
i18n_load(const char *dir, char *err, size_t errlen)
{
	struct i18n	*i;
	char		 dummy[8];
	int		 k;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	i = calloc(1, sizeof(*i));
	if (i == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (k = 0; k < I18N_NLANG; k++) {
		if (load_one(i, k, dir, err, errlen) != 0) {
			i18n_free(i);
			return NULL;
		}
		/* Built once here, read by every thread, never changed: json-c
		 * reference counts are not atomic, so pages must not take and
		 * drop references to shared objects. */
		if ((i->scope[k] = json_object_new_object()) == NULL) {
			snprintf(err, errlen, "out of memory");
			i18n_free(i);
			return NULL;
		}
		json_object_object_add(i->scope[k], "t",
		    json_object_get(i->cat[k]));
	}
	return i;
}

void
i18n_free(struct i18n *i)
{
	int	 k;

	if (i == NULL)
		return;
	for (k = 0; k < I18N_NLANG; k++) {
		json_object_put(i->scope[k]);
		json_object_put(i->cat[k]);
	}
	free(i);
}

const char *
i18n_get(const struct i18n *i, const char *lang, const char *key)
{
	struct json_object	*v;
	int			 k;

	if (i == NULL || key == NULL)
		return key;
	k = lang_index_str(lang);
	if (k > 0 && json_object_object_get_ex(i->cat[k], key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_object_get_ex(i->cat[0], key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return key;
}

struct json_object *
i18n_catalogue(const struct i18n *i, const char *lang)
{
	int	 k;

	if (i == NULL)
		return NULL;
	k = lang_index_str(lang);
	return i->cat[k >= 0 ? k : 0];
}

struct json_object *
i18n_scope(const struct i18n *i, const char *lang)
{
	int	 k;

	if (i == NULL)
		return NULL;
	k = lang_index_str(lang);
	return i->scope[k >= 0 ? k : 0];
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* qvalue = "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"], as thousandths; -1 when
 * malformed. s[0..len) is the text after "q=". */
static int
parse_q(const char *s, size_t len)
{
	size_t	 i;
	int	 q, scale = 100;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q <= 1000 ? q : -1;
}

/* One item "range *(OWS ; OWS param)": sets its language index (-1 other,
 * -2 for "*") and q; false when malformed. */
static bool
parse_item(const char *s, size_t len, int *lang, int *q)
{
	size_t	 i = 0, j;

	while (i < len && is_ows(s[i]))
		i++;
	j = i;
	while (j < len && (s[j] == '-' || s[j] == '*' ||
	    (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
	    (s[j] >= '0' && s[j] <= '9')))
		j++;
	if (j == i || j - i > 35)
		return false;
	if (j - i == 1 && s[i] == '*')
		*lang = -2;
	else if (memchr(s + i, '*', j - i) != NULL)
		return false;
	else
		*lang = lang_index(s + i, j - i);
	*q = 1000;
	while (j < len && is_ows(s[j]))
		j++;
	if (j == len)
		return true;
	if (s[j++] != ';')
		return false;
	while (j < len && is_ows(s[j]))
		j++;
	while (len > j && is_ows(s[len - 1]))
		len--;
	if (len - j < 2 || (s[j] != 'q' && s[j] != 'Q') || s[j + 1] != '=')
		return false;
	*q = parse_q(s + j + 2, len - j - 2);
	return *q >= 0;
}

/* The supported language with the highest q, the earlier named on a tie;
 * "*" stands for the languages the header does not name, the default
 * first. -1 when none is acceptable. */
static int
parse_accept(const char *al, int dflt)
{
	const char	*comma;
	size_t		 len;
	int		 best[I18N_NLANG], pos[I18N_NLANG];
	int		 k, lang, q, n, star = -1, starpos = 0, pick = -1;

	for (k = 0; k < I18N_NLANG; k++)
		pos[k] = -1;
	for (n = 0; *al != '\0' && n < I18N_MAX_ITEMS; n++) {
		comma = strchr(al, ',');
		len = comma != NULL ? (size_t)(comma - al) : strlen(al);
		if (parse_item(al, len, &lang, &q)) {
			if (lang == -2 && star < 0) {
				star = q;
				starpos = n;
			} else if (lang >= 0 && (pos[lang] < 0 ||
			    q > best[lang])) {
				if (pos[lang] < 0)
					pos[lang] = n;
				best[lang] = q;
			}
		}
		al += len;
		if (*al == ',')
			al++;
	}
	for (k = 0; k < I18N_NLANG; k++) {
		if (pos[k] < 0 && star > 0) {
			best[k] = star;
			/* The default before the others on a "*" tie. */
			pos[k] = starpos * 2 + (k == dflt ? 0 : 1);
		} else if (pos[k] >= 0)
			pos[k] *= 2;
	}
	for (k = 0; k < I18N_NLANG; k++) {
		if (pos[k] < 0 || best[k] == 0)
			continue;
		if (pick < 0 || best[k] > best[pick] ||
		    (best[k] == best[pick] && pos[k] < pos[pick]))
			pick = k;
	}
	return pick;
}

const char *
i18n_negotiate(const char *param, const char *cookie,
    const char *accept_language, const char *dflt)
{
	int	 d, k;

	d = lang_index_str(dflt);
	if (d < 0)
		d = 0;
	k = lang_index_str(param);
	if (k < 0)
		k = lang_index_str(cookie);
	if (k < 0 && accept_language != NULL)
		k = parse_accept(accept_language, d);
	return langs[k >= 0 ? k : d];
}
