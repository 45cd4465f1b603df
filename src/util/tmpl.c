/* tmpl.c - Mustache-like templates: compiled once into a flat node list
 * (sections know where their body ends), rendered against json-c data into
 * a capped buffer. Variables are HTML-escaped; {{{raw x}}} is the only way
 * out. Every limit (nesting, partial depth, work per render) is explicit so
 * that hostile templates and data cannot exhaust the stack or the CPU. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/tmpl.h"

#define TMPL_MAX_NEST		32	/* sections open at once, per template */
#define TMPL_MAX_PARTIAL	16	/* partials inside partials */
#define TMPL_MAX_STEPS		(4u << 20) /* nodes visited by one render */
#define TMPL_MAX_NAME		128	/* bytes in a variable or partial name */
#define TMPL_MAX_FILE		(1u << 20)

enum node_type { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL };

struct node {
	enum node_type	 type;
	unsigned	 line;
	const char	*s;		/* text or name, inside tmpl->src */
	size_t		 len;
	size_t		 end;		/* sections: the node after the body */
};

struct tmpl {
	char		*src;		/* private copy the nodes point into */
	struct node	*nodes;
	size_t		 n, cap;
};

struct tmpl_entry {
	char		 name[TMPL_MAX_NAME + 1];
	struct tmpl	*t;
};

struct tmpl_set {
	struct tmpl_entry *v;
	size_t		 n, cap;
};

/* A context: the innermost first, linked outwards on the C stack. */
struct frame {
	struct json_object	*obj;
	const struct frame	*up;
};

struct render {
	const struct tmpl_set	*set;
	struct buf		*out;
	unsigned		 depth;		/* partials entered */
	size_t			 steps;
};

