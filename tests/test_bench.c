/* test_bench.c: `l2l bench`'s code paths on tiny sizes: every measurement
 * runs through the plugin loader and yields finite positive numbers, the
 * child-process memory measures are consistent, the ratios are the
 * quotients of the rows they come from, the CSV has the documented schema
 * and reads back, and bad arguments are refused. No timing is asserted:
 * speed is for `l2l bench` to report, not for tests to judge.
 * L2L_TEST_SMALL=1 (valgrind, some 100 times slower) makes everything
 * small: sgemm 256³, a copy of 2^20 floats, n = 600 instead of 3,000 (and
 * of 15,910 for the tape, of lstm only), unrolls of 2 steps instead of 5,
 * a 2,000-parameter unroll for the peak RSS, and the quadratic's
 * trajectory only. Same assertions, but the byte counts, whose RSS is
 * valgrind's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_main.h"
#include "bench.h"
#include "blas_threads.h"
#include "capture.h"
#include "commands.h"
#include "log.h"

static int small_mode;
static long long N = 3000; /* the per-n size (600 in small mode) */
static struct l2l_bench_file file; /* bench/default.ini, read by main */

/* The section called name of f; fails the test when absent. */
static const struct l2l_bench_entry *entry(const struct l2l_bench_file *f, const char *name)
{
    for (int k = 0; k < f->n; k++)
        if (!strcmp(f->e[k].name, name))
            return &f->e[k];
    printf("  %s has no section called %s\n", f->path, name);
    CU_FAIL_FATAL("bench file section missing");
    return NULL;
}

/* FLOPs per coordinate-step of an lstm plugin's matrix products, from the
 * shape it reports (layers L, hidden H, inputs D), with the options of
 * section e: layer 0 multiplies [x; h; 1] (D+H+1 rows), later layers
 * [h_below; h; 1] (2H+1 rows), each by 4H gate columns; the output layer
 * H+1. Its meta-parameter count is checked against the same shape, so the
 * count follows the plugin, not the other way round. */
static int lstm_flops(const struct l2l_bench_entry *e, double *fwd, double *bwd)
{
    struct l2l_bench_plugin bp;
    char err[L2L_ERRLEN];
    if (l2l_bench_entry_open(&bp, e, NULL, err, sizeof err) < 0) {
        printf("  %s\n", err);
        return -1;
    }
    const struct l2l_optimizer_ops *ops = bp.p.u.opt;
    const struct l2l_group all = {"all", 0, 1};
    void *self = ops->create(bp.v, 1, &all, 1, err, sizeof err);
    uint32_t w[6] = {0};
    int nw = self ? ops->learned->shape(self, w, 6) : 0;
    double L = w[2], H = w[3], D = w[4];
    double rows = (D + H + 1) + (L - 1) * (2 * H + 1);
    double n_meta = self ? (double)ops->learned->n_meta(self) : 0;
    if (self)
        ops->destroy(self);
    l2l_bench_plugin_close(&bp);
    printf("  %s shape: %d words, L = %g, H = %g, D = %g, %g meta-parameters\n", e->name, nw, L,
           H, D, n_meta);
    CU_ASSERT(nw >= 5 && L >= 1 && H >= 1 && D >= 1);
    CU_ASSERT_EQUAL(n_meta, 4 * H * rows + H + 1); /* the gates, then the output */
    *fwd = 2 * 4 * H * rows + 2 * (H + 1);
    /* recompute the forward, dW, dh of every layer, dx of the layers above
     * the first, the output's dW and dh */
    *bwd = 2 * 4 * H * rows + 2 * 4 * H * rows + 2 * 4 * H * H * L + 2 * 4 * H * H * (L - 1) +
           2 * 2 * (H + 1);
    return nw >= 5 ? 0 : -1;
}

/* Settings small enough for a test: one size, short windows. */
static void tiny(struct l2l_bench *b)
{
    l2l_bench_init(b, 1);
    b->verbose = 0;
    b->min_seconds = 0.01;
    b->windows = 1;
    b->pairs = 2;
    b->n_sizes = 1;
    b->sizes[0] = (size_t)N;
    b->trajectories = 1;
    b->traj_steps = 10; /* with U = 5 below: two unrolls */
    b->unroll = 5;
    if (small_mode) {
        b->sgemm_n = 256;
        b->copy_large = (size_t)1 << 20;
        b->tape_n = 600;
        b->traj_steps = 4; /* two unrolls of 2 */
        b->unroll = 2;
    }
}

