/* stats_judge.c: cost and break-even (timing_break_even.csv, from
 * timing_cost.csv and targets.csv), provenance and the cost table in the
 * report (stats_judge.h); the figures are stats_judge_figures.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "escape.h"
#include "log.h"
#include "plot_csv.h"
#include "stats.h"
#include "stats_judge.h"

int sj_opt_index(const struct pr_results *r, const char *name)
{
    for (int o = 0; o < r->n_opt; o++)
        if (!strcmp(r->opt[o].name, name))
            return o;
    return -1;
}

int sj_exp_index(const struct pr_results *r, const char *name)
{
    for (int e = 0; e < r->n_exp; e++)
        if (!strcmp(r->exp[e].name, name))
            return e;
    return -1;
}

int sj_exists(const char *dir, const char *name)
{
    char path[4200];
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

void sj_put(FILE *f, double x)
{
    fputc(',', f);
    pr_put_num(f, x);
}


/* ------------------------------------------------------- cost */

struct cost {
    int e, o;
    char optimizee[PR_NAME];
    long tune_runs, tune_measured, eval_steps, eval_measured, epochs;
    double tune_cpu, eval_cpu, step_ns, state_bytes, meta_cpu, meta_wall;
    long t;                      /* steps to target (-1: never, -2: no target) */
    char ref[PR_NAME];
};

static int read_costs(const struct pr_results *r, struct cost *c, int *n)
{
    static const char *const cols[] = {"experiment", "optimizee", "optimizer", "tune_runs",
        "tune_runs_measured", "tune_cpu_seconds", "eval_steps", "eval_runs_measured",
        "eval_cpu_seconds", "step_ns_per_param", "state_bytes_per_param", "meta_epochs",
        "meta_cpu_seconds", "meta_wall_seconds", NULL};
    int ix[14], rc;
    struct csv f;
    *n = 0;
    if (csv_open(&f, r->dir, "timing_cost.csv", cols, ix) < 0)
        return L2L_EINPUT;
    while ((rc = csv_next(&f)) > 0 && *n < r->n_exp * r->n_opt) {
        struct cost *k = &c[*n];
        k->e = sj_exp_index(r, csv_str(&f, ix[0]));
        k->o = sj_opt_index(r, csv_str(&f, ix[2]));
        if (k->e < 0 || k->o < 0) {
            l2l_error("%s:%ld: experiment or optimizer not in experiments.csv/optimizers.csv",
                      f.path, f.line);
            rc = L2L_EINPUT;
            break;
        }
        if (csv_copy(&f, ix[1], k->optimizee, sizeof k->optimizee) < 0 ||
            csv_long(&f, ix[3], 0, &k->tune_runs) < 0 || csv_long(&f, ix[4], 0, &k->tune_measured) < 0 ||
            csv_num(&f, ix[5], 0, &k->tune_cpu) < 0 || csv_long(&f, ix[6], 0, &k->eval_steps) < 0 ||
            csv_long(&f, ix[7], 0, &k->eval_measured) < 0 || csv_num(&f, ix[8], 0, &k->eval_cpu) < 0 ||
            csv_num(&f, ix[9], 0, &k->step_ns) < 0 || csv_num(&f, ix[10], 0, &k->state_bytes) < 0 ||
            csv_long(&f, ix[11], 0, &k->epochs) < 0 || csv_num(&f, ix[12], 0, &k->meta_cpu) < 0 ||
            csv_num(&f, ix[13], 0, &k->meta_wall) < 0) {
            rc = L2L_EINPUT;
            break;
        }
        k->t = -2;
        k->ref[0] = 0;
        (*n)++;
    }
    csv_close(&f);
    return rc < 0 ? L2L_EINPUT : 0;
}

