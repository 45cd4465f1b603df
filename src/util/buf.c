/* buf.c - a growable, NUL-terminated byte buffer with a hard cap.
 * Every append either fits entirely under max or fails with P_ETOOBIG and
 * leaves p, len and the content as they were. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"

#define BUF_MINCAP	64

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_cleanup(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/*
 * Makes room for n more bytes plus the NUL. The capacity doubles, but is
 * clamped to max + 1 so that a capped buffer never holds more than it may.
 */
static int
buf_grow(struct buf *b, size_t n)
{
	size_t	 need, limit, ncap;
	char	*np;

	if (__builtin_add_overflow(b->len, n, &need) || need > b->max)
		return P_ETOOBIG;
	if (need == SIZE_MAX)
		return P_ENOMEM;
	need++;				/* the NUL */
	if (need <= b->cap)
		return P_OK;
	limit = b->max == SIZE_MAX ? SIZE_MAX : b->max + 1;
	ncap = b->cap != 0 ? b->cap : BUF_MINCAP;
	while (ncap < need) {
		if (__builtin_mul_overflow(ncap, 2, &ncap)) {
			ncap = need;
			break;
		}
	}
	if (ncap > limit)
		ncap = limit;
	if ((np = realloc(b->p, ncap)) == NULL)
		return P_ENOMEM;
	if (b->p == NULL)
		np[0] = '\0';
	b->p = np;
	b->cap = ncap;
	return P_OK;
}

int
buf_append(struct buf *b, const void *data, size_t n)
{
	int	 rc;

	if (n == 0)
		return P_OK;
	if ((rc = buf_grow(b, n)) != P_OK)
		return rc;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return P_OK;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, int c)
{
	unsigned char	 ch = (unsigned char)c;

	return buf_append(b, &ch, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	size_t	 avail;
	int	 n, rc;

	/* First try the spare room: most appends fit without a second pass. */
	avail = b->cap - (b->p != NULL ? b->len : 0);
	va_copy(ap2, ap);
	if (b->p != NULL && avail > 1)
		n = vsnprintf(b->p + b->len, avail, fmt, ap2);
	else
		n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		if (b->p != NULL)
			b->p[b->len] = '\0';
		return P_EINVAL;
	}
	if (b->p != NULL && avail > 1 && (size_t)n < avail &&
	    (size_t)n <= b->max - b->len) {
		b->len += (size_t)n;
		return P_OK;
	}
	if (b->p != NULL)
		b->p[b->len] = '\0';	/* undo a partial write */
	if ((rc = buf_grow(b, (size_t)n)) != P_OK)
		return rc;
	if (vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap) != n) {
		b->p[b->len] = '\0';
		return P_EINVAL;
	}
	b->len += (size_t)n;
	return P_OK;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *
html_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '`':
		return "&#96;";
	default:
		return NULL;
	}
}

int
buf_put_html(struct buf *b, const char *s, size_t n)
{
	const char	*ent;
	size_t		 i, out, elen;
	char		*w;
	int		 rc;

	/* Size the result first so the append is all or nothing. */
	out = 0;
	for (i = 0; i < n; i++) {
		ent = html_entity((unsigned char)s[i]);
		if (__builtin_add_overflow(out, ent != NULL ? strlen(ent) : 1,
		    &out))
			return P_ETOOBIG;
	}
	if (out == 0)
		return P_OK;
	if ((rc = buf_grow(b, out)) != P_OK)
		return rc;
	w = b->p + b->len;
	for (i = 0; i < n; i++) {
		if ((ent = html_entity((unsigned char)s[i])) != NULL) {
			elen = strlen(ent);
			memcpy(w, ent, elen);
			w += elen;
		} else
			*w++ = s[i];
	}
	b->len += out;
	b->p[b->len] = '\0';
	return P_OK;
}

char *
buf_take(struct buf *b, size_t *len)
{
	char	*p;

	if (len != NULL)
		*len = b->len;
	if (b->p != NULL)
		p = b->p;
	else if ((p = malloc(1)) != NULL)	/* NULL only on ENOMEM */
		p[0] = '\0';
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

const char *
buf_str(const struct buf *b)
{
	return b->p != NULL ? b->p : "";
}
