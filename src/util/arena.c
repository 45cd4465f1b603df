/* arena.c - a chunked bump allocator: many small allocations, one free.
 * Requests are rounded up to 16 bytes; small ones are carved from 8 KiB
 * chunks, large ones get a chunk of their own so they waste nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/arena.h"

#define ARENA_ALIGN	16
#define ARENA_CHUNK	8192		/* default chunk payload */
#define ARENA_BIG	(ARENA_CHUNK / 4) /* larger requests: own chunk */

struct chunk {
	struct chunk	*next;
	size_t		 size;		/* payload bytes */
	size_t		 off;		/* payload bytes used */
	/* The header is padded so that data[] stays 16-byte aligned. */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct chunk	*head;		/* serves small requests */
	size_t		 max;		/* 0: unlimited */
	size_t		 used;		/* rounded bytes out */
};

struct arena *
arena_new(size_t max)
{
	struct arena	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->max = max;
	return a;
}

void
arena_free(struct arena *a)
{
	struct chunk	*c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*c;
	size_t		 total;

	/* aligned_alloc() wants a multiple of the alignment. */
	if (__builtin_add_overflow(sizeof(*c), size, &total) ||
	    __builtin_add_overflow(total, ARENA_ALIGN - 1, &total))
		return NULL;
	total &= ~(size_t)(ARENA_ALIGN - 1);
	if ((c = aligned_alloc(ARENA_ALIGN, total)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->off = 0;
	return c;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk	*c;
	size_t		 need, total;
	void		*p;

	if (n == 0)
		n = 1;		/* distinct pointers, like malloc */
	if (__builtin_add_overflow(n, ARENA_ALIGN - 1, &need))
		return NULL;
	need &= ~(size_t)(ARENA_ALIGN - 1);
	if (__builtin_add_overflow(a->used, need, &total))
		return NULL;
	if (a->max != 0 && total > a->max)
		return NULL;

	c = a->head;
	if (c != NULL && c->size - c->off >= need) {
		p = c->data + c->off;
		c->off += need;
	} else if (need > ARENA_BIG) {
		/* Linked behind head so that head keeps serving small ones. */
		if ((c = chunk_new(need)) == NULL)
			return NULL;
		c->off = need;
		if (a->head == NULL)
			a->head = c;
		else {
			c->next = a->head->next;
			a->head->next = c;
		}
		p = c->data;
	} else {
		if ((c = chunk_new(ARENA_CHUNK)) == NULL)
			return NULL;
		c->off = need;
		c->next = a->head;
		a->head = c;
		p = c->data;
	}
	a->used = total;
	return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	size_t	 n;
	void	*p;

	if (__builtin_mul_overflow(nmemb, size, &n))
		return NULL;
	if ((p = arena_alloc(a, n)) != NULL)
		memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	const char	*end;
	char		*p;

	/* Like strndup(): stop at a NUL within the first n bytes. */
	if ((end = memchr(s, '\0', n)) != NULL)
		n = (size_t)(end - s);
	if (n == SIZE_MAX || (p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list	 ap2;
	char	*p;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	if (vsnprintf(p, (size_t)n + 1, fmt, ap) != n)
		return NULL;
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}
