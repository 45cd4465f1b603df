/* fuzz_spf.c - libFuzzer target for the SPF, DKIM key and DMARC record
 * parsers (src/check/spf.c, records.c): the input as one TXT record given
 * to each, the SPF record's invariants, spf_fix() on it, and spf_ip_in()
 * with its first term's argument. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

#define FUZZ_ARENA_MAX	(16u * 1024 * 1024)
#define TXT_MAX		8192

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_spf(const struct spf_record *r)
{
	size_t	 i;

	if (r->n > 0 && r->terms == NULL)
		abort();
	if (r->all != 0 && strchr("+-~?", r->all) == NULL)
		abort();
	for (i = 0; i < r->n; i++) {
		if (r->terms[i].name == NULL ||
		    strchr("+-~?", r->terms[i].qual) == NULL)
			abort();
		if (r->terms[i].cidr4 < -1 || r->terms[i].cidr4 > 32 ||
		    r->terms[i].cidr6 < -1 || r->terms[i].cidr6 > 128)
			abort();
	}
	if (r->lookups > r->n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record		 spf;
	const struct spf_record		*recs[1];
	struct dkim_key			 dk;
	struct dmarc_record		 dm;
	struct arena			*a;
	char				*txt, *fix;
	const char			*arg;

	if (size > TXT_MAX)
		return 0;
	if ((a = arena_new(FUZZ_ARENA_MAX)) == NULL ||
	    (txt = malloc(size + 1)) == NULL)
		abort();
	memcpy(txt, data, size);
	txt[size] = '\0';

	(void)spf_is_record(txt);
	memset(&spf, 0, sizeof(spf));
	if (spf_parse(a, txt, &spf) == P_OK) {
		check_spf(&spf);
		recs[0] = &spf;
		fix = spf_fix(a, recs, 1, "_spf.example.net");
		if (fix != NULL && strncmp(fix, "v=spf1", 6) != 0)
			abort();
		arg = spf.n > 0 ? spf.terms[0].arg : NULL;
		if (arg != NULL) {
			(void)spf_ip_in("192.0.2.1", arg, spf.terms[0].cidr4,
			    spf.terms[0].cidr6, false);
			(void)spf_ip_in("2001:db8::1", arg,
			    spf.terms[0].cidr4, spf.terms[0].cidr6, true);
		}
	}
	(void)dkim_key_parse(a, txt, &dk);
	(void)check_base64_len(txt);
	(void)dmarc_is_record(txt);
	(void)dmarc_parse(a, txt, &dm);
	free(txt);
	arena_free(a);
	return 0;
}
