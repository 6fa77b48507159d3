/* cmd_bench.c: `l2l bench [-o FILE.csv] [--quick] [--sizes N,N,...]
 * [--only SECTION,...] [--quiet]` (sections: tape, memory, refs, lstm, hand,
 * mlp, trajectory; all by default):
 * runs every measurement of bench.h in one process, adds the ratios
 * against the references measured in the same run, prints a table and a
 * summary, and writes the rows as CSV (default results/bench/bench.csv:
 * like `l2l run`, under results/, never loose in the working folder). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "bytes.h"
#include "commands.h"
#include "log.h"
#include "numbers.h"

static const char *const learned[] = {"lstm", "lstm-gac"};
static const char *const hand[] = {"sgd", "nag", "rmsprop", "adam"};

/* The faster of the 1-thread and all-thread copies of n floats. */
static double copy_ref(const struct l2l_bench *b, long long n)
{
    double a = l2l_bench_get(b, "copy", n, "gbps"), c = l2l_bench_get(b, "copy-1t", n, "gbps");
    return isnan(c) || a > c ? a : c;
}

/* The first row of bench with metric, or NULL. */
static const struct l2l_bench_row *find_row(const struct l2l_bench *b, const char *bench,
                                            const char *metric)
{
    for (int k = 0; k < b->n_rows; k++)
        if (!strcmp(b->rows[k].bench, bench) && !strcmp(b->rows[k].metric, metric))
            return &b->rows[k];
    return NULL;
}

int l2l_bench_ratios(struct l2l_bench *b)
{
    int rc = 0;
    double sq = l2l_bench_get(b, "sgemm-square", b->sgemm_n, "gflops");
    double big = copy_ref(b, (long long)b->copy_large);
    char name[48];
    for (size_t p = 0; p < 2; p++)
        for (int kind = 0; kind < 2; kind++) {
            l2l_fmt(name, sizeof name, "%s-%s", learned[p], kind ? "meta" : "eval");
            for (int i = 0; i < b->n_sizes; i++) {
                long long n = (long long)b->sizes[i];
                double g = l2l_bench_get(b, name, n, "gflops");
                if (isnan(g) || isnan(sq))
                    continue;
                rc |= l2l_bench_add(b, name, n, "ratio_sgemm_square", g / sq, "");
                rc |= l2l_bench_add(b, name, n, "ratio_sgemm_lstm_shape",
                                    g / l2l_bench_get(b, "sgemm-lstm-fwd", n, "gflops"), "");
            }
        }
    for (size_t h = 0; h < sizeof hand / sizeof hand[0]; h++)
        for (int i = 0; i < b->n_sizes; i++) {
            long long n = (long long)b->sizes[i];
            double g = l2l_bench_get(b, hand[h], n, "gbps");
            if (isnan(g) || isnan(big))
                continue;
            rc |= l2l_bench_add(b, hand[h], n, "ratio_copy_same_n", g / copy_ref(b, n), "");
            rc |= l2l_bench_add(b, hand[h], n, "ratio_copy_large", g / big, "");
        }
    const struct l2l_bench_row *m = find_row(b, "mlp-fwdbwd", "gflops");
    if (m && !isnan(sq))
        rc |= l2l_bench_add(b, "mlp-fwdbwd", m->n, "ratio_sgemm_square", m->value / sq, "");
    return rc ? L2L_ENOMEM : 0;
}

