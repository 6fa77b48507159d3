/* hand_common.h: what the hand-designed optimizers (sgd, nag, rmsprop,
 * adam) share: one allocation for their float32 state buffers with a step
 * counter, the option rows they have in common, and the SGD kernel that
 * both `sgd` and `nag` run. Header-only, so each plugin stays one .so. */
#ifndef L2L_HAND_COMMON_H
#define L2L_HAND_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "l2l/plugin.h"

/* Loops over coordinates run on OpenMP threads only when n is large enough
 * to pay for them. Every loop is elementwise (no reductions), so θ is bit
 * for bit the same for any number of threads. Needs `n` in scope. */
#ifdef _OPENMP
#define HAND_PARALLEL_FOR _Pragma("omp parallel for simd schedule(static) if (n >= 32768)")
#else
#define HAND_PARALLEL_FOR
#endif

/* Option rows shared by all four, so ranges and help read the same. */
#define HAND_OPT_LR(def) \
    {"lr", L2L_OPT_REAL, def, 0, 1000, NULL, "learning rate (step size)"}
#define HAND_OPT_WD \
    {"weight_decay", L2L_OPT_REAL, "0", 0, 1000, NULL, "L2 penalty: the gradient used is ∇ + weight_decay·θ"}
#define HAND_OPT_END {NULL, 0, NULL, 0, 0, NULL, NULL}

/* Optimizer state: nbuf buffers of n floats, zero at create and reset
 * (torch allocates them zeroed on the first step; same thing). */
struct hand {
    size_t n;
    long t;     /* steps taken since create or reset */
    int nbuf;
    float *mem; /* (nbuf, n), owned */
};

static inline int hand_init(struct hand *h, const char *who, size_t n, int nbuf,
                            char *err, size_t errlen)
{
    h->n = n;
    h->t = 0;
    h->nbuf = nbuf;
    h->mem = NULL;
    if (nbuf == 0)
        return 0;
    if (n > SIZE_MAX / sizeof(float) / (size_t)nbuf) {
        snprintf(err, errlen, "%s: n = %zu parameters is too many to hold %d state buffers", who,
                 n, nbuf);
        return -1;
    }
    h->mem = calloc(n ? n * (size_t)nbuf : 1, sizeof(float));
    if (!h->mem) {
        snprintf(err, errlen, "%s: out of memory for %d state buffers of %zu floats", who, nbuf, n);
        return -1;
    }
    return 0;
}

/* Buffer k (n); NULL when the optimizer did not ask for it. */
static inline float *hand_buf(struct hand *h, int k)
{
    return k < h->nbuf ? h->mem + (size_t)k * h->n : NULL;
}

static inline void hand_reset(struct hand *h)
{
    if (h->mem)
        memset(h->mem, 0, sizeof(float) * h->n * (size_t)h->nbuf);
    h->t = 0;
}

static inline void hand_free(struct hand *h)
{
    free(h->mem);
    h->mem = NULL;
}

/* torch.optim.SGD, one step over all coordinates (b (n) may be NULL when
 * mu == 0; c = 1 − τ, rounded once from double as torch does):
 *     d = ∇ + λ θ                                  (weight decay λ)
 *     b = d on the first step, else μ b + (1 − τ) d  (momentum μ, dampening τ)
 *     d = d + μ b  if nesterov, else d = b         (only when μ ≠ 0)
 *     θ = θ − lr d                                                          */
/* The vtable's destroy and reset for every optimizer object that begins
 * with its struct hand (all four do): one definition instead of four. */
static inline void hand_destroy(void *self)
{
    if (!self)
        return;
    hand_free((struct hand *)self);
    free(self);
}

static inline void hand_reset_self(void *self)
{
    hand_reset((struct hand *)self);
}

static inline void hand_sgd_step(size_t n, float *theta, const float *grad, float *b, int first,
                                 float lr, float mu, float c, float wd, int nesterov)
{
    HAND_PARALLEL_FOR
    for (size_t k = 0; k < n; k++) {
        float d = grad[k] + wd * theta[k];
        if (mu != 0.0f) {
            b[k] = first ? d : mu * b[k] + c * d;
            d = nesterov ? d + mu * b[k] : b[k];
        }
        theta[k] -= lr * d;
    }
}
#endif
