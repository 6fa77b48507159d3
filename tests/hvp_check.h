/* hvp_check.h: an optimizee's Hessian-vector product against central
 * differences of its gradient, (∇f(θ + h·v) − ∇f(θ − h·v)) / 2h, for the
 * optimizee tests. The caller makes the gradient deterministic (no data,
 * or a replayed minibatch) and says which `ago` its gradient calls match. */
#ifndef L2L_HVP_CHECK_H
#define L2L_HVP_CHECK_H
#include <math.h>
#include <stdlib.h>
#include "l2l/plugin.h"
#include "test_main.h"

/* grad_at(ctx, θ, ∇) gives the gradient of the minibatch hvp sees at ago.
 * Returns the largest error relative to max |H·v|, or +inf on failure. */
static inline double l2l_check_hvp(const char *what, const struct l2l_optimizee_ops *ops,
                                   void *problem, int ago, const float *theta, size_t n,
                                   double h, struct l2l_rng *rng,
                                   int (*grad_at)(void *ctx, const float *theta, float *grad),
                                   void *ctx)
{
    float *v = malloc(sizeof(float) * n), *hv = malloc(sizeof(float) * n);
    float *tp = malloc(sizeof(float) * n), *gp = malloc(sizeof(float) * n);
    float *gm = malloc(sizeof(float) * n), *fd = malloc(sizeof(float) * n);
    double err = INFINITY;
    if (!v || !hv || !tp || !gp || !gm || !fd)
        goto out;
    for (size_t k = 0; k < n; k++)
        v[k] = (float)l2l_rng_normal(rng);
    if (ops->hvp(problem, ago, theta, v, hv) < 0)
        goto out;
    for (size_t k = 0; k < n; k++)
        tp[k] = (float)(theta[k] + h * v[k]);
    if (grad_at(ctx, tp, gp) < 0)
        goto out;
    for (size_t k = 0; k < n; k++)
        tp[k] = (float)(theta[k] - h * v[k]);
    if (grad_at(ctx, tp, gm) < 0)
        goto out;
    double scale = 0;
    for (size_t k = 0; k < n; k++) {
        fd[k] = (float)(((double)gp[k] - gm[k]) / (2 * h));
        scale = fmax(scale, fabs(hv[k]));
    }
    double md = l2l_maxdiff(what, hv, fd, n, INFINITY);
    err = scale > 0 ? md / scale : INFINITY;
    printf("  %s: relative to max |Hv| %.3g: %.3g\n", what, scale, err);
out:
    free(v); free(hv); free(tp); free(gp); free(gm); free(fd);
    return err;
}
#endif
