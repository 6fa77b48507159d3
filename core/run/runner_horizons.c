/* runner_horizons.c: the phase after evaluation: horizon runs, traced
 * runs and the cost probe of each optimizer's step (runner_extra.h). */
#include <stdlib.h>
#include "blas_threads.h"
#include "dist.h"
#include "interrupt.h"
#include "log.h"
#include "runner_extra.h"
#include "runner_phases.h"
#include "runner_pool.h"

/* Horizon runs (k x steps for each k > 1 of `horizons`) and the traced
 * first runs of the experiments that ask for them: the same problems as
 * evaluation, the tuned values; after that the probe of each optimizer's
 * step cost. Their buffers are made by runner_extra.c. */
int runner_evaluate_extra(struct pool *p, int jobs)
{
    struct suite *s = p->s;
    long n = 0, n_trace = 0;
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        for (int j = 0; j < p->res[e].n; j++) {
            int rc = l2l_extra_setup(s, e, &p->res[e].opt[j]);
            if (rc < 0)
                return rc;
        }
        n += (long)p->res[e].n * x->runs * (x->n_horizons - (x->n_horizons && x->horizon[0] == 1));
        n_trace += x->trace ? p->res[e].n : 0;
    }
    struct task *all = calloc((size_t)(n + n_trace) + 1, sizeof *all);
    if (!all) {
        l2l_error("l2l: out of memory (a list of %ld runs)", n);
        return L2L_ENOMEM;
    }
    long k = 0, kt = n;
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        for (int j = 0; j < p->res[e].n; j++) {
            struct opt_result *r = &p->res[e].opt[j];
            int g = r->tuned ? r->chosen : -1;
            for (int h = 0; h < x->n_horizons; h++)
                for (long run = 0; x->horizon[h] > 1 && run < x->runs; run++)
                    all[k++] = (struct task){e, j, 0, g, run, &r->hruns[h * x->runs + run],
                                             x->horizon[h], NULL};
            if (x->trace)
                all[kt++] = (struct task){e, j, 0, g, 0, &r->trace_out, 0, r->trace};
        }
    }
    int rc = n ? pool_take_kept(p, all, n) : 0;
    if (rc == 0 && n) {
        l2l_info("l2l: horizons: %ld runs", n);
        rc = pool_run(p, jobs);
    }
    free(p->tasks);
    p->tasks = NULL;
    /* The traced runs and the cost probe on rank 0 only, in this thread:
     * a trace stays in the process that records it, and the probe times
     * one thread. Few runs (one per optimizer), kept nowhere. */
    int here = l2l_dist_rank() == 0;
    if (rc == 0 && n_trace && here)
        l2l_info("l2l: traces: %ld runs", n_trace);
    int blas_threads = l2l_blas_one_thread(); /* as in run_pool: the same bits */
    for (long t = n; rc == 0 && here && t < n + n_trace; t++) {
        if (l2l_interrupted()) {
            rc = L2L_EINTR;
            break;
        }
        rc = run_task(p, &all[t]);
    }
    l2l_blas_restore(blas_threads);
    free(all);
    for (int e = 0; rc == 0 && here && e < s->n_experiments; e++)
        for (int j = 0; rc == 0 && j < p->res[e].n; j++) {
            struct opt_result *r = &p->res[e].opt[j];
            l2l_extra_fill_base(s, e, r);
            rc = l2l_cost_probe(s, e, r, p->phi[r->optimizer]);
        }
    return rc;
}