static void	seterr(char *, size_t, unsigned, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	render_range(struct render *, const struct tmpl *, size_t,
		    size_t, const struct frame *);

static void
seterr(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (err == NULL || errlen == 0)
		return;
	n = snprintf(err, errlen, "line %u: ", line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* The offset of pat in s[from, len), or len when absent. */
static size_t
find(const char *s, size_t len, size_t from, const char *pat, size_t plen)
{
	const char	*p;

	while (from + plen <= len) {
		p = memchr(s + from, pat[0], len - from);
		if (p == NULL)
			break;
		from = (size_t)(p - s);
		if (from + plen <= len && memcmp(p, pat, plen) == 0)
			return from;
		from++;
	}
	return len;
}

static unsigned
count_nl(const char *s, size_t n)
{
	unsigned	 c = 0;

	while (n-- > 0)
		if (*s++ == '\n')
			c++;
	return c;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
trim(const char **s, size_t *len)
{
	for (; *len > 0 && is_space(**s); (*len)--)
		(*s)++;
	while (*len > 0 && is_space((*s)[*len - 1]))
		(*len)--;
}

static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* "." alone, or words joined by single dots (dotted=false: one word). */
static bool
is_name(const char *s, size_t len, bool dotted)
{
	size_t	 i;

	if (len == 0 || len > TMPL_MAX_NAME)
		return false;
	if (dotted && len == 1 && s[0] == '.')
		return true;
	for (i = 0; i < len; i++) {
		if (is_word(s[i]))
			continue;
		if (!dotted || s[i] != '.' || i == 0 || i == len - 1 ||
		    s[i - 1] == '.')
			return false;
	}
	return true;
}

static int
add_node(struct tmpl *t, enum node_type type, unsigned line, const char *s,
    size_t len)
{
	struct node	*nv;
	size_t		 ncap;

	if (t->n == t->cap) {
		ncap = t->cap ? t->cap * 2 : 32;
		nv = realloc(t->nodes, ncap * sizeof(*nv));
		if (nv == NULL)
			return P_ENOMEM;
		t->nodes = nv;
		t->cap = ncap;
	}
	t->nodes[t->n++] = (struct node){ type, line, s, len, 0 };
	return P_OK;
}

#define SHOW(s, n)	(int)((n) > 40 ? 40 : (n)), (s)

/* One tag's content (between the braces). stack holds open sections. */
static int
compile_tag(struct tmpl *t, const char *s, size_t len, bool triple,
    unsigned line, size_t *stack, size_t *nstack, char *err, size_t errlen)
{
	const struct node	*open;
	char			 sigil;

	if (triple) {
		if (len < 4 || memcmp(s, "raw", 3) != 0 ||
		    (s[3] != ' ' && s[3] != '\t')) {
			seterr(err, errlen, line, "bad tag {{{%.*s}}}: "
			    "the raw form is {{{raw name}}}", SHOW(s, len));
			return P_EINVAL;
		}
		s += 3;
		len -= 3;
		trim(&s, &len);
		if (!is_name(s, len, true))
			goto badname;
		return add_node(t, N_RAW, line, s, len);
	}
	trim(&s, &len);
	if (len == 0) {
		seterr(err, errlen, line, "empty tag");
		return P_EINVAL;
	}
	sigil = s[0];
	if (sigil == '!')
		return P_OK;
	if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>') {
		s++;
		len--;
		trim(&s, &len);
	} else if (!is_word(sigil) && sigil != '.') {
		seterr(err, errlen, line, "unsupported tag {{%.*s}}",
		    SHOW(s, len));
		return P_EINVAL;
	}
	if (!is_name(s, len, sigil != '>'))
		goto badname;
	switch (sigil) {
	case '#':
	case '^':
		if (*nstack == TMPL_MAX_NEST) {
			seterr(err, errlen, line, "sections nested deeper "
			    "than %d", TMPL_MAX_NEST);
			return P_ETOOBIG;
		}
		stack[(*nstack)++] = t->n;
		return add_node(t, sigil == '#' ? N_SECTION : N_INVERTED,
		    line, s, len);
	case '/':
		if (*nstack == 0) {
			seterr(err, errlen, line, "{{/%.*s}} closes no section",
			    SHOW(s, len));
			return P_EINVAL;
		}
		open = &t->nodes[stack[*nstack - 1]];
		if (open->len != len || memcmp(open->s, s, len) != 0) {
			seterr(err, errlen, line, "{{/%.*s}} does not match "
			    "{{#%.*s}} opened on line %u", SHOW(s, len),
			    SHOW(open->s, open->len), open->line);
			return P_EINVAL;
		}
		t->nodes[stack[--(*nstack)]].end = t->n;
		return P_OK;
	case '>':
		return add_node(t, N_PARTIAL, line, s, len);
	default:
		return add_node(t, N_VAR, line, s, len);
	}
badname:
	seterr(err, errlen, line, "bad name '%.*s'", SHOW(s, len));
	return P_EINVAL;
}

static int
compile_all(struct tmpl *t, size_t len, char *err, size_t errlen)
{
	const char	*src = t->src;
	size_t		 stack[TMPL_MAX_NEST];
	size_t		 nstack = 0, p = 0, open, close, next, olen;
	unsigned	 line = 1;
	int		 rc;

	while (p < len) {
		open = find(src, len, p, "{{", 2);
		if (open > p) {
			rc = add_node(t, N_TEXT, line, src + p, open - p);
			if (rc != P_OK)
				goto nomem;
			line += count_nl(src + p, open - p);
		}
		if (open == len)
			break;
		/* "{{{" closes with "}}}", "{{" with "}}". */
		olen = open + 2 < len && src[open + 2] == '{' ? 3 : 2;
		close = find(src, len, open + olen, "}}}", olen);
		if (close == len) {
			seterr(err, errlen, line, "tag not closed");
			return P_EINVAL;
		}
		next = close + olen;
		rc = compile_tag(t, src + open + olen, close - open - olen,
		    olen == 3, line, stack, &nstack, err, errlen);
		if (rc == P_ENOMEM)
			goto nomem;
		if (rc != P_OK)
			return rc;
		line += count_nl(src + open, next - open);
		p = next;
	}
	if (nstack > 0) {
		seterr(err, errlen, t->nodes[stack[nstack - 1]].line,
		    "section '%.*s' is not closed",
		    SHOW(t->nodes[stack[nstack - 1]].s,
		    t->nodes[stack[nstack - 1]].len));
		return P_EINVAL;
	}
	return P_OK;
nomem:
	seterr(err, errlen, line, "out of memory");
	return P_ENOMEM;
}

struct tmpl *
tmpl_compile(const char *src, size_t len, char *err, size_t errlen)
{
	struct tmpl	*t;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	t = calloc(1, sizeof(*t));
	if (t != NULL)
		t->src = malloc(len + 1);
	if (t == NULL || t->src == NULL) {
		free(t);
		seterr(err, errlen, 0, "out of memory");
		return NULL;
	}
	if (len > 0)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	if (compile_all(t, len, err, errlen) != P_OK) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	free(t->src);
	free(t);
}

/* --- rendering --- */

/* Looks key (not NUL-terminated) up in obj; true if obj has it (the value
 * may be NULL for a json null). In an array, a number is an index, so that
 * {{#list.0}} tells whether a list has items. */
static bool
get_key(struct json_object *obj, const char *key, size_t len,
    struct json_object **val)
{
	char	 k[TMPL_MAX_NAME + 1];
	size_t	 i, idx = 0;

	if (len > TMPL_MAX_NAME)
		return false;
	if (json_object_is_type(obj, json_type_array)) {
		for (i = 0; i < len && i < 9; i++) {
			if (key[i] < '0' || key[i] > '9')
				return false;
			idx = idx * 10 + (size_t)(key[i] - '0');
		}
		if (i != len || idx >= json_object_array_length(obj))
			return false;
		*val = json_object_array_get_idx(obj, idx);
		return true;
	}
	if (!json_object_is_type(obj, json_type_object))
		return false;
	memcpy(k, key, len);
	k[len] = '\0';
	return json_object_object_get_ex(obj, k, val);
}

/* The first word resolves outwards; the rest strictly inside it. */
static struct json_object *
lookup(const struct frame *f, const char *name, size_t len)
{
	struct json_object	*o = NULL;
	const char		*dot;
	size_t			 seg;

	if (len == 1 && name[0] == '.')
		return f != NULL ? f->obj : NULL;
	dot = memchr(name, '.', len);
	seg = dot != NULL ? (size_t)(dot - name) : len;
	for (; f != NULL; f = f->up)
		if (get_key(f->obj, name, seg, &o))
			break;
	if (f == NULL)
		return NULL;
	while (dot != NULL) {
		len -= seg + 1;
		name = dot + 1;
		dot = memchr(name, '.', len);
		seg = dot != NULL ? (size_t)(dot - name) : len;
		if (!get_key(o, name, seg, &o))
			return NULL;
	}
	return o;
}

static bool
is_truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0.0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return true;
	default:
		return false;
	}
}

/* & < > " ' ` = become entities: safe in text and in quoted or unquoted
 * attribute values. */
static int
put_escaped(struct buf *b, const char *s, size_t n)
{
	const char	*rep;
	size_t		 i, run = 0;
	int		 rc;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '`': rep = "&#96;"; break;
		case '=': rep = "&#61;"; break;
		default: continue;
		}
		if (i > run) {
			rc = buf_append(b, s + run, i - run);
			if (rc != P_OK)
				return rc;
		}
		rc = buf_puts(b, rep);
		if (rc != P_OK)
			return rc;
		run = i + 1;
	}
	return n > run ? buf_append(b, s + run, n - run) : P_OK;
}

