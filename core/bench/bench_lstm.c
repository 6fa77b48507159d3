/* bench_lstm.c: `l2l bench` for a learned optimizer plugin (an
 * [optimizer NAME] section of the bench file whose plugin has the
 * meta-training hooks), loaded through the plugin loader with the
 * section's options:
 *   - evaluation: step() per coordinate-step, and the state carried per
 *     coordinate (its state_bytes hook);
 *   - meta-training: tape_begin + U step_record + backward, per step;
 *   - bytes recorded per coordinate per unrolled step, from RSS growth;
 *   - peak RSS of one meta-training unroll of U = 20 at n = 1e6;
 *   - time and peak RSS of an unroll with second-order meta-gradients
 *     against first order.
 * The unrolls run through the core's meta-trainer on the bench file's
 * unroll optimizee. FLOPs per coordinate-step come from the plugin's
 * flops hook (ABI 2), so any shape (hidden = 40) is counted as it is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include "bench.h"
#include "log.h"
#include "meta_unroll.h"

/* Meta-training timing unroll: the U = 20, shorter for very large
 * n so one timed call stays short (the per-step rate hardly depends on U). */
#define BIG_N 200000
#define BIG_U 5

struct lstm_ctx {
    const struct l2l_optimizer_ops *ops;
    void *self;
    size_t n;
    int U;
    float *theta, *grad, *upd, *dg, *dphi;
};

static void eval_call(void *p)
{
    struct lstm_ctx *c = p;
    c->ops->step(c->self, c->theta, c->grad);
}

static void meta_call(void *p)
{
    struct lstm_ctx *c = p;
    l2l_bench_unroll(c->ops, c->self, c->U, c->theta, c->grad, c->upd, c->dg, c->dphi);
}

static void ctx_free(struct lstm_ctx *c)
{
    if (c->self)
        c->ops->destroy(c->self);
    free(c->theta);
    free(c->grad);
    free(c->upd);
    free(c->dg);
    free(c->dphi);
    memset(c, 0, sizeof *c);
}

/* An optimizer object for n coordinates with φ drawn, a fixed gradient
 * spread over four decades and a fixed dL/dg, as the trainer would feed. */
static int ctx_init(struct lstm_ctx *c, struct l2l_bench_plugin *bp, size_t n, int U, char *err,
                    size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->ops = bp->p.u.opt;
    c->n = n;
    c->U = U;
    char msg[L2L_ERRLEN];
    c->self = c->ops->create(bp->v, n, NULL, 0, msg, sizeof msg);
    if (!c->self) {
        l2l_fmt(err, errlen, "l2l bench: %s", msg);
        return L2L_EPLUGIN;
    }
    const struct l2l_learned_ops *lo = c->ops->learned;
    c->theta = calloc(n, sizeof(float));
    c->grad = malloc(sizeof(float) * n);
    c->upd = malloc(sizeof(float) * n);
    c->dg = malloc(sizeof(float) * n * (size_t)U);
    c->dphi = calloc(lo->n_meta(c->self), sizeof(float));
    if (!c->theta || !c->grad || !c->upd || !c->dg || !c->dphi) {
        l2l_fmt(err, errlen, "l2l bench: out of memory for %zu coordinates", n);
        ctx_free(c);
        return L2L_ENOMEM;
    }
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 1);
    lo->meta_init(c->self, &rng);
    l2l_bench_grad(c->grad, n);
    l2l_bench_dg(c->dg, n * (size_t)U);
    return 0;
}

/* The ratio to sgemm again, from b->pairs windows of the square sgemm
 * each followed by a window of fn (flop FLOPs per call): rows
 * ratio_sgemm_paired (the median) and its lowest and highest. */
static int paired(struct l2l_bench *b, const char *bench, struct lstm_ctx *c,
                  void (*fn)(void *), struct l2l_bench_gemm *sq, double flop)
{
    if (b->pairs <= 0)
        return 0;
    double lo, hi, per_sq = 2.0 * sq->m * (double)sq->n * sq->k;
    double r = l2l_bench_paired(b, b->pairs, fn, c, l2l_bench_gemm_call, sq, &lo, &hi) *
               flop / per_sq;
    long long n = (long long)c->n;
    int rc = l2l_bench_add(b, bench, n, "ratio_sgemm_paired", r, "");
    rc |= l2l_bench_add(b, bench, n, "ratio_sgemm_paired_lo", lo * flop / per_sq, "");
    rc |= l2l_bench_add(b, bench, n, "ratio_sgemm_paired_hi", hi * flop / per_sq, "");
    l2l_bench_progress(b, "%s n=%lld: %.3f of sgemm, median of %d paired windows [%.3f, %.3f]",
                       bench, n, r, b->pairs, lo * flop / per_sq, hi * flop / per_sq);
    return rc;
}

