/* meta_train.c: meta-training of a learned optimizer plugin by truncated
 * BPTT (Andrychowicz et al. 2016): the option table, the trainer's set-up,
 * the epoch loop with resumption and signals. One epoch and validation are
 * in meta_epoch.c, one unroll in meta_unroll.c, Adam in meta_adam.c, the
 * state file in meta_state.c, the log in meta_log.c. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "blas_threads.h"
#include "bytes.h"
#include "checkpoint.h"
#include "log.h"
#include "meta_log.h"
#include "meta_train_internal.h"
#include "options.h"
#include "seeds.h"

enum { M_EPOCHS, M_STEPS, M_UNROLL, M_PROBLEMS, M_LR, M_BETA1, M_BETA2, M_EPS, M_CLIP,
       M_VALID_EVERY, M_VALID_PROBLEMS, M_VALID_LOSS, M_KEEP,
       M_SECOND_ORDER, M_COUNT };

const struct l2l_option l2l_meta_options[] = {
    [M_EPOCHS] = {"epochs", L2L_OPT_INT, "100", 1, 1e9, NULL, "meta-training epochs (one trajectory on fresh problems each)"},
    [M_STEPS] = {"steps", L2L_OPT_INT, "100", 1, 1e7, NULL, "T: optimizee steps per trajectory"},
    [M_UNROLL] = {"unroll", L2L_OPT_INT, "20", 1, 1e5, NULL, "U: steps per truncated-BPTT unroll (one meta-step each)"},
    [M_PROBLEMS] = {"problems", L2L_OPT_INT, "1", 1, 4096, NULL, "optimizee instances per meta-step (meta-gradient averaged)"},
    [M_LR] = {"meta_lr", L2L_OPT_REAL, "0.001", 1e-9, 10, NULL, "Adam learning rate on φ"},
    [M_BETA1] = {"beta1", L2L_OPT_REAL, "0.9", 0, 0.9999, NULL, "Adam first-moment decay"},
    [M_BETA2] = {"beta2", L2L_OPT_REAL, "0.999", 0, 0.99999999, NULL, "Adam second-moment decay"},
    [M_EPS] = {"eps", L2L_OPT_REAL, "1e-8", 1e-30, 1, NULL, "Adam epsilon"},
    [M_CLIP] = {"clip", L2L_OPT_REAL, "0", 0, 1e30, NULL, "clip the meta-gradient to this L2 norm; 0 = off"},
    [M_VALID_EVERY] = {"valid_every", L2L_OPT_INT, "10", 1, 1e9, NULL, "K: validate (and save the training state) every K epochs"},
    [M_VALID_PROBLEMS] = {"valid_problems", L2L_OPT_INT, "16", 1, 1e6, NULL, "held-out problems per validation"},
    [M_VALID_LOSS] = {"valid_loss", L2L_OPT_STRING, "mean", 0, 0, "mean|final|last_unroll",
     "mean: mean f over steps 1..T (the meta-objective); final: f at step T (the paper); "
     "last_unroll: mean f over the last unroll (the reference code)"},
    [M_KEEP] = {"keep", L2L_OPT_STRING, "best", 0, 0, "best|last",
     "φ the checkpoint keeps when training ends: best = the lowest validation loss (the paper); "
     "last = the φ of the last epoch"},
    [M_SECOND_ORDER] = {"second_order", L2L_OPT_BOOL, "false", 0, 1, NULL,
     "follow ∇_t = ∇f(θ_t) in the meta-gradient (Hessian-vector products; needs the optimizer's "
     "backward_step and the optimizee's hvp); false: ∇_t a constant (the paper)"},
    [M_COUNT] = {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const char *const valid_names[] = {"mean", "final", "last_unroll"};

void l2l_meta_config_from_values(const struct l2l_value *v, struct l2l_meta_config *cfg)
{
    cfg->epochs = v[M_EPOCHS].i;
    cfg->steps = v[M_STEPS].i;
    cfg->unroll = v[M_UNROLL].i;
    cfg->problems = v[M_PROBLEMS].i;
    cfg->lr = v[M_LR].r;
    cfg->beta1 = v[M_BETA1].r;
    cfg->beta2 = v[M_BETA2].r;
    cfg->eps = v[M_EPS].r;
    cfg->clip = v[M_CLIP].r;
    cfg->valid_every = v[M_VALID_EVERY].i;
    cfg->valid_problems = v[M_VALID_PROBLEMS].i;
    const char *vl = v[M_VALID_LOSS].s;
    cfg->valid_loss = !vl || strcmp(vl, "mean") == 0 ? L2L_VALID_MEAN
                      : strcmp(vl, "final") == 0    ? L2L_VALID_FINAL
                                                    : L2L_VALID_LAST_UNROLL;
    cfg->keep_last = v[M_KEEP].s && strcmp(v[M_KEEP].s, "last") == 0;
    cfg->second_order = (int)v[M_SECOND_ORDER].i;
}

static void on_signal(int sig)
{
    (void)sig;
    meta_stop_requested = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the process (every thread), for the training's cost. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The job in one line: a .state file is only resumed by the same job. */
