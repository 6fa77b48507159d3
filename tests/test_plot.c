/* test_plot.c: `l2l plot` on the fixture tests/data/results-tiny (2
 * experiments in one figure group, 3 optimizers, 3 runs each, one diverged
 * run, tuning grids with diverged values, one meta-training log):
 * every file written, the plotted statistics checked against values worked
 * by hand, the missing-gnuplot path, and corrupt inputs. Outputs are left
 * in ./plot-test/ for inspection. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "commands.h"
#include "log.h"
#include "plot.h"
#include "plot_csv.h"
#include "plot_data.h"
#include "capture.h"
#include "test_main.h"

#define FIXTURE L2L_SRCDIR "/tests/data/results-tiny"
static const char *const fixture_files[] = {"experiments.csv", "optimizers.csv", "curves.csv",
                                            "runs.csv", "tuning.csv", "summary.csv",
                                            "meta_lstm.csv", "manifest.ini", NULL};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a) fclose(a);
    if (b && fclose(b) != 0) ok = 0;
    return ok ? 0 : -1;
}

/* A fresh copy of the fixture in plot-test/<name>; returns its path. */
static const char *fresh(const char *name, char *dir, size_t len)
{
    mkdir("plot-test", 0777);
    l2l_fmt(dir, len, "plot-test/%s", name);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    CU_ASSERT_FATAL(mkdir(dir, 0777) == 0);
    for (int k = 0; fixture_files[k]; k++) {
        char from[4096], to[4096];
        l2l_fmt(from, sizeof from, "%s/%s", FIXTURE, fixture_files[k]);
        l2l_fmt(to, sizeof to, "%s/%s", dir, fixture_files[k]);
        CU_ASSERT_FATAL(copy_file(from, to) == 0);
    }
    return dir;
}

