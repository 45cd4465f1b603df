/* buf.h - a growable byte buffer with a hard cap (curl's dynbuf idea).
 * The content is always NUL-terminated; appends past max fail with P_ETOOBIG
 * and leave the buffer as it was. */
#ifndef BOUNCEDESK_BUF_H
#define BOUNCEDESK_BUF_H
#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*p;		/* NUL-terminated; NULL until the first append */
	size_t	 len;		/* bytes used, without the NUL */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* the most len may reach */
};

void	buf_init(struct buf *, size_t max);
void	buf_cleanup(struct buf *);
void	buf_reset(struct buf *);
int	buf_append(struct buf *, const void *, size_t)
	    __attribute__((warn_unused_result));
int	buf_puts(struct buf *, const char *)
	    __attribute__((warn_unused_result));
int	buf_putc(struct buf *, int)
	    __attribute__((warn_unused_result));
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3), warn_unused_result));
int	buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0), warn_unused_result));
/* Appends s HTML-escaped (& < > " ' `). */
int	buf_put_html(struct buf *, const char *, size_t)
	    __attribute__((warn_unused_result));
/* Hands the content to the caller (free() it) and resets the buffer; never
 * NULL: an empty buffer gives "". *len may be NULL. */
char	*buf_take(struct buf *, size_t *len);
/* The content, "" when empty. */
const char *buf_str(const struct buf *);

#endif /* BOUNCEDESK_BUF_H */
