/* bench_hand.c: `l2l bench` for the hand-designed optimizers (GB/s moved
 * by one step, against memcpy) and for the mlp optimizee (forward and
 * backward of a 128 minibatch, GFLOP/s), both through the plugin loader
 * with default options, and the synthetic IDX data the mlp runs on. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"
#include "log.h"
#include "options.h"

/* Bytes read + written per coordinate by one step with default options
 * (float32; state buffers as in each plugin's step()):
 *   sgd      θ, ∇ read; θ written                     (momentum 0: no buffer)
 *   nag      θ, ∇, b read; θ, b written               (momentum 0.9)
 *   rmsprop  θ, ∇, v read; θ, v written               (not centered, no momentum)
 *   adam     θ, ∇, m, v read; θ, m, v written         (no amsgrad) */
static const struct {
    const char *name;
    double bytes;
} hand[] = {{"sgd", 12}, {"nag", 20}, {"rmsprop", 20}, {"adam", 28}};

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

static int bench_one_hand(struct l2l_bench *b, struct l2l_bench_plugin *bp, double bytes,
                          size_t n, char *err, size_t errlen)
{
    const char *name = bp->p.u.opt->name;
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

int l2l_bench_hand(struct l2l_bench *b, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t h = 0; h < sizeof hand / sizeof hand[0] && rc == 0; h++) {
        struct l2l_bench_plugin bp;
        if ((rc = l2l_bench_plugin_open(&bp, L2L_OPTIMIZER, hand[h].name, NULL, err, errlen)) < 0)
            break;
        for (int i = 0; i < b->n_sizes && rc == 0; i++)
            rc = bench_one_hand(b, &bp, hand[h].bytes, b->sizes[i], err, errlen);
        l2l_bench_plugin_close(&bp);
    }
    return rc;
}

/* ------------------------------------------------------------------ mlp */

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24); /* IDX is big-endian */
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* IDX file: magic 0x0803 (images: count, 28, 28) or 0x0801 (labels:
 * count), then the ubyte data. */
static int write_idx(const char *dir, const char *name, int images, uint32_t count,
                     struct l2l_rng *rng, char *err, size_t errlen)
{
    char path[4096];
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        l2l_fmt(err, errlen, "l2l bench: cannot write %s: %s", path, strerror(errno));
        return L2L_EIO;
    }
    unsigned char head[16];
    put_u32(head, images ? 0x0803 : 0x0801);
    put_u32(head + 4, count);
    put_u32(head + 8, 28);
    put_u32(head + 12, 28);
    fwrite(head, 1, images ? 16 : 8, f);
    size_t len = (size_t)count * (images ? 784 : 1);
    for (size_t k = 0; k < len; k++)
        fputc(images ? (int)l2l_rng_below(rng, 256) : (int)l2l_rng_below(rng, 10), f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        l2l_fmt(err, errlen, "l2l bench: cannot write %s", path);
        return L2L_EIO;
    }
    return 0;
}

static const char *const idx_names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

int l2l_bench_synthetic_idx(char *dir, size_t dirlen, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    l2l_fmt(dir, dirlen, "%s/l2l-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        l2l_fmt(err, errlen, "l2l bench: cannot create a directory %s: %s", dir, strerror(errno));
        return L2L_EIO;
    }
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 784);
    /* 1,024 training and 256 test images of uniform noise: the rate of a
     * forward+backward pass does not depend on the pixels. */
    static const uint32_t count[4] = {1024, 1024, 256, 256};
    for (int k = 0; k < 4; k++) {
        int rc = write_idx(dir, idx_names[k], k % 2 == 0, count[k], &rng, err, errlen);
        if (rc < 0) {
            l2l_bench_remove_dir(dir);
            return rc;
        }
    }
    return 0;
}

void l2l_bench_remove_dir(const char *dir)
{
    char path[4096];
    for (int k = 0; k < 4; k++) {
        l2l_fmt(path, sizeof path, "%s/%s", dir, idx_names[k]);
        unlink(path);
    }
    rmdir(dir);
}

