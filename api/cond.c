/* api/cond.c - ETag / If-Match for blocks and requests, and the `since`
 * filter of lists. The tag hashes what a client must have seen before it
 * may change a row: its id, its state and its updated time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/cond.h"
#include "bouncedesk/err.h"
#include "bouncedesk/http.h"
#include "bouncedesk/unblock.h"

#define TAG_BYTES	12	/* 96 bits of BLAKE2b: no collisions in practice */

static const char *
etag(struct arena *a, char kind, long long id, const char *state,
    long long updated)
{
	unsigned char	 h[TAG_BYTES];
	char		 hex[TAG_BYTES * 2 + 1];
	char		 in[128];
	int		 n;

	n = snprintf(in, sizeof(in), "%c|%lld|%s|%lld", kind, id,
	    state != NULL ? state : "", updated);
	if (n < 0 || (size_t)n >= sizeof(in))
		return NULL;
	crypto_generichash(h, sizeof(h), (const unsigned char *)in, (size_t)n,
	    NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return arena_printf(a, "\"%c%lld-%s\"", kind, id, hex);
}

const char *
cond_etag_block(struct arena *a, const struct ub_block *b)
{
	return etag(a, 'b', b->id, ub_block_state_name(b->state),
	    b->updated_at);
}

const char *
cond_etag_request(struct arena *a, const struct ub_request *r)
{
	return etag(a, 'r', r->id, ub_req_state_name(r->state), r->updated_at);
}

bool
cond_if_match(const struct request *req, const char *tag)
{
	const char	*h, *p, *end;
	size_t		 tlen, n;

	if ((h = req->header(req, "If-Match")) == NULL)
		return true;
	tlen = tag != NULL ? strlen(tag) : 0;
	for (p = h; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && p[0] == '*')
			return true;
		if (tlen > 0 && n == tlen && memcmp(p, tag, n) == 0)
			return true;
	}
	return false;
}

/* Digits of exactly n characters at s into *v. */
static bool
digits(const char *s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static int
iso_parse(const char *s, long long *out)
{
	struct tm	 tm;
	time_t		 t;
	int		 y, mo, d, hh = 0, mi = 0, ss = 0, oh, om, off = 0;
	const char	*p;

	if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
		return P_EINVAL;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (!digits(p + 1, 2, &hh) || p[3] != ':' ||
		    !digits(p + 4, 2, &mi))
			return P_EINVAL;
		p += 6;
		if (*p == ':') {
			if (!digits(p + 1, 2, &ss))
				return P_EINVAL;
			p += 3;
			if (*p == '.')	/* fractions of a second: dropped */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-' || *p == ' ') {
			/* ' ': a '+' that a query string decoded. */
			if (!digits(p + 1, 2, &oh) || p[3] != ':' ||
			    !digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return P_EINVAL;
			off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
			p += 6;
		} else
			return P_EINVAL;	/* a time needs its zone */
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 ||
	    mi > 59 || ss > 60)
		return P_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mi;
	tm.tm_sec = ss;
	if ((t = timegm(&tm)) == (time_t)-1)
		return P_EINVAL;
	/* timegm normalises 2024-02-30 into March: refuse it. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return P_EINVAL;
	*out = (long long)t - off;
	return P_OK;
}

int
cond_since_parse(const char *s, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return P_EINVAL;
	if (strspn(s, "0123456789") != strlen(s))
		return iso_parse(s, out);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return P_EINVAL;
	*out = v;
	return P_OK;
}