static void describe_job(struct meta_trainer *tr)
{
    const struct l2l_meta_job *j = tr->job;
    const struct l2l_meta_config *c = tr->cfg;
    char opts[2048];
    l2l_values_format(j->opt->options, j->opt_values, opts, sizeof opts);
    l2l_fmt(tr->job_desc, sizeof tr->job_desc,
            "optimizer=%s (%s); optimizee=%s; trained_on=%s; seed=%llu; steps=%ld; unroll=%ld; "
            "problems=%ld; meta_lr=%.9g; beta1=%.9g; beta2=%.9g; eps=%.9g; clip=%.9g; "
            "valid_every=%ld; valid_problems=%ld; valid_loss=%s; keep=%s",
            j->opt->name, opts, j->obj->name, j->trained_on ? j->trained_on : "",
            (unsigned long long)j->seed, c->steps, c->unroll, c->problems, c->lr, c->beta1, c->beta2,
            c->eps, c->clip, c->valid_every, c->valid_problems, valid_names[c->valid_loss],
            c->keep_last ? "last" : "best");
    /* only when set: first-order jobs keep the description (and the
     * .state files and checkpoint notes) they had before the key */
    if (c->second_order) {
        size_t len = strlen(tr->job_desc);
        l2l_fmt(tr->job_desc + len, sizeof tr->job_desc - len, "; second_order=true");
    }
    /* likewise the sets, only when not the one set `all` */
    if (j->sets && !l2l_sets_default(j->sets)) {
        char sets[1024];
        size_t len = strlen(tr->job_desc);
        l2l_sets_describe(j->sets, sets, sizeof sets);
        l2l_fmt(tr->job_desc + len, sizeof tr->job_desc - len, "; sets=%s", sets);
    }
}

static int check_config(const struct l2l_meta_job *job, char *err, size_t errlen)
{
    const struct l2l_meta_config *c = &job->cfg;
    if (!job->opt->learned) {
        l2l_fmt(err, errlen, "%s: plugin %s is not a learned optimizer: nothing to meta-train",
                job->name, job->opt->name);
        return L2L_EINPUT;
    }
    if (c->epochs < 1 || c->steps < 1 || c->unroll < 1 || c->problems < 1 || c->valid_every < 1 ||
        c->valid_problems < 1 || !(c->lr > 0)) {
        l2l_fmt(err, errlen, "%s: meta-training needs epochs, steps, unroll, problems, valid_every, "
                "valid_problems >= 1 and meta_lr > 0", job->name);
        return L2L_EINPUT;
    }
    if (c->second_order && !job->opt->learned->backward_step) {
        l2l_fmt(err, errlen, "%s: second_order = true, but optimizer %s has no backward_step "
                "(set second_order = false)", job->name, job->opt->name);
        return L2L_EINPUT;
    }
    if (c->second_order && (!job->obj->hvp || !job->obj->replay_depth)) {
        l2l_fmt(err, errlen, "%s: second_order = true, but optimizee %s has no Hessian-vector "
                "product (hvp) (set second_order = false)", job->name, job->obj->name);
        return L2L_EINPUT;
    }
    if (!job->checkpoint_path || !job->checkpoint_path[0]) {
        l2l_fmt(err, errlen, "%s: no checkpoint path to write φ to", job->name);
        return L2L_EINPUT;
    }
    return 0;
}

