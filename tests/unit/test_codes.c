/* test_codes.c - SMTP reply and enhanced status code tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bouncedesk/codes.h"

static void
test_counts(void **state)
{
	(void)state;
	assert_true(codes_reply_count() >= 35);
	/* X.0.0, 1.0-1.10, 2.0-2.4, 3.0-3.6, 4.0-4.7, 5.0-5.6, 6.0-6.10,
	 * 7.0-7.30. */
	assert_int_equal(codes_enhanced_count(), 1 + 11 + 5 + 7 + 8 + 7 +
	    11 + 31);
	assert_null(codes_reply_at(codes_reply_count()));
	assert_null(codes_enhanced_at(codes_enhanced_count()));
}

static void
check_entry(const struct code_info *ci)
{
	assert_non_null(ci);
	assert_true(ci->title_en[0] != '\0' && ci->title_fr[0] != '\0');
	assert_true(strlen(ci->text_en) > 20 && strlen(ci->text_fr) > 20);
	/* One sentence: ends with a full stop. */
	assert_int_equal(ci->text_en[strlen(ci->text_en) - 1], '.');
	assert_int_equal(ci->text_fr[strlen(ci->text_fr) - 1], '.');
	assert_string_not_equal(ci->text_en, ci->text_fr);
}

static void
test_reply_table(void **state)
{
	const struct code_info	*ci, *prev = NULL;
	size_t			 i;

	(void)state;
	for (i = 0; i < codes_reply_count(); i++) {
		ci = codes_reply_at(i);
		check_entry(ci);
		assert_int_equal(strlen(ci->code), 3);
		if (prev != NULL && strcmp(prev->code, ci->code) >= 0)
			fail_msg("not sorted: %s then %s", prev->code, ci->code);
		/* Every entry is found by its own code. */
		assert_ptr_equal(codes_reply(ci->code), ci);
		prev = ci;
	}
}

static void
test_reply_required(void **state)
{
	static const char *const want[] = {
		"211", "214", "220", "221", "235", "250", "251", "252", "334",
		"354", "421", "450", "451", "452", "454", "455", "500", "501",
		"502", "503", "504", "521", "530", "534", "535", "538", "550",
		"551", "552", "553", "554", "555", "556"
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (codes_reply(want[i]) == NULL)
			fail_msg("missing reply code %s", want[i]);
}

static void
test_reply_lookup(void **state)
{
	const struct code_info	*ci;

	(void)state;
	ci = codes_reply("550");
	assert_non_null(ci);
	assert_string_equal(ci->code, "550");
	assert_ptr_equal(codes_reply("550 5.1.1 User unknown"), ci);
	assert_ptr_equal(codes_reply("550-5.7.1 more"), ci);
	assert_null(codes_reply("5500"));
	assert_null(codes_reply("55"));
	assert_null(codes_reply(""));
	assert_null(codes_reply("abc"));
	assert_null(codes_reply("600"));
	assert_null(codes_reply("599"));
	assert_null(codes_reply(NULL));
	assert_string_equal(codes_title(ci, "en"), ci->title_en);
	assert_string_equal(codes_title(ci, "fr"), ci->title_fr);
	assert_string_equal(codes_text(ci, "de"), ci->text_fr);
	assert_string_equal(codes_text(NULL, "en"), "");
}

static int
parse_x(const char *code, int *s, int *d)
{
	char	*e;

	if (strncmp(code, "X.", 2) != 0)
		return -1;
	*s = (int)strtol(code + 2, &e, 10);
	if (*e != '.')
		return -1;
	*d = (int)strtol(e + 1, &e, 10);
	return *e == '\0' ? 0 : -1;
}

static void
test_enhanced_table(void **state)
{
	const struct code_info	*ci;
	char			 buf[32];
	size_t			 i;
	int			 s = 0, d = 0, ps = -1, pd = -1, cls;
	static const int	 classes[] = { 2, 4, 5 };

	(void)state;
	for (i = 0; i < codes_enhanced_count(); i++) {
		ci = codes_enhanced_at(i);
		check_entry(ci);
		assert_int_equal(parse_x(ci->code, &s, &d), 0);
		if (s < ps || (s == ps && d <= pd))
			fail_msg("not sorted at %s", ci->code);
		ps = s;
		pd = d;
		/* The class never changes the entry. */
		for (cls = 0; cls < 3; cls++) {
			snprintf(buf, sizeof(buf), "%d.%d.%d", classes[cls], s,
			    d);
			assert_ptr_equal(codes_enhanced(buf), ci);
		}
		assert_ptr_equal(codes_enhanced(ci->code), ci);
	}
}

static void
test_enhanced_lookup(void **state)
{
	const struct code_info	*ci;

	(void)state;
	ci = codes_enhanced("5.7.26");
	assert_non_null(ci);
	assert_string_equal(ci->code, "X.7.26");
	assert_non_null(strstr(ci->text_en, "DMARC"));
	assert_non_null(codes_enhanced("5.7.30"));	/* REQUIRETLS */
	assert_non_null(codes_enhanced("5.7.29"));	/* ARC */
	assert_non_null(codes_enhanced("4.7.28"));
	assert_non_null(codes_enhanced("5.1.10"));	/* null MX */
	assert_string_equal(codes_enhanced("5.1.1")->code, "X.1.1");
	assert_string_equal(codes_enhanced("5.2.2 Mailbox full")->code,
	    "X.2.2");
	assert_string_equal(codes_enhanced("5.7.1.")->code, "X.7.1");
	assert_null(codes_enhanced("5.7.31"));
	assert_null(codes_enhanced("5.8.1"));
	assert_null(codes_enhanced("3.1.1"));
	assert_null(codes_enhanced("6.1.1"));
	assert_null(codes_enhanced("5.01.1"));		/* leading zero */
	assert_null(codes_enhanced("5.1.01"));
	assert_null(codes_enhanced("5.1.1000"));
	assert_null(codes_enhanced("5.7.1.2"));		/* an address */
	assert_null(codes_enhanced("5.7"));
	assert_null(codes_enhanced("5..1"));
	assert_null(codes_enhanced(""));
	assert_null(codes_enhanced(NULL));
}

static void
test_classes(void **state)
{
	(void)state;
	assert_int_equal(codes_class("550"), 5);
	assert_int_equal(codes_class("4.2.2"), 4);
	assert_int_equal(codes_class("250 ok"), 2);
	assert_int_equal(codes_class("354"), 0);
	assert_int_equal(codes_class("5"), 0);
	assert_int_equal(codes_class("5x"), 0);
	assert_int_equal(codes_class(NULL), 0);
	assert_string_equal(codes_class_title(5, "en"), "Permanent failure");
	assert_string_equal(codes_class_title(4, "fr"), "Échec temporaire");
	assert_true(strlen(codes_class_text(4, "en")) > 20);
	assert_string_not_equal(codes_class_text(5, "en"),
	    codes_class_text(5, "fr"));
	assert_string_equal(codes_class_title(3, "en"), "");
	assert_string_equal(codes_class_text(7, "fr"), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_reply_table),
		cmocka_unit_test(test_reply_required),
		cmocka_unit_test(test_reply_lookup),
		cmocka_unit_test(test_enhanced_table),
		cmocka_unit_test(test_enhanced_lookup),
		cmocka_unit_test(test_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
