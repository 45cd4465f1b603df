/* test_check.c - unit tests for src/check: name validation, reversed
 * names, SPF parsing and lookup counting over a fake DNS table, DKIM and
 * DMARC records, the DNS response parser, whole check passes, the message
 * table, the cache, the rate limiter and the spamd answer parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/cfg.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "../../src/check/check_int.h"

static struct arena *A;

static int
setup(void **state)
{
	(void)state;
	A = arena_new(64 * 1024 * 1024);
	return A == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

/* ------------------------------------------------------------ names --- */

static void
test_domains(void **state)
{
	static const struct {
		const char	*in, *want;	/* want NULL: refused */
	} cases[] = {
		{ "example.fr", "example.fr" },
		{ "  Example.FR.  ", "example.fr" },
		{ "user@Mail.Example.com", "mail.example.com" },
		{ "Jane Doe <jane@example.org>", "example.org" },
		{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
		{ "a-b.c-d.e", "a-b.c-d.e" },
		{ "localhost", NULL },
		{ "example..fr", NULL },
		{ ".example.fr", NULL },
		{ "-example.fr", NULL },
		{ "example-.fr", NULL },
		{ "exa mple.fr", NULL },
		{ "exa_mple.fr", NULL },
		{ "192.0.2.1", NULL },
		{ "[192.0.2.1]", NULL },
		{ "bücher.example", NULL },
		{ "example.fr;rm", NULL },
		{ "", NULL },
		{ "@", NULL },
	};
	char		 big[300], label[70];
	const char	*out, *why;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	 rc = check_domain_normalise(A, cases[i].in, &out, &why);

		if (cases[i].want == NULL) {
			if (rc != P_EINVAL)
				fail_msg("%s: got %s, want refused",
				    cases[i].in, out);
			assert_non_null(why);
		} else {
			if (rc != P_OK)
				fail_msg("%s: refused (%s)", cases[i].in, why);
			assert_string_equal(out, cases[i].want);
			assert_true(check_is_domain(out));
		}
	}
	/* 63-byte labels pass, 64 do not; 253 bytes in all. */
	memset(label, 'a', 63);
	label[63] = '\0';
	(void)snprintf(big, sizeof(big), "%s.fr", label);
	assert_int_equal(check_domain_normalise(A, big, &out, &why), P_OK);
	(void)snprintf(big, sizeof(big), "a%s.fr", label);
	assert_int_equal(check_domain_normalise(A, big, &out, &why), P_EINVAL);
	(void)snprintf(big, sizeof(big), "%s.%s.%s.%.61s", label, label,
	    label, label);
	assert_int_equal(strlen(big), 253);
	assert_int_equal(check_domain_normalise(A, big, &out, &why), P_OK);
	(void)snprintf(big, sizeof(big), "%s.%s.%s.%.62s", label, label,
	    label, label);
	assert_int_equal(check_domain_normalise(A, big, &out, &why), P_EINVAL);
}

