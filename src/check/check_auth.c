/* check_auth.c - the sender-authentication checks: SPF (one record,
 * syntax, lookups through every include, "all", the provider's servers),
 * DKIM keys of our selectors and the given ones, and the DMARC policy. */
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

/* ------------------------------------------------------------ SPF --- */

static const char *
provider_name(const struct check_request *rq)
{
	return rq->provider_name != NULL ? rq->provider_name : "";
}

/* The record to publish when there is none. */
static char *
spf_fresh(struct check_ctx *c)
{
	if (c->rq->spf_include != NULL)
		return arena_printf(c->a, "%s. IN TXT \"v=spf1 mx "
		    "include:%s ~all\"", c->rq->domain, c->rq->spf_include);
	return arena_printf(c->a, "%s. IN TXT \"v=spf1 mx ~all\"",
	    c->rq->domain);
}

static const char *
txt_fix(struct check_ctx *c, const char *name, const char *value)
{
	if (value == NULL)
		return NULL;
	return arena_printf(c->a, "%s. IN TXT \"%s\"", name, value);
}

static void
spf_all(struct check_ctx *c, const struct spf_record *rec)
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
		check_add(c, id, d, d, NULL, NULL);
	for (i = 0; i < rec->n; i++)
		if (!rec->terms[i].modifier &&
		    strcmp(rec->terms[i].name, "ptr") == 0) {
			check_add(c, "spf-ptr", d, d, NULL, NULL);
			break;
		}
}

