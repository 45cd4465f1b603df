/* src/kb/seed.c - loads the seed articles of db/seed/faq: one Markdown file
 * per article, a front matter between "---" lines (id, lang,
 * translation_of, category, state, title, keywords, tags, related), then
 * "## Symptom", "## Problem" and "## Solution" (or the French headings).
 * Only articles the database lacks are added, so staff edits survive. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

#define SEED_FILE_MAX	(256 * 1024)
#define SEED_FILES_MAX	1024
#define RELATED_MAX	16

/* The next line of [*p, end): sets *line and *n, advances *p. */
static int
next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char	*e;

	if (*p >= end)
		return 0;
	e = memchr(*p, '\n', (size_t)(end - *p));
	if (e == NULL)
		e = end;
	*line = *p;
	*n = (size_t)(e - *p);
	if (*n > 0 && (*p)[*n - 1] == '\r')
		(*n)--;
	*p = e < end ? e + 1 : end;
	return 1;
}

static char *
trimdup(struct arena *a, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

static int
parse_id(const char *v, long long *out)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0)
		return P_EINVAL;
	*out = n;
	return P_OK;
}

static int
parse_related(const char *v, long long *rel, size_t max, size_t *n)
{
	char		*end;
	long long	 id;

	*n = 0;
	while (*v != '\0') {
		while (*v == ' ' || *v == ',')
			v++;
		if (*v == '\0')
			break;
		errno = 0;
		id = strtoll(v, &end, 10);
		if (errno != 0 || end == v || id <= 0)
			return P_EINVAL;
		if (*n < max)
			rel[(*n)++] = id;
		v = end;
	}
	return P_OK;
}

static int
set_field(struct kb_article *a, const char *k, const char *v,
    long long *rel, size_t maxrel, size_t *nrel)
{
	if (strcmp(k, "id") == 0)
		return parse_id(v, &a->id);
	if (strcmp(k, "translation_of") == 0)
		return parse_id(v, &a->translation_of);
	if (strcmp(k, "related") == 0)
		return parse_related(v, rel, maxrel, nrel);
	if (strcmp(k, "lang") == 0)
		a->lang = v;
	else if (strcmp(k, "category") == 0)
		a->category = v;
	else if (strcmp(k, "state") == 0)
		a->state = v;
	else if (strcmp(k, "title") == 0)
		a->title = v;
	else if (strcmp(k, "keywords") == 0)
		a->keywords = v;
	else if (strcmp(k, "tags") == 0)
		a->tags = v;
	else
		return P_EINVAL;
	return P_OK;
}

/* Which field a "## " heading opens; NULL if unknown. */
static const char **
section(struct kb_article *a, const char *h, size_t n)
{
	static const struct {
		const char	*name;
		int		 which;
	} names[] = {
		{ "Symptom", 0 }, { "Symptôme", 0 }, { "Symptome", 0 },
		{ "Problem", 1 }, { "Problème", 1 }, { "Probleme", 1 },
		{ "Solution", 2 }
	};
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) != n || memcmp(names[i].name, h, n))
			continue;
		return names[i].which == 0 ? &a->symptom :
		    names[i].which == 1 ? &a->problem : &a->solution;
	}
	return NULL;
}

