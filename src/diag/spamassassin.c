/* spamassassin.c - SpamAssassin rule names, descriptions and default
 * scores (built in from db/seed/spamassassin.txt, or loaded at run time),
 * our plain explanations by rule or family (db/seed/spamassassin-explain
 * .txt), and the importer that reads SpamAssassin's own .cf files. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

#define SA_LINE_MAX	4096
#define SA_DESC_MAX	512
#define SA_RULES_MAX	100000
#define SA_FILES_MAX	1000

struct sa_expl {
	const char	*key;
	int		 prefix;	/* key is a family prefix */
	const char	*en, *fr;
};

#include "sa_table.inc"

#define NBUILTIN	(sizeof(builtin_rules) / sizeof(builtin_rules[0]))
#define NEXPL		(sizeof(builtin_expl) / sizeof(builtin_expl[0]))

/* One rule while loading or importing: seq orders duplicates so that
 * the last definition read wins, as in SpamAssassin. */
struct sa_ent {
	struct sa_rule	 r;		/* name and description: heap */
	size_t		 seq;
	bool		 has_score;
};

struct sa_db {
	struct sa_ent	*e;		/* sorted by name, unique */
	size_t		 n, cap;
};

static int
rule_cmp(const void *a, const void *b)
{
	const struct sa_rule	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct sa_ent	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->r.name, y->r.name)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

const struct sa_rule *
sa_find(const struct sa_db *db, const char *name)
{
	struct sa_rule		 key;
	const struct sa_ent	*e;

	if (name == NULL)
		return NULL;
	key.name = name;
	if (db != NULL && db->n > 0) {
		/* sa_ent starts with its sa_rule, so rule_cmp applies. */
		e = bsearch(&key, db->e, db->n, sizeof(*db->e), rule_cmp);
		if (e != NULL)
			return &e->r;
	}
	return bsearch(&key, builtin_rules, NBUILTIN,
	    sizeof(builtin_rules[0]), rule_cmp);
}

size_t
sa_builtin_count(void)
{
	return NBUILTIN;
}

static const struct sa_expl *
explain_of(const char *name)
{
	const struct sa_expl	*best = NULL;
	size_t			 i, k, bestlen = 0;

	for (i = 0; i < NEXPL; i++) {
		k = strlen(builtin_expl[i].key);
		if (!builtin_expl[i].prefix) {
			if (strcmp(builtin_expl[i].key, name) == 0)
				return &builtin_expl[i];
		} else if (k > bestlen &&
		    strncmp(builtin_expl[i].key, name, k) == 0) {
			best = &builtin_expl[i];
			bestlen = k;
		}
	}
	return best;
}

const char *
sa_explain(const char *name, const char *lang)
{
	const struct sa_expl	*e;
	bool			 en = lang != NULL && strcmp(lang, "en") == 0;

	if (name == NULL)
		return NULL;
	e = explain_of(name);
	/* T_FOO is the testing version of FOO: explain it as FOO. */
	if (e == NULL && strncmp(name, "T_", 2) == 0)
		e = explain_of(name + 2);
	if (e == NULL)
		return NULL;
	return en ? e->en : e->fr;
}

/* --- run-time tables --- */

static void
ent_clear(struct sa_ent *e)
{
	free((char *)(uintptr_t)e->r.name);
	free((char *)(uintptr_t)e->r.description);
	e->r.name = e->r.description = NULL;
}

void
sa_db_free(struct sa_db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < db->n; i++)
		ent_clear(&db->e[i]);
	free(db->e);
	free(db);
}

size_t
sa_db_count(const struct sa_db *db)
{
	return db != NULL ? db->n : 0;
}

static struct sa_ent *
db_add(struct sa_db *db, const char *name, size_t nlen)
{
	struct sa_ent	*ne;
	size_t		 ncap;

	if (db->n >= SA_RULES_MAX)
		return NULL;
	if (db->n == db->cap) {
		ncap = db->cap ? db->cap * 2 : 256;
		if ((ne = reallocarray(db->e, ncap, sizeof(*ne))) == NULL)
			return NULL;
		db->e = ne;
		db->cap = ncap;
	}
	ne = &db->e[db->n];
	memset(ne, 0, sizeof(*ne));
	if ((ne->r.name = strndup(name, nlen)) == NULL)
		return NULL;
	ne->seq = db->n++;
	return ne;
}

/* Sorts by name and folds duplicates: a later score or description
 * replaces an earlier one, a missing one keeps the earlier. */
static void
db_finish(struct sa_db *db)
{
	struct sa_ent	*w, *e;
	size_t		 i, j;

	if (db->n == 0)
		return;
	qsort(db->e, db->n, sizeof(db->e[0]), ent_cmp);
	for (i = 1, j = 0; i < db->n; i++) {
		w = &db->e[j];
		e = &db->e[i];
		if (strcmp(w->r.name, e->r.name) != 0) {
			db->e[++j] = *e;
			continue;
		}
		if (e->has_score) {
			w->r.score = e->r.score;
			w->has_score = true;
		}
		if (e->r.description != NULL) {
			free((char *)(uintptr_t)w->r.description);
			w->r.description = e->r.description;
			e->r.description = NULL;
		}
		ent_clear(e);
	}
	db->n = j + 1;
}

