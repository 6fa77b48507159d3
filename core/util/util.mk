# core/util/util.mk: the bottom layer: bytes, log, atomic files, escaping,
# names, numbers, input files, locks, interrupts, seeds. Uses nothing else
# of core/.
UTIL_INCLUDES = -I$(top_srcdir)/core/util
# Flags of every layer's library.
CORE_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(BLAS_CFLAGS) $(GSL_CFLAGS)
noinst_LTLIBRARIES += core/util/libl2lutil.la
core_util_libl2lutil_la_SOURCES = \
	core/util/log.c core/util/log.h \
	core/util/names.c core/util/names.h core/util/escape.c core/util/escape.h \
	core/util/infile.c core/util/infile.h core/util/numbers.c core/util/numbers.h \
	core/util/bytes.c core/util/bytes.h core/util/atomic_file.c core/util/atomic_file.h \
	core/util/lock.c core/util/lock.h core/util/interrupt.c core/util/interrupt.h \
	core/util/quantile.c core/util/quantile.h \
	core/util/seeds.h core/util/blas_threads.h core/util/dist.h
# MPI (docs/scale-out.md): dist_mpi.c with Open MPI, dist_none.c's
# one-process stubs without (configure --without-mpi).
if L2L_MPI
core_util_libl2lutil_la_SOURCES += core/util/dist_mpi.c
else
core_util_libl2lutil_la_SOURCES += core/util/dist_none.c
endif
EXTRA_core_util_libl2lutil_la_SOURCES = core/util/dist_mpi.c core/util/dist_none.c
core_util_libl2lutil_la_CPPFLAGS = $(AM_CPPFLAGS) $(UTIL_INCLUDES)
core_util_libl2lutil_la_CFLAGS = $(CORE_CFLAGS) $(MPI_CFLAGS)