/* The headline numbers, one line each. */
static void summary(const struct l2l_bench *b, FILE *f)
{
    fprintf(f, "\nsummary (ratios measured in this run; load %.1f at start, %.1f at end):\n",
            l2l_bench_get(b, "machine", 0, "load_1min"),
            l2l_bench_get(b, "machine", 0, "load_1min_end"));
    double sq = l2l_bench_get(b, "sgemm-square", b->sgemm_n, "gflops");
    if (!isnan(sq))
        fprintf(f, "  references: sgemm %d^3 %.2f GFLOP/s, memcpy %.0f MiB %.2f GB/s\n", b->sgemm_n,
                sq, (double)b->copy_large * 4 / (1 << 20), copy_ref(b, (long long)b->copy_large));
    char name[48];
    for (size_t p = 0; p < 2; p++)
        for (int kind = 0; kind < 2; kind++) {
            l2l_fmt(name, sizeof name, "%s-%s", learned[p], kind ? "meta" : "eval");
            for (int i = 0; i < b->n_sizes; i++) {
                long long n = (long long)b->sizes[i];
                double r = l2l_bench_get(b, name, n, "ratio_sgemm_square");
                double pr = l2l_bench_get(b, name, n, "ratio_sgemm_paired");
                if (!isnan(r))
                    fprintf(f, "  %-14s n=%-8lld %7.2f GFLOP/s = %.2f of sgemm (%.2f of sgemm at its shape)\n",
                            name, n, l2l_bench_get(b, name, n, "gflops"), r,
                            l2l_bench_get(b, name, n, "ratio_sgemm_lstm_shape"));
                if (!isnan(pr))
                    fprintf(f, "  %-14s n=%-8lld paired with sgemm: %.2f of sgemm [%.2f, %.2f]\n",
                            name, n, pr, l2l_bench_get(b, name, n, "ratio_sgemm_paired_lo"),
                            l2l_bench_get(b, name, n, "ratio_sgemm_paired_hi"));
            }
        }
    for (size_t h = 0; h < sizeof hand / sizeof hand[0]; h++)
        for (int i = 0; i < b->n_sizes; i++) {
            long long n = (long long)b->sizes[i];
            double r = l2l_bench_get(b, hand[h], n, "ratio_copy_same_n");
            if (!isnan(r))
                fprintf(f, "  %-14s n=%-8lld %7.2f GB/s = %.2f of memcpy at the same n (%.2f of memcpy 128 MiB)\n",
                        hand[h], n, l2l_bench_get(b, hand[h], n, "gbps"), r,
                        l2l_bench_get(b, hand[h], n, "ratio_copy_large"));
        }
    const struct l2l_bench_row *m = find_row(b, "mlp-fwdbwd", "gflops");
    if (m)
        fprintf(f, "  mlp fwd+bwd    n=%-8lld %7.2f GFLOP/s = %.2f of sgemm\n", m->n, m->value,
                l2l_bench_get(b, "mlp-fwdbwd", m->n, "ratio_sgemm_square"));
    for (size_t p = 0; p < 2; p++) {
        l2l_fmt(name, sizeof name, "%s-tape", learned[p]);
        double t = l2l_bench_get(b, name, (long long)b->tape_n, "plugin_bytes_per_coord_step");
        if (!isnan(t))
            fprintf(f, "  %-14s %.1f B recorded per coordinate per unrolled step (%.1f with the trainer's buffers)\n",
                    name, t, l2l_bench_get(b, name, (long long)b->tape_n, "trainer_bytes_per_coord_step"));
        l2l_fmt(name, sizeof name, "%s-memory", learned[p]);
        const struct l2l_bench_row *r = find_row(b, name, "peak_rss");
        if (r)
            fprintf(f, "  %-14s n=%lld U=%d: peak RSS %.2f GiB (%.2f of 8 GiB)\n", name, r->n,
                    b->unroll, r->value / 1073741824.0, r->value / 8589934592.0);
    }
    static const char *const traj[] = {"trajectory-quadratic", "trajectory-mlp"};
    for (int k = 0; k < 2; k++) {
        const struct l2l_bench_row *r = find_row(b, traj[k], "seconds_median");
        if (r)
            fprintf(f, "  %-22s n=%-6lld %.4f s per meta-training trajectory (T=%d, U=%d)\n",
                    traj[k], r->n, r->value, b->traj_steps, b->unroll);
    }
}

/* "1280,15910" into b->sizes. */
static int parse_sizes(struct l2l_bench *b, const char *text)
{
    const char *s = text;
    b->n_sizes = 0;
    while (*s) {
        char item[32];
        size_t n = strcspn(s, ",");
        long long v = 0;
        if (n < sizeof item) {
            memcpy(item, s, n);
            item[n] = 0;
        }
        const char *end = s + n;
        if (n >= sizeof item || l2l_parse_int(item, 1, 100000000, &v) < 0 || (*end && !end[1]) ||
            b->n_sizes == L2L_BENCH_MAX_SIZES) {
            l2l_error("l2l bench: --sizes expects up to %d whole numbers in [1, 1e8] separated by "
                      "commas, got '%s'", L2L_BENCH_MAX_SIZES, text);
            return -1;
        }
        b->sizes[b->n_sizes++] = (size_t)v;
        s = *end ? end + 1 : end;
    }
    if (b->n_sizes == 0) {
        l2l_error("l2l bench: --sizes expects at least one size, got '%s'", text);
        return -1;
    }
    return 0;
}

/* The sections of a run, in order. The ones in child processes come
 * first, before this process starts OpenMP threads (fork keeps only one). */
enum { S_TAPE, S_MEMORY, S_SECOND, S_REFS, S_LSTM, S_HAND, S_MLP, S_TRAJ, S_COUNT };
static const char *const section_names[S_COUNT] = {"tape", "memory", "second", "refs", "lstm",
                                                   "hand", "mlp", "trajectory"};

