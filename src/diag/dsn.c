/* dsn.c - RFC 3464 delivery-status field groups: one block for each
 * recipient group, the reporting MTA, and the MTAs' own extra fields
 * (PowerMTA's bounce category). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "diag_int.h"


/* A line that introduces the returned original ("----- Original message
 * -----", "------ This is a copy of the message..."). */
static bool
is_original_start(const char *p, size_t len)
{
	static const char *const marks[] = {
		"original message", "copy of the message",
		"copy of your message", "returned message", "unsent message",
		"undelivered message", "forwarded message", NULL
	};
	size_t	 i;

	if (len < 4 || (p[0] != '-' && p[0] != '*' && p[0] != '='))
		return false;
	for (i = 0; marks[i] != NULL; i++)
		if (txt_memcasestr(p, len, marks[i]) != NULL)
			return true;
	return false;
}

static const char *
after_type(const char *v)
{
	const char	*semi = strchr(v, ';');

	if (semi != NULL && semi - v < 16) {
		v = semi + 1;
		while (*v == ' ' || *v == '\t')
			v++;
	}
	return v;
}

/* "smtp; 550 ..." -> "SMTP": the type word before the semicolon, upper
 * case, or NULL when there is none. */
static const char *
diag_type(struct arena *a, const char *v)
{
	const char	*semi = strchr(v, ';');
	char		*t;
	size_t		 i, n;

	if (semi == NULL || semi - v >= 16 || semi == v)
		return NULL;
	n = (size_t)(semi - v);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return NULL;
	if ((t = arena_strndup(a, v, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		t[i] = (char)toupper((unsigned char)t[i]);
	return t;
}

static bool
group_empty(const struct block *b)
{
	return b->recipient == NULL && b->action == NULL &&
	    b->dsn_status == NULL && b->diagnostic == NULL;
}

static void
group_commit(struct scan *sc, struct block *g)
{
	struct block	*b;

	if (g->recipient != NULL && (b = scan_add(sc)) != NULL)
		*b = *g;
	memset(g, 0, sizeof(*g));
}

/* PowerMTA's own bounce categories (X-PowerMTA-BounceCategory). */
static const char *
pmta_category(const char *v)
{
	static const struct {
		const char	*cat, *reason;
	} map[] = {
		{ "bad-mailbox", "userunknown" },
		{ "bad-domain", "hostunknown" },
		{ "inactive-mailbox", "suspend" },
		{ "quota-issues", "mailboxfull" },
		{ "message-expired", "expired" },
		{ "invalid-sender", "rejected" },
		{ "relaying-issues", "norelaying" },
		{ "spam-related", "spamdetected" },
		{ "virus-related", "virusdetected" },
		{ "policy-related", "policyviolation" },
		{ "routing-errors", "networkerror" },
		{ "no-answer-from-host", "networkerror" },
		{ "bad-connection", "networkerror" },
		{ "content-related", "contenterror" },
		{ "protocol-errors", "syntaxerror" },
		{ NULL, NULL }
	};
	size_t	 i;

	while (*v == ' ')
		v++;
	for (i = 0; map[i].cat != NULL; i++)
		if (strncasecmp(v, map[i].cat, strlen(map[i].cat)) == 0)
			return map[i].reason;
	return NULL;
}

/* Takes the field on one (unfolded) line. */
static void
dsn_field(struct scan *sc, struct block *g, const char *name, const char *v,
    bool *orig_only)
{
	struct arena	*a = sc->arena;

	if (strcasecmp(name, "final-recipient") == 0) {
		if (g->recipient != NULL && !*orig_only)
			group_commit(sc, g);
		g->recipient = txt_first_addr(a, v, strlen(v));
		*orig_only = false;
	} else if (strcasecmp(name, "original-recipient") == 0 ||
	    strcasecmp(name, "x-actual-recipient") == 0) {
		if (g->recipient == NULL) {
			g->recipient = txt_first_addr(a, v, strlen(v));
			*orig_only = true;
		}
	} else if (strcasecmp(name, "action") == 0) {
		char *act = txt_one_line(a, v, strlen(v), 32), *p;

		if (act != NULL) {
			for (p = act; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
			if ((p = strchr(act, ' ')) != NULL)
				*p = '\0';
		}
		g->action = act;
	} else if (strcasecmp(name, "status") == 0)
		g->dsn_status = txt_one_line(a, v, strlen(v), 16);
	else if (strcasecmp(name, "remote-mta") == 0)
		g->remote_mta = txt_one_line(a, after_type(v),
		    strlen(after_type(v)), 255);
	else if (strcasecmp(name, "diagnostic-code") == 0) {
		g->diagnostic = txt_one_line(a, after_type(v),
		    strlen(after_type(v)), DIAG_MAX_DIAG);
		g->diagtype = diag_type(a, v);
	}
	else if (strcasecmp(name, "last-attempt-date") == 0)
		g->date = txt_one_line(a, v, strlen(v), 64);
	else if (strcasecmp(name, "x-powermta-bouncecategory") == 0) {
		g->mta_reason = pmta_category(v);
		g->mta_reason_why = "x-powermta-bouncecategory";
	}
	else if (strcasecmp(name, "reporting-mta") == 0)
		sc->reporting_mta = txt_one_line(a, after_type(v),
		    strlen(after_type(v)), 255);
}

static bool
is_dsn_name(const char *n)
{
	static const char *const names[] = {
		"final-recipient", "original-recipient", "action", "status",
		"remote-mta", "diagnostic-code", "last-attempt-date",
		"reporting-mta", "x-actual-recipient", "will-retry-until",
		"arrival-date", "received-from-mta", "x-postfix-queue-id",
		"x-postfix-sender", "original-envelope-id", "dsn-gateway",
		"x-powermta-bouncecategory",
		"x-display-name", "x-supplementary-info", NULL
	};
	size_t	 i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(n, names[i]) == 0)
			return true;
	return false;
}

int
text_scan_dsn(struct scan *sc, const char *s, size_t len)
{
	struct block	 g;
	struct txt_line	 l;
	size_t		 pos = 0, vlen, nlen;
	char		 name[40];
	char		*v;
	const char	*colon;
	bool		 orig_only = false;
	size_t		 fields = 0, before = sc->nblk;

	s = txt_jis_decode(sc->arena, s, len, &len);
	memset(&g, 0, sizeof(g));
	while (txt_next_line(s, len, &pos, &l)) {
		/* The returned message may quote a DSN of its own (a bounce
		 * forwarded to support): the report ends where it starts. */
		if (sc->nblk > before && is_original_start(l.p, l.len))
			break;
		if (l.len == 0 || (l.len == 1 && l.p[0] == ' ')) {
			if (g.recipient != NULL)
				group_commit(sc, &g);
			else if (!group_empty(&g))
				memset(&g, 0, sizeof(g));
			orig_only = false;
			continue;
		}
		colon = memchr(l.p, ':', l.len);
		if (colon == NULL || l.p[0] == ' ' || l.p[0] == '\t')
			continue;
		nlen = (size_t)(colon - l.p);
		if (nlen == 0 || nlen >= sizeof(name))
			continue;
		memcpy(name, l.p, nlen);
		name[nlen] = '\0';
		if (!is_dsn_name(name))
			continue;
		fields++;
		/* Unfold the continuation lines. */
		vlen = l.len - nlen - 1;
		{
			size_t		 p2 = pos, end = pos;
			struct txt_line	 c;

			while (txt_next_line(s, len, &p2, &c) && c.len > 0 &&
			    (c.p[0] == ' ' || c.p[0] == '\t') &&
			    memchr(c.p, ':', c.len < 3 ? c.len : 3) == NULL)
				end = p2;
			if (end > pos)
				vlen = (size_t)(s + end - (colon + 1));
			pos = end;
		}
		v = txt_one_line(sc->arena, colon + 1, vlen,
		    DIAG_MAX_DIAG + 64);
		if (v == NULL)
			return P_ENOMEM;
		dsn_field(sc, &g, name, v, &orig_only);
	}
	if (g.recipient != NULL)
		group_commit(sc, &g);
	if (fields > 0 && sc->nblk == before)
		sc->empty_report = true;
	return P_OK;
}