int l2l_bench_lstm(struct l2l_bench *b, const struct l2l_bench_entry *opt, char *err, size_t errlen)
{
    const char *plugin = opt->name;
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_entry_open(&bp, opt, NULL, err, errlen);
    if (rc < 0)
        return rc;
    if (!bp.p.u.opt->learned) {
        l2l_fmt(err, errlen, "l2l bench: %s is not a learned optimizer (no meta-training hooks)",
                plugin);
        l2l_bench_plugin_close(&bp);
        return L2L_EINPUT;
    }
    char eval[48], meta[48];
    l2l_fmt(eval, sizeof eval, "%s-eval", plugin);
    l2l_fmt(meta, sizeof meta, "%s-meta", plugin);
    struct l2l_bench_gemm sq = {0};
    if (b->pairs > 0 && l2l_bench_gemm_open(&sq, b->sgemm_n, b->sgemm_n, b->sgemm_n, 0) < 0) {
        l2l_fmt(err, errlen, "l2l bench: out of memory for the sgemm reference");
        l2l_bench_plugin_close(&bp);
        return L2L_ENOMEM;
    }
    for (int i = 0; i < b->n_sizes && rc == 0; i++) {
        size_t n = b->sizes[i];
        int U = n > BIG_N && b->unroll > BIG_U ? BIG_U : b->unroll;
        struct lstm_ctx c;
        if ((rc = ctx_init(&c, &bp, n, U, err, errlen)) < 0)
            break;
        if (c.ops->learned->tape_begin(c.self, U) < 0) {
            l2l_fmt(err, errlen, "l2l bench: %s: no memory for a tape of %d steps at n = %zu",
                    plugin, U, n);
            ctx_free(&c);
            rc = L2L_ENOMEM;
            break;
        }
        /* FLOPs per coordinate-step from the plugin (ABI 2), so another
         * shape (hidden = 40) is counted as it is */
        double meta_flop = 0, fwd_flop = c.ops->flops ? c.ops->flops(c.self, &meta_flop) / (double)n : 0;
        meta_flop /= (double)n;
        if (!(fwd_flop > 0) || !(meta_flop > 0)) {
            l2l_fmt(err, errlen, "l2l bench: plugin %s reports no FLOP count (its flops hook)", plugin);
            ctx_free(&c);
            rc = L2L_EPLUGIN;
            break;
        }
        double s = l2l_bench_time(b, eval_call, &c);
        double rate = (double)n / s; /* coordinate-steps per second */
        rc |= l2l_bench_add(b, eval, (long long)n, "coord_steps_per_s", rate, "1/s");
        rc |= l2l_bench_add(b, eval, (long long)n, "gflops", rate * fwd_flop * 1e-9, "GFLOP/s");
        rc |= l2l_bench_add(b, eval, (long long)n, "flop_per_coord_step", fwd_flop, "FLOP");
        /* the carried state, from the plugin's state_bytes hook: what grows
         * with ntm-bfgs's window, where the tape per step does not */
        if (c.ops->state_bytes)
            rc |= l2l_bench_add(b, eval, (long long)n, "state_bytes_per_coord",
                                c.ops->state_bytes(c.self), "B");
        l2l_bench_progress(b, "%s n=%zu: %.4g coord-steps/s, %.2f GFLOP/s", eval, n, rate,
                           rate * fwd_flop * 1e-9);
        rc |= paired(b, eval, &c, eval_call, &sq, (double)n * fwd_flop);
        s = l2l_bench_time(b, meta_call, &c) / U;
        rate = (double)n / s;
        const double flop = meta_flop;
        rc |= l2l_bench_add(b, meta, (long long)n, "coord_steps_per_s", rate, "1/s");
        rc |= l2l_bench_add(b, meta, (long long)n, "gflops", rate * flop * 1e-9, "GFLOP/s");
        rc |= l2l_bench_add(b, meta, (long long)n, "flop_per_coord_step", flop, "FLOP");
        rc |= l2l_bench_add(b, meta, (long long)n, "unroll", U, "steps");
        l2l_bench_progress(b, "%s n=%zu (U=%d): %.4g coord-steps/s, %.2f GFLOP/s", meta, n, U,
                           rate, rate * flop * 1e-9);
        rc |= paired(b, meta, &c, meta_call, &sq, (double)n * U * flop);
        ctx_free(&c);
        if (rc)
            rc = L2L_ENOMEM;
    }
    l2l_bench_gemm_close(&sq);
    l2l_bench_plugin_close(&bp);
    return rc;
}

