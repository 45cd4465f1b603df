/* text.c - bounce text without MIME: normalise what webmail did to it,
 * read RFC 3464 field groups, cut the human part into per-recipient blocks
 * and pull the code, status, host and SMTP phase out of each block. */
#include <ctype.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "diag_int.h"

#define HUMAN_MAX_BLOCKS	DIAG_MAX_RCPT
#define PREAMBLE_MAX		1024

static bool	is_code_at(const char *, size_t, size_t);

/* Where "ESC $" starts in s, or NULL. */
static const char *
memmem_esc(const char *s, size_t len)
{
	const char	*p = s, *end = s + len;

	while (p + 1 < end && (p = memchr(p, 0x1b, (size_t)(end - p) - 1)) !=
	    NULL) {
		if (p[1] == '$')
			return p;
		p++;
	}
	return NULL;
}

static bool
is_qp_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static int
hexval(int c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

/* Counts quoted-printable traces: a soft break or an encoded blank. */
static bool
looks_qp(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i + 2 < len && n < 3; i++)
		if (s[i] == '=' && (s[i + 1] == '\n' || s[i + 1] == '\r' ||
		    (s[i + 1] == '2' && s[i + 2] == '0') ||
		    (s[i + 1] == '3' && s[i + 2] == 'D') ||
		    (s[i + 1] == '0' && s[i + 2] == '9')))
			n++;
	return n >= 2;
}

/* ISO-2022-JP escapes left in 7-bit text (Japanese bounces, DSN fields
 * nobody decoded): each "ESC $ B ... ESC ( B" run becomes UTF-8. Returns
 * s itself when there is none. */
static const char *
jis_decode(struct arena *a, const char *s, size_t len, size_t *outlen)
{
	const char	*p = s, *end = s + len, *e;
	char		*o, *op, *in;
	size_t		 n = 0, il, ol;
	iconv_t		 cd;

	*outlen = len;
	if (memmem_esc(s, len) == NULL)
		return s;
	if ((cd = iconv_open("UTF-8", "ISO-2022-JP")) == (iconv_t)-1)
		return s;
	/* UTF-8 takes at most 3 bytes for a 2-byte JIS character. */
	if ((o = arena_alloc(a, len * 2 + 1)) == NULL) {
		iconv_close(cd);
		return s;
	}
	while (p < end) {
		if (end - p >= 3 && p[0] == 0x1b && p[1] == '$' &&
		    (p[2] == 'B' || p[2] == '@')) {
			for (e = p + 3; e < end && !(e[0] == 0x1b &&
			    e + 2 < end && e[1] == '('); e++)
				;
			if (e < end)
				e += 3;
			in = (char *)(uintptr_t)p;
			il = (size_t)(e - p);
			op = o + n;
			ol = len * 2 - n;
			(void)iconv(cd, NULL, NULL, NULL, NULL);
			if (iconv(cd, &in, &il, &op, &ol) == (size_t)-1) {
				/* Undecodable: keep the bytes. */
				memcpy(o + n, p, (size_t)(e - p));
				n += (size_t)(e - p);
			} else
				n = (size_t)(op - o);
			p = e;
			continue;
		}
		o[n++] = *p++;
	}
	o[n] = '\0';
	iconv_close(cd);
	*outlen = n;
	return o;
}

/* CRLF to LF, NUL to blank, and quoted-printable leftovers undone when the
 * text carries enough of them. */
char *
text_normalise(struct arena *a, const char *s, size_t len, size_t *outlen)
{
	char	*o;
	size_t	 i, n = 0;
	bool	 qp;

	if ((o = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	qp = looks_qp(s, len);
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\r') {
			if (i + 1 < len && s[i + 1] == '\n')
				continue;
			c = '\n';
		}
		if (qp && c == '=' && i + 1 < len) {
			if (s[i + 1] == '\n') {
				i++;
				continue;
			}
			if (s[i + 1] == '\r' && i + 2 < len &&
			    s[i + 2] == '\n') {
				i += 2;
				continue;
			}
			if (i + 2 < len && is_qp_hex(s[i + 1]) &&
			    is_qp_hex(s[i + 2])) {
				o[n++] = (char)(hexval(s[i + 1]) * 16 +
				    hexval(s[i + 2]));
				i += 2;
				continue;
			}
		}
		o[n++] = c == '\0' ? ' ' : c;
	}
	o[n] = '\0';
	*outlen = n;
	if (memmem_esc(o, n) != NULL)
		return (char *)(uintptr_t)jis_decode(a, o, n, outlen);
	return o;
}

/* ---------------------------------------------------------- lines --- */

struct line {
	const char	*p;
	size_t		 len;
};

static bool
next_line(const char *s, size_t len, size_t *pos, struct line *l)
{
	const char	*nl;

	if (*pos >= len)
		return false;
	l->p = s + *pos;
	nl = memchr(l->p, '\n', len - *pos);
	l->len = nl != NULL ? (size_t)(nl - l->p) : len - *pos;
	*pos += l->len + (nl != NULL ? 1 : 0);
	return true;
}

static bool
starts_ci(const char *p, size_t len, const char *w)
{
	size_t	 n = strlen(w);

	return len >= n && strncasecmp(p, w, n) == 0;
}

/* Case-insensitive search for an ASCII needle: memchr on both cases of
 * the first byte, then strncasecmp. */
