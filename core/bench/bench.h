/* bench.h: `l2l bench`, the measured speed of this machine and of the
 * plugins a bench file names (bench_file.h; bench/default.ini), each
 * number next to a reference measured in the same run:
 *   - references: cblas_sgemm (GFLOP/s) and memcpy (GB/s), both cores;
 *   - learned optimizers: evaluation steps and meta-training steps
 *     (coordinate-steps/s, GFLOP/s), bytes recorded per coordinate per
 *     unrolled step, peak RSS of one meta-training unroll, second order
 *     against first (time and peak RSS);
 *   - hand-designed optimizers: GB/s moved by a step;
 *   - optimizees: one training step, loss_grad (GFLOP/s);
 *   - meta-training trajectories (as bench/torch_reference.py times them).
 * Results are tidy rows `benchmark,n,metric,value,unit` (bench.c). */
#ifndef L2L_BENCH_H
#define L2L_BENCH_H
#include <stddef.h>
#include <stdio.h>
#include "bench_file.h"
#include "plugin_loader.h"

#define L2L_BENCH_MAX_SIZES 8
#define L2L_BENCH_CSV_HEADER "benchmark,n,metric,value,unit"

struct l2l_bench_row {
    char bench[40];   /* e.g. "lstm-meta", "sgemm-square", "copy" */
    long long n;      /* coordinates (or matrix size); 0 when none applies */
    char metric[40];  /* e.g. "gflops", "coord_steps_per_s", "ratio_sgemm" */
    double value;
    char unit[16];    /* e.g. "GFLOP/s", "1/s", "B", "" for ratios */
};

struct l2l_bench {
    /* settings */
    double min_seconds;  /* length of one timing window */
    int windows;         /* the best (fastest) of this many windows counts */
    int pairs;           /* paired windows (sgemm, then the LSTM) per ratio; 0 = none */
    size_t sizes[L2L_BENCH_MAX_SIZES]; /* coordinates n of the per-n benchmarks */
    int n_sizes;
    int unroll;          /* U of the memory measure and the trajectories (20) */
    size_t mem_n;        /* n of the peak-RSS measure; 0 = skipped */
    int trajectories;    /* timed meta-training trajectories per optimizee; 0 = none */
    int traj_steps;      /* T of a trajectory (100) */
    int verbose;         /* progress lines on stderr */
    int sgemm_n;         /* the square sgemm reference: 2048 (smaller in tests) */
    size_t copy_large;   /* floats of the memory-bandwidth copy: 2^25 (128 MiB) */
    size_t tape_n;       /* n of the tape-bytes measure: 15,910 (the MNIST MLP) */
    /* results */
    struct l2l_bench_row *rows;
    int n_rows, cap;
};

/* Settings of a full run (quick = 0) or of `--quick`; no rows. */
void l2l_bench_init(struct l2l_bench *b, int quick);
void l2l_bench_free(struct l2l_bench *b);

/* Appends a row. Returns 0 or L2L_ENOMEM. */
int l2l_bench_add(struct l2l_bench *b, const char *bench, long long n, const char *metric,
                  double value, const char *unit);
/* Value of the first row matching (bench, n, metric), NAN when none. */
double l2l_bench_get(const struct l2l_bench *b, const char *bench, long long n,
                     const char *metric);

/* Monotonic seconds. */
double l2l_bench_now(void);
/* Seconds per call of fn(ctx): one warm-up call, then the fastest of
 * b->windows windows, each calling fn until b->min_seconds have passed
 * (a call slower than a window gets one window of one call). */
double l2l_bench_time(const struct l2l_bench *b, void (*fn)(void *ctx), void *ctx);
/* The ratio of two rates measured side by side: `pairs` times a window of
 * ref then a window of fn (each b->min_seconds / 2, at least one call).
 * Returns the median over the pairs of (ref's seconds per call) / (fn's),
 * the lowest and highest in *lo, *hi; NAN without pairs. On a shared
 * machine whose speed drifts between measurements seconds apart, this
 * ratio moves much less than the ratio of two best windows. */
double l2l_bench_paired(const struct l2l_bench *b, int pairs, void (*fn)(void *ctx), void *ctx,
                        void (*ref)(void *ctx), void *rctx, double *lo, double *hi);
/* The square sgemm reference (b->sgemm_n³, FLOPs 2·n³ per call) as a
 * callable for l2l_bench_paired. */
struct l2l_bench_gemm {
    int m, n, k, transA;
    float *A, *B, *C;
};
int l2l_bench_gemm_open(struct l2l_bench_gemm *g, int m, int n, int k, int transA);
void l2l_bench_gemm_call(void *g);
void l2l_bench_gemm_close(struct l2l_bench_gemm *g);
/* Sorts x[0..n) ascending (n > 0) and returns its median. */
double l2l_bench_median(double *x, int n);
/* What the learned-optimizer measures feed the plugins: ∇ spread over
 * four decades, grad[k] = (k mod 1000 − 500)·1e−4, and dL/dg_t,
 * dg[k] = 1e−3·(k mod 13) over len = U·n values. */
