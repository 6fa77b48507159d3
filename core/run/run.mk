# core/run/run.mk: the runner, its resume area, the results writer and the
# output directory. Uses util, plugins, meta, suite.
RUN_INCLUDES = $(SUITE_INCLUDES) -I$(top_srcdir)/core/run
noinst_LTLIBRARIES += core/run/libl2lrun.la
core_run_libl2lrun_la_SOURCES = \
	core/run/runner.c core/run/runner.h core/run/results.c core/run/results.h \
	core/run/resume_area.c core/run/resume_area.h core/run/out_dir.c core/run/out_dir.h \
	core/run/runner_pool.h core/run/runner_dist.c core/run/runner_train.c
# $(top_builddir)/core: revision.h (Makefile.am).
core_run_libl2lrun_la_CPPFLAGS = $(AM_CPPFLAGS) $(RUN_INCLUDES) -I$(top_builddir)/core
core_run_libl2lrun_la_CFLAGS = $(CORE_CFLAGS)
EXTRA_DIST += docs/scale-out.md
