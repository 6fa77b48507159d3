/* blas_threads.h: OpenBLAS on one thread for a while, then back. Where the
 * parallelism is elsewhere (several runs at once, the learned optimizer's
 * own OpenMP threads), one BLAS thread keeps the bits independent of the
 * core count (OpenBLAS splits its sums by thread) and keeps its workers from
 * spinning against ours. Without OpenBLAS's thread calls, both do nothing. */
#ifndef L2L_BLAS_THREADS_H
#define L2L_BLAS_THREADS_H
#include "config.h"
#if defined(HAVE_OPENBLAS_SET_NUM_THREADS) && defined(HAVE_OPENBLAS_GET_NUM_THREADS)
#include <cblas.h>
/* Sets one BLAS thread; returns the count to give l2l_blas_restore. */
static inline int l2l_blas_one_thread(void)
{
    int n = openblas_get_num_threads();
    openblas_set_num_threads(1);
    return n;
}
static inline void l2l_blas_restore(int n) { openblas_set_num_threads(n); }
/* OpenBLAS's thread count now; 0 when it cannot say. */
static inline int l2l_blas_threads(void) { return openblas_get_num_threads(); }
#else
static inline int l2l_blas_one_thread(void) { return 0; }
static inline void l2l_blas_restore(int n) { (void)n; }
static inline int l2l_blas_threads(void) { return 0; }
#endif
#endif
