/* ratelimit.c - token buckets keyed by client address, in memory, so that
 * the check and spam-score endpoints cannot be used to make the server
 * query DNS or spamd in a loop. The table has a fixed size: a new client
 * takes the least recently seen slot of its set. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bouncedesk/check.h"

#define RL_WAYS		8
#define RL_KEY_MAX	64
#define RL_SHARED_SLOTS	4096

struct rl_slot {
	char		 key[RL_KEY_MAX];
	double		 tokens;
	long long	 last_ms;
};

struct ratelimit {
	pthread_mutex_t	 mu;
	struct rl_slot	*slot;
	size_t		 nsets;
};

struct ratelimit *
ratelimit_new(size_t slots)
{
	struct ratelimit	*rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->nsets = (slots + RL_WAYS - 1) / RL_WAYS;
	if (rl->nsets == 0)
		rl->nsets = 1;
	if ((rl->slot = calloc(rl->nsets * RL_WAYS, sizeof(*rl->slot))) ==
	    NULL) {
		free(rl);
		return NULL;
	}
	pthread_mutex_init(&rl->mu, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->slot);
	free(rl);
}

static struct ratelimit	*shared_rl;
static pthread_once_t	 shared_rl_once = PTHREAD_ONCE_INIT;

static void
shared_rl_init(void)
{
	shared_rl = ratelimit_new(RL_SHARED_SLOTS);
}

struct ratelimit *
ratelimit_shared(void)
{
	pthread_once(&shared_rl_once, shared_rl_init);
	return shared_rl;
}

bool
ratelimit_take(struct ratelimit *rl, const char *key, double per_min,
    double burst, long long now, long *retry_s)
{
	struct rl_slot	*set, *s, *found = NULL, *oldest;
	uint32_t	 h = 2166136261u;
	const char	*p;
	size_t		 klen;
	char		 k[RL_KEY_MAX];
	bool		 ok;
	int		 i;

	*retry_s = 0;
	if (rl == NULL || per_min <= 0)
		return true;	/* no table (OOM at start): do not block */
	/* Addresses are short; a longer key is cut to the slot's size. */
	if (key == NULL)
		key = "";
	if ((klen = strlen(key)) >= RL_KEY_MAX)
		klen = RL_KEY_MAX - 1;
	memcpy(k, key, klen);
	k[klen] = '\0';
	key = k;
	for (p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	pthread_mutex_lock(&rl->mu);
	set = &rl->slot[(h % rl->nsets) * RL_WAYS];
	oldest = set;
	for (i = 0, s = set; i < RL_WAYS; i++, s++) {
		if (s->last_ms != 0 && strcmp(s->key, key) == 0) {
			found = s;
			break;
		}
		if (s->last_ms < oldest->last_ms)
			oldest = s;
	}
	if (found == NULL) {
		found = oldest;
		memset(found, 0, sizeof(*found));
		memcpy(found->key, key, klen + 1);
		found->tokens = burst;
		found->last_ms = now;
	}
	/* Refill for the time since the last visit, up to burst. */
	found->tokens += (double)(now - found->last_ms) * per_min / 60000.0;
	if (found->tokens > burst)
		found->tokens = burst;
	found->last_ms = now > 0 ? now : 1;
	ok = found->tokens >= 1.0;
	if (ok)
		found->tokens -= 1.0;
	else
		*retry_s = (long)((1.0 - found->tokens) * 60.0 / per_min) + 1;
	pthread_mutex_unlock(&rl->mu);
	return ok;
}