static void
test_ips_and_reverse(void **state)
{
	const char	*out;
	int		 fam;

	(void)state;
	assert_int_equal(check_ip_normalise(A, "192.0.2.25", &out, &fam),
	    P_OK);
	assert_string_equal(out, "192.0.2.25");
	assert_int_equal(fam, 4);
	assert_int_equal(check_ip_normalise(A, "2001:DB8:0::1", &out, &fam),
	    P_OK);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(fam, 6);
	assert_int_equal(check_ip_normalise(A, "127.0.0.1", &out, NULL),
	    P_EINVAL);
	assert_int_equal(check_ip_normalise(A, "::1", &out, NULL), P_EINVAL);
	assert_int_equal(check_ip_normalise(A, "224.0.0.1", &out, NULL),
	    P_EINVAL);
	assert_int_equal(check_ip_normalise(A, "192.0.2", &out, NULL),
	    P_EINVAL);
	assert_int_equal(check_ip_normalise(A, "example.fr", &out, NULL),
	    P_EINVAL);

	assert_string_equal(check_reverse_name(A, "192.0.2.25", NULL),
	    "25.2.0.192.in-addr.arpa");
	assert_string_equal(check_reverse_name(A, "192.0.2.25",
	    "zen.spamhaus.org"), "25.2.0.192.zen.spamhaus.org");
	assert_string_equal(check_reverse_name(A, "2001:db8::567:89ab",
	    "bl.test"), "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "8.b.d.0.1.0.0.2.bl.test");
	assert_string_equal(check_reverse_name(A, "2001:db8::1", NULL) + 64,
	    "ip6.arpa");
	assert_null(check_reverse_name(A, "nope", NULL));

	assert_true(check_zone_is_domain_list("dbl.spamhaus.org"));
	assert_true(check_zone_is_domain_list("multi.uribl.com"));
	assert_true(check_zone_is_domain_list("dbl.test"));
	assert_false(check_zone_is_domain_list("zen.spamhaus.org"));
	assert_false(check_zone_is_domain_list("bl.spamcop.net"));
}

/* ------------------------------------------------------------- SPF --- */

static void
test_spf_parse(void **state)
{
	struct spf_record	 r;

	(void)state;
	assert_true(spf_is_record("v=spf1 -all"));
	assert_true(spf_is_record("V=SPF1"));
	assert_false(spf_is_record("v=spf10 -all"));
	assert_false(spf_is_record("v=DKIM1; p="));
	assert_int_equal(spf_parse(A, "spf2.0/pra", &r), P_EINVAL);

	assert_int_equal(spf_parse(A, "v=spf1 a mx:mx.example.fr/24 "
	    "ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net "
	    "exists:%{i}.bl.example ?ptr ~all exp=why.example.fr", &r), P_OK);
	assert_null(r.error);
	assert_int_equal(r.n, 9);
	assert_int_equal(r.lookups, 5);	/* a mx include exists ptr */
	assert_int_equal(r.all, '~');
	assert_string_equal(r.terms[1].name, "mx");
	assert_string_equal(r.terms[1].arg, "mx.example.fr");
	assert_int_equal(r.terms[1].cidr4, 24);
	assert_string_equal(r.terms[3].arg, "2001:db8::");
	assert_int_equal(r.terms[3].cidr6, 32);
	assert_int_equal(r.terms[6].qual, '?');
	assert_true(r.terms[8].modifier);
	assert_string_equal(r.terms[8].name, "exp");

	assert_int_equal(spf_parse(A, "v=spf1 a//64 a/24//64 -all", &r), P_OK);
	assert_null(r.error);
	assert_int_equal(r.terms[0].cidr6, 64);
	assert_int_equal(r.terms[0].cidr4, -1);
	assert_int_equal(r.terms[1].cidr4, 24);

	/* What receivers call permerror. */
	static const char *const bad[] = {
		"v=spf1 include -all",
		"v=spf1 ip4:300.1.1.1 -all",
		"v=spf1 ip4:192.0.2.0/33 -all",
		"v=spf1 ip6:192.0.2.1 -all",
		"v=spf1 frobnicate -all",
		"v=spf1 all:foo",
		"v=spf1 redirect=a.example redirect=b.example",
		"v=spf1 include:a..example -all",
		"v=spf1 + -all",
		NULL
	};
	for (size_t i = 0; bad[i] != NULL; i++) {
		assert_int_equal(spf_parse(A, bad[i], &r), P_OK);
		if (r.error == NULL)
			fail_msg("%s: no error found", bad[i]);
	}
	assert_int_equal(spf_parse(A, "v=spf1 redirect=_spf.example.net",
	    &r), P_OK);
	assert_null(r.error);
	assert_string_equal(r.redirect, "_spf.example.net");
	assert_int_equal(r.all, 0);
}

static void
test_spf_ip_in(void **state)
{
	(void)state;
	assert_true(spf_ip_in("192.0.2.77", "192.0.2.0", 24, -1, false));
	assert_false(spf_ip_in("192.0.3.77", "192.0.2.0", 24, -1, false));
	assert_true(spf_ip_in("192.0.2.77", "192.0.2.64", 26, -1, false));
	assert_false(spf_ip_in("192.0.2.63", "192.0.2.64", 26, -1, false));
	assert_true(spf_ip_in("192.0.2.1", "192.0.2.1", -1, -1, false));
	assert_false(spf_ip_in("192.0.2.2", "192.0.2.1", -1, -1, false));
	assert_true(spf_ip_in("10.9.9.9", "0.0.0.0", 0, -1, false));
	assert_true(spf_ip_in("2001:db8:1::5", "2001:db8::", -1, 32, true));
	assert_false(spf_ip_in("2001:db9::5", "2001:db8::", -1, 32, true));
	assert_false(spf_ip_in("192.0.2.1", "2001:db8::", -1, 32, true));
}

static void
put_txt(struct dns_table *t, const char *name, const char *txt)
{
	const char	*v[2] = { txt, NULL };

	assert_int_equal(dns_table_add(t, name, DNS_T_TXT, DNS_S_OK, v), P_OK);
}

static void
test_spf_walk(void **state)
{
	struct dns_table	 t;
	struct spf_record	 r;
	struct spf_eval		 ev;
	const char		*ips[] = { "198.51.100.7" };
	char			 name[64], rec[512];
	int			 i;

	(void)state;
	/* Nested includes: 2 + (1 + 2) + 1 = 6 lookups; ours at depth 2. */
	dns_table_init(&t, A);
	put_txt(&t, "a.example", "v=spf1 a mx include:b.example ~all");
	put_txt(&t, "b.example", "v=spf1 include:_spf.provider.example "
	    "exists:x.example include:c.example -all");
	put_txt(&t, "_spf.provider.example", "v=spf1 ip4:198.51.100.0/24 "
	    "-all");
	put_txt(&t, "c.example", "v=spf1 ip4:203.0.113.1 -all");
	assert_int_equal(spf_parse(A, "v=spf1 a mx include:b.example ~all",
	    &r), P_OK);
	t.complete = true;
	spf_evaluate(&t, "a.example", &r, "_spf.provider.example", NULL, 0,
	    &ev);
	assert_int_equal(ev.lookups, 6);
	assert_true(ev.provider);
	assert_null(ev.error);
	assert_int_equal(ev.depth, 2);
	/* The same with the provider's IPs instead of its include. */
	spf_evaluate(&t, "a.example", &r, "_spf.other.example", ips, 1, &ev);
	assert_true(ev.provider);
	ips[0] = "198.51.101.7";
	spf_evaluate(&t, "a.example", &r, "_spf.other.example", ips, 1, &ev);
	assert_false(ev.provider);

	/* Twelve includes of one lookup each: 12 > 10. */
	dns_table_init(&t, A);
	t.complete = true;
	(void)snprintf(rec, sizeof(rec), "v=spf1");
	for (i = 0; i < 12; i++) {
		(void)snprintf(name, sizeof(name), "i%d.example", i);
		put_txt(&t, name, "v=spf1 ip4:192.0.2.1 -all");
		(void)snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
		    " include:%s", name);
	}
	(void)snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " -all");
	assert_int_equal(spf_parse(A, rec, &r), P_OK);
	spf_evaluate(&t, "big.example", &r, NULL, NULL, 0, &ev);
	assert_int_equal(ev.lookups, 12);

	/* A redirect counts and is followed, unless "all" is there. */
	dns_table_init(&t, A);
	t.complete = true;
	put_txt(&t, "r.example", "v=spf1 mx a -all");
	assert_int_equal(spf_parse(A, "v=spf1 redirect=r.example", &r), P_OK);
	spf_evaluate(&t, "x.example", &r, NULL, NULL, 0, &ev);
	assert_int_equal(ev.lookups, 3);
	assert_int_equal(spf_parse(A, "v=spf1 -all redirect=r.example", &r),
	    P_OK);
	spf_evaluate(&t, "x.example", &r, NULL, NULL, 0, &ev);
	assert_int_equal(ev.lookups, 0);

	/* An include without SPF record is a permerror (void lookup). */
	assert_int_equal(spf_parse(A, "v=spf1 include:gone.example -all", &r),
	    P_OK);
	spf_evaluate(&t, "x.example", &r, NULL, NULL, 0, &ev);
	assert_non_null(ev.error);
	assert_string_equal(ev.error_at, "gone.example");
	assert_int_equal(ev.voids, 1);

	/* A loop ends at the depth limit with an error. */
	dns_table_init(&t, A);
	t.complete = true;
	put_txt(&t, "l1.example", "v=spf1 include:l2.example -all");
	put_txt(&t, "l2.example", "v=spf1 include:l1.example -all");
	assert_int_equal(spf_parse(A, "v=spf1 include:l1.example -all", &r),
	    P_OK);
	spf_evaluate(&t, "x.example", &r, NULL, NULL, 0, &ev);
	assert_non_null(ev.error);
	assert_true(ev.lookups > SPF_MAX_LOOKUPS);

	/* An incomplete table: the walk notes what it wants. */
	dns_table_init(&t, A);
	assert_int_equal(spf_parse(A, "v=spf1 include:a.example "
	    "include:b.example -all", &r), P_OK);
	spf_evaluate(&t, "x.example", &r, NULL, NULL, 0, &ev);
	assert_true(ev.unknown);
	assert_int_equal(t.nwant, 2);
	assert_string_equal(t.want[1].name, "b.example");
	assert_int_equal(t.want[1].type, DNS_T_TXT);
}

