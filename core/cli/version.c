/* version.c: `l2l --version`: what was built, from which revision, with
 * which options, so that a result or a bug report can name its binary. */
#include <stdio.h>
#include "config.h"
#include "commands.h"
#include "l2l/plugin.h"
#include "results.h"
#include "revision.h"
#ifdef HAVE_OPENBLAS_GET_CONFIG
#include <cblas.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

void l2l_version(FILE *f)
{
    fprintf(f, "l2l (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
    fprintf(f, "revision: %s\n", L2L_GIT_REVISION);
    fprintf(f, "plugin ABI: %d; CSV schema: %d\n", L2L_ABI_VERSION, L2L_CSV_SCHEMA);
#ifdef HAVE_OPENBLAS_GET_CONFIG
    fprintf(f, "BLAS: %s (%s)\n", L2L_BLAS, openblas_get_config());
#else
    fprintf(f, "BLAS: %s\n", L2L_BLAS);
#endif
#ifdef _OPENMP
    fprintf(f, "OpenMP: yes (%d, up to %d threads)\n", _OPENMP, omp_get_max_threads());
#else
    fputs("OpenMP: no\n", f);
#endif
    fprintf(f, "MPI: %s\n", L2L_MPI);
    fprintf(f, "sanitizers: %s\n", L2L_SANITIZERS);
}
