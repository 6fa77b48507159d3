# core/meta/meta.mk: the meta-trainer and checkpoints (a layer of the core:
# uses util and plugins), their tests, and the test-only plugins they use.
META_INCLUDES = $(PLUGINS_INCLUDES) -I$(top_srcdir)/core/meta
noinst_LTLIBRARIES += core/meta/libl2lmeta.la
core_meta_libl2lmeta_la_SOURCES = \
	core/meta/checkpoint.c core/meta/checkpoint.h core/meta/checkpoint_v1.c core/meta/checkpoint_v1.h \
	core/meta/meta_train.c core/meta/meta_train.h core/meta/meta_train_internal.h core/meta/meta_setup.c \
	core/meta/meta_epoch.c \
	core/meta/meta_checkpoint.c core/meta/meta_sets.c core/meta/meta_sets.h \
	core/meta/meta_unroll.c core/meta/meta_unroll.h \
	core/meta/meta_adam.c core/meta/meta_adam.h \
	core/meta/meta_state.c core/meta/meta_state.h \
	core/meta/meta_log.c core/meta/meta_log.h \
	core/meta/meta_dist.c
core_meta_libl2lmeta_la_CPPFLAGS = $(AM_CPPFLAGS) $(META_INCLUDES)
core_meta_libl2lmeta_la_CFLAGS = $(CORE_CFLAGS)
EXTRA_DIST += docs/checkpoint-format.md docs/meta-training.md docs/architecture.md

# Test-only plugins, loaded by absolute path (never installed).
TEST_MODULE_FLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/plugins/learned_sgd.la tests/plugins/linear.la
tests_plugins_learned_sgd_la_SOURCES = tests/plugins/learned_sgd.c
tests_plugins_learned_sgd_la_LDFLAGS = $(TEST_MODULE_FLAGS)
tests_plugins_linear_la_SOURCES = tests/plugins/linear.c
tests_plugins_linear_la_LDFLAGS = $(TEST_MODULE_FLAGS)

META_TEST_CPPFLAGS = $(TEST_CPPFLAGS)
META_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) \
	-DTEST_PLUGIN_DIR='"$(abs_top_builddir)/tests/plugins/.libs"'
META_TEST_LIBS = libl2lcore.la $(CUNIT_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += tests/test_checkpoint tests/test_meta_grad tests/test_meta_train tests/test_meta_adam \
	tests/test_meta_sets
TESTS += tests/test_checkpoint tests/test_meta_grad tests/test_meta_train tests/test_meta_adam \
	tests/test_meta_sets
tests_test_checkpoint_SOURCES = tests/test_checkpoint.c tests/test_meta_fixture.h
tests_test_checkpoint_CPPFLAGS = $(META_TEST_CPPFLAGS)
tests_test_checkpoint_CFLAGS = $(META_TEST_CFLAGS)
tests_test_checkpoint_LDADD = $(META_TEST_LIBS)
tests_test_meta_grad_SOURCES = tests/test_meta_grad.c tests/test_meta_fixture.h
tests_test_meta_grad_CPPFLAGS = $(META_TEST_CPPFLAGS)
tests_test_meta_grad_CFLAGS = $(META_TEST_CFLAGS)
tests_test_meta_grad_LDADD = $(META_TEST_LIBS)
# It checks the lstm plugins' dφ: they are built before it, and missing is a failure.
EXTRA_tests_test_meta_grad_DEPENDENCIES = plugins/optimizers/lstm.la plugins/optimizers/lstm-gac.la
tests_test_meta_train_SOURCES = tests/test_meta_train.c tests/test_meta_fixture.h
tests_test_meta_train_CPPFLAGS = $(META_TEST_CPPFLAGS)
tests_test_meta_train_CFLAGS = $(META_TEST_CFLAGS)
tests_test_meta_train_LDADD = $(META_TEST_LIBS)
EXTRA_tests_test_meta_train_DEPENDENCIES = plugins/optimizers/lstm.la plugins/optimizees/quadratic.la
tests_test_meta_adam_SOURCES = tests/test_meta_adam.c tests/test_meta_fixture.h
tests_test_meta_adam_CPPFLAGS = $(META_TEST_CPPFLAGS)
tests_test_meta_adam_CFLAGS = $(META_TEST_CFLAGS)
tests_test_meta_adam_LDADD = $(META_TEST_LIBS)
tests_test_meta_sets_SOURCES = tests/test_meta_sets.c tests/test_meta_fixture.h
tests_test_meta_sets_CPPFLAGS = $(META_TEST_CPPFLAGS)
tests_test_meta_sets_CFLAGS = $(META_TEST_CFLAGS)
tests_test_meta_sets_LDADD = $(META_TEST_LIBS)
