/* runner_meta.c: the meta-training phase of a run: which learned
 * optimizers need training (a missing or unfinished checkpoint), training
 * each under a lock on its checkpoint, and loading every φ. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "bytes.h"
#include "checkpoint.h"
#include "dist.h"
#include "lock.h"
#include "log.h"
#include "meta_sets.h"
#include "out_dir.h"
#include "results.h"
#include "runner_phases.h"
#include "runner_pool.h"

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* What to do with a learned optimizer's checkpoint before evaluation:
 * 0 use it, 1 train it (missing, unfinished, or a training to resume),
 * < 0 refuse (unreadable: a user's file is never overwritten). */
static int needs_training(const struct suite *s, const struct suite_optimizer *o, int quiet)
{
    if (!o->learned || o->train_on < 0)
        return 0;
    char state[4200];
    l2l_fmt(state, sizeof state, "%s.state", o->checkpoint);
    if (!file_exists(o->checkpoint))
        return 1;
    struct l2l_checkpoint ck;
    char err[L2L_ERRLEN] = "";
    if (l2l_checkpoint_read(o->checkpoint, &ck, err, sizeof err) < 0) {
        l2l_error("%s:%d: [optimizer %s] %s", s->path, o->line, o->name, err);
        return L2L_EINPUT;
    }
    int finished = ck.status.finished;
    if (!finished && !file_exists(state) && !quiet)
        l2l_info("l2l: %s: its training stopped at epoch %lld of %lld and left no %s: training it again "
                 "from the start", o->checkpoint, (long long)ck.status.epochs_done,
                 (long long)ck.status.epochs_planned, state);
    l2l_checkpoint_clear(&ck);
    if (finished && file_exists(state) && !quiet) /* a finish interrupted before the state went, or the user's */
        l2l_warn("l2l: %s is beside a finished checkpoint, which is used as it is: the state is ignored "
                 "(delete it)", state);
    return !finished;
}

/* rc of the first rank of g on all its ranks (g NULL: rc). */
static int group_agree(const struct l2l_dist_group *g, int rc)
{
    if (g && g->size > 1 && l2l_dist_bcast(g, &rc, sizeof rc, 0) < 0)
        return L2L_EIO;
    return rc;
}

/* Meta-trains o under a lock on its checkpoint (CKPT.lock), so that two
 * l2l never train one checkpoint at once; the log goes to OUT. Under MPI
 * the ranks of g train it together (runner_train.c), and their first
 * rank alone takes the lock and writes. */
