/* cond.h - conditional requests and list filters of the REST API
 * (api/cond.c): the ETag of a block or a request, the If-Match check
 * before a change, and the `since` query parameter of lists. */
#ifndef BOUNCEDESK_COND_H
#define BOUNCEDESK_COND_H
#include <stdbool.h>

struct arena;
struct request;
struct ub_block;
struct ub_request;

/* A strong entity tag, quotes included ("\"b7-3f2a...\""), from the
 * row's id, state and updated time; arena memory, NULL on ENOMEM. */
const char	*cond_etag_block(struct arena *, const struct ub_block *);
const char	*cond_etag_request(struct arena *, const struct ub_request *);
/* True when the request has no If-Match, or one whose list holds etag
 * (strong comparison: a W/ tag never matches) or is "*". */
bool		 cond_if_match(const struct request *, const char *etag);
/* The `since` of a list: unix seconds ("1718000000") or ISO 8601 UTC or
 * with an offset ("2024-06-10T08:00:00Z", "2024-06-10T10:00:00+02:00",
 * "2024-06-10"). P_OK, or P_EINVAL. */
int		 cond_since_parse(const char *, long long *);

#endif /* BOUNCEDESK_COND_H */
