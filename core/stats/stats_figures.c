/* stats_figures.c: the performance profile across experiments
 * (profile_<suite>) and the tuning-budget curves of an experiment
 * (budget_<experiment>): derived data in figures/data/, read by column
 * number so that no optimizer name is written into a script but as a
 * title. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "log.h"
#include "plot_scripts.h"
#include "report.h"
#include "stats_frame.h"
#include "stats_write.h"

/* One "plot" line per column 2.. of the data file: cols[k] is the
 * optimizer of column k + 2. */
static void plot_columns(FILE *f, const struct pr_results *r, const char *data, const int *cols,
                         int n, const char *style)
{
    fputs("plot \\\n", f);
    for (int k = 0; k < n; k++) {
        fprintf(f, "%s  \"%s\" using 1:(fin(column(%d)) ? column(%d) : NaN) %s ls %d title ",
                k ? ", \\\n" : "", data, k + 2, k + 2, style, cols[k] + 1);
        l2l_esc_gnuplot(f, r->opt[cols[k]].name);
    }
    fputc('\n', f);
}

int sf_profile(const struct pr_results *r, const double *target, const double *ratio, int P,
               const char *figdir, const char *datadir, struct pg_list *list)
{
    int S = r->n_opt, cols[64], n = 0;
    /* The optimizers that ran in an experiment with a target. */
    for (int s = 0; s < S && n < 64; s++) {
        int in = 0;
        for (int k = 0; k < r->n_sum; k++)
            in |= r->sum[k].opt == s && !isnan(target[r->sum[k].exp]);
        if (in)
            cols[n++] = s;
    }
    /* Breakpoints of every profile in [1, 4], sorted, one row each. */
    double *tau = malloc(sizeof *tau * (size_t)(P * S + 2));
    if (!tau)
        return L2L_ENOMEM;
    int nt = 0;
    tau[nt++] = 1;
    tau[nt++] = 4;
    for (int k = 0; k < P * S; k++)
        if (ratio[k] > 1 && ratio[k] < 4)
            tau[nt++] = ratio[k];
    pr_sort(tau, nt);
    char suite[PR_NAME], cap[512];
    report_manifest_get(r->manifest, "suite", "name", suite, sizeof suite);
    struct sf_frame g;
    FILE *d = sf_data_open(&g, "profile", suite[0] ? suite : "suite", datadir);
    if (!d) {
        free(tau);
        return L2L_EIO;
    }
    fputs("tau", d);
    for (int k = 0; k < n; k++)
        fprintf(d, ",%s", r->opt[cols[k]].name);
    fputc('\n', d);
    for (int j = 0; j < nt; j++) {
        if (j && tau[j] == tau[j - 1])
            continue;
        pr_put_num(d, tau[j]);
        for (int k = 0; k < n; k++) {
            fputc(',', d);
            pr_put_num(d, st_profile_at(ratio, P, S, cols[k], tau[j]));
        }
        fputc('\n', d);
    }
    free(tau);
    FILE *f = sf_script_open(&g, r, figdir, "performance profile: fraction of experiments "
                             "reaching the target within tau times the best steps", 900, 600);
    if (!f)
        return L2L_EIO;
    char title[512];
    l2l_fmt(title, sizeof title, "Performance profile over %d experiments\ntarget: the reference's "
            "median final loss; tau: steps to it / the fewest of any optimizer", P);
    sf_title(f, title);
    fputs("\nset xlabel \"tau (steps to target / best steps)\"\nset ylabel \"fraction of "
          "experiments\"\nset xrange [1:4]\nset yrange [-0.03:1.03]\nunset logscale\n"
          "set xtics autofreq\nset ytics 0.25\nset format y \"%g\"\nset grid xtics ytics lc rgb "
          "\"#dddddd\"\nset key outside below center horizontal reverse Left samplen 3\n", f);
    plot_columns(f, r, g.data, cols, n, "with steps");
    if (pg_script_close(&g.a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Performance profile over %d experiments: the fraction reaching the "
            "reference's median final loss within tau times the fewest steps (profiles.csv; "
            "scores in profile_scores.csv).", P);
    return pg_list_add(list, PG_GENERALIZATION, 0, g.name, cap);
}

int sf_budget(const struct pr_results *r, int e, const char *figdir, const char *datadir,
              struct pg_list *list)
{
    int cols[64], n = 0, maxN = 0, Ns[64];
    double (*E)[L2L_ST_MAX_GRID] = malloc(sizeof *E * 64), L[L2L_ST_MAX_GRID];
    double point[64], lo = INFINITY, hi = -INFINITY;
    int tuned = 0;
    if (!E)
        return L2L_ENOMEM;
    for (int k = 0; k < r->n_sum && n < 64; k++) {
        int o = r->sum[k].opt, N = 0;
        if (r->sum[k].exp != e)
            continue;
        point[n] = NAN;
        if (r->opt[o].learned) {
            const struct pr_series *s = pr_series_at(r, e, o);
            double sum = 0;
            long m = 0;
            for (long j = 0; j < s->runs; j++)
                if (s->seen[j] && !isnan(s->loss[j * (s->steps + 1) + s->steps])) {
                    sum += s->loss[j * (s->steps + 1) + s->steps];
                    m++;
                }
            point[n] = m ? sum / (double)m : NAN;
        } else {
            for (int j = 0; j < r->n_tune && N < L2L_ST_MAX_GRID; j++)
                if (r->tune[j].exp == e && r->tune[j].opt == o)
                    L[N++] = isnan(r->tune[j].mean_final_loss) ? INFINITY : r->tune[j].mean_final_loss;
            if (N < 2)
                continue;
            if (st_expected_best(L, N, E[n]) < 0) {
                free(E);
                return L2L_ENOMEM;
            }
            tuned++;
        }
        Ns[n] = N;
        maxN = N > maxN ? N : maxN;
        for (int j = 0; j < N; j++)
            if (isfinite(E[n][j])) {
                lo = fmin(lo, E[n][j]);
                hi = fmax(hi, E[n][j]);
            }
        if (isfinite(point[n])) {
            lo = fmin(lo, point[n]);
            hi = fmax(hi, point[n]);
        }
        cols[n++] = o;
    }
    if (!tuned) {
        free(E);
        return 0;
    }
    char cap[512], title[512];
    struct sf_frame g;
    FILE *d = sf_data_open(&g, "budget", r->exp[e].name, datadir);
    if (!d) {
        free(E);
        return L2L_EIO;
    }
    fputs("k", d);
    for (int k = 0; k < n; k++)
        fprintf(d, ",%s", r->opt[cols[k]].name);
    fputc('\n', d);
    for (int j = 0; j < maxN; j++) {
        fprintf(d, "%d", j + 1);
        for (int k = 0; k < n; k++) {
            fputc(',', d);
            pr_put_num(d, r->opt[cols[k]].learned ? (j == 0 ? point[k] : NAN)
                                                  : j < Ns[k] ? E[k][j] : NAN);
        }
        fputc('\n', d);
    }
    free(E);
    FILE *f = sf_script_open(&g, r, figdir, "expected best mean final loss when k grid "
                             "values are tried at random", 900, 600);
    if (!f)
        return L2L_EIO;
    /* As on the tuning figure: a mean 1000 times the best has blown up
     * (seen: 1e63 beside 0.08); the axis stops below it. */
    int logy = lo > 0;
    if (logy && hi > 1e3 * lo)
        hi = 1e3 * lo;
    double plo, phi;
    pg_range(lo, hi, logy, 0.06, &plo, &phi);
    l2l_fmt(title, sizeof title, "Tuning budget on %s\nexpected best of k grid values tried at "
            "random; points: learned optimizers (one configuration)",
            r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name);
    sf_title(f, title);
    fprintf(f, "\nset xlabel \"k: grid values tried\"\nset ylabel \"expected best mean final "
               "loss%s\"\n%s\nset xrange [0.5:%d.5]\nset yrange [%.6g:%.6g]\nset xtics 1\n"
               "set format y \"%%g\"\nset grid xtics ytics lc rgb \"#dddddd\"\n"
               "set key outside below center horizontal reverse Left samplen 3\n",
            logy ? " (log scale)" : "", logy ? "set logscale y" : "unset logscale y", maxN, plo, phi);
    if (logy)
        pg_log_tics(f, "y", plo, phi);
    else
        fputs("set ytics autofreq\n", f);
    fputs("plot \\\n", f);
    for (int k = 0; k < n; k++) {
        fprintf(f, "%s  \"%s\" using 1:(fin(column(%d)) ? column(%d) : NaN) with %s ls %d %s title ",
                k ? ", \\\n" : "", g.data, k + 2, k + 2, r->opt[cols[k]].learned ? "points" : "linespoints",
                cols[k] + 1, r->opt[cols[k]].learned ? "pt 7 ps 1.5" : "pt 6");
        l2l_esc_gnuplot(f, r->opt[cols[k]].name);
    }
    fputc('\n', f);
    if (pg_script_close(&g.a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Tuning budget on %s: the expected best mean final loss of each tuned "
            "baseline when only k of its grid values are tried (exact over subsets; budget.csv); "
            "points: learned optimizers with their one configuration.", r->exp[e].name);
    return pg_list_add(list, PG_TUNING, e, g.name, cap);
}
