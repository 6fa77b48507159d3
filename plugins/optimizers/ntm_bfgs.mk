# plugins/optimizers/ntm_bfgs.mk: the `ntm-bfgs` learned optimizer (LSTM+GAC
# controller with an external memory, docs/ntm-bfgs.md), built from its own
# files and the lstm plugin's gate, preprocessing and averaging kernels and
# option handling (lstm_options.c); its test.
NTM_SRC = plugins/optimizers/ntm_bfgs.c plugins/optimizers/ntm_bfgs.h \
	plugins/optimizers/ntm_bfgs_net.c plugins/optimizers/ntm_bfgs_mem.c \
	plugins/optimizers/lstm_gates.c plugins/optimizers/lstm_gates.h plugins/optimizers/lstm_cpu.h \
	plugins/optimizers/lstm_kernels.c plugins/optimizers/lstm_kernels.h \
	plugins/optimizers/lstm_gmean.c plugins/optimizers/lstm_gmean.h \
	plugins/optimizers/lstm_options.c plugins/optimizers/lstm_options.h

optimizers_LTLIBRARIES += plugins/optimizers/ntm-bfgs.la
plugins_optimizers_ntm_bfgs_la_SOURCES = $(NTM_SRC)
plugins_optimizers_ntm_bfgs_la_CFLAGS = $(LSTM_CFLAGS)
plugins_optimizers_ntm_bfgs_la_LIBADD = -lm
plugins_optimizers_ntm_bfgs_la_LDFLAGS = $(LSTM_LDFLAGS)

check_PROGRAMS += tests/test_ntm_bfgs
TESTS += tests/test_ntm_bfgs
tests_test_ntm_bfgs_SOURCES = tests/test_ntm_bfgs.c
tests_test_ntm_bfgs_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_ntm_bfgs_CFLAGS = $(LSTM_TEST_CFLAGS)
tests_test_ntm_bfgs_LDADD = $(LSTM_TEST_LIBS)
EXTRA_tests_test_ntm_bfgs_DEPENDENCIES = plugins/optimizers/ntm-bfgs.la
# tests/test_meta_grad.c checks its dφ against finite differences.
EXTRA_tests_test_meta_grad_DEPENDENCIES += plugins/optimizers/ntm-bfgs.la

# Cost of ntm-bfgs beside lstm-gac, by window (a tool, not a test):
#   OMP_NUM_THREADS=1 bench/ntm_bench N SUBJECT ...   (docs/ntm-bfgs.md)
noinst_PROGRAMS += bench/ntm_bench
bench_ntm_bench_SOURCES = bench/ntm_bench.c
bench_ntm_bench_CPPFLAGS = $(TEST_CPPFLAGS)
bench_ntm_bench_CFLAGS = $(AM_CFLAGS)
bench_ntm_bench_LDADD = libl2lcore.la $(BLAS_LIBS) -lm
