/* stats_judge.c: cost and break-even, horizon and trace figures,
 * provenance (stats_judge.h), read from timing_cost.csv, targets.csv,
 * horizons.csv, trace.csv, trace_pairs.csv and provenance.csv. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "escape.h"
#include "log.h"
#include "plot_csv.h"
#include "plot_scripts.h"
#include "stats.h"
#include "stats_judge.h"

#define MAX_HORIZONS 32       /* suites allow 16 (suite.h) */

static int opt_index(const struct pr_results *r, const char *name)
{
    for (int o = 0; o < r->n_opt; o++)
        if (!strcmp(r->opt[o].name, name))
            return o;
    return -1;
}

static int exp_index(const struct pr_results *r, const char *name)
{
    for (int e = 0; e < r->n_exp; e++)
        if (!strcmp(r->exp[e].name, name))
            return e;
    return -1;
}

static int exists(const char *dir, const char *name)
{
    char path[4200];
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
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
        k->e = exp_index(r, csv_str(&f, ix[0]));
        k->o = opt_index(r, csv_str(&f, ix[2]));
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
        int e = exp_index(r, csv_str(&f, ix[0])), o = opt_index(r, csv_str(&f, ix[1]));
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
    int o = opt_index(r, opt_name);
    for (int k = 0; k < n; k++)
        if (c[k].e == e && c[k].o == o)
            return &c[k];
    return NULL;
}

static void put(FILE *f, double x)
{
    fputc(',', f);
    pr_put_num(f, x);
}

