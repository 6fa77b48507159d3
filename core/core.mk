# core/core.mk: the runner, as a convenience library (shared with the
# tests) and the `l2l` program.
noinst_LTLIBRARIES += libl2lcore.la
libl2lcore_la_SOURCES = \
	core/log.c core/log.h \
	core/names.c core/names.h core/escape.c core/escape.h \
	core/options.c core/options.h \
	core/plugin_loader.c core/plugin_loader.h \
	core/commands.h core/commands.c core/cmd_plugins.c core/cmd_run.c core/cmd_checkpoint.c core/version.c \
	core/ini_read.c core/ini_read.h core/suite.c core/suite.h \
	core/infile.c core/infile.h core/numbers.c core/numbers.h \
	core/runner.c core/runner.h core/results.c core/results.h core/seeds.h \
	core/partial.c core/partial.h core/blas_threads.h \
	core/lock.c core/lock.h core/out_dir.c core/out_dir.h \
	core/interrupt.c core/interrupt.h
libl2lcore_la_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(BLAS_CFLAGS)
libl2lcore_la_LIBADD = $(INIH_LIBS) $(BLAS_LIBS) $(ZLIB_LIBS) $(PTHREAD_LIBS) $(LIBS)

bin_PROGRAMS += l2l
l2l_SOURCES = core/main.c
l2l_LDADD = libl2lcore.la
