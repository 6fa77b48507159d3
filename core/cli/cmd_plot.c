/* cmd_plot.c: `l2l plot RESULTS_DIR|BENCH.csv [--require-figures]
 * [-o OUT.png]` and the library entry point that `l2l run` calls when it
 * has written its results. A results directory gets its figures and
 * report; the CSV of `l2l bench` (or a directory holding bench.csv) its
 * throughput figure (plot_bench.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "interrupt.h"
#include "log.h"
#include "out_dir.h"
#include "results.h" /* l2l_results_mkdir */
#include "plot.h"
#include "plot_data.h"
#include "plot_gnuplot.h"
#include "report.h"
#include "stats_write.h"

int l2l_plot_results(const char *dir, int require_figures, char *err, size_t errlen)
{
    struct pr_results r;
    struct pg_list list = {0};
    char figdir[4096], datadir[4096];
    err[0] = 0;
    int rc = pr_load(dir, &r);
    if (rc < 0) {
        l2l_fmt(err, errlen, "l2l: cannot plot %s: bad results files (see above)", dir);
        return rc;
    }
    l2l_fmt(figdir, sizeof figdir, "%s/figures", dir);
    l2l_fmt(datadir, sizeof datadir, "%s/data", figdir);
    /* figures/ and figures/data/, emptied of an earlier suite's figures */
    if ((rc = l2l_results_mkdir(datadir)) < 0 || (rc = l2l_out_clear_figures(dir)) < 0 ||
        (rc = pg_write_all(&r, figdir, datadir, &list)) < 0 ||
        (rc = st_write_all(&r, figdir, datadir, &list)) < 0) {
        if (rc == L2L_ENOMEM)
            l2l_error("l2l: out of memory writing the figures of %s", dir);
        l2l_fmt(err, errlen, "l2l: cannot write the figures of %s", dir);
        goto done;
    }
    int rr = l2l_interrupted() ? L2L_EINTR : pg_render_all(&list, figdir, require_figures, err, errlen);
    if (rr == L2L_EINTR) {
        rc = rr;
        goto done;
    }
    /* The report is written even without figures: it holds the table. */
    if ((rc = report_write_html(&r, &list, st_report)) < 0 ||
        (rc = report_write_md(&r, &list, st_report)) < 0) {
        l2l_fmt(err, errlen, "l2l: cannot write the report of %s", dir);
        goto done;
    }
    rc = rr;
    if (rc == 0)
        l2l_info("l2l: report in %s/index.html (%d figures%s)", dir, list.n,
                 list.n && !list.fig[0].rendered ? ", not rendered" : "");
done:
    /* Interrupted: no report may pass for one of these results. */
    if (rc == L2L_EINTR || l2l_interrupted()) {
        static const char *const report[] = {"index.html", "report.md"};
        for (int k = 0; k < 2; k++) {
            char path[4200];
            l2l_fmt(path, sizeof path, "%s/%s", dir, report[k]);
            unlink(path);
        }
        l2l_fmt(err, errlen, "l2l: interrupted while drawing the figures of %s", dir);
        rc = L2L_EINTR;
    }
    pg_list_free(&list);
    pr_free(&r);
    return rc;
}

#define PLOT_USAGE "usage: l2l plot RESULTS_DIR|BENCH.csv [--require-figures] [-o OUT.png]"

static int exists(const char *dir, const char *name)
{
    char path[4096];
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static int exit_status(int rc)
{
    int stopped = l2l_interrupted();
    l2l_interrupt_release();
    if (rc == L2L_EINTR || stopped) {
        l2l_error("l2l plot: interrupted: no index.html or report.md left; run it again");
        return 130;
    }
    return rc == 0 ? 0 : rc == L2L_EINPUT ? L2L_EXIT_BADINPUT : rc == L2L_ENOMEM ? L2L_EXIT_NOMEM : 1;
}

int l2l_cmd_plot(int argc, char **argv)
{
    const char *path = NULL, *out = NULL;
    int require = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--require-figures"))
            require = 1;
        else if (!strcmp(argv[k], "-o") && k + 1 < argc && !out)
            out = argv[++k];
        else if (argv[k][0] == '-' || path) {
            l2l_error("l2l plot: unexpected argument '%s' (" PLOT_USAGE ")", argv[k]);
            return L2L_EXIT_BADINPUT;
        } else
            path = argv[k];
    }
    if (!path) {
        l2l_error("l2l plot: expected a results directory or the CSV of `l2l bench` (" PLOT_USAGE ")");
        return L2L_EXIT_BADINPUT;
    }
    char err[512];
    struct stat st;
    l2l_interrupt_catch(); /* released by exit_status */
    size_t len = strlen(path);
    int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    if (!is_dir && (access(path, F_OK) == 0 || (len > 4 && !strcmp(path + len - 4, ".csv"))))
        return exit_status(l2l_plot_bench(path, out, require, err, sizeof err));
    /* A directory: its results, and bench.csv's figure when it holds one
     * (alone, as `l2l bench -o DIR/bench.csv` leaves it, or beside results). */
    int bench = is_dir && exists(path, "bench.csv");
    if (out && !bench) {
        l2l_error("l2l plot: -o is for the CSV of `l2l bench`, and %s holds no bench.csv", path);
        return exit_status(L2L_EINPUT);
    }
    /* It rewrites the figures and the report: not while an l2l run
     * writes the same directory, nor beside another l2l plot. */
    struct l2l_lock lock = {.fd = -1};
    int rc = is_dir ? l2l_out_lock(path, &lock) : 0;
    if (rc == 0 && (!bench || exists(path, "experiments.csv")))
        rc = l2l_plot_results(path, require, err, sizeof err);
    if (bench && rc == 0) {
        char csv[4200];
        l2l_fmt(csv, sizeof csv, "%s/bench.csv", path);
        rc = l2l_plot_bench(csv, out, require, err, sizeof err);
    }
    l2l_lock_release(&lock);
    return exit_status(rc);
}