static const char *
memcasestr(const char *h, size_t hlen, const char *n)
{
	size_t		 nlen = strlen(n);
	const char	*p = h, *end = h + hlen, *a, *b;
	int		 lo, up;

	if (nlen == 0 || hlen < nlen)
		return NULL;
	lo = tolower((unsigned char)n[0]);
	up = toupper((unsigned char)n[0]);
	while ((size_t)(end - p) >= nlen) {
		a = memchr(p, lo, (size_t)(end - p) - nlen + 1);
		b = lo == up ? NULL :
		    memchr(p, up, (size_t)((a != NULL ? a : end - nlen + 1) - p));
		if (b != NULL)
			a = b;
		if (a == NULL)
			return NULL;
		if (strncasecmp(a, n, nlen) == 0)
			return a;
		p = a + 1;
	}
	return NULL;
}

/* Copies s into the arena on one line: newlines and runs of blanks become
 * one space; at most max bytes. */
static char *
one_line(struct arena *a, const char *s, size_t len, size_t max)
{
	char	*o;
	size_t	 i, n = 0;
	bool	 sp = true;

	if ((o = arena_alloc(a, (len < max ? len : max) + 1)) == NULL)
		return NULL;
	for (i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			if (!sp)
				o[n++] = ' ';
			sp = true;
			continue;
		}
		o[n++] = (char)c;
		sp = false;
	}
	while (n > 0 && o[n - 1] == ' ')
		n--;
	o[n] = '\0';
	return o;
}

static bool
is_addr_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '+' ||
	    c == '=' || c == '\'' || c == '/' || c == '%' || c == '!' ||
	    c == '#' || c == '$' || c == '&' || c == '*' || c == '?' ||
	    c == '^' || c == '`' || c == '{' || c == '}' || c == '|' ||
	    c == '~' || c >= 0x80;
}

static bool
is_host_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c >= 0x80;
}

