/* test_kb_export.c - the FAQ's JSON export and import against real SQLite
 * files: the seed exported, imported into a fresh base and exported again
 * gives the same bytes; an import updates by id keeping a revision; a bad
 * file changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bouncedesk/arena.h"
#include "bouncedesk/buf.h"
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

struct db {
	char		 path[64];
	struct store	*s;
};

static void
db_open(struct db *d, bool seed)
{
	char	 err[256];
	int	 fd, added = 0;

	snprintf(d->path, sizeof(d->path), "/tmp/test_kb_export.XXXXXX");
	fd = mkstemp(d->path);
	assert_true(fd >= 0);
	close(fd);
	d->s = store_open(d->path, false, err, sizeof(err));
	if (d->s == NULL)
		fail_msg("store_open: %s", err);
	if (store_migrate(d->s, "db/migrations", NULL, NULL, err,
	    sizeof(err)) != P_OK)
		fail_msg("migrate: %s", err);
	if (!seed)
		return;
	if (kb_seed_dir_count(d->s, "db/seed/faq", &added, err,
	    sizeof(err)) != P_OK)
		fail_msg("seed: %s", err);
	assert_true(added >= 60);
}

static void
db_close(struct db *d)
{
	char	 p[80];

	store_close(d->s);
	unlink(d->path);
	snprintf(p, sizeof(p), "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", d->path);
	unlink(p);
}

static void
export(struct db *d, struct buf *b)
{
	buf_init(b, 64 * 1024 * 1024);
	assert_int_equal(kb_export_json(d->s, b), P_OK);
	assert_true(b->len > 0);
}

static void
test_round_trip(void **state)
{
	struct db		 a, c;
	struct buf		 b1, b2;
	struct arena		*ar;
	struct kb_article	 art;
	char			 err[256];
	int			 added = -1, updated = -1;

	(void)state;
	db_open(&a, true);
	/* Something beyond the seed: an internal article with its own
	 * author and an explicit link. */
	memset(&art, 0, sizeof(art));
	art.lang = "en";
	art.title = "Internal: escalation contacts";
	art.category = "Staff::Procedures";
	art.state = "internal";
	art.keywords = "escalation";
	art.tags = "blocked";
	art.solution = "Call the *on-duty* admin.\n\n\"quoted\" \\ back";
	assert_int_equal(kb_article_save(a.s, &art, "alice"), P_OK);
	assert_int_equal(store_kb_link(a.s, art.id, 102), P_OK);
	export(&a, &b1);
	assert_non_null(strstr(buf_str(&b1), "\"bouncedesk-faq\""));
	assert_non_null(strstr(buf_str(&b1), "Internal: escalation"));
	assert_non_null(strstr(buf_str(&b1), "\"translation_of\": 21"));

	db_open(&c, false);
	assert_int_equal(kb_import_json(c.s, buf_str(&b1), b1.len, "bob",
	    &added, &updated, err, sizeof(err)), P_OK);
	assert_int_equal(updated, 0);
	assert_true(added >= 61);
	export(&c, &b2);
	assert_int_equal(b1.len, b2.len);
	assert_string_equal(buf_str(&b1), buf_str(&b2));

	/* The imported base answers searches: the index followed. */
	ar = arena_new(0);
	assert_non_null(ar);
	assert_int_equal(kb_article_get(c.s, ar, art.id, true, &art), P_OK);
	assert_string_equal(art.created_by, "alice");
	assert_string_equal(art.state, "internal");
	arena_free(ar);

	buf_cleanup(&b1);
	buf_cleanup(&b2);
	db_close(&a);
	db_close(&c);
}

static void
test_update_keeps_revision(void **state)
{
	static const char doc[] =
	    "{\"format\": \"bouncedesk-faq\", \"version\": 1, \"articles\": ["
	    "{\"id\": 25, \"lang\": \"fr\", \"title\": \"DKIM : sélecteurs\","
	    " \"category\": \"Mail::Security\", \"tags\": \"dkim\","
	    " \"related\": [7]}]}";
	struct db		 d;
	struct arena		*ar;
	struct kb_article	 art;
	long long		 before, after;
	char			 err[256];
	int			 added = -1, updated = -1;

	(void)state;
	db_open(&d, true);
	assert_int_equal(kb_revision_count(d.s, 25, &before), P_OK);
	assert_int_equal(kb_import_json(d.s, doc, strlen(doc), "carol",
	    &added, &updated, err, sizeof(err)), P_OK);
	assert_int_equal(added, 0);
	assert_int_equal(updated, 1);
	assert_int_equal(kb_revision_count(d.s, 25, &after), P_OK);
	assert_int_equal(after, before + 1);
	ar = arena_new(0);
	assert_non_null(ar);
	assert_int_equal(kb_article_get(d.s, ar, 25, true, &art), P_OK);
	assert_string_equal(art.title, "DKIM : sélecteurs");
	assert_string_equal(art.changed_by, "carol");
	arena_free(ar);
	db_close(&d);
}

static void
test_bad_files_change_nothing(void **state)
{
	static const char *bad[] = {
		"",
		"[]",
		"{\"format\": \"other\", \"version\": 1, \"articles\": []}",
		"{\"format\": \"bouncedesk-faq\", \"version\": 2, "
		"\"articles\": []}",
		/* the second article is broken: the first must not stay */
		"{\"format\": \"bouncedesk-faq\", \"version\": 1, \"articles\":"
		" [{\"id\": 900, \"lang\": \"fr\", \"title\": \"ok\"},"
		" {\"id\": 901, \"lang\": \"de\", \"title\": \"x\"}]}",
		/* translation to an article in the same language */
		"{\"format\": \"bouncedesk-faq\", \"version\": 1, \"articles\":"
		" [{\"id\": 900, \"lang\": \"fr\", \"title\": \"ok\","
		" \"translation_of\": 1}]}",
		/* a link to nothing */
		"{\"format\": \"bouncedesk-faq\", \"version\": 1, \"articles\":"
		" [{\"id\": 900, \"lang\": \"fr\", \"title\": \"ok\","
		" \"related\": [77777]}]}",
		/* the same id twice */
		"{\"format\": \"bouncedesk-faq\", \"version\": 1, \"articles\":"
		" [{\"id\": 900, \"lang\": \"fr\", \"title\": \"a\"},"
		" {\"id\": 900, \"lang\": \"fr\", \"title\": \"b\"}]}",
	};
	struct db	 d;
	struct buf	 b1, b2;
	char		 err[256];
	size_t		 i;

	(void)state;
	db_open(&d, true);
	export(&d, &b1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (kb_import_json(d.s, bad[i], strlen(bad[i]), "x", NULL,
		    NULL, err, sizeof(err)) == P_OK)
			fail_msg("bad file %zu imported", i);
		assert_true(err[0] != '\0');
	}
	export(&d, &b2);
	assert_string_equal(buf_str(&b1), buf_str(&b2));
	buf_cleanup(&b1);
	buf_cleanup(&b2);
	db_close(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_update_keeps_revision),
		cmocka_unit_test(test_bad_files_change_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
