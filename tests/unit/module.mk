UNIT_TESTS += test_util
UNIT_TESTS += test_tmpl
UNIT_TESTS += test_i18n
UNIT_TESTS += test_diag
UNIT_TESTS += test_unblock
UNIT_TESTS += test_auth
UNIT_TESTS += test_kb
