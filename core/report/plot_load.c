/* plot_load.c: read a results directory (schema in results.h / README)
 * back into memory for `l2l plot`, checking every row. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "bytes.h"
#include "infile.h"
#include "l2l/plugin.h" /* L2L_ERRLEN */
#include "log.h"
#include "plot_csv.h"
#include "plot_data.h"

#define PR_MAX_OPT 64

struct pr_series *pr_series_at(const struct pr_results *r, int e, int o)
{
    return &r->series[(size_t)e * (size_t)r->n_opt + (size_t)o];
}

static int find_exp(const struct pr_results *r, const struct csv *c, int col)
{
    for (int e = 0; e < r->n_exp; e++)
        if (!strcmp(r->exp[e].name, csv_str(c, col)))
            return e;
    l2l_error("%s:%ld: unknown experiment '%s' (not in experiments.csv)", c->path, c->line,
              csv_str(c, col));
    return L2L_EINPUT;
}

static int find_opt(const struct pr_results *r, const struct csv *c, int col)
{
    for (int o = 0; o < r->n_opt; o++)
        if (!strcmp(r->opt[o].name, csv_str(c, col)))
            return o;
    l2l_error("%s:%ld: unknown optimizer '%s' (not in optimizers.csv)", c->path, c->line,
              csv_str(c, col));
    return L2L_EINPUT;
}

/* The name (first member) of row n of rows differs from every earlier one
 * even ignoring case: each becomes a file name, and two names that a
 * case-insensitive file system confuses would share one file. */
static int check_unique(const struct csv *c, const void *rows, size_t size, int n, const char *what)
{
    const char *name = (const char *)rows + (size_t)n * size;
    for (int k = 0; k < n; k++)
        if (!strcasecmp((const char *)rows + (size_t)k * size, name)) {
            l2l_error("%s:%ld: %s '%s' listed twice (names are compared ignoring case)", c->path,
                      c->line, what, name);
            return L2L_EINPUT;
        }
    return 0;
}

/* Grows *p (of *cap elements of size sz) to hold n + 1. */
static int grow(void **p, int *cap, int n, size_t sz)
{
    if (n < *cap)
        return 0;
    int nc = *cap ? 2 * *cap : 16;
    void *q = realloc(*p, (size_t)nc * sz);
    if (!q)
        return L2L_ENOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

static int load_experiments(struct pr_results *r)
{
    static const char *const cols[] = {"experiment", "optimizee", "steps", "runs", "figure", "title", NULL};
    int ix[6], cap = 0, rc;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, "experiments.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        if ((rc = grow((void **)&r->exp, &cap, r->n_exp, sizeof *r->exp)) < 0)
            break;
        struct pr_exp *x = &r->exp[r->n_exp];
        /* names become file names and gnuplot columns: checked (names.h) */
        if ((rc = csv_name(&c, ix[0], x->name, sizeof x->name)) < 0 ||
            (rc = csv_name(&c, ix[1], x->optimizee, sizeof x->optimizee)) < 0 ||
            (rc = csv_long(&c, ix[2], 0, &x->steps)) < 0 || (rc = csv_long(&c, ix[3], 0, &x->runs)) < 0 ||
            (rc = (*csv_str(&c, ix[4]) ? csv_name : csv_copy)(&c, ix[4], x->figure, sizeof x->figure)) < 0 ||
            (rc = csv_copy(&c, ix[5], x->title, sizeof x->title)) < 0)
            break;
        if (x->runs < 1 || x->runs > 100000 || x->steps > 100000000) {
            l2l_error("%s:%ld: runs %ld, steps %ld: expected 1 to 100000 runs", c.path, c.line,
                      x->runs, x->steps);
            rc = L2L_EINPUT;
            break;
        }
        if (!x->figure[0])
            memcpy(x->figure, x->name, sizeof x->figure);
        if ((rc = check_unique(&c, r->exp, sizeof *r->exp, r->n_exp, "experiment")) < 0)
            break;
        r->n_exp++;
    }
    if (rc == 0 && r->n_exp == 0) {
        l2l_error("%s: no experiments", c.path);
        rc = L2L_EINPUT;
    }
    csv_close(&c);
    return rc;
}

