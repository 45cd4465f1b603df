/* src/kb/export.c - the FAQ as one JSON file: export every article with
 * its translation link, tags, explicit related links, dates and authors;
 * import such a file, inserting or updating by id in one transaction. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

#define EXPORT_FORMAT	"bouncedesk-faq"
#define EXPORT_VERSION	1
#define IMPORT_MAX	100000		/* articles in one file */
#define RELATED_MAX	64		/* explicit links of one article */

static int
add_str(struct json_object *o, const char *k, const char *v)
{
	struct json_object	*s;

	if ((s = json_object_new_string(v != NULL ? v : "")) == NULL)
		return P_ENOMEM;
	if (json_object_object_add(o, k, s) != 0) {
		json_object_put(s);
		return P_ENOMEM;
	}
	return P_OK;
}

static int
add_int(struct json_object *o, const char *k, long long v)
{
	struct json_object	*n;

	if ((n = json_object_new_int64(v)) == NULL)
		return P_ENOMEM;
	if (json_object_object_add(o, k, n) != 0) {
		json_object_put(n);
		return P_ENOMEM;
	}
	return P_OK;
}

static struct json_object *
article_json(struct store *s, struct arena *ar, const struct kb_article *a,
    int *rc)
{
	struct json_object	*o, *rel = NULL, *n;
	long long		*ids = NULL;
	size_t			 nids = 0, i;

	if ((o = json_object_new_object()) == NULL) {
		*rc = P_ENOMEM;
		return NULL;
	}
	*rc = add_int(o, "id", a->id);
	if (*rc == P_OK)
		*rc = add_str(o, "lang", a->lang);
	if (*rc == P_OK && a->translation_of != 0)
		*rc = add_int(o, "translation_of", a->translation_of);
	if (*rc == P_OK)
		*rc = add_str(o, "title", a->title);
	if (*rc == P_OK)
		*rc = add_str(o, "category", a->category);
	if (*rc == P_OK)
		*rc = add_str(o, "state", a->state);
	if (*rc == P_OK)
		*rc = add_str(o, "keywords", a->keywords);
	if (*rc == P_OK)
		*rc = add_str(o, "tags", a->tags);
	if (*rc == P_OK)
		*rc = add_str(o, "symptom", a->symptom);
	if (*rc == P_OK)
		*rc = add_str(o, "problem", a->problem);
	if (*rc == P_OK)
		*rc = add_str(o, "solution", a->solution);
	if (*rc == P_OK)
		*rc = add_int(o, "created_at", a->created_at);
	if (*rc == P_OK)
		*rc = add_str(o, "created_by", a->created_by);
	if (*rc == P_OK)
		*rc = add_int(o, "changed_at", a->changed_at);
	if (*rc == P_OK)
		*rc = add_str(o, "changed_by", a->changed_by);
	if (*rc == P_OK)
		*rc = store_kb_links_of(s, ar, a->id, &ids, &nids);
	if (*rc == P_OK) {
		if ((rel = json_object_new_array()) == NULL)
			*rc = P_ENOMEM;
		else if (json_object_object_add(o, "related", rel) != 0) {
			json_object_put(rel);
			*rc = P_ENOMEM;
		}
	}
	for (i = 0; *rc == P_OK && i < nids; i++) {
		if ((n = json_object_new_int64(ids[i])) == NULL)
			*rc = P_ENOMEM;
		else if (json_object_array_add(rel, n) != 0) {
			json_object_put(n);
			*rc = P_ENOMEM;
		}
	}
	if (*rc != P_OK) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
kb_export_json(struct store *s, struct buf *out)
{
	struct json_object	*root, *list, *o;
	struct arena		*ar;
	struct kb_article	 a;
	long long		*ids = NULL;
	size_t			 n, i;
	const char		*text;
	int			 rc;

	if ((ar = arena_new(0)) == NULL)
		return P_ENOMEM;
	if ((root = json_object_new_object()) == NULL) {
		arena_free(ar);
		return P_ENOMEM;
	}
	rc = add_str(root, "format", EXPORT_FORMAT);
	if (rc == P_OK)
		rc = add_int(root, "version", EXPORT_VERSION);
	list = NULL;
	if (rc == P_OK && (list = json_object_new_array()) == NULL)
		rc = P_ENOMEM;
	if (rc == P_OK && json_object_object_add(root, "articles", list) !=
	    0) {
		json_object_put(list);
		rc = P_ENOMEM;
	}
	if (rc == P_OK)
		rc = kb_article_ids(s, ar, true, &ids, &n);
	for (i = 0; rc == P_OK && i < n; i++) {
		if ((rc = kb_article_get(s, ar, ids[i], true, &a)) != P_OK)
			break;
		if ((o = article_json(s, ar, &a, &rc)) == NULL)
			break;
		if (json_object_array_add(list, o) != 0) {
			json_object_put(o);
			rc = P_ENOMEM;
		}
	}
	if (rc == P_OK) {
		text = json_object_to_json_string_ext(root,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text == NULL)
			rc = P_ENOMEM;
		else if ((rc = buf_puts(out, text)) == P_OK)
			rc = buf_putc(out, '\n');
	}
	json_object_put(root);
	arena_free(ar);
	return rc;
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A string member; absent gives def; another type is an error. */
static int
get_str(struct arena *ar, struct json_object *o, const char *k,
    const char *def, const char **out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL) {
		*out = def;
		return def != NULL ? P_OK : P_EINVAL;
	}
	if (!json_object_is_type(v, json_type_string))
		return P_EINVAL;
	*out = arena_strndup(ar, json_object_get_string(v),
	    (size_t)json_object_get_string_len(v));
	return *out != NULL ? P_OK : P_ENOMEM;
}

static int
get_int(struct json_object *o, const char *k, long long def, long long *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL) {
		*out = def;
		return def >= 0 ? P_OK : P_EINVAL;
	}
	if (!json_object_is_type(v, json_type_int))
		return P_EINVAL;
	errno = 0;
	*out = json_object_get_int64(v);
	return errno == 0 && *out >= 0 ? P_OK : P_EINVAL;
}

