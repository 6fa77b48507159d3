/* test_lstm_common.h: what the lstm tests share: opening `lstm` or
 * `lstm-gac` with options given as "key=value" strings, and an independent
 * double-precision implementation of the network written from the paper's
 * formulas, one coordinate at a time (scalar loops, no BLAS). */
#ifndef L2L_TEST_LSTM_COMMON_H
#define L2L_TEST_LSTM_COMMON_H
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"
#include "plugin_loader.h"

struct lstm_t {
    struct l2l_plugin plugin;
    const struct l2l_optimizer_ops *ops;
    const struct l2l_learned_ops *lo;
    struct l2l_value values[16];
    void *self;
    size_t n;
};

/* Opens plugin `name`, sets the NULL-terminated "key=value" list, creates
 * an optimizer for n parameters split into groups. Returns 0 or -1. */
static inline int lstm_t_open(struct lstm_t *o, const char *name, const char *const *kv, size_t n,
                       const struct l2l_group *groups, int n_groups)
{
    char err[L2L_ERRLEN];
    memset(o, 0, sizeof *o);
    if (l2l_plugin_open(L2L_OPTIMIZER, name, &o->plugin, err, sizeof err) < 0) {
        printf("\n  %s\n", err);
        return -1;
    }
    o->ops = o->plugin.u.opt;
    o->lo = o->ops->learned;
    if (l2l_options_defaults(o->ops->options, o->values, err, sizeof err) < 0)
        goto fail;
    for (int k = 0; kv && kv[k]; k++) {
        char key[64];
        const char *eq = strchr(kv[k], '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[k]), kv[k]);
        if (l2l_options_set(o->ops->options, o->values, key, eq + 1, err, sizeof err) < 0)
            goto fail;
    }
    o->n = n;
    o->self = o->ops->create(o->values, n, groups, n_groups, err, sizeof err);
    if (!o->self)
        goto fail;
    return 0;
fail:
    printf("\n  %s\n", err);
    l2l_values_clear(o->ops->options, o->values);
    l2l_plugin_close(&o->plugin);
    return -1;
}

static inline void lstm_t_close(struct lstm_t *o)
{
    if (o->self)
        o->ops->destroy(o->self);
    l2l_values_clear(o->ops->options, o->values);
    l2l_plugin_close(&o->plugin);
}

/* ------------------------------------------------ double reference */

struct ref_net {
    int L, H, D, gac, pre; /* pre: 0 none, 1 logsign (paper), 2 logsign-ref */
    double p, scale;
    size_t n;
    const struct l2l_group *groups; /* NULL: one group */
    int n_groups;
    const float *phi;
    double *h, *c;                  /* (L, n, H) state */
};

static inline void ref_init(struct ref_net *r, size_t n)
{
    r->n = n;
    r->h = calloc((size_t)(r->L ? r->L : 1) * n * (size_t)r->H, sizeof(double));
    r->c = calloc((size_t)(r->L ? r->L : 1) * n * (size_t)r->H, sizeof(double));
}

static inline void ref_free(struct ref_net *r)
{
    free(r->h);
    free(r->c);
}

static inline double ref_sigmoid(double a) { return 1.0 / (1.0 + exp(-a)); }

static inline void ref_preprocess(const struct ref_net *r, double g, double *x)
{
    if (r->pre == 0) {
        x[0] = g;
    } else if (r->pre == 1) {
        if (fabs(g) >= exp(-r->p)) {
            x[0] = log(fabs(g)) / r->p;
            x[1] = g > 0 ? 1 : (g < 0 ? -1 : 0);
        } else {
            x[0] = -1;
            x[1] = exp(r->p) * g;
        }
    } else {
        x[0] = fmax(log(fabs(g) + 1.1920928955078125e-07) / r->p, -1.0);
        x[1] = fmin(fmax(g * exp(r->p), -1.0), 1.0);
    }
}

/* One step for every coordinate; out (n) = the update g. */
static inline void ref_step(struct ref_net *r, const float *grad, double *out)
{
    int L = r->L, H = r->H, D = r->D;
    size_t n = r->n;
    double *x0 = calloc(n * 2, sizeof(double)), *a = calloc(4 * (size_t)H, sizeof(double));
    for (size_t k = 0; k < n; k++)
        ref_preprocess(r, grad[k], x0 + 2 * k);
    const float *W = r->phi;
    for (int l = 0; l < L; l++) {
        int in = l == 0 ? D : H, rows = in + H + 1;
        double *hl = r->h + (size_t)l * n * H, *cl = r->c + (size_t)l * n * H;
        for (size_t k = 0; k < n; k++) {
            const double *x = l == 0 ? x0 + 2 * k : r->h + ((size_t)(l - 1) * n + k) * H;
            double *hk = hl + k * H, *ck = cl + k * H;
            for (int q = 0; q < 4 * H; q++) {
                double s = W[(size_t)(rows - 1) * 4 * H + q];
                for (int e = 0; e < in; e++)
                    s += x[e] * W[(size_t)e * 4 * H + q];
                for (int u = 0; u < H; u++)
                    s += hk[u] * W[(size_t)(in + u) * 4 * H + q];
                a[q] = s;
            }
            for (int u = 0; u < H; u++) {
                double i = ref_sigmoid(a[u]), j = tanh(a[H + u]);
                double f = ref_sigmoid(a[2 * H + u] + 1.0), o = ref_sigmoid(a[3 * H + u]);
                ck[u] = f * ck[u] + i * j;
                hk[u] = tanh(ck[u]) * o;
            }
        }
        /* global averaging cells: the first gac cells' h, averaged per group */
        int ng = r->groups ? r->n_groups : 1;
        for (int g = 0; g < ng && r->gac; g++) {
            size_t o = r->groups ? r->groups[g].offset : 0, cnt = r->groups ? r->groups[g].count : n;
            for (int u = 0; u < r->gac && cnt; u++) {
                double m = 0;
                for (size_t k = o; k < o + cnt; k++)
                    m += hl[k * H + u];
                m /= (double)cnt;
                for (size_t k = o; k < o + cnt; k++)
                    hl[k * H + u] = m;
            }
        }
        W += (size_t)rows * 4 * H;
    }
    int m = L ? H : D;
    for (size_t k = 0; k < n; k++) {
        const double *x = L ? r->h + ((size_t)(L - 1) * n + k) * H : x0 + 2 * k;
        double y = W[m];
        for (int u = 0; u < m; u++)
            y += x[u] * W[u];
        out[k] = r->scale * y;
    }
    free(x0);
    free(a);
}

/* Gradients of varied magnitude: |∇| log-uniform in [e^−14, e^3], both
 * signs, so logsign takes both of its branches. */
static inline void lstm_t_grads(float *g, size_t n, struct l2l_rng *rng)
{
    for (size_t k = 0; k < n; k++) {
        double mag = exp(-14.0 + 17.0 * l2l_rng_uniform(rng));
        g[k] = (float)(l2l_rng_uniform(rng) < 0.5 ? -mag : mag);
    }
}
#endif