static int load_optimizers(struct pr_results *r)
{
    static const char *const cols[] = {"optimizer", "plugin", "learned", NULL};
    int ix[3], cap = 0, rc;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, "optimizers.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        if (r->n_opt == PR_MAX_OPT) {
            l2l_error("%s:%ld: over %d optimizers", c.path, c.line, PR_MAX_OPT);
            rc = L2L_EINPUT;
            break;
        }
        if ((rc = grow((void **)&r->opt, &cap, r->n_opt, sizeof *r->opt)) < 0)
            break;
        struct pr_opt *o = &r->opt[r->n_opt];
        long learned;
        memset(o, 0, sizeof *o);
        if ((rc = csv_name(&c, ix[0], o->name, sizeof o->name)) < 0 ||
            (rc = csv_name(&c, ix[1], o->plugin, sizeof o->plugin)) < 0 ||
            (rc = csv_long(&c, ix[2], 0, &learned)) < 0)
            break;
        o->learned = learned != 0;
        if ((rc = check_unique(&c, r->opt, sizeof *r->opt, r->n_opt, "optimizer")) < 0)
            break;
        r->n_opt++;
    }
    if (rc == 0 && r->n_opt == 0) {
        l2l_error("%s: no optimizers", c.path);
        rc = L2L_EINPUT;
    }
    csv_close(&c);
    return rc;
}

/* Curve points held in memory at most (8 bytes each): a doctored
 * experiments.csv may declare 100000 runs of 1e8 steps. */
#define PR_MAX_POINTS (1L << 26)

static int alloc_series(struct pr_results *r)
{
    double points = 0;
    for (int e = 0; e < r->n_exp; e++)
        points += (double)r->exp[e].runs * (double)(r->exp[e].steps + 1) * r->n_opt;
    if (points > (double)PR_MAX_POINTS) {
        l2l_error("%s/experiments.csv: runs x (steps + 1) x %d optimizers = %.0f curve points, "
                  "over %ld: too many to plot", r->dir, r->n_opt, points, PR_MAX_POINTS);
        return L2L_EINPUT;
    }
    r->series = calloc((size_t)r->n_exp * (size_t)r->n_opt, sizeof *r->series);
    if (!r->series)
        return L2L_ENOMEM;
    for (int e = 0; e < r->n_exp; e++)
        for (int o = 0; o < r->n_opt; o++) {
            struct pr_series *s = pr_series_at(r, e, o);
            s->runs = r->exp[e].runs;
            s->steps = r->exp[e].steps;
            s->loss = malloc(sizeof(double) * (size_t)s->runs * (size_t)(s->steps + 1));
            s->accuracy = malloc(sizeof(double) * (size_t)s->runs);
            s->seen = calloc((size_t)s->runs, sizeof(int));
            s->next = calloc((size_t)s->runs, sizeof(long));
            s->runs_line = calloc((size_t)s->runs, sizeof(long));
            s->diverged = calloc((size_t)s->runs, sizeof(long));
            s->final = calloc((size_t)s->runs, sizeof(double));
            if (!s->loss || !s->accuracy || !s->seen || !s->next || !s->runs_line || !s->diverged ||
                !s->final)
                return L2L_ENOMEM;
            for (long k = 0; k < s->runs * (s->steps + 1); k++)
                s->loss[k] = NAN;
            for (long k = 0; k < s->runs; k++)
                s->accuracy[k] = NAN;
        }
    return 0;
}

/* A run and step within the experiment's declared ranges. */
static int check_run(const struct csv *c, const struct pr_series *s, long run, long step)
{
    if (run >= s->runs || step > s->steps) {
        l2l_error("%s:%ld: run %ld step %ld: expected run < %ld and step <= %ld (experiments.csv)",
                  c->path, c->line, run, step, s->runs, s->steps);
        return L2L_EINPUT;
    }
    return 0;
}

/* "run 3 of optimizer sgd in experiment e": who a consistency message is about. */
static void run_name(const struct pr_results *r, int e, int o, long run, char *buf, size_t len)
{
    l2l_fmt(buf, len, "run %ld of optimizer %s in experiment %s", run, r->opt[o].name,
            r->exp[e].name);
}

