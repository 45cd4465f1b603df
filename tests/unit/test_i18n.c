/* test_i18n.c - unit tests for src/util/i18n.c: language negotiation
 * (table-driven), catalogue loading, look-ups and their fallbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bouncedesk/i18n.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_negotiate(void **state)
{
	static const struct {
		const char *param, *cookie, *al, *dflt, *want;
	} cases[] = {
		/* no information: the default */
		{ NULL, NULL, NULL, "fr", "fr" },
		{ NULL, NULL, NULL, "en", "en" },
		{ NULL, NULL, NULL, NULL, "fr" },
		{ NULL, NULL, NULL, "de", "fr" },
		{ NULL, NULL, "", "en", "en" },
		/* parameter, then cookie, then header */
		{ "en", "fr", "fr", "fr", "en" },
		{ "fr", "en", "en", "en", "fr" },
		{ NULL, "en", "fr", "fr", "en" },
		{ "de", "en", "fr", "fr", "en" },
		{ "", "", "en", "fr", "en" },
		{ "xx", "garbage", "en", "fr", "en" },
		{ "EN", NULL, NULL, "fr", "en" },
		{ "en-US", NULL, NULL, "fr", "en" },
		{ "english", NULL, NULL, "fr", "fr" },
		/* Accept-Language with q-values */
		{ NULL, NULL, "en-GB,en;q=0.9,fr;q=0.8", "fr", "en" },
		{ NULL, NULL, "de, fr;q=0.5", "en", "fr" },
		{ NULL, NULL, "de, en;q=0.5, fr;q=0.6", "en", "fr" },
		{ NULL, NULL, "fr;q=0.1, en;q=0.2", "fr", "en" },
		{ NULL, NULL, "fr-CA", "en", "fr" },
		{ NULL, NULL, "EN-us", "fr", "en" },
		{ NULL, NULL, "en, fr", "fr", "en" },
		{ NULL, NULL, "fr, en", "en", "fr" },
		{ NULL, NULL, "en;q=0.5, fr;q=0.5", "fr", "en" },
		{ NULL, NULL, "en;q=0, fr;q=0.1", "en", "fr" },
		{ NULL, NULL, "en;q=0", "fr", "fr" },
		{ NULL, NULL, "en;q=0, fr;q=0", "en", "en" },
		{ NULL, NULL, "de-DE,de;q=0.9", "en", "en" },
		{ NULL, NULL, "en ; q = 0.9", "fr", "fr" },
		{ NULL, NULL, "en ;q=0.9", "fr", "en" },
		{ NULL, NULL, "en;Q=1.000", "fr", "en" },
		{ NULL, NULL, "  en  ,  fr;q=0.1  ", "fr", "en" },
		/* "*" covers the languages not named, the default first */
		{ NULL, NULL, "*", "en", "en" },
		{ NULL, NULL, "de, *;q=0.5", "fr", "fr" },
		{ NULL, NULL, "fr;q=0, *", "fr", "en" },
		{ NULL, NULL, "*;q=0.1, en;q=0.5", "fr", "en" },
		{ NULL, NULL, "*;q=0", "en", "en" },
		/* malformed items are skipped, the rest still counts */
		{ NULL, NULL, "en;q=2, fr;q=0.3", "en", "fr" },
		{ NULL, NULL, "en;q=0.1234, fr;q=0.3", "en", "fr" },
		{ NULL, NULL, "en;q=1.5", "fr", "fr" },
		{ NULL, NULL, "en;q=, fr;q=0.3", "en", "fr" },
		{ NULL, NULL, "en;level=1", "fr", "fr" },
		{ NULL, NULL, "e*n", "fr", "fr" },
		/* garbage gives the default */
		{ NULL, NULL, ";;;,,,", "en", "en" },
		{ NULL, NULL, "\xff\xfe\x01", "en", "en" },
		{ NULL, NULL, "q=0.9", "fr", "fr" },
		{ NULL, NULL, ",,,en", "fr", "en" },
		{ NULL, NULL, "enfr", "fr", "fr" },
		{ NULL, NULL, "e", "fr", "fr" },
	};
	const char	*got;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		got = i18n_negotiate(cases[i].param, cases[i].cookie,
		    cases[i].al, cases[i].dflt);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: negotiate(%s, %s, \"%s\", %s): "
			    "got %s, want %s", i,
			    cases[i].param ? cases[i].param : "NULL",
			    cases[i].cookie ? cases[i].cookie : "NULL",
			    cases[i].al ? cases[i].al : "NULL",
			    cases[i].dflt ? cases[i].dflt : "NULL",
			    got ? got : "NULL", cases[i].want);
	}
}

