/* test_run.c: an end-to-end run of a tiny suite, asserting on the CSV it
 * wrote; the same suite and seed give byte-identical CSV for any -j, and
 * for a run interrupted twice and resumed (its finished runs kept in
 * OUT/.partial, two of them damaged before the resumption). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "runner.h"
#include "suite.h"
#include "test_main.h"

static const char *SUITE =
    "[suite]\nname = tiny\nseed = 11\nruns = 3\ntune_runs = 2\n\n"
    "[optimizee q]\nplugin = quadratic\ndim = 4\nbatch = 3\n\n"
    "[optimizer sgd]\nplugin = sgd\nlr = 0.001, 0.01, 0.1, 1000\n\n"
    "[optimizer adam]\nplugin = adam\nlr = 0.05\n\n"
    "[optimizer lstm]\nplugin = lstm\nhidden = 4\ncheckpoint = %s\ntrain_on = q\n"
    "epochs = 4\nsteps = 20\nunroll = 5\nvalid_every = 2\nvalid_problems = 2\n\n"
    "[experiment e]\noptimizee = q\noptimizers = sgd, adam, lstm\nsteps = 20\n";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc((size_t)n + 1, 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* > 0: a run stops (as SIGINT would) once it has kept this many runs. */
static long stop_after;

static int stop_when_kept(void *arg, long kept)
{
    (void)arg;
    return stop_after > 0 && kept >= stop_after;
}

static int run_into(const char *suite_path, const char *dir, int jobs)
{
    struct suite s;
    if (l2l_suite_load(suite_path, -1, &s) < 0)
        return -1;
    struct run_options ro = {.out_dir = dir, .jobs = jobs, .quiet = 1,
                             .stop_after_kept = stop_when_kept};
    int rc = l2l_run_suite(&s, &ro);
    l2l_suite_free(&s);
    return rc;
}

/* Files in dir whose names start with prefix. */
static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

static int same_files(const char *d1, const char *d2, const char *name)
{
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/%s", d1, name);
    snprintf(p2, sizeof p2, "%s/%s", d2, name);
    char *a = slurp(p1), *b = slurp(p2);
    int same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; text && *text; text++)
        n += *text == '\n';
    return n;
}

static void test_tiny_suite(void)
{
    char path_ckpt_check[256];
    char suite_path[] = "/tmp/l2l-test-run-XXXXXX";
    char d1[] = "/tmp/l2l-test-out1-XXXXXX", d2[] = "/tmp/l2l-test-out2-XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(d1) && mkdtemp(d2));
    /* The learned optimizer is meta-trained by the first run (no
     * checkpoint yet) and only loaded by the second. */
    char ckpt[128], text[2048];
    snprintf(ckpt, sizeof ckpt, "%s/lstm.l2l", d1);
    snprintf(text, sizeof text, SUITE, ckpt);
    int fd = mkstemp(suite_path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL((size_t)write(fd, text, strlen(text)), strlen(text));
    close(fd);
    l2l_set_quiet(1);
    CU_ASSERT_EQUAL_FATAL(run_into(suite_path, d1, 1), 0);
    CU_ASSERT_EQUAL_FATAL(run_into(suite_path, d2, 2), 0);

    snprintf(path_ckpt_check, sizeof path_ckpt_check, "%s/meta_lstm.csv", d1);
    CU_ASSERT_EQUAL(access(path_ckpt_check, R_OK), 0); /* the meta-training log */
    CU_ASSERT_EQUAL(access(ckpt, R_OK), 0);
    const char *files[] = {"curves.csv", "runs.csv", "tuning.csv", "summary.csv", "experiments.csv",
                           "optimizers.csv"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        char p1[256], p2[256];
        snprintf(p1, sizeof p1, "%s/%s", d1, files[k]);
        snprintf(p2, sizeof p2, "%s/%s", d2, files[k]);
        char *a = slurp(p1), *b = slurp(p2);
        CU_ASSERT_PTR_NOT_NULL(a);
        CU_ASSERT(a && b && strcmp(a, b) == 0); /* byte-identical for -j 1 and -j 2 */
        printf("  %s: %d lines, identical for -j1/-j2: %s\n", files[k], count_lines(a),
               a && b && !strcmp(a, b) ? "yes" : "NO");
        free(a);
        free(b);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/curves.csv", d1);
    char *curves = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(curves);
    CU_ASSERT(strncmp(curves, "experiment,optimizee,optimizer,run,step,loss\n", 45) == 0);
    /* 3 optimizers x 3 runs x 21 steps (0..20) */
    CU_ASSERT_EQUAL(count_lines(curves), 1 + 3 * 3 * 21);
    /* Adam lowers the loss of run 0 from step 0 to step 20. */
    double l0 = NAN, l20 = NAN;
    for (char *line = strtok(curves, "\n"); line; line = strtok(NULL, "\n")) {
        long run, step;
        double loss;
        if (sscanf(line, "e,q,adam,%ld,%ld,%lf", &run, &step, &loss) == 3 && run == 0) {
            if (step == 0) l0 = loss;
            if (step == 20) l20 = loss;
        }
    }
    printf("  adam run 0: loss %.6g at step 0, %.6g at step 20\n", l0, l20);
    CU_ASSERT(isfinite(l0) && isfinite(l20) && l20 < 0.5 * l0);
    free(curves);

    snprintf(path, sizeof path, "%s/tuning.csv", d1);
    char *tuning = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tuning);
    CU_ASSERT_EQUAL(count_lines(tuning), 1 + 4);
    /* lr = 1000 diverges on every tuning run and is not chosen. */
    CU_ASSERT_PTR_NOT_NULL(strstr(tuning, "e,q,sgd,lr,1000,inf,2,0\n"));
    int chosen = 0;
    for (const char *p = tuning; (p = strstr(p, ",1\n")); p++)
        chosen++;
    CU_ASSERT_EQUAL(chosen, 1);
    free(tuning);

    snprintf(path, sizeof path, "%s/summary.csv", d1);
    char *summary = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    CU_ASSERT_EQUAL(count_lines(summary), 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "e,q,lstm,3,0,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "e,q,sgd,3,0,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "*")); /* the tuned value is marked */
    free(summary);
    /* Interrupted after 5 runs kept (in tuning: 8 tuning runs, then 9
     * evaluation runs), then after 5 more (in evaluation), then finished:
     * the results are those of the uninterrupted run, byte for byte. */
    char d3[] = "/tmp/l2l-test-out3-XXXXXX", work[300];
    CU_ASSERT_FATAL(mkdtemp(d3) != NULL);
    snprintf(work, sizeof work, "%s/.partial", d3);
    stop_after = 5;
    CU_ASSERT_EQUAL(run_into(suite_path, d3, 2), L2L_EINTR);
    int kept1 = count_files(work, "tune-") + count_files(work, "eval-");
    CU_ASSERT_EQUAL(run_into(suite_path, d3, 1), L2L_EINTR);
    int kept2 = count_files(work, "tune-") + count_files(work, "eval-");
    int tuning2 = count_files(work, "tune-");
    stop_after = 0;
    snprintf(path, sizeof path, "%s/summary.csv", d3);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0); /* nothing looks complete */
    printf("  kept after the first interruption: %d runs, after the second: %d (%d tuning)\n",
           kept1, kept2, tuning2);
    CU_ASSERT(kept1 >= 5 && kept1 <= 6); /* -j 2: the other run may finish */
    CU_ASSERT_EQUAL(kept2, kept1 + 5);
    CU_ASSERT_EQUAL(tuning2, 8);
    /* Damaged kept runs are redone: one cut short (fails its CRC), one
     * holding another run's record (grid 2 renamed as grid 1). */
    char f1[400], f2[400];
    snprintf(f1, sizeof f1, "%s/tune-0-0-0-0", work);
    CU_ASSERT_EQUAL(truncate(f1, 20), 0);
    snprintf(f1, sizeof f1, "%s/tune-0-0-2-0", work);
    snprintf(f2, sizeof f2, "%s/tune-0-0-1-0", work);
    CU_ASSERT_EQUAL(rename(f1, f2), 0);
    CU_ASSERT_EQUAL(run_into(suite_path, d3, 2), 0);
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        int same = same_files(d1, d3, files[k]);
        CU_ASSERT(same);
        printf("  %s identical after two interruptions: %s\n", files[k], same ? "yes" : "NO");
    }
    CU_ASSERT_NOT_EQUAL(access(work, F_OK), 0); /* the work area is gone */

    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s %s", d1, d2, d3, suite_path);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static int run_seed(const char *suite_path, const char *dir, long long seed)
{
    struct suite s;
    if (l2l_suite_load(suite_path, seed, &s) < 0)
        return -1;
    struct run_options ro = {.out_dir = dir, .jobs = 1, .quiet = 1,
                             .stop_after_kept = stop_when_kept};
    int rc = l2l_run_suite(&s, &ro);
    l2l_suite_free(&s);
    return rc;
}