/* "lstm,refs" into a mask of sections. */
static int parse_only(const char *text, unsigned *mask)
{
    *mask = 0;
    const char *s = text;
    while (*s) {
        size_t len = strcspn(s, ",");
        int found = 0;
        for (int k = 0; k < S_COUNT; k++)
            if (strlen(section_names[k]) == len && !strncmp(s, section_names[k], len)) {
                *mask |= 1u << k;
                found = 1;
            }
        if (!found) {
            l2l_error("l2l bench: --only expects sections among tape,memory,second,refs,lstm,hand,mlp,"
                      "trajectory separated by commas, got '%s'", text);
            return -1;
        }
        s += len + (s[len] == ',');
    }
    if (!*mask) {
        l2l_error("l2l bench: --only expects at least one section, got '%s'", text);
        return -1;
    }
    return 0;
}

static int run_all(struct l2l_bench *b, unsigned mask, char *err, size_t errlen)
{
    int rc = l2l_bench_machine(b);
    for (size_t p = 0; p < 2 && rc == 0 && (mask & 1u << S_TAPE); p++)
        rc = l2l_bench_tape(b, learned[p], err, errlen);
    for (size_t p = 0; p < 2 && rc == 0 && (mask & 1u << S_MEMORY); p++)
        rc = l2l_bench_memory(b, learned[p], err, errlen);
    for (size_t p = 0; p < 2 && rc == 0 && (mask & 1u << S_SECOND); p++)
        rc = l2l_bench_second(b, learned[p], err, errlen);
    if (rc == 0 && (mask & 1u << S_REFS))
        rc = l2l_bench_refs(b, err, errlen);
    for (size_t p = 0; p < 2 && rc == 0 && (mask & 1u << S_LSTM); p++)
        rc = l2l_bench_lstm(b, learned[p], err, errlen);
    if (rc == 0 && (mask & 1u << S_HAND))
        rc = l2l_bench_hand(b, err, errlen);
    if (rc == 0 && (mask & 1u << S_MLP))
        rc = l2l_bench_mlp(b, err, errlen);
    if (rc == 0 && (mask & 1u << S_TRAJ))
        rc = l2l_bench_trajectory(b, err, errlen);
    if (rc == 0) {
        struct l2l_bench end;
        l2l_bench_init(&end, 1);
        rc = l2l_bench_machine(&end);
        if (rc == 0)
            rc = l2l_bench_add(b, "machine", 0, "load_1min_end",
                               l2l_bench_get(&end, "machine", 0, "load_1min"), "");
        l2l_bench_free(&end);
    }
    if (rc == 0)
        rc = l2l_bench_ratios(b);
    return rc;
}

int l2l_cmd_bench(int argc, char **argv)
{
    const char *out = "results/bench/bench.csv", *sizes = NULL;
    unsigned mask = (1u << S_COUNT) - 1;
    int quick = 0, quiet = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "-o") || !strcmp(argv[k], "--output")) {
            if (k + 1 >= argc || !argv[k + 1][0]) {
                l2l_error("l2l bench: %s expects a file name (e.g. bench.csv)", argv[k]);
                return L2L_EXIT_BADINPUT;
            }
            out = argv[++k];
        } else if (!strcmp(argv[k], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[k], "--quiet")) {
            quiet = 1;
        } else if (!strcmp(argv[k], "--sizes")) {
            if (k + 1 >= argc) {
                l2l_error("l2l bench: --sizes expects a list such as 1280,15910,1000000");
                return L2L_EXIT_BADINPUT;
            }
            sizes = argv[++k];
        } else if (!strcmp(argv[k], "--only")) {
            if (k + 1 >= argc || parse_only(argv[k + 1], &mask) < 0) {
                if (k + 1 >= argc)
                    l2l_error("l2l bench: --only expects sections such as lstm,refs");
                return L2L_EXIT_BADINPUT;
            }
            k++;
        } else {
            l2l_error("l2l bench: unknown argument '%s' (usage: l2l bench [-o FILE.csv] [--quick] "
                      "[--sizes N,N,...] [--only SECTION,...] [--quiet])", argv[k]);
            return L2L_EXIT_BADINPUT;
        }
    }
    struct l2l_bench b;
    l2l_bench_init(&b, quick);
    b.verbose = !quiet;
    if (sizes && parse_sizes(&b, sizes) < 0)
        return L2L_EXIT_BADINPUT;
    char err[L2L_ERRLEN] = "";
    int rc = run_all(&b, mask, err, sizeof err);
    if (rc == 0) {
        l2l_bench_print(&b, stdout);
        summary(&b, stdout);
        rc = l2l_mkdir_parent(out, err, sizeof err);
        if (rc == 0)
            rc = l2l_bench_write_csv(&b, out, err, sizeof err);
        if (rc == 0)
            printf("\nwrote %s (%d rows: %s)\n", out, b.n_rows, L2L_BENCH_CSV_HEADER);
    }
    if (rc < 0)
        l2l_error("%s", err[0] ? err : "l2l bench: out of memory");
    l2l_bench_free(&b);
    return rc < 0 ? 1 : 0;
}
