/* tests/unit/testdb.h - a real SQLite file in /tmp with every migration
 * applied (and the seed FAQ loaded), for the knowledge-base tests. Header
 * only: each test program includes it once. */
#ifndef BOUNCEDESK_TESTDB_H
#define BOUNCEDESK_TESTDB_H
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct testdb {
	char		 path[64];
	struct store	*s;
	struct arena	*a;
};

/* Opens a fresh database named after name, every migration applied. */
static inline struct testdb *
testdb_open_bare(const char *name)
{
	struct testdb	*f;
	char		 err[256];
	int		 fd;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->path, sizeof(f->path), "/tmp/%s.XXXXXX", name);
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	f->s = store_open(f->path, false, err, sizeof(err));
	if (f->s == NULL)
		fail_msg("store_open: %s", err);
	if (store_migrate(f->s, "db/migrations", NULL, NULL, err,
	    sizeof(err)) != P_OK)
		fail_msg("migrate: %s", err);
	f->a = arena_new(0);
	assert_non_null(f->a);
	return f;
}

/* The same with the seed FAQ loaded; fails the test when fewer than
 * min_articles seed articles load. */
static inline struct testdb *
testdb_open(const char *name, int min_articles)
{
	struct testdb	*f = testdb_open_bare(name);
	char		 err[256];
	int		 added = 0;

	if (kb_seed_dir_count(f->s, "db/seed/faq", &added, err,
	    sizeof(err)) != P_OK)
		fail_msg("seed: %s", err);
	if (added < min_articles)
		fail_msg("seed added %d articles, want at least %d", added,
		    min_articles);
	return f;
}

/* Closes and removes the database with its WAL files. */
static inline void
testdb_close(struct testdb *f)
{
	char	 p[80];

	arena_free(f->a);
	store_close(f->s);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
}

#endif /* BOUNCEDESK_TESTDB_H */
