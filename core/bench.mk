# core/bench.mk: `l2l bench` (core/bench*.c, in the core library so the
# test can call each measurement), `make bench`, and its test.
libl2lcore_la_SOURCES += \
	core/bench.h core/bench.c core/bench_cmd.c core/bench_ref.c \
	core/bench_lstm.c core/bench_hand.c core/bench_traj.c
EXTRA_DIST += docs/performance.md bench/torch_reference.py bench/plot_bench.sh

# The full benchmark (several minutes: n = 1e6 and a 20-step unroll at
# n = 1e6 for the peak RSS); `./l2l bench --quick` for a short one.
.PHONY: bench
bench: all
	./l2l bench

check_PROGRAMS += tests/test_bench
TESTS += tests/test_bench
tests_test_bench_SOURCES = tests/test_bench.c
tests_test_bench_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_bench_LDADD = libl2lcore.la $(CUNIT_LIBS) -lm
EXTRA_tests_test_bench_DEPENDENCIES = $(optimizers_LTLIBRARIES) $(optimizees_LTLIBRARIES)
CLEANFILES += results/bench/bench.csv results/bench/bench.png