void l2l_bench_grad(float *grad, size_t n);
void l2l_bench_dg(float *dg, size_t len);
/* One meta-training unroll of a learned optimizer: tape_begin(U), U
 * step_record on the same θ and ∇, backward (dphi += dL/dφ). */
void l2l_bench_unroll(const struct l2l_optimizer_ops *ops, void *self, int U, const float *theta,
                      const float *grad, float *upd, const float *dg, float *dphi);
/* Resident set size now, and peak (getrusage ru_maxrss), in bytes. */
double l2l_bench_rss_now(void);
double l2l_bench_rss_peak(void);
void l2l_bench_progress(const struct l2l_bench *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The measurements; each appends its rows, returns 0 or < 0 with err set.
 * opt and obj are sections of the bench file; obj of tape, memory and
 * second is its unroll optimizee. */
int l2l_bench_machine(struct l2l_bench *b);              /* threads, load */
/* sgemm square and, when gemm_k > 0, of the layer shape; memcpy. */
int l2l_bench_refs(struct l2l_bench *b, int gemm_k, int gemm_m, char *err, size_t errlen);
int l2l_bench_lstm(struct l2l_bench *b, const struct l2l_bench_entry *opt, char *err, size_t errlen);
int l2l_bench_tape(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                   const struct l2l_bench_entry *obj, char *err, size_t errlen);
int l2l_bench_memory(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                     const struct l2l_bench_entry *obj, char *err, size_t errlen);
/* One meta-training unroll on the unroll optimizee at tape_n parameters,
 * first and second order (second_order = true), each in a child: median
 * seconds of 5 unrolls and peak RSS, and their ratios. */
int l2l_bench_second(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                     const struct l2l_bench_entry *obj, char *err, size_t errlen);
int l2l_bench_hand(struct l2l_bench *b, const struct l2l_bench_entry *opt, char *err, size_t errlen);
int l2l_bench_fwdbwd(struct l2l_bench *b, const struct l2l_bench_entry *obj, char *err, size_t errlen);
int l2l_bench_trajectory(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                         const struct l2l_bench_entry *obj, char *err, size_t errlen);
/* Ratio rows against the references (after the measurements). */
int l2l_bench_ratios(struct l2l_bench *b);

/* Output: CSV (header L2L_BENCH_CSV_HEADER) and a readable table. */
int l2l_bench_write_csv(const struct l2l_bench *b, const char *path, char *err, size_t errlen);
void l2l_bench_print(const struct l2l_bench *b, FILE *f);

/* A plugin loaded as a suite would (core/plugins/plugin_loader.h), with its
 * default option values; an optimizee's family opened. */
#define L2L_BENCH_MAX_OPTS 64
struct l2l_bench_plugin {
    struct l2l_plugin p;
    struct l2l_value v[L2L_BENCH_MAX_OPTS]; /* option values, owned */
    int loaded, filled;
    void *family;  /* optimizee: the open family (owned), else NULL */
};
/* Loads `name`, fills the defaults, applies each "key=value" of sets (NULL
 * or NULL-terminated) and, for an optimizee, opens the family. */
int l2l_bench_plugin_open(struct l2l_bench_plugin *bp, enum l2l_kind kind, const char *name,
                          const char *const *sets, char *err, size_t errlen);
void l2l_bench_plugin_close(struct l2l_bench_plugin *bp);

/* Runs fn in a child process (fork), so that its memory and its peak RSS
 * are its own; out[0..nout-1] (nout <= 8) come back from the child. Call
 * before the parent has started OpenMP threads. */
int l2l_bench_in_child(int (*fn)(void *arg, double *out, char *err, size_t errlen), void *arg,
                       double *out, int nout, char *err, size_t errlen);

/* The plugin of a bench-file section with its options, and extra
 * ("key=value", or NULL) after them. */
int l2l_bench_entry_open(struct l2l_bench_plugin *bp, const struct l2l_bench_entry *e,
                         const char *extra, char *err, size_t errlen);
/* The unroll optimizee at about n parameters: *value for its size_option,
 * from its n at size_option = 1 (n / that, at least 1), and *got, its n
 * then (linear in size_option). */
int l2l_bench_unroll_size(const struct l2l_bench_entry *obj, size_t n, long long *value,
                          size_t *got, char *err, size_t errlen);

/* FLOPs per coordinate-step of a learned optimizer come from its plugin
 * (the flops hook of ABI 2: lstm_plugin.c derives them from the shape). */
#endif