/* Kept runs of another seed slipped into the work area under this run's
 * fingerprint (as two l2l at once could do before OUT was locked) are
 * redone, not taken: each kept run carries its fingerprint's CRC. */
static void test_foreign_kept_runs(void)
{
    static const char *text =
        "[suite]\nname = foreign\nseed = 1\nruns = 3\ntune_runs = 2\n"
        "[optimizee q]\nplugin = quadratic\ndim = 4\nbatch = 3\n"
        "[optimizer sgd]\nplugin = sgd\nlr = 0.001, 0.01, 0.1\n"
        "[experiment e]\noptimizee = q\noptimizers = sgd\nsteps = 20\n";
    char root[] = "/tmp/l2l-test-foreign-XXXXXX", suite_path[300], ref[300], mine[300],
         other[300], cmd[1400];
    CU_ASSERT_FATAL(mkdtemp(root) != NULL);
    snprintf(suite_path, sizeof suite_path, "%s/foreign.ini", root);
    snprintf(ref, sizeof ref, "%s/ref", root);
    snprintf(mine, sizeof mine, "%s/mine", root);
    snprintf(other, sizeof other, "%s/other", root);
    FILE *f = fopen(suite_path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    l2l_set_quiet(1);
    CU_ASSERT_EQUAL_FATAL(run_seed(suite_path, ref, 1), 0);
    stop_after = 5;
    CU_ASSERT_EQUAL(run_seed(suite_path, mine, 1), L2L_EINTR);
    CU_ASSERT_EQUAL(run_seed(suite_path, other, 2), L2L_EINTR);
    stop_after = 0;
    /* the same 5 task names in both (-j 1): seed 2's replace seed 1's */
    snprintf(cmd, sizeof cmd, "cp %s/.partial/tune-* %s/.partial/", other, mine);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    CU_ASSERT_EQUAL(run_seed(suite_path, mine, 1), 0);
    const char *files[] = {"curves.csv", "runs.csv", "tuning.csv", "summary.csv"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        int same = same_files(ref, mine, files[k]);
        CU_ASSERT(same);
        printf("  %s identical to seed 1's with seed 2's runs slipped in: %s\n", files[k],
               same ? "yes" : "NO");
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

int main(void)
{
    static const struct l2l_test tests[] = {
        {"a tiny suite writes tidy, reproducible CSV", test_tiny_suite},
        {"kept runs of another seed are redone", test_foreign_kept_runs},
        {NULL, NULL},
    };
    return l2l_test_main("run", tests);
}
