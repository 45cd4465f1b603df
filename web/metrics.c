/* web/metrics.c - Prometheus counters by route and status and one latency
 * histogram. A small fixed table under a mutex: routes are few. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/metrics.h"

#define METRICS_SLOTS	256

static const double buckets[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1, 2.5, 5 };
#define NBUCKETS	(sizeof(buckets) / sizeof(buckets[0]))

struct slot {
	const char		*route;		/* static pattern or "none" */
	int			 status;
	unsigned long long	 count;
};

struct metrics {
	pthread_mutex_t		 lock;
	struct slot		 slots[METRICS_SLOTS];
	size_t			 nslots;
	unsigned long long	 overflow;	/* observations without slot */
	unsigned long long	 hist[NBUCKETS];
	unsigned long long	 hcount;
	double			 hsum;
};

struct metrics *
metrics_new(void)
{
	struct metrics	*m;

	m = calloc(1, sizeof(*m));
	if (m != NULL)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void
metrics_observe(struct metrics *m, const char *route, int status,
    double seconds)
{
	size_t	 i;

	if (route == NULL)
		route = "none";
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].status == status &&
		    strcmp(m->slots[i].route, route) == 0)
			break;
	if (i == m->nslots && m->nslots < METRICS_SLOTS) {
		m->slots[i].route = route;
		m->slots[i].status = status;
		m->nslots++;
	}
	if (i < m->nslots)
		m->slots[i].count++;
	else
		m->overflow++;
	for (i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i])
			m->hist[i]++;
	m->hcount++;
	m->hsum += seconds;
	pthread_mutex_unlock(&m->lock);
}

int
metrics_render(struct metrics *m, struct buf *out)
{
	size_t	 i;
	int	 rc = P_OK;

	pthread_mutex_lock(&m->lock);
	rc |= buf_puts(out, "# HELP bouncedesk_requests_total Requests "
	    "answered, by route and status.\n"
	    "# TYPE bouncedesk_requests_total counter\n");
	for (i = 0; i < m->nslots; i++)
		rc |= buf_printf(out,
		    "bouncedesk_requests_total{route=\"%s\",status=\"%d\"} "
		    "%llu\n", m->slots[i].route, m->slots[i].status,
		    m->slots[i].count);
	rc |= buf_puts(out, "# HELP bouncedesk_request_duration_seconds "
	    "Time to answer a request.\n"
	    "# TYPE bouncedesk_request_duration_seconds histogram\n");
	for (i = 0; i < NBUCKETS; i++)
		rc |= buf_printf(out, "bouncedesk_request_duration_seconds_"
		    "bucket{le=\"%g\"} %llu\n", buckets[i], m->hist[i]);
	rc |= buf_printf(out, "bouncedesk_request_duration_seconds_bucket"
	    "{le=\"+Inf\"} %llu\n", m->hcount);
	rc |= buf_printf(out, "bouncedesk_request_duration_seconds_sum %.6f\n"
	    "bouncedesk_request_duration_seconds_count %llu\n", m->hsum,
	    m->hcount);
	pthread_mutex_unlock(&m->lock);
	return rc == P_OK ? P_OK : P_ETOOBIG;
}