static void trainer_free(struct meta_trainer *tr)
{
    for (long k = 0; tr->inst && k < tr->P; k++)
        l2l_meta_inst_free(&tr->inst[k]);
    free(tr->inst);
    for (int k = 0; tr->vinst && k < tr->nv; k++)
        l2l_meta_inst_free(&tr->vinst[k]);
    free(tr->vinst);
    free(tr->dphis);
    free(tr->vals);
    free(tr->rcs);
    free(tr->errs);
    l2l_meta_state_free(&tr->st);
    l2l_meta_state_free(&tr->snap);
    free(tr->dphi);
    free(tr->state_path);
    if (tr->log)
        fclose(tr->log);
}

/* Objects, buffers, and the state: loaded from .state, or fresh (φ from
 * meta_init with the INIT stream). Sets *resumed. */
static int trainer_init(struct meta_trainer *tr, const struct l2l_meta_job *job, int *resumed,
                        char *err, size_t errlen)
{
    const struct l2l_meta_config *c = &job->cfg;
    tr->job = job;
    tr->cfg = c;
    tr->P = c->problems;
    size_t plen = strlen(job->checkpoint_path);
    tr->state_path = malloc(plen + 7);
    tr->inst = calloc((size_t)tr->P, sizeof *tr->inst);
    if (!tr->state_path || !tr->inst) {
        l2l_fmt(err, errlen, "%s: out of memory", job->name);
        return L2L_ENOMEM;
    }
    memcpy(tr->state_path, job->checkpoint_path, plen);
    memcpy(tr->state_path + plen, ".state", 7);
    int U = (int)c->unroll;
    for (long k = 0; k < tr->P; k++) {
        int rc = l2l_meta_inst_init_sets(&tr->inst[k], job->opt, job->sets, job->opt_values, job->obj,
                                         job->family, U, err, errlen);
        if (rc >= 0 && c->second_order)
            rc = l2l_meta_inst_second_order(&tr->inst[k], err, errlen);
        if (rc < 0)
            return rc;
    }
    tr->nv = meta_threads(job, c->valid_problems);
    long nmax = tr->P > c->valid_problems ? tr->P : c->valid_problems;
    long nerr = tr->P > tr->nv ? tr->P : tr->nv;
    tr->vinst = calloc((size_t)tr->nv, sizeof *tr->vinst);
    tr->vals = calloc((size_t)nmax, sizeof *tr->vals);
    tr->rcs = calloc(2 * (size_t)nmax, sizeof *tr->rcs);
    tr->errs = calloc((size_t)nerr, L2L_ERRLEN);
    if (!tr->vinst || !tr->vals || !tr->rcs || !tr->errs) {
        l2l_fmt(err, errlen, "%s: out of memory", job->name);
        return L2L_ENOMEM;
    }
    for (int k = 0; k < tr->nv; k++) {
        int rc = l2l_meta_inst_init_sets(&tr->vinst[k], job->opt, job->sets, job->opt_values, job->obj,
                                         job->family, 1, err, errlen);
        if (rc < 0)
            return rc;
    }
    int rc;
    tr->l = tr->inst[0].opt->learned; /* the sets' composite: φ is every set's, one after another */
    tr->n_meta = tr->l->n_meta(tr->inst[0].self);
    tr->dphi = calloc(tr->n_meta ? tr->n_meta : 1, sizeof(float));
    tr->dphis = calloc((tr->n_meta ? tr->n_meta : 1) * (size_t)tr->P, sizeof(float));
    if (!tr->dphi || !tr->dphis || l2l_meta_state_init(&tr->st, tr->n_meta, c->lr) < 0 ||
        l2l_meta_state_init(&tr->snap, tr->n_meta, c->lr) < 0) {
        l2l_fmt(err, errlen, "%s: out of memory for %zu meta-parameters", job->name, tr->n_meta);
        return L2L_ENOMEM;
    }
    describe_job(tr);
    *resumed = access(tr->state_path, F_OK) == 0;
    if (*resumed) {
        rc = l2l_meta_state_load(tr->state_path, tr->job_desc, &tr->st, err, errlen);
        if (rc < 0)
            return rc;
    } else {
        struct l2l_rng rng;
        l2l_rng_for(&rng, job->seed, L2L_SEED_INIT, 0, 0);
        tr->l->meta_init(tr->inst[0].self, &rng);
        memcpy(tr->st.phi, tr->l->meta(tr->inst[0].self), sizeof(float) * tr->n_meta);
        memcpy(tr->st.best_phi, tr->st.phi, sizeof(float) * tr->n_meta);
    }
    meta_spread_phi(tr);
    return 0;
}