/* If an address starts at p, returns its length. */
static size_t
addr_at(const char *p, size_t len)
{
	size_t	 i = 0, at, dots = 0;

	while (i < len && is_addr_char((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= len || p[i] != '@')
		return 0;
	at = i++;
	while (i < len && is_host_char((unsigned char)p[i])) {
		if (p[i] == '.')
			dots++;
		i++;
	}
	while (i > at + 1 && p[i - 1] == '.') {
		i--;
		dots--;
	}
	if (i == at + 1 || (dots == 0 && strncasecmp(p + at + 1,
	    "localhost", 9) != 0 && i - at - 1 < 2))
		return 0;
	return i;
}

static char *
addr_dup(struct arena *a, const char *p, size_t n)
{
	char	*s;
	size_t	 i;

	if ((s = arena_strndup(a, p, n)) == NULL)
		return NULL;
	/* Domains are case-insensitive; keep the local part as written. */
	for (i = 0; s[i] != '\0' && s[i] != '@'; i++)
		;
	for (; s[i] != '\0'; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

/* Finds the first address in s (skipping "type;" and brackets). */
static char *
first_addr(struct arena *a, const char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i++) {
		if (i > 0 && is_addr_char((unsigned char)s[i - 1]))
			continue;
		if ((n = addr_at(s + i, len - i)) > 0)
			return addr_dup(a, s + i, n);
	}
	return NULL;
}

/* ------------------------------------------------------ DSN groups --- */

/* A line that introduces the returned original ("----- Original message
 * -----", "------ This is a copy of the message..."). */
static bool
is_original_start(const char *p, size_t len)
{
	static const char *const marks[] = {
		"original message", "copy of the message", "copy of your message",
		"returned message", "unsent message", "undelivered message",
		"forwarded message", NULL
	};
	size_t	 i;

	if (len < 4 || (p[0] != '-' && p[0] != '*' && p[0] != '='))
		return false;
	for (i = 0; marks[i] != NULL; i++)
		if (memcasestr(p, len, marks[i]) != NULL)
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
		g->recipient = first_addr(a, v, strlen(v));
		*orig_only = false;
	} else if (strcasecmp(name, "original-recipient") == 0 ||
	    strcasecmp(name, "x-actual-recipient") == 0) {
		if (g->recipient == NULL) {
			g->recipient = first_addr(a, v, strlen(v));
			*orig_only = true;
		}
	} else if (strcasecmp(name, "action") == 0) {
		char *act = one_line(a, v, strlen(v), 32), *p;

		if (act != NULL) {
			for (p = act; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
			if ((p = strchr(act, ' ')) != NULL)
				*p = '\0';
		}
		g->action = act;
	} else if (strcasecmp(name, "status") == 0)
		g->dsn_status = one_line(a, v, strlen(v), 16);
	else if (strcasecmp(name, "remote-mta") == 0)
		g->remote_mta = one_line(a, after_type(v),
		    strlen(after_type(v)), 255);
	else if (strcasecmp(name, "diagnostic-code") == 0) {
		g->diagnostic = one_line(a, after_type(v),
		    strlen(after_type(v)), DIAG_MAX_DIAG);
		g->diagtype = diag_type(a, v);
	}
	else if (strcasecmp(name, "last-attempt-date") == 0)
		g->date = one_line(a, v, strlen(v), 64);
	else if (strcasecmp(name, "x-powermta-bouncecategory") == 0) {
		g->mta_reason = pmta_category(v);
		g->mta_reason_why = "x-powermta-bouncecategory";
	}
	else if (strcasecmp(name, "reporting-mta") == 0)
		sc->reporting_mta = one_line(a, after_type(v),
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
	struct line	 l;
	size_t		 pos = 0, vlen, nlen;
	char		 name[40];
	char		*v;
	const char	*colon;
	bool		 orig_only = false;
	size_t		 fields = 0, before = sc->nblk;

	s = jis_decode(sc->arena, s, len, &len);
	memset(&g, 0, sizeof(g));
	while (next_line(s, len, &pos, &l)) {
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
			struct line	 c;

			while (next_line(s, len, &p2, &c) && c.len > 0 &&
			    (c.p[0] == ' ' || c.p[0] == '\t') &&
			    memchr(c.p, ':', c.len < 3 ? c.len : 3) == NULL)
				end = p2;
			if (end > pos)
				vlen = (size_t)(s + end - (colon + 1));
			pos = end;
		}
		v = one_line(sc->arena, colon + 1, vlen, DIAG_MAX_DIAG + 64);
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

/* ------------------------------------------------- human blocks --- */

/* Does this line end the human part (the returned message or the
 * machine-readable part begins)? */
static bool
is_region_end(const char *p, size_t len)
{
	static const char *const fields[] = {
		"reporting-mta:", "final-recipient:", "original-recipient:",
		"return-path:", "received: from", "x-postfix-queue-id:",
		"arrival-date:", "content-type: message/", "dkim-signature:",
		"authentication-results:", NULL
	};
	static const char *const marks[] = {
		"original message", "copy of the message", "copy of your message",
		"unsent message", "returned message", "message follows",
		"headers follow", "header follows", "header of the original",
		"original headers", "below this line", "rfc822",
		"message header", "undelivered message", "headers of your",
		"message was", NULL
	};
	size_t	 i;

	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	for (i = 0; fields[i] != NULL; i++)
		if (starts_ci(p, len, fields[i]))
			return true;
	if (starts_ci(p, len, "message headers follow") ||
	    starts_ci(p, len, "original message headers") ||
	    starts_ci(p, len, "original message follows") ||
	    starts_ci(p, len, "below this line is a copy"))
		return true;
	if (len == 0 || (*p != '-' && *p != '=' && *p != '*' && *p != '_' &&
	    *p != '['))
		return false;
	for (i = 0; marks[i] != NULL; i++)
		if (memcasestr(p, len, marks[i]) != NULL)
			return strcmp(marks[i], "message was") != 0 ||
			    memcasestr(p, len, "attached") != NULL;
	return false;
}

static bool
is_service_addr(const char *p, size_t n)
{
	return starts_ci(p, n, "mailer-daemon@") ||
	    starts_ci(p, n, "postmaster@") ||
	    starts_ci(p, n, "mailer_daemon@") ||
	    starts_ci(p, n, "mail-daemon@");
}

/* If the line opens a recipient block, returns the address. */
static char *
line_recipient(struct arena *a, const char *p, size_t len)
{
	size_t	 i = 0, n;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '<' ||
	    p[i] == '"' || p[i] == '\'' || p[i] == '*' || p[i] == '>'))
		i++;
	if (starts_ci(p + i, len - i, "rcpt to:")) {
		/* ">>> RCPT To:<a>" is the transcript, not a block start. */
		return NULL;
	}
	if (starts_ci(p + i, len - i, "mailto:"))
		i += 7;
	if ((n = addr_at(p + i, len - i)) == 0 || is_service_addr(p + i, n))
		return NULL;
	return addr_dup(a, p + i, n);
}

static char *
any_recipient(struct arena *a, const char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i++) {
		if (i > 0 && is_addr_char((unsigned char)s[i - 1]))
			continue;
		if ((n = addr_at(s + i, len - i)) > 0 &&
		    !is_service_addr(s + i, n))
			return addr_dup(a, s + i, n);
	}
	return NULL;
}

struct hblock {
	char		*rcpt;
	const char	*p;
	size_t		 len;
};

static size_t
find_region_end(const char *s, size_t len, size_t *pre_end)
{
	struct line	 l;
	size_t		 pos = 0, start;

	*pre_end = len;
	while (start = pos, next_line(s, len, &pos, &l))
		if (is_region_end(l.p, l.len))
			return start;
	return len;
}

static bool
is_blank(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n')
			return false;
	return true;
}

/* "A message sent by" (Exim) or "sent from" above an address: the
 * address below is the sender's, not a recipient's. */
static bool
is_sender_intro(const char *p, size_t len)
{
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\r' ||
	    p[len - 1] == ':'))
		len--;
	return (len >= 7 && strncasecmp(p + len - 7, "sent by", 7) == 0) ||
	    (len >= 9 && strncasecmp(p + len - 9, "sent from", 9) == 0);
}

/* Sendmail's transcript (V5 and later) ends each recipient with its own
 * result line, "554 <a@b>... Host unknown", after the dialogue that led to
 * it: ">>> RCPT To:<a@b>", "<<< 550 ...". Returns the address of such a
 * closing line. */
static char *
closing_recipient(struct arena *a, const char *p, size_t len)
{
	size_t	 n;

	if (len < 10 || (p[0] != '4' && p[0] != '5') ||
	    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) ||
	    p[3] != ' ' || p[4] != '<')
		return NULL;
	if ((n = addr_at(p + 5, len - 5)) == 0 || 5 + n + 4 > len ||
	    memcmp(p + 5 + n, ">...", 4) != 0)
		return NULL;
	return addr_dup(a, p + 5, n);
}

