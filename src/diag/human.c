/* human.c - the human-readable part of a bounce cut into one block per
 * recipient: the layouts of Postfix, Exim, Sendmail's transcripts, qmail,
 * Lotus Notes (the reason above the address), and the fallbacks. */
#include <ctype.h>
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
		"original message", "copy of the message",
		"copy of your message", "unsent message", "returned message",
		"message follows",
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
		if (txt_starts_ci(p, len, fields[i]))
			return true;
	if (txt_starts_ci(p, len, "message headers follow") ||
	    txt_starts_ci(p, len, "original message headers") ||
	    txt_starts_ci(p, len, "original message follows") ||
	    txt_starts_ci(p, len, "below this line is a copy"))
		return true;
	if (len == 0 || (*p != '-' && *p != '=' && *p != '*' && *p != '_' &&
	    *p != '['))
		return false;
	for (i = 0; marks[i] != NULL; i++)
		if (txt_memcasestr(p, len, marks[i]) != NULL)
			return strcmp(marks[i], "message was") != 0 ||
			    txt_memcasestr(p, len, "attached") != NULL;
	return false;
}

static bool
is_service_addr(const char *p, size_t n)
{
	return txt_starts_ci(p, n, "mailer-daemon@") ||
	    txt_starts_ci(p, n, "postmaster@") ||
	    txt_starts_ci(p, n, "mailer_daemon@") ||
	    txt_starts_ci(p, n, "mail-daemon@");
}

/* If the line opens a recipient block, returns the address. */
static char *
line_recipient(struct arena *a, const char *p, size_t len)
{
	size_t	 i = 0, n;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '<' ||
	    p[i] == '"' || p[i] == '\'' || p[i] == '*' || p[i] == '>'))
		i++;
	if (txt_starts_ci(p + i, len - i, "rcpt to:")) {
		/* ">>> RCPT To:<a>" is the transcript, not a block start;
		 * "RCPT TO: a" alone lists the recipient (Verizon). */
		if (memchr(p, '>', i) != NULL)
			return NULL;
		i += 8;
		while (i < len && (p[i] == ' ' || p[i] == '<'))
			i++;
	}
	if (txt_starts_ci(p + i, len - i, "mailto:"))
		i += 7;
	if ((n = txt_addr_at(p + i, len - i)) == 0 || is_service_addr(p + i, n))
		return NULL;
	return txt_addr_dup(a, p + i, n);
}

static char *
any_recipient(struct arena *a, const char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i++) {
		if (i > 0 && txt_is_addr_char((unsigned char)s[i - 1]))
			continue;
		if ((n = txt_addr_at(s + i, len - i)) > 0 &&
		    !is_service_addr(s + i, n))
			return txt_addr_dup(a, s + i, n);
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
	struct txt_line	 l;
	size_t		 pos = 0, start;

	*pre_end = len;
	while (start = pos, txt_next_line(s, len, &pos, &l))
		if (is_region_end(l.p, l.len))
			return start;
	return len;
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
	if ((n = txt_addr_at(p + 5, len - 5)) == 0 || 5 + n + 4 > len ||
	    memcmp(p + 5 + n, ">...", 4) != 0)
		return NULL;
	return txt_addr_dup(a, p + 5, n);
}

/* Blocks of a transcript of closing lines: each block runs from the end
 * of the previous closing line to the end of its own. Returns how many,
 * or 0 when the text is not laid out so. */
static size_t
transcript_blocks(struct arena *a, const char *s, size_t len,
    struct hblock *hb, size_t max, size_t *preamble_len)
{
	struct txt_line	 l;
	size_t		 pos = 0, start, from = 0, n = 0, i;
	const char	*t;
	char		*r;

	if ((t = txt_memcasestr(s, len, "transcript of session")) == NULL)
		return 0;
	from = (size_t)(t - s);
	*preamble_len = from;
	while (start = pos, txt_next_line(s, len, &pos, &l) && n < max) {
		if ((r = closing_recipient(a, l.p, l.len)) == NULL) {
			/* A new dialogue: what came before it belongs to no
			 * recipient still to come. */
			if (txt_memcasestr(l.p, l.len, "while talking to ") !=
			    NULL)
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

	return nl == NULL || txt_is_blank(nl, h->len - (size_t)(nl - h->p));
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
		if (*q == '-' && txt_memcasestr(q, (size_t)(p - q), "reason") !=
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
	struct txt_line	 l, prev = { NULL, 0 };
	size_t		 pos = 0, start, n = 0, i;
	char		*r;

	*preamble_len = len;
	while (start = pos, txt_next_line(s, len, &pos, &l)) {
		r = line_recipient(a, l.p, l.len);
		if (r != NULL && prev.p != NULL && is_sender_intro(prev.p,
		    prev.len))
			r = NULL;
		if (l.len > 0 && !txt_is_blank(l.p, l.len))
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
		if (txt_is_code_at(s, i, len))
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
		if ((m = txt_memcasestr(p, len, marks[i])) != NULL)
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
			b->context = txt_one_line(a, ctx, prelen + 1 + len,
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
		b->diagnostic = txt_one_line(a, d, len - (size_t)(d - p),
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
