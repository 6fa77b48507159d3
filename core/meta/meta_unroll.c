/* meta_unroll.c: one optimizee instance and one truncated-BPTT unroll over
 * it (see meta_unroll.h for the formulas). */
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "meta_unroll.h"
#include "plugin_loader.h"

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
    return l2l_meta_inst_init_sets(in, opt, NULL, opt_values, obj, family, U, err, errlen);
}

int l2l_meta_inst_init_sets(struct l2l_meta_inst *in, const struct l2l_optimizer_ops *opt,
                            const struct l2l_sets *sets, const struct l2l_value *opt_values,
                            const struct l2l_optimizee_ops *obj, const void *family, int U,
                            char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    struct l2l_sets one = {0};
    if (!sets) {
        if (l2l_sets_resolve(&one) < 0) {
            l2l_fmt(err, errlen, "out of memory");
            return L2L_ENOMEM;
        }
        sets = &one;
    }
    l2l_sets_ops_init(&in->sops, opt);
    in->opt = &in->sops.ops;
    in->obj = obj;
    in->family = family;
    in->n = obj->n_params(family);
    in->cap = U;
    struct l2l_group all;
    const struct l2l_group *groups;
    int n_groups = l2l_optimizee_groups(obj, family, in->n, &all, &groups);
    in->self = l2l_sets_create(opt, sets, opt_values, in->n, groups, n_groups, err, errlen);
    l2l_sets_free(&one);
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
    free(in->thetas);
    free(in->lam);
    free(in->dgrad);
    free(in->hv);
    memset(in, 0, sizeof *in);
}

int l2l_meta_inst_second_order(struct l2l_meta_inst *in, char *err, size_t errlen)
{
    if (!in->opt->learned || !in->opt->learned->backward_step) {
        l2l_fmt(err, errlen, "optimizer %s has no backward_step: second_order = true needs it",
                in->opt->name);
        return L2L_EINPUT;
    }
    if (!in->obj->hvp || !in->obj->replay_depth) {
        l2l_fmt(err, errlen, "optimizee %s has no Hessian-vector product (hvp, replay_depth): "
                "second_order = true needs it", in->obj->name);
        return L2L_EINPUT;
    }
    size_t n = in->n ? in->n : 1;
    in->thetas = malloc(sizeof(float) * n * (size_t)in->cap);
    in->lam = malloc(sizeof(float) * n);
    in->dgrad = malloc(sizeof(float) * n);
    in->hv = malloc(sizeof(float) * n);
    if (!in->thetas || !in->lam || !in->dgrad || !in->hv) {
        l2l_fmt(err, errlen, "out of memory for second-order unrolls of %d steps of %zu parameters",
                in->cap, in->n);
        return L2L_ENOMEM;
    }
    in->second_order = 1;
    return 0;
}

int l2l_meta_inst_start(struct l2l_meta_inst *in, struct l2l_rng *rng, char *err, size_t errlen)
{
    if (in->problem)
        in->obj->problem_free(in->problem);
    in->problem = in->obj->problem_new(in->family, rng, in->theta, err, errlen);
    if (!in->problem)
        return L2L_EPLUGIN;
    in->opt->reset(in->self);
    /* Step t's minibatch is needed again u − t ≤ cap − 1 calls later. */
    if (in->second_order && in->obj->replay_depth(in->problem, in->cap) < 0) {
        l2l_fmt(err, errlen, "%s: cannot replay the minibatches of %d steps (replay_depth)",
                in->obj->name, in->cap);
        return L2L_EPLUGIN;
    }
    if (in->obj->loss_grad(in->problem, in->theta, &in->loss, in->grad) < 0) {
        l2l_fmt(err, errlen, "%s: loss_grad failed at θ0", in->obj->name);
        return L2L_EPLUGIN;
    }
    return 0;
}

/* The recursion of meta_unroll.h, λ in float summed in the order of the
 * first-order suffix sum. */
static int backward_second_order(struct l2l_meta_inst *in, int u, double scale, float *dphi,
                                 char *err, size_t errlen)
{
    const struct l2l_learned_ops *l = in->opt->learned;
    size_t n = in->n;
    float *lam = in->lam, *dgrad = in->dgrad, *hv = in->hv;
    const float *gr = in->grads;
    for (size_t k = 0; k < n; k++)
        lam[k] = (float)(scale * gr[(size_t)(u - 1) * n + k]);
    for (int t = u - 1; t >= 0; t--) {
        if (l->backward_step(in->self, t, lam, dgrad, dphi) < 0) {
            l2l_fmt(err, errlen, "%s: backward_step failed at step %d", in->opt->name, t);
            return L2L_EPLUGIN;
        }
        if (t == 0)
            break;
        /* θ_t is thetas[t − 1], ∇_t is grads[t − 1]: the loss_grad call
         * made u − t calls before the latest (at θ_u). */
        if (in->obj->hvp(in->problem, u - t, in->thetas + (size_t)(t - 1) * n, dgrad, hv) < 0) {
            l2l_fmt(err, errlen, "%s: hvp failed for step %d (ago %d)", in->obj->name, t, u - t);
            return L2L_EPLUGIN;
        }
        const float *g = gr + (size_t)(t - 1) * n;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
        for (size_t k = 0; k < n; k++)
            lam[k] = (lam[k] + (float)(scale * g[k])) + hv[k];
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
        if (in->second_order)
            memcpy(in->thetas + (size_t)t * n, in->theta, sizeof(float) * n);
        if (losses)
            losses[t] = f;
        L += f;
        in->loss = f;
    }
    memcpy(in->grad, in->grads + (size_t)(u - 1) * n, sizeof(float) * n);
    *meta_loss += L;
    if (!dphi)
        return 0;
    if (in->second_order)
        return backward_second_order(in, u, scale, dphi, err, errlen);
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