static int
put_value(struct buf *b, struct json_object *v, bool raw)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		if (raw)
			return buf_append(b, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		return put_escaped(b, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	case json_type_int:
		return buf_printf(b, "%" PRId64, json_object_get_int64(v));
	case json_type_double:
		return buf_printf(b, "%g", json_object_get_double(v));
	case json_type_boolean:
		return buf_puts(b, json_object_get_boolean(v) ? "true" :
		    "false");
	default:			/* null, missing, objects, arrays */
		return P_OK;
	}
}

static const struct tmpl *
set_find(const struct tmpl_set *set, const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; set != NULL && i < set->n; i++)
		if (strlen(set->v[i].name) == len &&
		    memcmp(set->v[i].name, name, len) == 0)
			return set->v[i].t;
	return NULL;
}

static int
render_section(struct render *r, const struct tmpl *t, size_t i,
    const struct frame *ctx)
{
	const struct node	*nd = &t->nodes[i];
	struct json_object	*v;
	struct frame		 fr;
	size_t			 k, n;
	int			 rc;

	v = lookup(ctx, nd->s, nd->len);
	fr.up = ctx;
	if (nd->type == N_INVERTED)
		return is_truthy(v) ? P_OK :
		    render_range(r, t, i + 1, nd->end, ctx);
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (k = 0; k < n; k++) {
			fr.obj = json_object_array_get_idx(v, k);
			rc = render_range(r, t, i + 1, nd->end, &fr);
			if (rc != P_OK)
				return rc;
		}
		return P_OK;
	}
	if (!is_truthy(v))
		return P_OK;
	fr.obj = v;
	return render_range(r, t, i + 1, nd->end, &fr);
}

