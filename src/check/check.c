/* check.c - the sender checks themselves: one pure pass over the DNS
 * table that turns answers into findings (MX, SPF, DKIM, DMARC, A/AAAA,
 * reverse DNS, blacklists). A pass may run before all answers are in: it
 * notes what it lacks and judges only what it has; the last pass, over a
 * final table, judges the rest as "could not check". */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "check_int.h"

#define MX_MAX_HOSTS	10
#define PTR_MAX_NAMES	4

struct ctx {
	struct arena			*a;
	const struct check_request	*rq;
	struct dns_table		*t;
	struct check_report		*r;
	int				 rc;	/* P_ENOMEM sticks */
};

const char *
check_verdict_name(enum check_verdict v)
{
	switch (v) {
	case CHECK_PASS:	return "pass";
	case CHECK_WARN:	return "warn";
	case CHECK_FAIL:	return "fail";
	}
	return "fail";
}

bool
check_reason_offers(const char *reason)
{
	static const char *const r[] = { "authfailure", "requireptr",
	    "blocked", "badreputation", NULL };
	size_t	 i;

	for (i = 0; reason != NULL && r[i] != NULL; i++)
		if (strcmp(reason, r[i]) == 0)
			return true;
	return false;
}

/* Adds a finding: the message of id formatted with up to three strings. */
static struct check_finding *
add(struct ctx *c, const char *id, const char *subject, const char *a1,
    const char *a2, const char *a3)
{
	const struct check_msg	*m = check_msg_find(id);
	struct check_report	*r = c->r;
	struct check_finding	*f, *nf;

	if (m == NULL || c->rc != P_OK)
		return NULL;
	if (r->n == r->cap) {
		nf = arena_calloc(c->a, r->cap ? r->cap * 2 : 32, sizeof(*nf));
		if (nf == NULL) {
			c->rc = P_ENOMEM;
			return NULL;
		}
		if (r->n > 0)
			memcpy(nf, r->f, r->n * sizeof(*nf));
		r->f = nf;
		r->cap = r->cap ? r->cap * 2 : 32;
	}
	f = &r->f[r->n];
	memset(f, 0, sizeof(*f));
	f->group = m->group;
	f->id = m->id;
	f->verdict = m->verdict;
	f->subject = subject;
	f->faq_tag = m->faq_tag;
	f->explain_en = arena_printf(c->a, m->en, a1 ? a1 : "", a2 ? a2 : "",
	    a3 ? a3 : "");
	f->explain_fr = arena_printf(c->a, m->fr, a1 ? a1 : "", a2 ? a2 : "",
	    a3 ? a3 : "");
	if (f->explain_en == NULL || f->explain_fr == NULL) {
		c->rc = P_ENOMEM;
		return NULL;
	}
	r->n++;
	if (m->verdict == CHECK_PASS)
		r->npass++;
	else if (m->verdict == CHECK_WARN)
		r->nwarn++;
	else
		r->nfail++;
	return f;
}

static const char *
status_word(enum dns_status s)
{
	switch (s) {
	case DNS_S_TIMEOUT:	return "timeout";
	case DNS_S_SERVFAIL:	return "SERVFAIL";
	case DNS_S_REFUSED:	return "REFUSED";
	case DNS_S_SKIPPED:	return "not asked: time limit reached";
	default:		return "DNS error";
	}
}

/* The texts of an answer joined with ", " (arena). */
static const char *
join(struct ctx *c, const struct dns_answer *a, size_t max)
{
	char	*s = arena_strdup(c->a, "");
	size_t	 i;

	for (i = 0; s != NULL && i < a->n && i < max; i++)
		s = arena_printf(c->a, "%s%s%s", s, i ? ", " : "",
		    a->rr[i].text);
	if (s == NULL)
		c->rc = P_ENOMEM;
	return s != NULL ? s : "";
}

static const char *
name2(struct ctx *c, const char *a, const char *b)
{
	char	*s = arena_printf(c->a, "%s.%s", a, b);

	if (s == NULL)
		c->rc = P_ENOMEM;
	return s;
}

/* ------------------------------------------------------------- MX --- */

