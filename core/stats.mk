# core/stats.mk: the statistics of comparisons (stats_*.c) and `l2l
# compare`; GSL gives Φ, Φ⁻¹ and log-binomials. GSL_LIBS come after
# BLAS_LIBS in libl2lcore's LIBADD: libgslcblas must not stand in for
# OpenBLAS's cblas_sgemm.
libl2lcore_la_SOURCES += \
	core/stats.h core/stats_paired.c core/stats_profile.c core/stats_budget.c \
	core/stats_write.h core/stats_write.c core/stats_figures.c core/stats_report.c \
	core/cmd_compare.c
libl2lcore_la_CFLAGS += $(GSL_CFLAGS)
libl2lcore_la_LIBADD += $(GSL_LIBS)

check_PROGRAMS += tests/test_stats
TESTS += tests/test_stats
tests_test_stats_SOURCES = tests/test_stats.c
tests_test_stats_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(GSL_CFLAGS)
tests_test_stats_LDADD = libl2lcore.la $(CUNIT_LIBS) $(GSL_LIBS)
