/* fuzz_markdown.c - libFuzzer target for the FAQ's text paths
 * (src/kb/text.c, src/kb/seed.c): kb_markdown_html() (cmark with
 * CMARK_OPT_SAFE), whose output must carry no script element nor
 * javascript: link; the highlight markers to HTML and to plain text; the
 * typo distance; and the article seed parser. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/kb.h"

#define MAXREL	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* strstr, ASCII case folded. */
static const char *
find_ci(const char *h, const char *n)
{
	size_t	 i, nl = strlen(n);

	for (; *h != '\0'; h++) {
		for (i = 0; i < nl && h[i] != '\0' &&
		    tolower((unsigned char)h[i]) == n[i]; i++)
			;
		if (i == nl)
			return h;
	}
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_article	 art;
	struct arena		*a;
	long long		 rel[MAXREL];
	size_t			 nrel, half;
	char			*md, *html, err[256];
	int			 d;

	if (size > 256 * 1024)
		return 0;
	if ((a = arena_new(0)) == NULL)
		abort();
	if ((md = arena_strndup(a, (const char *)data, size)) == NULL)
		abort();
	html = kb_markdown_html(a, md);
	if (html != NULL && (find_ci(html, "<script") != NULL ||
	    find_ci(html, "href=\"javascript:") != NULL ||
	    find_ci(html, "src=\"javascript:") != NULL))
		abort();
	html = kb_marks_html(a, md);
	if (html != NULL && find_ci(html, "<script") != NULL)
		abort();
	(void)kb_marks_plain(a, md);
	half = size / 2;
	d = kb_distance((const char *)data, half, (const char *)data + half,
	    size - half, 2);
	if (d < 0 || d > 3)
		abort();
	memset(&art, 0, sizeof(art));
	nrel = 0;
	(void)kb_seed_parse(a, (const char *)data, size, &art, rel, MAXREL,
	    &nrel, err, sizeof(err));
	if (nrel > MAXREL)
		abort();
	arena_free(a);
	return 0;
}
