/* ntm_bench.c: the cost of ntm-bfgs beside lstm-gac (a tool, not a test):
 *     bench/ntm_bench N SUBJECT [SUBJECT ...]
 * SUBJECT is a plugin name with options, "ntm-bfgs:window=10,write_heads=3".
 * Each subject gets an object over N coordinates (default options
 * otherwise, φ from seed 1). In rounds, each subject is timed in turn by
 * the process's CPU time (one thread: the plugins are timed as they run
 * under `l2l run -j`) over a window of step() calls, then of meta-training
 * unrolls (tape_begin, 20 × step_record, backward); alternating puts every
 * subject under the same load; the median over rounds is printed, in ms
 * per step, with the state bytes per coordinate the plugin reports.
 * Environment: NTM_BENCH_ROUNDS (5), NTM_BENCH_WINDOW (seconds, 0.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "options.h"
#include "plugin_loader.h"

#define MAX_SUBJECTS 12
#define MAX_ROUNDS 51
#define U 20

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct subject {
    const char *spec;
    struct l2l_plugin p;
    struct l2l_value v[64];
    void *self;
    double step_ms[MAX_ROUNDS], meta_ms[MAX_ROUNDS];
};

/* "name:k=v,k=v" → plugin opened, options set. */
static int open_subject(struct subject *s, const char *spec, char *err, size_t errlen)
{
    char name[256], opts[1024] = "";
    const char *colon = strchr(spec, ':');
    snprintf(name, sizeof name, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
    if (colon)
        snprintf(opts, sizeof opts, "%s", colon + 1);
    if (l2l_plugin_open(L2L_OPTIMIZER, name, &s->p, err, errlen) < 0 ||
        l2l_options_defaults(s->p.u.opt->options, s->v, err, errlen) < 0)
        return -1;
    for (char *save = NULL, *kv = strtok_r(opts, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            snprintf(err, errlen, "%s: expected key=value, got '%s'", spec, kv);
            return -1;
        }
        *eq = 0;
        if (l2l_options_set(s->p.u.opt->options, s->v, kv, eq + 1, err, errlen) < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *r_env = getenv("NTM_BENCH_ROUNDS"), *w_env = getenv("NTM_BENCH_WINDOW");
    int rounds = r_env ? atoi(r_env) : 5, ns = argc - 2;
    double win = w_env ? atof(w_env) : 0.3;
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 0;
    if (n == 0 || ns < 1 || ns > MAX_SUBJECTS || rounds < 1 || rounds > MAX_ROUNDS || win <= 0) {
        fprintf(stderr, "usage: ntm_bench N SUBJECT [SUBJECT ...] (at most %d; "
                        "NTM_BENCH_ROUNDS 1..%d, NTM_BENCH_WINDOW > 0)\n", MAX_SUBJECTS, MAX_ROUNDS);
        return 2;
    }
    static struct subject s[MAX_SUBJECTS];
    char err[L2L_ERRLEN];
    float *theta = calloc(n, sizeof(float)), *grad = malloc(sizeof(float) * n);
    float *upd = malloc(sizeof(float) * n), *dg = malloc(sizeof(float) * n * U);
    if (!theta || !grad || !upd || !dg) {
        fprintf(stderr, "ntm_bench: out of memory for %zu coordinates\n", n);
        return 1;
    }
    l2l_bench_grad(grad, n);
    l2l_bench_dg(dg, n * U);
    float *dphi = NULL;
    for (int i = 0; i < ns; i++) {
        s[i].spec = argv[i + 2];
        if (open_subject(&s[i], s[i].spec, err, sizeof err) < 0 ||
            !(s[i].self = s[i].p.u.opt->create(s[i].v, n, NULL, 0, err, sizeof err))) {
            fprintf(stderr, "ntm_bench: %s\n", err);
            return 1;
        }
        const struct l2l_learned_ops *lo = s[i].p.u.opt->learned;
        if (!lo || lo->tape_begin(s[i].self, U) < 0) {
            fprintf(stderr, "ntm_bench: %s: not a learned optimizer, or out of memory\n", s[i].spec);
            return 1;
        }
        struct l2l_rng rng;
        l2l_rng_seed(&rng, 1);
        lo->meta_init(s[i].self, &rng);
    }
    size_t nm_max = 0;
    for (int i = 0; i < ns; i++) {
        size_t nm = s[i].p.u.opt->learned->n_meta(s[i].self);
        nm_max = nm > nm_max ? nm : nm_max;
    }
    if (!(dphi = calloc(nm_max, sizeof(float))))
        return 1;
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < ns; i++) {
            const struct l2l_optimizer_ops *o = s[i].p.u.opt;
            long steps = 0;
            double t, t0 = cpu_now();
            o->reset(s[i].self);
            do {
                o->step(s[i].self, theta, grad);
                steps++;
            } while ((t = cpu_now() - t0) < win);
            s[i].step_ms[r] = 1e3 * t / (double)steps;
            steps = 0;
            t0 = cpu_now();
            do {
                l2l_bench_unroll(o, s[i].self, U, theta, grad, upd, dg, dphi);
                steps += U;
            } while ((t = cpu_now() - t0) < win);
            s[i].meta_ms[r] = 1e3 * t / (double)steps;
        }
    printf("n = %zu, %d rounds of %.2f s per subject and kind (CPU time), medians:\n", n, rounds, win);
    printf("  %-44s %10s %14s %10s\n", "subject", "step ms", "meta ms/step", "state B/n");
    for (int i = 0; i < ns; i++) {
        const struct l2l_optimizer_ops *o = s[i].p.u.opt;
        double sb = o->state_bytes ? o->state_bytes(s[i].self) : 0;
        printf("  %-44s %10.3f %14.3f %10.0f\n", s[i].spec, l2l_bench_median(s[i].step_ms, rounds),
               l2l_bench_median(s[i].meta_ms, rounds), sb);
        o->destroy(s[i].self);
        l2l_values_clear(o->options, s[i].v);
        l2l_plugin_close(&s[i].p);
    }
    free(theta);
    free(grad);
    free(upd);
    free(dg);
    free(dphi);
    return 0;
}