static int write_break_even(const struct pr_results *r)
{
    if (!exists(r->dir, "timing_cost.csv")) {
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
        put(a.f, tu);
        put(a.f, m);
        fprintf(a.f, ",%s", clock);
        put(a.f, tu + m);
        put(a.f, per_step(k));
        put(a.f, k->step_ns);
        put(a.f, k->state_bytes);
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
        put(a.f, s);
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

/* ------------------------------------------------------- horizons */

struct hrow {
    int e, o;
    long h, steps;
    double loss;
};

static int cmp_hrow(const void *a, const void *b)
{
    const struct hrow *x = a, *y = b;
    if (x->e != y->e)
        return x->e - y->e;
    if (x->o != y->o)
        return x->o - y->o;
    return (x->h > y->h) - (x->h < y->h);
}

static int read_horizons(const struct pr_results *r, struct hrow **out, long *n)
{
    static const char *const cols[] = {"experiment", "optimizer", "horizon", "steps", "final_loss", NULL};
    int ix[5], rc;
    long cap = 0;
    struct csv f;
    *out = NULL;
    *n = 0;
    if (csv_open(&f, r->dir, "horizons.csv", cols, ix) < 0)
        return L2L_EINPUT;
    while ((rc = csv_next(&f)) > 0) {
        if (*n == cap) {
            struct hrow *g = realloc(*out, sizeof *g * (size_t)(cap = cap ? 2 * cap : 256));
            if (!g) {
                rc = L2L_ENOMEM;
                break;
            }
            *out = g;
        }
        struct hrow *h = &(*out)[*n];
        h->e = exp_index(r, csv_str(&f, ix[0]));
        h->o = opt_index(r, csv_str(&f, ix[1]));
        if (h->e < 0 || h->o < 0 || csv_long(&f, ix[2], 0, &h->h) < 0 ||
            csv_long(&f, ix[3], 0, &h->steps) < 0 || csv_num(&f, ix[4], 0, &h->loss) < 0) {
            if (h->e < 0 || h->o < 0)
                l2l_error("%s:%ld: experiment or optimizer not in experiments.csv/optimizers.csv",
                          f.path, f.line);
            rc = L2L_EINPUT;
            break;
        }
        if (isnan(h->loss))
            h->loss = INFINITY; /* diverged */
        (*n)++;
    }
    csv_close(&f);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        return rc;
    }
    qsort(*out, (size_t)*n, sizeof **out, cmp_hrow);
    return 0;
}

/* figures/data/horizon_<exp>.csv: steps, then per optimizer median, q1, q3
 * of the final loss over runs (+inf: diverged), and its figure. */
static int horizon_figure(const struct pr_results *r, int e, const struct hrow *h, long n,
                          const char *figdir, const char *datadir, struct pg_list *list)
{
    long steps[MAX_HORIZONS], ns = 0;
    int opts[64], no = 0;
    for (long k = 0; k < n; k++) {
        if (h[k].e != e)
            continue;
        int seen = 0;
        for (int j = 0; j < no; j++)
            seen |= opts[j] == h[k].o;
        if (!seen && no < 64)
            opts[no++] = h[k].o;
        seen = 0;
        for (long j = 0; j < ns; j++)
            seen |= steps[j] == h[k].steps;
        if (!seen && ns < MAX_HORIZONS)
            steps[ns++] = h[k].steps;
    }
    if (!no)
        return 0;
    for (long a = 1; a < ns; a++) /* insertion sort: a few horizons */
        for (long b = a; b > 0 && steps[b - 1] > steps[b]; b--) {
            long t = steps[b];
            steps[b] = steps[b - 1];
            steps[b - 1] = t;
        }
    char safe[PR_NAME], name[PR_NAME + 32], data[PR_NAME + 64], cap[512], title[512];
    pr_safe_name(r->exp[e].name, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "horizon_%s", safe);
    l2l_fmt(data, sizeof data, "%s.csv", name);
    double *v = malloc(sizeof(double) * (size_t)(n + 1)), lo = INFINITY, hi = -INFINITY;
    struct atomic_file a;
    if (!v)
        return L2L_ENOMEM;
    if (l2l_afile_open(&a, datadir, data) < 0) {
        free(v);
        return L2L_EIO;
    }
    fputs("steps", a.f);
    for (int j = 0; j < no; j++)
        fprintf(a.f, ",%s_median,%s_q1,%s_q3", r->opt[opts[j]].name, r->opt[opts[j]].name,
                r->opt[opts[j]].name);
    fputc('\n', a.f);
    for (long s = 0; s < ns; s++) {
        fprintf(a.f, "%ld", steps[s]);
        for (int j = 0; j < no; j++) {
            long m = 0;
            for (long k = 0; k < n; k++)
                if (h[k].e == e && h[k].o == opts[j] && h[k].steps == steps[s])
                    v[m++] = h[k].loss;
            pr_sort(v, m);
            double q[3] = {l2l_quantile(v, m, 0.5), l2l_quantile(v, m, 0.25), l2l_quantile(v, m, 0.75)};
            for (int i = 0; i < 3; i++) {
                if (!m)
                    q[i] = NAN;
                put(a.f, q[i]);
                if (isfinite(q[i]) && q[i] > 0) {
                    lo = fmin(lo, q[i]);
                    hi = fmax(hi, q[i]);
                }
            }
        }
        fputc('\n', a.f);
    }
    free(v);
    if (l2l_afile_commit(&a) < 0)
        return L2L_EIO;
    l2l_fmt(data, sizeof data, "data/%s.csv", name);
    FILE *f = pg_script_open(&a, r, figdir, name, "final loss against the number of steps run "
                             "(median and IQR over runs)", data, 900, 600);
    if (!f)
        return L2L_EIO;
    double plo = 0.1, phi = 10;
    if (lo <= hi)
        pg_range(lo, hi, 1, 0.06, &plo, &phi);
    l2l_fmt(title, sizeof title, "Horizons on %s\nfinal loss after k x %ld steps (tuned at %ld), "
            "median and IQR over runs", r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name,
            r->exp[e].steps, r->exp[e].steps);
    fputs("set title ", f);
    l2l_esc_gnuplot(f, title);
    fprintf(f, "\nset xlabel \"steps run (log scale)\"\nset ylabel \"final training loss (log "
               "scale)\"\nset logscale xy\nset xrange [%g:%g]\nset yrange [%.6g:%.6g]\n"
               "set format y \"%%g\"\nset grid xtics ytics lc rgb \"#dddddd\"\n"
               "set key outside below center horizontal reverse Left samplen 3\nset xtics (",
            (double)steps[0] / 1.3, (double)steps[ns - 1] * 1.3, plo, phi);
    for (long s = 0; s < ns; s++)
        fprintf(f, "%s\"%ld\" %ld", s ? ", " : "", steps[s], steps[s]);
    fputs(")\n", f);
    pg_log_tics(f, "y", plo, phi);
    fputs("plot \\\n", f);
    for (int j = 0; j < no; j++) {
        int c = 2 + 3 * j;
        fprintf(f, "%s  \"%s\" using 1:(fin(column(%d)) ? column(%d) : NaN):(fin(column(%d)) ? "
                   "column(%d) : NaN):(fin(column(%d)) ? column(%d) : %g) with yerrorlines ls %d "
                   "pt 7 title ", j ? ", \\\n" : "", data, c, c, c + 1, c + 1, c + 2, c + 2, phi,
                opts[j] + 1);
        l2l_esc_gnuplot(f, r->opt[opts[j]].name);
    }
    fputc('\n', f);
    if (pg_script_close(&a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Horizons on %s: final training loss after k times the %ld steps "
            "the optimizers were tuned (and the learned ones meta-trained) for, median and "
            "interquartile range over runs (horizons.csv).", r->exp[e].name, r->exp[e].steps);
    return pg_list_add(list, PG_TUNING, e, name, cap);
}

/* ------------------------------------------------------- traces */

struct trow {
    int o;
    long step;
    double v[3];                 /* step_ratio, cosine, against */
};

/* trace_<exp>: the three statistics against step, one panel each, every
 * optimizer; data figures/data/trace_<exp>.csv (step, then per optimizer
 * its three columns). */
static int trace_figure(const struct pr_results *r, int e, const char *figdir,
                        const char *datadir, struct pg_list *list)
{
    static const char *const cols[] = {"experiment", "optimizer", "step", "step_ratio", "cosine",
                                       "against", NULL};
    int ix[6], rc = 0, opts[64], no = 0;
    long steps = r->exp[e].steps;
    double *v = malloc(sizeof(double) * (size_t)(64 * 3) * (size_t)(steps + 1));
    struct csv f;
    if (!v)
        return L2L_ENOMEM;
    for (long k = 0; k < 64 * 3 * (steps + 1); k++)
        v[k] = NAN;
    if (csv_open(&f, r->dir, "trace.csv", cols, ix) < 0) {
        free(v);
        return L2L_EINPUT;
    }
    while ((rc = csv_next(&f)) > 0) {
        if (exp_index(r, csv_str(&f, ix[0])) != e)
            continue;
        int o = opt_index(r, csv_str(&f, ix[1])), j;
        long t;
        for (j = 0; j < no && opts[j] != o; j++)
            ;
        if (o < 0 || csv_long(&f, ix[2], 0, &t) < 0 || t > steps) {
            l2l_error("%s:%ld: an optimizer not in optimizers.csv, or a step beyond the experiment's",
                      f.path, f.line);
            rc = L2L_EINPUT;
            break;
        }
        if (j == no && no < 64)
            opts[no++] = o;
        if (j == 64)
            continue;
        for (int c = 0; c < 3; c++)
            if (csv_num(&f, ix[3 + c], 0, &v[(t * 64 + j) * 3 + c]) < 0)
                rc = L2L_EINPUT;
        if (rc < 0)
            break;
    }
    csv_close(&f);
    if (rc < 0 || !no) {
        free(v);
        return rc < 0 ? rc : 0;
    }
    char safe[PR_NAME], name[PR_NAME + 32], data[PR_NAME + 64], cap[512];
    pr_safe_name(r->exp[e].name, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "trace_%s", safe);
    l2l_fmt(data, sizeof data, "%s.csv", name);
    struct atomic_file a;
    if (l2l_afile_open(&a, datadir, data) < 0) {
        free(v);
        return L2L_EIO;
    }
    fputs("step", a.f);
    for (int j = 0; j < no; j++)
        fprintf(a.f, ",%s_ratio,%s_cosine,%s_against", r->opt[opts[j]].name, r->opt[opts[j]].name,
                r->opt[opts[j]].name);
    fputc('\n', a.f);
    for (long t = 0; t < steps; t++) {
        fprintf(a.f, "%ld", t);
        for (int j = 0; j < no; j++)
            for (int c = 0; c < 3; c++)
                put(a.f, v[(t * 64 + j) * 3 + c]);
        fputc('\n', a.f);
    }
    free(v);
    if (l2l_afile_commit(&a) < 0)
        return L2L_EIO;
    l2l_fmt(data, sizeof data, "data/%s.csv", name);
    FILE *g = pg_script_open(&a, r, figdir, name, "update statistics of the first run against step",
                             data, 1200, 480);
    if (!g)
        return L2L_EIO;
    static const char *const panel[] = {"effective step |Δθ| / |∇| (log scale)",
                                        "cos(Δθ, −∇)", "fraction of coordinates moving along +∇"};
    fputs("set multiplot layout 1,3 title ", g);
    l2l_esc_gnuplot(g, r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name);
    fputs("\nset grid xtics ytics lc rgb \"#dddddd\"\nset xlabel \"step\"\nset key bottom left "
          "opaque samplen 2 font \",9\"\n", g);
    for (int c = 0; c < 3; c++) {
        fputs("set title ", g);
        l2l_esc_gnuplot(g, panel[c]);
        fprintf(g, "\n%s\n%s\nplot \\\n", c == 0 ? "set logscale y\nset format y \"%g\"" : "unset logscale y",
                c == 1 ? "set yrange [-1.05:1.05]" : c == 2 ? "set yrange [-0.02:1.02]" : "set autoscale y");
        for (int j = 0; j < no; j++) {
            int col = 2 + 3 * j + c;
            if (c == 0)
                fprintf(g, "%s  \"%s\" using 1:(fin(column(%d)) && column(%d) > 0 ? column(%d) : NaN) "
                           "with lines ls %d ", j ? ", \\\n" : "", data, col, col, col, opts[j] + 1);
            else
                fprintf(g, "%s  \"%s\" using 1:(fin(column(%d)) ? column(%d) : NaN) with lines ls %d ",
                        j ? ", \\\n" : "", data, col, col, opts[j] + 1);
            if (c == 1) { /* one key, where the lines leave the bottom left free */
                fputs("title ", g);
                l2l_esc_gnuplot(g, r->opt[opts[j]].name);
            } else {
                fputs("notitle", g);
            }
        }
        fputc('\n', g);
    }
    fputs("unset multiplot\n", g);
    if (pg_script_close(&a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Update traces on %s, first evaluation run: the effective step "
            "|Δθ|/|∇|, the cosine of Δθ with −∇ and the fraction of coordinates moving along +∇ "
            "(against descent), per step (trace.csv).", r->exp[e].name);
    return pg_list_add(list, PG_TUNING, e, name, cap);
}

/* The scatter is drawn for the learned optimizers beside adam and nag. */
static int scattered(const struct pr_results *r, int o)
{
    return r->opt[o].learned || !strcmp(r->opt[o].plugin, "adam") || !strcmp(r->opt[o].plugin, "nag");
}

/* trace_pairs_<exp>: Δθ_i against ∇_i for the sampled coordinates over
 * every step, one panel per optimizer; data figures/data/trace_pairs_<exp>.csv
 * (row, then per optimizer its grad and update columns, rows in the order
 * of trace_pairs.csv). */
static int pairs_figure(const struct pr_results *r, int e, const char *figdir,
                        const char *datadir, struct pg_list *list)
{
    static const char *const cols[] = {"experiment", "optimizer", "grad", "update", NULL};
    int ix[4], rc = 0, opts[8], no = 0;
    long n[8] = {0}, cap = 0;
    double *g[8] = {0}, *u[8] = {0};
    struct csv f;
    if (csv_open(&f, r->dir, "trace_pairs.csv", cols, ix) < 0)
        return L2L_EINPUT;
    cap = 64 * (r->exp[e].steps + 1);
    while ((rc = csv_next(&f)) > 0) {
        int o = opt_index(r, csv_str(&f, ix[1])), j;
        if (exp_index(r, csv_str(&f, ix[0])) != e || o < 0 || !scattered(r, o))
            continue;
        for (j = 0; j < no && opts[j] != o; j++)
            ;
        if (j == no) {
            if (no == 8)
                continue;
            opts[no++] = o;
            g[j] = malloc(sizeof(double) * (size_t)cap);
            u[j] = malloc(sizeof(double) * (size_t)cap);
            if (!g[j] || !u[j]) {
                rc = L2L_ENOMEM;
                break;
            }
        }
        if (n[j] == cap)
            continue;
        if (csv_num(&f, ix[2], 0, &g[j][n[j]]) < 0 || csv_num(&f, ix[3], 0, &u[j][n[j]]) < 0) {
            rc = L2L_EINPUT;
            break;
        }
        n[j]++;
    }
    csv_close(&f);
    char safe[PR_NAME], name[PR_NAME + 32], data[PR_NAME + 64], cap_text[512];
    struct atomic_file a;
    long rows = 0;
    for (int j = 0; j < no; j++)
        rows = n[j] > rows ? n[j] : rows;
    if (rc < 0 || !no)
        goto out;
    pr_safe_name(r->exp[e].name, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "trace_pairs_%s", safe);
    l2l_fmt(data, sizeof data, "%s.csv", name);
    if (l2l_afile_open(&a, datadir, data) < 0) {
        rc = L2L_EIO;
        goto out;
    }
    fputs("row", a.f);
    for (int j = 0; j < no; j++)
        fprintf(a.f, ",%s_grad,%s_update", r->opt[opts[j]].name, r->opt[opts[j]].name);
    fputc('\n', a.f);
    for (long k = 0; k < rows; k++) {
        fprintf(a.f, "%ld", k);
        for (int j = 0; j < no; j++) {
            put(a.f, k < n[j] ? g[j][k] : NAN);
            put(a.f, k < n[j] ? u[j][k] : NAN);
        }
        fputc('\n', a.f);
    }
    if (l2l_afile_commit(&a) < 0) {
        rc = L2L_EIO;
        goto out;
    }
    l2l_fmt(data, sizeof data, "data/%s.csv", name);
    FILE *p = pg_script_open(&a, r, figdir, name, "update against gradient, sampled coordinates",
                             data, 360 * no, 420);
    if (!p) {
        rc = L2L_EIO;
        goto out;
    }
    fprintf(p, "set multiplot layout 1,%d title ", no);
    l2l_esc_gnuplot(p, r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name);
    fputs("\nset grid xtics ytics lc rgb \"#dddddd\"\nset xlabel \"gradient ∇_i\"\n"
          "set ylabel \"update Δθ_i\"\nset format x \"%.1g\"\nset format y \"%.1g\"\n"
          "set xtics rotate by -45 font \",9\"\nunset key\n", p);
    for (int j = 0; j < no; j++) {
        fputs("set title ", p);
        l2l_esc_gnuplot(p, r->opt[opts[j]].name);
        fprintf(p, "\nplot \"%s\" using (fin(column(%d)) ? column(%d) : NaN):(fin(column(%d)) ? "
                   "column(%d) : NaN) with points ls %d pt 7 ps 0.3\n",
                data, 2 + 2 * j, 2 + 2 * j, 3 + 2 * j, 3 + 2 * j, opts[j] + 1);
    }
    fputs("unset multiplot\n", p);
    if (pg_script_close(&a) < 0) {
        rc = L2L_EIO;
        goto out;
    }
    l2l_fmt(cap_text, sizeof cap_text, "Update against gradient on %s, first evaluation run: the "
            "pairs (∇_i, Δθ_i) of %s coordinates drawn once per experiment, at every step "
            "(trace_pairs.csv); the learned optimizers beside Adam and NAG.", r->exp[e].name,
            "the same");
    rc = pg_list_add(list, PG_TUNING, e, name, cap_text);
out:
    for (int j = 0; j < no; j++) {
        free(g[j]);
        free(u[j]);
    }
    return rc;
}

int sj_write_all(const struct pr_results *r, const char *figdir, const char *datadir,
                 struct pg_list *list)
{
    int rc = write_break_even(r);
    if (rc == 0 && exists(r->dir, "horizons.csv")) {
        struct hrow *h;
        long n;
        if ((rc = read_horizons(r, &h, &n)) == 0) {
            for (int e = 0; e < r->n_exp && rc == 0; e++)
                rc = horizon_figure(r, e, h, n, figdir, datadir, list);
            free(h);
        }
    }
    for (int e = 0; rc == 0 && e < r->n_exp && exists(r->dir, "trace.csv"); e++)
        rc = trace_figure(r, e, figdir, datadir, list);
    for (int e = 0; rc == 0 && e < r->n_exp && exists(r->dir, "trace_pairs.csv"); e++)
        rc = pairs_figure(r, e, figdir, datadir, list);
    return rc;
}

/* ------------------------------------------------------- report */

int sj_transfer(const char *dir, const char *exp, const char *opt, char *why, size_t len)
{
    static const char *const cols[] = {"experiment", "optimizer", "distribution", "differs", NULL};
    int ix[4], found = 0;
    struct csv f;
    why[0] = 0;
    if (!exists(dir, "provenance.csv") || csv_open(&f, dir, "provenance.csv", cols, ix) < 0)
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
    if (!exists(r->dir, "provenance.csv") || csv_open(&c, r->dir, "provenance.csv", cols, ix) < 0)
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
    if (!exists(r->dir, "timing_break_even.csv") ||
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
            fputs(html ? "</h3>\n<table>\n<tr>" : "\n|", f);
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
