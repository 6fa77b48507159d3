# core/bench/bench.mk: `l2l bench` (core/bench/, in the core library so the
# test can call each measurement), `make bench`, and its test. Uses util,
# plugins, meta, and suite for its INI reader (a bench file is read as
# strictly as a suite: bench_file.c). The command is core/cli/cmd_bench.c.
BENCH_INCLUDES = $(SUITE_INCLUDES) -I$(top_srcdir)/core/bench
noinst_LTLIBRARIES += core/bench/libl2lbench.la
core_bench_libl2lbench_la_SOURCES = \
	core/bench/bench.h core/bench/bench.c core/bench/bench_ref.c \
	core/bench/bench_lstm.c core/bench/bench_hand.c core/bench/bench_traj.c \
	core/bench/bench_file.h core/bench/bench_file.c
core_bench_libl2lbench_la_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_INCLUDES)
core_bench_libl2lbench_la_CFLAGS = $(CORE_CFLAGS)
EXTRA_DIST += docs/performance.md bench/torch_reference.py bench/torch_threads.sh \
	bench/plot_bench.sh tests/data/bench-h40.ini tests/check_plugin_names.sh
# What `l2l bench` times, found there by an installed l2l (bench_file.c).
benchfiledir = $(pkgdatadir)/bench
dist_benchfile_DATA = bench/default.ini

# The full benchmark (several minutes: n = 1e6 and a 20-step unroll at
# n = 1e6 for the peak RSS); `./l2l bench --quick` for a short one.
.PHONY: bench
bench: all
	./l2l bench

check_PROGRAMS += tests/test_bench
TESTS += tests/test_bench
tests_test_bench_SOURCES = tests/test_bench.c
tests_test_bench_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_bench_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_bench_LDADD = libl2lcore.la $(CUNIT_LIBS) -lm
EXTRA_tests_test_bench_DEPENDENCIES = $(optimizers_LTLIBRARIES) $(optimizees_LTLIBRARIES)
CLEANFILES += results/bench/bench.csv results/bench/bench.png

# No plugin's name as a string literal in core/ (what is timed comes from
# the bench file; bench_file.h).
TESTS += tests/check_plugin_names.sh