/* Epochs in a row without one finite meta-gradient (so φ never moved,
 * however often it was rolled back and meta_lr halved) after which a
 * training that never had a finite validation loss is given up. */
#define STUCK_EPOCHS (5 * MAX_BAD)

/* 1 when the last STUCK_EPOCHS epochs all skipped every meta-step (their
 * grad_norm is empty). */
static int stuck(const struct l2l_meta_state *st)
{
    long n = 0;
    for (long r = st->n_rows - 1; r >= 0 && st->rows[r].epoch >= 1 && isnan(st->rows[r].grad_norm); r--)
        n++;
    return n >= STUCK_EPOCHS;
}

/* SIGINT and SIGTERM ask the loop to stop after the current unroll
 * (meta_stop_requested); the caller's handlers are restored at the end. */
static void catch_signals(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
    sigemptyset(&sa.sa_mask);
    meta_stop_requested = 0;
    sigaction(SIGINT, &sa, old_int);
    sigaction(SIGTERM, &sa, old_term);
}

/* Epoch 0 of a fresh training: the initial φ validated, so the log shows
 * where training starts. */
static int validate_initial(struct meta_trainer *tr, int writer, char *err, size_t errlen)
{
    double t0 = now(), c0 = cpu_now(), v;
    int rc;
    if ((rc = meta_validate_and_save(tr, 0, &v, err, errlen)) < 0)
        return rc;
    tr->st.cpu_seconds += meta_cpu_all(tr, cpu_now() - c0);
    struct l2l_meta_row row = {0, NAN, v, tr->st.best_loss, tr->st.lr, NAN, now() - t0};
    if ((rc = l2l_meta_state_add_row(&tr->st, &row)) < 0 ||
        (writer && (rc = l2l_meta_state_save(tr->state_path, tr->job_desc, &tr->st, err, errlen)) < 0))
        return rc;
    if (tr->log)
        l2l_meta_log_row(tr->log, &row);
    return 0;
}

/* Interrupted in epoch e: the epoch is dropped, the state before it saved. */
static int save_interrupted(struct meta_trainer *tr, int writer, long e, char *err, size_t errlen)
{
    l2l_meta_state_copy(&tr->st, &tr->snap);
    int rc = writer ? l2l_meta_state_save(tr->state_path, tr->job_desc, &tr->st, err, errlen) : 0;
    if (rc == 0) {
        l2l_fmt(err, errlen, "interrupted in epoch %ld; state saved in %s, run again to resume",
                e, tr->state_path);
        rc = L2L_EINTR;
    }
    return rc;
}

