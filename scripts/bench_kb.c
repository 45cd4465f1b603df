/* scripts/bench_kb.c - FAQ search latency over a generated base. Built and
 * run by scripts/bench_kb.sh against the project library.
 *
 * bench_kb DB N ROUNDS: migrates a new database DB, loads the seed
 * articles, adds N generated articles (half French, half English, text
 * drawn from a fixed vocabulary with a skewed distribution, codes
 * sprinkled in) in one transaction, then runs a fixed list of queries
 * ROUNDS times through kb_search, as the /faq page does, and prints the
 * p50, p90, p99 and worst latency. Deterministic: the same N gives the
 * same base. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

static const char *const words_fr[] = {
	"message", "envoi", "serveur", "boîte", "adresse", "destinataire",
	"erreur", "compte", "mot", "passe", "quota", "heure", "bloqué",
	"déblocage", "réception", "domaine", "enregistrement", "antispam",
	"filtre", "pièce", "jointe", "taille", "retour", "délai", "logiciel",
	"messagerie", "configuration", "sécurité", "piratage", "site",
	"formulaire", "liste", "diffusion", "abonné", "réputation", "adresse",
	"chiffrement", "authentification", "identifiant", "port", "connexion",
	"temporaire", "permanent", "refusé", "accepté", "vérifier", "changer",
	"attendre", "contacter", "support", "client", "console", "paramètre",
	"certificat", "enregistrer", "supprimer", "ajouter", "modifier",
};
static const char *const words_en[] = {
	"message", "sending", "server", "mailbox", "address", "recipient",
	"error", "account", "password", "quota", "hour", "blocked", "unblock",
	"receiving", "domain", "record", "spam", "filter", "attachment",
	"size", "bounce", "delay", "program", "mail", "settings", "security",
	"hacked", "website", "form", "mailing", "list", "subscriber",
	"reputation", "encryption", "authentication", "login", "port",
	"connection", "temporary", "permanent", "refused", "accepted",
	"check", "change", "wait", "contact", "support", "customer", "console",
	"certificate", "save", "delete", "add", "edit", "outgoing", "incoming",
};
static const char *const codes[] = {
	"550", "5.1.1", "552", "5.2.2", "554", "5.7.1", "421", "4.7.0", "451",
	"4.3.2", "0x800CCC0E", "0x800CCC0F", "535", "5.7.8", "5.7.26",
};
static const char *const categories[] = {
	"Mail::Sending", "Mail::Bounces", "Mail::Clients", "Mail::Security",
	"Hosting::Web", "Hosting::Databases", "Hosting::Domains",
};

/* The queries people type, typos and codes included, in both languages. */
static const struct {
	const char	*q, *lang;
} queries[] = {
	{ "boite pleine", "fr" }, { "quota d'envoi", "fr" },
	{ "550 5.1.1", "fr" }, { "destinataire inconnu", "fr" },
	{ "authentifcation smtp", "fr" }, { "bloqué envoi", "fr" },
	{ "mot de passe serveur sortant", "fr" }, { "0x800CCC0E", "fr" },
	{ "liste noire", "fr" }, { "piratage site", "fr" },
	{ "pièce jointe trop grosse", "fr" }, { "quotat", "fr" },
	{ "dns inverse", "fr" }, { "greylisting", "fr" },
	{ "message refusé spam", "fr" }, { "port 587", "fr" },
	{ "mailbox full", "en" }, { "sending quota", "en" },
	{ "user unknown", "en" }, { "5.7.1 rejected", "en" },
	{ "smtp authentication", "en" }, { "blacklist delisting", "en" },
	{ "hacked website", "en" }, { "message too large", "en" },
	{ "reverse dns", "en" }, { "relay access denied", "en" },
	{ "outlok error", "en" }, { "spam score", "en" },
	{ "thunderbird sending failed", "en" }, { "mailing list", "en" },
	{ "zzqv wobble", "en" }, { "4.7.0", NULL },
};

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Skewed: low indexes come far more often (a rough Zipf). */
static unsigned
skewed(unsigned n)
{
	unsigned	 a = rnd(n), b = rnd(n);

	return a < b ? a : b;
}

/* A made-up word from syllables: a vocabulary of a few thousand. */
static int
made_up(struct buf *b)
{
	static const char *const syl[] = { "ba", "ker", "lo", "mi", "tra",
	    "ven", "zo", "ru", "pel", "sa", "dor", "qui", "fa", "neb", "tis" };
	unsigned	 i, n = 2 + rnd(2), w = skewed(3000);
	int		 rc = P_OK;

	for (i = 0; i < n && rc == P_OK; i++) {
		rc = buf_puts(b, syl[w % 15]);
		w /= 15;
	}
	return rc;
}