/* One row of curves.csv: a run of runs.csv, the next step of that run
 * (rows of a run are written in step order), not after the run ended. */
static int check_row(const struct csv *c, const struct pr_results *r, int e, int o, long run,
                     long step)
{
    const struct pr_series *s = pr_series_at(r, e, o);
    char who[3 * PR_NAME + 64];
    run_name(r, e, o, run, who, sizeof who);
    long next = s->next[run];
    if (!s->runs_line[run]) {
        l2l_error("%s:%ld: %s is not in runs.csv", c->path, c->line, who);
        return L2L_EINPUT;
    }
    if (next > 0 && !isfinite(s->loss[run * (s->steps + 1) + next - 1])) {
        l2l_error("%s:%ld: step %ld of %s, which ended at step %ld (a non-finite loss)", c->path,
                  c->line, step, who, next - 1);
        return L2L_EINPUT;
    }
    if (step < next) {
        l2l_error("%s:%ld: step %ld of %s appears twice", c->path, c->line, step, who);
        return L2L_EINPUT;
    }
    if (step > next) {
        l2l_error("%s:%ld: step %ld of %s follows step %ld: steps missing", c->path, c->line,
                  step, who, next - 1);
        return L2L_EINPUT;
    }
    return 0;
}

/* Every run of runs.csv has all its steps in curves.csv, up to the last or
 * to its divergence, as runs.csv says. */
static int check_curves_complete(const struct csv *c, const struct pr_results *r)
{
    for (int e = 0; e < r->n_exp; e++)
        for (int o = 0; o < r->n_opt; o++) {
            const struct pr_series *s = pr_series_at(r, e, o);
            for (long run = 0; run < s->runs; run++) {
                if (!s->runs_line[run])
                    continue;
                char who[3 * PR_NAME + 64];
                run_name(r, e, o, run, who, sizeof who);
                long next = s->next[run], div = s->diverged[run];
                int ended = next > 0 && !isfinite(s->loss[run * (s->steps + 1) + next - 1]);
                if (div >= 0 && (!ended || next - 1 != div)) {
                    l2l_error("%s:%ld: %s: runs.csv:%ld says it diverged at step %ld; curves.csv has "
                              "steps 0 to %ld%s (cut short?)", c->path, c->line, who, s->runs_line[run],
                              div, next - 1, ended ? ", diverged there" : "");
                    return L2L_EINPUT;
                }
                if (div < 0 && next == 0) {
                    l2l_error("%s:%ld: no rows for %s (runs.csv:%ld); cut short?", c->path, c->line,
                              who, s->runs_line[run]);
                    return L2L_EINPUT;
                }
                if (div < 0 && (ended || next != s->steps + 1)) {
                    l2l_error("%s:%ld: %s has steps 0 to %ld%s, expected 0 to %ld (runs.csv:%ld; "
                              "experiments.csv); cut short?", c->path, c->line, who, next - 1,
                              ended ? " and diverged there" : "", s->steps, s->runs_line[run]);
                    return L2L_EINPUT;
                }
                double last = s->loss[run * (s->steps + 1) + s->steps];
                if (div < 0 && !isnan(s->final[run]) && s->final[run] != last) {
                    l2l_error("%s:%ld: %s ends with loss %.9g, but runs.csv:%ld says final_loss "
                              "%.9g", c->path, c->line, who, last, s->runs_line[run], s->final[run]);
                    return L2L_EINPUT;
                }
            }
        }
    return 0;
}

