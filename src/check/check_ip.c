/* check_ip.c - the checks of a sending IP: reverse DNS that resolves
 * forward to the same address, and listings on DNS blacklists (IP lists
 * with the reversed address, domain lists with the name) with how to get
 * delisted. */
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

#define PTR_MAX_NAMES	4

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

static void
generic(struct check_ctx *c, const char *ip, const char *name)
{
	if (ptr_generic(name, ip))
		check_add(c, "ptr-generic", ip, ip, name, NULL);
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

void
check_ptr(struct check_ctx *c, const char *ip)
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
		check_add(c, "ptr-dnserror", ip, ip, check_status_word(ptr->status), NULL);
		return;
	}
	if (ptr->n == 0) {
		if ((f = check_add(c, "ptr-none", ip, ip, NULL, NULL)) != NULL)
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
			check_add(c, "ptr-ok", ip, ip, ptr->rr[i].text, NULL);
			generic(c, ip, ptr->rr[i].text);
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
		check_add(c, "ptr-dnserror", ip, ip, check_status_word(err), NULL);
		return;
	}
	if ((f = check_add(c, "ptr-mismatch", ip, ip, bad, NULL)) != NULL)
		f->fix = arena_printf(c->a, "%s. IN %s %s", bad,
		    t == DNS_T_A ? "A" : "AAAA", ip);
	generic(c, ip, bad);
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
delist(struct check_ctx *c, struct check_finding *f, const char *zone,
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
void
check_lists(struct check_ctx *c, const char *subject, bool ip, bool ours,
    const char *const *zones, size_t nz)
{
	const struct dns_answer	*ans, *why;
	struct check_finding	*f;
	const char		*q, *code = NULL, *clean = "";
	size_t			 i, nclean = 0;
	bool			 pending = false;

	for (i = 0; i < nz; i++) {
		q = ip ? check_reverse_name(c->a, subject, zones[i]) :
		    check_name2(c, subject, zones[i]);
		if (q == NULL || (ans = dns_table_get(c->t, q, DNS_T_A)) ==
		    NULL) {
			pending = true;
			continue;
		}
		if (!dns_status_known(ans->status)) {
			check_add(c, "dnsbl-dnserror", subject, subject, zones[i],
			    check_status_word(ans->status));
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
			check_add(c, "dnsbl-refused", subject, zones[i], subject,
			    code);
			break;
		default:
			/* The list's TXT usually says why and where to go. */
			why = dns_table_get(c->t, q, DNS_T_TXT);
			f = check_add(c, !ip ? "dbl-listed" : ours ?
			    "dnsbl-listed-ours" : "dnsbl-listed", subject,
			    subject, zones[i], code);
			if (f != NULL)
				delist(c, f, zones[i], why != NULL &&
				    why->status == DNS_S_OK ? why->rr[0].text :
				    NULL);
		}
	}
	if (nclean > 0 && !pending)
		check_add(c, "dnsbl-clean", subject, subject, clean, NULL);
}