static void
test_spf_fix(void **state)
{
	struct spf_record		 a, b;
	const struct spf_record		*two[2] = { &a, &b };
	char				*fix;

	(void)state;
	assert_int_equal(spf_parse(A, "v=spf1 mx ip4:192.0.2.1 +all", &a),
	    P_OK);
	fix = spf_fix(A, two, 1, "_spf.example.net");
	assert_string_equal(fix, "v=spf1 mx ip4:192.0.2.1 "
	    "include:_spf.example.net ~all");
	assert_int_equal(spf_parse(A, "v=spf1 a include:_SPF.example.net "
	    "-all", &a), P_OK);
	assert_int_equal(spf_parse(A, "v=spf1 a ip4:192.0.2.0/24 ~all", &b),
	    P_OK);
	fix = spf_fix(A, two, 2, "_spf.example.net");
	assert_string_equal(fix, "v=spf1 a include:_SPF.example.net "
	    "ip4:192.0.2.0/24 -all");
	assert_int_equal(spf_parse(A, "v=spf1 redirect=_spf.host.example",
	    &a), P_OK);
	fix = spf_fix(A, two, 1, "_spf.example.net");
	assert_string_equal(fix, "v=spf1 include:_spf.example.net "
	    "redirect=_spf.host.example");
	fix = spf_fix(A, two, 0, NULL);
	assert_string_equal(fix, "v=spf1 ~all");
}

/* ----------------------------------------------------- DKIM, DMARC --- */

static void
test_dkim(void **state)
{
	struct dkim_key	 k;

	(void)state;
	assert_int_equal(check_base64_len("TWFu"), 3);
	assert_int_equal(check_base64_len("TWE="), 2);
	assert_int_equal(check_base64_len("TQ=="), 1);
	assert_int_equal(check_base64_len("TW Fu\n TQ=="), 4);
	assert_int_equal(check_base64_len("TWF"), -1);
	assert_int_equal(check_base64_len("TQ=a"), -1);
	assert_int_equal(check_base64_len("T*Fu"), -1);
	assert_int_equal(check_base64_len("T==="), -1);

	assert_int_equal(dkim_key_parse(A, "v=DKIM1; k=rsa; p=TWFuTWFu", &k),
	    P_OK);
	assert_null(k.error);
	assert_true(k.p_base64);
	assert_int_equal(k.key_bytes, 6);
	assert_false(k.revoked);
	assert_int_equal(dkim_key_parse(A, " v = DKIM1 ; p = ", &k), P_OK);
	assert_null(k.error);
	assert_true(k.revoked);
	assert_int_equal(dkim_key_parse(A, "k=ed25519; t=y:s; p=TWFu", &k),
	    P_OK);
	assert_null(k.error);
	assert_true(k.testing);
	assert_int_equal(dkim_key_parse(A, "t=s; p=TWFu", &k), P_OK);
	assert_false(k.testing);

	static const char *const bad[] = { "v=DKIM2; p=TWFu", "k=dsa; p=TWFu",
	    "v=DKIM1; k=rsa", "v=DKIM1; p=not*base64", "v=DKIM1; p=TWFu; "
	    "p=TWFu", "v=DKIM1; garbage", NULL };
	for (size_t i = 0; bad[i] != NULL; i++) {
		assert_int_equal(dkim_key_parse(A, bad[i], &k), P_OK);
		if (k.error == NULL)
			fail_msg("%s: no error found", bad[i]);
	}
}

static void
test_dmarc(void **state)
{
	struct dmarc_record	 d;

	(void)state;
	assert_true(dmarc_is_record("v=DMARC1; p=none"));
	assert_true(dmarc_is_record("v = DMARC1;p=reject"));
	assert_false(dmarc_is_record("v=DMARC10; p=none"));
	assert_false(dmarc_is_record("p=none; v=DMARC1"));

	assert_int_equal(dmarc_parse(A, "v=DMARC1; p=Quarantine; sp=reject; "
	    "pct=50; rua=mailto:a@example.fr,mailto:b@example.net!10m; "
	    "ruf=mailto:f@example.fr; adkim=s", &d), P_OK);
	assert_null(d.error);
	assert_string_equal(d.p, "Quarantine");
	assert_string_equal(d.sp, "reject");
	assert_int_equal(d.pct, 50);
	assert_string_equal(d.rua, "mailto:a@example.fr,mailto:b@example.net"
	    "!10m");
	assert_string_equal(d.adkim, "s");
	assert_int_equal(dmarc_parse(A, "v=DMARC1; p=none", &d), P_OK);
	assert_null(d.error);
	assert_null(d.rua);
	assert_int_equal(d.pct, 100);

	static const char *const bad[] = { "v=DMARC1", "v=DMARC1; p=block",
	    "v=DMARC1; p=none; sp=maybe", "v=DMARC1; p=none; pct=150",
	    "v=DMARC1; p=none; pct=x", "v=DMARC1; p=none; rua=https://x.fr",
	    "v=DMARC1; p=none; rua=mailto:nobody", "v=DMARC1; p=none; p=none",
	    "p=none", NULL };
	for (size_t i = 0; bad[i] != NULL; i++) {
		assert_int_equal(dmarc_parse(A, bad[i], &d), P_OK);
		if (d.error == NULL)
			fail_msg("%s: no error found", bad[i]);
	}
}

/* ------------------------------------------------------ DNS parser --- */

struct msg {
	unsigned char	 b[1024];
	size_t		 n;
};

static void
put8(struct msg *m, unsigned v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (unsigned char)v;
}

static void
put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void
put32(struct msg *m, unsigned long v)
{
	put16(m, (unsigned)(v >> 16));
	put16(m, (unsigned)(v & 0xffff));
}

static void
put_name(struct msg *m, const char *name)
{
	const char	*p = name, *dot;
	size_t		 n;

	while (*p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		put8(m, (unsigned)n);
		memcpy(m->b + m->n, p, n);
		m->n += n;
		p += n;
		if (*p == '.')
			p++;
	}
	put8(m, 0);
}

