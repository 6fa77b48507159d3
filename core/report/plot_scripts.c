/* plot_scripts.c: gnuplot scripts of the tuning, test-accuracy and
 * meta-training figures. */
#include <math.h>
#include <string.h>
#include "escape.h"
#include "log.h"
#include "plot_gnuplot.h"
#include "plot_scripts.h"

int ps_tuning(const struct pr_results *r, int e, const char *figdir, const char *name)
{
    double lo = INFINITY, hi = -INFINITY;
    int logx = 1, logy = 1, any_div = 0, tuned[64] = {0};
    const char *param = NULL;
    int same_param = 1;
    for (int k = 0; k < r->n_tune; k++) {
        const struct pr_tune *t = &r->tune[k];
        if (t->exp != e)
            continue;
        tuned[t->opt] = 1;
        logx &= t->value > 0;
        if (param && strcmp(param, t->param))
            same_param = 0;
        param = t->param;
        if (!isfinite(t->mean_final_loss))
            continue;
        logy &= t->mean_final_loss > 0;
        lo = fmin(lo, t->mean_final_loss);
    }
    /* A finite loss 1000 times the best one has blown up as surely as an
     * infinite one; drawn to scale it would squash every useful value into
     * one line (seen: 1e60 beside 0.08). Such values join the diverged. */
    double cap = isfinite(lo) && lo > 0 ? 1e3 * lo : INFINITY;
    for (int k = 0; k < r->n_tune; k++) {
        const struct pr_tune *t = &r->tune[k];
        if (t->exp != e)
            continue;
        if (!isfinite(t->mean_final_loss) || t->mean_final_loss > cap)
            any_div = 1;
        else
            hi = fmax(hi, t->mean_final_loss);
    }
    double plo, phi, div, top;
    pg_range(lo, hi, logy, 0.06, &plo, &phi);
    /* Diverged values sit on a marked level above every finite one. */
    div = phi;
    top = phi;
    if (any_div)
        pg_range(plo, div, logy, 0.08, &plo, &top);
    char safe[PR_NAME], data[PR_NAME + 64];
    pr_safe_name(r->exp[e].name, safe, sizeof safe);
    l2l_fmt(data, sizeof data, "data/tuning_%s.csv", safe);
    struct atomic_file a;
    FILE *f = pg_script_open(&a, r, figdir, name, "mean final loss against the tuned value", data,
                             900, 600);
    if (!f)
        return L2L_EIO;
    fputs("set title ", f);
    char title[512];
    l2l_fmt(title, sizeof title, "Tuning on %s: mean final training loss over the tuning runs",
            r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name);
    l2l_esc_gnuplot(f, title);
    fprintf(f, "\nset xlabel ");
    l2l_fmt(title, sizeof title, "%s%s", same_param && param ? param : "tuned value",
            logx ? " (log scale)" : "");
    l2l_esc_gnuplot(f, title);
    fprintf(f, "\nset ylabel \"mean final training loss%s\"\n%s\n%s\nset format x \"%%g\"\n"
               "set format y \"%%g\"\nset yrange [%.6g:%.6g]\nset grid xtics ytics lc rgb \"#dddddd\"\n"
               "set key outside below center horizontal reverse Left samplen 3\nset offsets graph 0.03, graph 0.03, 0, 0\n"
               "DIV = %.6g  # where a diverged value is drawn\n"
               "CAP = %.6g  # a finite loss above this (1000x the best) counts as diverged\n"
               "ok(x) = fin(x) && x <= CAP\nunset arrow\nunset label\n",
            logy ? " (log scale)" : "", logx ? "set logscale x" : "unset logscale x",
            logy ? "set logscale y" : "unset logscale y", plo, top, div, isfinite(cap) ? cap : 1e308);
    if (logy)
        pg_log_tics(f, "y", plo, top);
    else
        fputs("set ytics autofreq\n", f);
    if (any_div)
        fputs("set arrow from graph 0, first DIV to graph 1, first DIV nohead dt 3 lc rgb \"#888888\"\n"
              "set label \"diverged (or above 1000x the best)\" at graph 0.01, first DIV offset 0,0.6 tc rgb \"#555555\"\n", f);
    fputs("sel(o) = (strcol(\"optimizer\") eq o)\nplot \\\n", f);
    int first = 1;
    for (int o = 0; o < r->n_opt; o++) {
        if (!tuned[o])
            continue;
        const char *n = r->opt[o].name;
        char t[PR_NAME * 2 + 8];
        if (same_param)
            l2l_fmt(t, sizeof t, "%s", n);
        else
            for (int k = 0; k < r->n_tune; k++)
                if (r->tune[k].exp == e && r->tune[k].opt == o)
                    l2l_fmt(t, sizeof t, "%s: %s", n, r->tune[k].param);
        fputs(first ? "  " : ", \\\n  ", f);
        l2l_esc_gnuplot(f, data);
        fputs(" using \"value\":(sel(", f);
        l2l_esc_gnuplot(f, n);
        fprintf(f, ") && ok(column(\"mean_final_loss\")) ? column(\"mean_final_loss\") : NaN) "
                   "with linespoints ls %d pt 7 ps 1 title ", o + 1);
        l2l_esc_gnuplot(f, t);
        fputs(", \\\n  \"\" using \"value\":(sel(", f);
        l2l_esc_gnuplot(f, n);
        fprintf(f, ") && !ok(column(\"mean_final_loss\")) ? DIV : NaN) with points ls %d pt 2 ps 2 "
                   "notitle, \\\n  \"\" using \"value\":(sel(", o + 1);
        l2l_esc_gnuplot(f, n);
        fprintf(f, ") && column(\"chosen\") == 1 ? (ok(column(\"mean_final_loss\")) ? "
                   "column(\"mean_final_loss\") : DIV) : NaN) with points ls %d pt 6 ps 3 notitle",
                o + 1);
        first = 0;
    }
    fputs(", \\\n  keyentry with points lc rgb \"black\" pt 6 ps 2 title \"chosen value\"", f);
    if (any_div)
        fputs(", \\\n  keyentry with points lc rgb \"black\" pt 2 ps 2 title \"diverged\"", f);
    fputc('\n', f);
    return pg_script_close(&a);
}