static bool
is_ip_text(const char *s)
{
	unsigned char	 b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static int
mx_cmp(const void *x, const void *y)
{
	const struct dns_rr	*a = x, *b = y;

	return a->pref < b->pref ? -1 : a->pref > b->pref;
}

/* One MX host: its addresses, alias, literal IP. true when it is usable. */
static bool
mx_host(struct ctx *c, const char *host, bool *pending)
{
	const struct dns_answer	*a4, *a6;
	const char		*cn;

	if (is_ip_text(host)) {
		add(c, "mx-ip", c->rq->domain, c->rq->domain, host, NULL);
		return false;
	}
	a4 = dns_table_get(c->t, host, DNS_T_A);
	a6 = dns_table_get(c->t, host, DNS_T_AAAA);
	if (a4 == NULL || a6 == NULL) {
		*pending = true;
		return false;
	}
	cn = a4->cname != NULL ? a4->cname : a6->cname;
	if (cn != NULL)
		add(c, "mx-cname", host, host, cn, NULL);
	if (a4->status == DNS_S_OK || a6->status == DNS_S_OK)
		return true;
	if (dns_status_known(a4->status) && dns_status_known(a6->status))
		add(c, "mx-unresolvable", host, host, NULL, NULL);
	else
		add(c, "mx-dnserror", host, host, status_word(
		    dns_status_known(a4->status) ? a6->status : a4->status),
		    NULL);
	return false;
}

static void
check_mx(struct ctx *c, const struct dns_answer *mx)
{
	const char		*d = c->rq->domain, *hosts;
	const struct dns_answer	*a4, *a6;
	struct dns_rr		*rr;
	struct check_finding	*f;
	size_t			 i, n, good = 0, before = c->r->n;
	bool			 pending = false;

	if (!dns_status_known(mx->status)) {
		add(c, "mx-dnserror", d, d, status_word(mx->status), NULL);
		return;
	}
	if (mx->n == 0) {
		a4 = dns_table_get(c->t, d, DNS_T_A);
		a6 = dns_table_get(c->t, d, DNS_T_AAAA);
		if (a4 == NULL || a6 == NULL)
			return;
		f = a4->status == DNS_S_OK || a6->status == DNS_S_OK ?
		    add(c, "mx-none-a", d, d, join(c, a4->status == DNS_S_OK ?
		    a4 : a6, 4), NULL) : add(c, "mx-none", d, d, NULL, NULL);
		if (f != NULL)
			f->fix = arena_printf(c->a, "%s. IN MX 10 mail.%s.", d,
			    d);
		return;
	}
	if (mx->n == 1 && strcmp(mx->rr[0].text, ".") == 0) {
		add(c, "mx-null", d, d, NULL, NULL);
		return;
	}
	n = mx->n < MX_MAX_HOSTS ? mx->n : MX_MAX_HOSTS;
	if ((rr = arena_calloc(c->a, n, sizeof(*rr))) == NULL) {
		c->rc = P_ENOMEM;
		return;
	}
	memcpy(rr, mx->rr, n * sizeof(*rr));
	qsort(rr, n, sizeof(*rr), mx_cmp);
	hosts = "";
	for (i = 0; i < n; i++) {
		if (mx_host(c, rr[i].text, &pending))
			good++;
		hosts = arena_printf(c->a, "%s%s%s (%u)", hosts, i ? ", " : "",
		    rr[i].text, rr[i].pref);
		if (hosts == NULL) {
			c->rc = P_ENOMEM;
			return;
		}
	}
	/* All good only when no host gave a finding of its own. */
	if (good > 0 && !pending && c->r->n == before)
		add(c, "mx-ok", d, d, hosts, NULL);
}

/* ------------------------------------------------------------ SPF --- */

static const char *
provider_name(const struct check_request *rq)
{
	return rq->provider_name != NULL ? rq->provider_name : "";
}

/* The record to publish when there is none. */
static char *
spf_fresh(struct ctx *c)
{
	if (c->rq->spf_include != NULL)
		return arena_printf(c->a, "%s. IN TXT \"v=spf1 mx "
		    "include:%s ~all\"", c->rq->domain, c->rq->spf_include);
	return arena_printf(c->a, "%s. IN TXT \"v=spf1 mx ~all\"",
	    c->rq->domain);
}

static const char *
txt_fix(struct ctx *c, const char *name, const char *value)
{
	if (value == NULL)
		return NULL;
	return arena_printf(c->a, "%s. IN TXT \"%s\"", name, value);
}

static void
spf_all(struct ctx *c, const struct spf_record *rec)
{
	const char	*d = c->rq->domain, *id;
	size_t		 i;

	switch (rec->all) {
	case '-':	id = "spf-all-fail"; break;
	case '~':	id = "spf-all-soft"; break;
	case '?':	id = "spf-all-neutral"; break;
	case '+':	id = "spf-all-pass"; break;
	default:	id = rec->redirect != NULL ? NULL : "spf-all-none";
	}
	if (id != NULL)
		add(c, id, d, d, NULL, NULL);
	for (i = 0; i < rec->n; i++)
		if (!rec->terms[i].modifier &&
		    strcmp(rec->terms[i].name, "ptr") == 0) {
			add(c, "spf-ptr", d, d, NULL, NULL);
			break;
		}
}

static void
check_spf(struct ctx *c, const struct dns_answer *txt)
{
	const struct check_request	*rq = c->rq;
	const char			*d = rq->domain, *fix;
	const struct spf_record		*recs[8], *rec;
	struct spf_record		*nr;
	struct spf_eval			 ev;
	struct check_finding		*f;
	char				 num[24];
	size_t				 i, n = 0;

	if (!dns_status_known(txt->status)) {
		add(c, "spf-dnserror", d, d, status_word(txt->status), NULL);
		return;
	}
	for (i = 0; i < txt->n; i++) {
		if (!spf_is_record(txt->rr[i].text) ||
		    n == sizeof(recs) / sizeof(recs[0]))
			continue;
		if ((nr = arena_calloc(c->a, 1, sizeof(*nr))) == NULL ||
		    spf_parse(c->a, txt->rr[i].text, nr) == P_ENOMEM) {
			c->rc = P_ENOMEM;
			return;
		}
		recs[n++] = nr;
	}
	if (n == 0) {
		if ((f = add(c, "spf-none", d, d, NULL, NULL)) != NULL)
			f->fix = spf_fresh(c);
		return;
	}
	fix = txt_fix(c, d, spf_fix(c->a, recs, n, rq->spf_include));
	if (n > 1) {
		(void)snprintf(num, sizeof(num), "%zu", n);
		if ((f = add(c, "spf-multiple", d, d, num, NULL)) != NULL)
			f->fix = fix;
		return;
	}
	rec = recs[0];
	if (rec->error != NULL) {
		if ((f = add(c, "spf-syntax", d, d, rec->error, NULL)) != NULL)
			f->detail = txt->rr[0].text;
		return;
	}
	spf_evaluate(c->t, d, rec, rq->spf_include, rq->provider_ips,
	    rq->nprovider_ips, &ev);
	if (ev.error != NULL)
		add(c, "spf-tree", ev.error_at, ev.error_at, ev.error, NULL);
	if (ev.unknown && c->t->final)
		add(c, "spf-unknown", d, d, "DNS", NULL);
	(void)snprintf(num, sizeof(num), "%u", ev.lookups);
	if (ev.lookups > SPF_MAX_LOOKUPS)
		add(c, "spf-lookups", d, d, num, NULL);
	else if (ev.lookups >= SPF_MAX_LOOKUPS - 1)
		add(c, "spf-lookups-near", d, d, num, NULL);
	else
		add(c, "spf-lookups-ok", d, d, num, NULL);
	spf_all(c, rec);
	if (rq->spf_include == NULL && rq->nprovider_ips == 0)
		return;
	if (ev.provider)
		add(c, "spf-provider", d, d, provider_name(rq), NULL);
	else if (!ev.unknown || c->t->final) {
		if ((f = add(c, "spf-provider-missing", d, d,
		    provider_name(rq), NULL)) != NULL)
			f->fix = fix;
	}
}

/* ----------------------------------------------------------- DKIM --- */

static bool
dkim_like(const char *txt)
{
	return strncmp(txt, "v=DKIM1", 7) == 0 || strstr(txt, "p=") != NULL;
}

/* One selector; returns 1 when its key is usable, 0 when missing, -1
 * when broken or unknown, 2 when pending. */
static int
dkim_one(struct ctx *c, const char *sel, bool ours)
{
	const struct dns_answer	*ans;
	struct dkim_key		 k;
	struct check_finding	*f;
	const char		*name, *txt = NULL;
	char			 bits[24], desc[64];
	size_t			 i, nkeys = 0, kbits = 0;

	if ((name = name2(c, sel, "_domainkey")) == NULL ||
	    (name = name2(c, name, c->rq->domain)) == NULL)
		return -1;
	if ((ans = dns_table_get(c->t, name, DNS_T_TXT)) == NULL)
		return 2;
	if (!dns_status_known(ans->status)) {
		add(c, "dkim-dnserror", name, name, status_word(ans->status),
		    NULL);
		return -1;
	}
	for (i = 0; i < ans->n; i++)
		if (dkim_like(ans->rr[i].text)) {
			txt = ans->rr[i].text;
			nkeys++;
		}
	if (nkeys == 0) {
		if (!ours && (f = add(c, "dkim-missing", name, name, sel,
		    NULL)) != NULL)
			f->fix = arena_printf(c->a, "%s. IN TXT \"v=DKIM1; "
			    "k=rsa; p=<public key>\"", name);
		return 0;
	}
	if (nkeys > 1) {
		add(c, "dkim-bad", name, name, "several key records", NULL);
		return -1;
	}
	if (dkim_key_parse(c->a, txt, &k) != P_OK) {
		c->rc = P_ENOMEM;
		return -1;
	}
	if (k.error != NULL || k.revoked) {
		f = k.revoked ? add(c, "dkim-revoked", name, name, NULL, NULL) :
		    add(c, "dkim-bad", name, name, k.error, NULL);
		if (f != NULL)
			f->detail = txt;
		return -1;
	}
	/* An RSA SubjectPublicKeyInfo is bits/8 plus 34 to 38 bytes of
	 * DER: 162 bytes for 1024 bits, 294 for 2048. */
	if (k.k == NULL || strcasecmp(k.k, "rsa") == 0) {
		kbits = k.key_bytes > 36 ? ((k.key_bytes - 36) * 8 + 128) /
		    256 * 256 : 0;
		(void)snprintf(bits, sizeof(bits), "%zu", kbits);
		(void)snprintf(desc, sizeof(desc), "RSA, ~%s bits", bits);
	} else {
		(void)snprintf(bits, sizeof(bits), "256");
		(void)snprintf(desc, sizeof(desc), "Ed25519");
	}
	if ((f = add(c, "dkim-ok", name, name, desc, NULL)) != NULL)
		f->detail = txt;
	if ((k.k == NULL || strcasecmp(k.k, "rsa") == 0) && kbits < 1024)
		add(c, "dkim-weak", name, name, bits, NULL);
	if (k.testing)
		add(c, "dkim-testing", name, name, NULL, NULL);
	return 1;
}

static void
check_dkim(struct ctx *c)
{
	const struct check_request	*rq = c->rq;
	struct check_finding		*f;
	const char			*list = "";
	size_t				 i, nours = 0;
	int				 ok = 0, pending = 0, broken = 0, r;

	if (rq->nsel == 0) {
		add(c, "dkim-noselector", rq->domain, rq->domain, NULL, NULL);
		return;
	}
	for (i = 0; i < rq->nsel; i++) {
		r = dkim_one(c, rq->selectors[i], rq->sel_ours[i]);
		if (!rq->sel_ours[i])
			continue;
		nours++;
		ok += r == 1;
		pending += r == 2;
		broken += r == -1;
		list = arena_printf(c->a, "%s%s%s", list, *list ? ", " : "",
		    rq->selectors[i]);
		if (list == NULL) {
			c->rc = P_ENOMEM;
			return;
		}
	}
	if (nours > 0 && ok == 0 && pending == 0 && broken == 0 &&
	    (f = add(c, "dkim-missing-ours", rq->domain, rq->domain, list,
	    NULL)) != NULL)
		f->fix = arena_printf(c->a, "%s._domainkey.%s. IN TXT "
		    "\"v=DKIM1; k=rsa; p=<the key shown in your control "
		    "panel>\"", rq->selectors[0], rq->domain);
}

/* ---------------------------------------------------------- DMARC --- */

/* The organisational domain, approximated as the last two labels. */
static const char *
org_domain(const char *d)
{
	const char	*p = d + strlen(d);
	int		 dots = 0;

	while (p > d) {
		p--;
		if (*p == '.' && ++dots == 2)
			return p + 1;
	}
	return d;
}

static void
check_dmarc(struct ctx *c)
{
	const char		*d = c->rq->domain, *name, *org, *txt = NULL;
	const struct dns_answer	*ans, *oa;
	struct dmarc_record	 m;
	struct check_finding	*f;
	size_t			 i, n = 0;

	if ((name = name2(c, "_dmarc", d)) == NULL ||
	    (ans = dns_table_get(c->t, name, DNS_T_TXT)) == NULL)
		return;
	if (!dns_status_known(ans->status)) {
		add(c, "dmarc-dnserror", d, d, status_word(ans->status), NULL);
		return;
	}
	for (i = 0; i < ans->n; i++)
		if (dmarc_is_record(ans->rr[i].text)) {
			txt = ans->rr[i].text;
			n++;
		}
	if (n == 0) {
		org = org_domain(d);
		if (strcmp(org, d) != 0) {
			if ((name = name2(c, "_dmarc", org)) == NULL ||
			    (oa = dns_table_get(c->t, name, DNS_T_TXT)) == NULL)
				return;
			for (i = 0; i < oa->n; i++)
				if (dmarc_is_record(oa->rr[i].text) &&
				    dmarc_parse(c->a, oa->rr[i].text, &m) ==
				    P_OK && m.error == NULL) {
					add(c, "dmarc-inherited", d, org,
					    m.sp != NULL ? m.sp : m.p, NULL);
					return;
				}
		}
		if ((f = add(c, "dmarc-none", d, d, NULL, NULL)) != NULL)
			f->fix = arena_printf(c->a, "_dmarc.%s. IN TXT "
			    "\"v=DMARC1; p=none; rua=mailto:postmaster@%s\"",
			    d, d);
		return;
	}
	if (n > 1) {
		add(c, "dmarc-multiple", d, d, NULL, NULL);
		return;
	}
	if (dmarc_parse(c->a, txt, &m) != P_OK) {
		c->rc = P_ENOMEM;
		return;
	}
	if (m.error != NULL) {
		if ((f = add(c, "dmarc-syntax", d, d, m.error, NULL)) != NULL) {
			f->detail = txt;
			f->fix = arena_printf(c->a, "_dmarc.%s. IN TXT "
			    "\"v=DMARC1; p=none; rua=mailto:postmaster@%s\"",
			    d, d);
		}
		return;
	}
	if (strcasecmp(m.p, "none") == 0)
		f = add(c, "dmarc-policy-none", d, d, NULL, NULL);
	else
		f = add(c, "dmarc-policy", d, d, m.p, NULL);
	if (f != NULL)
		f->detail = txt;
	if (m.pct < 100) {
		char	 pct[16];

		(void)snprintf(pct, sizeof(pct), "%d", m.pct);
		add(c, "dmarc-pct", d, d, pct, NULL);
	}
	if (m.rua != NULL)
		add(c, "dmarc-rua", d, d, m.rua, NULL);
	else if ((f = add(c, "dmarc-no-rua", d, d, NULL, NULL)) != NULL)
		f->fix = arena_printf(c->a, "_dmarc.%s. IN TXT \"%s%s "
		    "rua=mailto:postmaster@%s\"", d, txt,
		    txt[strlen(txt) - 1] == ';' ? "" : ";", d);
}

/* ------------------------------------------------------------ A --- */

static void
check_a(struct ctx *c)
{
	const char		*d = c->rq->domain, *s;
	const struct dns_answer	*a4, *a6;

	a4 = dns_table_get(c->t, d, DNS_T_A);
	a6 = dns_table_get(c->t, d, DNS_T_AAAA);
	if (a4 == NULL || a6 == NULL)
		return;
	if (a4->status == DNS_S_OK || a6->status == DNS_S_OK) {
		s = a4->status == DNS_S_OK ? join(c, a4, 4) : "";
		if (a6->status == DNS_S_OK)
			s = arena_printf(c->a, "%s%s%s", s, *s ? ", " : "",
			    join(c, a6, 4));
		add(c, "a-ok", d, d, s, NULL);
	} else if (dns_status_known(a4->status) &&
	    dns_status_known(a6->status))
		add(c, "a-none", d, d, NULL, NULL);
	else
		add(c, "a-dnserror", d, d, status_word(
		    dns_status_known(a4->status) ? a6->status : a4->status),
		    NULL);
}

/* --------------------------------------------------- reverse DNS --- */

/* Names that ISPs give to pools of customer addresses. */
static bool
ptr_generic(const char *name, const char *ip)
{
	static const char *const words[] = { "dyn", "dsl", "pool", "dhcp",
	    "cable", "ppp", "broadband", "client", "customer", "static",
	    "residential", "home", NULL };
	unsigned char	 b[4];
	char		 dash[32], dot[32];
	size_t		 i;

	for (i = 0; words[i] != NULL; i++)
		if (strstr(name, words[i]) != NULL)
			return true;
	/* The address written into the name: 192-0-2-1.example.net. */
	if (inet_pton(AF_INET, ip, b) == 1) {
		(void)snprintf(dash, sizeof(dash), "%u-%u-%u-%u", b[0], b[1],
		    b[2], b[3]);
		(void)snprintf(dot, sizeof(dot), "%u-%u-%u-%u", b[3], b[2],
		    b[1], b[0]);
		if (strstr(name, dash) != NULL || strstr(name, dot) != NULL)
			return true;
	}
	return false;
}

static bool
answer_has(const struct dns_answer *a, const char *ip)
{
	unsigned char	 x[16], y[16];
	int		 af = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
	size_t		 i;

	if (a->status != DNS_S_OK || inet_pton(af, ip, x) != 1)
		return false;
	for (i = 0; i < a->n; i++)
		if (inet_pton(af, a->rr[i].text, y) == 1 &&
		    memcmp(x, y, af == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

static void
check_ptr(struct ctx *c, const char *ip)
{
	const struct dns_answer	*ptr, *fwd;
	struct check_finding	*f;
	enum dns_type		 t = strchr(ip, ':') ? DNS_T_AAAA : DNS_T_A;
	const char		*rev, *bad = NULL;
	enum dns_status		 err = DNS_S_OK;
	size_t			 i, n;
	bool			 pending = false;

	if ((rev = check_reverse_name(c->a, ip, NULL)) == NULL ||
	    (ptr = dns_table_get(c->t, rev, DNS_T_PTR)) == NULL)
		return;
	if (!dns_status_known(ptr->status)) {
		add(c, "ptr-dnserror", ip, ip, status_word(ptr->status), NULL);
		return;
	}
	if (ptr->n == 0) {
		if ((f = add(c, "ptr-none", ip, ip, NULL, NULL)) != NULL)
			f->fix = arena_printf(c->a, "%s. IN PTR mail.%s.\n"
			    "mail.%s. IN %s %s", rev, c->rq->domain,
			    c->rq->domain, t == DNS_T_A ? "A" : "AAAA", ip);
		return;
	}
	n = ptr->n < PTR_MAX_NAMES ? ptr->n : PTR_MAX_NAMES;
	for (i = 0; i < n; i++) {
		if ((fwd = dns_table_get(c->t, ptr->rr[i].text, t)) == NULL) {
			pending = true;
			continue;
		}
		if (answer_has(fwd, ip)) {
			add(c, "ptr-ok", ip, ip, ptr->rr[i].text, NULL);
			if (ptr_generic(ptr->rr[i].text, ip))
				add(c, "ptr-generic", ip, ip, ptr->rr[i].text,
				    NULL);
			return;
		}
		if (!dns_status_known(fwd->status))
			err = fwd->status;
		if (bad == NULL)
			bad = ptr->rr[i].text;
	}
	if (pending)
		return;
	if (err != DNS_S_OK) {
		add(c, "ptr-dnserror", ip, ip, status_word(err), NULL);
		return;
	}
	if ((f = add(c, "ptr-mismatch", ip, ip, bad, NULL)) != NULL)
		f->fix = arena_printf(c->a, "%s. IN %s %s", bad,
		    t == DNS_T_A ? "A" : "AAAA", ip);
}

/* ----------------------------------------------------- blacklists --- */

/* 0 not listed, 1 listed (*code), -1 an answer that is not a listing
 * (127.255.255.x: the list refuses this resolver; anything outside
 * 127/8: a resolver that rewrites NXDOMAIN). */
static int
dnsbl_answer(const struct dns_answer *a, const char **code)
{
	unsigned char	 b[4];
	size_t		 i;

	if (a->status != DNS_S_OK)
		return 0;
	for (i = 0; i < a->n; i++) {
		*code = a->rr[i].text;
		if (inet_pton(AF_INET, a->rr[i].text, b) != 1 || b[0] != 127 ||
		    (b[1] == 255 && b[2] == 255))
			return -1;
	}
	*code = a->rr[0].text;
	return 1;
}

static void
delist(struct ctx *c, struct check_finding *f, const char *zone,
    const char *txt)
{
	const struct check_delist	*dl = check_delist_find(zone);
	char				*en, *fr;

	en = arena_printf(c->a, dl->en, zone);
	fr = arena_printf(c->a, dl->fr, zone);
	if (en == NULL || fr == NULL) {
		c->rc = P_ENOMEM;
		return;
	}
	f->explain_en = arena_printf(c->a, "%s %s", f->explain_en, en);
	f->explain_fr = arena_printf(c->a, "%s %s", f->explain_fr, fr);
	f->detail = txt;
	if (f->explain_en == NULL || f->explain_fr == NULL)
		c->rc = P_ENOMEM;
}

/* Looks subject up on each zone (IP lists with the reversed address,
 * domain lists with the name); one pass finding for the clean ones. */
static void
check_lists(struct ctx *c, const char *subject, bool ip, bool ours,
    const char *const *zones, size_t nz)
{
	const struct dns_answer	*ans, *why;
	struct check_finding	*f;
	const char		*q, *code = NULL, *clean = "";
	size_t			 i, nclean = 0;
	bool			 pending = false;

	for (i = 0; i < nz; i++) {
		q = ip ? check_reverse_name(c->a, subject, zones[i]) :
		    name2(c, subject, zones[i]);
		if (q == NULL || (ans = dns_table_get(c->t, q, DNS_T_A)) ==
		    NULL) {
			pending = true;
			continue;
		}
		if (!dns_status_known(ans->status)) {
			add(c, "dnsbl-dnserror", subject, subject, zones[i],
			    status_word(ans->status));
			continue;
		}
		switch (dnsbl_answer(ans, &code)) {
		case 0:
			clean = arena_printf(c->a, "%s%s%s", clean,
			    nclean ? ", " : "", zones[i]);
			if (clean == NULL) {
				c->rc = P_ENOMEM;
				return;
			}
			nclean++;
			break;
		case -1:
			add(c, "dnsbl-refused", subject, zones[i], subject,
			    code);
			break;
		default:
			/* The list's TXT usually says why and where to go. */
			why = dns_table_get(c->t, q, DNS_T_TXT);
			f = add(c, !ip ? "dbl-listed" : ours ?
			    "dnsbl-listed-ours" : "dnsbl-listed", subject,
			    subject, zones[i], code);
			if (f != NULL)
				delist(c, f, zones[i], why != NULL &&
				    why->status == DNS_S_OK ? why->rr[0].text :
				    NULL);
		}
	}
	if (nclean > 0 && !pending)
		add(c, "dnsbl-clean", subject, subject, clean, NULL);
}

/* --------------------------------------------------------- driver --- */

int
check_evaluate(struct arena *a, const struct check_request *rq,
    struct dns_table *t, struct check_report *r)
{
	struct ctx		 c;
	const struct dns_answer	*mx, *txt;
	size_t			 i;

	r->n = 0;
	r->npass = r->nwarn = r->nfail = 0;
	r->domain = rq->domain;
	r->req = rq;
	c.a = a;
	c.rq = rq;
	c.t = t;
	c.r = r;
	c.rc = P_OK;

	mx = dns_table_get(t, rq->domain, DNS_T_MX);
	txt = dns_table_get(t, rq->domain, DNS_T_TXT);
	if (mx != NULL && mx->status == DNS_S_NXDOMAIN) {
		add(&c, "domain-nxdomain", rq->domain, rq->domain, NULL, NULL);
	} else {
		/* Both failing: the domain's servers are the problem, and
		 * one finding says it for MX and SPF. */
		if (mx != NULL && txt != NULL &&
		    !dns_status_known(mx->status) &&
		    !dns_status_known(txt->status))
			add(&c, "domain-dnserror", rq->domain, rq->domain,
			    status_word(mx->status), NULL);
		else {
			if (mx != NULL)
				check_mx(&c, mx);
			if (txt != NULL)
				check_spf(&c, txt);
		}
		check_dkim(&c);
		check_dmarc(&c);
		check_a(&c);
		check_lists(&c, rq->domain, false, false, rq->dom_zones,
		    rq->ndom_zones);
	}
	for (i = 0; i < rq->nips; i++) {
		check_ptr(&c, rq->ips[i]);
		check_lists(&c, rq->ips[i], true, rq->ip_ours[i], rq->ip_zones,
		    rq->nip_zones);
	}
	return c.rc;
}