/* ------------------------------------------------ memory, in children */

struct mem_arg {
    const struct l2l_bench_entry *opt, *obj;
    size_t n;
    int u1, u2; /* tape: two unroll lengths; memory: u1 only */
};

/* Resident bytes the plugin adds by one recorded unroll of u steps
 * (tape_begin, forward, backward) on a fresh object, the bench's own
 * buffers (θ, ∇, dL/dg) excluded; the object is then freed. */
static int plugin_unroll_rss(struct l2l_bench_plugin *bp, size_t n, int u, double *rss,
                             char *err, size_t errlen)
{
    struct lstm_ctx c;
    int rc = ctx_init(&c, bp, n, u, err, errlen);
    if (rc < 0)
        return rc;
    eval_call(&c); /* the carried state is touched before, as in training */
    double before = l2l_bench_rss_now();
    if (c.ops->learned->tape_begin(c.self, u) < 0) {
        l2l_fmt(err, errlen, "l2l bench: %s: no memory for a tape of %d steps", bp->p.u.opt->name, u);
        ctx_free(&c);
        return L2L_ENOMEM;
    }
    meta_call(&c);
    *rss = l2l_bench_rss_now() - before;
    ctx_free(&c);
    return 0;
}

/* The same through the core's meta-trainer (meta_unroll.h) on the unroll
 * optimizee sized to about n parameters (l2l_bench_unroll_size): the
 * trainer's own buffers included. Also
 * gives the peak RSS and the unroll's seconds (the median of reps unrolls
 * one after another, the state carried), with second-order meta-gradients
 * when second is set. */
static int trainer_unroll_opt(struct l2l_bench_plugin *opt, const struct l2l_bench_entry *obj,
                              size_t n, int u, int second, int reps, double *rss, double *seconds,
                              char *err, size_t errlen)
{
    long long value = 0;
    size_t got = 0;
    int rc = l2l_bench_unroll_size(obj, n, &value, &got, err, errlen);
    char size[96];
    l2l_fmt(size, sizeof size, "%s=%lld", obj->size_option, value);
    struct l2l_bench_plugin quad;
    if (rc == 0)
        rc = l2l_bench_entry_open(&quad, obj, size, err, errlen);
    if (rc < 0)
        return rc;
    struct l2l_meta_inst in;
    char msg[L2L_ERRLEN];
    float *dphi = NULL;
    rc = l2l_meta_inst_init(&in, opt->p.u.opt, opt->v, quad.p.u.obj, quad.family, u, msg,
                            sizeof msg);
    if (rc == 0) {
        struct l2l_rng rng;
        l2l_rng_seed(&rng, 2);
        in.opt->learned->meta_init(in.self, &rng);
        dphi = calloc(in.opt->learned->n_meta(in.self), sizeof(float));
        if (second)
            rc = l2l_meta_inst_second_order(&in, msg, sizeof msg);
        if (rc == 0)
            rc = dphi ? l2l_meta_inst_start(&in, &rng, msg, sizeof msg) : L2L_ENOMEM;
    }
    double times[16];
    reps = reps < 1 ? 1 : reps > 16 ? 16 : reps;
    for (int r = 0; rc == 0 && r < reps; r++) {
        double loss = 0, t0 = l2l_bench_now();
        rc = l2l_meta_unroll(&in, u, 1.0, dphi, &loss, NULL, msg, sizeof msg);
        times[r] = l2l_bench_now() - t0;
    }
    if (rc == 0) {
        *seconds = l2l_bench_median(times, reps);
        *rss = l2l_bench_rss_now();
    }
    if (rc < 0)
        l2l_fmt(err, errlen, "l2l bench: meta-training unroll of %s on %zu parameters of %s: %s",
                opt->p.u.opt->name, got, obj->name, rc == L2L_ENOMEM ? "out of memory" : msg);
    l2l_meta_inst_free(&in); /* init leaves it freeable, even on failure */
    free(dphi);
    l2l_bench_plugin_close(&quad);
    return rc;
}

