/* bench_hand.c: `l2l bench` for a hand-designed optimizer (GB/s moved by
 * one step, against memcpy) and for an optimizee's training step
 * (loss_grad: minibatch, forward and backward, GFLOP/s), each an
 * [optimizer NAME] or [optimizee NAME] section of the bench file, loaded
 * through the plugin loader with the section's options.
 *
 * Bytes read + written per coordinate by one step: θ and ∇ read, θ
 * written (12 B in float32), and each state buffer read and written, the
 * plugin's state_bytes hook (ABI 2) giving their bytes per coordinate:
 * sgd 12 (momentum 0: no buffer), nag and rmsprop 20, adam 28.
 * FLOPs of a training step come from the optimizee's flops hook; the step
 * runs with OpenBLAS on one thread, as `l2l run` and `l2l train` run every
 * optimizee (blas_threads.h): OpenBLAS's own threads, called from the conv
 * plugin's OpenMP threads, made its step 10-40x slower. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "blas_threads.h"
#include "log.h"

struct hand_ctx {
    const struct l2l_optimizer_ops *ops;
    void *self;
    float *theta, *grad;
};

static void hand_call(void *p)
{
    struct hand_ctx *c = p;
    c->ops->step(c->self, c->theta, c->grad);
}

static int bench_one_hand(struct l2l_bench *b, const char *name, struct l2l_bench_plugin *bp,
                          size_t n, char *err, size_t errlen)
{
    struct hand_ctx c = {bp->p.u.opt, NULL, calloc(n, sizeof(float)), malloc(sizeof(float) * n)};
    char msg[L2L_ERRLEN];
    int rc = 0;
    if (!c.theta || !c.grad) {
        l2l_fmt(err, errlen, "l2l bench: out of memory for %zu coordinates", n);
        rc = L2L_ENOMEM;
    } else if (!(c.self = c.ops->create(bp->v, n, NULL, 0, msg, sizeof msg))) {
        l2l_fmt(err, errlen, "l2l bench: %s", msg);
        rc = L2L_EPLUGIN;
    } else {
        l2l_bench_grad(c.grad, n);
        double bytes = 12 + 2 * c.ops->state_bytes(c.self);
        double s = l2l_bench_time(b, hand_call, &c);
        double gbps = bytes * (double)n / s * 1e-9;
        rc |= l2l_bench_add(b, name, (long long)n, "gbps", gbps, "GB/s");
        rc |= l2l_bench_add(b, name, (long long)n, "bytes_per_coord", bytes, "B");
        rc |= l2l_bench_add(b, name, (long long)n, "coord_steps_per_s", (double)n / s, "1/s");
        if (rc)
            rc = L2L_ENOMEM;
        l2l_bench_progress(b, "%s n=%zu: %.2f GB/s (%g B per coordinate)", name, n, gbps, bytes);
        c.ops->destroy(c.self);
    }
    free(c.theta);
    free(c.grad);
    return rc;
}

int l2l_bench_hand(struct l2l_bench *b, const struct l2l_bench_entry *opt, char *err,
                   size_t errlen)
{
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_entry_open(&bp, opt, NULL, err, errlen);
    if (rc < 0)
        return rc;
    if (!bp.p.u.opt->state_bytes) {
        l2l_fmt(err, errlen, "l2l bench: [optimizer %s]: plugin %s reports no state size (its "
                "state_bytes hook), needed for the bytes a step moves", opt->name, opt->plugin);
        rc = L2L_EPLUGIN;
    }
    for (int i = 0; i < b->n_sizes && rc == 0; i++)
        rc = bench_one_hand(b, opt->name, &bp, b->sizes[i], err, errlen);
    l2l_bench_plugin_close(&bp);
    return rc;
}

/* ------------------------------------------------- optimizee training step */

struct obj_ctx {
    const struct l2l_optimizee_ops *ops;
    void *problem;
    float *theta, *grad;
    int blas_seen; /* OpenBLAS's thread count inside the timed calls */
};

static void obj_call(void *p)
{
    struct obj_ctx *c = p;
    double loss;
    c->blas_seen = l2l_blas_threads();
    c->ops->loss_grad(c->problem, c->theta, &loss, c->grad);
}

int l2l_bench_fwdbwd(struct l2l_bench *b, const struct l2l_bench_entry *obj, char *err,
                     size_t errlen)
{
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_entry_open(&bp, obj, NULL, err, errlen);
    if (rc < 0)
        return rc;
    const struct l2l_optimizee_ops *ops = bp.p.u.obj;
    size_t n = ops->n_params(bp.family);
    struct obj_ctx c = {ops, NULL, malloc(sizeof(float) * n), malloc(sizeof(float) * n), 0};
    char msg[L2L_ERRLEN], bench[80];
    l2l_fmt(bench, sizeof bench, "%s-fwdbwd", obj->name);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 3);
    double flop = ops->flops ? ops->flops(bp.family) : 0;
    if (!(flop > 0)) {
        l2l_fmt(err, errlen, "l2l bench: [optimizee %s]: plugin %s reports no FLOP count (its "
                "flops hook)", obj->name, obj->plugin);
        rc = L2L_EPLUGIN;
    } else if (!c.theta || !c.grad) {
        l2l_fmt(err, errlen, "l2l bench: out of memory for %s", obj->name);
        rc = L2L_ENOMEM;
    } else if (!(c.problem = ops->problem_new(bp.family, &rng, c.theta, msg, sizeof msg))) {
        l2l_fmt(err, errlen, "l2l bench: %s", msg);
        rc = L2L_EPLUGIN;
    } else {
        int blas_threads = l2l_blas_one_thread();
        double s = l2l_bench_time(b, obj_call, &c);
        l2l_blas_restore(blas_threads);
        rc |= l2l_bench_add(b, bench, (long long)n, "gflops", flop / s * 1e-9, "GFLOP/s");
        if (c.blas_seen > 0)
            rc |= l2l_bench_add(b, bench, (long long)n, "threads_blas", c.blas_seen, "");
        rc |= l2l_bench_add(b, bench, (long long)n, "flop_per_call", flop, "FLOP");
        rc |= l2l_bench_add(b, bench, (long long)n, "us_per_call", s * 1e6, "us");
        if (rc)
            rc = L2L_ENOMEM;
        l2l_bench_progress(b, "%s n=%zu: %.1f us per loss_grad, %.2f GFLOP/s", bench, n, s * 1e6,
                           flop / s * 1e-9);
        ops->problem_free(c.problem);
    }
    free(c.theta);
    free(c.grad);
    l2l_bench_plugin_close(&bp);
    return rc;
}
