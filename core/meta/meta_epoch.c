/* meta_epoch.c: one meta-training epoch (fresh problems, unrolls, Adam
 * steps, non-finite handling) and validation with best-φ checkpoints. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "checkpoint.h"
#include "log.h"
#include "meta_train_internal.h"
#include "seeds.h"

/* tr->st.phi is the one owner of φ; the objects hold copies because a
 * plugin owns the buffer meta() returns (ABI 2). Only the P training
 * objects get it after each meta-step: validation copies φ into its own
 * objects when it runs. */
void meta_spread_phi(struct meta_trainer *tr)
{
    for (long k = 0; k < tr->P; k++)
        memcpy(tr->l->meta(tr->inst[k].self), tr->st.phi, sizeof(float) * tr->n_meta);
}

int meta_first_error(const struct meta_trainer *tr, long n, char *err, size_t errlen)
{
    for (long k = 0; k < n; k++)
        if (tr->rcs[k] < 0) {
            l2l_fmt(err, errlen, "%s", tr->errs + (size_t)tr->rcs[k + n] * L2L_ERRLEN);
            return tr->rcs[k];
        }
    return 0;
}

/* Frozen φ, plain step(), over the fixed held-out problems:
 *     loss = mean_k [ mean_{t=1..T} f_k(θ_t) ]   (valid_loss = mean)
 *     loss = mean_k f_k(θ_T)                      (valid_loss = final)
 *     loss = mean_k [ mean_{t=a+1..T} f_k(θ_t) ]  (valid_loss = last_unroll)
 * with a = ⌊(T−1)/U⌋·U the first step of the last unroll. A non-finite value
 * anywhere makes it +inf (never "best"). */
static int validate(struct meta_trainer *tr, double *out, char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    long VP = c->valid_problems, last_from = (c->steps - 1) / c->unroll * c->unroll;
    long lo, hi; /* this rank's problems (meta_dist.c) */
    meta_share(tr, VP, &lo, &hi);
    for (int k = 0; k < tr->nv; k++)
        memcpy(tr->l->meta(tr->vinst[k].self), tr->st.phi, sizeof(float) * tr->n_meta);
#pragma omp parallel for schedule(static) num_threads(tr->nv) if (tr->nv > 1)
    for (long k = lo; k < hi; k++) {
        int id = meta_thread_id();
        struct l2l_meta_inst *v = &tr->vinst[id];
        char *e = tr->errs + (size_t)id * L2L_ERRLEN;
        struct l2l_rng rng;
        l2l_rng_for(&rng, tr->job->seed, L2L_SEED_VALID, (uint64_t)k, 0);
        int rc = l2l_meta_inst_start(v, &rng, e, L2L_ERRLEN);
        double sum = 0, last = 0, f = v->loss;
        for (long t = 0; t < c->steps && rc == 0; t++) {
            if (v->opt->step(v->self, v->theta, v->grad) < 0) {
                l2l_fmt(e, L2L_ERRLEN, "%s: step failed during validation", tr->job->opt->name);
                rc = L2L_EPLUGIN;
            } else if (tr->job->obj->loss_grad(v->problem, v->theta, &f, v->grad) < 0) {
                l2l_fmt(e, L2L_ERRLEN, "%s: loss_grad failed during validation", tr->job->obj->name);
                rc = L2L_EPLUGIN;
            }
            sum += f;
            if (t >= last_from)
                last += f;
        }
        tr->rcs[k] = rc;
        tr->rcs[k + VP] = id;
        tr->vals[k] = c->valid_loss == L2L_VALID_FINAL ? f
                      : c->valid_loss == L2L_VALID_LAST_UNROLL ? last / (double)(c->steps - last_from)
                                                               : sum / (double)c->steps;
    }
    int rc = meta_gather(tr, VP, NULL, 0, err, errlen);
    if (rc >= 0)
        rc = meta_first_error(tr, VP, err, errlen);
    if (rc < 0)
        return rc;
    double total = 0;
    for (long k = 0; k < VP; k++) /* in order: independent of the threads */
        total += tr->vals[k];
    double loss = total / (double)VP;
    *out = isfinite(loss) ? loss : INFINITY;
    return 0;
}

/* Validates, keeps the best φ (checkpoint), and saves the state. */
int meta_validate_and_save(struct meta_trainer *tr, long epoch, double *vloss, char *err, size_t errlen)
{
    int rc = validate(tr, vloss, err, errlen);
    if (rc < 0)
        return rc;
    if (*vloss < tr->st.best_loss) {
        tr->st.best_loss = *vloss;
        tr->st.best_epoch = epoch;
        memcpy(tr->st.best_phi, tr->st.phi, sizeof(float) * tr->n_meta);
        if (meta_writer(tr) && (rc = meta_checkpoint_save(tr, 0, err, errlen)) < 0)
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
static void bad_step(struct meta_trainer *tr, long epoch, long unroll)
{
    struct l2l_meta_state *s = &tr->st;
    s->bad_in_row++;
    if (tr->progress_open) { /* warnings start on a line of their own */
        fputc('\n', stderr);
        tr->progress_open = 0;
    }
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
    meta_spread_phi(tr);
}

/* One epoch: `problems` fresh trajectories of T steps, one meta-step per
 * unroll. *meta_loss = mean over instances and steps 1..T of f(θ_t) (NAN
 * when the trajectory was abandoned on a non-finite meta-gradient).
 * Returns 1 when a stop was requested, 0, or < 0 on error. */
int meta_run_epoch(struct meta_trainer *tr, long epoch, double *meta_loss, double *grad_norm,
                   char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    struct l2l_meta_state *s = &tr->st;
    long lo, hi; /* this rank's problems (meta_dist.c) */
    meta_share(tr, tr->P, &lo, &hi);
    for (long k = lo; k < hi; k++) {
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
        int nt = meta_threads(tr->job, hi - lo > 0 ? hi - lo : 1);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
        for (long k = lo; k < hi; k++) {
            int id = meta_thread_id();
            tr->vals[k] = 0;
            tr->rcs[k] = l2l_meta_unroll(&tr->inst[k], u, scale, tr->dphis + (size_t)k * m, &tr->vals[k],
                                         NULL, tr->errs + (size_t)id * L2L_ERRLEN, L2L_ERRLEN);
            tr->rcs[k + tr->P] = id;
        }
        if (tr->job->stop_in_epoch && tr->job->stop_in_epoch(tr->job->stop_arg, epoch))
            meta_stop_requested = 1;
        /* every rank's dφ, and whether any rank was signalled */
        int stop = meta_gather(tr, tr->P, tr->dphis, m, err, errlen);
        int rc = stop < 0 ? stop : meta_first_error(tr, tr->P, err, errlen);
        if (rc < 0)
            return rc;
        double L = 0; /* sums in instance order: independent of the threads */
        memcpy(tr->dphi, tr->dphis, sizeof(float) * m);
        for (long k = 1; k < tr->P; k++)
            for (size_t q = 0; q < m; q++)
                tr->dphi[q] += tr->dphis[(size_t)k * m + q];
        for (long k = 0; k < tr->P; k++)
            L += tr->vals[k];
        if (!isfinite(L) || !all_finite(tr->dphi, tr->n_meta)) {
            bad_step(tr, epoch, unroll);
            *meta_loss = NAN;
            return stop; /* the trajectories are poisoned */
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
        meta_spread_phi(tr);
        if (stop)
            return 1;
    }
    *meta_loss = total / ((double)tr->P * (double)c->steps);
    return 0;
}
