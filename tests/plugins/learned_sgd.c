/* learned_sgd.c: a test-only learned optimizer, small enough to check by
 * hand, so the meta-trainer can be tested without the LSTM:
 *     g_t = −exp(φ0)·∇_t + φ1·g_{t−1}        (terms = 2)
 *     g_t = −exp(φ0)·∇_t                      (terms = 1)
 * with g_{−1} = 0 after reset() and g_{t−1} carried across unrolls. It
 * implements struct l2l_learned_ops fully. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "l2l/plugin.h"

static const struct l2l_option options[] = {
    {"lr", L2L_OPT_REAL, "0.01", 1e-8, 10, NULL, "initial step size exp(φ0)"},
    {"terms", L2L_OPT_INT, "2", 1, 2, NULL, "1: learned step size only; 2: plus learned momentum"},
    {"init_noise", L2L_OPT_REAL, "0.1", 0, 1, NULL, "std of the noise added to φ by meta_init"},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

struct lsgd {
    size_t n;
    int terms;
    double lr0, noise;
    float phi[2];
    float *prev;      /* (n) g_{t−1} */
    int cap, T;       /* tape capacity and steps recorded */
    float *tgrad;     /* (cap, n) ∇_t */
    float *tprev;     /* (cap, n) g_{t−1} as seen by step t */
    float *G;         /* (n) dL/dg_t carried between backward_step calls */
    int next;         /* the step backward_step expects next */
};

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups,
                    int n_groups, char *err, size_t errlen)
{
    (void)groups; (void)n_groups; (void)err; (void)errlen;
    struct lsgd *s = calloc(1, sizeof *s);
    if (!s || !(s->prev = calloc(n ? n : 1, sizeof(float)))) {
        free(s);
        return NULL;
    }
    s->n = n;
    s->lr0 = opts[0].r;
    s->terms = (int)opts[1].i;
    s->noise = opts[2].r;
    s->phi[0] = (float)log(s->lr0);
    return s;
}

static void destroy(void *self)
{
    struct lsgd *s = self;
    if (!s)
        return;
    free(s->prev);
    free(s->tgrad);
    free(s->tprev);
    free(s->G);
    free(s);
}

static void reset(void *self)
{
    struct lsgd *s = self;
    memset(s->prev, 0, sizeof(float) * s->n);
    s->T = 0;
}

/* g = −exp(φ0)·∇ + φ1·g_prev; g_prev ← g. */
static void update(struct lsgd *s, const float *grad, float *g)
{
    float lr = expf(s->phi[0]), mom = s->terms > 1 ? s->phi[1] : 0.0f;
    for (size_t k = 0; k < s->n; k++) {
        g[k] = -lr * grad[k] + mom * s->prev[k];
        s->prev[k] = g[k];
    }
}

static int step(void *self, float *theta, const float *grad)
{
    struct lsgd *s = self;
    for (size_t k = 0; k < s->n; k++) {
        float g = -expf(s->phi[0]) * grad[k] + (s->terms > 1 ? s->phi[1] : 0.0f) * s->prev[k];
        s->prev[k] = g;
        theta[k] += g;
    }
    return 0;
}

static size_t n_meta(const void *self) { return (size_t)((const struct lsgd *)self)->terms; }
static float *meta(void *self) { return ((struct lsgd *)self)->phi; }

static void meta_init(void *self, struct l2l_rng *rng)
{
    struct lsgd *s = self;
    s->phi[0] = (float)(log(s->lr0) + s->noise * l2l_rng_normal(rng));
    s->phi[1] = s->terms > 1 ? (float)(s->noise * l2l_rng_normal(rng)) : 0.0f;
}

static int shape(const void *self, uint32_t *words, int max)
{
    if (max < 1)
        return 0;
    words[0] = (uint32_t)((const struct lsgd *)self)->terms;
    return 1;
}
static const char *const shape_names[] = {"terms"};

static int tape_begin(void *self, int U)
{
    struct lsgd *s = self;
    s->T = 0;
    if (U > s->cap) {
        free(s->tgrad);
        free(s->tprev);
        free(s->G);
        s->tgrad = malloc(sizeof(float) * (size_t)U * s->n);
        s->tprev = malloc(sizeof(float) * (size_t)U * s->n);
        s->G = malloc(sizeof(float) * (s->n ? s->n : 1));
        s->cap = (s->tgrad && s->tprev && s->G) ? U : 0;
        if (!s->cap)
            return -1;
    }
    return 0;
}