/* Blocks of a transcript of closing lines: each block runs from the end
 * of the previous closing line to the end of its own. Returns how many,
 * or 0 when the text is not laid out so. */
static size_t
transcript_blocks(struct arena *a, const char *s, size_t len,
    struct hblock *hb, size_t max, size_t *preamble_len)
{
	struct line	 l;
	size_t		 pos = 0, start, from = 0, n = 0, i;
	const char	*t;
	char		*r;

	if ((t = memcasestr(s, len, "transcript of session")) == NULL)
		return 0;
	from = (size_t)(t - s);
	*preamble_len = from;
	while (start = pos, next_line(s, len, &pos, &l) && n < max) {
		if ((r = closing_recipient(a, l.p, l.len)) == NULL) {
			/* A new dialogue: what came before it belongs to no
			 * recipient still to come. */
			if (memcasestr(l.p, l.len, "while talking to ") != NULL)
				from = start;
			continue;
		}
		for (i = 0; i < n; i++)
			if (strcasecmp(hb[i].rcpt, r) == 0)
				break;
		if (i < n) {
			/* Another line for the same address. */
			hb[i].len = (size_t)(s + pos - hb[i].p);
			from = pos;
			continue;
		}
		hb[n].rcpt = r;
		hb[n].p = s + from;
		hb[n].len = pos - from;
		from = pos;
		n++;
	}
	return n;
}

/* Is the block nothing but its address line? */
static bool
block_is_bare(const struct hblock *h)
{
	const char	*nl = memchr(h->p, '\n', h->len);

	return nl == NULL || is_blank(nl, h->len - (size_t)(nl - h->p));
}

/* Lotus Notes writes the reason above the address, under a "Failure
 * Reasons" rule: "------- Failure Reasons --------", the reason, then
 * the address. When a block is a bare address, take those lines in. */
static void
reason_above(const char *s, struct hblock *h)
{
	const char	*p = h->p, *q;
	int		 lines = 0;

	while (p > s && lines < 8) {
		for (q = p - 1; q > s && q[-1] != '\n'; q--)
			;
		lines++;
		if (*q == '-' && memcasestr(q, (size_t)(p - q), "reason") !=
		    NULL) {
			h->len += (size_t)(h->p - p);
			h->p = p;
			return;
		}
		p = q;
	}
}

/* Per-recipient blocks of the human text. Returns how many. */
static size_t
human_blocks(struct arena *a, const char *s, size_t len,
    struct hblock *hb, size_t max, size_t *preamble_len)
{
	struct line	 l, prev = { NULL, 0 };
	size_t		 pos = 0, start, n = 0, i;
	char		*r;

	*preamble_len = len;
	while (start = pos, next_line(s, len, &pos, &l)) {
		r = line_recipient(a, l.p, l.len);
		if (r != NULL && prev.p != NULL && is_sender_intro(prev.p,
		    prev.len))
			r = NULL;
		if (l.len > 0 && !is_blank(l.p, l.len))
			prev = l;
		if (r == NULL)
			continue;
		/* The same address again right away: the server's words
		 * quoting it ("said: 550 <a@b>: User unknown"), not a new
		 * block. */
		if (n > 0 && strcasecmp(hb[n - 1].rcpt, r) == 0)
			continue;
		if (n == 0)
			*preamble_len = start;
		else
			hb[n - 1].len = (size_t)(s + start - hb[n - 1].p);
		for (i = 0; i < n; i++)
			if (strcmp(hb[i].rcpt, r) == 0)
				break;
		if (n >= max)
			break;
		hb[n].rcpt = r;
		hb[n].p = s + start;
		hb[n].len = len - start;
		n++;
	}
	return n;
}

static const char *
find_code_n(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i + 2 < len; i++)
		if (is_code_at(s, i, len))
			return s + i;
	return NULL;
}

/* Within a block, where the remote server's own words begin. */
static const char *
diag_start(const char *p, size_t len)
{
	static const char *const marks[] = {
		"remote host said:", "said:", "the error that the other server "
		"returned was:", "remote server returned", "(reason:",
		"smtp error from remote mail server after", "diagnostic-code:",
		NULL
	};
	const char	*m;
	size_t		 i;

	for (i = 0; marks[i] != NULL; i++)
		if ((m = memcasestr(p, len, marks[i])) != NULL)
			return m;
	return NULL;
}

static void
block_set_text(struct arena *a, struct block *b, const char *p, size_t len,
    const char *pre, size_t prelen, bool whole)
{
	const char	*d;

	b->context = NULL;
	if (prelen > 0 || len > 0) {
		char *ctx = arena_alloc(a, prelen + len + 2);

		if (ctx != NULL) {
			memcpy(ctx, pre, prelen);
			ctx[prelen] = '\n';
			memcpy(ctx + prelen + 1, p, len);
			ctx[prelen + 1 + len] = '\0';
			b->context = one_line(a, ctx, prelen + 1 + len,
			    DIAG_MAX_CTX);
		}
	}
	if (b->diagnostic == NULL || b->diagnostic[0] == '\0') {
		/* A recipient's own block is read whole: the lines around
		 * the server's words name the command and the host. */
		d = whole ? p : diag_start(p, len);
		/* Keep the whole block when the cut lost the reply code. */
		if (d == NULL || (find_code_n(d, len - (size_t)(d - p)) ==
		    NULL && find_code_n(p, len) != NULL))
			d = p;
		b->diagnostic = one_line(a, d, len - (size_t)(d - p),
		    DIAG_MAX_DIAG);
	}
}

