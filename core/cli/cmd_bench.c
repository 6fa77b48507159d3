/* cmd_bench.c: `l2l bench [--file BENCH.ini] [-o FILE.csv] [--quick]
 * [--sizes N,N,...] [--only SECTION,...] [--quiet]` (sections: tape,
 * memory, second, refs, learned, hand, fwdbwd, trajectory; all by
 * default): reads the bench file (bench/default.ini by default), runs
 * every measurement of bench.h over its plugins in one process, adds the ratios
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

/* The faster of the 1-thread and all-thread copies of n floats. */
static double copy_ref(const struct l2l_bench *b, long long n)
{
    double a = l2l_bench_get(b, "copy", n, "gbps"), c = l2l_bench_get(b, "copy-1t", n, "gbps");
    return isnan(c) || a > c ? a : c;
}

/* Whether bench ends with suffix ("lstm-eval", "-eval"). */
static int ends_with(const char *bench, const char *suffix)
{
    size_t n = strlen(bench), k = strlen(suffix);
    return n > k && !strcmp(bench + n - k, suffix);
}

static int is_ref(const char *bench)
{
    return !strncmp(bench, "sgemm-", 6) || !strcmp(bench, "copy") || !strcmp(bench, "copy-1t") ||
           !strcmp(bench, "machine");
}

int l2l_bench_ratios(struct l2l_bench *b)
{
    int rc = 0, rows = b->n_rows;
    double sq = l2l_bench_get(b, "sgemm-square", b->sgemm_n, "gflops");
    double big = copy_ref(b, (long long)b->copy_large);
    for (int k = 0; k < rows; k++) {
        struct l2l_bench_row r = b->rows[k]; /* a copy: adding rows moves them */
        if (is_ref(r.bench))
            continue;
        int learned = ends_with(r.bench, "-eval") || ends_with(r.bench, "-meta");
        if (!strcmp(r.metric, "gflops") && (learned || ends_with(r.bench, "-fwdbwd")) && !isnan(sq)) {
            rc |= l2l_bench_add(b, r.bench, r.n, "ratio_sgemm_square", r.value / sq, "");
            double layer = l2l_bench_get(b, "sgemm-layer-fwd", r.n, "gflops");
            if (learned && !isnan(layer))
                rc |= l2l_bench_add(b, r.bench, r.n, "ratio_sgemm_layer_shape", r.value / layer, "");
        } else if (!strcmp(r.metric, "gbps") && !isnan(big)) {
            rc |= l2l_bench_add(b, r.bench, r.n, "ratio_copy_same_n", r.value / copy_ref(b, r.n), "");
            rc |= l2l_bench_add(b, r.bench, r.n, "ratio_copy_large", r.value / big, "");
        }
    }
    return rc ? L2L_ENOMEM : 0;
}