static int train_one(struct suite *s, struct suite_optimizer *o, const struct run_options *ro,
                     const struct l2l_dist_group *g)
{
    char lock_path[4200], log_csv[4096], note[1024], err[2 * L2L_ERRLEN] = "";
    struct l2l_lock lk = {.fd = -1};
    int leader = !g || g->rank == 0;
    int rc = leader ? l2l_mkdir_parent(o->checkpoint, err, sizeof err) : 0;
    if (rc < 0)
        l2l_error("l2l: meta-training %s: %s", o->name, err);
    l2l_fmt(lock_path, sizeof lock_path, "%s.lock", o->checkpoint);
    if (rc == 0 && leader && (rc = l2l_lock_take(&lk, lock_path, o->checkpoint, err, sizeof err)) < 0) {
        if (rc == L2L_EINPUT)
            l2l_error("l2l: meta-training %s: %s: wait for it to finish", o->name, err);
        else
            l2l_error("l2l: meta-training %s: %s", o->name, err);
    }
    if ((rc = group_agree(g, rc)) < 0)
        return rc;
    /* trained meanwhile by the l2l that held the lock? */
    if ((rc = group_agree(g, leader ? needs_training(s, o, 1) : 0)) <= 0) {
        l2l_lock_release(&lk);
        return rc;
    }
    struct suite_optimizee *e = &s->optimizees[o->train_on];
    l2l_fmt(log_csv, sizeof log_csv, "%s/meta_%s.csv", ro->out_dir, o->name);
    l2l_fmt(note, sizeof note, "suite %s, optimizee %s (plugin %s), seed %llu", s->name,
            e->name, l2l_plugin_name(&e->plugin), (unsigned long long)s->seed);
    struct l2l_meta_job job = {
        .name = o->name, .opt = o->plugin.u.opt, .opt_values = o->values, .sets = &o->sets,
        .obj = e->plugin.u.obj, .family = e->family, .trained_on = note,
        .cfg = o->meta, .seed = s->seed, .checkpoint_path = o->checkpoint,
        .log_csv_path = log_csv, .progress = !ro->quiet, .group = g,
    };
    if (leader)
        l2l_info("l2l: meta-training %s on %s (%ld epochs of %ld steps, unroll %ld)%s", o->name,
                 e->name, o->meta.epochs, o->meta.steps, o->meta.unroll, train_ranks_note(g));
    double t0 = runner_now();
    rc = l2l_meta_train(&job, err, sizeof err);
    if (rc < 0 && leader)
        l2l_error("l2l: meta-training %s: %s", o->name, err);
    else if (rc == 0 && leader && (rc = l2l_out_meta_stamp(ro->out_dir, o->name, o->checkpoint)) == 0)
        l2l_info("l2l: meta-trained %s in %.1f s; φ in %s", o->name, runner_now() - t0, o->checkpoint);
    rc = group_agree(g, rc); /* the checkpoint is written when its writer says so */
    l2l_lock_release(&lk);
    return rc;
}

/* Meta-trains each learned optimizer whose checkpoint is missing or
 * unfinished (resuming from its .state file when there is one). */
int runner_train_missing(struct suite *s, const struct run_options *ro)
{
    int *todo = calloc((size_t)s->n_optimizers + 1, sizeof *todo), n = 0, rc = 0;
    if (!todo) {
        l2l_error("l2l: out of memory");
        return L2L_ENOMEM;
    }
    for (int k = 0; k < s->n_optimizers && rc == 0; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        if (!o->learned || o->train_on < 0)
            continue;
        int need = needs_training(s, o, 0);
        if (need < 0)
            rc = need;
        else if (need)
            todo[n++] = k;
    }
    if (rc == 0 && n > 0 && l2l_dist_size() > 1) /* spread over the ranks */
        rc = train_ranks(s, ro, todo, n, train_one);
    for (int j = 0; rc == 0 && n > 0 && l2l_dist_size() == 1 && j < n; j++) {
        if (l2l_results_mkdir(ro->out_dir) < 0)
            rc = L2L_EIO;
        else
            rc = train_one(s, &s->optimizers[todo[j]], ro, NULL);
    }
    free(todo);
    if (rc == 0 && !n && ro->train_only)
        l2l_info("l2l: nothing to train: every learned optimizer of %s has a finished checkpoint "
                 "(delete one to train it again)", s->path);
    return rc;
}

/* Loads φ of every learned optimizer from its checkpoint, but those loaded
 * already and, before_training, those still to be meta-trained. */
int runner_load_phis(struct suite *s, float **phi, int before_training)
{
    for (int k = 0; k < s->n_optimizers; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        if (!o->learned || phi[k] || (before_training && needs_training(s, o, 1) > 0))
            continue;
        char err[L2L_ERRLEN] = "";
        size_t m = 0;
        int rc = l2l_sets_load(o->checkpoint, o->plugin.u.opt, &o->sets, o->values, &phi[k], &m, err,
                               sizeof err);
        if (rc == L2L_ENOMEM) {
            l2l_error("l2l: out of memory (φ of optimizer %s)", o->name);
            return rc;
        }
        if (rc < 0) {
            l2l_error("%s:%d: [optimizer %s] %s", s->path, o->line, o->name, err);
            return L2L_EINPUT;
        }
    }
    return 0;
}
