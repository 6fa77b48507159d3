# core/meta.mk: the meta-trainer and checkpoints (in the core library), their
# tests, and the test-only plugins they use (included by Makefile.am).
libl2lcore_la_SOURCES += \
	core/bytes.c core/bytes.h core/atomic_file.c core/atomic_file.h \
	core/checkpoint.c core/checkpoint.h core/checkpoint_v1.c core/checkpoint_v1.h \
	core/meta_train.c core/meta_train.h core/meta_trainer.h core/meta_epoch.c \
	core/meta_checkpoint.c \
	core/meta_unroll.c core/meta_unroll.h \
	core/meta_adam.c core/meta_adam.h \
	core/meta_state.c core/meta_state.h \
	core/meta_log.c core/meta_log.h
EXTRA_DIST += docs/checkpoint-format.md docs/meta-training.md docs/architecture.md

# Test-only plugins, loaded by absolute path (never installed).
TEST_MODULE_FLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/plugins/learned_sgd.la tests/plugins/linear.la
tests_plugins_learned_sgd_la_SOURCES = tests/plugins/learned_sgd.c
tests_plugins_learned_sgd_la_LDFLAGS = $(TEST_MODULE_FLAGS)
tests_plugins_linear_la_SOURCES = tests/plugins/linear.c
tests_plugins_linear_la_LDFLAGS = $(TEST_MODULE_FLAGS)

META_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) \
	-DTEST_PLUGIN_DIR='"$(abs_top_builddir)/tests/plugins/.libs"'
META_TEST_LIBS = libl2lcore.la $(CUNIT_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += tests/test_checkpoint tests/test_meta_grad tests/test_meta_train tests/test_meta_adam
TESTS += tests/test_checkpoint tests/test_meta_grad tests/test_meta_train tests/test_meta_adam
tests_test_checkpoint_SOURCES = tests/test_checkpoint.c tests/test_meta_fixture.h
tests_test_checkpoint_CFLAGS = $(META_TEST_CFLAGS)
tests_test_checkpoint_LDADD = $(META_TEST_LIBS)
tests_test_meta_grad_SOURCES = tests/test_meta_grad.c tests/test_meta_fixture.h
tests_test_meta_grad_CFLAGS = $(META_TEST_CFLAGS)
tests_test_meta_grad_LDADD = $(META_TEST_LIBS)
# It checks the lstm plugins' dφ: they are built before it, and missing is a failure.
EXTRA_tests_test_meta_grad_DEPENDENCIES = plugins/optimizers/lstm.la plugins/optimizers/lstm-gac.la
tests_test_meta_train_SOURCES = tests/test_meta_train.c tests/test_meta_fixture.h
tests_test_meta_train_CFLAGS = $(META_TEST_CFLAGS)
tests_test_meta_train_LDADD = $(META_TEST_LIBS)
EXTRA_tests_test_meta_train_DEPENDENCIES = plugins/optimizers/lstm.la plugins/optimizees/quadratic.la
tests_test_meta_adam_SOURCES = tests/test_meta_adam.c tests/test_meta_fixture.h
tests_test_meta_adam_CFLAGS = $(META_TEST_CFLAGS)
tests_test_meta_adam_LDADD = $(META_TEST_LIBS)
