/* test_psl.c - the organisational domain of DMARC by the Public Suffix
 * List (src/check/psl.c), and the DMARC check's use of it: a record is
 * inherited from the registrable domain (example.co.uk), never from a
 * public suffix (co.uk, com.au). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "../../src/check/check_int.h"

static void
test_org_domain(void **state)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "shop.example.co.uk", "example.co.uk" },
		{ "a.b.example.co.uk", "example.co.uk" },
		{ "example.co.uk", "example.co.uk" },
		{ "co.uk", "co.uk" },
		{ "mail.example.com.au", "example.com.au" },
		{ "example.com.au", "example.com.au" },
		{ "com.au", "com.au" },
		{ "news.example.fr", "example.fr" },
		{ "example.org", "example.org" },
		{ "x.y.example.gouv.fr", "example.gouv.fr" },
		{ "a.b.c.example.test", "example.test" },
	};
	const char	*got;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = check_org_domain(cases[i].in);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in,
			    got != NULL ? got : "(null)", cases[i].want);
	}
}

static bool
has(const struct check_report *r, const char *id)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].id, id) == 0)
			return true;
	return false;
}

/* A DMARC-only pass over a complete table (missing names: NXDOMAIN). */
static void
dmarc_pass(struct arena *a, const char *domain, const char *name,
    const char *txt, struct check_report *r)
{
	struct check_request	 rq;
	struct dns_table	 t;

	memset(&rq, 0, sizeof(rq));
	rq.domain = domain;
	rq.spf_include = "_spf.example.net";
	rq.provider_name = "Example";
	dns_table_init(&t, a);
	t.complete = true;
	/* The domain exists (no MX): otherwise only NXDOMAIN is said. */
	assert_int_equal(dns_table_add(&t, domain, DNS_T_MX, DNS_S_NODATA,
	    NULL), P_OK);
	assert_int_equal(dns_table_add(&t, name, DNS_T_TXT, DNS_S_OK,
	    (const char *[]){ txt, NULL }), P_OK);
	memset(r, 0, sizeof(*r));
	assert_int_equal(check_evaluate(a, &rq, &t, r), P_OK);
}

static void
test_dmarc_inherit(void **state)
{
	struct check_report	 r;
	struct arena		*a;

	(void)state;
	assert_non_null(a = arena_new(16 * 1024 * 1024));
	/* The registrable domain's record covers its subdomains. */
	dmarc_pass(a, "shop.example.co.uk", "_dmarc.example.co.uk",
	    "v=DMARC1; p=reject", &r);
	assert_true(has(&r, "dmarc-inherited"));
	dmarc_pass(a, "mail.example.com.au", "_dmarc.example.com.au",
	    "v=DMARC1; p=quarantine", &r);
	assert_true(has(&r, "dmarc-inherited"));
	/* A record at a public suffix covers no one ("last two labels"
	 * would have taken co.uk and com.au as the organisation). */
	dmarc_pass(a, "example.co.uk", "_dmarc.co.uk", "v=DMARC1; p=none",
	    &r);
	assert_false(has(&r, "dmarc-inherited"));
	dmarc_pass(a, "example.com.au", "_dmarc.com.au", "v=DMARC1; p=none",
	    &r);
	assert_false(has(&r, "dmarc-inherited"));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_org_domain),
		cmocka_unit_test(test_dmarc_inherit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
