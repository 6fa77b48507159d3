/* runner_eval.c: the evaluation phase: every optimizer of every
 * experiment, with its chosen value, on the same fresh problems. */
#include <stdlib.h>
#include "log.h"
#include "runner_phases.h"
#include "runner_pool.h"

int runner_evaluate(struct pool *p, int jobs)
{
    struct suite *s = p->s;
    long n = 0;
    for (int e = 0; e < s->n_experiments; e++)
        n += (long)p->res[e].n * s->experiments[e].runs;
    struct task *all = calloc((size_t)n + 1, sizeof *all);
    if (!all) {
        l2l_error("l2l: out of memory (a list of %ld runs)", n);
        return L2L_ENOMEM;
    }
    long k = 0;
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++)
            for (long r = 0; r < s->experiments[e].runs; r++, k++)
                all[k] = (struct task){e, j, 0, p->res[e].opt[j].tuned ? p->res[e].opt[j].chosen : -1,
                                       r, &p->res[e].opt[j].runs[r], 0, NULL};
    int rc = pool_take_kept(p, all, n);
    if (rc == 0) {
        l2l_info("l2l: evaluation: %ld runs", n);
        rc = pool_run(p, jobs);
    }
    free(all);
    free(p->tasks);
    p->tasks = NULL;
    return rc;
}
