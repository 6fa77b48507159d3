/* runner_train.c: the suite's meta-training jobs over MPI ranks
 * (docs/scale-out.md). With J jobs and N ranks, min(J, N) groups of ranks
 * each train every min(J, N)-th job, data-parallel over the group's ranks
 * (the problems of a meta-step split among them, meta_dist.c). A job's
 * result does not depend on its group's size, so the checkpoints are the
 * same bits as one process's. Jobs are dealt out in suite order, not on
 * demand: a group is busy for a whole job's length anyway. */
#include <stdio.h>
#include "dist.h"
#include "log.h"
#include "results.h"
#include "runner_pool.h"

const char *train_ranks_note(const struct l2l_dist_group *g)
{
    static _Thread_local char note[48];
    if (!g || g->size < 2)
        return "";
    snprintf(note, sizeof note, " over %d ranks", g->size);
    return note;
}

int train_ranks(struct suite *s, const struct run_options *ro, const int *todo, int n, train_fn train)
{
    int size = l2l_dist_size(), rank = l2l_dist_rank();
    int groups = n < size ? n : size;
    struct l2l_dist_group g, world;
    int rc = l2l_dist_split(rank % groups, &g);
    if (rc < 0) {
        l2l_error("l2l: rank %d: MPI could not form the training groups", rank);
        return rc;
    }
    for (int j = rank % groups; rc == 0 && j < n; j += groups) {
        /* the log goes to OUT, written by the group's first rank */
        if (g.rank == 0 && l2l_results_mkdir(ro->out_dir) < 0)
            rc = L2L_EIO;
        if (g.size > 1 && l2l_dist_bcast(&g, &rc, sizeof rc, 0) < 0)
            rc = L2L_EIO;
        if (rc == 0)
            rc = train(s, &s->optimizers[todo[j]], ro, &g);
    }
    l2l_dist_group_free(&g);
    /* every rank waits for all checkpoints, and learns of any failure */
    int worst = rc < 0 ? -rc : 0;
    if (l2l_dist_world(&world) < 0 || l2l_dist_max(&world, &worst, 1) < 0)
        worst = -L2L_EIO;
    l2l_dist_group_free(&world);
    return -worst;
}