/* RSS deltas mean nothing under AddressSanitizer (.ci/sanitize). */
#if defined(__SANITIZE_ADDRESS__)
#define L2L_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define L2L_UNDER_ASAN 1
#endif
#endif
#ifndef L2L_UNDER_ASAN
#define L2L_UNDER_ASAN 0
#endif

/* Nor under valgrind, whose own memory is in the RSS: it preloads its
 * vgpreload_*.so into the program. */
static int under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre && strstr(pre, "vgpreload") != NULL;
}

static int is_machine(const struct l2l_bench_row *r) { return !strcmp(r->bench, "machine"); }

/* Children first: fork before this process has started OpenMP threads. */
static void test_tape_child(void)
{
    struct l2l_bench b;
    tiny(&b);
    char err[L2L_ERRLEN] = "";
    for (int p = 0; p < (small_mode ? 1 : 2); p++) {
        const struct l2l_bench_entry *opt = &file.e[p];
        const char *name = opt->name;
        CU_ASSERT_FATAL(opt->learned && file.unroll >= 0);
        int rc = l2l_bench_tape(&b, opt, &file.e[file.unroll], err, sizeof err);
        if (rc < 0)
            printf("  %s\n", err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        char row[48];
        snprintf(row, sizeof row, "%s-tape", name);
        double plug = l2l_bench_get(&b, row, (long long)b.tape_n, "plugin_bytes_per_coord_step");
        double all = l2l_bench_get(&b, row, (long long)b.tape_n, "trainer_bytes_per_coord_step");
        printf("  %s: %.2f B per coordinate-step by the plugin, %.2f with the trainer\n", name,
               plug, all);
        if (L2L_UNDER_ASAN || under_valgrind()) {
            /* their allocators (redzones, quarantine) decide the RSS, not the tape */
            printf("  (byte counts not checked under AddressSanitizer or valgrind)\n");
        } else {
            /* a tape records at least ∇ and one float of state per step */
            CU_ASSERT(isfinite(plug) && plug >= 8);
            /* the trainer adds its own ∇_t and dL/dg_t (4 B each) */
            CU_ASSERT(isfinite(all) && all > plug + 4);
        }
    }
    l2l_bench_free(&b);
}

static void test_memory_child(void)
{
    struct l2l_bench b;
    tiny(&b);
    b.mem_n = small_mode ? 2000 : 20000;
    long long mn = (long long)b.mem_n;
    char err[L2L_ERRLEN] = "";
    CU_ASSERT_FATAL(file.e[0].learned && file.unroll >= 0);
    int rc = l2l_bench_memory(&b, &file.e[0], &file.e[file.unroll], err, sizeof err);
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    double loaded = l2l_bench_get(&b, "lstm-memory", mn, "rss_loaded");
    double after = l2l_bench_get(&b, "lstm-memory", mn, "rss_after_unroll");
    double peak = l2l_bench_get(&b, "lstm-memory", mn, "peak_rss");
    printf("  RSS loaded %.1f MB, after the unroll %.1f MB, peak %.1f MB\n", loaded / 1e6,
           after / 1e6, peak / 1e6);
    /* the unroll holds at least its tape: U steps × n × 8 B */
    CU_ASSERT(after > loaded + b.unroll * (double)mn * 8.0);
    CU_ASSERT(peak >= after);
    CU_ASSERT(l2l_bench_get(&b, "lstm-memory", mn, "unroll_seconds") > 0);
    l2l_bench_free(&b);
}

static void test_all_measurements(void)
{
    struct l2l_bench b;
    tiny(&b);
    char err[L2L_ERRLEN] = "";
    int rc = l2l_bench_machine(&b);
    if (rc == 0)
        rc = l2l_bench_refs(&b, file.gemm_k, file.gemm_m, err, sizeof err);
    /* OpenBLAS on two threads before, as on a 2-core machine: the training
     * steps must still run on one (and leave it at two) */
    int blas_before = l2l_blas_one_thread();
    l2l_blas_restore(2);
    /* every section of the shipped file, as `l2l bench` runs them; in
     * small mode (valgrind) without the conv step, the mlp trajectory and
     * two of ntm-bfgs's four sections */
    for (int k = 0; k < file.n && rc == 0; k++) {
        const struct l2l_bench_entry *e = &file.e[k];
        int heavy = !strcmp(e->name, "conv") || !strcmp(e->name, "mlp");
        /* small mode: of ntm-bfgs's windows, only the two the state rows compare */
        if (small_mode && (!strcmp(e->name, "ntm-bfgs") || !strcmp(e->name, "ntm-bfgs-w16")))
            continue;
        if (e->learned)
            rc = l2l_bench_lstm(&b, e, err, sizeof err);
        else if (e->kind == L2L_OPTIMIZER)
            rc = l2l_bench_hand(&b, e, err, sizeof err);
        if (rc == 0 && (e->measures & L2L_BM_FWDBWD) && !(small_mode && !strcmp(e->name, "conv")))
            rc = l2l_bench_fwdbwd(&b, e, err, sizeof err);
        if (rc == 0 && (e->measures & L2L_BM_TRAJECTORY) && !(small_mode && heavy))
            rc = l2l_bench_trajectory(&b, &file.e[file.trajectory], e, err, sizeof err);
    }
    int blas_after = l2l_blas_threads();
    l2l_blas_restore(blas_before);
    if (rc == 0)
        rc = l2l_bench_ratios(&b);
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    if (blas_after > 0) { /* OpenBLAS says its thread count */
        CU_ASSERT_EQUAL(blas_after, 2);
        CU_ASSERT_EQUAL(l2l_bench_get(&b, "mlp-fwdbwd", 15910, "threads_blas"), 1);
    }
    int bad = 0;
    for (int k = 0; k < b.n_rows; k++) {
        const struct l2l_bench_row *r = &b.rows[k];
        if (!is_machine(r) && !(isfinite(r->value) && r->value > 0)) {
            printf("  not finite positive: %s,%lld,%s,%g\n", r->bench, r->n, r->metric, r->value);
            bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* each family is there */
    const struct { const char *bench; long long n; const char *metric; } want[] = {
        {"sgemm-square", b.sgemm_n, "gflops"}, {"sgemm-layer-fwd", N, "gflops"},
        {"copy", N, "gbps"},                   {"copy", (long long)b.copy_large, "gbps"},
        {"lstm-eval", N, "gflops"},            {"lstm-meta", N, "coord_steps_per_s"},
        {"lstm-gac-meta", N, "gflops"},        {"sgd", N, "gbps"},
        {"adam", N, "ratio_copy_same_n"},      {"mlp-fwdbwd", 15910, "gflops"},
        {"trajectory-quadratic", 1280, "seconds_median"},
        {"trajectory-mlp", small_mode ? -1 : 15910, "seconds_median"}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        if (want[k].n < 0)
            continue;
        double v = l2l_bench_get(&b, want[k].bench, want[k].n, want[k].metric);
        if (isnan(v))
            printf("  missing: %s,%lld,%s\n", want[k].bench, want[k].n, want[k].metric);
        CU_ASSERT(!isnan(v));
    }
    /* the carried state from the state_bytes hook: ntm-bfgs's window adds
     * 2·W·window floats per coordinate (W = 3 write heads, window 4 and 64) */
    double s4 = l2l_bench_get(&b, "ntm-bfgs-w4-eval", N, "state_bytes_per_coord");
    double s64 = l2l_bench_get(&b, "ntm-bfgs-w64-eval", N, "state_bytes_per_coord");
    printf("  ntm-bfgs state per coordinate: %g B at window 4, %g B at window 64\n", s4, s64);
    CU_ASSERT_EQUAL(s64 - s4, 4.0 * 2 * 3 * 60);
    CU_ASSERT(l2l_bench_get(&b, "lstm-gac-eval", N, "state_bytes_per_coord") > 0);
    /* the conv step, whatever its n */
    int conv = 0;
    for (int k = 0; k < b.n_rows; k++)
        conv += !strcmp(b.rows[k].bench, "conv-fwdbwd") && !strcmp(b.rows[k].metric, "gflops");
    CU_ASSERT_EQUAL(conv, small_mode ? 0 : 1);
    /* a ratio is the quotient of its rows */
    double g = l2l_bench_get(&b, "lstm-meta", N, "gflops");
    double sq = l2l_bench_get(&b, "sgemm-square", b.sgemm_n, "gflops");
    double r = l2l_bench_get(&b, "lstm-meta", N, "ratio_sgemm_square");
    printf("  lstm-meta n=%lld: %.3g GFLOP/s, sgemm %.3g GFLOP/s, ratio %.3g\n", N, g, sq, r);
    CU_ASSERT(fabs(r - g / sq) <= 1e-12 * (g / sq));
    /* the paired ratios: a median between its lowest and highest */
    for (int k = 0; k < 4; k++) {
        const char *name[] = {"lstm-eval", "lstm-meta", "lstm-gac-eval", "lstm-gac-meta"};
        double pm = l2l_bench_get(&b, name[k], N, "ratio_sgemm_paired");
        double lo = l2l_bench_get(&b, name[k], N, "ratio_sgemm_paired_lo");
        double hi = l2l_bench_get(&b, name[k], N, "ratio_sgemm_paired_hi");
        CU_ASSERT(isfinite(pm) && pm > 0 && lo <= pm && pm <= hi);
    }
    /* The stated FLOP counts, derived here from the shape the plugin
     * reports (not from the #defines they would otherwise be compared with). */
    double fwd, bwd;
    CU_ASSERT_FATAL(lstm_flops(entry(&file, "lstm"), &fwd, &bwd) == 0);
    CU_ASSERT_EQUAL(l2l_bench_get(&b, "lstm-eval", N, "flop_per_coord_step"), fwd);
    CU_ASSERT_EQUAL(l2l_bench_get(&b, "lstm-meta", N, "flop_per_coord_step"), fwd + bwd);
    /* the mlp 784-20-10 on a batch of 128: 2·128·784·20·2 + 2·128·20·10·3 */
    CU_ASSERT_EQUAL(l2l_bench_get(&b, "mlp-fwdbwd", 15910, "flop_per_call"), 8181760);

    /* CSV: header, five fields per row, values read back */
    char path[] = "/tmp/l2l-test-bench-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_EQUAL(l2l_bench_write_csv(&b, path, err, sizeof err), 0);
    FILE *f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    char line[512];
    CU_ASSERT(fgets(line, sizeof line, f) && !strcmp(line, L2L_BENCH_CSV_HEADER "\n"));
    int rows = 0, mismatched = 0;
    while (fgets(line, sizeof line, f)) {
        char bench[64], metric[64], unit[32] = "";
        long long n;
        double v;
        int fields = sscanf(line, "%63[^,],%lld,%63[^,],%lf,%31[^\n]", bench, &n, metric, &v, unit);
        const struct l2l_bench_row *row = rows < b.n_rows ? &b.rows[rows] : NULL;
        if (fields < 4 || !row || strcmp(bench, row->bench) || n != row->n ||
            strcmp(metric, row->metric) || fabs(v - row->value) > 1e-5 * fabs(row->value) ||
            strcmp(unit, row->unit)) {
            printf("  CSV row %d does not match: %s", rows + 1, line);
            mismatched++;
        }
        rows++;
    }
    fclose(f);
    unlink(path);
    printf("  CSV: %d rows, %d mismatched\n", rows, mismatched);
    CU_ASSERT_EQUAL(rows, b.n_rows);
    CU_ASSERT_EQUAL(mismatched, 0);
    l2l_bench_free(&b);
}

static void test_bad_arguments(void)
{
    static const char *const bad[][3] = {
        {"bench", "--sizes", "12,x"}, {"bench", "--sizes", "0"}, {"bench", "--sizes", ""},
        {"bench", "--only", "lstm,bogus"}, {"bench", "--frobnicate", NULL}, {"bench", "-o", NULL}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *argv[4] = {(char *)bad[k][0], (char *)bad[k][1], (char *)bad[k][2], NULL};
        int argc = bad[k][2] ? 3 : 2;
        FILE *tmp;
        int saved = capture_begin(&tmp);
        int rc = l2l_cmd_bench(argc, argv);
        char *msg = capture_end(tmp, saved);
        printf("  %s %s %s -> %d: %s", argv[0], argv[1], argv[2] ? argv[2] : "", rc, msg);
        CU_ASSERT_EQUAL(rc, L2L_EXIT_BADINPUT);
        CU_ASSERT(strstr(msg, "l2l bench: ") != NULL);
        free(msg);
    }
}

/* hidden = 40 (tests/data/bench-h40.ini): FLOPs per coordinate-step from
 * the plugin's shape, about 4x those of hidden = 20, not a count fixed for
 * the default shape. */
static void test_flops_follow_shape(void)
{
    struct l2l_bench_file f;
    CU_ASSERT_EQUAL_FATAL(l2l_bench_file_read(L2L_SRCDIR "/tests/data/bench-h40.ini", &f), 0);
    struct l2l_bench b;
    tiny(&b);
    b.pairs = 0;
    char err[L2L_ERRLEN] = "";
    int rc = l2l_bench_lstm(&b, entry(&f, "lstm-h40"), err, sizeof err);
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    double fwd, bwd;
    CU_ASSERT_FATAL(lstm_flops(entry(&f, "lstm-h40"), &fwd, &bwd) == 0);
    double ev = l2l_bench_get(&b, "lstm-h40-eval", N, "flop_per_coord_step");
    double me = l2l_bench_get(&b, "lstm-h40-meta", N, "flop_per_coord_step");
    printf("  hidden = 40: %g FLOP per evaluation step (shape: %g), %g per meta-training step "
           "(shape: %g)\n", ev, fwd, me, fwd + bwd);
    CU_ASSERT_EQUAL(ev, fwd);
    CU_ASSERT_EQUAL(me, fwd + bwd);
    CU_ASSERT(ev > 3 * 10282); /* hidden = 20's count would not do */
    l2l_bench_free(&b);
    l2l_bench_file_free(&f);
}

/* A bench file that is wrong: exit status 2, one line naming FILE:LINE,
 * the bad value, and nothing measured. */
static void test_bad_bench_files(void)
{
    static const struct { const char *text, *want; } bad[] = {
        {"[optimizer lstm]\nhiden = 40\n", "f.ini:2: hiden: not an option of lstm (did you mean hidden?)"},
        {"[optimizer lstm]\nhidden = forty\n", "f.ini:2: hidden = forty: "},
        {"[optimizer nosuch]\n", "f.ini:1: "},
        {"[optimise lstm]\n", "f.ini:1: [optimise lstm]: expected [bench], [optimizer NAME] or [optimizee NAME]"},
        {"[optimizee quadratic]\nmeasure = fwdbwd, trajectroy\n", "f.ini:2: measure = fwdbwd, trajectroy: 'trajectroy'"},
        {"[optimizee quadratic]\nmeasure = unroll\n", "f.ini:2: measure = unroll needs size_option"},
        {"[optimizee quadratic]\nmeasure = unroll\nsize_option = dimm\n", "f.ini:3: size_option = dimm"},
        {"[bench]\ntrajectory = sgd\n[optimizer sgd]\n", "f.ini:2: trajectory = sgd: expected the NAME of a learned"},
        {"[bench]\ngemm_shape = 41\n", "f.ini:2: gemm_shape = 41: expected two whole numbers"},
        {"[bench]\nspeed = 2\n", "f.ini:2: speed: not a key of [bench]"},
        {"[optimizee mlp]\nmeasure = trajectory\nsynthetic = 8\n", "f.ini: [optimizee mlp] has measure = trajectory, expected [bench] trajectory"},
    };
    char dir[] = "/tmp/l2l-test-benchfile-XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/f.ini", dir);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        FILE *f = fopen(path, "w");
        CU_ASSERT_FATAL(f != NULL);
        fputs(bad[k].text, f);
        fclose(f);
        char *argv[] = {"bench", "--file", path, "--quiet", "-o", "/nonexistent/never.csv", NULL};
        FILE *tmp;
        int saved = capture_begin(&tmp);
        int rc = l2l_cmd_bench(6, argv);
        char *msg = capture_end(tmp, saved);
        printf("  -> %d: %s", rc, msg);
        CU_ASSERT_EQUAL(rc, L2L_EXIT_BADINPUT);
        CU_ASSERT(strstr(msg, bad[k].want) != NULL);
        free(msg);
    }
    unlink(path);
    rmdir(dir);
}

static const struct l2l_test tests[] = {
    {"tape bytes per coordinate-step (child)", test_tape_child},
    {"peak RSS of an unroll (child)", test_memory_child},
    {"every measurement, ratios, CSV", test_all_measurements},
    {"FLOPs follow the shape (hidden = 40)", test_flops_follow_shape},
    {"bad arguments are refused", test_bad_arguments},
    {"bad bench files are refused", test_bad_bench_files},
    {NULL, NULL}};

int main(void)
{
    const char *small = getenv("L2L_TEST_SMALL");
    small_mode = small && strcmp(small, "1") == 0;
    if (small_mode)
        N = 600;
    if (l2l_bench_file_read(l2l_bench_file_default(), &file) < 0) {
        printf("test_bench: cannot read %s\n", l2l_bench_file_default());
        return 1;
    }
    int rc = l2l_test_main("bench", tests);
    l2l_bench_file_free(&file);
    return rc;
}
