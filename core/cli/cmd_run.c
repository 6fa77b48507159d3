/* cmd_run.c: `l2l run` and `l2l train`: arguments, suite, runner. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "dist.h"
#include "interrupt.h"
#include "log.h"
#include "out_dir.h"
#include "numbers.h"
#include "plot.h"
#include "plot_gnuplot.h"
#include "runner.h"
#include "suite.h"

struct args {
    const char *suite;
    const char *out;
    long long seed;
    int jobs, quiet, require_figures;
};

static int parse_long(const char *cmd, const char *flag, const char *text, long long lo,
                      long long hi, long long *out)
{
    long long v = 0;
    if (!text || l2l_parse_int(text, lo, hi, &v) < 0) {
        l2l_error("l2l %s: %s expects a whole number in [%lld, %lld], got '%s'", cmd, flag, lo, hi,
                  text ? text : "(nothing)");
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    const char *cmd = argv[0];
    memset(a, 0, sizeof *a);
    a->seed = -1;
    a->jobs = 1;
    for (int k = 1; k < argc; k++) {
        const char *arg = argv[k];
        long long v;
        if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) {
            if (k + 1 >= argc || !argv[k + 1][0]) {
                l2l_error("l2l %s: %s expects a directory", cmd, arg);
                return -1;
            }
            a->out = argv[++k];
        } else if (!strcmp(arg, "--seed")) {
            if (parse_long(cmd, arg, k + 1 < argc ? argv[++k] : NULL, 0, 9007199254740991LL, &v) < 0)
                return -1;
            a->seed = v;
        } else if (!strcmp(arg, "-j") || !strcmp(arg, "--jobs")) {
            if (parse_long(cmd, arg, k + 1 < argc ? argv[++k] : NULL, 1, 64, &v) < 0)
                return -1;
            a->jobs = (int)v;
        } else if (!strncmp(arg, "-j", 2) && arg[2]) {
            if (parse_long(cmd, "-j", arg + 2, 1, 64, &v) < 0)
                return -1;
            a->jobs = (int)v;
        } else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            a->quiet = 1;
        } else if (!strcmp(arg, "--require-figures")) {
            a->require_figures = 1;
        } else if (arg[0] == '-') {
            l2l_error("l2l %s: unknown option '%s' (see `l2l help`)", cmd, arg);
            return -1;
        } else if (a->suite) {
            l2l_error("l2l %s: one suite file at a time (got '%s' and '%s')", cmd, a->suite, arg);
            return -1;
        } else {
            a->suite = arg;
        }
    }
    if (!a->suite) {
        l2l_error("l2l %s: expected a suite file, e.g. l2l %s suites/quadratic.ini", cmd, cmd);
        return -1;
    }
    return 0;
}

/* An interruption after the results began to be written: what would make
 * the directory look complete goes (the CSV files stay, and every run stays
 * in OUT/.partial, so the same command finishes at once). */
static void interrupted_late(const char *out)
{
    char path[4200];
    l2l_fmt(path, sizeof path, "%s/summary.csv", out);
    unlink(path);
    l2l_error("l2l: interrupted while writing the results: no summary.csv, index.html or "
              "report.md left; every run is kept in %s/.partial: run the same command again to "
              "finish", out);
}

/* Whether the file at path could be written by us and lies outside the
 * installed data ($(pkgdatadir)): judged on its nearest existing folder. */
static int may_write(const char *path)
{
    char dir[PATH_MAX], real[PATH_MAX], inst[PATH_MAX];
    l2l_fmt(dir, sizeof dir, "%s", path);
    for (;;) { /* the parent, then its parent, until one exists */
        char *slash = strrchr(dir, '/');
        if (!slash) {
            l2l_fmt(dir, sizeof dir, ".");
            break;
        }
        if (slash == dir) {
            dir[1] = 0; /* "/" */
            break;
        }
        *slash = 0;
        if (access(dir, F_OK) == 0)
            break;
    }
    if (access(dir, W_OK) != 0 || !realpath(dir, real))
        return 0;
    if (!realpath(L2L_PKGDATADIR, inst))
        return 1;
    size_t n = strlen(inst);
    return !(strncmp(real, inst, n) == 0 && (real[n] == '/' || real[n] == 0));
}

/* A learned optimizer to train whose checkpoint would go into the
 * installation (an installed suite) or into a folder we cannot write: it
 * is trained, or found from an earlier run, in OUT/checkpoints/ instead,
 * and we say so. */
