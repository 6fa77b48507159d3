/* meta_train.c: meta-training of a learned optimizer plugin by truncated
 * BPTT (Andrychowicz et al. 2016): the epoch loop, Adam on φ, validation on
 * held-out problems, best-φ checkpoints, resumption and signals. One unroll
 * is in meta_unroll.c, the state file in meta_state.c, the log in
 * meta_log.c. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "checkpoint.h"
#include "log.h"
#include "meta_log.h"
#include "meta_state.h"
#include "meta_train.h"
#include "meta_unroll.h"
#include "options.h"
#include "seeds.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* Non-finite meta-gradients in a row before φ is rolled back. */
#define MAX_BAD 3

const struct l2l_option l2l_meta_options[] = {
    {"epochs", L2L_OPT_INT, "100", 1, 1e9, NULL, "meta-training epochs (one trajectory on fresh problems each)"},
    {"steps", L2L_OPT_INT, "100", 1, 1e7, NULL, "T: optimizee steps per trajectory"},
    {"unroll", L2L_OPT_INT, "20", 1, 1e5, NULL, "U: steps per truncated-BPTT unroll (one meta-step each)"},
    {"problems", L2L_OPT_INT, "1", 1, 4096, NULL, "optimizee instances per meta-step (meta-gradient averaged)"},
    {"meta_lr", L2L_OPT_REAL, "0.001", 1e-9, 10, NULL, "Adam learning rate on φ"},
    {"beta1", L2L_OPT_REAL, "0.9", 0, 0.9999, NULL, "Adam first-moment decay"},
    {"beta2", L2L_OPT_REAL, "0.999", 0, 0.99999999, NULL, "Adam second-moment decay"},
    {"eps", L2L_OPT_REAL, "1e-8", 1e-30, 1, NULL, "Adam epsilon"},
    {"clip", L2L_OPT_REAL, "0", 0, 1e30, NULL, "clip the meta-gradient to this L2 norm; 0 = off"},
    {"valid_every", L2L_OPT_INT, "10", 1, 1e9, NULL, "K: validate (and save the training state) every K epochs"},
    {"valid_problems", L2L_OPT_INT, "16", 1, 1e6, NULL, "held-out problems per validation"},
    {"valid_loss", L2L_OPT_STRING, "mean", 0, 0, "mean|final",
     "mean: mean f over steps 1..T (the meta-objective); final: f at step T (the paper)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

void l2l_meta_config_from_values(const struct l2l_value *v, struct l2l_meta_config *cfg)
{
    cfg->epochs = v[0].i;
    cfg->steps = v[1].i;
    cfg->unroll = v[2].i;
    cfg->problems = v[3].i;
    cfg->lr = v[4].r;
    cfg->beta1 = v[5].r;
    cfg->beta2 = v[6].r;
    cfg->eps = v[7].r;
    cfg->clip = v[8].r;
    cfg->valid_every = v[9].i;
    cfg->valid_problems = v[10].i;
    cfg->valid_final = v[11].s && strcmp(v[11].s, "final") == 0;
}

static volatile sig_atomic_t stop_requested;
long l2l_meta_test_stop_epoch;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Threads for independent trajectories (instances, validation problems).
 * Each thread works on its own objects; results are reduced in a fixed
 * order, so they do not depend on the number of threads. */
static int max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct trainer {
    const struct l2l_meta_job *job;
    const struct l2l_meta_config *cfg;
    const struct l2l_learned_ops *l;
    size_t n_meta;
    long P;
    struct l2l_meta_inst *inst;  /* (P) training instances */
    struct l2l_meta_inst *vinst; /* (nv) validation, one per thread (plain step()) */
    int nv;
    struct l2l_meta_state st;    /* the state, as saved */
    struct l2l_meta_state snap;  /* st at the start of the current epoch */
    float *dphi;                 /* (n_meta) */
    float *dphis;                /* (P, n_meta) per-instance dφ */
    double *vals;                /* (max(P, valid_problems)) per-trajectory losses */
    int *rcs;                    /* (max(P, valid_problems)) per-trajectory status */
    char *errs;                  /* (nv or P, L2L_ERRLEN) per-thread messages */
    char *state_path;
    char job_desc[4096];
    FILE *log;
};

/* φ of the trainer into every optimizer object. */
static void spread_phi(struct trainer *tr)
{
    for (long k = 0; k < tr->P; k++)
        memcpy(tr->l->meta(tr->inst[k].self), tr->st.phi, sizeof(float) * tr->n_meta);
    for (int k = 0; k < tr->nv; k++)
        memcpy(tr->l->meta(tr->vinst[k].self), tr->st.phi, sizeof(float) * tr->n_meta);
}

/* The first failure among n trajectories (in order) into err. */
static int first_error(const struct trainer *tr, long n, char *err, size_t errlen)
{
    for (long k = 0; k < n; k++)
        if (tr->rcs[k] < 0) {
            l2l_fmt(err, errlen, "%s", tr->errs + (size_t)tr->rcs[k + n] * L2L_ERRLEN);
            return tr->rcs[k];
        }
    return 0;
}

/* The job in one line: a .state file is only resumed by the same job. */
static void describe_job(struct trainer *tr)
{
    const struct l2l_meta_job *j = tr->job;
    const struct l2l_meta_config *c = tr->cfg;
    char opts[2048];
    l2l_values_format(j->opt->options, j->opt_values, opts, sizeof opts);
    l2l_fmt(tr->job_desc, sizeof tr->job_desc,
            "optimizer=%s (%s); optimizee=%s; trained_on=%s; seed=%llu; steps=%ld; unroll=%ld; "
            "problems=%ld; meta_lr=%.9g; beta1=%.9g; beta2=%.9g; eps=%.9g; clip=%.9g; "
            "valid_every=%ld; valid_problems=%ld; valid_loss=%s",
            j->opt->name, opts, j->obj->name, j->trained_on ? j->trained_on : "",
            (unsigned long long)j->seed, c->steps, c->unroll, c->problems, c->lr, c->beta1, c->beta2,
            c->eps, c->clip, c->valid_every, c->valid_problems, c->valid_final ? "final" : "mean");
}

/* Frozen φ, plain step(), over the fixed held-out problems:
 *     loss = mean_k [ mean_{t=1..T} f_k(θ_t) ]   (valid_loss = mean)
 *     loss = mean_k f_k(θ_T)                      (valid_loss = final)
 * A non-finite value anywhere makes it +inf (never "best"). */
static int validate(struct trainer *tr, double *out, char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    long VP = c->valid_problems;
    for (int k = 0; k < tr->nv; k++)
        memcpy(tr->l->meta(tr->vinst[k].self), tr->st.phi, sizeof(float) * tr->n_meta);
#pragma omp parallel for schedule(static) num_threads(tr->nv) if (tr->nv > 1)
    for (long k = 0; k < VP; k++) {
        int id = thread_id();
        struct l2l_meta_inst *v = &tr->vinst[id];
        char *e = tr->errs + (size_t)id * L2L_ERRLEN;
        struct l2l_rng rng;
        l2l_rng_for(&rng, tr->job->seed, L2L_SEED_VALID, (uint64_t)k, 0);
        int rc = l2l_meta_inst_start(v, &rng, e, L2L_ERRLEN);
        double sum = 0, f = v->loss;
        for (long t = 0; t < c->steps && rc == 0; t++) {
            if (tr->job->opt->step(v->self, v->theta, v->grad) < 0) {
                l2l_fmt(e, L2L_ERRLEN, "%s: step failed during validation", tr->job->opt->name);
                rc = L2L_EPLUGIN;
            } else if (tr->job->obj->loss_grad(v->problem, v->theta, &f, v->grad) < 0) {
                l2l_fmt(e, L2L_ERRLEN, "%s: loss_grad failed during validation", tr->job->obj->name);
                rc = L2L_EPLUGIN;
            }
            sum += f;
        }
        tr->rcs[k] = rc;
        tr->rcs[k + VP] = id;
        tr->vals[k] = c->valid_final ? f : sum / (double)c->steps;
    }
    int rc = first_error(tr, VP, err, errlen);
    if (rc < 0)
        return rc;
    double total = 0;
    for (long k = 0; k < VP; k++) /* in order: independent of the threads */
        total += tr->vals[k];
    double loss = total / (double)VP;
    *out = isfinite(loss) ? loss : INFINITY;
    return 0;
}

/* The checkpoint's note: what φ was trained on and how. */
static void checkpoint_note(struct trainer *tr, char *buf, size_t len)
{
    l2l_fmt(buf, len, "%s; best validation loss %.9g at epoch %ld", tr->job_desc, tr->st.best_loss,
            tr->st.best_epoch);
}

static int save_best(struct trainer *tr, char *err, size_t errlen)
{
    char note[6144];
    checkpoint_note(tr, note, sizeof note);
    void *self = tr->vinst[0].self;
    memcpy(tr->l->meta(self), tr->st.best_phi, sizeof(float) * tr->n_meta);
    int rc = l2l_checkpoint_save(tr->job->checkpoint_path, tr->job->opt, self, note, err, errlen);
    memcpy(tr->l->meta(self), tr->st.phi, sizeof(float) * tr->n_meta);
    return rc;
}

/* Validates, keeps the best φ (checkpoint), and saves the state. */
static int validate_and_save(struct trainer *tr, long epoch, double *vloss, char *err, size_t errlen)
{
    int rc = validate(tr, vloss, err, errlen);
    if (rc < 0)
        return rc;
    if (*vloss < tr->st.best_loss) {
        tr->st.best_loss = *vloss;
        tr->st.best_epoch = epoch;
        memcpy(tr->st.best_phi, tr->st.phi, sizeof(float) * tr->n_meta);
        if ((rc = save_best(tr, err, errlen)) < 0)
            return rc;
    }
    return 0;
}

static int all_finite(const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(x[k]))
            return 0;
    return 1;
}

/* A non-finite meta-gradient: skip the step; after MAX_BAD in a row, go
 * back to the best φ with fresh Adam moments and half the learning rate. */
static void bad_step(struct trainer *tr, long epoch, long unroll)
{
    struct l2l_meta_state *s = &tr->st;
    s->bad_in_row++;
    l2l_warn("%s: epoch %ld, unroll %ld: meta-gradient not finite, step skipped (%ld in a row)",
             tr->job->name, epoch, unroll, s->bad_in_row);
    if (s->bad_in_row < MAX_BAD)
        return;
    memcpy(s->phi, s->best_phi, sizeof(float) * tr->n_meta);
    l2l_adam_reset(&s->adam);
    s->lr *= 0.5;
    s->bad_in_row = 0;
    if (s->best_epoch >= 0)
        l2l_warn("%s: φ rolled back to the best one (epoch %ld), Adam restarted, meta_lr halved to %.9g",
                 tr->job->name, s->best_epoch, s->lr);
    else
        l2l_warn("%s: φ rolled back to its initial value, Adam restarted, meta_lr halved to %.9g",
                 tr->job->name, s->lr);
    spread_phi(tr);
}

/* One epoch: `problems` fresh trajectories of T steps, one meta-step per
 * unroll. *meta_loss = mean over instances and steps 1..T of f(θ_t) (NAN
 * when the trajectory was abandoned on a non-finite meta-gradient).
 * Returns 1 when a stop was requested, 0, or < 0 on error. */
static int run_epoch(struct trainer *tr, long epoch, double *meta_loss, double *grad_norm,
                     char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    struct l2l_meta_state *s = &tr->st;
    for (long k = 0; k < tr->P; k++) {
        struct l2l_rng rng;
        l2l_rng_for(&rng, tr->job->seed, L2L_SEED_TRAIN, (uint64_t)epoch, (uint64_t)k);
        int rc = l2l_meta_inst_start(&tr->inst[k], &rng, err, errlen);
        if (rc < 0)
            return rc;
    }
    double total = 0, scale = 1.0 / (double)tr->P; /* L = mean over instances */
    double norms = 0;
    long unroll = 0;
    *grad_norm = NAN;
    for (long t0 = 0; t0 < c->steps; t0 += c->unroll, unroll++) {
        int u = (int)(c->steps - t0 < c->unroll ? c->steps - t0 : c->unroll);
        size_t m = tr->n_meta;
        memset(tr->dphis, 0, sizeof(float) * m * (size_t)tr->P);
        int nt = (int)(tr->P < max_threads() ? tr->P : max_threads());
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
        for (long k = 0; k < tr->P; k++) {
            int id = thread_id();
            tr->vals[k] = 0;
            tr->rcs[k] = l2l_meta_unroll(&tr->inst[k], u, scale, tr->dphis + (size_t)k * m, &tr->vals[k],
                                         NULL, tr->errs + (size_t)id * L2L_ERRLEN, L2L_ERRLEN);
            tr->rcs[k + tr->P] = id;
        }
        int rc = first_error(tr, tr->P, err, errlen);
        if (rc < 0)
            return rc;
        double L = 0; /* sums in instance order: independent of the threads */
        memcpy(tr->dphi, tr->dphis, sizeof(float) * m);
        for (long k = 1; k < tr->P; k++)
            for (size_t q = 0; q < m; q++)
                tr->dphi[q] += tr->dphis[(size_t)k * m + q];
        for (long k = 0; k < tr->P; k++)
            L += tr->vals[k];
        if (epoch == l2l_meta_test_stop_epoch)
            stop_requested = 1;
        if (!isfinite(L) || !all_finite(tr->dphi, tr->n_meta)) {
            bad_step(tr, epoch, unroll);
            *meta_loss = NAN;
            return stop_requested ? 1 : 0; /* the trajectories are poisoned */
        }
        s->bad_in_row = 0;
        total += L;
        double norm = 0;
        for (size_t k = 0; k < tr->n_meta; k++)
            norm += (double)tr->dphi[k] * tr->dphi[k];
        norm = sqrt(norm);
        norms += norm;
        *grad_norm = norms / (double)(unroll + 1);
        if (c->clip > 0) { /* dφ ← dφ · min(1, clip / ||dφ||) */
            if (norm > c->clip)
                for (size_t k = 0; k < tr->n_meta; k++)
                    tr->dphi[k] = (float)(tr->dphi[k] * (c->clip / norm));
        }
        l2l_adam_step(&s->adam, s->phi, tr->dphi, s->lr, c->beta1, c->beta2, c->eps);
        spread_phi(tr);
        if (stop_requested)
            return 1;
    }
    *meta_loss = total / ((double)tr->P * (double)c->steps);
    return 0;
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
    if (!job->checkpoint_path || !job->checkpoint_path[0]) {
        l2l_fmt(err, errlen, "%s: no checkpoint path to write φ to", job->name);
        return L2L_EINPUT;
    }
    return 0;
}

static void trainer_free(struct trainer *tr)
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
static int trainer_init(struct trainer *tr, const struct l2l_meta_job *job, int *resumed,
                        char *err, size_t errlen)
{
    const struct l2l_meta_config *c = &job->cfg;
    tr->job = job;
    tr->cfg = c;
    tr->l = job->opt->learned;
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
        int rc = l2l_meta_inst_init(&tr->inst[k], job->opt, job->opt_values, job->obj, job->family, U,
                                    err, errlen);
        if (rc < 0)
            return rc;
    }
    int T = max_threads();
    tr->nv = (int)(c->valid_problems < T ? c->valid_problems : T);
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
        int rc = l2l_meta_inst_init(&tr->vinst[k], job->opt, job->opt_values, job->obj, job->family, 1,
                                    err, errlen);
        if (rc < 0)
            return rc;
    }
    int rc;
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
    spread_phi(tr);
    return 0;
}

