/* text.c - bounce text as bytes: normalise what webmail did to it
 * (quoted-printable, ISO-2022-JP, bad UTF-8), the line and address helpers
 * the other passes share, and what kind of input was pasted. The passes
 * themselves: dsn.c, human.c, extract.c. */
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
	const char	*p = s, *end = s + len;
	size_t		 n = 0;

	while (n < 3 && p + 2 < end &&
	    (p = memchr(p, '=', (size_t)(end - p) - 2)) != NULL) {
		if (p[1] == '\n' || p[1] == '\r' ||
		    (p[1] == '2' && p[2] == '0') ||
		    (p[1] == '3' && p[2] == 'D') ||
		    (p[1] == '0' && p[2] == '9'))
			n++;
		p++;
	}
	return n >= 2;
}

/* ISO-2022-JP escapes left in 7-bit text (Japanese bounces, DSN fields
 * nobody decoded): each "ESC $ B ... ESC ( B" run becomes UTF-8. Returns
 * s itself when there is none. */
const char *
txt_jis_decode(struct arena *a, const char *s, size_t len, size_t *outlen)
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

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	size_t	 n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms and surrogates. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

void
text_utf8_sanitize(char *s, size_t len)
{
	size_t	 i = 0, n;
	uint64_t w;

	while (i < len) {
		/* ASCII runs 8 bytes at a time. */
		if (i + 8 <= len) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		n = utf8_seq((const unsigned char *)s + i, len - i);
		if (n == 0) {
			s[i++] = '?';
			continue;
		}
		i += n;
	}
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
	if (!qp && memchr(s, '\r', len) == NULL && memchr(s, '\0', len) ==
	    NULL) {
		/* Nothing to undo: the text as it is. */
		memcpy(o, s, len);
		o[len] = '\0';
		*outlen = len;
		if (memmem_esc(o, len) != NULL)
			o = (char *)(uintptr_t)txt_jis_decode(a, o, len,
			    outlen);
		text_utf8_sanitize(o, *outlen);
		return o;
	}
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
		o = (char *)(uintptr_t)txt_jis_decode(a, o, n, outlen);
	text_utf8_sanitize(o, *outlen);
	return o;
}

/* ---------------------------------------------------------- lines --- */

bool
txt_next_line(const char *s, size_t len, size_t *pos, struct txt_line *l)
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

bool
txt_starts_ci(const char *p, size_t len, const char *w)
{
	size_t	 n = strlen(w);

	return len >= n && strncasecmp(p, w, n) == 0;
}

/* Case-insensitive search for an ASCII needle: memchr on both cases of
 * the first byte, then strncasecmp. */
const char *
txt_memcasestr(const char *h, size_t hlen, const char *n)
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
		b = lo == up ? NULL : memchr(p, up,
		    (size_t)((a != NULL ? a : end - nlen + 1) - p));
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
char *
txt_one_line(struct arena *a, const char *s, size_t len, size_t max)
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

bool
txt_is_addr_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '+' ||
	    c == '=' || c == '\'' || c == '/' || c == '%' || c == '!' ||
	    c == '#' || c == '$' || c == '&' || c == '*' || c == '?' ||
	    c == '^' || c == '`' || c == '{' || c == '}' || c == '|' ||
	    c == '~' || c >= 0x80;
}

bool
txt_is_host_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c >= 0x80;
}

