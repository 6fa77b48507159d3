/* test_plot_bench.c: `l2l plot BENCH.csv` (core/report/plot_bench.c): a small
 * bench CSV gives the series, points and references expected, a script
 * with one datablock and one plotted line per series, and (with gnuplot)
 * both images; bad inputs exit 2 with a message naming the file. Outputs
 * are left in ./plot-bench-test/ for inspection. */
#define _XOPEN_SOURCE 700
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "capture.h"
#include "commands.h"
#include "log.h"
#include "plot.h"
#include "plot_bench.h"
#include "plot_gnuplot.h"
#include "test_main.h"

#define DIR "plot-bench-test"

/* Rows as `l2l bench` writes them, out of order on purpose (sgd's n),
 * with metrics that are not plotted, a zero that a log axis cannot show,
 * and both copies of 128 MiB (the faster is the reference). */
static const char good_csv[] =
    "benchmark,n,metric,value,unit\n"
    "machine,0,threads_openmp,2,\n"
    "machine,0,load_1min,1.5,\n"
    "sgemm-square,2048,gflops,50,GFLOP/s\n"
    "copy,33554432,gbps,11,GB/s\n"
    "copy-1t,33554432,gbps,12,GB/s\n"
    "copy,1280,gbps,90,GB/s\n"
    "lstm-eval,1280,gflops,20,GFLOP/s\n"
    "lstm-eval,1280,coord_steps_per_s,800000,1/s\n"
    "lstm-meta,1280,coord_steps_per_s,160000,1/s\n"
    "lstm-eval,15910,coord_steps_per_s,540000,1/s\n"
    "lstm-meta,15910,coord_steps_per_s,0,1/s\n"
    "sgd,1000000,coord_steps_per_s,3e+09,1/s\n"
    "sgd,1280,coord_steps_per_s,5e+09,1/s\n"
    "sgd,15910,coord_steps_per_s,4e+09,1/s\n"
    "sgd,1280,gbps,60,GB/s\n"
    "machine,0,load_1min_end,2.5,\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    CU_ASSERT_FATAL(fclose(f) == 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1 << 16, 1);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void setup(void)
{
    mkdir(DIR, 0777);
    mkdir(DIR "/only", 0777);
    mkdir(DIR "/empty", 0777);
    write_file(DIR "/bench.csv", good_csv);
    write_file(DIR "/only/bench.csv", good_csv);
}

/* What the reader keeps: series in order of appearance, points sorted by
 * n, rows of other metrics and values <= 0 left out, the references. */
static void test_load(void)
{
    setup();
    struct pb_bench *b = malloc(sizeof *b);
    CU_ASSERT_FATAL(b != NULL);
    CU_ASSERT_FATAL(pb_load(DIR "/bench.csv", b) == 0);
    CU_ASSERT_EQUAL(b->n_series, 3);
    CU_ASSERT_STRING_EQUAL(b->s[0].name, "lstm-eval");
    CU_ASSERT_STRING_EQUAL(b->s[1].name, "lstm-meta");
    CU_ASSERT_STRING_EQUAL(b->s[2].name, "sgd");
    CU_ASSERT_EQUAL(b->s[0].n, 2);
    CU_ASSERT_EQUAL(b->s[1].n, 1); /* the 0 at n = 15910 cannot be drawn */
    CU_ASSERT_EQUAL(b->s[2].n, 3);
    const long at[3] = {1280, 15910, 1000000};
    const double v[3] = {5e9, 4e9, 3e9};
    for (int k = 0; k < 3; k++) {
        CU_ASSERT_EQUAL(b->s[2].at[k], at[k]);
        CU_ASSERT_DOUBLE_EQUAL(b->s[2].value[k], v[k], 0);
    }
    CU_ASSERT_DOUBLE_EQUAL(b->s[0].value[1], 540000, 0);
    CU_ASSERT_DOUBLE_EQUAL(b->sgemm, 50, 0);
    CU_ASSERT_DOUBLE_EQUAL(b->copy, 12, 0);
    CU_ASSERT_DOUBLE_EQUAL(b->load[0], 1.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(b->load[1], 2.5, 0);
    free(b);
}

/* The script: one datablock and one plotted line per series, with the
 * points in order, log-log axes with units, the references in the title. */
static void test_script(void)
{
    setup();
    setenv("L2L_GNUPLOT", "/nonexistent", 1); /* the script alone, whatever is installed */
    unlink(DIR "/bench.gp");
    char *argv[] = {"plot", DIR "/bench.csv", NULL};
    FILE *tmp;
    int saved = capture_begin(&tmp);
    int rc = l2l_cmd_plot(2, argv);
    free(capture_end(tmp, saved));
    unsetenv("L2L_GNUPLOT");
    CU_ASSERT_EQUAL(rc, 0);
    char *gp = slurp(DIR "/bench.gp");
    CU_ASSERT_FATAL(gp != NULL);
    CU_ASSERT_EQUAL(count(gp, "<< EOD"), 3);
    CU_ASSERT_EQUAL(count(gp, "with linespoints"), 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "$s1 << EOD\nn,coord_steps_per_s\n1280,800000\n15910,540000\nEOD\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "$s2 << EOD\nn,coord_steps_per_s\n1280,160000\nEOD\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "$s3 << EOD\nn,coord_steps_per_s\n1280,5e+09\n15910,4e+09\n"
                                      "1000000,3e+09\nEOD\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "title 'lstm (evaluation)'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "title 'lstm (meta-training)'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "title 'sgd step'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "set logscale xy"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "set ylabel \"coordinate-steps per second (log scale)\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "set xlabel \"n, coordinates of the optimizee (log scale)\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "set xtics (\"1,280\" 1280, \"15,910\" 15910, \"1,000,000\" 1000000)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "sgemm 2048³: 50.0 GFLOP/s, memcpy 128 MiB: 12.0 GB/s; "
                                      "load 1.5 at start, 2.5 at end"));
    /* eval and meta of one optimizer share a colour; meta is dashed */
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "set style line 1 lc rgb \"#0072B2\" lw 2 dt 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "set style line 2 lc rgb \"#0072B2\" lw 2 dt 2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(gp, "set style line 3 lc rgb \"#D55E00\" lw 2 dt 1"));
    CU_ASSERT_PTR_NULL(strstr(gp, "gbps"));
    free(gp);
}

