/* hdrs_int.h - shared by src/diag/hdrs*.c only: the analysis context and
 * small string helpers. Not a public contract. */
#ifndef BOUNCEDESK_HDRS_INT_H
#define BOUNCEDESK_HDRS_INT_H
#include <stdbool.h>
#include <stddef.h>

#include "bouncedesk/hdrs.h"

struct hctx {
	struct arena		*a;
	const struct sa_db	*sa;
	struct hdr_report	*r;
	size_t			 cap_fields, cap_auth, cap_tests, cap_vendor;
	size_t			 cap_defects, cap_causes;
	int			 err;	/* sticky P_ENOMEM */
};

/* Appends a zeroed element to an arena array; NULL (and h->err set) when
 * the arena refuses or max elements are reached (then err stays P_OK). */
void	*hx_push(struct hctx *, void *arrp, size_t *n, size_t *cap,
	    size_t size, size_t max);
char	*hx_strndup(struct hctx *, const char *, size_t);
char	*hx_printf(struct hctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Case-insensitive equality / prefix of ASCII strings. */
bool	 hx_ieq(const char *, const char *);
bool	 hx_iprefix(const char *s, const char *prefix);
/* Skips comments "(...)" (nested) and white space. */
const char *hx_skip_cfws(const char *);
/* Strictly parses a decimal number (optional sign); false if junk. */
bool	 hx_number(const char *s, size_t n, double *out);
bool	 hx_is_ip(const char *s, size_t n);
void	 hx_add_defect(struct hctx *, const char *id, const char *detail,
	    const char *en, const char *fr);

void	 hdr_do_received(struct hctx *);	/* hdrs_rcvd.c */
void	 hdr_do_auth(struct hctx *);		/* hdrs_auth.c */
void	 hdr_do_spam(struct hctx *);		/* hdrs_spam.c */
void	 hdr_do_microsoft(struct hctx *);	/* hdrs_ms.c */
void	 hdr_do_summary(struct hctx *);		/* hdrs_summary.c */
/* The explanation of a verdict (static, never NULL). */
const char *hdr_auth_explain(const char *method, enum hdr_auth_result,
	    const char *lang);

#endif /* BOUNCEDESK_HDRS_INT_H */