int
text_scan_human(struct scan *sc, const char *s, size_t len)
{
	struct hblock	*hb;
	size_t		 n, i, j, pre_len, end, dummy, maxb;
	const char	*p;
	struct arena	*a = sc->arena;

	end = find_region_end(s, len, &dummy);
	/* At most one block a line. */
	for (maxb = 1, p = s; maxb < HUMAN_MAX_BLOCKS && (p = memchr(p, '\n',
	    (size_t)(s + end - p))) != NULL; p++)
		maxb++;
	if ((hb = arena_calloc(a, maxb, sizeof(*hb))) == NULL)
		return P_ENOMEM;
	n = 0;
	if (sc->nblk == 0)
		n = transcript_blocks(a, s, end, hb, maxb, &pre_len);
	if (n == 0) {
		n = human_blocks(a, s, end, hb, maxb, &pre_len);
		for (i = 0; i < n; i++)
			if (block_is_bare(&hb[i]))
				reason_above(s, &hb[i]);
	}
	if (pre_len > PREAMBLE_MAX)
		pre_len = PREAMBLE_MAX;
	if (sc->nblk > 0) {
		/* DSN groups decide the recipients; the text explains. */
		for (i = 0; i < sc->nblk; i++) {
			struct block *b = &sc->blk[i];

			for (j = 0; j < n; j++)
				if (strcasecmp(hb[j].rcpt, b->recipient) == 0)
					break;
			if (j < n)
				block_set_text(a, b, hb[j].p, hb[j].len, s,
				    pre_len, true);
			else if (n == 1 && sc->nblk == 1)
				block_set_text(a, b, hb[0].p, hb[0].len, s,
				    pre_len, true);
			else
				block_set_text(a, b, s, pre_len, "", 0, false);
		}
		return P_OK;
	}
	for (i = 0; i < n; i++) {
		struct block *b;

		for (j = 0; j < sc->nblk; j++)
			if (strcmp(sc->blk[j].recipient, hb[i].rcpt) == 0)
				break;
		if (j < sc->nblk) {
			/* The same address again (Exchange, Sendmail):
			 * the later mention usually carries the server's
			 * words. */
			b = &sc->blk[j];
			if (diag_start(hb[i].p, hb[i].len) != NULL) {
				b->diagnostic = NULL;
				block_set_text(a, b, hb[i].p, hb[i].len, s,
				    pre_len, true);
			}
			continue;
		}
		if ((b = scan_add(sc)) == NULL)
			break;
		b->recipient = hb[i].rcpt;
		block_set_text(a, b, hb[i].p, hb[i].len, s, pre_len, true);
	}
	if (sc->nblk == 0 && len > 0) {
		struct block *b = scan_add(sc);

		/* No recipient line: the whole human part is the text, and
		 * the first address in it (not a service one) the
		 * recipient. */
		if (b == NULL)
			return P_ENOMEM;
		block_set_text(a, b, s, end > 0 ? end : len, "", 0, false);
		b->recipient = any_recipient(a, s, end > 0 ? end : len);
	}
	return P_OK;
}

/* ------------------------------------------------------ extraction --- */

static bool
is_status_at(const char *s, size_t i, size_t len, size_t *n)
{
	size_t	 j = i, d;

	if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.'))
		return false;
	if (j + 4 >= len || (s[j] != '2' && s[j] != '4' && s[j] != '5') ||
	    s[j + 1] != '.')
		return false;
	j += 2;
	for (d = 0; j < len && isdigit((unsigned char)s[j]) && d < 3; d++)
		j++;
	if (d == 0 || j >= len || s[j] != '.')
		return false;
	j++;
	for (d = 0; j < len && isdigit((unsigned char)s[j]) && d < 3; d++)
		j++;
	if (d == 0)
		return false;
	if (j < len && (isalnum((unsigned char)s[j]) || (s[j] == '.' &&
	    j + 1 < len && isdigit((unsigned char)s[j + 1]))))
		return false;
	*n = j - i;
	return true;
}

static bool
is_code_at(const char *s, size_t i, size_t len)
{
	/* "ERROR_CODE :550," (Zoho): a colon right after a blank. */
	if (i > 1 && s[i - 1] == ':' && s[i - 2] == ' ')
		;
	else if (i > 0 && (isalnum((unsigned char)s[i - 1]) ||
	    s[i - 1] == '.' || s[i - 1] == '-' || s[i - 1] == '#' ||
	    s[i - 1] == ':' || s[i - 1] == '/'))
		return false;
	if (i + 3 > len || (s[i] != '2' && s[i] != '4' && s[i] != '5') ||
	    !isdigit((unsigned char)s[i + 1]) ||
	    !isdigit((unsigned char)s[i + 2]) || s[i + 1] > '5')
		return false;
	if (i + 3 == len)
		return true;
	/* "550: <a@b>: User unknown" (Yahoo) */
	return s[i + 3] == ' ' || s[i + 3] == '-' || s[i + 3] == '\'' ||
	    s[i + 3] == '"' || s[i + 3] == ')' || s[i + 3] == ',' ||
	    (s[i + 3] == ':' && (i + 4 == len || s[i + 4] == ' '));
}

