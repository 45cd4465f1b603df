/* fuzz_dnsmsg.c - libFuzzer target for the DNS response parser
 * (src/check/dnsmsg.c): the first byte picks the question's type, the
 * rest is the message. Checks the answer's invariants: a status the
 * checks know, no records with NODATA, every text NUL-terminated and
 * within the message's possible size (names are at most 255 bytes and a
 * TXT record no larger than the message). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

#define FUZZ_ARENA_MAX	(16u * 1024 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const enum dns_type types[] = {
	DNS_T_A, DNS_T_CNAME, DNS_T_PTR, DNS_T_MX, DNS_T_TXT, DNS_T_AAAA
};

static void
check_answer(const struct dns_answer *ans, enum dns_type t, size_t size)
{
	size_t	 i, n;

	if (ans->status > DNS_S_SKIPPED)
		abort();
	/* Records may come with an error rcode (a server's NXDOMAIN with
	 * an answer section is kept as the server said), never with
	 * NODATA, which means none. */
	if (ans->n > 0 && (ans->status == DNS_S_NODATA || ans->rr == NULL))
		abort();
	if (ans->status == DNS_S_OK && ans->n == 0)
		abort();
	if (ans->cname != NULL && strlen(ans->cname) > 255)
		abort();
	for (i = 0; i < ans->n; i++) {
		if (ans->rr[i].text == NULL)
			abort();
		n = strlen(ans->rr[i].text);
		/* A TXT record's strings joined, or a name in text form
		 * (each label byte may need "\DDD": 4 bytes). */
		if (n > (t == DNS_T_TXT ? size : 4 * 255))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_answer	 ans;
	struct arena		*a;
	enum dns_type		 t;

	if (size < 1)
		return 0;
	t = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	if ((a = arena_new(FUZZ_ARENA_MAX)) == NULL)
		abort();
	memset(&ans, 0, sizeof(ans));
	if (dns_msg_parse(a, data + 1, size - 1, t, &ans) == P_OK)
		check_answer(&ans, t, size);
	arena_free(a);
	return 0;
}
