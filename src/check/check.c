/* check.c - the sender checks: one pure pass over the DNS table that
 * turns answers into findings. A pass may run before all answers are in:
 * it notes what it lacks and judges only what it has; the last pass, over
 * a final table, judges the rest as "could not check". This file holds
 * the shared helpers, MX, A/AAAA and the pass itself; check_auth.c has
 * SPF, DKIM and DMARC, check_ip.c reverse DNS and blacklists. */
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
struct check_finding *
check_add(struct check_ctx *c, const char *id, const char *subject,
    const char *a1, const char *a2, const char *a3)
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

const char *
check_status_word(enum dns_status s)
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
const char *
check_join(struct check_ctx *c, const struct dns_answer *a, size_t max)
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

const char *
check_name2(struct check_ctx *c, const char *a, const char *b)
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
mx_host(struct check_ctx *c, const char *host, bool *pending)
{
	const struct dns_answer	*a4, *a6;
	const char		*cn;

	if (is_ip_text(host)) {
		check_add(c, "mx-ip", c->rq->domain, c->rq->domain, host, NULL);
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
		check_add(c, "mx-cname", host, host, cn, NULL);
	if (a4->status == DNS_S_OK || a6->status == DNS_S_OK)
		return true;
	if (dns_status_known(a4->status) && dns_status_known(a6->status))
		check_add(c, "mx-unresolvable", host, host, NULL, NULL);
	else
		check_add(c, "mx-dnserror", host, host, check_status_word(
		    dns_status_known(a4->status) ? a6->status : a4->status),
		    NULL);
	return false;
}

void
check_mx(struct check_ctx *c, const struct dns_answer *mx)
{
	const char		*d = c->rq->domain, *hosts;
	const struct dns_answer	*a4, *a6;
	struct dns_rr		*rr;
	struct check_finding	*f;
	size_t			 i, n, good = 0, before = c->r->n;
	bool			 pending = false;

	if (!dns_status_known(mx->status)) {
		check_add(c, "mx-dnserror", d, d, check_status_word(mx->status), NULL);
		return;
	}
	if (mx->n == 0) {
		a4 = dns_table_get(c->t, d, DNS_T_A);
		a6 = dns_table_get(c->t, d, DNS_T_AAAA);
		if (a4 == NULL || a6 == NULL)
			return;
		f = a4->status == DNS_S_OK || a6->status == DNS_S_OK ?
		    check_add(c, "mx-none-a", d, d, check_join(c, a4->status == DNS_S_OK ?
		    a4 : a6, 4), NULL) : check_add(c, "mx-none", d, d, NULL, NULL);
		if (f != NULL)
			f->fix = arena_printf(c->a, "%s. IN MX 10 mail.%s.", d,
			    d);
		return;
	}
	if (mx->n == 1 && strcmp(mx->rr[0].text, ".") == 0) {
		check_add(c, "mx-null", d, d, NULL, NULL);
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
		check_add(c, "mx-ok", d, d, hosts, NULL);
}

/* ------------------------------------------------------------ A --- */

void
check_a(struct check_ctx *c)
{
	const char		*d = c->rq->domain, *s;
	const struct dns_answer	*a4, *a6;

	a4 = dns_table_get(c->t, d, DNS_T_A);
	a6 = dns_table_get(c->t, d, DNS_T_AAAA);
	if (a4 == NULL || a6 == NULL)
		return;
	if (a4->status == DNS_S_OK || a6->status == DNS_S_OK) {
		s = a4->status == DNS_S_OK ? check_join(c, a4, 4) : "";
		if (a6->status == DNS_S_OK)
			s = arena_printf(c->a, "%s%s%s", s, *s ? ", " : "",
			    check_join(c, a6, 4));
		check_add(c, "a-ok", d, d, s, NULL);
	} else if (dns_status_known(a4->status) &&
	    dns_status_known(a6->status))
		check_add(c, "a-none", d, d, NULL, NULL);
	else
		check_add(c, "a-dnserror", d, d, check_status_word(
		    dns_status_known(a4->status) ? a6->status : a4->status),
		    NULL);
}

/* --------------------------------------------------------- driver --- */

int
check_evaluate(struct arena *a, const struct check_request *rq,
    struct dns_table *t, struct check_report *r)
{
	struct check_ctx	 c;
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
		check_add(&c, "domain-nxdomain", rq->domain, rq->domain, NULL, NULL);
	} else {
		/* Both failing: the domain's servers are the problem, and
		 * one finding says it for MX and SPF. */
		if (mx != NULL && txt != NULL &&
		    !dns_status_known(mx->status) &&
		    !dns_status_known(txt->status))
			check_add(&c, "domain-dnserror", rq->domain, rq->domain,
			    check_status_word(mx->status), NULL);
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
