# core/suite/suite.mk: reading a suite (INI) and checking it whole before
# any work. Uses util, plugins, meta.
SUITE_INCLUDES = $(META_INCLUDES) -I$(top_srcdir)/core/suite
noinst_LTLIBRARIES += core/suite/libl2lsuite.la
core_suite_libl2lsuite_la_SOURCES = \
	core/suite/ini_read.c core/suite/ini_read.h core/suite/suite.c core/suite/suite.h \
	core/suite/suite_load.h core/suite/suite_keys.c core/suite/suite_grid.c \
	core/suite/suite_optimizee.c core/suite/suite_optimizer.c core/suite/suite_experiment.c \
	core/suite/suite_write.c
core_suite_libl2lsuite_la_CPPFLAGS = $(AM_CPPFLAGS) $(SUITE_INCLUDES)
core_suite_libl2lsuite_la_CFLAGS = $(CORE_CFLAGS)
