/* runner_threads.c: runs a pool's tasks: on `jobs` threads of this
 * process, or over MPI ranks (runner_dist.c), one BLAS thread per run. */
#include <pthread.h>
#include "blas_threads.h"
#include "dist.h"
#include "interrupt.h"
#include "log.h"
#include "runner_pool.h"

int pool_run(struct pool *p, int jobs)
{
    p->next = p->done = 0;
    p->started = runner_now();
    pthread_t th[64];
    if (jobs < 1)
        jobs = 1;
    if (jobs > 64)
        jobs = 64;
    p->jobs = jobs;
    /* One BLAS thread per run, whatever -j (blas_threads.h): the CSV must
     * be byte-identical for every -j. Parallelism comes from the runs. */
    int blas_threads = l2l_blas_one_thread();
    /* Under MPI (runner_dist.c): rank 0 hands the tasks out and keeps the
     * results; its own threads run tasks too. */
    int dist = l2l_dist_size() > 1, rc;
    if (dist && l2l_dist_rank() > 0) {
        rc = pool_remote(p, jobs);
        l2l_blas_restore(blas_threads);
        return l2l_dist_agree(rc); /* rank 0's verdict: it has every result */
    }
    int started = 0;
    for (int k = dist ? 0 : 1; k < jobs; k++)
        if (pthread_create(&th[started], NULL, pool_worker, p) == 0)
            started++;
    rc = dist ? pool_serve(p, jobs) : 0;
    if (!dist)
        pool_worker(p);
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    l2l_blas_restore(blas_threads);
    if (rc == 0)
        rc = l2l_interrupted() ? L2L_EINTR : p->failed;
    return dist ? l2l_dist_agree(rc) : rc;
}
