# plugins/optimizees/conv.mk: the `conv` optimizee (a convolutional
# classifier with batch norm, the paper's CIFAR-10 network), its test and
# its benchmark. The IDX loader comes from plugins/common.

# -z nodelete: the plugin uses OpenMP; unloading it (dlclose) would unload
# libgomp under its idle worker threads (as for the lstm plugin).
optimizees_LTLIBRARIES += plugins/optimizees/conv.la
plugins_optimizees_conv_la_SOURCES = plugins/optimizees/conv.c \
	plugins/optimizees/conv_net.c plugins/optimizees/conv_net.h plugins/optimizees/conv_hvp.c
plugins_optimizees_conv_la_CPPFLAGS = $(AM_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS)
plugins_optimizees_conv_la_CFLAGS = $(AM_CFLAGS) $(BLAS_CFLAGS)
plugins_optimizees_conv_la_LIBADD = plugins/common/libl2lplugin.la $(BLAS_LIBS) -lm
plugins_optimizees_conv_la_LDFLAGS = $(MODULE_FLAGS) -Wl,-z,nodelete

# The test checks the plugin against the same network in double
# (conv_net.c built again with -DCONV_DOUBLE).
check_PROGRAMS += tests/test_conv
TESTS += tests/test_conv
tests_test_conv_SOURCES = tests/test_conv.c tests/idx_fixture.h plugins/optimizees/conv_net.c plugins/optimizees/conv_net.h \
	plugins/optimizees/conv_hvp.c
tests_test_conv_CPPFLAGS = $(TEST_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS) -I$(top_srcdir)/plugins/optimizees -DCONV_DOUBLE
tests_test_conv_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(BLAS_CFLAGS)
tests_test_conv_LDADD = plugins/common/libl2lplugin.la libl2lcore.la $(CUNIT_LIBS) $(BLAS_LIBS) -lm
EXTRA_tests_test_conv_DEPENDENCIES = plugins/optimizees/conv.la

# One training step timed, for docs/performance.md (a tool, not a test):
#   bench/conv_bench [CALLS [DATA_DIR]]
noinst_PROGRAMS += bench/conv_bench
bench_conv_bench_SOURCES = bench/conv_bench.c
bench_conv_bench_CPPFLAGS = $(TEST_CPPFLAGS)
bench_conv_bench_LDADD = libl2lcore.la -lm
EXTRA_bench_conv_bench_DEPENDENCIES = plugins/optimizees/conv.la