static int load_curves(struct pr_results *r)
{
    static const char *const cols[] = {"experiment", "optimizer", "run", "step", "loss", NULL};
    int ix[5], rc;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, "curves.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        int e = find_exp(r, &c, ix[0]), o = e < 0 ? e : find_opt(r, &c, ix[1]);
        long run, step;
        double loss;
        if ((rc = o) < 0 || (rc = csv_long(&c, ix[2], 0, &run)) < 0 ||
            (rc = csv_long(&c, ix[3], 0, &step)) < 0 || (rc = csv_num(&c, ix[4], 0, &loss)) < 0)
            break;
        struct pr_series *s = pr_series_at(r, e, o);
        if ((rc = check_run(&c, s, run, step)) < 0 ||
            (rc = check_row(&c, r, e, o, run, step)) < 0)
            break;
        double *row = s->loss + run * (s->steps + 1);
        s->seen[run] = 1;
        s->next[run]++;
        row[step] = loss;
        /* A diverged run stops at its first non-finite loss: it stays
         * diverged (+inf) for the rest of the horizon. */
        if (!isfinite(loss))
            for (long t = step; t <= s->steps; t++)
                row[t] = INFINITY;
    }
    if (rc == 0)
        rc = check_curves_complete(&c, r);
    csv_close(&c);
    return rc;
}

static int load_runs(struct pr_results *r)
{
    static const char *const cols[] = {"experiment", "optimizer", "run", "?eval_accuracy",
                                       "?diverged_step", "?final_loss", NULL};
    int ix[6], rc;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, "runs.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        int e = find_exp(r, &c, ix[0]), o = e < 0 ? e : find_opt(r, &c, ix[1]);
        long run, div = -1;
        double acc, final;
        if ((rc = o) < 0 || (rc = csv_long(&c, ix[2], 0, &run)) < 0 ||
            (rc = csv_num(&c, ix[3], 1, &acc)) < 0 || (rc = csv_long(&c, ix[4], 1, &div)) < 0 ||
            (rc = csv_num(&c, ix[5], 1, &final)) < 0)
            break;
        struct pr_series *s = pr_series_at(r, e, o);
        if ((rc = check_run(&c, s, run, div < 0 ? 0 : div)) < 0)
            break;
        if (s->runs_line[run]) {
            char who[3 * PR_NAME + 64];
            run_name(r, e, o, run, who, sizeof who);
            l2l_error("%s:%ld: %s appears twice (first at line %ld)", c.path, c.line, who,
                      s->runs_line[run]);
            rc = L2L_EINPUT;
            break;
        }
        s->runs_line[run] = c.line;
        s->diverged[run] = div;
        s->final[run] = final;
        s->n_listed++;
        s->accuracy[run] = acc;
    }
    /* An optimizer of an experiment has all the runs experiments.csv says, or none. */
    for (int e = 0; rc == 0 && e < r->n_exp; e++)
        for (int o = 0; rc == 0 && o < r->n_opt; o++) {
            const struct pr_series *s = pr_series_at(r, e, o);
            for (long run = 0; s->n_listed && run < s->runs; run++)
                if (!s->runs_line[run]) {
                    char who[3 * PR_NAME + 64];
                    run_name(r, e, o, run, who, sizeof who);
                    l2l_error("%s:%ld: no row for %s (experiments.csv: %ld runs); cut short?",
                              c.path, c.line, who, s->runs);
                    rc = L2L_EINPUT;
                    break;
                }
        }
    csv_close(&c);
    return rc;
}

static int load_tuning(struct pr_results *r)
{
    static const char *const cols[] = {"experiment", "optimizer", "param", "value",
                                       "mean_final_loss", "diverged_runs", "chosen", NULL};
    int ix[7], cap = 0, rc;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, "tuning.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        if ((rc = grow((void **)&r->tune, &cap, r->n_tune, sizeof *r->tune)) < 0)
            break;
        struct pr_tune *t = &r->tune[r->n_tune];
        long chosen;
        if ((rc = t->exp = find_exp(r, &c, ix[0])) < 0 || (rc = t->opt = find_opt(r, &c, ix[1])) < 0 ||
            (rc = csv_name(&c, ix[2], t->param, sizeof t->param)) < 0 ||
            (rc = csv_num(&c, ix[3], 0, &t->value)) < 0 ||
            (rc = csv_num(&c, ix[4], 0, &t->mean_final_loss)) < 0 ||
            (rc = csv_long(&c, ix[5], 0, &t->diverged_runs)) < 0 ||
            (rc = csv_long(&c, ix[6], 0, &chosen)) < 0)
            break;
        t->chosen = chosen != 0;
        r->n_tune++;
    }
    csv_close(&c);
    return rc;
}

