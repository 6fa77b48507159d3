# core/stats/stats.mk: the statistics of comparisons (paired ratios and
# tests, time to target and profiles, tuning budget, the judgment of
# cost, horizons and traces) with their files, figures and sentences.
# Uses util and report: it reads a results directory through report's CSV
# reader and draws through its gnuplot frame; report's pages get the
# sentences from the caller (core/cli/cmd_plot.c), never by including
# stats. `l2l compare` is core/cli/cmd_compare.c. GSL gives Φ, Φ⁻¹ and
# log-binomials; GSL_LIBS come after BLAS_LIBS in libl2lcore's LIBADD
# (cli.mk): libgslcblas must not stand in for OpenBLAS's cblas_sgemm.
STATS_INCLUDES = $(REPORT_INCLUDES) -I$(top_srcdir)/core/stats
noinst_LTLIBRARIES += core/stats/libl2lstats.la
core_stats_libl2lstats_la_SOURCES = \
	core/stats/stats.h core/stats/stats_paired.c core/stats/stats_profile.c core/stats/stats_budget.c \
	core/stats/stats_write.h core/stats/stats_write.c core/stats/stats_figures.c core/stats/stats_report.c \
	core/stats/stats_cost.c core/stats/stats_judge.c core/stats/stats_judge.h \
	core/stats/stats_judge_figures.c core/stats/stats_frame.c core/stats/stats_frame.h
core_stats_libl2lstats_la_CPPFLAGS = $(AM_CPPFLAGS) $(STATS_INCLUDES)
core_stats_libl2lstats_la_CFLAGS = $(CORE_CFLAGS)

check_PROGRAMS += tests/test_stats
TESTS += tests/test_stats
tests_test_stats_SOURCES = tests/test_stats.c
tests_test_stats_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_stats_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(GSL_CFLAGS)
tests_test_stats_LDADD = libl2lcore.la $(CUNIT_LIBS) $(GSL_LIBS)