static void
msg_head(struct msg *m, unsigned flags, unsigned an, unsigned ns,
    const char *qname, unsigned qtype)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, 1);
	put16(m, an);
	put16(m, ns);
	put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, 1);
}

/* An RR whose owner is a pointer to offset 12 (the question's name). */
static void
rr_head(struct msg *m, const char *owner, unsigned type, unsigned long ttl,
    unsigned rdlen)
{
	if (owner == NULL) {
		put16(m, 0xc00c);
	} else
		put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, rdlen);
}

static void
test_dns_parse(void **state)
{
	struct dns_answer	 a;
	struct msg		 m;

	(void)state;
	/* A via a CNAME, the alias first. */
	msg_head(&m, 0x8180, 2, 0, "mx.good.test", DNS_T_A);
	rr_head(&m, NULL, DNS_T_CNAME, 300, 16);
	put_name(&m, "real.good.test");		/* 16 bytes */
	rr_head(&m, "real.good.test", DNS_T_A, 120, 4);
	put8(&m, 192); put8(&m, 0); put8(&m, 2); put8(&m, 9);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_OK);
	assert_int_equal(a.status, DNS_S_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.rr[0].text, "192.0.2.9");
	assert_string_equal(a.cname, "real.good.test");
	assert_int_equal(a.ttl, 120);

	/* TXT with two strings joined, and MX with a compressed name. */
	msg_head(&m, 0x8180, 1, 0, "Good.Test", DNS_T_TXT);
	rr_head(&m, NULL, DNS_T_TXT, 60, 10);
	put8(&m, 4); memcpy(m.b + m.n, "v=sp", 4); m.n += 4;
	put8(&m, 4); memcpy(m.b + m.n, "f1 a", 4); m.n += 4;
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_TXT, &a), P_OK);
	assert_string_equal(a.rr[0].text, "v=spf1 a");
	msg_head(&m, 0x8180, 1, 0, "good.test", DNS_T_MX);
	rr_head(&m, NULL, DNS_T_MX, 60, 9);
	put16(&m, 10);
	put8(&m, 4); memcpy(m.b + m.n, "mail", 4); m.n += 4;
	put16(&m, 0xc00c);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_MX, &a), P_OK);
	assert_int_equal(a.rr[0].pref, 10);
	assert_string_equal(a.rr[0].text, "mail.good.test");

	/* NXDOMAIN keeps the SOA's negative TTL. */
	msg_head(&m, 0x8183, 0, 1, "nope.test", DNS_T_A);
	rr_head(&m, "test", 6, 900, 3 + 3 + 20);
	put8(&m, 1); put8(&m, 'n'); put8(&m, 0);	/* mname n */
	put8(&m, 1); put8(&m, 'h'); put8(&m, 0);	/* rname h */
	put32(&m, 1); put32(&m, 2); put32(&m, 3); put32(&m, 4);
	put32(&m, 45);					/* minimum */
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_OK);
	assert_int_equal(a.status, DNS_S_NXDOMAIN);
	assert_int_equal(a.ttl, 45);

	/* SERVFAIL, REFUSED, NODATA, truncated without answers. */
	msg_head(&m, 0x8182, 0, 0, "x.test", DNS_T_A);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_OK);
	assert_int_equal(a.status, DNS_S_SERVFAIL);
	msg_head(&m, 0x8185, 0, 0, "x.test", DNS_T_A);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_OK);
	assert_int_equal(a.status, DNS_S_REFUSED);
	msg_head(&m, 0x8180, 0, 0, "x.test", DNS_T_A);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_OK);
	assert_int_equal(a.status, DNS_S_NODATA);
	msg_head(&m, 0x8380, 0, 0, "x.test", DNS_T_A);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_OK);
	assert_int_equal(a.status, DNS_S_ERROR);

	/* Malformed: a query (no QR), a pointer loop, a short record. */
	msg_head(&m, 0x0100, 0, 0, "x.test", DNS_T_A);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_EINVAL);
	msg_head(&m, 0x8180, 1, 0, "x.test", DNS_T_A);
	put16(&m, 0xc000 | (unsigned)m.n);	/* points at itself */
	put16(&m, 1); put16(&m, 1); put32(&m, 1); put16(&m, 4);
	put32(&m, 0);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_EINVAL);
	msg_head(&m, 0x8180, 1, 0, "x.test", DNS_T_A);
	rr_head(&m, NULL, DNS_T_A, 60, 4);
	put8(&m, 1);
	assert_int_equal(dns_msg_parse(A, m.b, m.n, DNS_T_A, &a), P_EINVAL);
	assert_int_equal(dns_msg_parse(A, m.b, 5, DNS_T_A, &a), P_EINVAL);
}

/* ------------------------------------------------------- checks --- */

static void
base_request(struct check_request *rq, const char *domain)
{
	memset(rq, 0, sizeof(*rq));
	rq->domain = domain;
	rq->selectors[0] = "mail";
	rq->sel_ours[0] = true;
	rq->nsel = 1;
	rq->ips[0] = "192.0.2.25";
	rq->nips = 1;
	rq->ip_zones[0] = "bl.test";
	rq->ip_zones[1] = "zen.spamhaus.org";
	rq->nip_zones = 2;
	rq->dom_zones[0] = "dbl.test";
	rq->ndom_zones = 1;
	rq->spf_include = "_spf.example.net";
	rq->provider_name = "Example";
}

static const struct check_finding *
find(const struct check_report *r, const char *id)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].id, id) == 0)
			return &r->f[i];
	return NULL;
}

static void
want_verdict(const struct check_report *r, const char *id,
    enum check_verdict v)
{
	const struct check_finding	*f = find(r, id);
	size_t				 i;

	if (f == NULL) {
		for (i = 0; i < r->n; i++)
			print_message("  have %s\n", r->f[i].id);
		fail_msg("no finding %s", id);
	}
	assert_int_equal(f->verdict, v);
	assert_non_null(f->explain_en);
	assert_non_null(f->explain_fr);
	assert_string_not_equal(f->explain_en, f->explain_fr);
}

