/* mlp_bench: measures the mlp's forward+backward rate (GFLOP/s) on a
 * minibatch, then runs plain SGD through the plugin on real data to show
 * the loss going down. A tool for people, not a test.
 *
 *   mlp_bench [DATA_DIR [STEPS [LR [HIDDEN [ACTIVATION]]]]]
 *   (defaults: data/mnist 1000 0.5 20 sigmoid; DATA_DIR holds the four
 *   IDX files as named by scripts/get-data) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "l2l/plugin.h"
#include "mlp_net.h"
#include "numbers.h"
#include "options.h"
#include "plugin_loader.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Forward+backward of 784-HIDDEN-10 on a random batch of B. */
static void bench_kernels(int B, const int *hidden, int nh)
{
    struct mlp_shape s;
    mlp_shape_init(&s, 784, hidden, nh, 10, MLP_SIGMOID);
    struct mlp_work w;
    float *x = malloc((size_t)B * 784 * sizeof *x), *th = malloc(s.n_params * sizeof *th),
          *g = malloc(s.n_params * sizeof *g);
    uint8_t *y = malloc((size_t)B);
    if (!x || !th || !g || !y || mlp_work_alloc(&w, &s, B) < 0) {
        fprintf(stderr, "mlp_bench: out of memory\n");
        exit(1);
    }
    struct l2l_rng r;
    l2l_rng_seed(&r, 1);
    for (size_t k = 0; k < (size_t)B * 784; k++)
        x[k] = (float)l2l_rng_uniform(&r);
    for (int k = 0; k < B; k++)
        y[k] = (uint8_t)l2l_rng_below(&r, 10);
    for (size_t k = 0; k < s.n_params; k++)
        th[k] = (float)(0.01 * l2l_rng_normal(&r));
    /* FLOPs: forward 2 B in out per layer; backward the same for dW and,
     * above the first layer, again for the input delta. */
    double flops = 0;
    for (int l = 1; l <= s.layers; l++) {
        double mm = 2.0 * B * s.width[l - 1] * s.width[l];
        flops += mm * (l > 1 ? 3 : 2);
    }
    int iters = 0;
    double t0 = now(), t;
    do {
        for (int k = 0; k < 100; k++) {
            mlp_forward(&s, &w, th, x, y, B, NULL);
            mlp_backward(&s, &w, th, x, y, B, g);
        }
        iters += 100;
    } while ((t = now() - t0) < 2.0);
    printf("mlp_bench: forward+backward 784");
    for (int k = 0; k < nh; k++)
        printf("-%d", hidden[k]);
    printf("-10, batch %d: %.1f us per call, %.2f MFLOP per call, %.2f GFLOP/s (%d calls)\n",
           B, 1e6 * t / iters, flops / 1e6, flops * iters / t / 1e9, iters);
    mlp_work_free(&w);
    free(x);
    free(th);
    free(g);
    free(y);
}

static int sgd_run(const char *dir, int steps, double lr, const char *hidden, const char *act)
{
    struct l2l_plugin p;
    char err[L2L_ERRLEN], path[4096];
    if (l2l_plugin_open(L2L_OPTIMIZEE, "mlp", &p, err, sizeof err) < 0) {
        fprintf(stderr, "mlp_bench: %s\n", err);
        return 1;
    }
    const struct l2l_optimizee_ops *ops = p.u.obj;
    struct l2l_value v[32];
    static const char *keys[4] = { "train_images", "train_labels", "test_images", "test_labels" };
    static const char *files[4] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };
    int rc = l2l_options_defaults(ops->options, v, err, sizeof err);
    for (int k = 0; k < 4 && rc == 0; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        rc = l2l_options_set(ops->options, v, keys[k], path, err, sizeof err);
    }
    if (rc == 0)
        rc = l2l_options_set(ops->options, v, "hidden", hidden, err, sizeof err);
    if (rc == 0)
        rc = l2l_options_set(ops->options, v, "activation", act, err, sizeof err);
    double t0 = now();
    void *fam = rc == 0 ? ops->open(v, err, sizeof err) : NULL;
    if (!fam) {
        fprintf(stderr, "mlp_bench: %s\n", err);
        l2l_values_clear(ops->options, v);
        l2l_plugin_close(&p);
        return 1;
    }
    printf("mlp_bench: loaded %s in %.2f s\n", dir, now() - t0);
    size_t n = ops->n_params(fam);
    float *th = malloc(n * sizeof *th), *g = malloc(n * sizeof *g);
    struct l2l_rng r;
    l2l_rng_seed(&r, 2016);
    void *prob = ops->problem_new(fam, &r, th, err, sizeof err);
    struct l2l_eval ev;
    ops->evaluate(prob, th, &ev);
    printf("mlp_bench: SGD lr %g, %zu parameters; step 0: test loss %.4f, accuracy %.4f\n",
           lr, n, ev.loss, ev.accuracy);
    double avg = 0, tl = 0;
    for (int t = 1; t <= steps; t++) {
        double loss;
        double t1 = now();
        ops->loss_grad(prob, th, &loss, g);
        tl += now() - t1;
        for (size_t k = 0; k < n; k++) /* θ ← θ - lr ∇ */
            th[k] -= (float)lr * g[k];
        avg += loss;
        if (t % (steps / 10 > 0 ? steps / 10 : 1) == 0 || t == steps) {
            int span = steps / 10 > 0 ? steps / 10 : 1;
            if (t % span)
                span = t % span;
            ops->evaluate(prob, th, &ev);
            printf("  step %5d: mean minibatch loss %.4f; test loss %.4f, accuracy %.4f\n",
                   t, avg / span, ev.loss, ev.accuracy);
            avg = 0;
        }
    }
    printf("mlp_bench: loss_grad (gather + forward + backward) %.1f us per call\n", 1e6 * tl / steps);
    ops->problem_free(prob);
    free(th);
    free(g);
    ops->close(fam);
    l2l_values_clear(ops->options, v);
    l2l_plugin_close(&p);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data/mnist";
    long long steps = 1000;
    double lr = 0.5;
    const char *hidden = argc > 4 ? argv[4] : "20";
    const char *act = argc > 5 ? argv[5] : "sigmoid";
    if ((argc > 2 && l2l_parse_int(argv[2], 1, 100000000, &steps) < 0) ||
        (argc > 3 && (l2l_parse_real(argv[3], &lr) < 0 || !(lr > 0)))) {
        fprintf(stderr, "usage: mlp_bench [DATA_DIR [STEPS [LR [HIDDEN [ACTIVATION]]]]]\n");
        return 2;
    }
    int h20[1] = { 20 }, h40[1] = { 40 }, h2020[2] = { 20, 20 };
    bench_kernels(128, h20, 1);
    bench_kernels(128, h40, 1);
    bench_kernels(128, h2020, 2);
    bench_kernels(1024, h20, 1);
    return sgd_run(dir, (int)steps, lr, hidden, act);
}
