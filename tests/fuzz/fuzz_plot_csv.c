/* fuzz_plot_csv.c: libFuzzer target for the CSV reader of `l2l plot`
 * (core/report/plot_csv.c) and the loading of a results directory
 * (core/report/plot_load.c) with what `l2l plot` then writes from it: gnuplot
 * scripts and derived data (plot_gnuplot.c, plot_scripts.c, plot_data.c),
 * index.html and report.md (report.c, report_md.c); gnuplot is not run.
 * The first byte picks the mode:
 *   0: the input is one CSV file with a header holding a column "a": every
 *      row is written back field by field through l2l_esc_csv and read
 *      again, and must give the same fields (RFC 4180 round trip);
 *   1-8: the input replaces one file of a copy of tests/data/results-tiny
 *      (experiments, optimizers, curves, runs, tuning, summary, timing,
 *      meta_lstm .csv), then pr_load and the writers.
 * Properties besides ASan/UBSan/LSan: pr_load returns 0 or L2L_EINPUT /
 * L2L_ENOMEM; every name it accepts is a name (names.h); the writers
 * return 0. */
#include "escape.h"
#include "fuzz_common.h"
#include "log.h"
#include "names.h"
#include "plot_csv.h"
#include "plot_data.h"
#include "plot_gnuplot.h"
#include "report.h"
#include "stats_write.h"

#ifndef FUZZ_TINY_DIR
#error "build with -DFUZZ_TINY_DIR=\"SRCDIR/tests/data/results-tiny\" (tests/fuzz/build.sh)"
#endif

static const char *const files[] = {"experiments.csv", "optimizers.csv", "curves.csv", "runs.csv",
                                    "tuning.csv", "summary.csv", "timing.csv", "meta_lstm.csv"};
#define N_FILES 8

static char results[512];
static char *orig[N_FILES]; /* the good files' contents (NULL: absent) */
static size_t orig_len[N_FILES];

static void put(int which, const uint8_t *data, size_t len)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", results, files[which]);
    if (!data) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    l2l_set_quiet(1);
    snprintf(results, sizeof results, "%s", fuzz_path("results"));
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s' && mkdir -p '%s/figures/data'", FUZZ_TINY_DIR,
             results, results);
    if (system(cmd) != 0)
        abort();
    for (int k = 0; k < N_FILES; k++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", results, files[k]);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        orig[k] = calloc(1, 1 << 16);
        if (!orig[k])
            abort();
        orig_len[k] = fread(orig[k], 1, 1 << 16, f);
        fclose(f);
    }
    return 0;
}

static void round_trip(const uint8_t *data, size_t size)
{
    static const char *const cols[] = {"a", NULL};
    int ix[1];
    struct csv c, d;
    fuzz_write("in.csv", data, size);
    if (csv_open(&c, fuzz_path(""), "in.csv", cols, ix) < 0)
        return;
    FILE *out = fopen(fuzz_path("out.csv"), "wb");
    if (!out)
        abort();
    for (int k = 0; k < c.n_header; k++) {
        fputs(k ? "," : "", out);
        l2l_esc_csv(out, c.header[k]);
    }
    fputc('\n', out);
    int rows = 0, r;
    while ((r = csv_next(&c)) > 0) {
        for (int k = 0; k < c.n; k++) {
            fputs(k ? "," : "", out);
            l2l_esc_csv(out, csv_str(&c, k));
        }
        fputc('\n', out);
        rows++;
    }
    if (fclose(out) != 0)
        abort();
    csv_close(&c);
    if (r < 0)
        return;
    /* Again, comparing each row with the original read. */
    if (csv_open(&c, fuzz_path(""), "in.csv", cols, ix) < 0 ||
        csv_open(&d, fuzz_path(""), "out.csv", cols, ix) < 0) {
        fprintf(stderr, "fuzz_plot_csv: a header written back does not read again\n");
        abort();
    }
    for (int k = 0; k < rows; k++) {
        if (csv_next(&c) != 1 || csv_next(&d) != 1 || c.n != d.n) {
            fprintf(stderr, "fuzz_plot_csv: row %d written back reads differently\n", k + 1);
            abort();
        }
        for (int j = 0; j < c.n; j++)
            if (strcmp(csv_str(&c, j), csv_str(&d, j))) {
                fprintf(stderr, "fuzz_plot_csv: row %d field %d: '%s' written back reads '%s'\n",
                        k + 1, j + 1, csv_str(&c, j), csv_str(&d, j));
                abort();
            }
    }
    if (csv_next(&d) != 0)
        abort();
    csv_close(&c);
    csv_close(&d);
}

static void load_and_write(int which, const uint8_t *data, size_t size)
{
    put(which, data, size);
    struct pr_results r;
    int rc = pr_load(results, &r);
    if (rc < 0) {
        if (rc != L2L_EINPUT && rc != L2L_ENOMEM) {
            fprintf(stderr, "fuzz_plot_csv: pr_load returned %d\n", rc);
            abort();
        }
        put(which, (const uint8_t *)orig[which], orig_len[which]);
        return;
    }
    for (int e = 0; e < r.n_exp; e++)
        if (!l2l_name_ok(r.exp[e].name) || !l2l_name_ok(r.exp[e].optimizee) ||
            !l2l_name_ok(r.exp[e].figure)) {
            fprintf(stderr, "fuzz_plot_csv: experiment %d: a name that is not one\n", e);
            abort();
        }
    for (int o = 0; o < r.n_opt; o++)
        if (!l2l_name_ok(r.opt[o].name) || !l2l_name_ok(r.opt[o].plugin)) {
            fprintf(stderr, "fuzz_plot_csv: optimizer %d: a name that is not one\n", o);
            abort();
        }
    char figdir[700], datadir[720];
    snprintf(figdir, sizeof figdir, "%s/figures", results);
    snprintf(datadir, sizeof datadir, "%s/data", figdir);
    struct pg_list list = {0};
    if (pg_write_all(&r, figdir, datadir, &list) != 0 ||
        report_write_html(&r, &list, st_report) != 0 || report_write_md(&r, &list, st_report) != 0) {
        fprintf(stderr, "fuzz_plot_csv: a writer failed on a loaded results directory\n");
        abort();
    }
    pg_list_free(&list);
    pr_free(&r);
    put(which, (const uint8_t *)orig[which], orig_len[which]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % (N_FILES + 1);
    if (mode == 0)
        round_trip(data + 1, size - 1);
    else
        load_and_write(mode - 1, data + 1, size - 1);
    return 0;
}