struct item {
	struct kb_article	 a;
	long long		 rel[RELATED_MAX];
	size_t			 nrel;
};

static int
read_item(struct arena *ar, struct json_object *o, struct item *it)
{
	struct kb_article	*a = &it->a;
	struct json_object	*rel, *v;
	size_t			 i, n;
	int			 rc;

	if (!json_object_is_type(o, json_type_object))
		return P_EINVAL;
	memset(it, 0, sizeof(*it));
	if ((rc = get_int(o, "id", -1, &a->id)) != P_OK || a->id <= 0)
		return P_EINVAL;
	if ((rc = get_int(o, "translation_of", 0, &a->translation_of)) !=
	    P_OK || a->translation_of == a->id)
		return P_EINVAL;
	if ((rc = get_str(ar, o, "lang", NULL, &a->lang)) != P_OK ||
	    (rc = get_str(ar, o, "title", NULL, &a->title)) != P_OK ||
	    (rc = get_str(ar, o, "category", "General", &a->category)) !=
	    P_OK ||
	    (rc = get_str(ar, o, "state", "public", &a->state)) != P_OK ||
	    (rc = get_str(ar, o, "keywords", "", &a->keywords)) != P_OK ||
	    (rc = get_str(ar, o, "tags", "", &a->tags)) != P_OK ||
	    (rc = get_str(ar, o, "symptom", "", &a->symptom)) != P_OK ||
	    (rc = get_str(ar, o, "problem", "", &a->problem)) != P_OK ||
	    (rc = get_str(ar, o, "solution", "", &a->solution)) != P_OK ||
	    (rc = get_str(ar, o, "created_by", "system", &a->created_by)) !=
	    P_OK ||
	    (rc = get_str(ar, o, "changed_by", "system", &a->changed_by)) !=
	    P_OK ||
	    (rc = get_int(o, "created_at", 0, &a->created_at)) != P_OK ||
	    (rc = get_int(o, "changed_at", 0, &a->changed_at)) != P_OK)
		return rc;
	if (strcmp(a->lang, "fr") != 0 && strcmp(a->lang, "en") != 0)
		return P_EINVAL;
	if (strcmp(a->state, "public") != 0 &&
	    strcmp(a->state, "internal") != 0)
		return P_EINVAL;
	if (a->title[0] == '\0' || strlen(a->title) > 300 ||
	    strchr(a->title, '\n') != NULL || a->category[0] == '\0' ||
	    strlen(a->category) > KB_CATEGORY_MAX ||
	    strlen(a->keywords) > KB_KEYWORDS_MAX ||
	    strlen(a->tags) > KB_KEYWORDS_MAX ||
	    strlen(a->symptom) > KB_BODY_MAX ||
	    strlen(a->problem) > KB_BODY_MAX ||
	    strlen(a->solution) > KB_BODY_MAX)
		return P_EINVAL;
	if (!json_object_object_get_ex(o, "related", &rel) || rel == NULL)
		return P_OK;
	if (!json_object_is_type(rel, json_type_array) ||
	    (n = json_object_array_length(rel)) > RELATED_MAX)
		return P_EINVAL;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(rel, i);
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) <= 0 ||
		    json_object_get_int64(v) == a->id)
			return P_EINVAL;
		it->rel[it->nrel++] = json_object_get_int64(v);
	}
	return P_OK;
}

