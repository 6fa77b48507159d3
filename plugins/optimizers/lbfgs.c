/* lbfgs.c: limited-memory BFGS as a step rule, the hand-designed baseline
 * of the NTM-BFGS learned optimizer (which learns the vectors of the same
 * low-rank memory). At step k, with ∇_k at θ_k:
 *     s = θ_k − θ_{k−1},  y = ∇_k − ∇_{k−1}      (from step 1 on)
 *     the pair (s, y) is kept when sᵀy > curvature·yᵀy (else skipped: a
 *     minibatch gradient can make sᵀy ≤ 0, where BFGS would go uphill)
 *     d = −H_k ∇_k by the two-loop recursion over the last `history` pairs
 *         (Nocedal & Wright 2006, Algorithm 7.4), with H_0 = γ I,
 *         γ = sᵀy / yᵀy of the newest pair (1 before any pair)
 *     θ_{k+1} = θ_k + lr · d
 * No line search: the step size lr is tuned like the other baselines'.
 * Dot products are summed in double, in coordinate order, on one thread,
 * so θ has the same bits for any thread count. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "l2l/plugin.h"

enum { LR, HISTORY, CURVATURE };

static const struct l2l_option options[] = {
    [LR] = {"lr", L2L_OPT_REAL, "1", 0, 1000, NULL, "step size along the quasi-Newton direction (no line search)"},
    [HISTORY] = {"history", L2L_OPT_INT, "10", 1, 1000, NULL, "m: (s, y) pairs kept"},
    [CURVATURE] = {"curvature", L2L_OPT_REAL, "1e-10", 0, 1, NULL,
                   "a pair is kept only when sᵀy > curvature · yᵀy (positive curvature along s)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

struct lbfgs {
    size_t n;
    int m;               /* history */
    double lr, curvature;
    long t;              /* steps taken since create or reset */
    int count, newest;   /* pairs held; index of the newest in the ring */
    float *mem;          /* owned: s (m, n), y (m, n), prev θ, prev ∇, d (n each) */
    float *s, *y, *prev_theta, *prev_grad, *d;
    double *rho, *alpha; /* (m) 1 / sᵀy of each pair; the first loop's α */
};

static void reset(void *self)
{
    struct lbfgs *b = self;
    b->t = 0;
    b->count = 0;
    b->newest = -1;
}

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups, int n_groups,
                    char *err, size_t errlen)
{
    (void)groups; (void)n_groups;
    int m = (int)opts[HISTORY].i;
    size_t vectors = 2 * (size_t)m + 3;
    if (n > SIZE_MAX / sizeof(float) / vectors) {
        snprintf(err, errlen, "lbfgs: n = %zu parameters is too many for a history of %d", n, m);
        return NULL;
    }
    struct lbfgs *b = calloc(1, sizeof *b);
    if (b) {
        b->mem = malloc(sizeof(float) * (n ? n : 1) * vectors);
        b->rho = calloc((size_t)m, sizeof(double));
        b->alpha = calloc((size_t)m, sizeof(double));
    }
    if (!b || !b->mem || !b->rho || !b->alpha) {
        snprintf(err, errlen, "lbfgs: out of memory for %zu vectors of %zu floats", vectors, n);
        if (b) {
            free(b->mem);
            free(b->rho);
            free(b->alpha);
        }
        free(b);
        return NULL;
    }
    b->n = n;
    b->m = m;
    b->lr = opts[LR].r;
    b->curvature = opts[CURVATURE].r;
    b->s = b->mem;
    b->y = b->s + (size_t)m * n;
    b->prev_theta = b->y + (size_t)m * n;
    b->prev_grad = b->prev_theta + n;
    b->d = b->prev_grad + n;
    reset(b);
    return b;
}

static void destroy(void *self)
{
    struct lbfgs *b = self;
    free(b->mem);
    free(b->rho);
    free(b->alpha);
    free(b);
}

