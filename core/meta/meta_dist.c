/* meta_dist.c: data-parallel meta-training over MPI ranks (docs/scale-out.md).
 * The problems of a meta-step are cut into contiguous blocks, one per
 * rank; each rank unrolls its own, then every rank gathers all dφ and sums
 * them in problem order, so each takes the same Adam step and φ stays the
 * same bits on every rank and for any number of ranks. Without a group
 * (one process, or a build without MPI) each call is trivial. */
#include <string.h>
#include "dist.h"
#include "log.h"
#include "meta_train_internal.h"

/* Here, where the ranks agree on it, and not in meta_train.c, which
 * installs the handler that sets it, nor in meta_epoch.c: the loop calls
 * the epoch, the epoch calls this file, and none of them calls back. */
volatile sig_atomic_t meta_stop_requested;

static const struct l2l_dist_group *group_of(const struct meta_trainer *tr)
{
    const struct l2l_dist_group *g = tr->job->group;
    return g && g->size > 1 ? g : NULL;
}

int meta_writer(const struct meta_trainer *tr)
{
    const struct l2l_dist_group *g = group_of(tr);
    return !g || g->rank == 0;
}

void meta_share(const struct meta_trainer *tr, long n, long *lo, long *hi)
{
    const struct l2l_dist_group *g = group_of(tr);
    l2l_dist_block(g, g ? g->rank : 0, n, lo, hi);
}

int meta_gather(struct meta_trainer *tr, long n, float *dphis, size_t m, char *err, size_t errlen)
{
    const struct l2l_dist_group *g = group_of(tr);
    int stop = meta_stop_requested != 0;
    if (!g)
        return stop;
    int rc = l2l_dist_allgather(g, tr->vals, n, sizeof *tr->vals);
    if (rc == 0)
        rc = l2l_dist_allgather(g, tr->rcs, n, sizeof *tr->rcs);
    if (rc == 0 && dphis)
        rc = l2l_dist_allgather(g, dphis, n, m * sizeof *dphis);
    if (rc == 0)
        rc = l2l_dist_max(g, &stop, 1);
    if (rc < 0) {
        l2l_fmt(err, errlen, "%s: MPI failed while gathering the meta-gradients", tr->job->name);
        return rc;
    }
    meta_stop_requested = stop; /* a rank that saw no signal stops with the others */
    /* The first failure (the same k on every rank): its message comes from
     * the rank that ran it, into slot 0 of errs. */
    for (long k = 0; k < n; k++) {
        if (tr->rcs[k] >= 0)
            continue;
        int owner = 0;
        for (int r = 0; r < g->size; r++) {
            long lo, hi;
            l2l_dist_block(g, r, n, &lo, &hi);
            if (k >= lo && k < hi)
                owner = r;
        }
        char msg[L2L_ERRLEN];
        memset(msg, 0, sizeof msg);
        if (g->rank == owner)
            memcpy(msg, tr->errs + (size_t)tr->rcs[k + n] * L2L_ERRLEN, L2L_ERRLEN);
        if (l2l_dist_bcast(g, msg, sizeof msg, owner) < 0)
            return L2L_EIO;
        msg[L2L_ERRLEN - 1] = 0;
        memcpy(tr->errs, msg, L2L_ERRLEN);
        tr->rcs[k + n] = 0;
        break;
    }
    return stop;
}

int meta_stop_agreed(struct meta_trainer *tr)
{
    const struct l2l_dist_group *g = group_of(tr);
    int stop = meta_stop_requested != 0;
    if (g && l2l_dist_max(g, &stop, 1) == 0)
        meta_stop_requested = stop;
    return stop;
}

double meta_cpu_all(struct meta_trainer *tr, double mine)
{
    const struct l2l_dist_group *g = group_of(tr);
    if (g)
        l2l_dist_sum(g, &mine, 1);
    return mine;
}