static int trainer_unroll(struct l2l_bench_plugin *opt, const struct l2l_bench_entry *obj,
                          size_t n, int u, double *rss, double *seconds, char *err, size_t errlen)
{
    return trainer_unroll_opt(opt, obj, n, u, 0, 1, rss, seconds, err, errlen);
}

/* In a child: bytes per coordinate per unrolled step, the slope of RSS
 * between unrolls of u1 and u2 steps on fresh objects; of the plugin alone
 * (its tape) and of the whole meta-trainer (tape + the core's ∇ and dL/dg
 * of each step). out = {plugin slope, trainer slope}. */
static int tape_child(void *p, double *out, char *err, size_t errlen)
{
    const struct mem_arg *a = p;
#ifdef M_MMAP_THRESHOLD
    /* every buffer its own mapping, returned on free: RSS = live memory */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
#endif
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_entry_open(&bp, a->opt, NULL, err, errlen);
    double r1, r2, t1, t2, s;
    /* a first unroll, not counted: one-time buffers (OpenBLAS's work
     * memory on its first calls) would otherwise count as tape */
    if (rc == 0)
        rc = plugin_unroll_rss(&bp, a->n, a->u1, &r1, err, errlen);
    if (rc == 0)
        rc = trainer_unroll(&bp, a->obj, a->n, a->u1, &t1, &s, err, errlen);
    if (rc == 0)
        rc = plugin_unroll_rss(&bp, a->n, a->u1, &r1, err, errlen);
    if (rc == 0)
        rc = plugin_unroll_rss(&bp, a->n, a->u2, &r2, err, errlen);
    if (rc == 0)
        rc = trainer_unroll(&bp, a->obj, a->n, a->u1, &t1, &s, err, errlen);
    if (rc == 0)
        rc = trainer_unroll(&bp, a->obj, a->n, a->u2, &t2, &s, err, errlen);
    long long v;
    size_t got = 0;
    if (rc == 0)
        rc = l2l_bench_unroll_size(a->obj, a->n, &v, &got, err, errlen);
    if (rc == 0) {
        double steps = (double)(a->u2 - a->u1);
        out[0] = (r2 - r1) / ((double)a->n * steps);
        out[1] = (t2 - t1) / ((double)got * steps);
    }
    l2l_bench_plugin_close(&bp);
    return rc;
}

int l2l_bench_tape(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                   const struct l2l_bench_entry *obj, char *err, size_t errlen)
{
    const char *plugin = opt->name;
    /* n = 15,910 (tape_n): the MNIST MLP's size; the slope over 8 steps is
     * ~41 MB, so a page of noise is 0.01 bytes. */
    struct mem_arg a = {opt, obj, b->tape_n, 2, 10};
    double out[2];
    int rc = l2l_bench_in_child(tape_child, &a, out, 2, err, errlen);
    if (rc < 0)
        return rc;
    char name[48];
    l2l_fmt(name, sizeof name, "%s-tape", plugin);
    rc = l2l_bench_add(b, name, (long long)a.n, "plugin_bytes_per_coord_step", out[0], "B");
    rc |= l2l_bench_add(b, name, (long long)a.n, "trainer_bytes_per_coord_step", out[1], "B");
    l2l_bench_progress(b, "%s: %.1f bytes per coordinate per unrolled step recorded by the plugin, "
                       "%.1f with the meta-trainer's buffers", name, out[0], out[1]);
    return rc ? L2L_ENOMEM : 0;
}

/* In a child: one meta-training unroll of U steps at n through the core's
 * trainer. out = {RSS after loading, RSS after the unroll, peak RSS (the
 * larger of ru_maxrss and the RSS after the unroll), seconds of the
 * unroll}. */
static int memory_child(void *p, double *out, char *err, size_t errlen)
{
    const struct mem_arg *a = p;
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_entry_open(&bp, a->opt, NULL, err, errlen);
    if (rc < 0)
        return rc;
    out[0] = l2l_bench_rss_now();
    rc = trainer_unroll(&bp, a->obj, a->n, a->u1, &out[1], &out[3], err, errlen);
    /* ru_maxrss; the kernel's RSS counters are per-CPU caches synced
     * lazily, so it can read a few hundred KB below statm's RSS */
    out[2] = fmax(l2l_bench_rss_peak(), out[1]);
    l2l_bench_plugin_close(&bp);
    return rc;
}