static void
good_zone(struct dns_table *t)
{
	static const char *const mx[] = { "10 mx1.good.test",
	    "20 mx2.good.test", NULL };
	static const char *const a1[] = { "192.0.2.10", NULL };
	static const char *const a2[] = { "192.0.2.11", NULL };
	static const char *const ptr[] = { "mail.good.test", NULL };
	static const char *const a25[] = { "192.0.2.25", NULL };
	static const char *const key[] = { "v=DKIM1; k=rsa; p="
	    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAbjQLnP+zepicpUTm"
	    "u3gKLHiQHT+zNzh2hRGjBhevoB1L9RIvNEVUxTveLruM0rfj0WAK1jHDhaXX"
	    "zOI8d4VFmtvBtMkA/+SNV1tdpcY4BAEl9l2w/j4kSUt26phkV9mGCE/tCLl4"
	    "r019GWp0RqhrWACeY2thHbFiEbZamq3/KcXlLZxQjFAjRzRNjAetkcvWBor8"
	    "df9ikvBioJyjgcieced7mprp4wsNvbb1EKJk753ngVAde2uSronrBZxat0Pb"
	    "Z1humPrSfaC5lovAOaHvNMk5ubjlI6i++J1HhgjF7PbKNYdY9tJ+bPRScpN5"
	    "d6dI/Yg5HbZ5ztp9x78fAF7oeb7q13mU", NULL };

	dns_table_init(t, A);
	t->complete = true;
	assert_int_equal(dns_table_add(t, "good.test", DNS_T_MX, DNS_S_OK,
	    mx), P_OK);
	dns_table_add(t, "mx1.good.test", DNS_T_A, DNS_S_OK, a1);
	dns_table_add(t, "mx2.good.test", DNS_T_A, DNS_S_OK, a2);
	dns_table_add(t, "mx1.good.test", DNS_T_AAAA, DNS_S_NODATA, NULL);
	dns_table_add(t, "mx2.good.test", DNS_T_AAAA, DNS_S_NODATA, NULL);
	dns_table_add(t, "good.test", DNS_T_A, DNS_S_OK, a1);
	dns_table_add(t, "good.test", DNS_T_AAAA, DNS_S_NODATA, NULL);
	dns_table_add(t, "good.test", DNS_T_TXT, DNS_S_OK, (const char *[]){
	    "google-site-verification=abc",
	    "v=spf1 mx include:_spf.example.net -all", NULL });
	put_txt(t, "_spf.example.net", "v=spf1 ip4:192.0.2.0/24 -all");
	put_txt(t, "_dmarc.good.test", "v=DMARC1; p=reject; "
	    "rua=mailto:dmarc@good.test");
	dns_table_add(t, "mail._domainkey.good.test", DNS_T_TXT, DNS_S_OK,
	    key);
	dns_table_add(t, "25.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_S_OK, ptr);
	dns_table_add(t, "mail.good.test", DNS_T_A, DNS_S_OK, a25);
}

static void
test_check_good(void **state)
{
	struct check_request	 rq;
	struct check_report	 r;
	struct dns_table	 t;
	size_t			 i;

	(void)state;
	base_request(&rq, "good.test");
	good_zone(&t);
	memset(&r, 0, sizeof(r));
	assert_int_equal(check_evaluate(A, &rq, &t, &r), P_OK);
	for (i = 0; i < r.n; i++)
		if (r.f[i].verdict != CHECK_PASS)
			fail_msg("%s: %s", r.f[i].id, r.f[i].explain_en);
	want_verdict(&r, "mx-ok", CHECK_PASS);
	assert_non_null(strstr(find(&r, "mx-ok")->explain_en,
	    "mx1.good.test (10), mx2.good.test (20)"));
	want_verdict(&r, "spf-lookups-ok", CHECK_PASS);
	want_verdict(&r, "spf-all-fail", CHECK_PASS);
	want_verdict(&r, "spf-provider", CHECK_PASS);
	want_verdict(&r, "dkim-ok", CHECK_PASS);
	assert_non_null(strstr(find(&r, "dkim-ok")->explain_en, "2048"));
	want_verdict(&r, "dmarc-policy", CHECK_PASS);
	want_verdict(&r, "dmarc-rua", CHECK_PASS);
	want_verdict(&r, "a-ok", CHECK_PASS);
	want_verdict(&r, "ptr-ok", CHECK_PASS);
	want_verdict(&r, "dnsbl-clean", CHECK_PASS);
	assert_int_equal(r.nfail + r.nwarn, 0);
	assert_int_equal(r.npass, r.n);
}

static void
test_check_broken(void **state)
{
	struct check_request		 rq;
	struct check_report		 r;
	struct dns_table		 t;
	const struct check_finding	*f;
	static const char *const mx[] = { "10 192.0.2.99", "20 alias.bad.test",
	    "30 ghost.bad.test", NULL };
	static const char *const a[] = { "192.0.2.40", NULL };
	static const char *const listed[] = { "127.0.0.2", NULL };
	static const char *const why[] = { "Listed: see example", NULL };
	static const char *const ptr[] = { "192-0-2-25.dyn.isp.test", NULL };
	static const char *const other[] = { "198.51.100.1", NULL };
	struct dns_answer		 cn;

	(void)state;
	base_request(&rq, "bad.test");
	dns_table_init(&t, A);
	t.complete = true;
	dns_table_add(&t, "bad.test", DNS_T_MX, DNS_S_OK, mx);
	memset(&cn, 0, sizeof(cn));
	cn.status = DNS_S_OK;
	cn.rr = arena_calloc(A, 1, sizeof(*cn.rr));
	cn.rr[0].text = "192.0.2.40";
	cn.n = 1;
	cn.cname = "real.bad.test";
	dns_table_put(&t, "alias.bad.test", DNS_T_A, &cn);
	dns_table_add(&t, "alias.bad.test", DNS_T_AAAA, DNS_S_NODATA, NULL);
	dns_table_add(&t, "ghost.bad.test", DNS_T_A, DNS_S_NXDOMAIN, NULL);
	dns_table_add(&t, "ghost.bad.test", DNS_T_AAAA, DNS_S_NXDOMAIN, NULL);
	dns_table_add(&t, "bad.test", DNS_T_TXT, DNS_S_OK, (const char *[]){
	    "v=spf1 a +all", "v=spf1 mx -all", NULL });
	put_txt(&t, "mail._domainkey.bad.test", "v=DKIM1; p=");
	dns_table_add(&t, "_dmarc.bad.test", DNS_T_TXT, DNS_S_OK,
	    (const char *[]){ "v=DMARC1; p=none", "v=DMARC1; p=reject",
	    NULL });
	dns_table_add(&t, "bad.test", DNS_T_A, DNS_S_OK, a);
	dns_table_add(&t, "25.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_S_OK, ptr);
	dns_table_add(&t, "192-0-2-25.dyn.isp.test", DNS_T_A, DNS_S_OK, other);
	dns_table_add(&t, "25.2.0.192.bl.test", DNS_T_A, DNS_S_OK, listed);
	dns_table_add(&t, "25.2.0.192.bl.test", DNS_T_TXT, DNS_S_OK, why);
	dns_table_add(&t, "25.2.0.192.zen.spamhaus.org", DNS_T_A, DNS_S_OK,
	    (const char *[]){ "127.255.255.254", NULL });
	dns_table_add(&t, "bad.test.dbl.test", DNS_T_A, DNS_S_OK,
	    (const char *[]){ "127.0.1.2", NULL });
	memset(&r, 0, sizeof(r));
	assert_int_equal(check_evaluate(A, &rq, &t, &r), P_OK);
	want_verdict(&r, "mx-ip", CHECK_FAIL);
	want_verdict(&r, "mx-cname", CHECK_WARN);
	want_verdict(&r, "mx-unresolvable", CHECK_FAIL);
	assert_string_equal(find(&r, "mx-unresolvable")->subject,
	    "ghost.bad.test");
	want_verdict(&r, "spf-multiple", CHECK_FAIL);
	f = find(&r, "spf-multiple");
	assert_string_equal(f->fix, "bad.test. IN TXT \"v=spf1 a mx "
	    "include:_spf.example.net -all\"");
	want_verdict(&r, "dkim-revoked", CHECK_FAIL);
	want_verdict(&r, "dmarc-multiple", CHECK_FAIL);
	want_verdict(&r, "ptr-mismatch", CHECK_FAIL);
	assert_string_equal(find(&r, "ptr-mismatch")->fix,
	    "192-0-2-25.dyn.isp.test. IN A 192.0.2.25");
	want_verdict(&r, "dnsbl-listed", CHECK_FAIL);
	f = find(&r, "dnsbl-listed");
	assert_non_null(strstr(f->explain_en, "127.0.0.2"));
	assert_non_null(strstr(f->explain_en, "removal"));
	assert_string_equal(f->detail, "Listed: see example");
	want_verdict(&r, "dnsbl-refused", CHECK_WARN);
	want_verdict(&r, "dbl-listed", CHECK_FAIL);
	assert_non_null(strstr(find(&r, "dbl-listed")->explain_fr,
	    "retrait"));
	assert_null(find(&r, "mx-ok"));
	assert_null(find(&r, "dnsbl-clean"));
}

static void
test_check_single_spf(void **state)
{
	struct check_request	 rq;
	struct check_report	 r;
	struct dns_table	 t;

	(void)state;
	/* One record, +all, missing our include, no DMARC rua, no PTR. */
	base_request(&rq, "sub.spf.test");
	dns_table_init(&t, A);
	t.complete = true;
	dns_table_add(&t, "sub.spf.test", DNS_T_MX, DNS_S_NODATA, NULL);
	dns_table_add(&t, "sub.spf.test", DNS_T_A, DNS_S_OK,
	    (const char *[]){ "192.0.2.7", NULL });
	put_txt(&t, "sub.spf.test", "v=spf1 ip4:192.0.2.7 ?all");
	put_txt(&t, "_dmarc.spf.test", "v=DMARC1; p=quarantine; sp=none");
	dns_table_add(&t, "25.2.0.192.in-addr.arpa", DNS_T_PTR,
	    DNS_S_NXDOMAIN, NULL);
	memset(&r, 0, sizeof(r));
	assert_int_equal(check_evaluate(A, &rq, &t, &r), P_OK);
	want_verdict(&r, "mx-none-a", CHECK_WARN);
	want_verdict(&r, "spf-all-neutral", CHECK_WARN);
	want_verdict(&r, "spf-provider-missing", CHECK_FAIL);
	assert_string_equal(find(&r, "spf-provider-missing")->fix,
	    "sub.spf.test. IN TXT \"v=spf1 ip4:192.0.2.7 "
	    "include:_spf.example.net ~all\"");
	want_verdict(&r, "dkim-missing-ours", CHECK_FAIL);
	want_verdict(&r, "dmarc-inherited", CHECK_PASS);
	assert_non_null(strstr(find(&r, "dmarc-inherited")->explain_en,
	    "policy none"));
	want_verdict(&r, "ptr-none", CHECK_FAIL);
	assert_non_null(strstr(find(&r, "ptr-none")->fix,
	    "25.2.0.192.in-addr.arpa. IN PTR mail.sub.spf.test."));
}

static void
test_check_nxdomain_and_failures(void **state)
{
	struct check_request	 rq;
	struct check_report	 r;
	struct dns_table	 t;

	(void)state;
	base_request(&rq, "gone.test");
	rq.nips = 0;
	dns_table_init(&t, A);
	t.complete = true;
	dns_table_add(&t, "gone.test", DNS_T_MX, DNS_S_NXDOMAIN, NULL);
	memset(&r, 0, sizeof(r));
	assert_int_equal(check_evaluate(A, &rq, &t, &r), P_OK);
	want_verdict(&r, "domain-nxdomain", CHECK_FAIL);
	assert_int_equal(r.n, 1);

	/* Nothing answered and the time is up: warnings, never a pass. */
	base_request(&rq, "slow.test");
	dns_table_init(&t, A);
	memset(&r, 0, sizeof(r));
	assert_int_equal(check_evaluate(A, &rq, &t, &r), P_OK);
	assert_int_equal(r.n, 0);
	assert_true(t.nwant >= 8);
	t.final = true;
	t.nwant = 0;
	assert_int_equal(check_evaluate(A, &rq, &t, &r), P_OK);
	assert_int_equal(t.nwant, 0);
	assert_true(r.n > 0);
	assert_int_equal(r.npass, 0);
	assert_int_equal(r.nfail, 0);
	want_verdict(&r, "domain-dnserror", CHECK_WARN);
	want_verdict(&r, "dkim-dnserror", CHECK_WARN);
	want_verdict(&r, "ptr-dnserror", CHECK_WARN);
	want_verdict(&r, "dnsbl-dnserror", CHECK_WARN);
}

static void
test_messages(void **state)
{
	const struct check_msg	*m;
	const char		*p;
	size_t			 i, ne, nf;

	(void)state;
	for (i = 0; (m = check_msg_at(i)) != NULL; i++) {
		ne = nf = 0;
		for (p = m->en; (p = strchr(p, '%')) != NULL; p += 2) {
			assert_true(p[1] == 's' || p[1] == '%');
			ne += p[1] == 's';
		}
		for (p = m->fr; (p = strchr(p, '%')) != NULL; p += 2) {
			assert_true(p[1] == 's' || p[1] == '%');
			nf += p[1] == 's';
		}
		if (ne != nf || ne > 3)
			fail_msg("%s: %zu/%zu arguments", m->id, ne, nf);
		assert_ptr_equal(check_msg_find(m->id), m);
		assert_non_null(m->faq_tag);
	}
	assert_true(i >= 50);
	assert_string_equal(check_delist_find("zen.spamhaus.org")->suffix,
	    "spamhaus.org");
	assert_string_equal(check_delist_find("dbl.spamhaus.org")->suffix,
	    "dbl.spamhaus.org");
	assert_string_equal(check_delist_find("notspamcop.net")->suffix, "");
	assert_string_equal(check_delist_find("bl.test")->suffix, "");
	assert_true(check_reason_offers("authfailure"));
	assert_true(check_reason_offers("blocked"));
	assert_false(check_reason_offers("userunknown"));
	assert_false(check_reason_offers(NULL));
}

/* -------------------------------------------------- cache, limiter --- */

static void
test_cache(void **state)
{
	struct dns_cache	*c = dns_cache_new(8, 60);
	unsigned char		*raw;
	size_t			 len;
	char			 name[32];
	int			 i;

	(void)state;
	assert_non_null(c);
	dns_cache_put(c, "a.test", DNS_T_A, (const unsigned char *)"xyz", 3,
	    300, 1000);
	assert_int_equal(dns_cache_get(c, A, "a.test", DNS_T_A, 1000, &raw,
	    &len), P_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(raw, "xyz", 3);
	assert_int_equal(dns_cache_get(c, A, "a.test", DNS_T_TXT, 1000, &raw,
	    &len), P_ENOTFOUND);
	/* TTL 300 is kept 60 s at most. */
	assert_int_equal(dns_cache_get(c, A, "a.test", DNS_T_A, 60999, &raw,
	    &len), P_OK);
	assert_int_equal(dns_cache_get(c, A, "a.test", DNS_T_A, 61000, &raw,
	    &len), P_ENOTFOUND);
	/* A short TTL wins; ttl 0 is not kept. */
	dns_cache_put(c, "b.test", DNS_T_A, (const unsigned char *)"b", 1, 5,
	    1000);
	assert_int_equal(dns_cache_get(c, A, "b.test", DNS_T_A, 6001, &raw,
	    &len), P_ENOTFOUND);
	dns_cache_put(c, "z.test", DNS_T_A, (const unsigned char *)"z", 1, 0,
	    1000);
	assert_int_equal(dns_cache_get(c, A, "z.test", DNS_T_A, 1000, &raw,
	    &len), P_ENOTFOUND);
	/* Bounded: many names never hold more than the slots. */
	for (i = 0; i < 100; i++) {
		(void)snprintf(name, sizeof(name), "n%d.test", i);
		dns_cache_put(c, name, DNS_T_TXT, (const unsigned char *)"t",
		    1, 30, 2000 + i);
	}
	assert_true(dns_cache_count(c, 2100) <= 8);
	assert_true(dns_cache_count(c, 2100) >= 1);
	assert_int_equal(dns_cache_get(c, A, "n99.test", DNS_T_TXT, 2100,
	    &raw, &len), P_OK);
	dns_cache_free(c);
	dns_cache_free(NULL);
	assert_non_null(dns_cache_shared());
	assert_ptr_equal(dns_cache_shared(), dns_cache_shared());
}

static void
test_ratelimit(void **state)
{
	struct ratelimit	*rl = ratelimit_new(64);
	long			 retry;
	int			 i;

	(void)state;
	assert_non_null(rl);
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "192.0.2.1", 6, 3, 1000,
		    &retry));
	assert_false(ratelimit_take(rl, "192.0.2.1", 6, 3, 1000, &retry));
	assert_int_equal(retry, 11);	/* 6 a minute: one per 10 s */
	/* Another client has its own bucket. */
	assert_true(ratelimit_take(rl, "192.0.2.2", 6, 3, 1000, &retry));
	/* Ten seconds later one token is back, not two. */
	assert_true(ratelimit_take(rl, "192.0.2.1", 6, 3, 11000, &retry));
	assert_false(ratelimit_take(rl, "192.0.2.1", 6, 3, 11000, &retry));
	/* Long idle refills to the burst, no more. */
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "192.0.2.1", 6, 3, 10000000,
		    &retry));
	assert_false(ratelimit_take(rl, "192.0.2.1", 6, 3, 10000000, &retry));
	ratelimit_free(rl);
	assert_non_null(ratelimit_shared());
}