static void
test_negotiate_long_header(void **state)
{
	char	 al[8192];
	size_t	 n = 0;

	(void)state;
	/* Many unsupported items, the supported one far beyond the items
	 * looked at: the default, and no overrun. */
	while (n + 8 < sizeof(al) - 16) {
		memcpy(al + n, "de;q=1,", 7);
		n += 7;
	}
	memcpy(al + n, "en", 3);
	assert_string_equal(i18n_negotiate(NULL, NULL, al, "fr"), "fr");
	/* A long language tag is no crash either. */
	memset(al, 'a', sizeof(al) - 1);
	al[sizeof(al) - 1] = '\0';
	assert_string_equal(i18n_negotiate(NULL, NULL, al, "en"), "en");
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
remove_file(const char *dir, const char *name)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void
test_load_and_get(void **state)
{
	char			 dir[] = "/tmp/test_i18n.XXXXXX", err[256];
	struct json_object	*cat, *v;
	struct i18n		*i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "fr.json", "{\"hello\":\"Bonjour\","
	    "\"only_fr\":\"Seulement en fran\\u00e7ais\"}");
	write_file(dir, "en.json", "{\"hello\":\"Hello\",\"only_en\":\"E\"}");
	i = i18n_load(dir, err, sizeof(err));
	if (i == NULL)
		fail_msg("i18n_load: %s", err);
	assert_string_equal(i18n_get(i, "fr", "hello"), "Bonjour");
	assert_string_equal(i18n_get(i, "en", "hello"), "Hello");
	assert_string_equal(i18n_get(i, "en-GB", "hello"), "Hello");
	/* fallbacks: French, then the key itself */
	assert_string_equal(i18n_get(i, "en", "only_fr"),
	    "Seulement en fran\xc3\xa7" "ais");
	assert_string_equal(i18n_get(i, "fr", "only_en"), "only_en");
	assert_string_equal(i18n_get(i, "de", "hello"), "Bonjour");
	assert_string_equal(i18n_get(i, NULL, "hello"), "Bonjour");
	assert_string_equal(i18n_get(i, "en", "missing.key"), "missing.key");
	/* catalogues are the objects themselves */
	cat = i18n_catalogue(i, "en");
	assert_true(json_object_object_get_ex(cat, "only_en", &v));
	assert_false(json_object_object_get_ex(cat, "only_fr", &v));
	cat = i18n_catalogue(i, "xx");
	assert_true(json_object_object_get_ex(cat, "only_fr", &v));
	i18n_free(i);

	/* a value that is not a string is refused, naming the key */
	write_file(dir, "en.json", "{\"hello\":\"Hello\",\"n\":3}");
	assert_null(i18n_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "\"n\" is not a string"));
	/* a broken file is refused, naming the file */
	write_file(dir, "en.json", "{\"hello\":");
	assert_null(i18n_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "en.json"));
	write_file(dir, "en.json", "[\"not\",\"an\",\"object\"]");
	assert_null(i18n_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "en.json"));
	/* a missing language is refused */
	remove_file(dir, "en.json");
	assert_null(i18n_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "en.json"));
	assert_null(i18n_load(dir, NULL, 0));
	remove_file(dir, "fr.json");
	rmdir(dir);

	/* NULL handles are tolerated */
	assert_string_equal(i18n_get(NULL, "fr", "k"), "k");
	assert_null(i18n_catalogue(NULL, "fr"));
	i18n_free(NULL);
}

static void
test_real_catalogues(void **state)
{
	const char	*suffix = "tests/unit/test_i18n.c";
	size_t		 n = strlen(__FILE__), s = strlen(suffix);
	char		 dir[4200], err[256];
	struct i18n	*i;

	(void)state;
	if (n > s && strcmp(&__FILE__[n - s], suffix) == 0)
		snprintf(dir, sizeof(dir), "%.*stemplates/i18n", (int)(n - s),
		    __FILE__);
	else
		snprintf(dir, sizeof(dir), "templates/i18n");
	i = i18n_load(dir, err, sizeof(err));
	if (i == NULL)
		fail_msg("i18n_load(%s): %s", dir, err);
	assert_string_equal(i18n_get(i, "fr", "paste_label"),
	    "Collez ici le message d'erreur re\xc3\xa7u");
	assert_string_equal(i18n_get(i, "en", "paste_label"),
	    "Paste the error message you received here");
	i18n_free(i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_negotiate_long_header),
		cmocka_unit_test(test_load_and_get),
		cmocka_unit_test(test_real_catalogues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