static int redirect_checkpoints(struct suite *s, const char *out)
{
    for (int k = 0; k < s->n_optimizers; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        struct stat st;
        if (!o->learned || o->train_on < 0 || !o->checkpoint || stat(o->checkpoint, &st) == 0 ||
            may_write(o->checkpoint))
            continue;
        const char *base = strrchr(o->checkpoint, '/');
        char path[PATH_MAX];
        l2l_fmt(path, sizeof path, "%s/checkpoints/%s", out, base ? base + 1 : o->checkpoint);
        char *moved = strdup(path);
        if (!moved)
            return L2L_ENOMEM;
        l2l_warn("l2l: [optimizer %s] %s is missing and that folder is not ours to write (an "
                 "installed suite?): φ %s %s", o->name, o->checkpoint,
                 stat(moved, &st) == 0 ? "trained by an earlier run is read from" : "is trained into",
                 moved);
        free(o->checkpoint);
        o->checkpoint = moved;
    }
    return 0;
}

static int run_or_train_body(int argc, char **argv, int train_only)
{
    struct args a;
    if (parse_args(argc, argv, &a) < 0)
        return L2L_EXIT_BADINPUT;
    /* Under MPI rank 0 speaks and writes; the others only work. */
    int leader = l2l_dist_rank() == 0;
    l2l_set_quiet(a.quiet || !leader);
    struct suite s;
    int lrc = l2l_suite_load(a.suite, a.seed, &s);
    if (lrc < 0)
        return lrc == L2L_ENOMEM ? L2L_EXIT_NOMEM : L2L_EXIT_BADINPUT;
    char out[4096];
    if (a.out)
        l2l_fmt(out, sizeof out, "%s", a.out);
    else
        l2l_fmt(out, sizeof out, "results/%s", s.name);
    /* Refused now, not after the runs: figures that cannot be drawn. */
    char gnuplot[4096];
    if (a.require_figures && !train_only && pg_find_gnuplot(gnuplot, sizeof gnuplot) < 0) {
        l2l_error("l2l %s: --require-figures, but gnuplot is not found%s%s: install it with "
                  "apt-get install gnuplot-nox, or set L2L_GNUPLOT; nothing was run", argv[0],
                  getenv("L2L_GNUPLOT") ? " at " : "", getenv("L2L_GNUPLOT") ? gnuplot : "");
        l2l_suite_free(&s);
        return L2L_EXIT_BADINPUT;
    }
    if (redirect_checkpoints(&s, out) < 0) {
        l2l_error("l2l: out of memory");
        l2l_suite_free(&s);
        return L2L_EXIT_NOMEM;
    }
    struct run_options ro = {.out_dir = out, .jobs = a.jobs, .train_only = train_only,
                             .quiet = a.quiet || !leader, .require_figures = a.require_figures,
                             .keep_work = 1};
    /* OUT is ours until we return: no other l2l writes it meanwhile. */
    struct l2l_lock lock = {.fd = -1};
    struct stat st;
    int made = leader && stat(out, &st) != 0; /* OUT did not exist: if it stays empty, it goes */
    /* From the first run to the last figure: a signal anywhere in it
     * leaves nothing that looks complete (summary.csv, index.html). */
    l2l_interrupt_catch();
    int rc = l2l_dist_agree(leader ? l2l_out_claim(&s, out, &lock) : 0);
    if (rc == 0)
        rc = l2l_run_suite(&s, &ro);
    l2l_suite_free(&s);
    int wrote = rc == 0 && !train_only && leader;
    if (wrote) {
        char err[L2L_ERRLEN];
        /* The CSV files are complete already; figures are drawn from them. */
        rc = l2l_plot_results(out, a.require_figures, err, sizeof err);
    }
    if (wrote && (rc == L2L_EINTR || l2l_interrupted())) {
        interrupted_late(out);
        rc = L2L_EINTR;
    } else if (wrote) {
        /* The CSV files are complete, figures or not: nothing to resume. */
        int done = l2l_run_done(out);
        rc = rc < 0 ? rc : done;
        if (rc == 0)
            l2l_info("l2l: results in %s/ (summary.csv, curves.csv, figures/, index.html)", out);
    }
    l2l_interrupt_release();
    l2l_lock_release(&lock);
    if (made)
        rmdir(out); /* fails, as it should, unless nothing was written */
    if (rc == 0)
        return 0;
    if (rc == L2L_EINTR)
        return 130; /* the shell's convention for an interrupt */
    if (rc == L2L_EPLUGIN)
        return L2L_EXIT_PLUGIN;
    return rc == L2L_EINPUT ? L2L_EXIT_BADINPUT : rc == L2L_ENOMEM ? L2L_EXIT_NOMEM : 1;
}

/* MPI for the length of the command, when a launcher started us (dist.h). */
static int run_or_train(int argc, char **argv, int train_only)
{
    if (l2l_dist_init(&argc, &argv) < 0)
        return 1;
    int status = run_or_train_body(argc, argv, train_only);
    l2l_dist_finalize(&status);
    return status;
}

int l2l_cmd_run(int argc, char **argv) { return run_or_train(argc, argv, 0); }
int l2l_cmd_train(int argc, char **argv) { return run_or_train(argc, argv, 1); }
