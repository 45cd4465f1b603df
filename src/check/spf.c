/* spf.c - SPF records (RFC 7208): parsing, the walk through include and
 * redirect that counts DNS-querying terms and looks for the provider's
 * include or addresses, and the record to publish. Pure: the walk reads
 * a struct dns_table and notes what it lacks. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

#define SPF_MAX_TERMS	64
#define SPF_MAX_WALKED	40	/* records visited in one walk */

bool
spf_is_record(const char *txt)
{
	return txt != NULL && strncasecmp(txt, "v=spf1", 6) == 0 &&
	    (txt[6] == ' ' || txt[6] == '\0');
}

/* A domain-spec: a plain name (underscores allowed, as in _spf.x.y) or
 * one with macros, which only the receiver can expand. */
static bool
domain_spec_ok(const char *s)
{
	const char	*p, *label = s;

	if (s == NULL || *s == '\0' || strlen(s) > 253)
		return false;
	if (strchr(s, '%') != NULL)
		return true;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63)
				return *p == '\0' && p == label && p > s;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	}
	return strchr(s, '.') != NULL;
}

/* Digits only, 0..max; -1 otherwise. */
static int
parse_cidr(const char *s, size_t n, int max)
{
	int	 v = 0;
	size_t	 i;

	if (n == 0 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Splits "name:arg/24//64" of a mechanism into t; 0 or -1. */
static int
mech_split(struct arena *a, const char *tok, size_t n, struct spf_term *t)
{
	const char	*colon, *slash, *end = tok + n, *p;
	size_t		 i;
	char		*name;

	for (p = tok; p < end && *p != ':' && *p != '/'; p++)
		;
	if ((name = arena_strndup(a, tok, (size_t)(p - tok))) == NULL)
		return -1;
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	t->name = name;
	colon = p < end && *p == ':' ? p : NULL;
	/* ip6 arguments hold ':' themselves: the cidr starts at the first
	 * '/' after the colon. */
	slash = memchr(colon != NULL ? colon : p, '/', (size_t)(end -
	    (colon != NULL ? colon : p)));
	if (colon != NULL) {
		t->arg = arena_strndup(a, colon + 1, (size_t)((slash != NULL ?
		    slash : end) - colon - 1));
		if (t->arg == NULL)
			return -1;
	}
	if (slash == NULL)
		return 0;
	/* ip6's "/n" is an IPv6 length; others take "/n", "//m" or
	 * "/n//m" (RFC 7208 5.6). */
	p = slash;
	if (strcmp(name, "ip6") == 0)
		return (t->cidr6 = parse_cidr(p + 1, (size_t)(end - p - 1),
		    128)) < 0 ? 1 : 0;
	if (p + 1 < end && p[1] != '/') {
		for (i = 1; p + i < end && p[i] != '/'; i++)
			;
		if ((t->cidr4 = parse_cidr(p + 1, i - 1, 32)) < 0)
			return 1;
		p += i;
	}
	if (p < end) {
		if (end - p < 3 || p[0] != '/' || p[1] != '/')
			return 1;
		if ((t->cidr6 = parse_cidr(p + 2, (size_t)(end - p - 2),
		    128)) < 0)
			return 1;
	}
	return 0;
}

static const char *
term_check(const struct spf_term *t)
{
	unsigned char	 b[16];
	const char	*n = t->name;

	if (strcmp(n, "all") == 0)
		return t->arg != NULL || t->cidr4 >= 0 || t->cidr6 >= 0 ?
		    "\"all\" takes no argument" : NULL;
	if (strcmp(n, "include") == 0 || strcmp(n, "exists") == 0)
		return domain_spec_ok(t->arg) && t->cidr4 < 0 && t->cidr6 < 0 ?
		    NULL : "include and exists need a domain (include:domain)";
	if (strcmp(n, "a") == 0 || strcmp(n, "mx") == 0 ||
	    strcmp(n, "ptr") == 0)
		return t->arg == NULL || domain_spec_ok(t->arg) ? NULL :
		    "a, mx or ptr is followed by a bad domain";
	if (strcmp(n, "ip4") == 0)
		return t->arg != NULL && inet_pton(AF_INET, t->arg, b) == 1 &&
		    t->cidr6 < 0 ? NULL :
		    "ip4 needs an IPv4 address (ip4:192.0.2.1 or /24)";
	if (strcmp(n, "ip6") == 0)
		return t->arg != NULL && inet_pton(AF_INET6, t->arg, b) == 1 &&
		    t->cidr4 < 0 ? NULL :
		    "ip6 needs an IPv6 address (ip6:2001:db8::1 or /64)";
	return "unknown mechanism";
}

static bool
counts_lookup(const char *name)
{
	return strcmp(name, "include") == 0 || strcmp(name, "a") == 0 ||
	    strcmp(name, "mx") == 0 || strcmp(name, "ptr") == 0 ||
	    strcmp(name, "exists") == 0;
}

/* One term: a modifier (name=value) or a mechanism. */
static int
parse_term(struct arena *a, const char *tok, size_t n, struct spf_record *r)
{
	struct spf_term	*t = &r->terms[r->n];
	const char	*p, *eq;
	char		*name;
	size_t		 i;

	memset(t, 0, sizeof(*t));
	t->cidr4 = t->cidr6 = -1;
	t->qual = '+';
	for (p = tok; p < tok + n && (isalnum((unsigned char)*p) ||
	    *p == '-' || *p == '_' || *p == '.'); p++)
		;
	eq = p < tok + n && *p == '=' && p > tok &&
	    isalpha((unsigned char)tok[0]) ? p : NULL;
	if (eq != NULL) {
		t->modifier = true;
		if ((name = arena_strndup(a, tok, (size_t)(eq - tok))) ==
		    NULL || (t->arg = arena_strndup(a, eq + 1,
		    (size_t)(tok + n - eq - 1))) == NULL)
			return P_ENOMEM;
		for (i = 0; name[i] != '\0'; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
		t->name = name;
		r->n++;
		if (strcmp(name, "redirect") == 0 || strcmp(name, "exp") ==
		    0) {
			for (i = 0; i + 1 < r->n; i++)
				if (r->terms[i].modifier &&
				    strcmp(r->terms[i].name, name) == 0)
					r->error = "a modifier appears twice";
			if (!domain_spec_ok(t->arg) && r->error == NULL)
				r->error = "redirect or exp needs a domain";
			if (strcmp(name, "redirect") == 0)
				r->redirect = t->arg;
		}
		return P_OK;
	}
	if (n > 0 && strchr("+-~?", tok[0]) != NULL) {
		t->qual = tok[0];
		tok++;
		n--;
	}
	if (n == 0) {
		r->error = "a qualifier stands alone";
		return P_OK;
	}
	switch (mech_split(a, tok, n, t)) {
	case -1:
		return P_ENOMEM;
	case 1:
		if (r->error == NULL)
			r->error = "bad prefix length (/n)";
		break;
	}
	r->n++;
	if ((p = term_check(t)) != NULL && r->error == NULL)
		r->error = p;
	if (counts_lookup(t->name))
		r->lookups++;
	if (strcmp(t->name, "all") == 0 && r->all == 0)
		r->all = t->qual;
	return P_OK;
}

int
spf_parse(struct arena *a, const char *txt, struct spf_record *r)
{
	const char	*p, *s;
	int		 rc;

	memset(r, 0, sizeof(*r));
	if (!spf_is_record(txt))
		return P_EINVAL;
	if ((r->terms = arena_calloc(a, SPF_MAX_TERMS, sizeof(*r->terms))) ==
	    NULL)
		return P_ENOMEM;
	for (p = txt + 6;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (s = p; *p != '\0' && *p != ' '; p++)
			;
		if (r->n == SPF_MAX_TERMS) {
			r->error = "too many terms";
			break;
		}
		if ((rc = parse_term(a, s, (size_t)(p - s), r)) != P_OK)
			return rc;
	}
	return P_OK;
}

bool
spf_ip_in(const char *ip, const char *arg, int cidr4, int cidr6, bool v6)
{
	unsigned char	 x[16], net[16];
	int		 bits, af = v6 ? AF_INET6 : AF_INET, i;

	if (arg == NULL || inet_pton(af, ip, x) != 1 ||
	    inet_pton(af, arg, net) != 1)
		return false;
	bits = v6 ? (cidr6 >= 0 ? cidr6 : 128) : (cidr4 >= 0 ? cidr4 : 32);
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (x[i] != net[i])
			return false;
	if (bits > 0 && ((x[i] ^ net[i]) & (0xff << (8 - bits)) & 0xff))
		return false;
	return true;
}

struct walk {
	struct dns_table	*tab;
	const char		*include_name;
	const char *const	*ips;
	size_t			 nips;
	bool			 covered[CHECK_MAX_IPS];
	unsigned		 walked;
	struct spf_eval		*ev;
};

static void	walk_record(struct walk *, const char *,
		    const struct spf_record *, unsigned);

static void
set_error(struct walk *w, const char *msg, const char *at)
{
	if (w->ev->error == NULL) {
		w->ev->error = msg;
		w->ev->error_at = at;
	}
}

/* Fetches and walks the record of target (an include or a redirect). */
static void
follow(struct walk *w, const char *from, const char *target, unsigned depth)
{
	const struct dns_answer	*ans;
	struct spf_record	 rec;
	const char		*txt = NULL;
	char			*name;
	size_t			 i, nspf = 0, len;

	if (strchr(target, '%') != NULL)
		return;		/* macros: only the receiver knows */
	if (depth >= SPF_MAX_DEPTH || ++w->walked > SPF_MAX_WALKED) {
		set_error(w, "includes nest too deep (a loop?)", from);
		return;
	}
	len = strlen(target);
	if ((name = arena_strndup(w->tab->arena, target, len > 0 &&
	    target[len - 1] == '.' ? len - 1 : len)) == NULL)
		return;
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	if (w->include_name != NULL && strcasecmp(name, w->include_name) == 0)
		w->ev->provider = true;
	if ((ans = dns_table_get(w->tab, name, DNS_T_TXT)) == NULL ||
	    !dns_status_known(ans->status)) {
		w->ev->unknown = true;
		return;
	}
	for (i = 0; i < ans->n; i++)
		if (spf_is_record(ans->rr[i].text)) {
			txt = ans->rr[i].text;
			nspf++;
		}
	if (nspf == 0) {
		w->ev->voids++;
		set_error(w, "an include or redirect names a domain without "
		    "an SPF record", name);
		return;
	}
	if (nspf > 1) {
		set_error(w, "an included domain has several SPF records",
		    name);
		return;
	}
	if (spf_parse(w->tab->arena, txt, &rec) != P_OK)
		return;
	if (rec.error != NULL)
		set_error(w, rec.error, name);
	walk_record(w, name, &rec, depth + 1);
}

static void
walk_record(struct walk *w, const char *domain, const struct spf_record *r,
    unsigned depth)
{
	const struct spf_term	*t;
	size_t			 i, k;
	bool			 v6;

	if (depth > w->ev->depth)
		w->ev->depth = depth;
	w->ev->lookups += r->lookups;
	for (i = 0; i < r->n; i++) {
		t = &r->terms[i];
		if (t->modifier)
			continue;
		if (strcmp(t->name, "include") == 0 && t->arg != NULL)
			follow(w, domain, t->arg, depth);
		else if (strcmp(t->name, "ip4") == 0 ||
		    strcmp(t->name, "ip6") == 0) {
			v6 = t->name[2] == '6';
			for (k = 0; k < w->nips; k++)
				if (t->qual == '+' && spf_ip_in(w->ips[k],
				    t->arg, t->cidr4, t->cidr6, v6))
					w->covered[k] = true;
		}
	}
	/* RFC 7208 6.1: redirect is ignored when "all" is there. */
	if (r->redirect != NULL && r->all == 0) {
		w->ev->lookups++;
		follow(w, domain, r->redirect, depth);
	}
}

void
spf_evaluate(struct dns_table *tab, const char *domain,
    const struct spf_record *rec, const char *include_name,
    const char *const *ips, size_t nips, struct spf_eval *ev)
{
	struct walk	 w;
	size_t		 k;

	memset(ev, 0, sizeof(*ev));
	memset(&w, 0, sizeof(w));
	w.tab = tab;
	w.include_name = include_name;
	w.ips = ips;
	w.nips = nips < CHECK_MAX_IPS ? nips : CHECK_MAX_IPS;
	w.ev = ev;
	if (rec->error != NULL)
		set_error(&w, rec->error, domain);
	walk_record(&w, domain, rec, 0);
	if (!ev->provider && w.nips > 0) {
		for (k = 0; k < w.nips && w.covered[k]; k++)
			;
		ev->provider = k == w.nips;
	}
}

/* ------------------------------------------------------------- fix --- */

static char *
term_text(struct arena *a, const struct spf_term *t)
{
	char	 c4[16] = "", c6[16] = "", q[2] = "";

	if (t->modifier)
		return arena_printf(a, "%s=%s", t->name, t->arg);
	if (t->qual != '+')
		q[0] = t->qual;
	if (t->cidr4 >= 0)
		(void)snprintf(c4, sizeof(c4), "/%d", t->cidr4);
	if (t->cidr6 >= 0)
		(void)snprintf(c6, sizeof(c6), "//%d", t->cidr6);
	return arena_printf(a, "%s%s%s%s%s%s", q, t->name, t->arg != NULL ?
	    ":" : "", t->arg != NULL ? t->arg : "", c4, c6);
}

char *
spf_fix(struct arena *a, const struct spf_record *const *recs, size_t n,
    const char *include_name)
{
	const char	*seen[SPF_MAX_TERMS * 2];
	const char	*redirect = NULL;
	char		*out, *txt, all = '~';
	size_t		 nseen = 0, i, j, k;
	bool		 have_include = false;

	if ((out = arena_strdup(a, "v=spf1")) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (recs[i]->all == '-')
			all = '-';
		for (j = 0; j < recs[i]->n; j++) {
			const struct spf_term	*t = &recs[i]->terms[j];

			if (strcmp(t->name, "all") == 0)
				continue;
			if (t->modifier && strcmp(t->name, "redirect") == 0) {
				if (recs[i]->all == 0 && redirect == NULL)
					redirect = t->arg;
				continue;
			}
			if ((txt = term_text(a, t)) == NULL)
				return NULL;
			for (k = 0; k < nseen; k++)
				if (strcasecmp(seen[k], txt) == 0)
					break;
			if (k < nseen || nseen == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[nseen++] = txt;
			if (include_name != NULL && t->arg != NULL &&
			    strcmp(t->name, "include") == 0 &&
			    strcasecmp(t->arg, include_name) == 0)
				have_include = true;
			if ((out = arena_printf(a, "%s %s", out, txt)) == NULL)
				return NULL;
		}
	}
	if (include_name != NULL && include_name[0] != '\0' && !have_include &&
	    (out = arena_printf(a, "%s include:%s", out, include_name)) ==
	    NULL)
		return NULL;
	if (redirect != NULL)
		return arena_printf(a, "%s redirect=%s", out, redirect);
	return arena_printf(a, "%s %call", out, all);
}