/* A directory holding only bench.csv is plotted as `l2l plot DIR/bench.csv`;
 * -o puts the figure elsewhere; with gnuplot both images are written. */
static void test_dir_and_render(void)
{
    setup();
    unlink(DIR "/only/bench.gp");
    char *dir[] = {"plot", DIR "/only", NULL};
    char *to[] = {"plot", DIR "/bench.csv", "-o", DIR "/elsewhere.png", "--require-figures", NULL};
    FILE *tmp;
    /* Images are checked when configure found gnuplot: then one that
     * cannot draw them fails the test instead of skipping it. */
#ifdef L2L_HAVE_GNUPLOT
    int have = 1;
#else
    int have = 0;
#endif
    if (!have)
        setenv("L2L_GNUPLOT", "/nonexistent", 1);
    int saved = capture_begin(&tmp);
    int rc_dir = l2l_cmd_plot(2, dir);
    int rc_to = have ? l2l_cmd_plot(5, to) : 0;
    free(capture_end(tmp, saved));
    unsetenv("L2L_GNUPLOT");
    CU_ASSERT_EQUAL(rc_dir, 0);
    CU_ASSERT_EQUAL(access(DIR "/only/bench.gp", R_OK), 0);
    if (!have) {
        printf("  configure found no gnuplot: images not checked\n");
        return;
    }
    CU_ASSERT_EQUAL(rc_to, 0);
    static const char *const images[] = {DIR "/elsewhere.png", DIR "/elsewhere.svg",
                                         DIR "/elsewhere.gp", DIR "/only/bench.png"};
    for (int k = 0; k < 4; k++) {
        struct stat st;
        CU_ASSERT(stat(images[k], &st) == 0 && st.st_size > 0);
    }
}

/* Each bad input exits 2 and its message names the file. */
static void test_bad_input(void)
{
    setup();
    static const struct { const char *name, *text, *says; } cases[] = {
        {"missing.csv", NULL, "cannot read"},
        {"header.csv", "bench,n,value\nsgd,1,2\n", "not the CSV of `l2l bench`"},
        {"number.csv", "benchmark,n,metric,value,unit\nsgd,1280,coord_steps_per_s,fast,1/s\n",
         ":2: column 'value'"},
        {"size.csv", "benchmark,n,metric,value,unit\nsgd,-3,coord_steps_per_s,1,1/s\n",
         ":2: column 'n'"},
        {"twice.csv", "benchmark,n,metric,value,unit\nsgd,1280,coord_steps_per_s,1,1/s\n"
                      "sgd,1280,coord_steps_per_s,2,1/s\n", ":3: a second coord_steps_per_s row"},
        {"none.csv", "benchmark,n,metric,value,unit\nsgd,1280,gbps,1,GB/s\n", "no coord_steps_per_s"},
        {"empty.csv", "", "empty file"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char path[256];
        l2l_fmt(path, sizeof path, DIR "/%s", cases[k].name);
        if (cases[k].text)
            write_file(path, cases[k].text);
        char *argv[] = {"plot", path, NULL};
        FILE *tmp;
        int saved = capture_begin(&tmp);
        int rc = l2l_cmd_plot(2, argv);
        char *msg = capture_end(tmp, saved);
        CU_ASSERT_EQUAL(rc, L2L_EXIT_BADINPUT);
        CU_ASSERT_PTR_NOT_NULL(msg && strstr(msg, path));
        CU_ASSERT_PTR_NOT_NULL(msg && strstr(msg, cases[k].says));
        free(msg);
    }
    /* -o belongs to a bench CSV */
    char *o[] = {"plot", DIR "/empty", "-o", DIR "/x.png", NULL};
    FILE *tmp;
    int saved = capture_begin(&tmp);
    int rc = l2l_cmd_plot(4, o);
    free(capture_end(tmp, saved));
    CU_ASSERT_EQUAL(rc, L2L_EXIT_BADINPUT);
}

static const struct l2l_test tests[] = {
    {"bench CSV: series, points and references", test_load},
    {"bench CSV: the script's datablocks and lines", test_script},
    {"bench CSV: a directory, -o, and the images", test_dir_and_render},
    {"bench CSV: bad inputs exit 2 naming the file", test_bad_input},
    {NULL, NULL}};

int main(void)
{
    return l2l_test_main("plot_bench", tests);
}