static void read_targets(const struct pr_results *r, struct cost *c, int n)
{
    static const char *const cols[] = {"experiment", "optimizer", "reference", "step", NULL};
    int ix[4];
    struct csv f;
    if (csv_open(&f, r->dir, "targets.csv", cols, ix) < 0)
        return;
    while (csv_next(&f) > 0) {
        int e = sj_exp_index(r, csv_str(&f, ix[0])), o = sj_opt_index(r, csv_str(&f, ix[1]));
        long t;
        if (csv_long(&f, ix[3], 1, &t) < 0)
            break;
        for (int k = 0; k < n; k++)
            if (c[k].e == e && c[k].o == o) {
                c[k].t = t;
                l2l_fmt(c[k].ref, sizeof c[k].ref, "%s", csv_str(&f, ix[2]));
            }
    }
    csv_close(&f);
}

/* CPU-seconds of one training step (evaluation runs), NAN when unmeasured. */
static double per_step(const struct cost *k)
{
    return k->eval_measured && k->eval_steps ? k->eval_cpu / ((double)k->eval_measured * (double)k->eval_steps)
                                             : NAN;
}

/* Tuning: the measured runs' mean times every run (some may have been
 * kept from an interrupted run, unmeasured). */
static double tuning(const struct cost *k)
{
    if (!k->tune_runs)
        return 0;
    return k->tune_measured ? k->tune_cpu / (double)k->tune_measured * (double)k->tune_runs : NAN;
}

static double meta(const struct cost *k, const char **clock)
{
    *clock = !isnan(k->meta_cpu) ? "cpu" : !isnan(k->meta_wall) ? "wall" : "";
    return !isnan(k->meta_cpu) ? k->meta_cpu : k->meta_wall;
}

static const struct cost *find_cost(const struct cost *c, int n, int e, const char *opt_name,
                                    const struct pr_results *r)
{
    int o = sj_opt_index(r, opt_name);
    for (int k = 0; k < n; k++)
        if (c[k].e == e && c[k].o == o)
            return &c[k];
    return NULL;
}

int sj_write_break_even(const struct pr_results *r)
{
    if (!sj_exists(r->dir, "timing_cost.csv")) {
        char path[4200];
        l2l_fmt(path, sizeof path, "%s/timing_break_even.csv", r->dir);
        unlink(path); /* an earlier run's, no longer backed by its data */
        return 0;
    }
    int n = 0;
    struct cost *c = calloc((size_t)(r->n_exp * r->n_opt) + 1, sizeof *c);
    if (!c)
        return L2L_ENOMEM;
    int rc = read_costs(r, c, &n);
    if (rc < 0) {
        free(c);
        return rc;
    }
    read_targets(r, c, n);
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "timing_break_even.csv") < 0) {
        free(c);
        return L2L_EIO;
    }
    fputs("experiment,optimizee,optimizer,reference,tuning_cpu_seconds,meta_seconds,meta_clock,"
          "total_seconds,cpu_seconds_per_step,step_ns_per_param,state_bytes_per_param,"
          "steps_to_target,reference_steps_to_target,savings_cpu_seconds,break_even\n", a.f);
    for (int j = 0; j < n; j++) {
        const struct cost *k = &c[j];
        const char *clock;
        double m = r->opt[k->o].learned ? meta(k, &clock) : (clock = "", 0);
        double tu = tuning(k);
        fprintf(a.f, "%s,%s,%s,%s", r->exp[k->e].name, k->optimizee, r->opt[k->o].name, k->ref);
        sj_put(a.f, tu);
        sj_put(a.f, m);
        fprintf(a.f, ",%s", clock);
        sj_put(a.f, tu + m);
        sj_put(a.f, per_step(k));
        sj_put(a.f, k->step_ns);
        sj_put(a.f, k->state_bytes);
        fputc(',', a.f);
        if (k->t >= 0)
            fprintf(a.f, "%ld", k->t);
        const struct cost *ref = k->ref[0] ? find_cost(c, n, k->e, k->ref, r) : NULL;
        fputc(',', a.f);
        if (ref && ref->t >= 0)
            fprintf(a.f, "%ld", ref->t);
        double s = NAN, b = NAN;
        if (r->opt[k->o].learned && ref && k->t != -2)
            b = st_break_even(m, ref->t, per_step(ref), k->t, per_step(k), &s);
        sj_put(a.f, s);
        fputc(',', a.f);
        if (isinf(b))
            fputs("never", a.f);
        else if (!isnan(b))
            fprintf(a.f, "%.6g", b);
        fputc('\n', a.f);
    }
    free(c);
    return l2l_afile_commit(&a);
}

