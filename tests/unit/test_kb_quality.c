/* test_kb_quality.c - search quality of the knowledge base: realistic
 * queries, as customers type them (French and English, with and without
 * accents, misspelt, pasted codes), each with the article that must come
 * first or in the top three. Runs against a real SQLite file with every
 * migration applied and the seed of db/seed/faq loaded. A failing query
 * is fixed in the seed articles (keywords, tags), never here. */
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
#include "bouncedesk/err.h"
#include "bouncedesk/kb.h"
#include "bouncedesk/store.h"

#include "testdb.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))


/* One query: lang NULL searches both languages; top is 1 (must come
 * first) or 3 (must be in the first three). */
struct want {
	const char	*q;
	const char	*lang;
	long long	 id;
	size_t		 top;
};

static const struct want wants[] = {
	/* French, plain words */
	{ "quota d'envoi par heure", "fr", 1, 1 },
	{ "débloquer mon compte", "fr", 2, 1 },
	{ "authentification smtp outlook", "fr", 3, 3 },
	{ "relay access denied", "fr", 4, 1 },
	{ "destinataire inconnu", "fr", 5, 1 },
	{ "boîte pleine", "fr", 6, 1 },
	{ "liste noire spamhaus", "fr", 8, 1 },
	{ "site piraté fichiers malveillants", "fr", 21, 1 },
	{ "captcha formulaire de contact", "fr", 21, 3 },
	{ "boite mail piratée changer mot de passe", "fr", 22, 1 },
	{ "rotation des clés dkim", "fr", 25, 1 },
	{ "sélecteur dkim", "fr", 25, 1 },
	{ "rapport dmarc rua", "fr", 26, 1 },
	{ "différence webmail et logiciel", "fr", 27, 1 },
	{ "fonction mail php", "fr", 28, 1 },
	{ "redirection vers gmail refusée", "fr", 29, 1 },
	{ "thunderbird redemande le mot de passe", "fr", 30, 1 },
	/* French without accents */
	{ "deblocage", "fr", 2, 1 },
	{ "boite pleine", "fr", 6, 1 },
	{ "echec de l'envoi thunderbird", "fr", 17, 1 },
	{ "selecteur dkim", "fr", 25, 1 },
	{ "message trop volumineux piece jointe", "fr", 13, 1 },
	/* French misspelt */
	{ "authentifcation smtp", "fr", 3, 3 },
	{ "quotat d'envoi", "fr", 1, 3 },
	{ "greylistng", "fr", 9, 1 },
	{ "dkim selecteur rotasion", "fr", 25, 3 },
	/* English */
	{ "sending quota per hour", "en", 101, 1 },
	{ "how to unblock my account", "en", 102, 3 },
	{ "smtp authentication mail client", "en", 103, 1 },
	{ "mailbox full", "en", 106, 1 },
	{ "spf dkim dmarc", "en", 107, 1 },
	{ "missing reverse dns ptr", "en", 116, 1 },
	{ "hacked website malicious files", "en", 121, 1 },
	{ "hacked mailbox change password devices", "en", 122, 1 },
	{ "temporary 4xx errors", "en", 123, 3 },
	{ "permanent 5xx codes", "en", 124, 1 },
	{ "dkim key rotation", "en", 125, 1 },
	{ "dmarc aggregate reports", "en", 126, 1 },
	{ "webmail vs mail client", "en", 127, 1 },
	{ "php mail website quota", "en", 128, 1 },
	{ "forwarding srs spf", "en", 129, 1 },
	{ "thunderbird certificate", "en", 130, 3 },
	{ "attachment too large", "en", 113, 1 },
	/* English misspelt */
	{ "blaclist delisting", "en", 108, 3 },
	{ "forwardng spf", "en", 129, 3 },
	{ "spamasassin score", "en", 120, 3 },
	/* codes, as pasted */
	{ "550 5.1.1", "fr", 5, 3 },
	{ "5.7.1", "en", 124, 3 },
	{ "0x800CCC0E", "fr", 10, 1 },
	{ "0x800ccc0e", "en", 110, 1 },
	{ "4.7.28", "en", 123, 3 },
	{ "552 5.3.4", "en", 113, 1 },
	{ "5.2.2", "fr", 6, 3 },
	{ "5.7.26", "en", 107, 3 },
	/* no language given: either version counts as the answer */
	{ "srs", NULL, 29, 3 },
	{ "rua", NULL, 26, 3 },
};

static int
setup(void **state)
{
	*state = testdb_open("test_kb_quality", 60);
	return 0;
}

static int
teardown(void **state)
{
	testdb_close(*state);
	return 0;
}

/* The same article in either language (N and 100 + N). */
static bool
same_article(long long got, long long want, const char *lang)
{
	if (got == want)
		return true;
	if (lang != NULL)
		return false;
	return got % 100 == want % 100;
}

/* Every query of the table; all failures are printed before the test
 * fails, with the figures (first, top 3) on the last line. */
static void
test_quality_table(void **state)
{
	struct testdb		*f = *state;
	struct kb_results	 r;
	const struct want	*w;
	size_t			 i, k, first = 0, top3 = 0, bad = 0;
	int			 rc;

	assert_true(NELEM(wants) >= 40);
	for (i = 0; i < NELEM(wants); i++) {
		w = &wants[i];
		rc = kb_search(f->s, f->a, w->q, w->lang, NULL, 1, 10, false,
		    &r);
		if (rc != P_OK)
			fail_msg("search \"%s\": %s", w->q, perr_name(rc));
		for (k = 0; k < r.nhits && k < 3; k++)
			if (same_article(r.hits[k].id, w->id, w->lang))
				break;
		if (k == 0)
			first++;
		if (k < 3)
			top3++;
		if (k >= w->top) {
			bad++;
			print_message("miss: \"%s\" (%s) wants %lld in top %zu;"
			    " got", w->q, w->lang != NULL ? w->lang : "any",
			    w->id, w->top);
			for (k = 0; k < r.nhits && k < 3; k++)
				print_message(" %lld", r.hits[k].id);
			print_message("\n");
		}
	}
	print_message("quality: %zu queries, %zu first, %zu in top 3, "
	    "%zu below their mark\n", NELEM(wants), first, top3, bad);
	assert_int_equal(bad, 0);
}

/* Each new article answers in its own language only when asked so. */
static void
test_quality_language(void **state)
{
	struct testdb		*f = *state;
	struct kb_results	 r;

	assert_int_equal(kb_search(f->s, f->a, "srs", "en", NULL, 1, 10,
	    false, &r), P_OK);
	assert_true(r.nhits > 0);
	assert_string_equal(r.hits[0].lang, "en");
	assert_int_equal(kb_search(f->s, f->a, "srs", "fr", NULL, 1, 10,
	    false, &r), P_OK);
	assert_true(r.nhits > 0);
	assert_string_equal(r.hits[0].lang, "fr");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quality_table),
		cmocka_unit_test(test_quality_language),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
