/* hdrs_spam.c - SpamAssassin's (and Amavis') verdict headers:
 * X-Spam-Flag, X-Spam-Status (score, required, tests with or without
 * scores), X-Spam-Score, X-Spam-Level and the X-Spam-Report table. Every
 * test gets its score, the rule's description and our explanation. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

#define NAME_MAX_LEN	64
#define DESC_MAX	1024	/* bytes of a joined description */

static bool
is_rule_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct hdr_test *
test_get(struct hctx *h, const char *name, size_t n)
{
	struct hdr_report	*r = h->r;
	struct hdr_test		*t;
	size_t			 i;

	for (i = 0; i < r->ntests; i++)
		if (strlen(r->tests[i].name) == n &&
		    strncmp(r->tests[i].name, name, n) == 0)
			return &r->tests[i];
	t = hx_push(h, &r->tests, &r->ntests, &h->cap_tests, sizeof(*t),
	    HDR_MAX_TESTS);
	if (t != NULL && (t->name = hx_strndup(h, name, n)) == NULL)
		return NULL;
	return t;
}

/* "key=value" anywhere in s as a whole word; returns the value start. */
static const char *
find_key(const char *s, const char *key)
{
	size_t		 k = strlen(key);
	const char	*p;

	for (p = s; (p = strstr(p, key)) != NULL; p += k)
		if ((p == s || is_ws(p[-1]) || p[-1] == ',') && p[k] == '=')
			return p + k + 1;
	return NULL;
}

static bool
read_number(const char *p, double *out)
{
	size_t	 n = strspn(p, "+-0123456789.");

	return n > 0 && hx_number(p, n, out);
}

/* tests=A,B,C or tests=[A=1.2, B=-0.1]: ends at the first item that is
 * not a rule name (e.g. "autolearn=no"). */
static void
parse_tests(struct hctx *h, const char *p)
{
	struct hdr_test	*t;
	const char	*w;
	size_t		 n;
	double		 d;
	bool		 bracket = false;

	if (*p == '[') {
		bracket = true;
		p++;
	}
	for (;;) {
		while (*p == ',' || is_ws(*p))
			p++;
		if (*p == '\0' || *p == ']')
			return;
		for (w = p; is_rule_char(*p); p++)
			;
		n = (size_t)(p - w);
		if (n < 2 || n > NAME_MAX_LEN || (*p != ',' && *p != '=' &&
		    *p != ']' && !is_ws(*p) && *p != '\0'))
			return;
		if ((t = test_get(h, w, n)) == NULL)
			return;
		if (*p == '=') {
			p++;
			if (read_number(p, &d)) {
				t->has_score = true;
				t->score = d;
			}
			p += strspn(p, "+-0123456789.");
		}
		/* Without brackets a name is followed by ',' or the end of
		 * the list; "BAYES_99 autolearn=no" ends it. */
		if (!bracket && *p != ',' && *p != '\0') {
			while (is_ws(*p))
				p++;
			if (!is_rule_char(*p) || (*p >= '0' && *p <= '9'))
				return;
		}
	}
}

static void
parse_status(struct hctx *h, const char *v)
{
	struct hdr_report	*r = h->r;
	const char		*p;
	double			 d;

	if (hx_iprefix(v, "yes"))
		r->spam_flag = 1;
	else if (hx_iprefix(v, "no") && r->spam_flag < 0)
		r->spam_flag = 0;
	if (((p = find_key(v, "score")) != NULL ||
	    (p = find_key(v, "hits")) != NULL) && read_number(p, &d)) {
		r->has_spam_score = true;
		r->spam_score = d;
	}
	if ((p = find_key(v, "required")) != NULL && read_number(p, &d)) {
		r->has_spam_required = true;
		r->spam_required = d;
	}
	if ((p = find_key(v, "tests")) != NULL)
		parse_tests(h, p);
}

/* One line of X-Spam-Report: "* 3.5 BAYES_99 BODY: Bayes spam ...", or
 * of the "pts rule name description" table; others continue the last. */