/* If an address starts at p, returns its length. */
size_t
txt_addr_at(const char *p, size_t len)
{
	size_t	 i = 0, at, dots = 0;

	while (i < len && txt_is_addr_char((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= len || p[i] != '@')
		return 0;
	at = i++;
	while (i < len && txt_is_host_char((unsigned char)p[i])) {
		if (p[i] == '.')
			dots++;
		i++;
	}
	while (i > at + 1 && p[i - 1] == '.') {
		i--;
		dots--;
	}
	/* A domain has a dot, save "localhost". */
	if (i == at + 1 || (dots == 0 && (i - at - 1 != 9 ||
	    strncasecmp(p + at + 1, "localhost", 9) != 0)))
		return 0;
	return i;
}

char *
txt_addr_dup(struct arena *a, const char *p, size_t n)
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
char *
txt_first_addr(struct arena *a, const char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i++) {
		if (i > 0 && txt_is_addr_char((unsigned char)s[i - 1]))
			continue;
		if ((n = txt_addr_at(s + i, len - i)) > 0)
			return txt_addr_dup(a, s + i, n);
	}
	return NULL;
}

bool
txt_is_blank(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n')
			return false;
	return true;
}

bool
txt_is_status_at(const char *s, size_t i, size_t len, size_t *n)
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

bool
txt_is_code_at(const char *s, size_t i, size_t len)
{
	if (s[i] != '2' && s[i] != '4' && s[i] != '5')
		return false;
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
	struct txt_line	 l;
	size_t		 pos = 0, n, i;
	int		 score = 0, lines = 0;

	*trace = 0;
	while (txt_next_line(s, len, &pos, &l) && lines < 400) {
		lines++;
		if (l.len == 0 || (l.len == 1 && l.p[0] == '\r'))
			break;
		if (l.p[0] == ' ' || l.p[0] == '\t')
			continue;
		if (!is_field_line(l.p, l.len, &n)) {
			if (lines == 1 && txt_starts_ci(l.p, l.len, "From "))
				continue;	/* mbox separator */
			return 0;
		}
		for (i = 0; usual[i] != NULL; i++)
			if (n == strlen(usual[i]) &&
			    strncasecmp(l.p, usual[i], n) == 0)
				score++;
		if (txt_starts_ci(l.p, l.len, "received:") ||
		    txt_starts_ci(l.p, l.len, "authentication-results:") ||
		    txt_starts_ci(l.p, l.len, "x-spam") ||
		    txt_starts_ci(l.p, l.len, "arc-") ||
		    txt_starts_ci(l.p, l.len, "x-forefront") ||
		    txt_starts_ci(l.p, l.len, "x-microsoft-antispam") ||
		    txt_starts_ci(l.p, l.len, "received-spf:") ||
		    txt_starts_ci(l.p, l.len, "dkim-signature:"))
			(*trace)++;
	}
	return score;
}


/* A header block with no bounce: the trace fields dominate and the body
 * (if any) is not a delivery report. */
/* Non-blank lines after the header block. */
static size_t
body_lines(const char *s, size_t len)
{
	struct txt_line	 l;
	size_t		 pos = 0, n = 0;
	bool		 body = false;

	while (txt_next_line(s, len, &pos, &l) && n < 100) {
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

/* What was pasted: a header block of a delivered message (trace fields,
 * almost no body, no sign of a bounce), a whole message (a header block
 * with the usual fields), a fragment (a few short lines) or text. */
enum diag_input
text_detect(const struct text_marks *m, const char *s, size_t len)
{
	const char	*p, *end = s + (len < 500 ? len : 0);
	int		 trace, score;
	size_t		 lines = 0;

	score = header_score(s, len, &trace);
	/* Any sign of a bounce, a report or an auto-reply anywhere (top
	 * fields or body) makes it a message to diagnose instead. */
	if (score >= 1 && trace >= 2 && body_lines(s, len) <= 3 &&
	    acmatch_first(m->bounce, s, len > 262144 ? 262144 : len,
	    NULL) < 0)
		return DIAG_IN_HEADERS;
	if (score >= 2)
		return DIAG_IN_MESSAGE;
	if (len >= 500)
		return DIAG_IN_PASTED;
	for (p = s; p < end && (p = memchr(p, '\n', (size_t)(end - p))) !=
	    NULL; p++)
		lines++;
	return lines <= 3 ? DIAG_IN_FRAGMENT : DIAG_IN_PASTED;
}

const char *
text_find_client_code(struct arena *a, const char *s, size_t len)
{
	const char	*m;
	size_t		 i;

	if ((m = txt_memcasestr(s, len, "0x8")) == NULL)
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
	const char		**w;
	size_t			 n = 0;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	while (phase_marks[n].w != NULL)
		n++;
	if ((w = calloc(n, sizeof(*w))) != NULL) {
		for (n = 0; phase_marks[n].w != NULL; n++)
			w[n] = phase_marks[n].w;
		m->phase = acmatch_new(w, n);
		free(w);
	}
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