static int
sentence(struct buf *b, const char *const *w, size_t nw, unsigned words)
{
	unsigned	 i, r;
	int		 rc = P_OK;

	for (i = 0; i < words && rc == P_OK; i++) {
		if (i > 0)
			rc = buf_putc(b, ' ');
		r = rnd(100);
		if (rc == P_OK && r < 55)
			rc = buf_puts(b, w[skewed((unsigned)nw)]);
		else if (rc == P_OK && r < 58)
			rc = buf_puts(b, codes[rnd(sizeof(codes) /
			    sizeof(codes[0]))]);
		else if (rc == P_OK)
			rc = made_up(b);
	}
	return rc == P_OK ? buf_puts(b, ".\n") : rc;
}

static char *
text(const char *const *w, size_t nw, unsigned sentences, unsigned words)
{
	struct buf	 b;
	unsigned	 i;
	char		*out;
	int		 rc = P_OK;

	buf_init(&b, KB_BODY_MAX);
	for (i = 0; i < sentences && rc == P_OK; i++)
		rc = sentence(&b, w, nw, words / 2 + rnd(words));
	out = rc == P_OK ? buf_take(&b, NULL) : NULL;
	buf_cleanup(&b);
	return out;
}

static int
generate(struct store *s, int n)
{
	struct kb_article	 a;
	const char *const	*w;
	size_t			 nw;
	char			*t[5];
	int			 i, k, rc = P_OK;

	if (store_begin(s) != P_OK)
		return P_EDB;
	for (i = 0; i < n && rc == P_OK; i++) {
		memset(&a, 0, sizeof(a));
		a.lang = i % 2 == 0 ? "fr" : "en";
		w = i % 2 == 0 ? words_fr : words_en;
		nw = i % 2 == 0 ? sizeof(words_fr) / sizeof(words_fr[0]) :
		    sizeof(words_en) / sizeof(words_en[0]);
		t[0] = text(w, nw, 1, 6);	/* title */
		t[1] = text(w, nw, 1, 8);	/* keywords */
		t[2] = text(w, nw, 2, 14);
		t[3] = text(w, nw, 3, 16);
		t[4] = text(w, nw, 5, 18);
		if (t[0] == NULL || t[1] == NULL || t[2] == NULL ||
		    t[3] == NULL || t[4] == NULL)
			rc = P_ENOMEM;
		if (rc == P_OK) {
			t[0][strcspn(t[0], ".\n")] = '\0';
			a.title = t[0];
			a.keywords = t[1];
			a.symptom = t[2];
			a.problem = t[3];
			a.solution = t[4];
			a.category = categories[rnd(sizeof(categories) /
			    sizeof(categories[0]))];
			a.state = rnd(20) == 0 ? "internal" : "public";
			a.tags = "";
			rc = kb_article_create(s, &a, "bench");
		}
		for (k = 0; k < 5; k++)
			free(t[k]);
	}
	if (rc == P_OK)
		return store_commit(s);
	store_rollback(s);
	return rc;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Prints the five queries of the highest values (v is spoilt). */
static void
slowest(const char *label, double *v, size_t nq)
{
	size_t	 i, k, w;

	printf("%s", label);
	for (k = 0; k < 5; k++) {
		for (w = 0, i = 1; i < nq; i++)
			if (v[i] > v[w])
				w = i;
		printf("%s \"%s\" %.2f", k > 0 ? "," : "", queries[w].q,
		    v[w]);
		v[w] = -1;
	}
	printf("\n");
}

/* One search as the /faq page runs it; its time in ms, -1 on failure. */
static double
timed(struct store *s, size_t i, struct kb_results *r)
{
	struct arena	*a;
	double		 t0, t;

	if ((a = arena_new(0)) == NULL)
		return -1;
	t0 = now_ms();
	if (kb_search(s, a, queries[i].q, queries[i].lang, NULL, 1, 10,
	    false, r) != P_OK) {
		fprintf(stderr, "bench_kb: search \"%s\" failed\n",
		    queries[i].q);
		arena_free(a);
		return -1;
	}
	t = now_ms() - t0;
	arena_free(a);
	return t;
}

static size_t
query_index(const char *q)
{
	size_t	 i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		if (strcmp(queries[i].q, q) == 0)
			return i;
	return 0;
}

/* An edit changes the generation. The edit as the portal saves it
 * (kb_article_save) rebuilds the typo vocabulary of the process and the
 * ranking tables of its own connection; another connection of the pool
 * rebuilds its tables at its next search. What each of these costs. */
static int
after_edit(struct store *s, const char *path)
{
	static const char *const probe[] = { "sending quota", "quotat" };
	struct kb_results	 r;
	struct kb_article	 art;
	struct store		*other;
	struct arena		*a;
	double			 t0, t[3];
	char			 err[256];
	size_t			 k;

	if ((a = arena_new(0)) == NULL ||
	    kb_article_get(s, a, 1, true, &art) != P_OK) {
		fprintf(stderr, "bench_kb: no article 1\n");
		return 1;
	}
	art.title = "Configurer l'authentification SMTP (revu)";
	t0 = now_ms();
	if (kb_article_save(s, &art, "bench") != P_OK) {
		fprintf(stderr, "bench_kb: save: %s\n", store_errmsg(s));
		return 1;
	}
	t0 = now_ms() - t0;
	arena_free(a);
	for (k = 0; k < 2; k++)
		if ((t[k] = timed(s, query_index(probe[k]), &r)) < 0)
			return 1;
	if ((other = store_open(path, false, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bench_kb: %s\n", err);
		return 1;
	}
	t[2] = timed(other, query_index(probe[0]), &r);
	store_close(other);
	if (t[2] < 0)
		return 1;
	printf("an edit saved in %.2f ms (vocabulary and tables rebuilt), "
	    "then \"%s\" %.3f ms, \"%s\" %.3f ms; on another connection, "
	    "\"%s\" first %.3f ms (its tables rebuilt)\n", t0, probe[0], t[0],
	    probe[1], t[1], probe[0], t[2]);
	return 0;
}

int
main(int argc, char **argv)
{
	struct kb_results	 r;
	struct store		*s;
	double			*lat, *per, *worst, *cold, t0, total = 0;
	char			 err[256];
	size_t			 nq = sizeof(queries) / sizeof(queries[0]);
	size_t			 i, k, m = 0;
	int			 n, rounds, added = 0;
	long long		 hits = 0;

	if (argc != 4 || (n = (int)strtol(argv[2], NULL, 10)) < 0 ||
	    (rounds = (int)strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: bench_kb DB N ROUNDS\n");
		return 2;
	}
	if ((s = store_open(argv[1], false, err, sizeof(err))) == NULL ||
	    store_migrate(s, "db/migrations", NULL, NULL, err,
	    sizeof(err)) != P_OK ||
	    kb_seed_dir_count(s, "db/seed/faq", &added, err,
	    sizeof(err)) != P_OK) {
		fprintf(stderr, "bench_kb: %s\n", err);
		return 1;
	}
	t0 = now_ms();
	if (generate(s, n) != P_OK) {
		fprintf(stderr, "bench_kb: generate: %s\n", store_errmsg(s));
		return 1;
	}
	/* As after an import (src/kb/export.c): one segment per index. */
	if (store_kb_optimize(s) != P_OK) {
		fprintf(stderr, "bench_kb: optimize: %s\n", store_errmsg(s));
		return 1;
	}
	printf("base: %d seed + %d generated articles, built in %.1f s\n",
	    added, n, (now_ms() - t0) / 1e3);
	if ((lat = calloc(nq * (size_t)rounds, sizeof(*lat))) == NULL ||
	    (per = calloc(nq, sizeof(*per))) == NULL ||
	    (worst = calloc(nq, sizeof(*worst))) == NULL ||
	    (cold = calloc(nq, sizeof(*cold))) == NULL)
		return 1;
	/* The first pass starts with every cache of the connection empty
	 * (the article table, phrase counts and frequency tables of
	 * src/store/store_kbrank.c): its figures are printed apart. */
	for (i = 0; i < nq; i++)
		if ((cold[i] = timed(s, i, &r)) < 0)
			return 1;
	for (k = 0; k < (size_t)rounds; k++)
		for (i = 0; i < nq; i++) {
			if ((lat[m] = timed(s, i, &r)) < 0)
				return 1;
			total += lat[m];
			per[i] += lat[m] / rounds;
			if (lat[m] > worst[i])
				worst[i] = lat[m];
			hits += r.nhits > 0;
			m++;
		}
	qsort(lat, m, sizeof(*lat), cmp_double);
	printf("FAQ search over %zu queries x %d rounds: p50 %.3f ms, "
	    "p90 %.3f ms, p99 %.3f ms, max %.3f ms, mean %.3f ms "
	    "(%lld of %zu with results)\n", nq, rounds, lat[m / 2],
	    lat[m * 90 / 100], lat[m * 99 / 100], lat[m - 1], total /
	    (double)m, hits, m);
	/* Where the tail comes from: the slowest queries on average, and
	 * the queries of the slowest single runs. */
	slowest("slowest queries (mean ms):", per, nq);
	slowest("slowest single runs (ms):", worst, nq);
	for (k = 0, i = 1; i < nq; i++)
		if (cold[i] > cold[k])
			k = i;
	printf("first pass, caches empty at the start: max %.3f ms "
	    "(\"%s\"), ", cold[k], queries[k].q);
	qsort(cold, nq, sizeof(*cold), cmp_double);
	printf("p50 %.3f ms\n", cold[nq / 2]);
	if (after_edit(s, argv[1]) != 0)
		return 1;
	free(cold);
	free(worst);
	free(per);
	free(lat);
	store_close(s);
	return 0;
}