static void
report_line(struct hctx *h, const char *p, size_t n, struct hdr_test **cur)
{
	const char	*e = p + n, *num, *name, *desc;
	size_t		 nn;
	double		 d;

	while (p < e && (is_ws(*p) || *p == '*'))
		p++;
	while (e > p && is_ws(e[-1]))
		e--;
	if (p >= e)
		return;
	num = p;
	p += strspn(p, "+-0123456789.");
	if (p > num && p < e && is_ws(*p) && hx_number(num,
	    (size_t)(p - num), &d)) {
		while (p < e && is_ws(*p))
			p++;
		for (name = p; p < e && is_rule_char(*p); p++)
			;
		nn = (size_t)(p - name);
		if (nn >= 2 && nn <= NAME_MAX_LEN && (p == e || is_ws(*p))) {
			while (p < e && is_ws(*p))
				p++;
			desc = p;
			if ((*cur = test_get(h, name, nn)) == NULL)
				return;
			(*cur)->has_score = true;
			(*cur)->score = d;
			(*cur)->score_default = false;
			(*cur)->description = hx_strndup(h, desc,
			    (size_t)(e - desc));
			return;
		}
	}
	if (*cur == NULL || hx_iprefix(num, "pts rule") ||
	    hx_iprefix(num, "----") || hx_iprefix(num, "content analysis"))
		return;
	/* Bounded: a pasted report of endless continuation lines must not
	 * turn the joining into quadratic work. */
	if ((*cur)->description != NULL &&
	    strlen((*cur)->description) > DESC_MAX)
		return;
	(*cur)->description = hx_printf(h, "%s%s%.*s",
	    (*cur)->description != NULL ? (*cur)->description : "",
	    (*cur)->description != NULL ? " " : "", (int)(e - num), num);
}

static void
parse_report(struct hctx *h, const char *raw)
{
	const char	*p = raw, *nl;
	struct hdr_test	*cur = NULL;

	while (*p != '\0' && h->err == P_OK) {
		nl = strchr(p, '\n');
		report_line(h, p, nl != NULL ? (size_t)(nl - p) : strlen(p),
		    &cur);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static int
test_cmp(const void *a, const void *b)
{
	const struct hdr_test	*x = a, *y = b;

	if (x->has_score != y->has_score)
		return x->has_score ? -1 : 1;
	if (x->has_score && x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
enrich_tests(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	const struct sa_rule	*rule;
	struct hdr_test		*t;
	size_t			 i;

	for (i = 0; i < r->ntests; i++) {
		t = &r->tests[i];
		rule = sa_find(h->sa, t->name);
		if (!t->has_score && rule != NULL) {
			t->has_score = true;
			t->score_default = true;
			t->score = rule->score;
		}
		if (t->description == NULL && rule != NULL)
			t->description = rule->description;
		t->explain_en = sa_explain(t->name, "en");
		t->explain_fr = sa_explain(t->name, "fr");
	}
	if (r->ntests > 1)
		qsort(r->tests, r->ntests, sizeof(r->tests[0]), test_cmp);
}

void
hdr_do_spam(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	const struct hdr_field	*f;
	size_t			 i;
	double			 d;

	for (i = 0; i < r->nfields && h->err == P_OK; i++) {
		f = &r->fields[i];
		if (hx_ieq(f->name, "x-spam-flag")) {
			if (hx_iprefix(f->value, "yes"))
				r->spam_flag = 1;
			else if (hx_iprefix(f->value, "no") &&
			    r->spam_flag < 0)
				r->spam_flag = 0;
		} else if (hx_ieq(f->name, "x-spam-status"))
			parse_status(h, f->value);
		else if (hx_ieq(f->name, "x-spam-score")) {
			if (!r->has_spam_score && read_number(f->value, &d)) {
				r->has_spam_score = true;
				r->spam_score = d;
			}
		} else if (hx_ieq(f->name, "x-spam-level"))
			r->spam_level = (int)strspn(f->value, "*");
		else if (hx_ieq(f->name, "x-spam-report"))
			parse_report(h, f->raw);
	}
	if (h->err == P_OK)
		enrich_tests(h);
}