static void
seterr(char *err, size_t errlen, const char *what, const char *path,
    long line)
{
	if (err == NULL || errlen == 0)
		return;
	if (line > 0)
		snprintf(err, errlen, "%s:%ld: %s", path, line, what);
	else
		snprintf(err, errlen, "%s: %s", path, what);
}

static void
chomp(char *s)
{
	size_t	 n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static bool
valid_name(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_'))
			return false;
	return true;
}

/* "NAME<TAB>SCORE<TAB>DESCRIPTION": P_OK, P_EINVAL or P_ENOMEM. */
static int
load_line(struct sa_db *db, const char *line)
{
	const char	*t1, *t2;
	struct sa_ent	*e;
	double		 d;

	if ((t1 = strchr(line, '\t')) == NULL ||
	    (t2 = strchr(t1 + 1, '\t')) == NULL)
		return P_EINVAL;
	if (!valid_name(line, (size_t)(t1 - line)) ||
	    !hx_number(t1 + 1, (size_t)(t2 - t1 - 1), &d))
		return P_EINVAL;
	if ((e = db_add(db, line, (size_t)(t1 - line))) == NULL)
		return P_ENOMEM;
	e->r.score = d;
	e->has_score = true;
	if ((e->r.description = strndup(t2 + 1, SA_DESC_MAX)) == NULL)
		return P_ENOMEM;
	return P_OK;
}

static int
load_into(struct sa_db *db, const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	char	*line = NULL;
	size_t	 cap = 0;
	long	 lineno = 0;
	int	 rc = P_OK;

	if ((fp = fopen(path, "r")) == NULL) {
		seterr(err, errlen, strerror(errno), path, 0);
		return errno == ENOENT ? P_ENOTFOUND : P_EIO;
	}
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		chomp(line);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((rc = load_line(db, line)) != P_OK) {
			seterr(err, errlen, rc == P_ENOMEM ? "out of memory" :
			    "want NAME<TAB>SCORE<TAB>DESCRIPTION", path,
			    lineno);
			break;
		}
	}
	if (rc == P_OK && ferror(fp)) {
		seterr(err, errlen, "read error", path, 0);
		rc = P_EIO;
	}
	free(line);
	fclose(fp);
	return rc;
}

int
sa_load(const char *path, struct sa_db **out, char *err, size_t errlen)
{
	struct sa_db	*db;
	int		 rc;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return P_ENOMEM;
	if ((rc = load_into(db, path, err, errlen)) != P_OK) {
		sa_db_free(db);
		return rc == P_ENOTFOUND ? P_EIO : rc;
	}
	db_finish(db);
	*out = db;
	return P_OK;
}

/* --- import from SpamAssassin's .cf files --- */

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *
word_end(const char *p)
{
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* One .cf line: "describe NAME text" or "score NAME s1 [s2 s3 s4]".
 * Scores: the fourth set (network and Bayes on) when four are given. */
static int
cf_line(struct sa_db *db, char *line)
{
	const char	*p, *name, *ne, *v[4];
	struct sa_ent	*e;
	size_t		 nv = 0;
	double		 d;
	char		*hash;
	bool		 describe;

	p = skip_ws(line);
	if (strncmp(p, "describe", 8) == 0 && (p[8] == ' ' || p[8] == '\t'))
		describe = true;
	else if (strncmp(p, "score", 5) == 0 && (p[5] == ' ' || p[5] == '\t'))
		describe = false;
	else
		return P_OK;	/* lang xx describe, header, meta... */
	p = skip_ws(word_end(p));
	name = p;
	ne = word_end(p);
	if (!valid_name(name, (size_t)(ne - name)) || name[0] == '_')
		return P_OK;
	p = skip_ws(ne);
	if (describe) {
		if ((e = db_add(db, name, (size_t)(ne - name))) == NULL)
			return P_ENOMEM;
		if ((e->r.description = strndup(p, SA_DESC_MAX)) == NULL)
			return P_ENOMEM;
		return P_OK;
	}
	if ((hash = strchr(p, '#')) != NULL)
		*hash = '\0';
	while (*p != '\0' && nv < 4) {
		v[nv++] = p;
		p = skip_ws(word_end(p));
	}
	if (nv == 0 || !hx_number(v[nv - 1], (size_t)(word_end(v[nv - 1]) -
	    v[nv - 1]), &d))
		return P_OK;	/* "score X (1.0)" and the like: ignored */
	if ((e = db_add(db, name, (size_t)(ne - name))) == NULL)
		return P_ENOMEM;
	e->r.score = d;
	e->has_score = true;
	return P_OK;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_cf(struct sa_db *db, const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	char	*line = NULL;
	size_t	 cap = 0;
	int	 rc = P_OK;

	if ((fp = fopen(path, "r")) == NULL) {
		seterr(err, errlen, strerror(errno), path, 0);
		return P_EIO;
	}
	while (rc == P_OK && getline(&line, &cap, fp) != -1) {
		chomp(line);
		rc = cf_line(db, line);
	}
	if (rc == P_ENOMEM)
		seterr(err, errlen, "out of memory", path, 0);
	free(line);
	fclose(fp);
	return rc;
}

/* The .cf files of dir in name order (SpamAssassin's load order). */
static int
list_cf(const char *dir, char ***out, size_t *n, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL, **nv;
	size_t		 len, cnt = 0;
	int		 rc = P_OK;

	if ((d = opendir(dir)) == NULL) {
		seterr(err, errlen, strerror(errno), dir, 0);
		return P_EIO;
	}
	while ((de = readdir(d)) != NULL && cnt < SA_FILES_MAX) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".cf") != 0)
			continue;
		if ((nv = reallocarray(v, cnt + 1, sizeof(*v))) == NULL ||
		    (nv[cnt] = strdup(de->d_name)) == NULL) {
			if (nv != NULL)
				v = nv;
			rc = P_ENOMEM;
			break;
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), name_cmp);
	*out = v;
	*n = cnt;
	return rc;
}