/* wall_seconds from summary.csv, or else from timing.csv when present. */
static int load_timing(struct pr_results *r)
{
    static const char *const cols[] = {"experiment", "optimizer", "wall_seconds", NULL};
    int ix[3], rc;
    struct csv c;
    char path[4096];
    l2l_fmt(path, sizeof path, "%s/timing.csv", r->dir);
    if (access(path, F_OK) != 0) /* optional; opening would wait on a FIFO */
        return 0;
    if ((rc = csv_open(&c, r->dir, "timing.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        int e = find_exp(r, &c, ix[0]), o = e < 0 ? e : find_opt(r, &c, ix[1]);
        double wall;
        if ((rc = o) < 0 || (rc = csv_num(&c, ix[2], 1, &wall)) < 0)
            break;
        for (int k = 0; k < r->n_sum; k++)
            if (r->sum[k].exp == e && r->sum[k].opt == o && isnan(r->sum[k].wall))
                r->sum[k].wall = wall;
    }
    csv_close(&c);
    return rc;
}

static int load_summary(struct pr_results *r)
{
    static const char *const cols[] = {"experiment", "optimizer", "runs", "diverged", "final_median",
                                       "final_q1", "final_q3", "eval_accuracy_median",
                                       "eval_accuracy_q1", "eval_accuracy_q3", "tuned",
                                       "hyperparameters", "?wall_seconds", NULL};
    int ix[13], cap = 0, rc;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, "summary.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        if ((rc = grow((void **)&r->sum, &cap, r->n_sum, sizeof *r->sum)) < 0)
            break;
        struct pr_summary *s = &r->sum[r->n_sum];
        long tuned;
        if ((rc = s->exp = find_exp(r, &c, ix[0])) < 0 || (rc = s->opt = find_opt(r, &c, ix[1])) < 0 ||
            (rc = csv_long(&c, ix[2], 0, &s->runs)) < 0 || (rc = csv_long(&c, ix[3], 0, &s->diverged)) < 0 ||
            (rc = csv_num(&c, ix[4], 0, &s->final_median)) < 0 ||
            (rc = csv_num(&c, ix[5], 0, &s->final_q1)) < 0 || (rc = csv_num(&c, ix[6], 0, &s->final_q3)) < 0 ||
            (rc = csv_num(&c, ix[7], 1, &s->acc_median)) < 0 || (rc = csv_num(&c, ix[8], 1, &s->acc_q1)) < 0 ||
            (rc = csv_num(&c, ix[9], 1, &s->acc_q3)) < 0 || (rc = csv_long(&c, ix[10], 0, &tuned)) < 0 ||
            (rc = csv_copy(&c, ix[11], s->hyper, sizeof s->hyper)) < 0 ||
            (rc = csv_num(&c, ix[12], 1, &s->wall)) < 0)
            break;
        s->tuned = tuned != 0;
        r->n_sum++;
        struct pr_series *ser = pr_series_at(r, s->exp, s->opt);
        if (ser->summary_line || !ser->n_listed || s->runs != ser->n_listed) {
            l2l_error("%s:%ld: experiment %s, optimizer %s: %s", c.path, c.line, r->exp[s->exp].name,
                      r->opt[s->opt].name, ser->summary_line ? "appears twice"
                      : !ser->n_listed ? "no runs in runs.csv" : "runs differs from runs.csv's count");
            rc = L2L_EINPUT;
            break;
        }
        ser->summary_line = c.line;
    }
    for (int k = 0; rc == 0 && k < r->n_exp * r->n_opt; k++)
        if (r->series[k].n_listed && !r->series[k].summary_line) {
            l2l_error("%s:%ld: no row for experiment %s, optimizer %s (runs.csv has its runs); cut "
                      "short?", c.path, c.line, r->exp[k / r->n_opt].name, r->opt[k % r->n_opt].name);
            rc = L2L_EINPUT;
        }
    csv_close(&c);
    return rc < 0 ? rc : load_timing(r);
}

/* meta_<opt>.csv is optional; when present it must parse. */
static int load_meta(struct pr_results *r, struct pr_opt *o)
{
    static const char *const cols[] = {"epoch", "meta_loss", "valid_loss", "?best_valid_loss", NULL};
    char name[PR_NAME + 16], path[4096];
    l2l_fmt(name, sizeof name, "meta_%s.csv", o->name);
    l2l_fmt(path, sizeof path, "%s/%s", r->dir, name);
    if (access(path, F_OK) != 0) /* optional; opening would wait on a FIFO */
        return 0;
    int ix[4], rc;
    long rows = 0;
    o->meta_lo = INFINITY;
    o->meta_hi = -INFINITY;
    o->meta_logy = 1;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, name, cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        long epoch;
        double v[3];
        if ((rc = csv_long(&c, ix[0], 0, &epoch)) < 0 || (rc = csv_num(&c, ix[1], 1, &v[0])) < 0 ||
            (rc = csv_num(&c, ix[2], 1, &v[1])) < 0 || (rc = csv_num(&c, ix[3], 1, &v[2])) < 0)
            break;
        for (int k = 0; k < 3; k++)
            if (isfinite(v[k])) {
                o->meta_lo = fmin(o->meta_lo, v[k]);
                o->meta_hi = fmax(o->meta_hi, v[k]);
                o->meta_logy &= v[k] > 0;
            }
        rows++;
    }
    csv_close(&c);
    o->has_meta = rc == 0 && rows > 0;
    o->meta_best = ix[3] >= 0;
    return rc;
}

