/* hdrs_date.c - RFC 5322 date-time parsing (section 3.3 and the obsolete
 * syntax of 4.3) with strict range checks; the result is UTC seconds. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

static const char *const months[12] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};

static const char *const days[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* Obsolete zone names of RFC 5322 4.3, in minutes. */
static const struct {
	const char	*name;
	int		 minutes;
} zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
};

static const char *
skip_ws(const char *p)
{
	return hx_skip_cfws(p);
}

/* 1..max digits into *v; NULL if none. */
static const char *
digits(const char *p, int max, int *v, int *ndig)
{
	int	 n = 0, i;

	for (i = 0; i < max && *p >= '0' && *p <= '9'; i++, p++)
		n = n * 10 + (*p - '0');
	if (i == 0 || (*p >= '0' && *p <= '9'))
		return NULL;
	*v = n;
	if (ndig != NULL)
		*ndig = i;
	return p;
}

static bool
alpha_word(const char *p, size_t *len)
{
	size_t	 n = 0;

	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
		n++;
	*len = n;
	return n > 0;
}

static int
month_index(const char *p, size_t n)
{
	int	 i;

	/* "Jun" and the full "June" are both seen in the wild. */
	if (n < 3)
		return -1;
	for (i = 0; i < 12; i++)
		if (strncasecmp(p, months[i], 3) == 0)
			return i;
	return -1;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};

	return m == 1 && is_leap(y) ? 29 : md[m];
}

static const char *
parse_zone(const char *p, int *tzmin)
{
	size_t	 n, i;
	int	 hh, mm, sign;

	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		for (i = 1; i <= 4; i++)
			if (p[i] < '0' || p[i] > '9')
				return NULL;
		if (p[5] >= '0' && p[5] <= '9')
			return NULL;
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		mm = (p[3] - '0') * 10 + (p[4] - '0');
		if (hh > 23 || mm > 59)
			return NULL;
		*tzmin = sign * (hh * 60 + mm);
		return p + 5;
	}
	if (!alpha_word(p, &n))
		return NULL;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strlen(zones[i].name) == n &&
		    strncasecmp(p, zones[i].name, n) == 0) {
			*tzmin = zones[i].minutes;
			return p + n;
		}
	/* Military letters: RFC 5322 says treat as -0000 (unknown). */
	if (n == 1 && p[0] != 'j' && p[0] != 'J') {
		*tzmin = 0;
		return p + 1;
	}
	return NULL;
}

int
hdr_parse_date(const char *s, time_t *t, int *tzmin)
{
	struct tm	 tm;
	const char	*p, *q;
	size_t		 n;
	int		 day, mon, year, hh, mi, ss = 0, tz = 0, nd, i;
	time_t		 v;

	if (s == NULL)
		return P_EINVAL;
	p = skip_ws(s);
	/* Optional day name, with or without its comma. */
	if (alpha_word(p, &n) && month_index(p, n) < 0) {
		for (i = 0; i < 7; i++)
			if (n >= 3 && strncasecmp(p, days[i], 3) == 0)
				break;
		if (i == 7)
			return P_EINVAL;
		p = skip_ws(p + n);
		if (*p == ',')
			p = skip_ws(p + 1);
	}
	if ((q = digits(p, 2, &day, NULL)) == NULL)
		return P_EINVAL;
	p = skip_ws(q);
	if (*p == '-')		/* "4-Jun-2024" (seen in old MTAs) */
		p++;
	if (!alpha_word(p, &n) || (mon = month_index(p, n)) < 0)
		return P_EINVAL;
	p = skip_ws(p + n);
	if (*p == '-')
		p++;
	if ((q = digits(p, 4, &year, &nd)) == NULL)
		return P_EINVAL;
	/* RFC 5322 4.3: two digits are 19xx from 50, else 20xx; three
	 * digits add 1900. */
	if (nd == 2)
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	p = skip_ws(q);
	if ((q = digits(p, 2, &hh, NULL)) == NULL || *q != ':')
		return P_EINVAL;
	if ((q = digits(q + 1, 2, &mi, NULL)) == NULL)
		return P_EINVAL;
	if (*q == ':' && (q = digits(q + 1, 2, &ss, NULL)) == NULL)
		return P_EINVAL;
	p = skip_ws(q);
	if ((q = parse_zone(p, &tz)) == NULL)
		return P_EINVAL;
	/* Only comments or white space may follow (e.g. "(CEST)"). */
	if (*skip_ws(q) != '\0')
		return P_EINVAL;
	if (year < 1970 || year > 9999 || day < 1 ||
	    day > month_days(year, mon) || hh > 23 || mi > 59 || ss > 60)
		return P_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mi;
	tm.tm_sec = ss == 60 ? 59 : ss;	/* a leap second */
	if ((v = timegm(&tm)) == (time_t)-1)
		return P_EINVAL;
	*t = v - (time_t)tz * 60;
	if (tzmin != NULL)
		*tzmin = tz;
	return P_OK;
}