/* Epoch e: trained, validated when due, its row into the state and the
 * log, the state saved when validated (*validated). 0, L2L_EINTR when
 * interrupted (state saved), or < 0. */
static int train_epoch(struct meta_trainer *tr, long e, int writer, struct l2l_meta_row *row,
                       int *validated, char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    double t0 = now(), c0 = cpu_now(), ml, gn, v = NAN;
    l2l_meta_state_copy(&tr->snap, &tr->st);
    int rc = meta_stop_agreed(tr) ? 1 : meta_run_epoch(tr, e, &ml, &gn, err, errlen);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return save_interrupted(tr, writer, e, err, errlen);
    tr->st.epoch = e;
    int validating = e % c->valid_every == 0 || e == c->epochs;
    if (validating && (rc = meta_validate_and_save(tr, e, &v, err, errlen)) < 0)
        return rc;
    tr->st.cpu_seconds += meta_cpu_all(tr, cpu_now() - c0);
    *row = (struct l2l_meta_row){e, ml, v, tr->st.best_loss, tr->st.lr, gn, now() - t0};
    if ((rc = l2l_meta_state_add_row(&tr->st, row)) < 0) {
        l2l_fmt(err, errlen, "%s: out of memory", tr->job->name);
        return rc;
    }
    if (validating && writer &&
        (rc = l2l_meta_state_save(tr->state_path, tr->job_desc, &tr->st, err, errlen)) < 0)
        return rc;
    if (tr->log)
        l2l_meta_log_row(tr->log, row);
    *validated = validating;
    return 0;
}

/* The progress line after epoch e (of those from `first` in this session):
 * the last validation loss, time elapsed and left. */
static void show_progress(struct meta_trainer *tr, long e, long first, const struct l2l_meta_row *row,
                          double last_valid, double t_start)
{
    const struct l2l_meta_config *c = tr->cfg;
    double el = now() - t_start;
    struct l2l_meta_row shown = *row;
    shown.valid_loss = last_valid;
    l2l_meta_progress(tr->job->name, e, c->epochs, &shown, tr->st.best_loss, el,
                      el / (double)(e - first + 1) * (double)(c->epochs - e));
    tr->progress_open = 1;
}

/* Stopped after epoch e: φ cannot move (stuck) and never had a finite
 * validation loss. */
static void say_stuck(struct meta_trainer *tr, long e)
{
    if (tr->progress_open) {
        fputc('\n', stderr);
        tr->progress_open = 0;
    }
    l2l_warn("%s: %d epochs in a row without a finite meta-gradient and never a finite "
             "validation loss: φ cannot move; stopped after epoch %ld of %ld", tr->job->name,
             STUCK_EPOCHS, e, tr->cfg->epochs);
}

/* The epochs after the state's last, to the end (or until stuck): 0,
 * L2L_EINTR when interrupted (state saved), or < 0. */
static int run_epochs(struct meta_trainer *tr, int writer, int progress, double t_start,
                      char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    double last_valid = tr->st.n_rows ? tr->st.rows[tr->st.n_rows - 1].valid_loss : NAN;
    long first = tr->st.epoch + 1;
    for (long e = first; e <= c->epochs; e++) {
        struct l2l_meta_row row;
        int validated = 0;
        int rc = train_epoch(tr, e, writer, &row, &validated, err, errlen);
        if (rc < 0)
            return rc;
        if (validated)
            last_valid = row.valid_loss;
        if (progress)
            show_progress(tr, e, first, &row, last_valid, t_start);
        if (tr->st.best_epoch < 0 && e < c->epochs && stuck(&tr->st)) {
            say_stuck(tr, e);
            break;
        }
    }
    return 0;
}