static double dot(const float *a, const float *b, size_t n)
{
    double sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += (double)a[k] * (double)b[k];
    return sum;
}

/* Takes the pair of the last step when its curvature is positive. */
static void remember(struct lbfgs *b, const float *theta, const float *grad)
{
    size_t n = b->n;
    int slot = (b->newest + 1) % b->m;
    float *s = b->s + (size_t)slot * n, *y = b->y + (size_t)slot * n;
    for (size_t k = 0; k < n; k++) {
        s[k] = theta[k] - b->prev_theta[k];
        y[k] = grad[k] - b->prev_grad[k];
    }
    double sy = dot(s, y, n), yy = dot(y, y, n);
    if (!(sy > b->curvature * yy) || !(yy > 0))
        return; /* skipped (also when not finite) */
    b->rho[slot] = 1.0 / sy;
    b->newest = slot;
    if (b->count < b->m)
        b->count++;
}

/* d = −H ∇ by the two-loop recursion, newest pair first in the first loop. */
static void direction(struct lbfgs *b, const float *grad)
{
    size_t n = b->n;
    float *d = b->d;
    for (size_t k = 0; k < n; k++)
        d[k] = grad[k];
    for (int j = 0; j < b->count; j++) { /* q ← q − α_i y_i, α_i = ρ_i s_iᵀ q */
        int i = (b->newest - j + b->m) % b->m;
        const float *s = b->s + (size_t)i * n, *y = b->y + (size_t)i * n;
        double a = b->rho[i] * dot(s, d, n);
        b->alpha[i] = a;
        for (size_t k = 0; k < n; k++)
            d[k] = (float)((double)d[k] - a * (double)y[k]);
    }
    double gamma = 1;
    if (b->count) { /* H_0 = γ I, γ = sᵀy / yᵀy of the newest pair */
        const float *y = b->y + (size_t)b->newest * n;
        gamma = 1.0 / (b->rho[b->newest] * dot(y, y, n));
    }
    for (size_t k = 0; k < n; k++)
        d[k] = (float)(gamma * (double)d[k]);
    for (int j = b->count - 1; j >= 0; j--) { /* r ← r + s_i (α_i − β), β = ρ_i y_iᵀ r */
        int i = (b->newest - j + b->m) % b->m;
        const float *s = b->s + (size_t)i * n, *y = b->y + (size_t)i * n;
        double beta = b->rho[i] * dot(y, d, n), c = b->alpha[i] - beta;
        for (size_t k = 0; k < n; k++)
            d[k] = (float)((double)d[k] + c * (double)s[k]);
    }
}

static int step(void *self, float *theta, const float *grad)
{
    struct lbfgs *b = self;
    size_t n = b->n;
    if (b->t > 0)
        remember(b, theta, grad);
    direction(b, grad);
    memcpy(b->prev_theta, theta, sizeof(float) * n);
    memcpy(b->prev_grad, grad, sizeof(float) * n);
    for (size_t k = 0; k < n; k++) /* θ ← θ − lr · H∇ */
        theta[k] = (float)((double)theta[k] - b->lr * (double)b->d[k]);
    b->t++;
    return 0;
}

/* Per step with m pairs held: the pair (2 differences, 2 dots: 6n), the
 * two loops (2 dots and 2 axpys per pair: 8mn), γ (2n) and the update (2n). */
static double flops(const void *self, double *meta_step)
{
    const struct lbfgs *b = self;
    if (meta_step)
        *meta_step = 0;
    return (10.0 + 8.0 * b->m) * (double)b->n;
}

static double state_bytes(const void *self)
{
    const struct lbfgs *b = self;
    return sizeof(float) * (2.0 * b->m + 3.0);
}

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
    .name = "lbfgs",
    .version = "1.0",
    .description = "L-BFGS direction (two-loop recursion, history m) with a tuned step size, no line search",
    .options = options,
    .tunable = "lr",
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .step = step,
    .learned = NULL,
    .flops = flops,
    .state_bytes = state_bytes,
};