static int
render_partial(struct render *r, const struct node *nd,
    const struct frame *ctx)
{
	const struct tmpl	*pt;
	int			 rc;

	pt = set_find(r->set, nd->s, nd->len);
	if (pt == NULL)
		return P_ENOTFOUND;
	if (r->depth >= TMPL_MAX_PARTIAL)
		return P_ETOOBIG;
	r->depth++;
	rc = render_range(r, pt, 0, pt->n, ctx);
	r->depth--;
	return rc;
}

static int
render_range(struct render *r, const struct tmpl *t, size_t from, size_t to,
    const struct frame *ctx)
{
	const struct node	*nd;
	size_t			 i = from;
	int			 rc = P_OK;

	while (i < to && rc == P_OK) {
		if (++r->steps > TMPL_MAX_STEPS)
			return P_ETOOBIG;
		nd = &t->nodes[i];
		switch (nd->type) {
		case N_TEXT:
			rc = buf_append(r->out, nd->s, nd->len);
			break;
		case N_VAR:
		case N_RAW:
			rc = put_value(r->out, lookup(ctx, nd->s, nd->len),
			    nd->type == N_RAW);
			break;
		case N_SECTION:
		case N_INVERTED:
			rc = render_section(r, t, i, ctx);
			i = nd->end;
			continue;
		case N_PARTIAL:
			rc = render_partial(r, nd, ctx);
			break;
		}
		i++;
	}
	return rc;
}

static int
render_top(const struct tmpl_set *set, const struct tmpl *t,
    struct json_object *ctx, struct json_object *outer, struct buf *out)
{
	struct render	 r;
	struct frame	 top, shared;
	size_t		 start = out->len;
	int		 rc;

	r.set = set;
	r.out = out;
	r.depth = 0;
	r.steps = 0;
	shared.obj = outer;
	shared.up = NULL;
	top.obj = ctx;
	top.up = outer != NULL ? &shared : NULL;
	rc = render_range(&r, t, 0, t->n, &top);
	if (rc != P_OK && out->p != NULL) {
		/* All or nothing: drop what this render appended. */
		out->len = start;
		out->p[start] = '\0';
	}
	return rc;
}

int
tmpl_render_one(const struct tmpl_set *set, const struct tmpl *t,
    struct json_object *ctx, struct buf *out)
{
	return render_top(set, t, ctx, NULL, out);
}

int
tmpl_render(const struct tmpl_set *set, const char *name,
    struct json_object *ctx, struct buf *out)
{
	return tmpl_render_with(set, name, ctx, NULL, out);
}

int
tmpl_render_with(const struct tmpl_set *set, const char *name,
    struct json_object *ctx, struct json_object *outer, struct buf *out)
{
	const struct tmpl	*t;

	t = set_find(set, name, strlen(name));
	if (t == NULL)
		return P_ENOTFOUND;
	return render_top(set, t, ctx, outer, out);
}

/* --- sets --- */

struct tmpl_set *
tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free(set->v[i].t);
	free(set->v);
	free(set);
}

/* The set owns t from the call on, even when the call fails. A template
 * already under that name is replaced. */
