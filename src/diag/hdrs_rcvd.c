/* hdrs_rcvd.c - the Received: chain: each hop's from / by / with / id /
 * for clauses and date, oldest hop first, and the delays between hops in
 * UTC with clock skew and time-zone slips shown instead of hidden. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "bouncedesk/hdrs.h"
#include "hdrs_int.h"

#define SLIP_WALL_MAX	(15 * 60)	/* wall clocks this close: same time */
#define SLIP_NEAR	(15 * 60)	/* "close to N hours" */
#define SLIP_PAIR	(30 * 60)	/* a jump and its undoing cancel out */
#define SLIP_DAY_HOURS	20		/* lone positive jumps from here on */

enum clause { CL_NONE, CL_FROM, CL_BY, CL_VIA, CL_WITH, CL_ID, CL_FOR,
    CL_TLS };

static const struct {
	const char	*word;
	enum clause	 cl;
} keywords[] = {
	{ "from", CL_FROM }, { "by", CL_BY }, { "via", CL_VIA },
	{ "with", CL_WITH }, { "id", CL_ID }, { "for", CL_FOR },
	{ "tls", CL_TLS },
};

static enum clause
keyword(const char *w, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == n &&
		    strncasecmp(w, keywords[i].word, n) == 0)
			return keywords[i].cl;
	return CL_NONE;
}

/* An address literal or bare address, cleaned: "[IPv6:2001:db8::1]",
 * "(1.2.3.4)" and "1.2.3.4." all give the address. */
static char *
clean_ip(struct hctx *h, const char *w, size_t n)
{
	while (n > 0 && (*w == '[' || *w == '(')) {
		w++;
		n--;
	}
	while (n > 0 && (w[n - 1] == ']' || w[n - 1] == ')' ||
	    w[n - 1] == '.' || w[n - 1] == ','))
		n--;
	if (n > 5 && strncasecmp(w, "IPv6:", 5) == 0) {
		w += 5;
		n -= 5;
	}
	return hx_is_ip(w, n) ? hx_strndup(h, w, n) : NULL;
}

static char *
clean_host(struct hctx *h, const char *w, size_t n)
{
	while (n > 0 && (w[n - 1] == '.' || w[n - 1] == ',' ||
	    w[n - 1] == ')'))
		n--;
	return n > 0 ? hx_strndup(h, w, n) : NULL;
}

/* The comment after "from": reverse name, address, HELO name. */
static void
from_comment(struct hctx *h, struct hdr_hop *hop, const char *c, size_t n,
    const char **helo)
{
	const char	*p = c, *end = c + n, *w;
	char		*ip;
	size_t		 wl;
	bool		 want_helo = false;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '(' ||
		    *p == ')'))
			p++;
		for (w = p; p < end && *p != ' ' && *p != '\t' && *p != '(' &&
		    *p != ')'; p++)
			;
		if ((wl = (size_t)(p - w)) == 0)
			continue;
		if (want_helo) {
			*helo = clean_host(h, w, wl);
			want_helo = false;
		} else if (wl == 4 && strncasecmp(w, "helo", 4) == 0)
			want_helo = true;
		else if (wl > 5 && strncasecmp(w, "helo=", 5) == 0)
			*helo = clean_host(h, w + 5, wl - 5);
		else if ((ip = clean_ip(h, w, wl)) != NULL) {
			if (hop->from_ip == NULL)
				hop->from_ip = ip;
		} else if (hop->from_rdns == NULL && hop->from_ip == NULL &&
		    (memchr(w, '.', wl) != NULL ||
		    (wl == 7 && strncasecmp(w, "unknown", 7) == 0)) &&
		    memchr(w, '=', wl) == NULL && memchr(w, '@', wl) == NULL)
			hop->from_rdns = clean_host(h, w, wl);
	}
}

static void
by_comment(struct hctx *h, struct hdr_hop *hop, const char *c, size_t n)
{
	const char	*p = c, *end = c + n, *w;
	char		*ip;

	while (p < end && hop->by_ip == NULL) {
		while (p < end && (*p == ' ' || *p == '(' || *p == ')'))
			p++;
		for (w = p; p < end && *p != ' ' && *p != ')'; p++)
			;
		if (p > w && (ip = clean_ip(h, w, (size_t)(p - w))) != NULL)
			hop->by_ip = ip;
	}
}