/* `l2l run` ends every line of its files: a last line without its end is
 * a file cut short, whose last number may have lost digits. A file that
 * cannot be opened is left to csv_open to report. */
static int check_ends(const char *dir)
{
    static const char *const names[] = {"experiments.csv", "optimizers.csv", "runs.csv",
                                        "curves.csv", "tuning.csv", "summary.csv", "timing.csv"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[4200];
        l2l_fmt(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *f;
        char why[L2L_ERRLEN];
        if (l2l_fopen_input(path, &f, NULL, why, sizeof why) < 0) /* a FIFO is never opened blocking */
            continue;
        int cut = fseek(f, -1, SEEK_END) == 0 && fgetc(f) != '\n';
        fclose(f);
        if (cut) {
            l2l_error("%s: the last line has no end of line: the file was cut short", path);
            return L2L_EINPUT;
        }
    }
    return 0;
}

int pr_load(const char *dir, struct pr_results *r)
{
    memset(r, 0, sizeof *r);
    l2l_fmt(r->dir, sizeof r->dir, "%s", dir);
    int rc;
    if ((rc = check_ends(dir)) < 0 || (rc = load_experiments(r)) < 0 || (rc = load_optimizers(r)) < 0 ||
        (rc = alloc_series(r)) < 0 || (rc = load_runs(r)) < 0 || (rc = load_curves(r)) < 0 ||
        (rc = load_tuning(r)) < 0 || (rc = load_summary(r)) < 0)
        goto fail;
    for (int o = 0; o < r->n_opt; o++)
        if ((rc = load_meta(r, &r->opt[o])) < 0)
            goto fail;
    char path[4096];
    l2l_fmt(path, sizeof path, "%s/manifest.ini", dir);
    char err[L2L_ERRLEN];
    if ((rc = l2l_read_text(path, L2L_TEXT_MAX, &r->manifest, err, sizeof err)) < 0) {
        l2l_error("%s", err); /* missing: the report says so */
        goto fail;
    }
    return 0;
fail:
    if (rc == L2L_ENOMEM)
        l2l_error("l2l: out of memory reading %s", dir);
    pr_free(r);
    return rc;
}

void pr_free(struct pr_results *r)
{
    if (r->series)
        for (int k = 0; k < r->n_exp * r->n_opt; k++) {
            free(r->series[k].loss);
            free(r->series[k].accuracy);
            free(r->series[k].seen);
            free(r->series[k].next);
            free(r->series[k].runs_line);
            free(r->series[k].diverged);
            free(r->series[k].final);
        }
    free(r->series);
    free(r->exp);
    free(r->opt);
    free(r->tune);
    free(r->sum);
    free(r->manifest);
    memset(r, 0, sizeof *r);
}