int l2l_meta_train(const struct l2l_meta_job *job, char *err, size_t errlen)
{
    int rc = check_config(job, err, errlen);
    if (rc < 0)
        return rc;
    const struct l2l_meta_config *c = &job->cfg;
    struct trainer tr;
    memset(&tr, 0, sizeof tr);
    int resumed = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
    sigemptyset(&sa.sa_mask);
    stop_requested = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int progress = job->progress && isatty(STDERR_FILENO);
    double t_start = now();

    if ((rc = trainer_init(&tr, job, &resumed, err, errlen)) < 0)
        goto out;
    if (resumed)
        l2l_info("%s: resuming meta-training from %s after epoch %ld", job->name, tr.state_path, tr.st.epoch);
    if (job->log_csv_path && job->log_csv_path[0] &&
        !(tr.log = l2l_meta_log_open(job->log_csv_path, &tr.st, err, errlen))) {
        rc = L2L_EIO;
        goto out;
    }
    if (!resumed) { /* epoch 0: the initial φ, so the log shows where training starts */
        double t0 = now(), v;
        if ((rc = validate_and_save(&tr, 0, &v, err, errlen)) < 0)
            goto out;
        struct l2l_meta_row row = {0, NAN, v, tr.st.best_loss, tr.st.lr, NAN, now() - t0};
        if ((rc = l2l_meta_state_add_row(&tr.st, &row)) < 0 ||
            (rc = l2l_meta_state_save(tr.state_path, tr.job_desc, &tr.st, err, errlen)) < 0)
            goto out;
        if (tr.log)
            l2l_meta_log_row(tr.log, &row);
    }
    double last_valid = tr.st.n_rows ? tr.st.rows[tr.st.n_rows - 1].valid_loss : NAN;
    long first = tr.st.epoch + 1;
    for (long e = first; e <= c->epochs; e++) {
        double t0 = now(), ml, gn, v = NAN;
        l2l_meta_state_copy(&tr.snap, &tr.st);
        rc = stop_requested ? 1 : run_epoch(&tr, e, &ml, &gn, err, errlen);
        if (rc < 0)
            goto out;
        if (rc == 1) { /* interrupted: drop this epoch, save the state before it */
            l2l_meta_state_copy(&tr.st, &tr.snap);
            rc = l2l_meta_state_save(tr.state_path, tr.job_desc, &tr.st, err, errlen);
            if (rc == 0) {
                l2l_fmt(err, errlen, "interrupted in epoch %ld; state saved in %s, run again to resume",
                        e, tr.state_path);
                rc = L2L_EINTR;
            }
            goto out;
        }
        tr.st.epoch = e;
        int validating = e % c->valid_every == 0 || e == c->epochs;
        if (validating && (rc = validate_and_save(&tr, e, &v, err, errlen)) < 0)
            goto out;
        struct l2l_meta_row row = {e, ml, v, tr.st.best_loss, tr.st.lr, gn, now() - t0};
        if ((rc = l2l_meta_state_add_row(&tr.st, &row)) < 0) {
            l2l_fmt(err, errlen, "%s: out of memory", job->name);
            goto out;
        }
        if (validating && (rc = l2l_meta_state_save(tr.state_path, tr.job_desc, &tr.st, err, errlen)) < 0)
            goto out;
        if (tr.log)
            l2l_meta_log_row(tr.log, &row);
        if (validating)
            last_valid = v;
        if (progress) {
            double el = now() - t_start;
            struct l2l_meta_row shown = row;
            shown.valid_loss = last_valid;
            l2l_meta_progress(job->name, e, c->epochs, &shown, tr.st.best_loss, el,
                              el / (double)(e - first + 1) * (double)(c->epochs - e));
        }
    }
    if (progress)
        fputc('\n', stderr);
    if (tr.st.best_epoch < 0) {
        l2l_fmt(err, errlen, "%s: no validation gave a finite loss: φ diverged, no checkpoint written",
                job->name);
        rc = L2L_ENUM;
        goto out;
    }
    if (tr.log) { /* the complete log, whatever was appended before */
        fclose(tr.log);
        tr.log = l2l_meta_log_open(job->log_csv_path, &tr.st, err, errlen);
        if (!tr.log) {
            rc = L2L_EIO;
            goto out;
        }
    }
    if (unlink(tr.state_path) < 0) {
        l2l_fmt(err, errlen, "%s: cannot remove the finished training state", tr.state_path);
        rc = L2L_EIO;
    }
out:
    if (progress && rc < 0)
        fputc('\n', stderr);
    trainer_free(&tr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}
