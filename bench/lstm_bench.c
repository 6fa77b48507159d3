/* lstm_bench.c: how fast the `lstm` plugin runs on this machine, next to
 * what the machine's sgemm does (a tool, not a test):
 *     bench/lstm_bench [N ...]         (default N = 1280 15910 1000000)
 * For each N: forward steps (step()) and meta-training unrolls
 * (tape_begin, U × step_record, backward) of the paper's network (2 layers
 * of 20, logsign), in coordinate-steps per second and GFLOP/s, counting
 * the matrix products only:
 *     forward   2·4H·(rows_0 + rows_1) + 2·(H+1)                = 10,282
 *     backward  recompute 2·4H·Σrows, dW 2·4H·Σrows, dh 2·4H·H·L,
 *               dx 2·4H·H (layer 1), output 2·2·(H+1)            = 30,164
 * with rows_0 = D+H+1 = 23, rows_1 = 2H+1 = 41, H = 20, L = 2.
 * `l2l bench` is the benchmark of record; this tool is for quick per-core
 * comparisons while tuning the kernels on a busy machine:
 *     OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 LSTM_BENCH_CPU=1 bench/lstm_bench 15910
 * times by CPU time, which other processes disturb much less.
 * LSTM_BENCH_FORWARD=1 times the forward steps only (to profile them);
 * LSTM_BENCH_PLUGIN=lstm-gac times that plugin instead. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "options.h"
#include "plugin_loader.h"

/* Wall time, or with LSTM_BENCH_CPU=1 in the environment the process's
 * CPU time: with one thread (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1) it
 * gives per-core rates that a busy machine hardly disturbs. */
static double now(void)
{
    static int cpu = -1;
    if (cpu < 0)
        cpu = getenv("LSTM_BENCH_CPU") && !strcmp(getenv("LSTM_BENCH_CPU"), "1");
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* sgemm C (m, n) = A (m, k)·B (k, n), repeated until 1 s has passed. */
static void bench_sgemm(int m, int n, int k, int transA)
{
    float *A = malloc(sizeof(float) * (size_t)m * k), *B = malloc(sizeof(float) * (size_t)k * n);
    float *C = calloc((size_t)m * n, sizeof(float));
    for (size_t i = 0; i < (size_t)m * k; i++)
        A[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)k * n; i++)
        B[i] = (float)(i % 5) * 0.1f;
    int reps = 0;
    double t0 = now(), t;
    do {
        if (transA) /* the dW shape: A stored (k, m) */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, A, m, B, n, 1.0f, C, n);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, A, k, B, n, 0.0f, C, n);
        reps++;
    } while ((t = now() - t0) < 1.0);
    printf("sgemm %s%7d x %5d x %7d: %8.2f GFLOP/s (%d reps, %.3f s)\n", transA ? "Aᵀ " : "   ",
           m, n, k, 2.0 * m * n * k * reps / t * 1e-9, reps, t);
    free(A);
    free(B);
    free(C);
}

int main(int argc, char **argv)
{
    char err[L2L_ERRLEN];
    struct l2l_plugin p;
    const char *name = getenv("LSTM_BENCH_PLUGIN") ? getenv("LSTM_BENCH_PLUGIN") : "lstm";
    if (l2l_plugin_open(L2L_OPTIMIZER, name, &p, err, sizeof err) < 0) {
        fprintf(stderr, "lstm_bench: %s\n", err);
        return 1;
    }
    const struct l2l_optimizer_ops *ops = p.u.opt;
    struct l2l_value values[16];
    if (l2l_options_defaults(ops->options, values, err, sizeof err) < 0) {
        fprintf(stderr, "lstm_bench: %s\n", err);
        return 1;
    }
    bench_sgemm(2048, 2048, 2048, 0);
    bench_sgemm(15910, 80, 41, 0);   /* a layer-1 forward at N = 15910 */
    bench_sgemm(41, 80, 15910, 1);   /* its dW */
    const double fwd_flop = 10282, bwd_flop = 30164;
    size_t def[] = {1280, 15910, 1000000};
    int nn = argc > 1 ? argc - 1 : 3;
    for (int a = 0; a < nn; a++) {
        size_t n = argc > 1 ? (size_t)atol(argv[a + 1]) : def[a];
        int U = n > 200000 ? 5 : 20; /* tape: 324 bytes · n · (U+1) */
        void *self = ops->create(values, n, NULL, 0, err, sizeof err);
        if (!self) {
            fprintf(stderr, "lstm_bench: %s\n", err);
            return 1;
        }
        const struct l2l_learned_ops *lo = ops->learned;
        struct l2l_rng rng;
        l2l_rng_seed(&rng, 1);
        lo->meta_init(self, &rng);
        float *theta = calloc(n, sizeof(float)), *grad = malloc(sizeof(float) * n);
        float *upd = malloc(sizeof(float) * n), *dg = malloc(sizeof(float) * n * (size_t)U);
        float *dphi = calloc(lo->n_meta(self), sizeof(float));
        l2l_bench_grad(grad, n);
        l2l_bench_dg(dg, n * (size_t)U);
        ops->step(self, theta, grad); /* warm up */
        long steps = 0;
        double t0 = now(), t;
        do {
            ops->step(self, theta, grad);
            steps++;
        } while ((t = now() - t0) < 2.0);
        double rate = (double)n * steps / t;
        printf("%s N=%-8zu forward:               %10.4g coord-steps/s  %7.2f GFLOP/s  (%ld steps, %.3f ms/step)\n", name,
               n, rate, rate * fwd_flop * 1e-9, steps, 1e3 * t / steps);
        if (getenv("LSTM_BENCH_FORWARD") && !strcmp(getenv("LSTM_BENCH_FORWARD"), "1")) {
            ops->destroy(self);
            free(theta); free(grad); free(upd); free(dg); free(dphi);
            continue;
        }
        if (lo->tape_begin(self, U) < 0) {
            fprintf(stderr, "lstm_bench: no memory for a tape of %d steps at N = %zu\n", U, n);
            return 1;
        }
        /* one untimed unroll: the tape's pages are touched the first time */
        l2l_bench_unroll(ops, self, U, theta, grad, upd, dg, dphi);
        long unrolls = 0;
        t0 = now();
        do {
            l2l_bench_unroll(ops, self, U, theta, grad, upd, dg, dphi);
            unrolls++;
        } while ((t = now() - t0) < 2.0);
        rate = (double)n * U * unrolls / t;
        printf("%s N=%-8zu forward+record+backward: %8.4g coord-steps/s  %7.2f GFLOP/s  (%ld unrolls of %d, %.3f ms/step)\n", name,
               n, rate, rate * (fwd_flop + bwd_flop) * 1e-9, unrolls, U, 1e3 * t / ((double)unrolls * U));
        ops->destroy(self);
        free(theta); free(grad); free(upd); free(dg); free(dphi);
    }
    l2l_values_clear(ops->options, values);
    l2l_plugin_close(&p);
    return 0;
}
