/* names.c - what may be looked up: domain names checked strictly before
 * any query, IP addresses in canonical form, and the reversed names of
 * reverse DNS and DNS blacklists. Pure. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"

#define DOMAIN_MAX	253
#define LABEL_MAX	63

/* The reason a name is not a domain, or NULL when it is one. */
static const char *
domain_problem(const char *s)
{
	const char	*label = s, *p;
	size_t		 len = strlen(s), labels = 0;
	bool		 digits_only = true;

	if (len == 0)
		return "the domain is empty";
	if (len > DOMAIN_MAX)
		return "the domain is longer than 253 characters";
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label)
				return "the domain has an empty label";
			if (p - label > LABEL_MAX)
				return "a label is longer than 63 characters";
			if (*label == '-' || p[-1] == '-')
				return "a label starts or ends with '-'";
			labels++;
			if (*p == '\0')
				break;
			label = p + 1;
			digits_only = true;
			continue;
		}
		if (*p >= 'a' && *p <= 'z')
			digits_only = false;
		else if (*p == '-')
			digits_only = false;
		else if (!(*p >= '0' && *p <= '9')) {
			if ((unsigned char)*p >= 0x80)
				return "write an internationalised domain "
				    "in its xn-- form";
			return "the domain has a character other than "
			    "letters, digits, '-' and '.'";
		}
	}
	if (labels < 2)
		return "the domain needs at least two labels (example.fr)";
	if (digits_only)
		return "this is an IP address, not a domain";
	return NULL;
}

bool
check_is_domain(const char *s)
{
	return s != NULL && domain_problem(s) == NULL;
}

int
check_domain_normalise(struct arena *a, const char *in, const char **out,
    const char **why)
{
	const char	*s, *e, *at;
	char		*d;
	size_t		 i, n;

	*out = NULL;
	*why = "the domain is empty";
	if (in == NULL)
		return P_EINVAL;
	/* An address (or "Name <user@domain>") gives its domain. */
	if ((at = strrchr(in, '@')) != NULL)
		in = at + 1;
	s = in;
	while (*s == ' ' || *s == '\t' || *s == '<')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '>' ||
	    e[-1] == '\r' || e[-1] == '\n'))
		e--;
	if (e > s && e[-1] == '.')
		e--;		/* the root's dot */
	n = (size_t)(e - s);
	if (n > DOMAIN_MAX + 1) {
		*why = "the domain is longer than 253 characters";
		return P_EINVAL;
	}
	if ((d = arena_strndup(a, s, n)) == NULL)
		return P_ENOMEM;
	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	if ((*why = domain_problem(d)) != NULL)
		return P_EINVAL;
	*out = d;
	return P_OK;
}

int
check_ip_normalise(struct arena *a, const char *in, const char **out,
    int *family)
{
	unsigned char	 b[16];
	char		 txt[INET6_ADDRSTRLEN];
	int		 fam;

	*out = NULL;
	if (in == NULL)
		return P_EINVAL;
	if (inet_pton(AF_INET, in, b) == 1) {
		fam = 4;
		/* 0/8, 127/8, multicast and reserved cannot send mail. */
		if (b[0] == 0 || b[0] == 127 || b[0] >= 224)
			return P_EINVAL;
		if (inet_ntop(AF_INET, b, txt, sizeof(txt)) == NULL)
			return P_EINVAL;
	} else if (inet_pton(AF_INET6, in, b) == 1) {
		static const unsigned char zero[16], one[16] = { [15] = 1 };

		fam = 6;
		if (memcmp(b, zero, 16) == 0 || memcmp(b, one, 16) == 0 ||
		    b[0] == 0xff)
			return P_EINVAL;
		if (inet_ntop(AF_INET6, b, txt, sizeof(txt)) == NULL)
			return P_EINVAL;
	} else
		return P_EINVAL;
	if ((*out = arena_strdup(a, txt)) == NULL)
		return P_ENOMEM;
	if (family != NULL)
		*family = fam;
	return P_OK;
}

char *
check_reverse_name(struct arena *a, const char *ip, const char *zone)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 b[16];
	char		 rev[80], *p;
	int		 i;

	if (inet_pton(AF_INET, ip, b) == 1) {
		if (zone == NULL)
			zone = "in-addr.arpa";
		return arena_printf(a, "%u.%u.%u.%u.%s", b[3], b[2], b[1],
		    b[0], zone);
	}
	if (inet_pton(AF_INET6, ip, b) != 1)
		return NULL;
	if (zone == NULL)
		zone = "ip6.arpa";
	/* 32 nibbles, lowest first (RFC 3596 2.5, RFC 5782 2.4). */
	for (i = 15, p = rev; i >= 0; i--) {
		*p++ = hex[b[i] & 0x0f];
		*p++ = '.';
		*p++ = hex[b[i] >> 4];
		*p++ = '.';
	}
	*p = '\0';
	return arena_printf(a, "%s%s", rev, zone);
}

bool
check_zone_is_domain_list(const char *zone)
{
	return strncmp(zone, "dbl.", 4) == 0 || strstr(zone, ".dbl.") !=
	    NULL || strstr(zone, "uribl") != NULL || strstr(zone, "surbl") !=
	    NULL || strncmp(zone, "dom.", 4) == 0;
}
