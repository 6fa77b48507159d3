/* conv_bench.c: one training step of the `conv` optimizee (loss_grad:
 * minibatch gather, forward and backward, batch 128, the reference
 * network) timed on this machine, for the comparison with PyTorch in
 * docs/performance.md (a tool, not a test):
 *     bench/conv_bench [CALLS [DATA_DIR]]    (default 30, data/fashion-mnist)
 * OpenMP threads as OMP_NUM_THREADS says; OpenBLAS on one thread, as the
 * core runs every optimizee (core/util/blas_threads.h). Prints the median and the best time
 * per call over CALLS calls after 3 warm-up calls, and the GFLOP/s of the
 * matrix products (the plugin's flops hook). Without DATA_DIR's files it
 * runs on 1,024 random 28x28 images (the time does not depend on pixels). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blas_threads.h"
#include "l2l/plugin.h"
#include "options.h"
#include "plugin_loader.h"

/* Wall time, or with CONV_BENCH_CPU=1 the process's CPU time, which other
 * processes disturb much less (with one thread it is the time the step
 * needs on one core). */
static double now(void)
{
    static int cpu = -1;
    if (cpu < 0)
        cpu = getenv("CONV_BENCH_CPU") && !strcmp(getenv("CONV_BENCH_CPU"), "1");
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Writes random IDX files (images and labels, uncompressed) into dir. */
static int synthetic(const char *dir)
{
    enum { N = 1024 };
    static const unsigned char himg[16] = { 0, 0, 8, 3, 0, 0, N >> 8, N & 255, 0, 0, 0, 28, 0, 0, 0, 28 };
    static const unsigned char hlab[8] = { 0, 0, 8, 1, 0, 0, N >> 8, N & 255 };
    char path[4096];
    struct l2l_rng r;
    l2l_rng_seed(&r, 1);
    snprintf(path, sizeof path, "%s/img", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(himg, 1, sizeof himg, f);
    for (int k = 0; k < N * 784; k++)
        fputc((int)l2l_rng_below(&r, 256), f);
    if (fclose(f))
        return -1;
    snprintf(path, sizeof path, "%s/lab", dir);
    if (!(f = fopen(path, "wb")))
        return -1;
    fwrite(hlab, 1, sizeof hlab, f);
    for (int k = 0; k < N; k++)
        fputc(k % 10, f);
    return fclose(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
    int calls = argc > 1 ? atoi(argv[1]) : 30;
    const char *data = argc > 2 ? argv[2] : "data/fashion-mnist";
    if (calls < 1) {
        fprintf(stderr, "usage: conv_bench [CALLS [DATA_DIR]]\n");
        return 2;
    }
    struct l2l_plugin p;
    char err[L2L_ERRLEN], path[4096], tmpdir[] = "/tmp/conv-bench-XXXXXX";
    if (l2l_plugin_open(L2L_OPTIMIZEE, "conv", &p, err, sizeof err) < 0) {
        fprintf(stderr, "conv_bench: %s\n", err);
        return 1;
    }
    const struct l2l_optimizee_ops *ops = p.u.obj;
    struct l2l_value v[32];
    static const char *keys[4] = { "train_images", "train_labels", "test_images", "test_labels" };
    static const char *files[4] = { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" };
    int rc = l2l_options_defaults(ops->options, v, err, sizeof err), real = 1;
    snprintf(path, sizeof path, "%s/%s", data, files[0]);
    if (access(path, R_OK) != 0) {
        real = 0;
        if (!mkdtemp(tmpdir) || synthetic(tmpdir) < 0) {
            fprintf(stderr, "conv_bench: cannot write random data under /tmp\n");
            return 1;
        }
    }
    for (int k = 0; k < 4 && rc == 0; k++) {
        if (real)
            snprintf(path, sizeof path, "%s/%s", data, files[k]);
        else
            snprintf(path, sizeof path, "%s/%s", tmpdir, k % 2 ? "lab" : "img");
        rc = l2l_options_set(ops->options, v, keys[k], path, err, sizeof err);
    }
    void *fam = rc == 0 ? ops->open(v, err, sizeof err) : NULL;
    if (!fam) {
        fprintf(stderr, "conv_bench: %s\n", err);
        return 1;
    }
    size_t n = ops->n_params(fam);
    float *th = malloc(n * sizeof *th), *g = malloc(n * sizeof *g);
    double *t = malloc((size_t)calls * sizeof *t), loss = 0;
    struct l2l_rng r;
    l2l_rng_seed(&r, 2016);
    void *prob = ops->problem_new(fam, &r, th, err, sizeof err);
    if (!th || !g || !t || !prob) {
        fprintf(stderr, "conv_bench: out of memory\n");
        return 1;
    }
    int blas_threads = l2l_blas_one_thread();
    for (int k = 0; k < 3; k++)
        ops->loss_grad(prob, th, &loss, g);
    for (int k = 0; k < calls; k++) {
        double t0 = now();
        ops->loss_grad(prob, th, &loss, g);
        t[k] = now() - t0;
    }
    l2l_blas_restore(blas_threads);
    qsort(t, (size_t)calls, sizeof *t, cmp);
    double flop = ops->flops(fam), med = t[calls / 2];
    const char *omp = getenv("OMP_NUM_THREADS");
    double load = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = 0;
        fclose(f);
    }
    printf("conv_bench: %s data, %zu parameters, batch 128, OMP_NUM_THREADS=%s, one BLAS thread, %s: "
           "loss_grad median %.2f ms, best %.2f ms over %d calls; %.3f GFLOP per call, %.2f GFLOP/s "
           "(median); load %.1f\n", real ? "Fashion-MNIST" : "random", n, omp ? omp : "unset",
           getenv("CONV_BENCH_CPU") && !strcmp(getenv("CONV_BENCH_CPU"), "1") ? "CPU time" : "wall time",
           med * 1e3, t[0] * 1e3, calls, flop * 1e-9, flop / med * 1e-9, load);
    ops->problem_free(prob);
    ops->close(fam);
    l2l_values_clear(ops->options, v);
    l2l_plugin_close(&p);
    free(th);
    free(g);
    free(t);
    if (!real) {
        snprintf(path, sizeof path, "rm -rf '%s'", tmpdir);
        if (system(path) != 0)
            fprintf(stderr, "conv_bench: could not remove %s\n", tmpdir);
    }
    return 0;
}
