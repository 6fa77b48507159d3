/* hand_common.h: what the hand-designed optimizers (sgd, nag, rmsprop,
 * adam) share: one allocation for their float32 state buffers with a step
 * counter, the option rows they have in common, the loop runner that
 * splits a step over OpenMP threads, and the SGD kernel that both `sgd`
 * and `nag` run. Header-only, so each plugin stays one .so. */
#ifndef L2L_HAND_COMMON_H
#define L2L_HAND_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "l2l/plugin.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* How every step runs (the bench target is half the copy bandwidth):
 * - one branch-free loop per variant of the rule, options chosen once per
 *   step outside the loop, float32 only, buffers `restrict`, so that GCC
 *   vectorizes each loop (`omp simd`; hand.mk adds -fno-math-errno so that
 *   sqrtf is one instruction; no -ffast-math: the rounding is torch's);
 * - for n >= HAND_THREADS_MIN the coordinates are split into one
 *   contiguous share per OpenMP thread. Every loop is elementwise (no
 *   reductions), so θ is bit for bit the same for any number of threads
 *   and any split; below the threshold a thread team costs about as much
 *   as the step (1,280 coordinates of adam take under a microsecond). */
#define HAND_THREADS_MIN ((size_t)1 << 16)
#ifdef _OPENMP
#define HAND_SIMD _Pragma("omp simd")
#else
#define HAND_SIMD
#endif

/* Each kernel is compiled twice on x86-64, for SSE2 (the baseline) and
 * for AVX2, and the loader picks the one the CPU has (GNU ifunc): rmsprop
 * and adam are bound by their vector sqrt and divisions, which AVX2 does 8
 * at a time instead of 4 (twice the GB/s measured). Same bits: sqrt and
 * division are correctly rounded at any width, and hand.mk's
 * -ffp-contract=off keeps a·b + c two roundings, never one FMA. */
#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define HAND_KERNEL __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef HAND_KERNEL
#define HAND_KERNEL
#endif

/* A kernel applies one step to coordinates [lo, hi) with the arguments
 * its plugin packed in args. */
typedef void (*hand_kernel)(size_t lo, size_t hi, const void *args);

/* Runs kernel over [0, n), on every OpenMP thread when n is large. Shares
 * start at multiples of 16 floats (one 64-byte cache line), so threads do
 * not write to the same line. */
static inline void hand_for(size_t n, hand_kernel kernel, const void *args)
{
#ifdef _OPENMP
    if (n >= HAND_THREADS_MIN && omp_get_max_threads() > 1) {
#pragma omp parallel
        {
            size_t nt = (size_t)omp_get_num_threads(), id = (size_t)omp_get_thread_num();
            size_t lo = (n * id / nt) & ~(size_t)15;
            size_t hi = id + 1 == nt ? n : (n * (id + 1) / nt) & ~(size_t)15;
            kernel(lo, hi, args);
        }
        return;
    }
#endif
    kernel(0, n, args);
}

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

/* The vtable's state_bytes: the state buffers per coordinate (momentum,
 * moments, v̂ ...; 0 for plain SGD). */
static inline double hand_state_bytes(const void *self)
{
    return (double)sizeof(float) * ((const struct hand *)self)->nbuf;
}

/* torch.optim.SGD, one step over all coordinates (b (n) is NULL when
 * μ = 0; c = 1 − τ, rounded once from double as torch does):
 *     d = ∇ + λ θ                                  (weight decay λ)
 *     b = d on the first step, else μ b + (1 − τ) d  (momentum μ, dampening τ)
 *     d = d + μ b  if nesterov, else d = b         (only when μ ≠ 0)
 *     θ = θ − lr d
 * One loop per variant: the momentum and Nesterov choices and the first
 * step are known before the loop. */
enum hand_sgd_variant { SGD_PLAIN, SGD_MOMENTUM_FIRST, SGD_MOMENTUM, SGD_NESTEROV_FIRST, SGD_NESTEROV };

struct hand_sgd_args {
    enum hand_sgd_variant variant;
    float *theta;      /* (n) */
    const float *grad; /* (n) */
    float *b;          /* (n) momentum buffer, NULL for SGD_PLAIN */
    float lr, mu, c, wd;
};

HAND_KERNEL static inline void hand_sgd_kernel(size_t lo, size_t hi, const void *args)
{
    const struct hand_sgd_args *a = args;
    float *restrict theta = a->theta, *restrict b = a->b;
    const float *restrict grad = a->grad;
    const float lr = a->lr, mu = a->mu, c = a->c, wd = a->wd;
    switch (a->variant) {
    case SGD_PLAIN:
        HAND_SIMD
        for (size_t k = lo; k < hi; k++)
            theta[k] -= lr * (grad[k] + wd * theta[k]);         /* θ −= lr (∇ + λθ) */
        break;
    case SGD_MOMENTUM_FIRST:
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            b[k] = d;                                           /* b = d */
            theta[k] -= lr * d;                                 /* θ −= lr b */
        }
        break;
    case SGD_MOMENTUM:
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            float bk = mu * b[k] + c * d;                       /* b = μb + (1−τ)d */
            b[k] = bk;
            theta[k] -= lr * bk;                                /* θ −= lr b */
        }
        break;
    case SGD_NESTEROV_FIRST:
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            b[k] = d;                                           /* b = d */
            theta[k] -= lr * (d + mu * d);                      /* θ −= lr (d + μb) */
        }
        break;
    case SGD_NESTEROV:
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            float bk = mu * b[k] + c * d;                       /* b = μb + (1−τ)d */
            b[k] = bk;
            theta[k] -= lr * (d + mu * bk);                     /* θ −= lr (d + μb) */
        }
        break;
    }
}

static inline void hand_sgd_step(size_t n, float *theta, const float *grad, float *b, int first,
                                 float lr, float mu, float c, float wd, int nesterov)
{
    struct hand_sgd_args a = {SGD_PLAIN, theta, grad, b, lr, mu, c, wd};
    if (mu != 0.0f)
        a.variant = nesterov ? (first ? SGD_NESTEROV_FIRST : SGD_NESTEROV)
                             : (first ? SGD_MOMENTUM_FIRST : SGD_MOMENTUM);
    hand_for(n, hand_sgd_kernel, &a);
}
#endif