int l2l_bench_memory(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                     const struct l2l_bench_entry *obj, char *err, size_t errlen)
{
    const char *plugin = opt->name;
    if (b->mem_n == 0)
        return 0;
    struct mem_arg a = {opt, obj, b->mem_n, b->unroll, 0};
    double out[4];
    l2l_bench_progress(b, "%s: one meta-training unroll of U=%d at n=%zu in a child process...",
                       plugin, a.u1, a.n);
    int rc = l2l_bench_in_child(memory_child, &a, out, 4, err, errlen);
    if (rc < 0)
        return rc;
    char name[48];
    l2l_fmt(name, sizeof name, "%s-memory", plugin);
    long long n = 0;
    size_t got = 0;
    if (l2l_bench_unroll_size(obj, a.n, &n, &got, err, errlen) < 0)
        return L2L_EPLUGIN;
    n = (long long)got;
    rc = l2l_bench_add(b, name, n, "unroll", a.u1, "steps");
    rc |= l2l_bench_add(b, name, n, "rss_loaded", out[0], "B");
    rc |= l2l_bench_add(b, name, n, "rss_after_unroll", out[1], "B");
    rc |= l2l_bench_add(b, name, n, "peak_rss", out[2], "B");
    rc |= l2l_bench_add(b, name, n, "peak_rss_of_8gib", out[2] / (8.0 * 1024 * 1024 * 1024), "");
    rc |= l2l_bench_add(b, name, n, "unroll_seconds", out[3], "s");
    l2l_bench_progress(b, "%s n=%lld U=%d: peak RSS %.3f GiB (%.2f of 8 GiB), unroll %.1f s", name,
                       n, a.u1, out[2] / 1073741824.0, out[2] / 8589934592.0, out[3]);
    return rc ? L2L_ENOMEM : 0;
}

/* In a child: u1 (the unroll) steps at n, first order (u2 = 0) or second
 * order (u2 = 1), 5 unrolls. out = {peak RSS, median seconds of an unroll}. */
static int second_child(void *p, double *out, char *err, size_t errlen)
{
    const struct mem_arg *a = p;
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_entry_open(&bp, a->opt, NULL, err, errlen);
    double rss;
    if (rc == 0)
        rc = trainer_unroll_opt(&bp, a->obj, a->n, a->u1, a->u2, 5, &rss, &out[1], err, errlen);
    out[0] = fmax(l2l_bench_rss_peak(), rss);
    l2l_bench_plugin_close(&bp);
    return rc;
}

int l2l_bench_second(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                     const struct l2l_bench_entry *obj, char *err, size_t errlen)
{
    const char *plugin = opt->name;
    double o[2][2];
    for (int k = 0; k < 2; k++) {
        struct mem_arg a = {opt, obj, b->tape_n, b->unroll, k};
        int rc = l2l_bench_in_child(second_child, &a, o[k], 2, err, errlen);
        if (rc < 0)
            return rc;
    }
    char name[48];
    l2l_fmt(name, sizeof name, "%s-second-order", plugin);
    long long v;
    size_t got = 0;
    if (l2l_bench_unroll_size(obj, b->tape_n, &v, &got, err, errlen) < 0)
        return L2L_EPLUGIN;
    long long n = (long long)got;
    int rc = l2l_bench_add(b, name, n, "unroll", b->unroll, "steps");
    rc |= l2l_bench_add(b, name, n, "first_order_seconds", o[0][1], "s");
    rc |= l2l_bench_add(b, name, n, "second_order_seconds", o[1][1], "s");
    rc |= l2l_bench_add(b, name, n, "time_ratio", o[1][1] / o[0][1], "");
    rc |= l2l_bench_add(b, name, n, "first_order_peak_rss", o[0][0], "B");
    rc |= l2l_bench_add(b, name, n, "second_order_peak_rss", o[1][0], "B");
    rc |= l2l_bench_add(b, name, n, "memory_ratio", o[1][0] / o[0][0], "");
    l2l_bench_progress(b, "%s n=%lld U=%d on %s: unroll %.4f s second order against %.4f s "
                       "first (x%.2f), peak RSS %.1f against %.1f MB", name, n, b->unroll, obj->name, o[1][1],
                       o[0][1], o[1][1] / o[0][1], o[1][0] / 1048576.0, o[0][0] / 1048576.0);
    return rc ? L2L_ENOMEM : 0;
}