/* Writes the items; inside the caller's transaction. */
static int
write_items(struct store *s, struct arena *ar, struct item *items, size_t n,
    const char *author, int *added, int *updated, char *err, size_t errlen)
{
	struct kb_article	 cur, t;
	size_t			 i;
	int			 rc;

	for (i = 0; i < n; i++) {
		rc = kb_article_get(s, ar, items[i].a.id, true, &cur);
		if (rc == P_OK) {
			rc = kb_article_update(s, &items[i].a, author);
			(*updated)++;
		} else if (rc == P_ENOTFOUND) {
			rc = kb_article_create(s, &items[i].a,
			    items[i].a.created_by);
			if (rc == P_OK)
				rc = store_kb_stamps(s, items[i].a.id,
				    items[i].a.created_at,
				    items[i].a.created_by,
				    items[i].a.changed_at,
				    items[i].a.changed_by);
			(*added)++;
		}
		if (rc != P_OK) {
			seterr(err, errlen, "article %lld: %s",
			    items[i].a.id, perr_name(rc));
			return rc;
		}
	}
	/* Every article is in place: links and translations can be
	 * checked against the base as it will be. */
	for (i = 0; i < n; i++) {
		if (items[i].a.translation_of != 0 && (kb_article_get(s, ar,
		    items[i].a.translation_of, true, &t) != P_OK ||
		    strcmp(t.lang, items[i].a.lang) == 0)) {
			seterr(err, errlen, "article %lld: translation_of "
			    "%lld is not an article in the other language",
			    items[i].a.id, items[i].a.translation_of);
			return P_EINVAL;
		}
		for (size_t k = 0; k < items[i].nrel; k++)
			if (kb_article_get(s, ar, items[i].rel[k], true,
			    &t) != P_OK) {
				seterr(err, errlen, "article %lld: related "
				    "%lld does not exist", items[i].a.id,
				    items[i].rel[k]);
				return P_EINVAL;
			}
		rc = store_kb_links_set(s, items[i].a.id, items[i].rel,
		    items[i].nrel);
		if (rc != P_OK) {
			seterr(err, errlen, "article %lld: links: %s",
			    items[i].a.id, perr_name(rc));
			return rc;
		}
	}
	return P_OK;
}

int
kb_import_json(struct store *s, const char *text, size_t len,
    const char *author, int *added, int *updated, char *err, size_t errlen)
{
	struct json_tokener	*tok;
	struct json_object	*root, *v, *list;
	struct arena		*ar;
	struct item		*items = NULL;
	size_t			 n = 0, i, k;
	int			 rc, nadd = 0, nupd = 0;

	seterr(err, errlen, "%s", "");
	if (len > (size_t)0x7fffffff) {
		seterr(err, errlen, "file too large");
		return P_ETOOBIG;
	}
	if ((tok = json_tokener_new()) == NULL)
		return P_ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		seterr(err, errlen, "not JSON: %s", json_tokener_error_desc(
		    json_tokener_get_error(tok)));
		json_object_put(root);
		json_tokener_free(tok);
		return P_EINVAL;
	}
	json_tokener_free(tok);
	if ((ar = arena_new(0)) == NULL) {
		json_object_put(root);
		return P_ENOMEM;
	}
	rc = P_EINVAL;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "format", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), EXPORT_FORMAT) != 0 ||
	    !json_object_object_get_ex(root, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) != EXPORT_VERSION ||
	    !json_object_object_get_ex(root, "articles", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		seterr(err, errlen, "not a %s version %d document",
		    EXPORT_FORMAT, EXPORT_VERSION);
		goto out;
	}
	n = json_object_array_length(list);
	if (n > IMPORT_MAX) {
		seterr(err, errlen, "more than %d articles", IMPORT_MAX);
		goto out;
	}
	if (n > 0 && (items = arena_calloc(ar, n, sizeof(*items))) == NULL) {
		rc = P_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = read_item(ar, json_object_array_get_idx(list, i),
		    &items[i]);
		if (rc != P_OK) {
			seterr(err, errlen, "article #%zu: missing or bad "
			    "field", i + 1);
			goto out;
		}
		for (k = 0; k < i; k++)
			if (items[k].a.id == items[i].a.id) {
				seterr(err, errlen, "article %lld twice",
				    items[i].a.id);
				rc = P_EINVAL;
				goto out;
			}
	}
	if (store_begin(s) != P_OK) {
		rc = P_EDB;
		seterr(err, errlen, "cannot start a transaction");
		goto out;
	}
	rc = write_items(s, ar, items, n, author, &nadd, &nupd, err, errlen);
	if (rc == P_OK && store_commit(s) != P_OK) {
		rc = P_EDB;
		seterr(err, errlen, "commit: %s", store_errmsg(s));
	}
	if (rc != P_OK) {
		store_rollback(s);
		nadd = nupd = 0;
	}
	/* Committed either way; merging and warming only make searches
	 * cheaper. */
	if (rc == P_OK && nadd + nupd > 0 && store_kb_optimize(s) == P_OK)
		(void)kb_search_warm(s);