static long file_size(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static char *slurp(const char *dir, const char *name)
{
    char path[4096];
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc((size_t)n + 1, 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
        buf[0] = 0;
    fclose(f);
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Whether the images are checked: when configure found gnuplot; then one
 * that cannot draw them is a failure, not a skip. */
static int have_gnuplot(void)
{
#ifdef L2L_HAVE_GNUPLOT
    return 1;
#else
    printf("  configure found no gnuplot: images not checked\n");
    return 0;
#endif
}

static const char *const figures[] = {"convergence_mlp", "convergence_mlp_relu", "tuning_mlp",
                                      "tuning_mlp_relu", "accuracy_mlp", "accuracy_mlp_relu",
                                      "generalization_mnist", "meta_lstm", "budget_mlp",
                                      "budget_mlp_relu", "profile_tiny", NULL};

static void test_all_files(void)
{
    char dir[256], err[512], name[256], figdir[300];
    fresh("full", dir, sizeof dir);
    l2l_fmt(figdir, sizeof figdir, "%s/figures", dir);
    unsetenv("L2L_GNUPLOT");
    int gp = have_gnuplot();
    int rc = l2l_plot_results(dir, gp, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc)
        printf("  %s\n", err);
    for (int k = 0; figures[k]; k++) {
        l2l_fmt(name, sizeof name, "%s.gp", figures[k]);
        CU_ASSERT(file_size(figdir, name) > 200);
        for (int j = 0; gp && j < 2; j++) {
            l2l_fmt(name, sizeof name, "%s.%s", figures[k], j ? "svg" : "png");
            long n = file_size(figdir, name);
            printf("  %s: %ld bytes\n", name, n);
            CU_ASSERT(n > 5000);
        }
    }
    static const char *const data[] = {"convergence_mlp.csv", "convergence_mlp_relu.csv",
                                       "tuning_mlp.csv", "tuning_mlp_relu.csv", "accuracy_mlp.csv",
                                       "accuracy_mlp_relu.csv", NULL};
    l2l_fmt(name, sizeof name, "%s/data", figdir);
    for (int k = 0; data[k]; k++)
        CU_ASSERT(file_size(name, data[k]) > 50);
    CU_ASSERT(file_size(dir, "report.md") > 500);
    char *html = slurp(dir, "index.html");
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    /* One inline SVG per figure, no script, no network. */
    CU_ASSERT_EQUAL(count(html, "<svg"), gp ? 11 : 0);
    CU_ASSERT_EQUAL(count(html, "<script"), 0);
    CU_ASSERT_EQUAL(count(html, "http://") + count(html, "https://"),
                    gp ? 22 : 0); /* only the xmlns attributes of the 11 SVGs */
    /* The comparisons as sentences (stats_report.c). */
    CU_ASSERT(strstr(html, "<li>lstm / adam at step 6: 0.407 [0.223, 0.741], wins 3 of 3, p = 0.25</li>") != NULL);
    CU_ASSERT(strstr(html, "1.12 <span class=\"iqr\">[1.032, inf]</span>") != NULL);
    CU_ASSERT(strstr(html, "1 of 3</td>") != NULL);
    CU_ASSERT(strstr(html, "learning_rate=0.01 beta1=0.9 beta2=0.999 (tuned)") != NULL);
    free(html);
    char *md = slurp(dir, "report.md");
    CU_ASSERT(count(md, "](figures/") == 11 * 3);
    CU_ASSERT(strstr(md, "\n- lstm / adam at step 6: 0.407 [0.223, 0.741], wins 3 of 3, p = 0.25\n") != NULL);
    free(md);
    /* The diverged run is labelled in the convergence key. */
    l2l_fmt(name, sizeof name, "%s/convergence_mlp_relu.gp", figdir);
    char *gpf = slurp(".", name);
    CU_ASSERT(gpf && strstr(gpf, "sgd (1 of 3 runs diverged)"));
    free(gpf);
}

/* Reads plot-test/full/figures/data/convergence_<exp>.csv at one step. */
static int conv_row(const char *exp, long step, const char *opt, double out[4])
{
    char dir[256], file[256], cols[4][160];
    const char *names[5];
    int ix[4];
    static const char *const suffix[] = {"median", "q1", "q3", "finite"};
    for (int k = 0; k < 4; k++) {
        l2l_fmt(cols[k], sizeof cols[k], "%s_%s", opt, suffix[k]);
        names[k] = cols[k];
    }
    names[4] = NULL;
    const char *steps[] = {"step", NULL};
    int six;
    l2l_fmt(dir, sizeof dir, "plot-test/full/figures/data");
    l2l_fmt(file, sizeof file, "convergence_%s.csv", exp);
    struct csv c, c2;
    if (csv_open(&c, dir, file, names, ix) < 0)
        return -1;
    if (csv_open(&c2, dir, file, steps, &six) < 0) {
        csv_close(&c);
        return -1;
    }
    int found = -1;
    while (csv_next(&c) > 0 && csv_next(&c2) > 0) {
        long t;
        csv_long(&c2, six, 0, &t);
        if (t != step)
            continue;
        for (int k = 0; k < 4; k++)
            csv_num(&c, ix[k], 0, &out[k]);
        found = 0;
    }
    csv_close(&c);
    csv_close(&c2);
    return found;
}

static void test_convergence_values(void)
{
    /* Worked by hand from tests/data/results-tiny/curves.csv, numpy's
     * linear quantiles over the 3 runs (q1 at position 0.5, q3 at 1.5):
     *  mlp sgd step 3: 1.564 1.704 1.856 -> 1.704, 1.634, 1.780
     *  mlp lstm step 0: 2.29 2.30 2.31 -> 2.30, 2.295, 2.305
     *  mlp_relu sgd step 3: 1.479 1.605 3.75 -> 1.605, 1.542, 2.6775
     *  mlp_relu sgd step 4 (run 2 diverged): 1.273 1.423 inf -> 1.423, 1.348, inf
     *  mlp_relu sgd step 6: 0.9432 1.12 inf -> 1.12, 1.0316, inf */
    struct { const char *exp, *opt; long step; double want[4]; } cases[] = {
        {"mlp", "sgd", 3, {1.704, 1.634, 1.780, 3}},
        {"mlp", "lstm", 0, {2.30, 2.295, 2.305, 3}},
        {"mlp_relu", "sgd", 3, {1.605, 1.542, 2.6775, 3}},
        {"mlp_relu", "sgd", 4, {1.423, 1.348, INFINITY, 2}},
        {"mlp_relu", "sgd", 6, {1.12, 1.0316, INFINITY, 2}},
    };
    float got[20], want[20];
    int n = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double v[4];
        CU_ASSERT_EQUAL_FATAL(conv_row(cases[k].exp, cases[k].step, cases[k].opt, v), 0);
        for (int j = 0; j < 4; j++) {
            if (isinf(cases[k].want[j])) {
                CU_ASSERT(isinf(v[j]) && v[j] > 0);
                continue;
            }
            got[n] = (float)v[j];
            want[n++] = (float)cases[k].want[j];
        }
    }
    CU_ASSERT(l2l_maxdiff("convergence median/q1/q3/finite", got, want, (size_t)n, 1e-6) <= 1e-6);
}

static void test_quantile(void)
{
    double x[] = {1, 2, 4, INFINITY};
    float got[] = {(float)l2l_quantile(x, 3, 0.5), (float)l2l_quantile(x, 3, 0.25),
                   (float)l2l_quantile(x, 3, 0.75), (float)l2l_quantile(x, 4, 0.5),
                   (float)l2l_quantile(x, 1, 0.75)};
    float want[] = {2, 1.5, 3, 3, 1};
    CU_ASSERT(l2l_maxdiff("quantile", got, want, 5, 0) == 0);
    CU_ASSERT(isinf(l2l_quantile(x, 4, 0.75)));
    CU_ASSERT(isnan(l2l_quantile(x, 0, 0.5)));
}

static void test_missing_gnuplot(void)
{
    char dir[256], err[512], figdir[300];
    fresh("nognuplot", dir, sizeof dir);
    l2l_fmt(figdir, sizeof figdir, "%s/figures", dir);
    setenv("L2L_GNUPLOT", "/nonexistent", 1);
    FILE *tmp;
    int saved = capture_begin(&tmp);
    int rc = l2l_plot_results(dir, 0, err, sizeof err);
    char *msg = capture_end(tmp, saved);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(count(msg, "gnuplot not found"), 1);
    CU_ASSERT(strstr(msg, "apt-get install gnuplot-nox") != NULL);
    free(msg);
    CU_ASSERT(file_size(figdir, "data/convergence_mlp.csv") > 50);
    CU_ASSERT(file_size(figdir, "convergence_mlp.gp") > 200);
    CU_ASSERT_EQUAL(file_size(figdir, "convergence_mlp.png"), -1);
    CU_ASSERT(file_size(dir, "index.html") > 500);
    CU_ASSERT(file_size(dir, "report.md") > 500);

    saved = capture_begin(&tmp);
    rc = l2l_plot_results(dir, 1, err, sizeof err);
    msg = capture_end(tmp, saved);
    CU_ASSERT_EQUAL(rc, L2L_EINPUT);
    CU_ASSERT(strstr(msg, "gnuplot not found at /nonexistent") != NULL);
    CU_ASSERT(strstr(err, "gnuplot not found") != NULL);
    free(msg);

    /* gnuplot that fails: an error naming the script, not a crash. */
    setenv("L2L_GNUPLOT", "/bin/false", 1);
    saved = capture_begin(&tmp);
    rc = l2l_plot_results(dir, 0, err, sizeof err);
    msg = capture_end(tmp, saved);
    CU_ASSERT(rc < 0);
    CU_ASSERT(strstr(msg, "gnuplot failed on plot-test/nognuplot/figures/convergence_mlp.gp") != NULL);
    free(msg);
    unsetenv("L2L_GNUPLOT");
}

/* Replaces line `line` (1-based) of dir/file by text, or deletes the file. */
static void corrupt(const char *dir, const char *file, int line, const char *text)
{
    char *s = slurp(dir, file), path[4096];
    l2l_fmt(path, sizeof path, "%s/%s", dir, file);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    FILE *f = fopen(path, "w");
    int k = 1;
    for (char *p = s; *p; k++) {
        size_t n = strcspn(p, "\n");
        if (k == line)
            fprintf(f, "%s\n", text);
        else
            fprintf(f, "%.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
    fclose(f);
    free(s);
}

static void expect_error(const char *name, const char *file, int line, const char *text,
                         const char *want)
{
    char dir[256], err[512];
    fresh(name, dir, sizeof dir);
    if (text)
        corrupt(dir, file, line, text);
    else {
        char path[4096];
        l2l_fmt(path, sizeof path, "%s/%s", dir, file);
        unlink(path);
    }
    FILE *tmp;
    int saved = capture_begin(&tmp);
    int rc = l2l_plot_results(dir, 0, err, sizeof err);
    char *msg = capture_end(tmp, saved);
    CU_ASSERT_EQUAL(rc, L2L_EINPUT);
    if (!strstr(msg, want))
        printf("  expected '%s'\n", want);
    CU_ASSERT(strstr(msg, want) != NULL);
    free(msg);
}

static void test_corrupt(void)
{
    expect_error("bad-header", "curves.csv", 1, "experiment,optimizee,optimizer,run,step,los",
                 "plot-test/bad-header/curves.csv:1: bad header: no column 'loss'");
    expect_error("missing", "summary.csv", 0, NULL,
                 "cannot open plot-test/missing/summary.csv: No such file or directory");
    expect_error("short-row", "runs.csv", 5, "mlp,mlp_sigmoid,adam,0,0.5132",
                 "plot-test/short-row/runs.csv:5: expected 8 fields as in the header, found 5");
    expect_error("not-number", "curves.csv", 3, "mlp,mlp_sigmoid,sgd,0,1,abc",
                 "plot-test/not-number/curves.csv:3: column 'loss': 'abc' is not a number");
    expect_error("unknown-opt", "tuning.csv", 2, "mlp,mlp_sigmoid,rmsprop,learning_rate,0.01,1.62,0,0",
                 "plot-test/unknown-opt/tuning.csv:2: unknown optimizer 'rmsprop'");
    expect_error("bad-step", "curves.csv", 4, "mlp,mlp_sigmoid,sgd,0,7,1.5",
                 "plot-test/bad-step/curves.csv:4: run 0 step 7: expected run < 3 and step <= 6");
    expect_error("bad-quote", "summary.csv", 2,
                 "mlp,mlp_sigmoid,sgd,3,0,1.27,1.262,1.1605,1.3835,1.3251,0.81,0.795,0.825,1,\"lr=1,1.5",
                 "plot-test/bad-quote/summary.csv:2: unterminated quote");
}

/* Lone figures, no accuracy, no diverged grid value: fewer figures, and
 * gnuplot must not fail on the plot elements left empty. */
static void test_variant(void)
{
    char dir[256], err[512], figdir[300];
    fresh("variant", dir, sizeof dir);
    l2l_fmt(figdir, sizeof figdir, "%s/figures", dir);
    corrupt(dir, "experiments.csv", 2, "mlp,mlp_sigmoid,6,3,mlp,");
    corrupt(dir, "experiments.csv", 3, "mlp_relu,mlp_relu,6,3,mlp_relu,MLP with ReLU");
    corrupt(dir, "tuning.csv", 5, "mlp,mlp_sigmoid,sgd,learning_rate,10,2.5,0,0");
    corrupt(dir, "tuning.csv", 9, "mlp,mlp_sigmoid,adam,learning_rate,0.1,0.9,0,0");
    /* runs.csv without its eval_accuracy column (the 7th): every run is
     * still listed, as curves.csv must agree with it. */
    char *runs = slurp(dir, "runs.csv");
    CU_ASSERT_PTR_NOT_NULL_FATAL(runs);
    FILE *f = fopen("plot-test/variant/runs.csv", "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (char *p = runs; *p;) {
        size_t n = strcspn(p, "\n"), cut = 0, end = 0;
        for (size_t k = 0, commas = 0; k < n; k++)
            if (p[k] == ',' && ++commas == 6)
                cut = k;
            else if (p[k] == ',' && commas == 7)
                end = k;
        fprintf(f, "%.*s%.*s\n", (int)cut, p, (int)(n - end), p + end);
        p += n + (p[n] == '\n');
    }
    fclose(f);
    free(runs);
    unsetenv("L2L_GNUPLOT");
    int gp = have_gnuplot();
    CU_ASSERT_EQUAL(l2l_plot_results(dir, gp, err, sizeof err), 0);
    CU_ASSERT(file_size(figdir, "convergence_mlp.gp") > 200);
    CU_ASSERT(file_size(figdir, "tuning_mlp.gp") > 200);
    CU_ASSERT_EQUAL(file_size(figdir, "generalization_mlp.gp"), -1);
    CU_ASSERT_EQUAL(file_size(figdir, "generalization_mlp_relu.gp"), -1);
    CU_ASSERT_EQUAL(file_size(figdir, "accuracy_mlp.gp"), -1);
    CU_ASSERT_EQUAL(file_size(figdir, "data/accuracy_mlp.csv"), -1);
    if (gp)
        CU_ASSERT(file_size(figdir, "tuning_mlp.png") > 5000);
    char *gpf = slurp(figdir, "tuning_mlp.gp");
    CU_ASSERT(gpf && !strstr(gpf, "title \"diverged\""));
    free(gpf);
    char *html = slurp(dir, "index.html");
    CU_ASSERT_EQUAL(count(html, "<figure"), 8); /* 2 convergence, 2 tuning, 1 meta, 2 budget, 1 profile */
    free(html);
}

static void test_command(void)
{
    char *none[] = {"plot", NULL}, *two[] = {"plot", "a", "b", NULL};
    char *bad[] = {"plot", "--frobnicate", NULL}, *ok[] = {"plot", "plot-test/full", NULL};
    char *missing[] = {"plot", "plot-test/does-not-exist", NULL};
    FILE *tmp;
    int saved = capture_begin(&tmp);
    CU_ASSERT_EQUAL(l2l_cmd_plot(1, none), L2L_EXIT_BADINPUT);
    CU_ASSERT_EQUAL(l2l_cmd_plot(3, two), L2L_EXIT_BADINPUT);
    CU_ASSERT_EQUAL(l2l_cmd_plot(2, bad), L2L_EXIT_BADINPUT);
    CU_ASSERT_EQUAL(l2l_cmd_plot(2, missing), L2L_EXIT_BADINPUT);
    unsetenv("L2L_GNUPLOT");
    CU_ASSERT_EQUAL(l2l_cmd_plot(2, ok), 0);
    setenv("L2L_GNUPLOT", "/nonexistent", 1);
    char *req[] = {"plot", "plot-test/full", "--require-figures", NULL};
    CU_ASSERT_EQUAL(l2l_cmd_plot(3, req), L2L_EXIT_BADINPUT);
    unsetenv("L2L_GNUPLOT");
    free(capture_end(tmp, saved));
}

static const struct l2l_test tests[] = {
    {"quantiles by hand", test_quantile},
    {"fixture: every file written", test_all_files},
    {"fixture: median and IQR by hand", test_convergence_values},
    {"gnuplot missing or failing", test_missing_gnuplot},
    {"corrupt results files", test_corrupt},
    {"lone figures, no accuracy, no divergence", test_variant},
    {"l2l plot arguments and exit status", test_command},
    {NULL, NULL},
};

int main(void)
{
    return l2l_test_main("plot", tests);
}