/* The most specific status in s: the first one that is not x.0.0, else
 * the first one. */
static const char *
find_status(struct arena *a, const char *s, size_t len)
{
	size_t		 i, n;
	const char	*first = NULL;
	size_t		 firstn = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '4' && s[i] != '5' && s[i] != '2')
			continue;
		if (!is_status_at(s, i, len, &n))
			continue;
		if (first == NULL) {
			first = s + i;
			firstn = n;
		}
		if (!(n == 5 && s[i + 2] == '0' && s[i + 4] == '0'))
			return arena_strndup(a, s + i, n);
		i += n;
	}
	return first != NULL ? arena_strndup(a, first, firstn) : NULL;
}

static const char *
find_code(struct arena *a, const char *s, size_t len)
{
	size_t		 i;
	const char	*ok = NULL;

	/* A failure's code, not the greeting ("220-mx ... 421 4.2.1"). */
	for (i = 0; i + 2 < len; i++)
		if (is_code_at(s, i, len)) {
			if (s[i] != '2')
				return arena_strndup(a, s + i, 3);
			if (ok == NULL)
				ok = s + i;
		}
	return ok != NULL ? arena_strndup(a, ok, 3) : NULL;
}

/* What names the SMTP command a failure answered, in the MTAs' words. */
static const struct {
const char	*w;
enum diag_phase	 ph;
} phase_marks[] = {
	{ "reply to end of data", PHASE_EOD },
	{ "after end of data", PHASE_EOD },
	{ "reply to data", PHASE_DATA },
	{ "after data", PHASE_DATA },
	{ ">>> data", PHASE_DATA },
	{ "reply to rcpt", PHASE_RCPT },
	{ "after rcpt", PHASE_RCPT },
	{ ">>> rcpt", PHASE_RCPT },
	{ "reply to mail", PHASE_MAIL },
	{ "after mail from", PHASE_MAIL },
	{ ">>> mail from", PHASE_MAIL },
	{ "reply to helo", PHASE_HELO },
	{ "reply to ehlo", PHASE_HELO },
	{ "after helo", PHASE_HELO },
	{ "after ehlo", PHASE_HELO },
	{ ">>> helo", PHASE_HELO },
	{ ">>> ehlo", PHASE_HELO },
	{ "starttls", PHASE_STARTTLS },
	{ "after initial connection", PHASE_CONN },
	{ "initial greeting", PHASE_CONN },
	{ "reply to auth", PHASE_AUTH },
	/* qmail-remote */
	{ "but greeting failed", PHASE_CONN },
	{ "but my name was rejected", PHASE_HELO },
	{ "but sender was rejected", PHASE_MAIL },
	{ "does not like recipient", PHASE_RCPT },
	{ "failed on data command", PHASE_DATA },
	{ "failed after i sent the message", PHASE_EOD },
	/* DragonFly Mail Agent */
	{ "did not like our mail from", PHASE_MAIL },
	{ "did not like our rcpt to", PHASE_RCPT },
	{ "did not like our data", PHASE_DATA },
	{ "did not like our final data", PHASE_EOD },
	/* Yahoo, X3, GMX, 1&1 */
	{ "[mail_from]", PHASE_MAIL },
	{ "[rcpt_to]", PHASE_RCPT },
	{ "smtp:rcpt ", PHASE_RCPT },
	{ "smtp:mail ", PHASE_MAIL },
	{ "smtp:data ", PHASE_DATA },
	{ "after rcpt command", PHASE_RCPT },
	{ "for text command", PHASE_DATA },
	{ "smtp command data", PHASE_DATA },
	/* Gmail's older reports: "(state 14)" */
	{ "(state 6)", PHASE_MAIL },
	{ "(state 8)", PHASE_AUTH },
	{ "(state 9)", PHASE_AUTH },
	{ "(state 12)", PHASE_AUTH },
	{ "(state 13)", PHASE_HELO },
	{ "(state 14)", PHASE_RCPT },
	{ "(state 15)", PHASE_DATA },
	{ "(state 17)", PHASE_DATA },
	{ "(state 18)", PHASE_DATA },
	{ NULL, PHASE_UNKNOWN }
};

/* The SMTP command the failure answered. When a transcript names several,
 * the last one is the one that failed. */
static void
find_phase(const struct text_marks *m, struct block *b, const char *s,
    size_t len)
{
	ssize_t	 w;

	if ((w = acmatch_last(m->phase, s, len, NULL)) >= 0 &&
	    phase_marks[w].w != NULL)
		b->phase = phase_marks[w].ph;
}

