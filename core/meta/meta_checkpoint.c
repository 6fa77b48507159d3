/* meta_checkpoint.c: the checkpoint a meta-training writes. While training
 * runs, every new best φ is written marked unfinished (so a crash leaves a
 * file that is never taken as trained); at the end, the kept φ (best, or
 * last with keep = last) is written marked finished, with what the
 * training cost. */
#include <math.h>
#include <string.h>
#include "checkpoint.h"
#include "log.h"
#include "meta_train_internal.h"

/* Validations so far: the log rows with a validation loss. */
static long validations(const struct l2l_meta_state *st)
{
    long n = 0;
    for (long r = 0; r < st->n_rows; r++)
        n += !isnan(st->rows[r].valid_loss);
    return n;
}

int meta_checkpoint_save(struct meta_trainer *tr, int finished, char *err, size_t errlen)
{
    const struct l2l_meta_job *job = tr->job;
    const struct l2l_meta_config *c = tr->cfg;
    const struct l2l_meta_state *st = &tr->st;
    struct l2l_checkpoint ck;
    char opts[4096], note[6144];
    memset(&ck, 0, sizeof ck);
    void *self = tr->vinst[0].self; /* the sets' composite (meta_sets.h) */
    int rc = l2l_checkpoint_identify(&ck, job->opt, job->opt_values, l2l_sets_member(self, 0), opts,
                                     sizeof opts, err, errlen);
    if (rc < 0)
        return rc;
    int last = finished && c->keep_last;
    const float *phi = last ? st->phi : st->best_phi;
    struct l2l_sets one = {0};
    const struct l2l_sets *sets = job->sets;
    if (!sets || !sets->n) {
        if (l2l_sets_resolve(&one) < 0) {
            l2l_fmt(err, errlen, "%s: out of memory", job->name);
            return L2L_ENOMEM;
        }
        sets = &one;
    }
    struct l2l_ckpt_set set[L2L_MAX_SETS];
    for (int k = 0; k < sets->n; k++) {
        size_t off, m = l2l_sets_n_meta(self, k, &off);
        set[k] = (struct l2l_ckpt_set){sets->name[k], sets->patterns[k], m, (float *)phi + off};
    }
    ck.n_sets = (uint32_t)sets->n;
    ck.sets = set;
    ck.status = (struct l2l_ckpt_status){
        .finished = finished, .keep_last = last, .epochs_done = st->epoch, .epochs_planned = c->epochs,
        .best_epoch = st->best_epoch, .best_loss = st->best_loss};
    double wall = 0;
    for (long r = 0; r < st->n_rows; r++)
        wall += st->rows[r].seconds;
    uint64_t traj = (uint64_t)st->epoch * (uint64_t)c->problems +
                    (uint64_t)validations(st) * (uint64_t)c->valid_problems;
    ck.cost = (struct l2l_ckpt_cost){.wall_seconds = wall, .cpu_seconds = st->cpu_seconds,
                                     .trajectories = traj, .steps = traj * (uint64_t)c->steps};
    l2l_fmt(note, sizeof note, "%s; best validation loss %.9g at epoch %ld", tr->job_desc, st->best_loss,
            st->best_epoch);
    ck.note = note;
    rc = l2l_checkpoint_write(job->checkpoint_path, &ck, err, errlen);
    l2l_sets_free(&one);
    return rc;
}