static int step_record(void *self, int t, const float *theta, const float *grad, float *g)
{
    struct lsgd *s = self;
    (void)theta;
    if (t != s->T || t >= s->cap)
        return -1;
    memcpy(s->tgrad + (size_t)t * s->n, grad, sizeof(float) * s->n);
    memcpy(s->tprev + (size_t)t * s->n, s->prev, sizeof(float) * s->n);
    update(s, grad, g);
    s->T++;
    return 0;
}

/* Reverse over t: G_t = dg_t + φ1·G_{t+1} (total dL/dg_t through the
 * momentum), dφ0 += Σ_k G_t·(−exp(φ0)·∇_t), dφ1 += Σ_k G_t·g_{t−1}. The
 * carried g_{−1} of the unroll is a constant: G stops at t = 0. */
static int backward(void *self, const float *dg, float *dphi)
{
    struct lsgd *s = self;
    float *G = calloc(s->n ? s->n : 1, sizeof(float));
    if (!G)
        return -1;
    double lr = exp((double)s->phi[0]), mom = s->terms > 1 ? s->phi[1] : 0.0;
    double d0 = 0, d1 = 0;
    for (int t = s->T - 1; t >= 0; t--) {
        const float *gr = s->tgrad + (size_t)t * s->n, *pv = s->tprev + (size_t)t * s->n;
        for (size_t k = 0; k < s->n; k++) {
            G[k] = dg[(size_t)t * s->n + k] + (float)mom * G[k];
            d0 += (double)G[k] * (-lr * gr[k]);
            d1 += (double)G[k] * pv[k];
        }
    }
    dphi[0] += (float)d0;
    if (s->terms > 1)
        dphi[1] += (float)d1;
    free(G);
    return 0;
}

/* One step of backward, t = T−1 down to 0: G_t = dg_t + φ1·G_{t+1} with
 * G_T = 0, dφ as backward, and dL/d∇_t = −exp(φ0)·G_t. */
static int backward_step(void *self, int t, const float *dg_t, float *dgrad, float *dphi)
{
    struct lsgd *s = self;
    if (t == s->T - 1) {
        memset(s->G, 0, sizeof(float) * s->n);
        s->next = t;
    }
    if (t != s->next || t < 0)
        return -1;
    s->next--;
    double lr = exp((double)s->phi[0]), mom = s->terms > 1 ? s->phi[1] : 0.0;
    double d0 = 0, d1 = 0;
    const float *gr = s->tgrad + (size_t)t * s->n, *pv = s->tprev + (size_t)t * s->n;
    for (size_t k = 0; k < s->n; k++) {
        s->G[k] = dg_t[k] + (float)mom * s->G[k];
        d0 += (double)s->G[k] * (-lr * gr[k]);
        d1 += (double)s->G[k] * pv[k];
        dgrad[k] = (float)(-lr * s->G[k]);
    }
    dphi[0] += (float)d0;
    if (s->terms > 1)
        dphi[1] += (float)d1;
    return 0;
}

/* terms is a shape word too; recorded as an update option so that the
 * checkpoint tests see one. */
static const char *const update_options[] = {"terms", NULL};

/* State per coordinate: g_{t−1} (prev), one float; the tape excluded. */
static double state_bytes(const void *self)
{
    (void)self;
    return sizeof(float);
}

static const struct l2l_learned_ops learned = {
    .n_meta = n_meta, .meta = meta, .meta_init = meta_init, .shape = shape, .shape_names = shape_names,
    .tape_begin = tape_begin, .step_record = step_record, .backward = backward,
    .update_options = update_options, .backward_step = backward_step,
};

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION, .name = "learned_sgd", .version = "1",
    .description = "test-only learned optimizer: learned step size and momentum",
    .options = options, .tunable = NULL,
    .create = create, .destroy = destroy, .reset = reset, .step = step,
    .learned = &learned, .state_bytes = state_bytes,
};