/* Training is over without one finite validation loss: a resume could
 * only repeat this failure, and a fixed suite (another job) would be
 * refused the state. Remove it, so the next run starts afresh; the log
 * keeps every epoch. Returns L2L_ENUM. */
static int give_up_diverged(struct meta_trainer *tr, int writer, char *err, size_t errlen)
{
    long n_valid = 0;
    for (long r = 0; r < tr->st.n_rows; r++)
        n_valid += !isnan(tr->st.rows[r].valid_loss);
    int gone = writer && unlink(tr->state_path) == 0;
    l2l_fmt(err, errlen, "%s: no validation gave a finite loss (%ld validations, epochs 0 to %ld): "
            "φ diverged; no checkpoint written%s; try a smaller initial step size, unroll or meta_lr, "
            "or set clip", tr->job->name, n_valid, tr->st.epoch,
            gone ? ", training state removed" : "");
    return L2L_ENUM;
}

/* Finished: the complete log written again (whatever was appended
 * before), the kept φ marked finished, then the state removed (a crash
 * between the two leaves a finished checkpoint and a stale state, which
 * the next run removes). */
static int finish(struct meta_trainer *tr, int writer, char *err, size_t errlen)
{
    if (tr->log) {
        fclose(tr->log);
        tr->log = l2l_meta_log_open(tr->job->log_csv_path, &tr->st, err, errlen);
        if (!tr->log)
            return L2L_EIO;
    }
    if (!writer)
        return 0;
    int rc = meta_checkpoint_save(tr, 1, err, errlen);
    if (rc < 0)
        return rc;
    if (unlink(tr->state_path) < 0) {
        l2l_fmt(err, errlen, "%s: cannot remove the finished training state", tr->state_path);
        return L2L_EIO;
    }
    return 0;
}

static int meta_train_body(const struct l2l_meta_job *job, char *err, size_t errlen)
{
    int rc = check_config(job, err, errlen);
    if (rc < 0)
        return rc;
    /* a suite copied elsewhere names checkpoints/ beside it: made here */
    if ((rc = l2l_mkdir_parent(job->checkpoint_path, err, errlen)) < 0)
        return rc;
    struct meta_trainer tr;
    memset(&tr, 0, sizeof tr);
    int resumed = 0;
    struct sigaction old_int, old_term;
    catch_signals(&old_int, &old_term);
    int progress = job->progress && isatty(STDERR_FILENO);
    double t_start = now();

    if ((rc = trainer_init(&tr, job, &resumed, err, errlen)) < 0)
        goto out;
    if (resumed)
        l2l_info("%s: resuming meta-training from %s after epoch %ld", job->name, tr.state_path, tr.st.epoch);
    int writer = meta_writer(&tr); /* one rank writes the files (meta_dist.c) */
    if (!writer)
        progress = 0;
    if (writer && job->log_csv_path && job->log_csv_path[0] &&
        !(tr.log = l2l_meta_log_open(job->log_csv_path, &tr.st, err, errlen))) {
        rc = L2L_EIO;
        goto out;
    }
    if (!resumed && (rc = validate_initial(&tr, writer, err, errlen)) < 0)
        goto out;
    if ((rc = run_epochs(&tr, writer, progress, t_start, err, errlen)) < 0)
        goto out;
    rc = tr.st.best_epoch < 0 ? give_up_diverged(&tr, writer, err, errlen)
                              : finish(&tr, writer, err, errlen);
out:
    if (tr.progress_open) /* end the progress line */
        fputc('\n', stderr);
    trainer_free(&tr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

/* One BLAS thread while meta-training (blas_threads.h): the optimizee's
 * products (mlp) give the same bits on any machine, and the learned
 * optimizer's own OpenMP threads are the parallelism here. */
int l2l_meta_train(const struct l2l_meta_job *job, char *err, size_t errlen)
{
    int blas_threads = l2l_blas_one_thread();
    int rc = meta_train_body(job, err, errlen);
    l2l_blas_restore(blas_threads);
    return rc;
}
