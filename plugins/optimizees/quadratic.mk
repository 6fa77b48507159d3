# plugins/optimizees/quadratic.mk: build rules for this part of the tree (included by Makefile.am).
# The `quadratic` optimizee, its test, and the worked example of a plugin
# built outside the tree (examples/optimizee-rosenbrock).
optimizees_LTLIBRARIES += plugins/optimizees/quadratic.la
plugins_optimizees_quadratic_la_SOURCES = \
	plugins/optimizees/quadratic.c plugins/optimizees/quadratic.h \
	plugins/optimizees/quadratic_file.c plugins/common/input_file.h
plugins_optimizees_quadratic_la_CPPFLAGS = $(AM_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS)
plugins_optimizees_quadratic_la_LDFLAGS = $(MODULE_FLAGS)
plugins_optimizees_quadratic_la_LIBADD = -lm

check_PROGRAMS += tests/test_quadratic
TESTS += tests/test_quadratic
tests_test_quadratic_SOURCES = tests/test_quadratic.c
tests_test_quadratic_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_quadratic_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/plugins/optimizees
tests_test_quadratic_LDADD = libl2lcore.la $(CUNIT_LIBS) -lm

EXTRA_DIST += \
	tests/data/quadratic-2x2.txt tests/data/quadratic-badcount.txt \
	tests/data/quadratic-nonfinite.txt tests/data/quadratic-truncated.txt \
	tests/data/quadratic-badmagic.txt tests/data/quadratic-version.txt \
	tests/data/quadratic-notnumber.txt tests/data/quadratic-extra.txt \
	tests/data/quadratic-comments.txt tests/data/quadratic-batch.txt \
	tests/data/quadratic-batch-truncated.txt tests/data/quadratic-batch-nobatch.txt \
	tests/data/quadratic-batch-badcount.txt tests/data/quadratic-batch-big.txt

# The worked example of a plugin built outside the tree: built with its own
# Makefile against the source tree's header, loaded by ./l2l through
# L2L_PLUGIN_PATH, gradient-checked, and run in its tiny suite.
TESTS += tests/example_plugin.sh
EXTRA_DIST += tests/example_plugin.sh docs/writing-an-optimizee.md \
	examples/optimizee-rosenbrock/README.md examples/optimizee-rosenbrock/Makefile \
	examples/optimizee-rosenbrock/rosenbrock.c examples/optimizee-rosenbrock/rosenbrock.ini
