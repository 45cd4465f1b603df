/* check_int.h - what the files of src/check share and the unit tests
 * read: the message table of the findings and the delisting texts. */
#ifndef BOUNCEDESK_CHECK_INT_H
#define BOUNCEDESK_CHECK_INT_H
#include <stdbool.h>
#include <stddef.h>
#include "bouncedesk/check.h"

struct check_msg {
	const char		*id;
	const char		*group;
	enum check_verdict	 verdict;
	const char		*faq_tag;
	const char		*en, *fr;	/* formats: up to three %s */
};

struct check_delist {
	const char	*suffix;	/* zone suffix; "" for the default */
	const char	*en, *fr;	/* the default's take the zone */
};

/* The organisational domain of d (lower case, no final dot) by the Public
 * Suffix List: a pointer into d ("example.co.uk" of "a.example.co.uk"),
 * d itself when d is a public suffix or registrable already
 * (src/check/psl.c). */
const char	*check_org_domain(const char *d);

/* One check pass: its arena, request, table and report. */
struct check_ctx {
	struct arena			*a;
	const struct check_request	*rq;
	struct dns_table		*t;
	struct check_report		*r;
	int				 rc;	/* P_ENOMEM sticks */
};

/* Adds a finding: the message of id formatted with up to three strings
 * (NULL for none). Returns it (to set fix, detail), NULL on OOM. */
struct check_finding	*check_add(struct check_ctx *, const char *id,
			    const char *subject, const char *a1,
			    const char *a2, const char *a3);
/* A failed lookup's status in a word for the explanations. */
const char		*check_status_word(enum dns_status);
/* The texts of an answer (max of them) joined with ", "; arena. */
const char		*check_join(struct check_ctx *,
			    const struct dns_answer *, size_t max);
/* "a.b" in the arena (NULL on OOM, which sticks in rc). */
const char		*check_name2(struct check_ctx *, const char *,
			    const char *);

/* The groups of checks (check.c, check_auth.c, check_ip.c). */
void	check_mx(struct check_ctx *, const struct dns_answer *mx);
void	check_a(struct check_ctx *);
void	check_spf(struct check_ctx *, const struct dns_answer *txt);
void	check_dkim(struct check_ctx *);
void	check_dmarc(struct check_ctx *);
void	check_ptr(struct check_ctx *, const char *ip);
void	check_lists(struct check_ctx *, const char *subject, bool ip,
	    bool ours, const char *const *zones, size_t nz);

/* The message of a finding id, or NULL. */
const struct check_msg		*check_msg_find(const char *id);
/* The i-th message, NULL past the end (tests walk the table). */
const struct check_msg		*check_msg_at(size_t i);
/* How to get off the list of zone; never NULL. */
const struct check_delist	*check_delist_find(const char *zone);

#endif /* BOUNCEDESK_CHECK_INT_H */
