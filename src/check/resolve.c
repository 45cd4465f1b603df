/* resolve.c - the resolver behind the sender checks: c-ares with a
 * configurable server, every wanted query sent at once and driven by a
 * poll() loop with a hard deadline, and a small cache of raw answers kept
 * no longer than their TTL (and 60 s), shared by all requests. */
#include <ares.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/check.h"
#include "bouncedesk/err.h"
#include "bouncedesk/log.h"

#define CACHE_WAYS		4
#define CACHE_MAX_ANSWER	8192
#define CACHE_SHARED_SLOTS	1024
#define CACHE_SHARED_TTL	60

long long
dns_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ cache --- */

struct cache_slot {
	char		 name[256];
	enum dns_type	 type;
	unsigned char	*raw;		/* NULL: free slot */
	size_t		 len;
	long long	 expires, stored;	/* ms */
};

struct dns_cache {
	pthread_mutex_t	 mu;
	struct cache_slot *slot;
	size_t		 nsets;		/* slots / CACHE_WAYS */
	unsigned	 max_ttl;
};

struct dns_cache *
dns_cache_new(size_t slots, unsigned max_ttl)
{
	struct dns_cache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->nsets = (slots + CACHE_WAYS - 1) / CACHE_WAYS;
	if (c->nsets == 0)
		c->nsets = 1;
	c->slot = calloc(c->nsets * CACHE_WAYS, sizeof(*c->slot));
	if (c->slot == NULL) {
		free(c);
		return NULL;
	}
	c->max_ttl = max_ttl;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void
dns_cache_free(struct dns_cache *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsets * CACHE_WAYS; i++)
		free(c->slot[i].raw);
	free(c->slot);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static struct dns_cache *shared_cache;
static pthread_once_t	 shared_once = PTHREAD_ONCE_INIT;

static void
shared_init(void)
{
	shared_cache = dns_cache_new(CACHE_SHARED_SLOTS, CACHE_SHARED_TTL);
}

struct dns_cache *
dns_cache_shared(void)
{
	pthread_once(&shared_once, shared_init);
	return shared_cache;
}

/* The first slot of the set of name/type (FNV-1a). */
static struct cache_slot *
cache_set(struct dns_cache *c, const char *name, enum dns_type type)
{
	uint32_t	 h = 2166136261u;
	const char	*p;

	for (p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ (unsigned)type) * 16777619u;
	return &c->slot[(h % c->nsets) * CACHE_WAYS];
}

int
dns_cache_get(struct dns_cache *c, struct arena *a, const char *name,
    enum dns_type type, long long now, unsigned char **raw, size_t *len)
{
	struct cache_slot	*s;
	int			 i, rc = P_ENOTFOUND;

	if (c == NULL || strlen(name) >= sizeof(s->name))
		return P_ENOTFOUND;
	pthread_mutex_lock(&c->mu);
	s = cache_set(c, name, type);
	for (i = 0; i < CACHE_WAYS; i++, s++) {
		if (s->raw == NULL || s->type != type ||
		    strcmp(s->name, name) != 0)
			continue;
		if (s->expires <= now)
			break;
		if ((*raw = arena_alloc(a, s->len)) == NULL) {
			rc = P_ENOMEM;
			break;
		}
		memcpy(*raw, s->raw, s->len);
		*len = s->len;
		rc = P_OK;
		break;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void
dns_cache_put(struct dns_cache *c, const char *name, enum dns_type type,
    const unsigned char *raw, size_t len, unsigned ttl, long long now)
{
	struct cache_slot	*set, *s, *victim = NULL;
	unsigned char		*copy;
	int			 i;

	if (c == NULL || ttl == 0 || len == 0 || len > CACHE_MAX_ANSWER ||
	    strlen(name) >= sizeof(set->name))
		return;
	if (ttl > c->max_ttl)
		ttl = c->max_ttl;
	if ((copy = malloc(len)) == NULL)
		return;
	memcpy(copy, raw, len);
	pthread_mutex_lock(&c->mu);
	set = cache_set(c, name, type);
	/* The same key, else a free or expired slot, else the oldest. */
	for (i = 0, s = set; i < CACHE_WAYS; i++, s++)
		if (s->raw != NULL && s->type == type &&
		    strcmp(s->name, name) == 0) {
			victim = s;
			break;
		}
	for (i = 0, s = set; victim == NULL && i < CACHE_WAYS; i++, s++)
		if (s->raw == NULL || s->expires <= now)
			victim = s;
	for (i = 0, s = set; victim == NULL && i < CACHE_WAYS; i++, s++)
		if (victim == NULL || s->stored < victim->stored)
			victim = s;
	free(victim->raw);
	memcpy(victim->name, name, strlen(name) + 1);
	victim->type = type;
	victim->raw = copy;
	victim->len = len;
	victim->stored = now;
	victim->expires = now + (long long)ttl * 1000;
	pthread_mutex_unlock(&c->mu);
}

size_t
dns_cache_count(struct dns_cache *c, long long now)
{
	size_t	 i, n = 0;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->nsets * CACHE_WAYS; i++)
		if (c->slot[i].raw != NULL && c->slot[i].expires > now)
			n++;
	pthread_mutex_unlock(&c->mu);
	return n;
}

/* --------------------------------------------------------- resolver --- */

struct pending {
	struct dns_table	*tab;
	struct dns_cache	*cache;
	struct dns_stats	*st;
	const char		*name;
	enum dns_type		 type;
	size_t			*left;
};

static pthread_once_t	 ares_once = PTHREAD_ONCE_INIT;
static int		 ares_init_rc;

static void
ares_global_init(void)
{
	ares_init_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct pending		*p = arg;
	struct dns_answer	 ans;

	(void)timeouts;
	(*p->left)--;
	memset(&ans, 0, sizeof(ans));
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
		if (dns_msg_parse(p->tab->arena, abuf, (size_t)alen, p->type,
		    &ans) != P_OK)
			ans.status = DNS_S_ERROR;
		else if (dns_status_known(ans.status))
			dns_cache_put(p->cache, p->name, p->type, abuf,
			    (size_t)alen, ans.ttl, dns_now_ms());
	} else if (status == ARES_ETIMEOUT || status == ARES_ECANCELLED ||
	    status == ARES_EDESTRUCTION) {
		ans.status = DNS_S_TIMEOUT;
		p->st->timeouts++;
	} else
		ans.status = DNS_S_ERROR;
	(void)dns_table_put(p->tab, p->name, p->type, &ans);
}

static int
channel_open(const struct dns_config *cfg, ares_channel *ch)
{
	struct ares_options	 o;
	int			 mask;

	pthread_once(&ares_once, ares_global_init);
	if (ares_init_rc != ARES_SUCCESS)
		return P_EIO;
	memset(&o, 0, sizeof(o));
	/* SERVFAIL and REFUSED come back as they are: the check reports
	 * them instead of waiting for every try. */
	o.flags = ARES_FLAG_NOCHECKRESP;
	o.timeout = (int)cfg->timeout_ms;
	o.tries = (int)cfg->tries;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
	if (ares_init_options(ch, &o, mask) != ARES_SUCCESS)
		return P_EIO;
	if (cfg->servers != NULL && cfg->servers[0] != '\0' &&
	    ares_set_servers_ports_csv(*ch, cfg->servers) != ARES_SUCCESS) {
		ares_destroy(*ch);
		return P_EINVAL;
	}
	return P_OK;
}

/* Answers from the cache what it can; returns how many. */
static size_t
from_cache(struct dns_cache *cache, struct dns_table *tab, bool *done)
{
	struct dns_answer	 ans;
	unsigned char		*raw;
	size_t			 i, len, n = 0;
	long long		 now = dns_now_ms();

	for (i = 0; i < tab->nwant; i++) {
		done[i] = false;
		if (dns_cache_get(cache, tab->arena, tab->want[i].name,
		    tab->want[i].type, now, &raw, &len) != P_OK ||
		    dns_msg_parse(tab->arena, raw, len, tab->want[i].type,
		    &ans) != P_OK)
			continue;
		ans.cached = true;
		if (dns_table_put(tab, tab->want[i].name, tab->want[i].type,
		    &ans) == P_OK) {
			done[i] = true;
			n++;
		}
	}
	return n;
}

/* Drives the channel until nothing is left or the deadline passes. */
static void
event_loop(ares_channel ch, size_t *left, long long deadline)
{
	ares_socket_t	 socks[ARES_GETSOCK_MAXNUM];
	struct pollfd	 pfd[ARES_GETSOCK_MAXNUM];
	struct timeval	 maxtv, tvbuf, *tv;
	long long	 now, wait;
	unsigned	 bits, rd, wr;
	int		 i, nfd, n;

	while (*left > 0 && (now = dns_now_ms()) < deadline) {
		/* ARES_GETSOCK_WRITABLE shifts an int into its sign bit for
		 * the last socket: test the bits as unsigned. */
		bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0, nfd = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			rd = bits & (1u << i);
			wr = bits & (1u << (i + ARES_GETSOCK_MAXNUM));
			if (rd == 0 && wr == 0)
				continue;
			pfd[nfd].fd = socks[i];
			pfd[nfd].events = (short)((rd ? POLLIN : 0) |
			    (wr ? POLLOUT : 0));
			pfd[nfd].revents = 0;
			nfd++;
		}
		wait = deadline - now;
		maxtv.tv_sec = (time_t)(wait / 1000);
		maxtv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
		tv = ares_timeout(ch, &maxtv, &tvbuf);
		wait = (long long)tv->tv_sec * 1000 + tv->tv_usec / 1000;
		n = poll(pfd, (nfds_t)nfd, (int)(wait > 0 ? wait : 1));
		if (n <= 0) {
			/* Nothing ready: let c-ares retry or expire. */
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (i = 0; i < nfd; i++)
			if (pfd[i].revents != 0)
				ares_process_fd(ch,
				    pfd[i].revents & (POLLIN | POLLERR |
				    POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD,
				    pfd[i].revents & POLLOUT ? pfd[i].fd :
				    ARES_SOCKET_BAD);
	}
}

int
dns_resolve(const struct dns_config *cfg, struct dns_cache *cache,
    struct dns_table *tab, long long deadline, struct dns_stats *st)
{
	ares_channel		 ch;
	struct pending		*p;
	struct dns_answer	 ans;
	unsigned char		*q;
	bool			*done;
	size_t			 i, left = 0;
	int			 qlen, rc;

	if (tab->nwant == 0)
		return P_OK;
	done = arena_calloc(tab->arena, tab->nwant, sizeof(*done));
	p = arena_calloc(tab->arena, tab->nwant, sizeof(*p));
	if (done == NULL || p == NULL)
		return P_ENOMEM;
	st->cached += (unsigned)from_cache(cache, tab, done);
	if ((rc = channel_open(cfg, &ch)) != P_OK) {
		tab->nwant = 0;
		return rc;
	}
	for (i = 0; i < tab->nwant; i++) {
		if (done[i])
			continue;
		p[i].tab = tab;
		p[i].cache = cache;
		p[i].st = st;
		p[i].name = tab->want[i].name;
		p[i].type = tab->want[i].type;
		p[i].left = &left;
		if (ares_create_query(p[i].name, 1, (int)p[i].type, 0, 1, &q,
		    &qlen, 0) != ARES_SUCCESS) {
			memset(&ans, 0, sizeof(ans));
			ans.status = DNS_S_ERROR;
			(void)dns_table_put(tab, p[i].name, p[i].type, &ans);
			continue;
		}
		left++;
		st->sent++;
		/* The callback may run at once (and count down). */
		ares_send(ch, q, qlen, on_answer, &p[i]);
		ares_free_string(q);
	}
	event_loop(ch, &left, deadline);
	/* Late queries end as timeouts through their callbacks. */
	ares_cancel(ch);
	ares_destroy(ch);
	tab->nwant = 0;
	return P_OK;
}