/* ------------------------------------------------------- report */

int sj_transfer(const char *dir, const char *exp, const char *opt, char *why, size_t len)
{
    static const char *const cols[] = {"experiment", "optimizer", "distribution", "differs", NULL};
    int ix[4], found = 0;
    struct csv f;
    why[0] = 0;
    if (!sj_exists(dir, "provenance.csv") || csv_open(&f, dir, "provenance.csv", cols, ix) < 0)
        return 0;
    while (!found && csv_next(&f) > 0)
        if (!strcmp(csv_str(&f, ix[0]), exp) && !strcmp(csv_str(&f, ix[1]), opt) &&
            !strcmp(csv_str(&f, ix[2]), "transfer")) {
            l2l_fmt(why, len, "%s", csv_str(&f, ix[3]));
            found = 1;
        }
    csv_close(&f);
    return found;
}

#define PROVENANCE_NOTE "Where each learned optimizer was meta-trained (from its checkpoint; " \
    "provenance.csv). An experiment is its training distribution when it has the same optimizee " \
    "(plugin and options) and the same number of steps; otherwise it is a transfer, and its " \
    "comparisons say so."

static void provenance(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *), int html)
{
    static const char *const cols[] = {"experiment", "optimizer", "trained_suite",
        "trained_optimizee", "trained_plugin", "trained_steps", "epochs", "seed", "distribution",
        "differs", NULL};
    int ix[10], rows = 0;
    struct csv c;
    if (!sj_exists(r->dir, "provenance.csv") || csv_open(&c, r->dir, "provenance.csv", cols, ix) < 0)
        return;
    while (csv_next(&c) > 0) {
        if (!rows++)
            fputs(html ? "<h2>Provenance</h2>\n<p class=\"note\">" PROVENANCE_NOTE "</p>\n<ul>\n"
                       : "\n## Provenance\n\n" PROVENANCE_NOTE "\n\n", f);
        fputs(html ? "<li>" : "- ", f);
        esc(f, csv_str(&c, ix[1]));
        fputs(" in ", f);
        esc(f, csv_str(&c, ix[0]));
        fputs(": trained on optimizee ", f);
        esc(f, csv_str(&c, ix[3]));
        fputs(" (plugin ", f);
        esc(f, csv_str(&c, ix[4]));
        fputs(") of suite ", f);
        esc(f, csv_str(&c, ix[2]));
        fputs(", ", f);
        esc(f, csv_str(&c, ix[5]));
        fputs(" steps, ", f);
        esc(f, csv_str(&c, ix[6]));
        fputs(" epochs, seed ", f);
        esc(f, csv_str(&c, ix[7]));
        if (!strcmp(csv_str(&c, ix[8]), "transfer")) {
            fputs(html ? ": <strong>transfer</strong> (" : ": **transfer** (", f);
            esc(f, csv_str(&c, ix[9]));
            fputs(")", f);
        } else {
            fputs(": training distribution", f);
        }
        fputs(html ? "</li>\n" : "\n", f);
    }
    if (rows && html)
        fputs("</ul>\n", f);
    csv_close(&c);
}

#define COST_NOTE "Measured on this machine (timing_cost.csv, timing_break_even.csv: they change " \
    "between identical runs). Tuning: CPU-seconds of the tuning runs. Per step: CPU of one " \
    "training step of this optimizee (evaluation runs); step: the optimizer's step() alone, one " \
    "thread, per parameter; state: bytes per parameter."
#define COST_NOTE_LEARNED " Meta-training: from the checkpoint, CPU-seconds, or wall seconds " \
    "(marked) where the checkpoint does not know its CPU time. Break-even: trainings of this " \
    "optimizee whose CPU saved in reaching the target (targets.csv) repays the meta-training; " \
    "never: it does not reach the target sooner."

