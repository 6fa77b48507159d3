/* runner_tune.c: the tuning phase: each grid value of every tuned
 * optimizer on its own problems; the value with the best mean final loss
 * is chosen for evaluation. */
#include <stdlib.h>
#include "log.h"
#include "runner_phases.h"
#include "runner_pool.h"

/* Tuning: every grid value on tune_runs problems disjoint from evaluation;
 * the best mean final loss wins, a diverged run counts as +inf. */
int runner_tune(struct pool *p, int jobs)
{
    struct suite *s = p->s;
    long n = 0;
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++)
            n += (long)p->res[e].opt[j].n_grid * s->experiments[e].tune_runs;
    if (n == 0)
        return 0;
    struct task *all = calloc((size_t)n, sizeof *all);
    struct run_out *outs = calloc((size_t)n, sizeof *outs);
    if (!all || !outs) {
        free(all);
        free(outs);
        l2l_error("l2l: out of memory (a list of %ld tuning runs)", n);
        return L2L_ENOMEM;
    }
    long k = 0;
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++)
            for (int g = 0; g < p->res[e].opt[j].n_grid; g++)
                for (long r = 0; r < s->experiments[e].tune_runs; r++, k++) {
                    outs[k].steps = s->experiments[e].tune_steps; /* no curve kept */
                    all[k] = (struct task){e, j, 1, g, r, &outs[k], 0, NULL};
                }
    int rc = pool_take_kept(p, all, n);
    if (rc == 0) {
        l2l_info("l2l: tuning: %ld runs", n);
        rc = pool_run(p, jobs);
    }
    /* Summed in task order, kept or not: the same bits for any -j. */
    for (k = 0; rc == 0 && k < n; k++) {
        struct opt_result *r = &p->res[all[k].exp].opt[all[k].slot];
        struct grid_point *gp = &r->grid[all[k].grid];
        gp->mean_final_loss += outs[k].final_loss / (double)s->experiments[all[k].exp].tune_runs;
        gp->diverged_runs += outs[k].diverged_step >= 0;
    }
    for (int e = 0; rc == 0 && e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++) {
            struct opt_result *r = &p->res[e].opt[j];
            for (int g = 1; g < r->n_grid; g++)
                if (r->grid[g].mean_final_loss < r->grid[r->chosen].mean_final_loss)
                    r->chosen = g;
        }
    free(outs);
    free(all);
    free(p->tasks);
    p->tasks = NULL;
    return rc;
}
