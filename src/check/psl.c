/* src/check/psl.c - the organisational domain of a name (DMARC, RFC 7489
 * 3.2) from the Public Suffix List through libpsl: the registrable domain,
 * "example.co.uk" for "shop.example.co.uk". The list is libpsl's built-in
 * copy, else the system's file (Debian's publicsuffix), loaded once; with
 * neither, the last two labels, as before. */
#include <pthread.h>
#include <string.h>
#include <libpsl.h>

#include "bouncedesk/check.h"
#include "check_int.h"

static const psl_ctx_t	*psl;
static pthread_once_t	 psl_once = PTHREAD_ONCE_INIT;

/* Read-only once loaded: psl_registrable_domain() may run in any thread.
 * The context lives as long as the process. */
static void
psl_load(void)
{
	if ((psl = psl_builtin()) == NULL)
		psl = psl_latest(NULL);
}

static const char *
last_two_labels(const char *d)
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

const char *
check_org_domain(const char *d)
{
	const char	*r;

	(void)pthread_once(&psl_once, psl_load);
	if (psl == NULL)
		return last_two_labels(d);
	/* NULL for a public suffix itself ("co.uk") or a bad name: the
	 * name is then its own organisational domain. */
	if ((r = psl_registrable_domain(psl, d)) == NULL)
		return d;
	return r;
}
