/* lstm_ab.c: which of two or more builds of a learned optimizer plugin is
 * faster, on a machine whose speed drifts by 10-20 % within minutes (a
 * tool, not a test):
 *     bench/lstm_ab OLD.so NEW.so [...]
 * Each plugin (a path, or a name on the plugin search path) is loaded with
 * its default options and φ drawn from seed 1; then, in rounds, each is
 * timed in turn over one window: step() calls, or with LSTM_AB_META=1
 * meta-training unrolls (tape_begin, U × step_record, backward; U = 20,
 * 5 above n = 200,000). Alternating puts every build under the same drift;
 * the median over the rounds sets aside the disturbed windows. Prints each
 * plugin's median, lowest and highest GFLOP/s (matrix products only, as
 * `l2l bench` counts them). Environment: LSTM_AB_N (coordinates, 15910),
 * LSTM_AB_ROUNDS (7), LSTM_AB_WINDOW (seconds, 0.5), LSTM_AB_CPU=1 for the
 * process's CPU time instead of wall time (with OMP_NUM_THREADS=1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "options.h"
#include "plugin_loader.h"

#define MAX_PLUGINS 8
#define MAX_ROUNDS 101

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static double now(int cpu)
{
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct subject {
    struct l2l_plugin p;
    struct l2l_value v[64];
    void *self;
    double rate[MAX_ROUNDS];
};

int main(int argc, char **argv)
{
    size_t n = (size_t)atol(env_or("LSTM_AB_N", "15910"));
    int rounds = atoi(env_or("LSTM_AB_ROUNDS", "7"));
    double win = atof(env_or("LSTM_AB_WINDOW", "0.5"));
    int meta = !strcmp(env_or("LSTM_AB_META", "0"), "1");
    int cpu = !strcmp(env_or("LSTM_AB_CPU", "0"), "1");
    int U = n > 200000 ? 5 : 20, np = argc - 1;
    if (np < 1 || np > MAX_PLUGINS || n == 0 || rounds < 1 || rounds > MAX_ROUNDS || win <= 0) {
        fprintf(stderr, "usage: lstm_ab PLUGIN [PLUGIN ...] (at most %d; LSTM_AB_N > 0, "
                        "LSTM_AB_ROUNDS 1..%d, LSTM_AB_WINDOW > 0)\n", MAX_PLUGINS, MAX_ROUNDS);
        return 2;
    }
    static struct subject s[MAX_PLUGINS];
    char err[L2L_ERRLEN];
    float *theta = calloc(n, sizeof(float)), *grad = malloc(sizeof(float) * n);
    float *upd = malloc(sizeof(float) * n), *dg = malloc(sizeof(float) * n * (size_t)U);
    if (!theta || !grad || !upd || !dg) {
        fprintf(stderr, "lstm_ab: out of memory for %zu coordinates\n", n);
        return 1;
    }
    l2l_bench_grad(grad, n); /* what l2l bench feeds */
    l2l_bench_dg(dg, n * (size_t)U);
    float *dphi = NULL;
    size_t n_dphi = 0;
    for (int i = 0; i < np; i++) {
        if (l2l_plugin_open(L2L_OPTIMIZER, argv[i + 1], &s[i].p, err, sizeof err) < 0 ||
            l2l_options_defaults(s[i].p.u.opt->options, s[i].v, err, sizeof err) < 0) {
            fprintf(stderr, "lstm_ab: %s\n", err);
            return 1;
        }
        const struct l2l_optimizer_ops *o = s[i].p.u.opt;
        if (!o->learned) {
            fprintf(stderr, "lstm_ab: %s is not a learned optimizer\n", argv[i + 1]);
            return 1;
        }
        if (!(s[i].self = o->create(s[i].v, n, NULL, 0, err, sizeof err))) {
            fprintf(stderr, "lstm_ab: %s\n", err);
            return 1;
        }
        struct l2l_rng rng;
        l2l_rng_seed(&rng, 1);
        o->learned->meta_init(s[i].self, &rng);
        /* one dL/dφ buffer for all: as large as the largest φ */
        size_t nm = o->learned->n_meta(s[i].self);
        if (nm > n_dphi) {
            float *d = realloc(dphi, sizeof(float) * nm);
            if (!d) {
                fprintf(stderr, "lstm_ab: out of memory for dL/dphi\n");
                return 1;
            }
            memset(d + n_dphi, 0, sizeof(float) * (nm - n_dphi));
            dphi = d, n_dphi = nm;
        }
        if (o->learned->tape_begin(s[i].self, U) < 0) {
            fprintf(stderr, "lstm_ab: out of memory for %zu coordinates\n", n);
            return 1;
        }
        o->step(s[i].self, theta, grad); /* first touch of the buffers */
    }
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < np; i++) {
            const struct l2l_optimizer_ops *o = s[i].p.u.opt;
            long steps = 0;
            double t, t0 = now(cpu);
            do {
                if (meta) {
                    l2l_bench_unroll(o, s[i].self, U, theta, grad, upd, dg, dphi);
                    steps += U;
                } else {
                    o->step(s[i].self, theta, grad);
                    steps++;
                }
            } while ((t = now(cpu) - t0) < win);
            double meta_flop = 0, flop = o->flops ? o->flops(s[i].self, &meta_flop) : 0;
            flop = (meta ? meta_flop : flop) / (double)n; /* per coordinate-step, from the plugin */
            s[i].rate[r] = (double)n * (double)steps / t * flop * 1e-9;
        }
    printf("%s at n = %zu, %d rounds of %.2f s (%s), GFLOP/s: median [lowest, highest]\n",
           meta ? "meta-training" : "evaluation", n, rounds, win, cpu ? "CPU time" : "wall time");
    for (int i = 0; i < np; i++) {
        double med = l2l_bench_median(s[i].rate, rounds);
        printf("  %-40s %7.2f [%.2f, %.2f]\n", argv[i + 1], med, s[i].rate[0],
               s[i].rate[rounds - 1]);
        s[i].p.u.opt->destroy(s[i].self);
        l2l_values_clear(s[i].p.u.opt->options, s[i].v);
        l2l_plugin_close(&s[i].p);
    }
    free(theta);
    free(grad);
    free(upd);
    free(dg);
    free(dphi);
    return 0;
}
