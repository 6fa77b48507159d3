# plugins/optimizers/hand.mk: the hand-designed optimizers (sgd, nag,
# rmsprop, adam), their trajectory test, and the plugin-ABI refusal test
# with its deliberately broken test-only plugins.
HAND_COMMON = plugins/optimizers/hand_common.h
# -fno-math-errno lets sqrtf be one (vector) instruction instead of a call
# that may set errno, so the step loops vectorize; -ffp-contract=off keeps
# every a·b + c two roundings whatever -march a user adds (no FMA), so the
# SSE2 and AVX2 kernels and the scalar remainder give the same bits. No
# -ffast-math: the rounding must stay torch.optim's.
HAND_CFLAGS = $(AM_CFLAGS) -fno-math-errno -ffp-contract=off

optimizers_LTLIBRARIES += plugins/optimizers/sgd.la plugins/optimizers/nag.la \
	plugins/optimizers/rmsprop.la plugins/optimizers/adam.la
plugins_optimizers_sgd_la_SOURCES = plugins/optimizers/sgd.c $(HAND_COMMON)
plugins_optimizers_sgd_la_CFLAGS = $(HAND_CFLAGS)
plugins_optimizers_sgd_la_LDFLAGS = $(MODULE_FLAGS)
plugins_optimizers_nag_la_SOURCES = plugins/optimizers/nag.c $(HAND_COMMON)
plugins_optimizers_nag_la_CFLAGS = $(HAND_CFLAGS)
plugins_optimizers_nag_la_LDFLAGS = $(MODULE_FLAGS)
plugins_optimizers_rmsprop_la_SOURCES = plugins/optimizers/rmsprop.c $(HAND_COMMON)
plugins_optimizers_rmsprop_la_CFLAGS = $(HAND_CFLAGS)
plugins_optimizers_rmsprop_la_LDFLAGS = $(MODULE_FLAGS)
plugins_optimizers_rmsprop_la_LIBADD = -lm
plugins_optimizers_adam_la_SOURCES = plugins/optimizers/adam.c $(HAND_COMMON)
plugins_optimizers_adam_la_CFLAGS = $(HAND_CFLAGS)
plugins_optimizers_adam_la_LDFLAGS = $(MODULE_FLAGS)
plugins_optimizers_adam_la_LIBADD = -lm
optimizers_LTLIBRARIES += plugins/optimizers/lbfgs.la
plugins_optimizers_lbfgs_la_SOURCES = plugins/optimizers/lbfgs.c
plugins_optimizers_lbfgs_la_CFLAGS = $(HAND_CFLAGS)
plugins_optimizers_lbfgs_la_LDFLAGS = $(MODULE_FLAGS)
plugins_optimizers_lbfgs_la_LIBADD = -lm

check_PROGRAMS += tests/test_optimizers
TESTS += tests/test_optimizers
tests_test_optimizers_SOURCES = tests/test_optimizers.c
tests_test_optimizers_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_optimizers_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_optimizers_LDADD = libl2lcore.la $(CUNIT_LIBS) -lm

# Test-only plugins, each broken in one way; -rpath makes libtool build a
# .so although nothing installs them.
TEST_PLUGIN_FLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/plugins/broken_abi.la tests/plugins/broken_nostep.la \
	tests/plugins/broken_nosym.la tests/plugins/broken_name.la
tests_plugins_broken_abi_la_SOURCES = tests/plugins/broken_abi.c
tests_plugins_broken_abi_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_broken_nostep_la_SOURCES = tests/plugins/broken_nostep.c
tests_plugins_broken_nostep_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_broken_nosym_la_SOURCES = tests/plugins/broken_nosym.c
tests_plugins_broken_nosym_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_broken_name_la_SOURCES = tests/plugins/broken_name.c
tests_plugins_broken_name_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)

check_PROGRAMS += tests/test_abi
TESTS += tests/test_abi
tests_test_abi_SOURCES = tests/test_abi.c
tests_test_abi_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_abi_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) \
	-DTEST_PLUGIN_DIR='"$(abs_top_builddir)/tests/plugins/.libs"'
tests_test_abi_LDADD = libl2lcore.la $(CUNIT_LIBS)
