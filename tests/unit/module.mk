UNIT_TESTS += test_util