static int
write_db(const struct sa_db *db, const char *out_path, char *err,
    size_t errlen)
{
	FILE		*fp;
	char		*tmp;
	const char	*desc;
	size_t		 i, n = strlen(out_path) + 5, written = 0;
	double		 score;

	if ((tmp = malloc(n)) == NULL)
		return P_ENOMEM;
	snprintf(tmp, n, "%s.tmp", out_path);
	if ((fp = fopen(tmp, "w")) == NULL) {
		seterr(err, errlen, strerror(errno), tmp, 0);
		free(tmp);
		return P_EIO;
	}
	fprintf(fp, "# SpamAssassin rules: NAME<TAB>SCORE<TAB>DESCRIPTION, "
	    "sorted by name (byte order).\n# Facts from SpamAssassin's rule "
	    "files (describe and score lines); the score\n# is the set with "
	    "network tests and Bayes on. Rewritten by sa-import.\n");
	for (i = 0; i < db->n; i++) {
		desc = db->e[i].r.description != NULL ?
		    db->e[i].r.description : "";
		/* No score line: SpamAssassin's default (1.0; 0.01 for the
		 * T_ testing rules). */
		score = db->e[i].has_score ? db->e[i].r.score :
		    strncmp(db->e[i].r.name, "T_", 2) == 0 ? 0.01 : 1.0;
		if (strpbrk(desc, "\t\n") != NULL)
			desc = "";
		fprintf(fp, "%s\t%g\t%s\n", db->e[i].r.name, score, desc);
		written++;
	}
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		seterr(err, errlen, "write error", tmp, 0);
		unlink(tmp);
		free(tmp);
		return P_EIO;
	}
	if (rename(tmp, out_path) != 0) {
		seterr(err, errlen, strerror(errno), out_path, 0);
		unlink(tmp);
		free(tmp);
		return P_EIO;
	}
	free(tmp);
	return (int)written;
}

int
sa_import_rules_dir(const char *dir, const char *out_path, char *err,
    size_t errlen)
{
	struct sa_db	 db;
	char		**files = NULL, *path;
	size_t		 nfiles = 0, i, before, n;
	int		 rc;

	memset(&db, 0, sizeof(db));
	/* What we have first: the .cf files come later and win. */
	rc = load_into(&db, out_path, err, errlen);
	if (rc == P_ENOTFOUND) {
		rc = P_OK;
		if (err != NULL && errlen > 0)
			err[0] = '\0';
	}
	if (rc != P_OK)
		goto out;
	before = db.n;
	if ((rc = list_cf(dir, &files, &nfiles, err, errlen)) != P_OK)
		goto out;
	for (i = 0; i < nfiles && rc == P_OK; i++) {
		n = strlen(dir) + strlen(files[i]) + 2;
		if ((path = malloc(n)) == NULL) {
			rc = P_ENOMEM;
			break;
		}
		snprintf(path, n, "%s/%s", dir, files[i]);
		rc = read_cf(&db, path, err, errlen);
		free(path);
	}
	if (rc != P_OK)
		goto out;
	if (db.n == before) {
		seterr(err, errlen, "no describe or score lines in *.cf", dir,
		    0);
		rc = P_EINVAL;
		goto out;
	}
	db_finish(&db);
	rc = write_db(&db, out_path, err, errlen);
out:
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	for (i = 0; i < db.n; i++)
		ent_clear(&db.e[i]);
	free(db.e);
	return rc;
}