static void cell(FILE *f, int html, const char *text)
{
    fprintf(f, html ? "<td>%s</td>" : " %s |", text);
}

static void costs(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *), int html)
{
    static const char *const cols[] = {"experiment", "optimizer", "tuning_cpu_seconds",
        "meta_seconds", "meta_clock", "total_seconds", "cpu_seconds_per_step", "step_ns_per_param",
        "state_bytes_per_param", "steps_to_target", "break_even", NULL};
    int ix[11];
    struct csv c;
    if (!sj_exists(r->dir, "timing_break_even.csv") ||
        csv_open(&c, r->dir, "timing_break_even.csv", cols, ix) < 0)
        return;
    char last[PR_NAME] = "";
    int open = 0, learned = 0;
    for (int o = 0; o < r->n_opt; o++)
        learned |= r->opt[o].learned;
    /* Without a learned optimizer, no word of meta-training. */
    fputs(html ? "<h2>Cost</h2>\n<p class=\"note\">" COST_NOTE : "\n## Cost\n\n" COST_NOTE, f);
    fputs(learned ? COST_NOTE_LEARNED : "", f);
    fputs(html ? "</p>\n" : "\n", f);
    while (csv_next(&c) > 0) {
        double v[6];
        for (int k = 0; k < 6; k++)
            if (csv_num(&c, k == 0 ? ix[2] : k == 1 ? ix[3] : ix[3 + k], 1, &v[k]) < 0)
                goto done;
        if (strcmp(last, csv_str(&c, ix[0]))) {
            if (open && html)
                fputs("</table>\n", f);
            l2l_fmt(last, sizeof last, "%s", csv_str(&c, ix[0]));
            fputs(html ? "<h3>" : "\n### ", f);
            esc(f, last);
            static const char *const head[] = {"optimizer", "tuning CPU s", "meta-training s",
                "total s", "CPU ms per step", "step ns per parameter", "state bytes per parameter",
                "steps to target", "break-even trainings"};
            fputs(html ? "</h3>\n<table>\n<tr>" : "\n\n|", f); /* a blank line: Markdown table */
            int cols = 0;
            for (int k = 0; k < 9; k++)
                if (learned || (k != 2 && k != 8)) {
                    fprintf(f, html ? "<th>%s</th>" : " %s |", head[k]);
                    cols++;
                }
            fputs(html ? "</tr>\n" : "\n|", f);
            for (int k = 0; !html && k < cols; k++)
                fputs("---|", f);
            fputs(html ? "" : "\n", f);
            open = 1;
        }
        char t[64];
        fputs(html ? "<tr><td>" : "| ", f);
        esc(f, csv_str(&c, ix[1]));
        fputs(html ? "</td>" : " |", f);
        l2l_fmt(t, sizeof t, "%.3g", v[0]);
        cell(f, html, t);
        l2l_fmt(t, sizeof t, "%.4g%s", v[1], strcmp(csv_str(&c, ix[4]), "wall") ? "" : " (wall)");
        if (learned)
            cell(f, html, v[1] != 0 ? t : "");
        l2l_fmt(t, sizeof t, "%.4g", v[2]);
        cell(f, html, t);
        l2l_fmt(t, sizeof t, "%.3g", 1e3 * v[3]);
        cell(f, html, t);
        l2l_fmt(t, sizeof t, "%.3g", v[4]);
        cell(f, html, t);
        l2l_fmt(t, sizeof t, "%g", v[5]);
        cell(f, html, t);
        /* Fields as read: through esc (a results directory may have been edited). */
        for (int k = 9; k <= 10; k++)
            if (k == 9 || learned) {
                fputs(html ? "<td>" : " ", f);
                esc(f, k == 9 && !csv_str(&c, ix[9])[0] ? "never" : csv_str(&c, ix[k]));
                fputs(html ? "</td>" : " |", f);
            }
        fputs(html ? "</tr>\n" : "\n", f);
    }
done:
    if (open && html)
        fputs("</table>\n", f);
    csv_close(&c);
}

void sj_report(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *), int html)
{
    costs(f, r, esc, html);
    provenance(f, r, esc, html);
}