struct mlp_ctx {
    const struct l2l_optimizee_ops *ops;
    void *problem;
    float *theta, *grad;
};

static void mlp_call(void *p)
{
    struct mlp_ctx *c = p;
    double loss;
    c->ops->loss_grad(c->problem, c->theta, &loss, c->grad);
}

int l2l_bench_open_mlp(struct l2l_bench_plugin *bp, char *dir, size_t dirlen, char *err,
                       size_t errlen)
{
    int rc = l2l_bench_synthetic_idx(dir, dirlen, err, errlen);
    if (rc < 0)
        return rc;
    static const char *const keys[4] = {"train_images", "train_labels", "test_images",
                                        "test_labels"};
    char sets[4][4200];
    const char *setp[5] = {sets[0], sets[1], sets[2], sets[3], NULL};
    for (int k = 0; k < 4; k++)
        l2l_fmt(sets[k], sizeof sets[k], "%s=%s/%s", keys[k], dir, idx_names[k]);
    rc = l2l_bench_plugin_open(bp, L2L_OPTIMIZEE, "mlp", setp, err, errlen);
    if (rc < 0)
        l2l_bench_remove_dir(dir);
    return rc;
}

int l2l_bench_mlp(struct l2l_bench *b, char *err, size_t errlen)
{
    char dir[4096];
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_open_mlp(&bp, dir, sizeof dir, err, errlen);
    if (rc < 0)
        return rc;
    const struct l2l_optimizee_ops *ops = bp.p.u.obj;
    size_t n = ops->n_params(bp.family);
    struct mlp_ctx c = {ops, NULL, malloc(sizeof(float) * n), malloc(sizeof(float) * n)};
    char msg[L2L_ERRLEN];
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 3);
    if (!c.theta || !c.grad) {
        l2l_fmt(err, errlen, "l2l bench: out of memory for the mlp");
        rc = L2L_ENOMEM;
    } else if (!(c.problem = ops->problem_new(bp.family, &rng, c.theta, msg, sizeof msg))) {
        l2l_fmt(err, errlen, "l2l bench: %s", msg);
        rc = L2L_EPLUGIN;
    } else {
        /* Default mlp: 784-20-10, batch 128 (the plugin's defaults, read
         * back from its options). Matrix-product FLOPs per call, as
         * plugins/optimizees/mlp_bench.c counts them: 2·B·in·out per
         * layer forward, the same for dW, and again for the input delta
         * above the first layer. */
        int B = (int)bp.v[l2l_options_find(ops->options, "batch")].i;
        const struct l2l_value *hid = &bp.v[l2l_options_find(ops->options, "hidden")];
        double flop = 0, in = 784;
        for (int l = 0; l <= hid->n; l++) {
            double out = l < hid->n ? hid->list[l] : 10;
            flop += 2.0 * B * in * out * (l > 0 ? 3 : 2);
            in = out;
        }
        double s = l2l_bench_time(b, mlp_call, &c);
        rc |= l2l_bench_add(b, "mlp-fwdbwd", (long long)n, "gflops", flop / s * 1e-9, "GFLOP/s");
        rc |= l2l_bench_add(b, "mlp-fwdbwd", (long long)n, "flop_per_call", flop, "FLOP");
        rc |= l2l_bench_add(b, "mlp-fwdbwd", (long long)n, "batch", B, "");
        rc |= l2l_bench_add(b, "mlp-fwdbwd", (long long)n, "us_per_call", s * 1e6, "us");
        if (rc)
            rc = L2L_ENOMEM;
        l2l_bench_progress(b, "mlp n=%zu batch %d: %.1f us per loss_grad, %.2f GFLOP/s", n, B,
                           s * 1e6, flop / s * 1e-9);
        ops->problem_free(c.problem);
    }
    free(c.theta);
    free(c.grad);
    l2l_bench_plugin_close(&bp);
    l2l_bench_remove_dir(dir);
    return rc;
}
