/* stats_judge_figures.c: the horizon figure (final loss against steps
 * run, from horizons.csv) and the trace figures (update statistics per
 * step, from trace.csv; update against gradient, from trace_pairs.csv)
 * of a results directory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "log.h"
#include "plot_csv.h"
#include "plot_scripts.h"
#include "stats_frame.h"
#include "stats_judge.h"

#define MAX_HORIZONS 32       /* suites allow 16 (suite.h) */

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
        h->e = sj_exp_index(r, csv_str(&f, ix[0]));
        h->o = sj_opt_index(r, csv_str(&f, ix[1]));
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
    char cap[512], title[512];
    double *v = malloc(sizeof(double) * (size_t)(n + 1)), lo = INFINITY, hi = -INFINITY;
    struct sf_frame g;
    if (!v)
        return L2L_ENOMEM;
    FILE *d = sf_data_open(&g, "horizon", r->exp[e].name, datadir);
    if (!d) {
        free(v);
        return L2L_EIO;
    }
    fputs("steps", d);
    for (int j = 0; j < no; j++)
        fprintf(d, ",%s_median,%s_q1,%s_q3", r->opt[opts[j]].name, r->opt[opts[j]].name,
                r->opt[opts[j]].name);
    fputc('\n', d);
    for (long s = 0; s < ns; s++) {
        fprintf(d, "%ld", steps[s]);
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
                sj_put(d, q[i]);
                if (isfinite(q[i]) && q[i] > 0) {
                    lo = fmin(lo, q[i]);
                    hi = fmax(hi, q[i]);
                }
            }
        }
        fputc('\n', d);
    }
    free(v);
    FILE *f = sf_script_open(&g, r, figdir, "final loss against the number of steps run "
                             "(median and IQR over runs)", 900, 600);
    if (!f)
        return L2L_EIO;
    double plo = 0.1, phi = 10;
    if (lo <= hi)
        pg_range(lo, hi, 1, 0.06, &plo, &phi);
    l2l_fmt(title, sizeof title, "Horizons on %s\nfinal loss after k x %ld steps (tuned at %ld), "
            "median and IQR over runs", r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name,
            r->exp[e].steps, r->exp[e].steps);
    sf_title(f, title);
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
                   "pt 7 title ", j ? ", \\\n" : "", g.data, c, c, c + 1, c + 1, c + 2, c + 2, phi,
                opts[j] + 1);
        l2l_esc_gnuplot(f, r->opt[opts[j]].name);
    }
    fputc('\n', f);
    if (pg_script_close(&g.a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Horizons on %s: final training loss after k times the %ld steps "
            "the optimizers were tuned (and the learned ones meta-trained) for, median and "
            "interquartile range over runs (horizons.csv).", r->exp[e].name, r->exp[e].steps);
    return pg_list_add(list, PG_TUNING, e, g.name, cap);
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
        if (sj_exp_index(r, csv_str(&f, ix[0])) != e)
            continue;
        int o = sj_opt_index(r, csv_str(&f, ix[1])), j;
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
    char cap[512];
    struct sf_frame g;
    FILE *d = sf_data_open(&g, "trace", r->exp[e].name, datadir);
    if (!d) {
        free(v);
        return L2L_EIO;
    }
    fputs("step", d);
    for (int j = 0; j < no; j++)
        fprintf(d, ",%s_ratio,%s_cosine,%s_against", r->opt[opts[j]].name, r->opt[opts[j]].name,
                r->opt[opts[j]].name);
    fputc('\n', d);
    for (long t = 0; t < steps; t++) {
        fprintf(d, "%ld", t);
        for (int j = 0; j < no; j++)
            for (int c = 0; c < 3; c++)
                sj_put(d, v[(t * 64 + j) * 3 + c]);
        fputc('\n', d);
    }
    free(v);
    FILE *p = sf_script_open(&g, r, figdir, "update statistics of the first run against step",
                             1200, 480);
    if (!p)
        return L2L_EIO;
    static const char *const panel[] = {"effective step |Δθ| / |∇| (log scale)",
                                        "cos(Δθ, −∇)", "fraction of coordinates moving along +∇"};
    fputs("set multiplot layout 1,3 title ", p);
    l2l_esc_gnuplot(p, r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name);
    fputs("\nset grid xtics ytics lc rgb \"#dddddd\"\nset xlabel \"step\"\nset key bottom left "
          "opaque samplen 2 font \",9\"\n", p);
    for (int c = 0; c < 3; c++) {
        sf_title(p, panel[c]);
        fprintf(p, "\n%s\n%s\nplot \\\n", c == 0 ? "set logscale y\nset format y \"%g\"" : "unset logscale y",
                c == 1 ? "set yrange [-1.05:1.05]" : c == 2 ? "set yrange [-0.02:1.02]" : "set autoscale y");
        for (int j = 0; j < no; j++) {
            int col = 2 + 3 * j + c;
            if (c == 0)
                fprintf(p, "%s  \"%s\" using 1:(fin(column(%d)) && column(%d) > 0 ? column(%d) : NaN) "
                           "with lines ls %d ", j ? ", \\\n" : "", g.data, col, col, col, opts[j] + 1);
            else
                fprintf(p, "%s  \"%s\" using 1:(fin(column(%d)) ? column(%d) : NaN) with lines ls %d ",
                        j ? ", \\\n" : "", g.data, col, col, opts[j] + 1);
            if (c == 1) { /* one key, where the lines leave the bottom left free */
                fputs("title ", p);
                l2l_esc_gnuplot(p, r->opt[opts[j]].name);
            } else {
                fputs("notitle", p);
            }
        }
        fputc('\n', p);
    }
    fputs("unset multiplot\n", p);
    if (pg_script_close(&g.a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Update traces on %s, first evaluation run: the effective step "
            "|Δθ|/|∇|, the cosine of Δθ with −∇ and the fraction of coordinates moving along +∇ "
            "(against descent), per step (trace.csv).", r->exp[e].name);
    return pg_list_add(list, PG_TUNING, e, g.name, cap);
}

/* trace_pairs_<exp>: Δθ_i against ∇_i for the sampled coordinates over
 * every step, one panel per optimizer (the first eight of the experiment:
 * the core names no plugin, so a suite chooses them by its list); data figures/data/trace_pairs_<exp>.csv
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
        int o = sj_opt_index(r, csv_str(&f, ix[1])), j;
        if (sj_exp_index(r, csv_str(&f, ix[0])) != e || o < 0)
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
    char cap_text[512];
    struct sf_frame fr;
    long rows = 0;
    for (int j = 0; j < no; j++)
        rows = n[j] > rows ? n[j] : rows;
    if (rc < 0 || !no)
        goto out;
    FILE *d = sf_data_open(&fr, "trace_pairs", r->exp[e].name, datadir);
    if (!d) {
        rc = L2L_EIO;
        goto out;
    }
    fputs("row", d);
    for (int j = 0; j < no; j++)
        fprintf(d, ",%s_grad,%s_update", r->opt[opts[j]].name, r->opt[opts[j]].name);
    fputc('\n', d);
    for (long k = 0; k < rows; k++) {
        fprintf(d, "%ld", k);
        for (int j = 0; j < no; j++) {
            sj_put(d, k < n[j] ? g[j][k] : NAN);
            sj_put(d, k < n[j] ? u[j][k] : NAN);
        }
        fputc('\n', d);
    }
    FILE *p = sf_script_open(&fr, r, figdir, "update against gradient, sampled coordinates",
                             360 * no, 420);
    if (!p) {
        rc = L2L_EIO;
        goto out;
    }
    fprintf(p, "set multiplot layout 1,%d title ", no);
    l2l_esc_gnuplot(p, r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name);
    fputs("\nset grid xtics ytics lc rgb \"#dddddd\"\nset xlabel \"gradient ∇_i\"\n"
          "set ylabel \"update Δθ_i\"\nset format x \"%g\"\nset format y \"%g\"\n"
          "set xtics rotate by -45 font \",9\"\nunset key\n", p);
    for (int j = 0; j < no; j++) {
        sf_title(p, r->opt[opts[j]].name);
        fprintf(p, "\nplot \"%s\" using (fin(column(%d)) ? column(%d) : NaN):(fin(column(%d)) ? "
                   "column(%d) : NaN) with points ls %d pt 7 ps 0.3\n",
                fr.data, 2 + 2 * j, 2 + 2 * j, 3 + 2 * j, 3 + 2 * j, opts[j] + 1);
    }
    fputs("unset multiplot\n", p);
    if (pg_script_close(&fr.a) < 0) {
        rc = L2L_EIO;
        goto out;
    }
    l2l_fmt(cap_text, sizeof cap_text, "Update against gradient on %s, first evaluation run: the "
            "pairs (∇_i, Δθ_i) of %s coordinates drawn once per experiment, at every step "
            "(trace_pairs.csv); one panel per optimizer (the first eight).", r->exp[e].name,
            "the same");
    rc = pg_list_add(list, PG_TUNING, e, fr.name, cap_text);
out:
    for (int j = 0; j < no; j++) {
        free(g[j]);
        free(u[j]);
    }
    return rc;
}


int sj_figures(const struct pr_results *r, const char *figdir, const char *datadir,
               struct pg_list *list)
{
    int rc = 0;
    if (sj_exists(r->dir, "horizons.csv")) {
        struct hrow *h;
        long n;
        if ((rc = read_horizons(r, &h, &n)) == 0) {
            for (int e = 0; e < r->n_exp && rc == 0; e++)
                rc = horizon_figure(r, e, h, n, figdir, datadir, list);
            free(h);
        }
    }
    for (int e = 0; rc == 0 && e < r->n_exp && sj_exists(r->dir, "trace.csv"); e++)
        rc = trace_figure(r, e, figdir, datadir, list);
    for (int e = 0; rc == 0 && e < r->n_exp && sj_exists(r->dir, "trace_pairs.csv"); e++)
        rc = pairs_figure(r, e, figdir, datadir, list);
    return rc;
}
