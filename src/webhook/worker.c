/* src/webhook/worker.c - the delivery thread: its own SQLite connection,
 * a pass over the due outbox rows every interval (or when kicked), and a
 * prompt stop. Everything it needs is in the table, so a restart simply
 * picks up where the last process left. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bouncedesk/err.h"
#include "bouncedesk/log.h"
#include "bouncedesk/mail.h"
#include "bouncedesk/store.h"
#include "bouncedesk/webhook.h"

#define BATCH	20

struct webhook_worker {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	bool			 stop, kicked;
	long			 interval_ms;
	struct webhook_opts	 opts;
	struct store		*s;
};

static void *
run(void *arg)
{
	struct webhook_worker	*w = arg;
	struct timespec		 until;
	int			 sent, msent;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		w->kicked = false;
		pthread_mutex_unlock(&w->lock);
		if (webhook_deliver_due(w->s, BATCH, &w->opts, &sent) != P_OK)
			log_warnx("webhook: delivery pass: %s",
			    store_errmsg(w->s));
		if (mail_deliver_due(w->s, BATCH, &w->opts, &msent) != P_OK)
			log_warnx("mail: delivery pass: %s", store_errmsg(w->s));
		if (msent == BATCH)
			sent = BATCH;
		pthread_mutex_lock(&w->lock);
		if (sent == BATCH || w->kicked)
			continue;	/* more may be due right now */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += w->interval_ms / 1000;
		until.tv_nsec += (w->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!w->stop && !w->kicked &&
		    pthread_cond_timedwait(&w->cond, &w->lock, &until) !=
		    ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct webhook_worker *
webhook_worker_start(const char *db_path, const struct webhook_opts *o,
    long interval_ms)
{
	struct webhook_worker	*w;
	char			 err[256];

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->opts = *o;
	w->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	if ((w->s = store_open(db_path, false, err, sizeof(err))) == NULL) {
		log_warnx("webhook: %s", err);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		log_warnx("webhook: cannot start the delivery thread");
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		store_close(w->s);
		free(w);
		return NULL;
	}
	return w;
}

void
webhook_worker_kick(struct webhook_worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->kicked = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
webhook_worker_stop(struct webhook_worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	store_close(w->s);
	free(w);
}