int
kb_seed_parse(struct arena *ar, const char *text, size_t len,
    struct kb_article *a, long long *rel, size_t maxrel, size_t *nrel,
    char *err, size_t errlen)
{
	const char	*p = text, *end = text + len, *line, *colon, *body = NULL;
	const char	**field = NULL;
	char		*k, *v;
	size_t		 n;
	int		 lineno = 1;

	memset(a, 0, sizeof(*a));
	*nrel = 0;
	if (!next_line(&p, end, &line, &n) || n != 3 || memcmp(line, "---", 3))
		goto bad;
	for (;;) {
		lineno++;
		if (!next_line(&p, end, &line, &n))
			goto bad;
		if (n == 3 && memcmp(line, "---", 3) == 0)
			break;
		if (n == 0 || line[0] == '#')
			continue;
		colon = memchr(line, ':', n);
		if (colon == NULL)
			goto bad;
		k = trimdup(ar, line, (size_t)(colon - line));
		v = trimdup(ar, colon + 1, n - (size_t)(colon - line) - 1);
		if (k == NULL || v == NULL)
			return P_ENOMEM;
		if (set_field(a, k, v, rel, maxrel, nrel) != P_OK)
			goto bad;
	}
	/* Sections: each "## " heading collects the lines up to the next. */
	while (next_line(&p, end, &line, &n)) {
		lineno++;
		if (n < 3 || memcmp(line, "## ", 3) != 0)
			continue;
		if (field != NULL && (*field = trimdup(ar, body,
		    (size_t)(line - body))) == NULL)
			return P_ENOMEM;
		if ((field = section(a, line + 3, n - 3)) == NULL)
			goto bad;
		body = p;
	}
	if (field != NULL && (*field = trimdup(ar, body,
	    (size_t)(end - body))) == NULL)
		return P_ENOMEM;
	if (a->id <= 0 || a->title == NULL || a->lang == NULL ||
	    a->solution == NULL) {
		snprintf(err, errlen, "needs id, lang, title and ## Solution");
		return P_EINVAL;
	}
	return P_OK;
bad:
	snprintf(err, errlen, "line %d: bad front matter or heading", lineno);
	return P_EINVAL;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*p;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((p = malloc(SEED_FILE_MAX + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, SEED_FILE_MAX + 1, f);
	fclose(f);
	if (n > SEED_FILE_MAX) {
		free(p);
		errno = EFBIG;
		return NULL;
	}
	p[n] = '\0';
	*len = n;
	return p;
}

static int
cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Adds one file's article when its id is free. */
static int
seed_one(struct store *s, const char *path, int *added, char *err,
    size_t errlen)
{
	struct arena		*ar;
	struct kb_article	 a, old;
	long long		 rel[RELATED_MAX];
	size_t			 nrel, i, len;
	char			*text, msg[160];
	int			 rc;

	if ((text = slurp(path, &len)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return P_EIO;
	}
	if ((ar = arena_new(0)) == NULL) {
		free(text);
		return P_ENOMEM;
	}
	rc = kb_seed_parse(ar, text, len, &a, rel, RELATED_MAX, &nrel, msg,
	    sizeof(msg));
	if (rc == P_OK) {
		rc = kb_article_get(s, ar, a.id, true, &old);
		if (rc == P_ENOTFOUND) {
			rc = kb_article_create(s, &a, "seed");
			for (i = 0; i < nrel && rc == P_OK; i++)
				rc = store_kb_link(s, a.id, rel[i]);
			if (rc == P_OK)
				(*added)++;
		}
		if (rc != P_OK)
			snprintf(msg, sizeof(msg), "%s", rc == P_EINVAL ?
			    "invalid article" : store_errmsg(s));
	}
	if (rc != P_OK)
		snprintf(err, errlen, "%s: %s", path, msg);
	arena_free(ar);
	free(text);
	return rc;
}

int
kb_seed_dir_count(struct store *s, const char *dir, int *added, char *err,
    size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	char		*names[SEED_FILES_MAX], path[4096];
	size_t		 n = 0, i, len;
	int		 rc = P_OK, count = 0;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return P_EIO;
	}
	while ((de = readdir(d)) != NULL && n < SEED_FILES_MAX) {
		len = strlen(de->d_name);
		if (len > 3 && de->d_name[0] != '.' &&
		    strcmp(de->d_name + len - 3, ".md") == 0 &&
		    (names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	if (store_begin(s) != P_OK) {
		snprintf(err, errlen, "begin: %s", store_errmsg(s));
		rc = P_EDB;
	}
	for (i = 0; i < n && rc == P_OK; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = seed_one(s, path, &count, err, errlen);
	}
	/* Links to missing articles fail here (deferred foreign keys). */
	if (rc == P_OK && store_commit(s) != P_OK) {
		snprintf(err, errlen, "commit: %s", store_errmsg(s));
		rc = P_EDB;
	}
	if (rc != P_OK)
		store_rollback(s);
	/* Committed either way; merging only makes searches cheaper. */
	if (rc == P_OK && count > 0)
		(void)store_kb_optimize(s);
	for (i = 0; i < n; i++)
		free(names[i]);
	if (added != NULL)
		*added = rc == P_OK ? count : 0;
	return rc;
}

int
kb_seed_dir(struct store *s, const char *dir, char *err, size_t errlen)
{
	return kb_seed_dir_count(s, dir, NULL, err, errlen);
}