void
check_spf(struct check_ctx *c, const struct dns_answer *txt)
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
		check_add(c, "spf-dnserror", d, d, check_status_word(txt->status), NULL);
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
		if ((f = check_add(c, "spf-none", d, d, NULL, NULL)) != NULL)
			f->fix = spf_fresh(c);
		return;
	}
	fix = txt_fix(c, d, spf_fix(c->a, recs, n, rq->spf_include));
	if (n > 1) {
		(void)snprintf(num, sizeof(num), "%zu", n);
		if ((f = check_add(c, "spf-multiple", d, d, num, NULL)) != NULL)
			f->fix = fix;
		return;
	}
	rec = recs[0];
	if (rec->error != NULL) {
		if ((f = check_add(c, "spf-syntax", d, d, rec->error, NULL)) != NULL)
			f->detail = txt->rr[0].text;
		return;
	}
	spf_evaluate(c->t, d, rec, rq->spf_include, rq->provider_ips,
	    rq->nprovider_ips, &ev);
	if (ev.error != NULL)
		check_add(c, "spf-tree", ev.error_at, ev.error_at, ev.error, NULL);
	if (ev.unknown && c->t->final)
		check_add(c, "spf-unknown", d, d, "DNS", NULL);
	(void)snprintf(num, sizeof(num), "%u", ev.lookups);
	if (ev.lookups > SPF_MAX_LOOKUPS)
		check_add(c, "spf-lookups", d, d, num, NULL);
	else if (ev.lookups >= SPF_MAX_LOOKUPS - 1)
		check_add(c, "spf-lookups-near", d, d, num, NULL);
	else
		check_add(c, "spf-lookups-ok", d, d, num, NULL);
	spf_all(c, rec);
	if (rq->spf_include == NULL && rq->nprovider_ips == 0)
		return;
	if (ev.provider)
		check_add(c, "spf-provider", d, d, provider_name(rq), NULL);
	else if (!ev.unknown || c->t->final) {
		if ((f = check_add(c, "spf-provider-missing", d, d,
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
dkim_one(struct check_ctx *c, const char *sel, bool ours)
{
	const struct dns_answer	*ans;
	struct dkim_key		 k;
	struct check_finding	*f;
	const char		*name, *txt = NULL;
	char			 bits[24], desc[64];
	size_t			 i, nkeys = 0, kbits = 0;

	if ((name = check_name2(c, sel, "_domainkey")) == NULL ||
	    (name = check_name2(c, name, c->rq->domain)) == NULL)
		return -1;
	if ((ans = dns_table_get(c->t, name, DNS_T_TXT)) == NULL)
		return 2;
	if (!dns_status_known(ans->status)) {
		check_add(c, "dkim-dnserror", name, name, check_status_word(ans->status),
		    NULL);
		return -1;
	}
	for (i = 0; i < ans->n; i++)
		if (dkim_like(ans->rr[i].text)) {
			txt = ans->rr[i].text;
			nkeys++;
		}
	if (nkeys == 0) {
		if (!ours && (f = check_add(c, "dkim-missing", name, name, sel,
		    NULL)) != NULL)
			f->fix = arena_printf(c->a, "%s. IN TXT \"v=DKIM1; "
			    "k=rsa; p=<public key>\"", name);
		return 0;
	}
	if (nkeys > 1) {
		check_add(c, "dkim-bad", name, name, "several key records", NULL);
		return -1;
	}
	if (dkim_key_parse(c->a, txt, &k) != P_OK) {
		c->rc = P_ENOMEM;
		return -1;
	}
	if (k.error != NULL || k.revoked) {
		f = k.revoked ? check_add(c, "dkim-revoked", name, name, NULL, NULL) :
		    check_add(c, "dkim-bad", name, name, k.error, NULL);
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
	if ((f = check_add(c, "dkim-ok", name, name, desc, NULL)) != NULL)
		f->detail = txt;
	if ((k.k == NULL || strcasecmp(k.k, "rsa") == 0) && kbits < 1024)
		check_add(c, "dkim-weak", name, name, bits, NULL);
	if (k.testing)
		check_add(c, "dkim-testing", name, name, NULL, NULL);
	return 1;
}

void
check_dkim(struct check_ctx *c)
{
	const struct check_request	*rq = c->rq;
	struct check_finding		*f;
	const char			*list = "";
	size_t				 i, nours = 0;
	int				 ok = 0, pending = 0, broken = 0, r;

	if (rq->nsel == 0) {
		check_add(c, "dkim-noselector", rq->domain, rq->domain, NULL, NULL);
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
	    (f = check_add(c, "dkim-missing-ours", rq->domain, rq->domain, list,
	    NULL)) != NULL)
		f->fix = arena_printf(c->a, "%s._domainkey.%s. IN TXT "
		    "\"v=DKIM1; k=rsa; p=<the key shown in your control "
		    "panel>\"", rq->selectors[0], rq->domain);
}

/* ---------------------------------------------------------- DMARC --- */

void
check_dmarc(struct check_ctx *c)
{
	const char		*d = c->rq->domain, *name, *org, *txt = NULL;
	const struct dns_answer	*ans, *oa;
	struct dmarc_record	 m;
	struct check_finding	*f;
	size_t			 i, n = 0;

	if ((name = check_name2(c, "_dmarc", d)) == NULL ||
	    (ans = dns_table_get(c->t, name, DNS_T_TXT)) == NULL)
		return;
	if (!dns_status_known(ans->status)) {
		check_add(c, "dmarc-dnserror", d, d, check_status_word(ans->status), NULL);
		return;
	}
	for (i = 0; i < ans->n; i++)
		if (dmarc_is_record(ans->rr[i].text)) {
			txt = ans->rr[i].text;
			n++;
		}
	if (n == 0) {
		org = check_org_domain(d);
		if (strcmp(org, d) != 0) {
			if ((name = check_name2(c, "_dmarc", org)) == NULL ||
			    (oa = dns_table_get(c->t, name, DNS_T_TXT)) == NULL)
				return;
			for (i = 0; i < oa->n; i++)
				if (dmarc_is_record(oa->rr[i].text) &&
				    dmarc_parse(c->a, oa->rr[i].text, &m) ==
				    P_OK && m.error == NULL) {
					check_add(c, "dmarc-inherited", d, org,
					    m.sp != NULL ? m.sp : m.p, NULL);
					return;
				}
		}
		if ((f = check_add(c, "dmarc-none", d, d, NULL, NULL)) != NULL)
			f->fix = arena_printf(c->a, "_dmarc.%s. IN TXT "
			    "\"v=DMARC1; p=none; rua=mailto:postmaster@%s\"",
			    d, d);
		return;
	}
	if (n > 1) {
		check_add(c, "dmarc-multiple", d, d, NULL, NULL);
		return;
	}
	if (dmarc_parse(c->a, txt, &m) != P_OK) {
		c->rc = P_ENOMEM;
		return;
	}
	if (m.error != NULL) {
		if ((f = check_add(c, "dmarc-syntax", d, d, m.error, NULL)) != NULL) {
			f->detail = txt;
			f->fix = arena_printf(c->a, "_dmarc.%s. IN TXT "
			    "\"v=DMARC1; p=none; rua=mailto:postmaster@%s\"",
			    d, d);
		}
		return;
	}
	if (strcasecmp(m.p, "none") == 0)
		f = check_add(c, "dmarc-policy-none", d, d, NULL, NULL);
	else
		f = check_add(c, "dmarc-policy", d, d, m.p, NULL);
	if (f != NULL)
		f->detail = txt;
	if (m.pct < 100) {
		char	 pct[16];

		(void)snprintf(pct, sizeof(pct), "%d", m.pct);
		check_add(c, "dmarc-pct", d, d, pct, NULL);
	}
	if (m.rua != NULL)
		check_add(c, "dmarc-rua", d, d, m.rua, NULL);
	else if ((f = check_add(c, "dmarc-no-rua", d, d, NULL, NULL)) != NULL)
		f->fix = arena_printf(c->a, "_dmarc.%s. IN TXT \"%s%s "
		    "rua=mailto:postmaster@%s\"", d, txt,
		    txt[strlen(txt) - 1] == ';' ? "" : ";", d);
}