out:
	if (added != NULL)
		*added = nadd;
	if (updated != NULL)
		*updated = nupd;
	arena_free(ar);
	json_object_put(root);
	return rc;
}

#define IMPORT_FILE_MAX	(64 * 1024 * 1024)
#define EXPORT_MAX	(256 * 1024 * 1024)

/* Reads all of path ("-": standard input) into a malloc'd buffer. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*p = NULL, *np;
	size_t	 cap = 0, n = 0, got;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			if (cap >= IMPORT_FILE_MAX)
				break;
			cap = cap == 0 ? 65536 * 4 : cap * 2;
			if ((np = realloc(p, cap)) == NULL)
				break;
			p = np;
		}
		got = fread(p + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp) || !feof(fp)) {
		free(p);
		p = NULL;
	}
	if (fp != stdin)
		fclose(fp);
	*len = n;
	return p;
}

/* bouncedesk faq-export | faq-import FILE: argv after the command. */
int
kb_cli(int argc, char **argv, const char *cmd, const char *db_path)
{
	struct store	*s;
	struct buf	 b;
	char		 err[512], *text;
	size_t		 len;
	int		 rc, added = 0, updated = 0;

	if (strcmp(cmd, "faq-export") == 0) {
		if (argc != 0) {
			fprintf(stderr, "usage: bouncedesk faq-export "
			    "[--db PATH] > FILE.json\n");
			return 2;
		}
		if ((s = store_open(db_path, true, err, sizeof(err))) ==
		    NULL) {
			fprintf(stderr, "bouncedesk: %s\n", err);
			return 1;
		}
		buf_init(&b, EXPORT_MAX);
		rc = kb_export_json(s, &b);
		store_close(s);
		if (rc == P_OK && fwrite(buf_str(&b), 1, b.len, stdout) !=
		    b.len)
			rc = P_EIO;
		buf_cleanup(&b);
		if (rc == P_OK && fflush(stdout) != 0)
			rc = P_EIO;
		if (rc != P_OK) {
			fprintf(stderr, "bouncedesk: faq-export: %s\n",
			    perr_name(rc));
			return 1;
		}
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: bouncedesk faq-import FILE.json|- "
		    "[--db PATH]\n");
		return 2;
	}
	if ((text = slurp(argv[0], &len)) == NULL) {
		fprintf(stderr, "bouncedesk: faq-import: cannot read %s\n",
		    argv[0]);
		return 1;
	}
	if ((s = store_open(db_path, false, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bouncedesk: %s\n", err);
		free(text);
		return 1;
	}
	rc = kb_import_json(s, text, len, "import", &added, &updated, err,
	    sizeof(err));
	store_close(s);
	free(text);
	if (rc != P_OK) {
		fprintf(stderr, "bouncedesk: faq-import: %s (%s); nothing "
		    "changed\n", err, perr_name(rc));
		return 1;
	}
	printf("%s: %d FAQ articles added, %d updated\n", db_path, added,
	    updated);
	return 0;
}
