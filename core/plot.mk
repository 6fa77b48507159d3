# core/plot.mk: `l2l plot`: derived statistics, gnuplot scripts and
# figures, index.html and report.md of a results directory; the
# throughput figure of `l2l bench`'s CSV.
libl2lcore_la_SOURCES += \
	core/plot.h core/cmd_plot.c \
	core/plot_csv.c core/plot_csv.h \
	core/plot_load.c core/plot_data.c core/plot_data.h \
	core/plot_gnuplot.c core/plot_gnuplot.h core/plot_scripts.c core/plot_scripts.h \
	core/plot_run.c core/plot_bench.c core/plot_bench.h \
	core/report.c core/report_md.c core/report.h

check_PROGRAMS += tests/test_plot
TESTS += tests/test_plot
tests_test_plot_SOURCES = tests/test_plot.c
tests_test_plot_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_plot_LDADD = libl2lcore.la $(CUNIT_LIBS)
EXTRA_DIST += tests/data/results-tiny

check_PROGRAMS += tests/test_plot_bench
TESTS += tests/test_plot_bench
tests_test_plot_bench_SOURCES = tests/test_plot_bench.c
tests_test_plot_bench_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_plot_bench_LDADD = libl2lcore.la $(CUNIT_LIBS)
# tests/test_plot and test_plot_bench leave their outputs in plot-test/
# and plot-bench-test/ for inspection.
clean-local: clean-local-plot
clean-local-plot:
	-rm -rf plot-test plot-bench-test
.PHONY: clean-local-plot
