# core/report/stats.mk: the statistics of comparisons (stats_*.c, in the
# report layer's library; `l2l compare` is core/cli/cmd_compare.c); GSL
# gives Φ, Φ⁻¹ and log-binomials. GSL_LIBS come after BLAS_LIBS in
# libl2lcore's LIBADD (cli.mk): libgslcblas must not stand in for
# OpenBLAS's cblas_sgemm.
core_report_libl2lreport_la_SOURCES += \
	core/report/stats.h core/report/stats_paired.c core/report/stats_profile.c core/report/stats_budget.c \
	core/report/stats_write.h core/report/stats_write.c core/report/stats_figures.c core/report/stats_report.c \
	core/report/stats_cost.c core/report/stats_judge.c core/report/stats_judge.h \
	core/report/stats_judge_figures.c

check_PROGRAMS += tests/test_stats
TESTS += tests/test_stats
tests_test_stats_SOURCES = tests/test_stats.c
tests_test_stats_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_stats_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(GSL_CFLAGS)
tests_test_stats_LDADD = libl2lcore.la $(CUNIT_LIBS) $(GSL_LIBS)