/* Length of a comment starting at p (nested, with quoted pairs). */
static size_t
comment_len(const char *p)
{
	const char	*s = p;
	int		 depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return (size_t)(p + 1 - s);
	}
	return (size_t)(p - s);
}

static void
set_value(struct hctx *h, struct hdr_hop *hop, enum clause cl,
    const char *w, size_t n)
{
	char	*ip;

	switch (cl) {
	case CL_FROM:
		hop->from = clean_host(h, w, n);
		if ((ip = clean_ip(h, w, n)) != NULL)
			hop->from_ip = ip;
		break;
	case CL_BY:
		hop->by = clean_host(h, w, n);
		if ((ip = clean_ip(h, w, n)) != NULL)
			hop->by_ip = ip;
		break;
	case CL_WITH:
		hop->with = hx_strndup(h, w, n);
		break;
	case CL_ID:
		hop->id = clean_host(h, w, n);
		break;
	case CL_FOR:
		while (n > 0 && *w == '<')
			w++, n--;
		while (n > 0 && (w[n - 1] == '>' || w[n - 1] == ','))
			n--;
		hop->for_addr = hx_strndup(h, w, n);
		break;
	case CL_TLS:
		hop->tls = hx_strndup(h, w, n);
		break;
	default:
		break;
	}
}

static bool
has_tls(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i + 3 <= n; i++)
		if (strncasecmp(p + i, "tls", 3) == 0)
			return true;
	return false;
}

static void
parse_hop(struct hctx *h, struct hdr_hop *hop, const char *v)
{
	const char	*semi, *p, *end, *w, *helo = NULL, *lead = NULL;
	enum clause	 cl = CL_NONE, k;
	size_t		 n, leadn = 0;
	bool		 want = false, any = false;

	hop->raw = v;
	semi = strrchr(v, ';');
	end = semi != NULL ? semi : v + strlen(v);
	if (semi != NULL) {
		hop->date_raw = hx_strndup(h, semi + 1 + strspn(semi + 1,
		    " \t"), strlen(semi + 1 + strspn(semi + 1, " \t")));
		hop->has_time = hdr_parse_date(semi + 1, &hop->time,
		    &hop->tz_minutes) == P_OK;
	}
	for (p = v; p < end;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		if (*p == '(') {
			n = comment_len(p);
			if ((size_t)(end - p) < n)
				n = (size_t)(end - p);
			if (cl == CL_FROM)
				from_comment(h, hop, p, n, &helo);
			else if (cl == CL_BY)
				by_comment(h, hop, p, n);
			else if (hop->tls == NULL && n > 2 && has_tls(p, n))
				hop->tls = hx_strndup(h, p + 1, n - 2);
			else if (cl == CL_NONE && lead == NULL) {
				lead = p;
				leadn = n;
			}
			p += n;
			continue;
		}
		for (w = p; p < end && *p != ' ' && *p != '\t' && *p != '(';
		    p++)
			if (*p == '[')	/* an address literal is one word */
				while (p + 1 < end && *p != ']')
					p++;
		n = (size_t)(p - w);
		if ((k = keyword(w, n)) != CL_NONE && !(want && k == CL_TLS)) {
			cl = k;
			want = true;
			any = true;
		} else if (want) {
			set_value(h, hop, cl, w, n);
			want = false;
		} else if (cl == CL_WITH && hop->with != NULL && n > 0) {
			/* "with Microsoft SMTP Server": several words. */
			hop->with = hx_printf(h, "%s %.*s", hop->with, (int)n,
			    w);
		}
	}
	if (helo != NULL) {
		if (hop->from_rdns == NULL && hop->from != NULL &&
		    hop->from_ip == NULL)
			hop->from_rdns = hop->from;
		else if (hop->from_rdns == NULL && hop->from != NULL &&
		    !hx_is_ip(hop->from, strlen(hop->from)))
			hop->from_rdns = hop->from;
		hop->from = helo;
	}
	if (!any) {		/* qmail: "(qmail 1234 invoked by uid 89)" */
		for (p = v; p < end && (*p == ' ' || *p == '('); p++)
			;
		while (end > p && (end[-1] == ' ' || end[-1] == ')'))
			end--;
		hop->comment = hx_strndup(h, p, (size_t)(end - p));
	} else if (lead != NULL && leadn > 2)	/* "(from user@localhost)" */
		hop->comment = hx_strndup(h, lead + 1, leadn - 2);
}

