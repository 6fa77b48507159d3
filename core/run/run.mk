# core/run/run.mk: the runner, its resume area, the results writer and the
# output directory. Uses util, plugins, meta, suite.
RUN_INCLUDES = $(SUITE_INCLUDES) -I$(top_srcdir)/core/run
noinst_LTLIBRARIES += core/run/libl2lrun.la
core_run_libl2lrun_la_SOURCES = \
	core/run/runner.c core/run/runner.h core/run/runner_phases.h \
	core/run/runner_meta.c core/run/runner_tune.c core/run/runner_eval.c \
	core/run/runner_horizons.c core/run/runner_task.c core/run/runner_pool.c \
	core/run/runner_pool.h core/run/runner_threads.c core/run/runner_dist.c \
	core/run/runner_train.c core/run/results.c core/run/results.h \
	core/run/resume_area.c core/run/resume_area.h core/run/out_dir.c core/run/out_dir.h \
	core/run/trace.c core/run/trace.h core/run/runner_extra.c core/run/runner_extra.h \
	core/run/results_extra.c core/run/results_extra.h
# $(top_builddir)/core: revision.h (Makefile.am).
core_run_libl2lrun_la_CPPFLAGS = $(AM_CPPFLAGS) $(RUN_INCLUDES) -I$(top_builddir)/core
core_run_libl2lrun_la_CFLAGS = $(CORE_CFLAGS)
EXTRA_DIST += docs/scale-out.md

# The judgment's computations (trace.c, stats/stats_cost.c) by hand.
check_PROGRAMS += tests/test_judge
TESTS += tests/test_judge
tests_test_judge_SOURCES = tests/test_judge.c
tests_test_judge_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_judge_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_test_judge_LDADD = libl2lcore.la $(CUNIT_LIBS)