/* "host H[ip]", "host H [ip]", "by H. [ip]", "talking to H.:" */
static void
find_host(struct arena *a, struct block *b, const char *s, size_t len)
{
	static const char *const marks[] = { "host ", "talking to ", " by ",
		NULL };
	const char	*m, *h, *e;
	size_t		 i, rest;

	for (i = 0; marks[i] != NULL; i++) {
		if ((m = memcasestr(s, len, marks[i])) == NULL)
			continue;
		h = m + strlen(marks[i]);
		rest = len - (size_t)(h - s);
		for (e = h; (size_t)(e - h) < rest &&
		    is_host_char((unsigned char)*e); e++)
			;
		while (e > h && e[-1] == '.')
			e--;
		if (e - h < 4 || memchr(h, '.', (size_t)(e - h)) == NULL)
			continue;
		if (b->remote_mta == NULL)
			b->remote_mta = arena_strndup(a, h, (size_t)(e - h));
		while ((size_t)(e - s) < len && (*e == ' ' || *e == '.'))
			e++;
		if ((size_t)(e - s) < len && *e == '[') {
			const char *ip = ++e;

			while ((size_t)(e - s) < len && (isxdigit(
			    (unsigned char)*e) || *e == '.' || *e == ':'))
				e++;
			if ((size_t)(e - s) < len && *e == ']' && e > ip)
				b->remote_ip = arena_strndup(a, ip,
				    (size_t)(e - ip));
		}
		return;
	}
}

/* A multi-line SMTP reply, once on one line, repeats its code on each
 * line ("550-5.7.1 Messages with 550-5.7.1 multiple addresses"): keep the
 * first "550 5.7.1" and drop the repeats, so that phrases read on. */
static const char *
unfold_reply(struct arena *a, const char *d)
{
	size_t		 i, n = 0, len = strlen(d), first = len, cl, sl = 0;
	char		 code[4], *o;

	for (i = 0; i + 3 < len; i++)
		if (is_code_at(d, i, len) && d[i + 3] == '-') {
			first = i;
			break;
		}
	if (first == len)
		return d;
	memcpy(code, d + first, 3);
	code[3] = '\0';
	if ((o = arena_alloc(a, len + 1)) == NULL)
		return d;
	memcpy(o, d, first);
	n = first;
	for (i = first; i < len; ) {
		if (strncmp(d + i, code, 3) == 0 && is_code_at(d, i, len) &&
		    (d[i + 3] == '-' || d[i + 3] == ' ')) {
			cl = 4;
			if (is_status_at(d, i + 4, len, &sl))
				cl += sl + (i + 4 + sl < len &&
				    d[i + 4 + sl] == ' ' ? 1 : 0);
			if (i == first) {
				memcpy(o + n, d + i, cl);
				o[n + 3] = ' ';
				n += cl;
			}
			i += cl;
			continue;
		}
		o[n++] = d[i++];
	}
	o[n] = '\0';
	return o;
}

void
text_extract(const struct text_marks *m, struct arena *a, struct block *b)
{
	const char	*d, *st;
	size_t		 dlen;

	if (b->diagnostic != NULL)
		b->diagnostic = unfold_reply(a, b->diagnostic);
	d = b->diagnostic != NULL ? b->diagnostic : "";
	dlen = strlen(d);

	st = find_status(a, d, dlen);
	b->status = b->dsn_status;
	if (b->status != NULL) {
		/* "5.0.0 (permanent failure)": keep the code only. */
		size_t n;

		if (is_status_at(b->status, 0, strlen(b->status), &n))
			b->status = arena_strndup(a, b->status, n);
		else
			b->status = NULL;
	}
	/* The remote server's own code is more specific than the one the
	 * reporting MTA wrote in Status:. */
	if (b->status == NULL || (st != NULL && st[0] == b->status[0]))
		b->status = st;
	else if (st != NULL && strcmp(b->status + 1, ".0.0") == 0 &&
	    strcmp(st + 1, ".0.0") != 0)
		b->status = arena_printf(a, "%c%s", b->status[0], st + 1);
	/* "X-Unix; 255" is a program's exit status, not an SMTP reply. */
	if (b->replycode == NULL && (b->diagtype == NULL ||
	    strcmp(b->diagtype, "X-UNIX") != 0))
		b->replycode = find_code(a, d, dlen);
	/* No code of its own: the reason written above the recipients
	 * ("Could not be delivered because of 550 5.1.1 User unknown")
	 * applies to them all. */
	if (b->status == NULL && b->replycode == NULL && b->context != NULL) {
		const char *c = b->context;

		b->status = find_status(a, c, strlen(c));
		b->replycode = find_code(a, c, strlen(c));
	}
	if (b->replycode != NULL && b->status != NULL &&
	    b->replycode[0] != b->status[0] && b->dsn_status == NULL)
		b->status = NULL;
	find_phase(m, b, d, dlen);
	if (b->phase == PHASE_UNKNOWN && b->context != NULL)
		find_phase(m, b, b->context, strlen(b->context));
	if (b->remote_mta == NULL || b->remote_ip == NULL) {
		find_host(a, b, d, dlen);
		if (b->remote_mta == NULL && b->context != NULL)
			find_host(a, b, b->context, strlen(b->context));
	}
}

/* ------------------------------------------------------- detection --- */

static bool
is_field_line(const char *p, size_t len, size_t *nlen)
{
	size_t	 i;

	for (i = 0; i < len && i < 76; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ':')
			break;
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
	}
	if (i == 0 || i >= len || p[i] != ':')
		return false;
	*nlen = i;
	return true;
}

/* A header block at the top: field lines up to a blank line, with at
 * least two of the usual message fields. */
