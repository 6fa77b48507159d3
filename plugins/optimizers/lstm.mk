# plugins/optimizers/lstm.mk: the `lstm` and `lstm-gac` learned optimizers
# (one source set, the variant chosen by -DLSTM_GAC), their tests and a
# benchmark.
# -z nodelete: the plugin uses OpenMP; unloading it (dlclose) would unload
# libgomp under its idle worker threads, which then crash.
LSTM_LDFLAGS = $(MODULE_FLAGS) -Wl,-z,nodelete
# -fno-trapping-math lets loops with float compares vectorize; no value
# changes. FP contraction stays off (-std=c11), so the AVX2 kernels and
# clones give the bits of the plain loops.
LSTM_CFLAGS = $(AM_CFLAGS) $(BLAS_CFLAGS) -fno-trapping-math
LSTM_SRC = plugins/optimizers/lstm_plugin.c \
	plugins/optimizers/lstm_net.c plugins/optimizers/lstm_net.h \
	plugins/optimizers/lstm_mem.c plugins/optimizers/lstm_mem.h \
	plugins/optimizers/lstm_gmean.c plugins/optimizers/lstm_gmean.h \
	plugins/optimizers/lstm_pass.c \
	plugins/optimizers/lstm_gemm.c plugins/optimizers/lstm_gemm.h plugins/optimizers/lstm_cpu.h \
	plugins/optimizers/lstm_gates.c plugins/optimizers/lstm_gates.h \
	plugins/optimizers/lstm_kernels.c plugins/optimizers/lstm_kernels.h \
	plugins/optimizers/lstm_options.c plugins/optimizers/lstm_options.h

optimizers_LTLIBRARIES += plugins/optimizers/lstm.la plugins/optimizers/lstm-gac.la
plugins_optimizers_lstm_la_SOURCES = $(LSTM_SRC)
plugins_optimizers_lstm_la_CFLAGS = $(LSTM_CFLAGS)
plugins_optimizers_lstm_la_LIBADD = $(BLAS_LIBS) -lm
plugins_optimizers_lstm_la_LDFLAGS = $(LSTM_LDFLAGS)
plugins_optimizers_lstm_gac_la_SOURCES = $(LSTM_SRC)
plugins_optimizers_lstm_gac_la_CPPFLAGS = $(AM_CPPFLAGS) -DLSTM_GAC=1
plugins_optimizers_lstm_gac_la_CFLAGS = $(LSTM_CFLAGS)
plugins_optimizers_lstm_gac_la_LIBADD = $(BLAS_LIBS) -lm
plugins_optimizers_lstm_gac_la_LDFLAGS = $(LSTM_LDFLAGS)

# The LSTM tests; all but test_lstm_gemm load both plugins through the loader.
LSTM_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
LSTM_TEST_LIBS = libl2lcore.la $(CUNIT_LIBS) -lm
LSTM_TEST_PLUGINS = plugins/optimizers/lstm.la plugins/optimizers/lstm-gac.la

check_PROGRAMS += tests/test_lstm tests/test_lstm_grad tests/test_lstm_threads
TESTS += tests/test_lstm tests/test_lstm_grad tests/test_lstm_threads
EXTRA_DIST += tests/test_lstm_common.h
tests_test_lstm_SOURCES = tests/test_lstm.c
tests_test_lstm_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_lstm_CFLAGS = $(LSTM_TEST_CFLAGS)
tests_test_lstm_LDADD = $(LSTM_TEST_LIBS)
EXTRA_tests_test_lstm_DEPENDENCIES = $(LSTM_TEST_PLUGINS)
tests_test_lstm_grad_SOURCES = tests/test_lstm_grad.c
tests_test_lstm_grad_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_lstm_grad_CFLAGS = $(LSTM_TEST_CFLAGS)
tests_test_lstm_grad_LDADD = $(LSTM_TEST_LIBS)
EXTRA_tests_test_lstm_grad_DEPENDENCIES = $(LSTM_TEST_PLUGINS)
tests_test_lstm_threads_SOURCES = tests/test_lstm_threads.c
tests_test_lstm_threads_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_lstm_threads_CFLAGS = $(LSTM_TEST_CFLAGS)
tests_test_lstm_threads_LDADD = $(LSTM_TEST_LIBS)
EXTRA_tests_test_lstm_threads_DEPENDENCIES = $(LSTM_TEST_PLUGINS)

# The kernels' own tests, each linked with the one file it tests.
LSTM_KERNEL_TESTS = tests/test_lstm_gemm tests/test_lstm_gates tests/test_lstm_gmean
check_PROGRAMS += $(LSTM_KERNEL_TESTS)
TESTS += $(LSTM_KERNEL_TESTS)
tests_test_lstm_gemm_SOURCES = tests/test_lstm_gemm.c plugins/optimizers/lstm_gemm.c
tests_test_lstm_gemm_CFLAGS = $(LSTM_TEST_CFLAGS)
tests_test_lstm_gemm_LDADD = $(LSTM_TEST_LIBS)
tests_test_lstm_gates_SOURCES = tests/test_lstm_gates.c plugins/optimizers/lstm_gates.c
tests_test_lstm_gates_CFLAGS = $(LSTM_TEST_CFLAGS)
tests_test_lstm_gates_LDADD = $(LSTM_TEST_LIBS)
tests_test_lstm_gmean_SOURCES = tests/test_lstm_gmean.c plugins/optimizers/lstm_gmean.c
tests_test_lstm_gmean_CFLAGS = $(LSTM_TEST_CFLAGS)
tests_test_lstm_gmean_LDADD = $(LSTM_TEST_LIBS)

# Speed of the lstm plugin and of sgemm on this machine (a tool, not a test):
#   bench/lstm_bench [N ...]
noinst_PROGRAMS += bench/lstm_bench
bench_lstm_bench_SOURCES = bench/lstm_bench.c
bench_lstm_bench_CPPFLAGS = $(TEST_CPPFLAGS)
bench_lstm_bench_CFLAGS = $(AM_CFLAGS) $(BLAS_CFLAGS)
bench_lstm_bench_LDADD = libl2lcore.la $(BLAS_LIBS) -lm

# Two builds of a plugin alternated, medians (a tool, not a test):
#   bench/lstm_ab OLD.so NEW.so
noinst_PROGRAMS += bench/lstm_ab
bench_lstm_ab_SOURCES = bench/lstm_ab.c
bench_lstm_ab_CPPFLAGS = $(TEST_CPPFLAGS)
bench_lstm_ab_CFLAGS = $(AM_CFLAGS)
bench_lstm_ab_LDADD = libl2lcore.la $(BLAS_LIBS) -lm
EXTRA_bench_lstm_bench_DEPENDENCIES = $(LSTM_TEST_PLUGINS)