/* ----------------------------------------------------------- spamd --- */

static const char spamd_reply[] =
    "SPAMD/1.1 0 EX_OK\r\n"
    "Content-length: 640\r\n"
    "Spam: True ; 1004.5 / 5.0\r\n"
    "\r\n"
    "Spam detection software, running on the system \"h\",\n"
    "has identified this incoming email as possible spam.\n"
    "\n"
    "Content analysis details:   (1004.5 points, 5.0 required)\n"
    "\n"
    " pts rule name              description\n"
    "---- ---------------------- ------------------------------------\n"
    " 2.5 MISSING_DATE           Missing Date: header\n"
    "1000 GTUBE                  BODY: Generic Test for Unsolicited Bulk\n"
    "                            Email\n"
    "-0.0 NO_RELAYS              Informational: message was not relayed\n"
    "                            via SMTP\n"
    " 2.0 MIME_HTML_ONLY         BODY: Message only has text/html MIME "
    "parts\n"
    " 0.0 not-a-rule            a line that is not a test\n"
    "\n";

static void
test_spamc_parse(void **state)
{
	struct spam_result	 r;
	struct json_object	*o, *tests, *t, *adv;
	char			 err[128];

	(void)state;
	assert_int_equal(spamc_parse_reply(A, spamd_reply,
	    sizeof(spamd_reply) - 1, &r, err, sizeof(err)), P_OK);
	assert_true(r.spamd_spam);
	assert_true(r.score > 1004.4 && r.score < 1004.6);
	assert_true(r.required > 4.9 && r.required < 5.1);
	assert_int_equal(r.ntests, 4);
	assert_string_equal(r.tests[0].name, "GTUBE");
	assert_string_equal(r.tests[0].description,
	    "BODY: Generic Test for Unsolicited Bulk Email");
	assert_string_equal(r.tests[1].name, "MISSING_DATE");
	assert_string_equal(r.tests[2].name, "MIME_HTML_ONLY");
	assert_string_equal(r.tests[3].name, "NO_RELAYS");
	assert_string_equal(r.tests[3].description,
	    "Informational: message was not relayed via SMTP");

	o = spam_result_to_json(&r, 3, "en");
	assert_non_null(o);
	assert_true(json_object_get_boolean(json_object_object_get(o,
	    "over")));
	assert_string_equal(json_object_get_string(json_object_object_get(o,
	    "score")), "1004.5");
	assert_string_equal(json_object_get_string(json_object_object_get(o,
	    "verdict")), "blocked");
	tests = json_object_object_get(o, "tests");
	assert_int_equal(json_object_array_length(tests), 4);
	t = json_object_array_get_idx(tests, 1);
	assert_string_equal(json_object_get_string(json_object_object_get(t,
	    "name")), "MISSING_DATE");
	assert_string_equal(json_object_get_string(json_object_object_get(t,
	    "score")), "2.5");
	t = json_object_array_get_idx(tests, 3);
	assert_string_equal(json_object_get_string(json_object_object_get(t,
	    "score")), "0");
	adv = json_object_object_get(o, "advice");
	assert_true(json_object_array_length(adv) >= 3);	/* GTUBE, MISSING_,
								 * MIME_HTML */
	json_object_put(o);

	/* Under our threshold. */
	r.score = 2.9;
	o = spam_result_to_json(&r, 3, "fr");
	assert_false(json_object_get_boolean(json_object_object_get(o,
	    "over")));
	json_object_put(o);

	/* Errors: a status that is not EX_OK, no Spam: header, junk. */
	assert_int_equal(spamc_parse_reply(A, "SPAMD/1.0 76 Bad header line: "
	    "x\r\n\r\n", 34, &r, err, sizeof(err)), P_EINVAL);
	assert_non_null(strstr(err, "76"));
	assert_int_equal(spamc_parse_reply(A, "SPAMD/1.1 0 EX_OK\r\n\r\n", 21,
	    &r, err, sizeof(err)), P_EINVAL);
	assert_int_equal(spamc_parse_reply(A, "HTTP/1.1 200 OK\r\n\r\n", 19,
	    &r, err, sizeof(err)), P_EINVAL);
	/* spamd unreachable: a closed port answers at once. */
	assert_int_equal(spamc_check("127.0.0.1:1", 2000, "x", 1, A, &r, err,
	    sizeof(err)), P_EIO);
	assert_int_equal(spamc_check("nohost:783", 2000, "x", 1, A, &r, err,
	    sizeof(err)), P_EINVAL);
	assert_int_equal(spamc_check("/nonexistent/spamd.sock", 2000, "x", 1,
	    A, &r, err, sizeof(err)), P_EIO);
}