/* The headline numbers, one line each, in the order of the rows. */
static void summary(const struct l2l_bench *b, FILE *f)
{
    fprintf(f, "\nsummary (ratios measured in this run; load %.1f at start, %.1f at end):\n",
            l2l_bench_get(b, "machine", 0, "load_1min"),
            l2l_bench_get(b, "machine", 0, "load_1min_end"));
    double sq = l2l_bench_get(b, "sgemm-square", b->sgemm_n, "gflops");
    if (!isnan(sq))
        fprintf(f, "  references: sgemm %d^3 %.2f GFLOP/s, memcpy %.0f MiB %.2f GB/s\n", b->sgemm_n,
                sq, (double)b->copy_large * 4 / (1 << 20), copy_ref(b, (long long)b->copy_large));
    for (int k = 0; k < b->n_rows; k++) {
        const struct l2l_bench_row *r = &b->rows[k];
        const char *name = r->bench;
        long long n = r->n;
        if (!strcmp(r->metric, "ratio_sgemm_square") && !ends_with(name, "-fwdbwd")) {
            fprintf(f, "  %-14s n=%-8lld %7.2f GFLOP/s = %.2f of sgemm", name, n,
                    l2l_bench_get(b, name, n, "gflops"), r->value);
            double layer = l2l_bench_get(b, name, n, "ratio_sgemm_layer_shape");
            if (!isnan(layer))
                fprintf(f, " (%.2f of sgemm at its layer shape)", layer);
            fputc('\n', f);
        } else if (!strcmp(r->metric, "ratio_sgemm_paired")) {
            fprintf(f, "  %-14s n=%-8lld paired with sgemm: %.2f of sgemm [%.2f, %.2f]\n", name, n,
                    r->value, l2l_bench_get(b, name, n, "ratio_sgemm_paired_lo"),
                    l2l_bench_get(b, name, n, "ratio_sgemm_paired_hi"));
        } else if (!strcmp(r->metric, "ratio_copy_same_n")) {
            fprintf(f, "  %-14s n=%-8lld %7.2f GB/s = %.2f of memcpy at the same n (%.2f of memcpy 128 MiB)\n",
                    name, n, l2l_bench_get(b, name, n, "gbps"), r->value,
                    l2l_bench_get(b, name, n, "ratio_copy_large"));
        } else if (!strcmp(r->metric, "us_per_call")) {
            double q = l2l_bench_get(b, name, n, "ratio_sgemm_square");
            fprintf(f, "  %-14s n=%-8lld %.1f us per training step, %7.2f GFLOP/s", name, n,
                    r->value, l2l_bench_get(b, name, n, "gflops"));
            if (!isnan(q))
                fprintf(f, " = %.2f of sgemm", q);
            fputc('\n', f);
        } else if (!strcmp(r->metric, "plugin_bytes_per_coord_step")) {
            fprintf(f, "  %-14s %.1f B recorded per coordinate per unrolled step (%.1f with the trainer's buffers)\n",
                    name, r->value, l2l_bench_get(b, name, n, "trainer_bytes_per_coord_step"));
        } else if (!strcmp(r->metric, "peak_rss")) {
            fprintf(f, "  %-14s n=%lld U=%d: peak RSS %.2f GiB (%.2f of 8 GiB)\n", name, n, b->unroll,
                    r->value / 1073741824.0, r->value / 8589934592.0);
        } else if (!strcmp(r->metric, "time_ratio")) {
            fprintf(f, "  %-14s n=%lld U=%d: second order %.2fx the time, %.2fx the peak RSS of first order\n",
                    name, n, b->unroll, r->value, l2l_bench_get(b, name, n, "memory_ratio"));
        } else if (!strcmp(r->metric, "seconds_median")) {
            fprintf(f, "  %-22s n=%-6lld %.4f s per meta-training trajectory (T=%d, U=%d)\n", name,
                    n, r->value, b->traj_steps, b->unroll);
        }
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
enum { S_TAPE, S_MEMORY, S_SECOND, S_REFS, S_LEARNED, S_HAND, S_FWDBWD, S_TRAJ, S_COUNT };
static const char *const section_names[S_COUNT] = {"tape", "memory", "second", "refs", "learned",
                                                   "hand", "fwdbwd", "trajectory"};
#define SECTION_LIST "tape,memory,second,refs,learned,hand,fwdbwd,trajectory"

/* "learned,refs" into a mask of sections. */
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
            l2l_error("l2l bench: --only expects sections among " SECTION_LIST " separated by "
                      "commas, got '%s'", text);
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

/* Every measurement of the sections in mask, over the file's sections. */
static int run_all(struct l2l_bench *b, const struct l2l_bench_file *file, unsigned mask,
                   char *err, size_t errlen)
{
    const struct l2l_bench_entry *e = file->e;
    const struct l2l_bench_entry *obj = file->unroll >= 0 ? &e[file->unroll] : NULL;
    int rc = l2l_bench_machine(b);
    for (int s = S_TAPE; s <= S_SECOND && rc == 0; s++)
        for (int k = 0; k < file->n && rc == 0 && (mask & 1u << s); k++) {
            if (!e[k].learned)
                continue;
            if (!obj) {
                l2l_fmt(err, errlen, "l2l bench: %s: section %s needs an optimizee with measure = "
                        "unroll", file->path, section_names[s]);
                return L2L_EINPUT;
            }
            rc = s == S_TAPE     ? l2l_bench_tape(b, &e[k], obj, err, errlen)
                 : s == S_MEMORY ? l2l_bench_memory(b, &e[k], obj, err, errlen)
                                 : l2l_bench_second(b, &e[k], obj, err, errlen);
        }
    if (rc == 0 && (mask & 1u << S_REFS))
        rc = l2l_bench_refs(b, file->gemm_k, file->gemm_m, err, errlen);
    for (int k = 0; k < file->n && rc == 0 && (mask & 1u << S_LEARNED); k++)
        if (e[k].learned)
            rc = l2l_bench_lstm(b, &e[k], err, errlen);
    for (int k = 0; k < file->n && rc == 0 && (mask & 1u << S_HAND); k++)
        if (e[k].kind == L2L_OPTIMIZER && !e[k].learned)
            rc = l2l_bench_hand(b, &e[k], err, errlen);
    for (int k = 0; k < file->n && rc == 0 && (mask & 1u << S_FWDBWD); k++)
        if (e[k].measures & L2L_BM_FWDBWD)
            rc = l2l_bench_fwdbwd(b, &e[k], err, errlen);
    for (int k = 0; k < file->n && rc == 0 && (mask & 1u << S_TRAJ); k++)
        if (e[k].measures & L2L_BM_TRAJECTORY) {
            if (file->trajectory < 0) {
                l2l_fmt(err, errlen, "l2l bench: %s: [optimizee %s] has measure = trajectory, but "
                        "[bench] names no trajectory optimizer", file->path, e[k].name);
                return L2L_EINPUT;
            }
            rc = l2l_bench_trajectory(b, &e[file->trajectory], &e[k], err, errlen);
        }
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
    const char *out = "results/bench/bench.csv", *sizes = NULL, *path = NULL;
    unsigned mask = (1u << S_COUNT) - 1;
    int quick = 0, quiet = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "-o") || !strcmp(argv[k], "--output")) {
            if (k + 1 >= argc || !argv[k + 1][0]) {
                l2l_error("l2l bench: %s expects a file name (e.g. bench.csv)", argv[k]);
                return L2L_EXIT_BADINPUT;
            }
            out = argv[++k];
        } else if (!strcmp(argv[k], "--file")) {
            if (k + 1 >= argc || !argv[k + 1][0]) {
                l2l_error("l2l bench: --file expects a bench file (e.g. bench/default.ini)");
                return L2L_EXIT_BADINPUT;
            }
            path = argv[++k];
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
                    l2l_error("l2l bench: --only expects sections such as learned,refs");
                return L2L_EXIT_BADINPUT;
            }
            k++;
        } else {
            l2l_error("l2l bench: unknown argument '%s' (usage: l2l bench [--file BENCH.ini] "
                      "[-o FILE.csv] [--quick] [--sizes N,N,...] [--only SECTION,...] [--quiet])",
                      argv[k]);
            return L2L_EXIT_BADINPUT;
        }
    }
    struct l2l_bench b;
    l2l_bench_init(&b, quick);
    b.verbose = !quiet;
    if (sizes && parse_sizes(&b, sizes) < 0)
        return L2L_EXIT_BADINPUT;
    struct l2l_bench_file file;
    int rc = l2l_bench_file_read(path ? path : l2l_bench_file_default(), &file);
    if (rc < 0) {
        if (rc == L2L_ENOMEM)
            l2l_error("l2l bench: out of memory");
        l2l_bench_file_free(&file);
        l2l_bench_free(&b);
        return rc == L2L_EINPUT || rc == L2L_EIO ? L2L_EXIT_BADINPUT : 1;
    }
    char err[L2L_ERRLEN] = "";
    rc = run_all(&b, &file, mask, err, sizeof err);
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
    l2l_bench_file_free(&file);
    l2l_bench_free(&b);
    return rc == L2L_EINPUT ? L2L_EXIT_BADINPUT : rc < 0 ? 1 : 0;
}
