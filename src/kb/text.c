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
