/* meta_unroll.c: one optimizee instance and one truncated-BPTT unroll over
 * it (see meta_unroll.h for the formulas). */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "meta_unroll.h"

/* Coordinates below which a loop is not worth threads. The loops are
 * elementwise, so results do not depend on the number of threads. Using
 * OpenMP here also keeps libgomp linked into every program that uses the
 * trainer, so unloading a plugin that uses OpenMP does not unload libgomp
 * under its idle worker threads. */
#define PAR_MIN 8192

int l2l_meta_inst_init(struct l2l_meta_inst *in, const struct l2l_optimizer_ops *opt,
                       const struct l2l_value *opt_values, const struct l2l_optimizee_ops *obj,
                       const void *family, int U, char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    in->opt = opt;
    in->obj = obj;
    in->family = family;
    in->n = obj->n_params(family);
    in->cap = U;
    const struct l2l_group all = {"all", 0, in->n}, *groups = &all;
    int n_groups = 1;
    if (obj->groups) {
        n_groups = obj->groups(family, &groups);
        if (n_groups <= 0) {
            groups = &all;
            n_groups = 1;
        }
    }
    in->self = opt->create(opt_values, in->n, groups, n_groups, err, errlen);
    if (!in->self)
        return L2L_EPLUGIN;
    size_t n = in->n ? in->n : 1;
    in->theta = malloc(sizeof(float) * n);
    in->grad = malloc(sizeof(float) * n);
    in->update = malloc(sizeof(float) * n);
    in->grads = malloc(sizeof(float) * n * (size_t)U);
    in->dg = malloc(sizeof(float) * n * (size_t)U);
    if (!in->theta || !in->grad || !in->update || !in->grads || !in->dg) {
        l2l_fmt(err, errlen, "out of memory for %d-step unrolls of %zu parameters", U, in->n);
        l2l_meta_inst_free(in);
        return L2L_ENOMEM;
    }
    return 0;
}

void l2l_meta_inst_free(struct l2l_meta_inst *in)
{
    if (in->problem)
        in->obj->problem_free(in->problem);
    if (in->self)
        in->opt->destroy(in->self);
    free(in->theta);
    free(in->grad);
    free(in->update);
    free(in->grads);
    free(in->dg);
    memset(in, 0, sizeof *in);
}

int l2l_meta_inst_start(struct l2l_meta_inst *in, struct l2l_rng *rng, char *err, size_t errlen)
{
    if (in->problem)
        in->obj->problem_free(in->problem);
    in->problem = in->obj->problem_new(in->family, rng, in->theta, err, errlen);
    if (!in->problem)
        return L2L_EPLUGIN;
    in->opt->reset(in->self);
    if (in->obj->loss_grad(in->problem, in->theta, &in->loss, in->grad) < 0) {
        l2l_fmt(err, errlen, "%s: loss_grad failed at θ0", in->obj->name);
        return L2L_EPLUGIN;
    }
    return 0;
}

int l2l_meta_unroll(struct l2l_meta_inst *in, int u, double scale, float *dphi,
                    double *meta_loss, double *losses, char *err, size_t errlen)
{
    const struct l2l_learned_ops *l = in->opt->learned;
    size_t n = in->n;
    if (u < 1 || u > in->cap) {
        l2l_fmt(err, errlen, "unroll of %d steps, buffers hold %d", u, in->cap);
        return L2L_EINPUT;
    }
    if (l->tape_begin(in->self, u) < 0) {
        l2l_fmt(err, errlen, "%s: tape_begin(%d) failed (out of memory?)", in->opt->name, u);
        return L2L_EPLUGIN;
    }
    double L = 0;
    for (int t = 0; t < u; t++) {
        /* ∇_t: carried in for t = 0, else from the previous step. */
        const float *gt = t == 0 ? in->grad : in->grads + (size_t)(t - 1) * n;
        if (l->step_record(in->self, t, in->theta, gt, in->update) < 0) {
            l2l_fmt(err, errlen, "%s: step_record failed at step %d of the unroll", in->opt->name, t);
            return L2L_EPLUGIN;
        }
        float *th = in->theta;
        const float *up = in->update;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
        for (size_t k = 0; k < n; k++) /* θ_{t+1} = θ_t + g_t */
            th[k] += up[k];
        double f;
        if (in->obj->loss_grad(in->problem, in->theta, &f, in->grads + (size_t)t * n) < 0) {
            l2l_fmt(err, errlen, "%s: loss_grad failed", in->obj->name);
            return L2L_EPLUGIN;
        }
        if (losses)
            losses[t] = f;
        L += f;
        in->loss = f;
    }
    memcpy(in->grad, in->grads + (size_t)(u - 1) * n, sizeof(float) * n);
    *meta_loss += L;
    if (!dphi)
        return 0;
    /* dg_t = scale · Σ_{s=t+1..u} ∇_s, built from the back: the suffix sum
     * of grads (grads[t] holds ∇_{t+1}). Accumulated in float as the
     * plugins' buffers are float; u is small. */
    float *dg = in->dg;
    const float *gr = in->grads;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (size_t k = 0; k < n; k++) {
        dg[(size_t)(u - 1) * n + k] = (float)(scale * gr[(size_t)(u - 1) * n + k]);
        for (int t = u - 2; t >= 0; t--)
            dg[(size_t)t * n + k] = dg[(size_t)(t + 1) * n + k] + (float)(scale * gr[(size_t)t * n + k]);
    }
    if (l->backward(in->self, dg, dphi) < 0) {
        l2l_fmt(err, errlen, "%s: backward failed (out of memory?)", in->opt->name);
        return L2L_EPLUGIN;
    }
    return 0;
}
