# tests/tests.mk: CUnit tests of the core runner (suite loading, end-to-end
# run); each plugin's tests live in its own fragment.
CORE_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
CORE_TEST_LIBS = libl2lcore.la $(CUNIT_LIBS)
EXTRA_DIST += tests/test_main.h tests/capture.h tests/hvp_check.h

check_PROGRAMS += tests/test_suite tests/test_run
TESTS += tests/test_suite tests/test_run
tests_test_suite_SOURCES = tests/test_suite.c
tests_test_suite_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_suite_CFLAGS = $(CORE_TEST_CFLAGS)
tests_test_suite_LDADD = $(CORE_TEST_LIBS)
tests_test_run_SOURCES = tests/test_run.c
tests_test_run_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_run_CFLAGS = $(CORE_TEST_CFLAGS)
tests_test_run_LDADD = $(CORE_TEST_LIBS)

# escape.c and names.c: every output language and the grammar of names.
check_PROGRAMS += tests/test_escape
TESTS += tests/test_escape
tests_test_escape_SOURCES = tests/test_escape.c
tests_test_escape_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_escape_CFLAGS = $(CORE_TEST_CFLAGS)
tests_test_escape_LDADD = $(CORE_TEST_LIBS)
