/* src/kb/text.c - small text helpers of the knowledge base: highlight
 * markers to HTML or plain text, and the edit distance used for typos. */
#include <stdlib.h>
#include <string.h>
#include <cmark.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/kb.h"

#define MARK_OPEN	'\2'
#define MARK_CLOSE	'\3'
#define DIST_MAXLEN	64

/* Markdown signs that make a snippet look noisy out of context. */
static int
is_md_sign(int c)
{
	return c == '*' || c == '#' || c == '`' || c == '_';
}

static char *
convert(struct arena *a, const char *s, int html)
{
	struct buf	 b;
	const char	*p, *run;
	char		*out;
	int		 rc = 0, open = 0;

	if (s == NULL)
		return NULL;
	buf_init(&b, strlen(s) * 6 + 64);
	for (p = s; *p != '\0' && rc == 0; ) {
		for (run = p; *p != '\0' && *p != MARK_OPEN &&
		    *p != MARK_CLOSE && !is_md_sign((unsigned char)*p) &&
		    *p != '\n'; p++)
			;
		if (p > run)
			rc = html ? buf_put_html(&b, run, (size_t)(p - run)) :
			    buf_append(&b, run, (size_t)(p - run));
		if (rc != 0 || *p == '\0')
			break;
		if (*p == MARK_OPEN && html && !open) {
			rc = buf_puts(&b, "<mark>");
			open = 1;
		} else if (*p == MARK_CLOSE && html && open) {
			rc = buf_puts(&b, "</mark>");
			open = 0;
		} else if (*p == '\n')
			rc = buf_putc(&b, ' ');
		p++;
	}
	if (rc == 0 && open)
		rc = buf_puts(&b, "</mark>");
	out = rc == 0 ? arena_strndup(a, buf_str(&b), b.len) : NULL;
	buf_cleanup(&b);
	return out;
}

char *
kb_marks_html(struct arena *a, const char *s)
{
	return convert(a, s, 1);
}

char *
kb_marks_plain(struct arena *a, const char *s)
{
	return convert(a, s, 0);
}

static int
min3(int a, int b, int c)
{
	int	 m = a < b ? a : b;

	return m < c ? m : c;
}

int
kb_distance(const char *a, size_t alen, const char *b, size_t blen, int max)
{
	int	 d[DIST_MAXLEN + 1][DIST_MAXLEN + 1];
	size_t	 i, j;
	int	 cost, rowmin;

	if (alen > DIST_MAXLEN || blen > DIST_MAXLEN)
		return max + 1;
	if ((alen > blen ? alen - blen : blen - alen) > (size_t)max)
		return max + 1;
	for (i = 0; i <= alen; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= blen; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= alen; i++) {
		rowmin = max + 1;
		for (j = 1; j <= blen; j++) {
			cost = a[i - 1] != b[j - 1];
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
			    d[i - 1][j - 1] + cost);
			/* A swap of two neighbours counts as one edit. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 <
			    d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
			if (d[i][j] < rowmin)
				rowmin = d[i][j];
		}
		if (rowmin > max)
			return max + 1;
	}
	return d[alen][blen] > max ? max + 1 : d[alen][blen];
}

char *
kb_markdown_html(struct arena *a, const char *md)
{
	char	*html, *out;

	if (md == NULL)
		return NULL;
	/* CMARK_OPT_SAFE: raw HTML and javascript: links are left out. */
	html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_SAFE |
	    CMARK_OPT_SMART);
	if (html == NULL)
		return NULL;
	out = arena_strdup(a, html);
	free(html);
	return out;
}

/* ---- does a query look like an error message? ---- */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool
is_hex(char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* [245].d{1,3}.d{1,3} standing alone at s. */
static bool
enhanced_at(const char *s, const char *start)
{
	size_t	 i = 2, n;

	if ((s > start && (is_alnum(s[-1]) || s[-1] == '.')) ||
	    (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return false;
	for (n = 0; is_digit(s[i]) && n < 4; i++, n++)
		;
	if (n == 0 || n > 3 || s[i++] != '.')
		return false;
	for (n = 0; is_digit(s[i]) && n < 4; i++, n++)
		;
	return n >= 1 && n <= 3 && !is_alnum(s[i]) && !(s[i] == '.' &&
	    is_digit(s[i + 1]));
}

/* A 4xx or 5xx reply code standing alone at s, then a '-' (a multi-line
 * reply), or a space and a word when it opens the text or follows a
 * colon or a quote ("said: 550 User unknown"), or nothing when it is the
 * whole text. "quota 500 messages" is not one. */
static bool
reply_at(const char *s, const char *start)
{
	const char	*b = s;

	if ((s > start && (is_alnum(s[-1]) || s[-1] == '.')) ||
	    (s[0] != '4' && s[0] != '5') || !is_digit(s[1]) ||
	    !is_digit(s[2]) || is_alnum(s[3]) || s[3] == '.')
		return false;
	if (s[3] == '\0')
		return s == start;
	if (s[3] == '-')
		return is_alnum(s[4]);
	while (b > start && b[-1] == ' ')
		b--;
	if (b != start && b[-1] != ':' && b[-1] != '\'' && b[-1] != '"' &&
	    b[-1] != '(')
		return false;
	return s[3] == ' ' && ((s[4] | 0x20) >= 'a' && (s[4] | 0x20) <= 'z');
}

/* 0x followed by 8 hex digits (Outlook's 0x800CCC0E). */
static bool
client_code_at(const char *s, const char *start)
{
	size_t	 i;

	if ((s > start && is_alnum(s[-1])) || s[0] != '0' ||
	    (s[1] | 0x20) != 'x')
		return false;
	for (i = 2; i < 10; i++)
		if (!is_hex(s[i]))
			return false;
	return !is_alnum(s[10]);
}

bool
kb_looks_like_error(const char *q)
{
	static const char *const words[] = { "diagnostic-code",
	    "remote server returned", " said:", "final-recipient",
	    "undelivered mail", "delivery status notification",
	    "mail delivery failed", "mailer-daemon", "smtp error from" };
	const char	*p;
	char		 low[512];
	size_t		 i, n;

	if (q == NULL)
		return false;
	q += strspn(q, " \t\r\n");
	for (p = q; *p != '\0' && p - q < 4096; p++)
		if (enhanced_at(p, q) || reply_at(p, q) ||
		    client_code_at(p, q))
			return true;
	n = strlen(q) < sizeof(low) - 1 ? strlen(q) : sizeof(low) - 1;
	for (i = 0; i < n; i++)
		low[i] = (char)(q[i] >= 'A' && q[i] <= 'Z' ? q[i] + 32 : q[i]);
	low[n] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]) != NULL)
			return true;
	return false;
}
