/* hdrs_auth.c - Authentication-Results (RFC 8601), its ARC copy
 * (RFC 8617) and Received-SPF (RFC 7208 9.1): every method=result with
 * its reason, comment and properties, tolerant of Microsoft's variant
 * (no authserv-id, missing ';' between methods, action=, compauth=). */
#include <string.h>
#include <strings.h>

#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

#define AUTH_MAX	128
#define PROPS_MAX	16

static const char *const methods[] = {
	"spf", "dkim", "dmarc", "arc", "auth", "iprev", "bimi", "compauth",
	"dkim-atps", "dkim-adsp", "domainkeys", "sender-id", "senderid",
	"vbr", "rrvs", "smime", "dnswl", "x-tls", "x-google-dkim",
};

static const struct {
	const char		*word;
	enum hdr_auth_result	 v;
} results[] = {
	{ "pass", HDR_AR_PASS }, { "fail", HDR_AR_FAIL },
	{ "hardfail", HDR_AR_FAIL }, { "softfail", HDR_AR_SOFTFAIL },
	{ "neutral", HDR_AR_NEUTRAL }, { "none", HDR_AR_NONE },
	{ "temperror", HDR_AR_TEMPERROR }, { "permerror", HDR_AR_PERMERROR },
	{ "policy", HDR_AR_POLICY }, { "bestguesspass", HDR_AR_BESTGUESSPASS },
	{ "softpass", HDR_AR_PASS }, { "error", HDR_AR_TEMPERROR },
};

struct tok {
	const char	*p;
	size_t		 n;
	size_t		 eq;	/* index of '=' in p, or n when none */
	bool		 comment;
};

static enum hdr_auth_result
result_of(const char *w)
{
	size_t	 i;

	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (strcasecmp(w, results[i].word) == 0)
			return results[i].v;
	return HDR_AR_UNKNOWN;
}

static bool
is_method(const char *w, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == n &&
		    strncasecmp(w, methods[i], n) == 0)
			return true;
	return false;
}

/* Next token of s[..end): a comment, a quoted string or a word (which
 * may be key="quoted value"). ';' ends a segment: returned as n == 0. */