int
tmpl_set_add(struct tmpl_set *set, const char *name, struct tmpl *t)
{
	struct tmpl_entry	*nv;
	size_t			 i, ncap;

	if (set == NULL || name == NULL || t == NULL ||
	    strlen(name) > TMPL_MAX_NAME) {
		tmpl_free(t);
		return P_EINVAL;
	}
	for (i = 0; i < set->n && strcmp(set->v[i].name, name) != 0; i++)
		;
	if (i == set->cap) {
		ncap = set->cap ? set->cap * 2 : 16;
		nv = realloc(set->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			tmpl_free(t);
			return P_ENOMEM;
		}
		set->v = nv;
		set->cap = ncap;
	}
	if (i == set->n) {
		set->n++;
		set->v[i].t = NULL;
		memcpy(set->v[i].name, name, strlen(name) + 1);
	}
	tmpl_free(set->v[i].t);
	set->v[i].t = t;
	return P_OK;
}

/* Compiles dir/file (a *.html) into the set under its base name. */
static int
load_one(struct tmpl_set *set, const char *dir, const char *file,
    char *err, size_t errlen)
{
	struct buf	 src;
	struct tmpl	*t;
	char		 path[4096], name[TMPL_MAX_NAME + 1], cerr[160];
	char		 chunk[4096];
	size_t		 n;
	FILE		*f;
	int		 rc = P_OK;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	buf_init(&src, TMPL_MAX_FILE);
	f = fopen(path, "r");
	while (f != NULL && rc == P_OK) {
		n = fread(chunk, 1, sizeof(chunk), f);
		if (n == 0)
			break;
		rc = buf_append(&src, chunk, n);
	}
	if (f == NULL || ferror(f) || rc != P_OK) {
		snprintf(err, errlen, "%s: cannot read (%s)", path,
		    rc != P_OK ? perr_str(rc) : strerror(errno));
		rc = rc != P_OK ? rc : P_EIO;
		goto out;
	}
	t = tmpl_compile(buf_str(&src), src.len, cerr, sizeof(cerr));
	if (t == NULL) {
		snprintf(err, errlen, "%s: %s", file, cerr);
		rc = P_EINVAL;
		goto out;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - 5), file);
	rc = tmpl_set_add(set, name, t);
	if (rc != P_OK)
		snprintf(err, errlen, "%s: %s", file, perr_str(rc));
out:
	if (f != NULL)
		fclose(f);
	buf_cleanup(&src);
	return rc;
}

/* Start-up check: every {{>name}} names a template of the set. */
static int
check_partials(const struct tmpl_set *set, char *err, size_t errlen)
{
	const struct node	*nd;
	size_t			 i, k;

	for (i = 0; i < set->n; i++) {
		for (k = 0; k < set->v[i].t->n; k++) {
			nd = &set->v[i].t->nodes[k];
			if (nd->type != N_PARTIAL ||
			    set_find(set, nd->s, nd->len) != NULL)
				continue;
			snprintf(err, errlen, "%s.html: line %u: no partial "
			    "'%.*s'", set->v[i].name, nd->line,
			    SHOW(nd->s, nd->len));
			return P_ENOTFOUND;
		}
	}
	return P_OK;
}

struct tmpl_set *
tmpl_set_load(const char *dir, char *err, size_t errlen)
{
	struct tmpl_set	*set;
	struct dirent	*de;
	DIR		*d;
	char		 dummy[8];
	size_t		 n;
	int		 rc = P_OK;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	set = tmpl_set_new();
	d = opendir(dir);
	if (set == NULL || d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		if (d != NULL)
			closedir(d);
		tmpl_set_free(set);
		return NULL;
	}
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n <= 5 || n > TMPL_MAX_NAME + 5 ||
		    strcmp(de->d_name + n - 5, ".html") != 0)
			continue;
		rc = load_one(set, dir, de->d_name, err, errlen);
		if (rc != P_OK)
			break;
	}
	closedir(d);
	if (rc == P_OK)
		rc = check_partials(set, err, errlen);
	if (rc != P_OK) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}
