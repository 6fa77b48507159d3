# core/report/report.mk: what `l2l plot` makes of a results directory:
# the CSV reader, derived data, gnuplot scripts and figures, index.html
# and report.md; the throughput figure of `l2l bench`'s CSV. Uses util
# only: it reads the CSV files, never the runner's types. The statistics
# of comparisons are the layer above (core/stats/stats.mk).
REPORT_INCLUDES = $(UTIL_INCLUDES) -I$(top_srcdir)/core/report
noinst_LTLIBRARIES += core/report/libl2lreport.la
core_report_libl2lreport_la_SOURCES = \
	core/report/plot.h \
	core/report/plot_csv.c core/report/plot_csv.h \
	core/report/plot_load.c core/report/plot_data.c core/report/plot_data.h \
	core/report/plot_gnuplot.c core/report/plot_gnuplot.h core/report/plot_scripts.c core/report/plot_scripts.h \
	core/report/gnuplot_frame.c core/report/gnuplot_frame.h \
	core/report/gnuplot_run.c core/report/plot_bench.c core/report/plot_bench.h \
	core/report/report.c core/report/report_md.c core/report/report.h
core_report_libl2lreport_la_CPPFLAGS = $(AM_CPPFLAGS) $(REPORT_INCLUDES)
core_report_libl2lreport_la_CFLAGS = $(CORE_CFLAGS)

check_PROGRAMS += tests/test_plot
TESTS += tests/test_plot
tests_test_plot_SOURCES = tests/test_plot.c
tests_test_plot_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_plot_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_plot_LDADD = libl2lcore.la $(CUNIT_LIBS)
EXTRA_DIST += tests/data/results-tiny

check_PROGRAMS += tests/test_plot_bench
TESTS += tests/test_plot_bench
tests_test_plot_bench_SOURCES = tests/test_plot_bench.c
tests_test_plot_bench_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_plot_bench_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_plot_bench_LDADD = libl2lcore.la $(CUNIT_LIBS)
# tests/test_plot and test_plot_bench leave their outputs in plot-test/
# and plot-bench-test/ for inspection.
clean-local: clean-local-plot
clean-local-plot:
	-rm -rf plot-test plot-bench-test
.PHONY: clean-local-plot
