# core/cli/cli.mk: the top layer, the commands of `l2l` (uses every layer
# below); libl2lcore.la, all the layers in one convenience library (the
# program and the tests link it); the `l2l` program.
CLI_INCLUDES = $(RUN_INCLUDES) $(STATS_INCLUDES) $(BENCH_INCLUDES) -I$(top_srcdir)/core/cli
noinst_LTLIBRARIES += core/cli/libl2lcli.la
core_cli_libl2lcli_la_SOURCES = \
	core/cli/commands.h core/cli/commands.c core/cli/cmd_plugins.c core/cli/cmd_run.c \
	core/cli/cmd_checkpoint.c core/cli/cmd_plot.c core/cli/cmd_compare.c core/cli/cmd_bench.c \
	core/cli/version.c
# $(top_builddir)/core: revision.h (Makefile.am).
core_cli_libl2lcli_la_CPPFLAGS = $(AM_CPPFLAGS) $(CLI_INCLUDES) -I$(top_builddir)/core
core_cli_libl2lcli_la_CFLAGS = $(CORE_CFLAGS)

# Tests and tools see every layer.
CORE_INCLUDES = $(CLI_INCLUDES)
TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CORE_INCLUDES)

noinst_LTLIBRARIES += libl2lcore.la
libl2lcore_la_SOURCES =
libl2lcore_la_LIBADD = core/cli/libl2lcli.la core/bench/libl2lbench.la core/stats/libl2lstats.la core/report/libl2lreport.la \
	core/run/libl2lrun.la core/suite/libl2lsuite.la core/meta/libl2lmeta.la \
	core/plugins/libl2lplugins.la core/util/libl2lutil.la \
	$(INIH_LIBS) $(BLAS_LIBS) $(ZLIB_LIBS) $(PTHREAD_LIBS) $(MPI_LIBS) $(LIBS) $(GSL_LIBS)

bin_PROGRAMS += l2l
l2l_SOURCES = core/cli/main.c
l2l_CPPFLAGS = $(AM_CPPFLAGS) $(CLI_INCLUDES)
l2l_LDADD = libl2lcore.la