static int
header_score(const char *s, size_t len, int *trace)
{
	static const char *const usual[] = { "from", "to", "date", "subject",
		"message-id", "content-type", "mime-version", "return-path",
		"received", "delivered-to", "x-failed-recipients", NULL };
	struct line	 l;
	size_t		 pos = 0, n, i;
	int		 score = 0, lines = 0;

	*trace = 0;
	while (next_line(s, len, &pos, &l) && lines < 400) {
		lines++;
		if (l.len == 0 || (l.len == 1 && l.p[0] == '\r'))
			break;
		if (l.p[0] == ' ' || l.p[0] == '\t')
			continue;
		if (!is_field_line(l.p, l.len, &n)) {
			if (lines == 1 && starts_ci(l.p, l.len, "From "))
				continue;	/* mbox separator */
			return 0;
		}
		for (i = 0; usual[i] != NULL; i++)
			if (n == strlen(usual[i]) &&
			    strncasecmp(l.p, usual[i], n) == 0)
				score++;
		if (starts_ci(l.p, l.len, "received:") ||
		    starts_ci(l.p, l.len, "authentication-results:") ||
		    starts_ci(l.p, l.len, "x-spam") ||
		    starts_ci(l.p, l.len, "arc-") ||
		    starts_ci(l.p, l.len, "x-forefront") ||
		    starts_ci(l.p, l.len, "x-microsoft-antispam") ||
		    starts_ci(l.p, l.len, "received-spf:") ||
		    starts_ci(l.p, l.len, "dkim-signature:"))
			(*trace)++;
	}
	return score;
}

bool
text_looks_message(const char *s, size_t len)
{
	int	 trace;

	return header_score(s, len, &trace) >= 2;
}

/* A header block with no bounce: the trace fields dominate and the body
 * (if any) is not a delivery report. */
/* Non-blank lines after the header block. */
static size_t
body_lines(const char *s, size_t len)
{
	struct line	 l;
	size_t		 pos = 0, n = 0;
	bool		 body = false;

	while (next_line(s, len, &pos, &l) && n < 100) {
		bool blank = l.len == 0 || (l.len == 1 && l.p[0] == '\r');

		if (!body) {
			body = blank;
			continue;
		}
		if (!blank)
			n++;
	}
	return n;
}

bool
text_looks_headers(const struct text_marks *m, const char *s, size_t len)
{
	int	 trace;

	if (header_score(s, len, &trace) < 1 || trace < 2)
		return false;
	if (body_lines(s, len) > 3)
		return false;
	/* Any sign of a bounce, a report or an auto-reply anywhere (top
	 * fields or body) makes it a message to diagnose instead. */
	return acmatch_first(m->bounce, s, len > 262144 ? 262144 : len,
	    NULL) < 0;
}

const char *
text_find_client_code(struct arena *a, const char *s, size_t len)
{
	const char	*m;
	size_t		 i;

	if ((m = memcasestr(s, len, "0x8")) == NULL)
		return NULL;
	for (i = 2; (size_t)(m - s) + i < len &&
	    isxdigit((unsigned char)m[i]) && i < 11; i++)
		;
	if (i != 10)
		return NULL;
	return arena_strndup(a, m, i);
}

bool
text_is_autoreply(const struct text_marks *m, const char *s, size_t len)
{
	return acmatch_first(m->autoreply, s, len > 4096 ? 4096 : len,
	    NULL) >= 0;
}

/* ------------------------------------------------------------ marks --- */

/* Signs of a bounce, a report or an auto-reply in a header block. */
static const char *const bounce_marks[] = {
	"final-recipient:", "mail delivery", "undeliver",
	"could not be delivered", "delivery has failed", "permanent",
	"failure notice", "returned mail", "delivery status",
	"mailer-daemon", "postmaster@", "report-type=",
	"wasn't able to deliver", "not be delivered", "failed",
	"feedback-type", "auto-submitted: auto-replied",
	"return-path: <>", "automatic reply", "auto reply",
	"auto-reply", "autoreply", "out of office",
	"out of the office", "réponse automatique"
};

/* An out-of-office reply's own words. */
static const char *const autoreply_marks[] = {
	"out of the office", "out of office", "i am away",
	"i'm away", "on vacation", "on holiday", "on leave",
	"je suis absent", "je serai absent", "absent du bureau",
	"automatic reply", "auto-reply", "autoreply",
	"réponse automatique", "currently away",
	"away from the office", "away from my desk",
	"will be traveling", "will be travelling",
	"intermittent access to e", "limited access to e",
	"back in the office", "de retour le", "en congé",
	"en congés"
};

struct text_marks *
text_marks_new(void)
{
	struct text_marks	*m;
	const char		*w[sizeof(phase_marks) / sizeof(phase_marks[0])];
	size_t			 i, n = 0;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	for (i = 0; phase_marks[i].w != NULL; i++)
		w[n++] = phase_marks[i].w;
	m->phase = acmatch_new(w, n);
	m->bounce = acmatch_new(bounce_marks, sizeof(bounce_marks) /
	    sizeof(bounce_marks[0]));
	m->autoreply = acmatch_new(autoreply_marks, sizeof(autoreply_marks) /
	    sizeof(autoreply_marks[0]));
	if (m->phase == NULL || m->bounce == NULL || m->autoreply == NULL) {
		text_marks_free(m);
		return NULL;
	}
	return m;
}

void
text_marks_free(struct text_marks *m)
{
	if (m == NULL)
		return;
	acmatch_free(m->phase);
	acmatch_free(m->bounce);
	acmatch_free(m->autoreply);
	free(m);
}
