/* check_int.h - what the files of src/check share and the unit tests
 * read: the message table of the findings and the delisting texts. */
#ifndef BOUNCEDESK_CHECK_INT_H
#define BOUNCEDESK_CHECK_INT_H
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

/* The message of a finding id, or NULL. */
const struct check_msg		*check_msg_find(const char *id);
/* The i-th message, NULL past the end (tests walk the table). */
const struct check_msg		*check_msg_at(size_t i);
/* How to get off the list of zone; never NULL. */
const struct check_delist	*check_delist_find(const char *zone);

#endif /* BOUNCEDESK_CHECK_INT_H */