static long
round_hours(long d)
{
	return d >= 0 ? (d + 1800) / 3600 : -((-d + 1800) / 3600);
}

static void
set_corrected(struct hdr_hop *hop, long d, long hours)
{
	long	 c = d - hours * 3600;

	hop->tz_artifact = hours != 0;
	hop->tz_artifact_hours = (int)hours;
	if (c >= 0) {
		hop->has_delay = true;
		hop->delay = c;
	} else {
		hop->skew = true;
		hop->skew_seconds = -c;
	}
}

static void
compute_delays(struct hctx *h)
{
	struct hdr_report *r = h->r;
	long	*diff;
	size_t	*prev, i, j, last = (size_t)-1;
	bool	*done;
	long	 d, wd, hrs, nx;

	/* prev[i]: the previous hop with a time; diff[i]: seconds since. */
	diff = arena_calloc(h->a, r->nhops, sizeof(*diff));
	prev = arena_calloc(h->a, r->nhops, sizeof(*prev));
	done = arena_calloc(h->a, r->nhops, sizeof(*done));
	if (diff == NULL || prev == NULL || done == NULL) {
		h->err = P_ENOMEM;
		return;
	}
	for (i = 0; i < r->nhops; i++) {
		prev[i] = (size_t)-1;
		if (!r->hops[i].has_time)
			continue;
		if (last != (size_t)-1) {
			prev[i] = last;
			diff[i] = (long)(r->hops[i].time - r->hops[last].time);
		}
		last = i;
	}
	/* 1: the same wall-clock time written under another zone. */
	for (i = 0; i < r->nhops; i++) {
		if ((j = prev[i]) == (size_t)-1)
			continue;
		if (r->hops[i].tz_minutes == r->hops[j].tz_minutes)
			continue;
		wd = diff[i] + (long)(r->hops[i].tz_minutes -
		    r->hops[j].tz_minutes) * 60;
		if (labs(wd) > SLIP_WALL_MAX || labs(diff[i]) < 3000)
			continue;
		set_corrected(&r->hops[i], diff[i], round_hours(diff[i] - wd));
		done[i] = true;
	}
	/* 2: one clock N hours off: a jump undone at the next hop. */
	for (i = 0; i < r->nhops; i++) {
		if (prev[i] == (size_t)-1 || done[i])
			continue;
		hrs = round_hours(diff[i]);
		if (hrs == 0 || labs(diff[i] - hrs * 3600) > SLIP_NEAR)
			continue;
		for (j = i + 1; j < r->nhops && prev[j] != i; j++)
			;
		if (j >= r->nhops || done[j])
			continue;
		nx = diff[j];
		if (labs(diff[i] + nx) > SLIP_PAIR)
			continue;
		set_corrected(&r->hops[i], diff[i], hrs);
		set_corrected(&r->hops[j], nx, -hrs);
		done[i] = done[j] = true;
	}
	/* 3: the rest; a lone jump back by whole hours, or forward by about
	 * a day, is a zone or date slip rather than a real delay. */
	for (i = 0; i < r->nhops; i++) {
		if (prev[i] == (size_t)-1 || done[i])
			continue;
		d = diff[i];
		hrs = round_hours(d);
		if (hrs != 0 && labs(d - hrs * 3600) <= SLIP_NEAR &&
		    (hrs < 0 || hrs >= SLIP_DAY_HOURS))
			set_corrected(&r->hops[i], d, hrs);
		else
			set_corrected(&r->hops[i], d, 0);
	}
	for (i = 0; i < r->nhops; i++) {
		if (r->hops[i].has_delay) {
			r->has_total_delay = true;
			r->total_delay += r->hops[i].delay;
		}
		if (r->hops[i].skew || r->hops[i].tz_artifact)
			r->any_skew = true;
	}
}

void
hdr_do_received(struct hctx *h)
{
	struct hdr_report	*r = h->r;
	size_t			 i, n = 0, cap = 0;
	struct hdr_hop		*hop;

	/* Received fields are prepended: the last one is the oldest. */
	for (i = r->nfields; i-- > 0;) {
		if (!hx_ieq(r->fields[i].name, "received"))
			continue;
		hop = hx_push(h, &r->hops, &n, &cap, sizeof(*hop),
		    HDR_MAX_HOPS);
		if (hop == NULL)
			break;
		r->nhops = n;
		parse_hop(h, hop, r->fields[i].value);
	}
	r->nhops = n;
	if (n > 1)
		compute_delays(h);
}
