/* cmd_plot.c: `l2l plot RESULTS_DIR [--require-figures]` and the library
 * entry point that `l2l run` calls when it has written its results. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "log.h"
#include "plot.h"
#include "plot_data.h"
#include "plot_gnuplot.h"
#include "report.h"

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) < 0 && errno != EEXIST) {
        l2l_error("l2l: cannot create directory %s: %s", path, strerror(errno));
        return L2L_EIO;
    }
    return 0;
}

/* Both images exist and are not empty. */
static int rendered(const char *figdir, const char *name)
{
    static const char *const ext[] = {"png", "svg"};
    for (int k = 0; k < 2; k++) {
        char path[4096];
        struct stat st;
        l2l_fmt(path, sizeof path, "%s/%s.%s", figdir, name, ext[k]);
        if (stat(path, &st) < 0 || st.st_size == 0) {
            l2l_error("l2l: gnuplot wrote no %s", path);
            return 0;
        }
    }
    return 1;
}

static int render(const struct pg_list *list, const char *figdir, int require, char *err,
                  size_t errlen)
{
    char gnuplot[4096];
    if (pg_find_gnuplot(gnuplot, sizeof gnuplot) < 0) {
        l2l_fmt(err, errlen, "l2l: gnuplot not found%s%s: figures skipped; install it with "
                "apt-get install gnuplot-nox, or set L2L_GNUPLOT",
                getenv("L2L_GNUPLOT") ? " at " : "", getenv("L2L_GNUPLOT") ? gnuplot : "");
        if (require) {
            l2l_error("%s (required by --require-figures)", err);
            return L2L_EINPUT;
        }
        l2l_warn("%s", err);
        err[0] = 0;
        return 0;
    }
    int failed = 0;
    for (int k = 0; k < list->n; k++) {
        struct pg_figure *g = &list->fig[k];
        char script[PR_NAME + 64];
        l2l_fmt(script, sizeof script, "%s.gp", g->name);
        /* No stale image may pass for this run's. */
        for (int j = 0; j < 2; j++) {
            char path[4096];
            l2l_fmt(path, sizeof path, "%s/%s.%s", figdir, g->name, j ? "svg" : "png");
            unlink(path);
        }
        /* The first failure is shown in full; the rest are counted, since
         * a broken gnuplot fails them all the same way. */
        if (pg_run(gnuplot, figdir, script, failed == 0) == 0 && rendered(figdir, g->name))
            g->rendered = 1;
        else
            failed++;
    }
    if (!failed)
        return 0;
    l2l_fmt(err, errlen, "l2l: %d of %d figures failed to render with %s (logs in %s)", failed,
            list->n, gnuplot, figdir);
    l2l_error("%s", err);
    return L2L_EIO;
}

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
    if ((rc = make_dir(figdir)) < 0 || (rc = make_dir(datadir)) < 0 ||
        (rc = pg_write_all(&r, figdir, datadir, &list)) < 0) {
        if (rc == L2L_ENOMEM)
            l2l_error("l2l: out of memory writing the figures of %s", dir);
        l2l_fmt(err, errlen, "l2l: cannot write the figures of %s", dir);
        goto done;
    }
    int rr = render(&list, figdir, require_figures, err, errlen);
    /* The report is written even without figures: it holds the table. */
    if ((rc = report_write_html(&r, &list)) < 0 || (rc = report_write_md(&r, &list)) < 0) {
        l2l_fmt(err, errlen, "l2l: cannot write the report of %s", dir);
        goto done;
    }
    rc = rr;
    if (rc == 0)
        l2l_info("l2l: report in %s/index.html (%d figures%s)", dir, list.n,
                 list.n && !list.fig[0].rendered ? ", not rendered" : "");
done:
    pg_list_free(&list);
    pr_free(&r);
    return rc;
}

int l2l_cmd_plot(int argc, char **argv)
{
    const char *dir = NULL;
    int require = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--require-figures"))
            require = 1;
        else if (argv[k][0] == '-' || dir) {
            l2l_error("l2l plot: unexpected argument '%s' (usage: l2l plot RESULTS_DIR "
                      "[--require-figures])", argv[k]);
            return L2L_EXIT_BADINPUT;
        } else
            dir = argv[k];
    }
    if (!dir) {
        l2l_error("l2l plot: expected a results directory (usage: l2l plot RESULTS_DIR "
                  "[--require-figures])");
        return L2L_EXIT_BADINPUT;
    }
    char err[512];
    int rc = l2l_plot_results(dir, require, err, sizeof err);
    return rc == 0 ? 0 : rc == L2L_EINPUT ? L2L_EXIT_BADINPUT : 1;
}
