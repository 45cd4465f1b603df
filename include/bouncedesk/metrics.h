/* metrics.h - request counters by route and status, and a latency
 * histogram, rendered in the Prometheus text format. Thread-safe. */
#ifndef BOUNCEDESK_METRICS_H
#define BOUNCEDESK_METRICS_H
#include <stddef.h>

struct buf;
struct metrics;

struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *);
/* route is the matched pattern (a static string) or NULL for no route. */
void		 metrics_observe(struct metrics *, const char *route,
		    int status, double seconds);
int		 metrics_render(struct metrics *, struct buf *);

#endif /* BOUNCEDESK_METRICS_H */