static const char *
next_tok(const char *p, const char *end, struct tok *t)
{
	const char	*s;
	int		 depth;

	while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
		p++;
	memset(t, 0, sizeof(*t));
	t->p = p;
	if (p >= end)
		return NULL;
	if (*p == ';')
		return p + 1;
	s = p;
	if (*p == '(') {
		for (depth = 0; p < end; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
		t->comment = true;
	} else {
		for (; p < end && *p != ' ' && *p != '\t' && *p != ';' &&
		    *p != '('; p++)
			if (*p == '"')
				for (p++; p < end && *p != '"'; p++)
					if (*p == '\\' && p + 1 < end)
						p++;
	}
	t->n = (size_t)(p - s);
	if (t->n == 0)		/* a stray ')' or '"' at the end */
		t->n = 1, p++;
	t->eq = t->n;
	if (!t->comment) {
		const char *e = memchr(s, '=', t->n);

		if (e != NULL)
			t->eq = (size_t)(e - s);
	}
	return p;
}

static char *
unquote(struct hctx *h, const char *p, size_t n)
{
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"')
		return hx_strndup(h, p + 1, n - 2);
	if (n >= 1 && p[0] == '"')
		return hx_strndup(h, p + 1, n - 1);
	return hx_strndup(h, p, n);
}

static char *
lower_dup(struct hctx *h, const char *p, size_t n)
{
	char	*s;
	size_t	 i;

	if ((s = hx_strndup(h, p, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	return s;
}

static void
finish(struct hdr_auth *v)
{
	v->verdict = result_of(v->result != NULL ? v->result : "");
	switch (v->verdict) {
	case HDR_AR_FAIL:
	case HDR_AR_SOFTFAIL:
	case HDR_AR_TEMPERROR:
	case HDR_AR_PERMERROR:
		v->problem = strcmp(v->method, "bimi") != 0;
		break;
	case HDR_AR_NONE:
	case HDR_AR_NEUTRAL:
	case HDR_AR_POLICY:
		v->problem = strcmp(v->method, "spf") == 0 ||
		    strcmp(v->method, "dkim") == 0 ||
		    strcmp(v->method, "dmarc") == 0 ||
		    strcmp(v->method, "compauth") == 0;
		break;
	default:
		v->problem = false;
	}
	v->explain_en = hdr_auth_explain(v->method, v->verdict, "en");
	v->explain_fr = hdr_auth_explain(v->method, v->verdict, "fr");
}

static struct hdr_auth *
new_verdict(struct hctx *h, const char *source, const char *authserv,
    int instance, const struct tok *t)
{
	struct hdr_report	*r = h->r;
	struct hdr_auth		*v;
	const char		*slash;
	size_t			 mlen = t->eq;

	v = hx_push(h, &r->auth, &r->nauth, &h->cap_auth, sizeof(*v),
	    AUTH_MAX);
	if (v == NULL)
		return NULL;
	v->source = source;
	v->authserv_id = authserv;
	v->arc_instance = instance;
	/* "dkim/1=pass": the method version is not part of the name. */
	if ((slash = memchr(t->p, '/', t->eq)) != NULL)
		mlen = (size_t)(slash - t->p);
	v->method = lower_dup(h, t->p, mlen);
	v->result = lower_dup(h, t->p + t->eq + 1, t->n - t->eq - 1);
	if (v->method == NULL || v->result == NULL)
		return NULL;
	return v;
}

static void
add_prop(struct hctx *h, struct hdr_auth *v, const struct tok *t)
{
	struct hdr_prop	*np;
	const char	*dot;
	size_t		 cap;

	if (v->nprops >= PROPS_MAX)
		return;
	/* Props are few: grow by copying, capacity is the count. */
	cap = v->nprops;
	np = hx_push(h, &v->props, &v->nprops, &cap, sizeof(*np), PROPS_MAX);
	if (np == NULL)
		return;
	dot = memchr(t->p, '.', t->eq);
	if (dot != NULL) {
		np->ptype = lower_dup(h, t->p, (size_t)(dot - t->p));
		np->property = hx_strndup(h, dot + 1,
		    (size_t)(t->p + t->eq - dot - 1));
	} else {
		np->ptype = "";
		np->property = lower_dup(h, t->p, t->eq);
	}
	np->value = unquote(h, t->p + t->eq + 1, t->n - t->eq - 1);
}

/* One Authentication-Results or ARC-Authentication-Results value. */
static void
parse_ar(struct hctx *h, const char *source, const char *val, bool arc)
{
	const char	*p = val, *end = val + strlen(val), *authserv = "";
	struct hdr_auth	*v = NULL;
	struct tok	 t;
	int		 instance = 0, seg = 0;
	bool		 head = true;
	double		 d;

	while ((p = next_tok(p, end, &t)) != NULL) {
		if (t.n == 0) {		/* ';' */
			if (v != NULL)
				finish(v);
			v = NULL;
			seg++;
			continue;
		}
		if (t.comment) {
			if (v != NULL && v->comment == NULL && t.n > 2)
				v->comment = hx_strndup(h, t.p + 1, t.n - 2);
			continue;
		}
		if (arc && seg == 0 && t.eq == 1 && t.n > 1 && (t.p[0] == 'i' ||
		    t.p[0] == 'I')) {
			if (hx_number(t.p + 2, t.n - 2, &d) && d >= 1 &&
			    d <= 50)
				instance = (int)d;
			continue;
		}
		if (head && t.eq == t.n) {
			/* The authserv-id, then an optional version. */
			if (*authserv == '\0')
				authserv = hx_strndup(h, t.p, t.n);
			continue;
		}
		if (t.eq == t.n || t.eq == 0)
			continue;
		head = false;
		if (v == NULL || (memchr(t.p, '.', t.eq) == NULL &&
		    is_method(t.p, t.eq))) {
			if (v != NULL)
				finish(v);
			v = new_verdict(h, source, authserv, instance, &t);
			if (v == NULL)
				return;
		} else if (t.eq == 6 && strncasecmp(t.p, "reason", 6) == 0)
			v->reason = unquote(h, t.p + 7, t.n - 7);
		else if (t.eq == 6 && strncasecmp(t.p, "action", 6) == 0)
			v->action = lower_dup(h, t.p + 7, t.n - 7);
		else
			add_prop(h, v, &t);
	}
	if (v != NULL)
		finish(v);
}

/* Received-SPF: result (comment) key=value; key=value... */
static void
parse_received_spf(struct hctx *h, const char *val)
{
	const char	*p = val, *end = val + strlen(val);
	struct hdr_auth	*v = NULL;
	struct tok	 t;
	struct tok	 fake;
	size_t		 i;

	while ((p = next_tok(p, end, &t)) != NULL) {
		if (t.n == 0)
			continue;
		if (v == NULL) {
			if (t.comment || t.eq != t.n)
				return;
			/* Build "spf=<result>" as if it were an A-R. */
			memset(&fake, 0, sizeof(fake));
			fake.p = hx_printf(h, "spf=%.*s", (int)t.n, t.p);
			if (fake.p == NULL)
				return;
			fake.n = strlen(fake.p);
			fake.eq = 3;
			v = new_verdict(h, "Received-SPF", "", 0, &fake);
			if (v == NULL)
				return;
			continue;
		}
		if (t.comment) {
			if (v->comment == NULL && t.n > 2)
				v->comment = hx_strndup(h, t.p + 1, t.n - 2);
		} else if (t.eq < t.n && t.eq > 0)
			add_prop(h, v, &t);
	}
	if (v == NULL)
		return;
	for (i = 0; i < v->nprops; i++)
		if (strcmp(v->props[i].property, "receiver") == 0)
			v->authserv_id = v->props[i].value;
	finish(v);
}

void
hdr_do_auth(struct hctx *h)
{
	const struct hdr_report	*r = h->r;
	size_t			 i;

	for (i = 0; i < r->nfields && h->err == P_OK; i++) {
		if (hx_ieq(r->fields[i].name, "authentication-results"))
			parse_ar(h, "Authentication-Results",
			    r->fields[i].value, false);
		else if (hx_ieq(r->fields[i].name,
		    "arc-authentication-results"))
			parse_ar(h, "ARC-Authentication-Results",
			    r->fields[i].value, true);
		else if (hx_ieq(r->fields[i].name, "received-spf"))
			parse_received_spf(h, r->fields[i].value);
	}
}