int ps_accuracy(const struct pr_results *r, int e, const char *figdir, const char *name)
{
    char safe[PR_NAME], data[PR_NAME + 64], title[512];
    pr_safe_name(r->exp[e].name, safe, sizeof safe);
    l2l_fmt(data, sizeof data, "data/accuracy_%s.csv", safe);
    int shown = 0;
    for (int o = 0; o < r->n_opt; o++) {
        const struct pr_series *s = pr_series_at(r, e, o);
        int any = 0;
        for (long k = 0; k < s->runs; k++)
            any |= !isnan(s->accuracy[k]);
        shown += any;
    }
    struct atomic_file a;
    FILE *f = pg_script_open(&a, r, figdir, name, "test accuracy per optimizer", data, 900, 600);
    if (!f)
        return L2L_EIO;
    l2l_fmt(title, sizeof title, "Test accuracy on %s (%ld runs)\nbox: interquartile range; "
            "black bar: median; whiskers: lowest and highest run",
            r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name, r->exp[e].runs);
    fputs("set title ", f);
    l2l_esc_gnuplot(f, title);
    fprintf(f, "\nset ylabel \"test accuracy\"\nset xlabel \"optimizer\"\n"
               "set xrange [0.4:%d.6]\nset autoscale y\nset offsets 0, 0, graph 0.08, graph 0.08\n"
               "set format y \"%%g\"\nset grid ytics lc rgb \"#dddddd\"\nset boxwidth 0.5\n"
               "set xtics scale 0\nunset key\nplot \\\n",
            shown);
    int k = 0;
    for (int o = 0; o < r->n_opt; o++) {
        const struct pr_series *s = pr_series_at(r, e, o);
        int any = 0;
        for (long j = 0; j < s->runs; j++)
            any |= !isnan(s->accuracy[j]);
        if (!any)
            continue;
        /* columns: position, q1, min, max, q3 as candlesticks expects */
        fputs(k ? ", \\\n  " : "  ", f);
        l2l_esc_gnuplot(f, data);
        fprintf(f, " every ::%d::%d using \"position\":\"q1\":\"min\":\"max\":\"q3\":"
                   "xtic(strcol(\"label\")) with candlesticks ls %d fs transparent solid 0.35 whiskerbars 0.5, \\\n"
                   "  \"\" every ::%d::%d using \"position\":\"median\":\"median\":\"median\":"
                   "\"median\" with candlesticks lc rgb \"black\" lw 3",
                k, k, o + 1, k, k);
        k++;
    }
    fputc('\n', f);
    return pg_script_close(&a);
}

int ps_meta(const struct pr_results *r, int o, const char *figdir, const char *name)
{
    char data[PR_NAME + 64], title[512];
    l2l_fmt(data, sizeof data, "../meta_%s.csv", r->opt[o].name);
    struct atomic_file a;
    FILE *f = pg_script_open(&a, r, figdir, name, "meta-training curves", data, 900, 600);
    if (!f)
        return L2L_EIO;
    const struct pr_opt *m = &r->opt[o];
    l2l_fmt(title, sizeof title, "Meta-training of %s (%s)", m->name, m->plugin);
    fputs("set title ", f);
    l2l_esc_gnuplot(f, title);
    double lo, hi;
    pg_range(m->meta_lo, m->meta_hi, m->meta_logy, 0.05, &lo, &hi);
    fprintf(f, "\nset xlabel \"epoch\"\nset ylabel \"loss%s\"\n%s\nset format y \"%%g\"\n"
               "set yrange [%.6g:%.6g]\nset autoscale x\nset grid xtics ytics lc rgb \"#dddddd\"\n",
            m->meta_logy ? " (log scale)" : "", m->meta_logy ? "set logscale y" : "unset logscale y",
            lo, hi);
    if (m->meta_logy)
        pg_log_tics(f, "y", lo, hi);
    fputs("set key outside below center horizontal reverse Left samplen 3\nplot \\\n  ", f);
    l2l_esc_gnuplot(f, data);
    fprintf(f, " using \"epoch\":\"meta_loss\" with lines ls %d title "
               "\"meta-loss (training problems)\", \\\n"
               "  \"\" using \"epoch\":\"valid_loss\" with linespoints lc rgb \"black\" lw 1.5 pt 7 "
               "ps 0.8 title \"validation loss\"%s\n",
            o + 1,
            m->meta_best ? ", \\\n  \"\" using \"epoch\":\"best_valid_loss\" with steps "
                           "lc rgb \"#777777\" dt 2 title \"best validation loss so far\"" : "");
    return pg_script_close(&a);
}
