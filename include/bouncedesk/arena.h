/* arena.h - a bump allocator freed in one call: one per request or task. */
#ifndef BOUNCEDESK_ARENA_H
#define BOUNCEDESK_ARENA_H
#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new arena that refuses to hold more than max bytes (0: no limit).
 * Returns NULL when out of memory. */
struct arena	*arena_new(size_t max);
/* Frees every block; arena_free(NULL) is a no-op. */
void		 arena_free(struct arena *);
/* Returns 16-byte aligned memory, or NULL over the limit or out of memory. */
void		*arena_alloc(struct arena *, size_t);
void		*arena_calloc(struct arena *, size_t, size_t);
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*arena_vprintf(struct arena *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
/* Bytes handed out so far. */
size_t		 arena_used(const struct arena *);

#endif /* BOUNCEDESK_ARENA_H */
