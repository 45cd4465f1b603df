/* extract.c - from a recipient's block: the reply code, the enhanced
 * status, the SMTP command it answered, the remote host. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/err.h"
#include "diag_int.h"

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
		if (!txt_is_status_at(s, i, len, &n))
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

	/* A failure's code, not the greeting ("220-mx ... 421 4.2.1"); a
	 * success code only with its status ("250 2.1.5 Ok"), not any
	 * number ("Size: 222"). */
	for (i = 0; i + 2 < len; i++)
		if (txt_is_code_at(s, i, len)) {
			if (s[i] != '2')
				return arena_strndup(a, s + i, 3);
			if (ok == NULL && i + 6 < len && s[i + 4] == '2' &&
			    s[i + 5] == '.')
				ok = s + i;
		}
	return ok != NULL ? arena_strndup(a, ok, 3) : NULL;
}

/* What names the SMTP command a failure answered, in the MTAs' words. */
const struct phase_mark phase_marks[] = {
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
		if ((m = txt_memcasestr(s, len, marks[i])) == NULL)
			continue;
		h = m + strlen(marks[i]);
		rest = len - (size_t)(h - s);
		for (e = h; (size_t)(e - h) < rest &&
		    txt_is_host_char((unsigned char)*e); e++)
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
		if (txt_is_code_at(d, i, len) && d[i + 3] == '-') {
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
		if (strncmp(d + i, code, 3) == 0 && txt_is_code_at(d, i, len) &&
		    (d[i + 3] == '-' || d[i + 3] == ' ')) {
			cl = 4;
			if (txt_is_status_at(d, i + 4, len, &sl))
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

		if (txt_is_status_at(b->status, 0, strlen(b->status), &n))
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