/* ------------------------------------------------------------ config --- */

static void
test_config(void **state)
{
	struct config		 c;
	struct check_request	 rq;
	const char		*why;
	char			 err[256];

	(void)state;
	cfg_defaults(&c);
	assert_string_equal(c.resolver, "");
	assert_int_equal(c.spam_threshold, 3);
	assert_int_equal(c.check_timeout_ms, 5000);
	assert_string_equal(c.spamd, "");
	assert_int_equal(cfg_set(&c, "resolver", "127.0.0.1:5353, [::1]:53",
	    err, sizeof(err)), 0);
	assert_int_equal(cfg_set(&c, "resolver", "dns.example:53", err,
	    sizeof(err)), -1);
	assert_int_equal(cfg_set(&c, "provider_ips", "192.0.2.1,2001:db8::1",
	    err, sizeof(err)), 0);
	assert_int_equal(cfg_set(&c, "provider_ips", "192.0.2.1,,x", err,
	    sizeof(err)), -1);
	assert_int_equal(cfg_set(&c, "dnsbl_zones", "bl.test, dbl.test", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg_set(&c, "dnsbl_zones", "bl test", err,
	    sizeof(err)), -1);
	assert_int_equal(cfg_set(&c, "spamd", "/run/spamd.sock", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg_set(&c, "spamd", "127.0.0.1:783", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg_set(&c, "spam_threshold", "16", err,
	    sizeof(err)), -1);

	/* The request: our IPs when none is given, zones split by kind. */
	assert_int_equal(check_request_build(A, &c, "Example.FR", NULL,
	    "s2024", &rq, &why), P_OK);
	assert_string_equal(rq.domain, "example.fr");
	assert_int_equal(rq.nips, 2);
	assert_true(rq.ip_ours[0]);
	assert_int_equal(rq.nsel, 2);
	assert_string_equal(rq.selectors[0], "s2024");
	assert_false(rq.sel_ours[0]);
	assert_true(rq.sel_ours[1]);
	assert_int_equal(rq.nip_zones, 1);
	assert_string_equal(rq.ip_zones[0], "bl.test");
	assert_int_equal(rq.ndom_zones, 1);
	assert_string_equal(rq.dom_zones[0], "dbl.test");
	assert_int_equal(check_request_build(A, &c, "example.fr",
	    "198.51.100.9", NULL, &rq, &why), P_OK);
	assert_int_equal(rq.nips, 1);
	assert_false(rq.ip_ours[0]);
	assert_int_equal(rq.nprovider_ips, 2);
	assert_int_equal(check_request_build(A, &c, "example.fr", "10.0.0",
	    NULL, &rq, &why), P_EINVAL);
	assert_int_equal(check_request_build(A, &c, "example.fr", NULL,
	    "bad selector", &rq, &why), P_EINVAL);
	assert_int_equal(check_request_build(A, &c, "not a domain", NULL,
	    NULL, &rq, &why), P_EINVAL);
	assert_non_null(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_ips_and_reverse),
		cmocka_unit_test(test_spf_parse),
		cmocka_unit_test(test_spf_ip_in),
		cmocka_unit_test(test_spf_walk),
		cmocka_unit_test(test_spf_fix),
		cmocka_unit_test(test_dkim),
		cmocka_unit_test(test_dmarc),
		cmocka_unit_test(test_dns_parse),
		cmocka_unit_test(test_check_good),
		cmocka_unit_test(test_check_broken),
		cmocka_unit_test(test_check_single_spf),
		cmocka_unit_test(test_check_nxdomain_and_failures),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_spamc_parse),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
