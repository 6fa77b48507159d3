/* plot_gnuplot.c: gnuplot scripts, one per figure, each saved beside its
 * images and reading its data by a relative path, so that
 * `cd RESULTS/figures && gnuplot NAME.gp` renders it again after a
 * restyle. Every script draws the same body for PNG and then for SVG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "log.h"
#include "plot_gnuplot.h"
#include "plot_scripts.h"

#define CONV_NOTE "line: median over runs; band: interquartile range; " \
                  "a diverged run counts as +inf from its divergence on"

void pg_convergence_panel(FILE *f, const struct pr_results *r, int e, const struct pr_conv_info *info,
                          int panel)
{
    const struct pr_exp *x = &r->exp[e];
    char safe[PR_NAME], title[1024];
    pr_safe_name(x->name, safe, sizeof safe);
    double lo, hi;
    pg_range(info->ylo, info->yhi, info->logy, 0.04, &lo, &hi);
    /* +inf is drawn far above the top: the line and band leave the plot. */
    double off = info->logy ? hi * 1e6 : hi + 1e6 * (hi - lo);
    l2l_fmt(title, sizeof title, "%s (%ld runs)%s", x->title[0] ? x->title : x->name, x->runs,
            panel ? "" : "\n" CONV_NOTE);
    /* A panel has no key of its own (the page has one): its divergences
     * go into its title instead. */
    for (int o = 0, first = 1; panel && o < r->n_opt; o++)
        if (info->diverged[o]) {
            size_t len = strlen(title);
            l2l_fmt(title + len, sizeof title - len, "%s%s %ld of %ld", first ? "\ndiverged: " : ", ",
                    r->opt[o].name, info->diverged[o], info->runs[o]);
            first = 0;
        }
    fputs("set title ", f);
    l2l_esc_gnuplot(f, title);
    /* Fixed margins in panels, so that plots line up whatever the titles. */
    fputs(panel ? "\nset tmargin 4\nset lmargin 10\n" : "\n", f);
    fputs("set border\nset xtics autofreq\n", f);
    if (info->logy)
        pg_log_tics(f, "y", lo, hi);
    else
        fputs("set ytics autofreq\n", f);
    fprintf(f, "set xlabel \"step\"\nset ylabel \"training loss%s\"\n%s\nset format y \"%%g\"\n"
               "set xrange [0:%ld]\nset yrange [%.6g:%.6g]\nset grid xtics ytics lc rgb \"#dddddd\"\n"
               "off(y) = (y > 1e300 ? %.6g : y)  # +inf (diverged) is drawn off the top\n",
            info->logy ? " (log scale)" : "", info->logy ? "set logscale y" : "unset logscale y",
            x->steps > 0 ? x->steps : 1, lo, hi, off);
    char titles[64][PR_NAME + 64];
    const char *labels[64];
    int n_labels = 0;
    for (int o = 0; o < r->n_opt; o++) {
        if (info->diverged[o])
            l2l_fmt(titles[o], sizeof titles[o], "%s (%ld of %ld runs diverged)", r->opt[o].name,
                    info->diverged[o], info->runs[o]);
        else
            l2l_fmt(titles[o], sizeof titles[o], "%s", r->opt[o].name);
        if (info->runs[o])
            labels[n_labels++] = titles[o];
    }
    if (panel)
        fputs("unset key\n", f);
    else
        pg_key_below(f, 900, labels, n_labels);
    fputs("plot \\\n", f);
    int first = 1;
    for (int o = 0; o < r->n_opt; o++) {
        if (!info->runs[o])
            continue;
        const char *n = r->opt[o].name, *title = titles[o];
        fputs(first ? "  " : ", \\\n  ", f);
        char data[PR_NAME + 32];
        l2l_fmt(data, sizeof data, "data/convergence_%s.csv", safe);
        l2l_esc_gnuplot(f, data);
        fputs(" using \"step\":(off(column(", f);
        pg_col(f, n, "_q1");
        fputs("))):(off(column(", f);
        pg_col(f, n, "_q3");
        fprintf(f, "))) with filledcurves ls %d fs transparent solid 0.2 noborder notitle, \\\n"
                   "  \"\" using \"step\":(off(column(", o + 1);
        pg_col(f, n, "_median");
        fprintf(f, "))) with lines ls %d title ", o + 1);
        l2l_esc_gnuplot(f, title);
        first = 0;
    }
    if (first) /* no data at all: an empty, labelled panel */
        fputs("  NaN notitle", f);
    fputc('\n', f);
}

int pg_list_add(struct pg_list *list, enum pg_kind kind, int index, const char *name,
                const char *caption)
{
    if (list->n == list->cap) {
        int cap = list->cap ? 2 * list->cap : 16;
        struct pg_figure *p = realloc(list->fig, sizeof *p * (size_t)cap);
        if (!p)
            return L2L_ENOMEM;
        list->fig = p;
        list->cap = cap;
    }
    struct pg_figure *g = &list->fig[list->n++];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->index = index;
    l2l_fmt(g->name, sizeof g->name, "%s", name);
    l2l_fmt(g->caption, sizeof g->caption, "%s", caption);
    return 0;
}

static int write_convergence(const struct pr_results *r, int e, const struct pr_conv_info *info,
                             const char *figdir, struct pg_list *list)
{
    char safe[PR_NAME], name[PR_NAME + 32], data[PR_NAME + 64], cap[512];
    pr_safe_name(r->exp[e].name, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "convergence_%s", safe);
    l2l_fmt(data, sizeof data, "data/convergence_%s.csv", safe);
    struct atomic_file a;
    FILE *f = pg_script_open(&a, r, figdir, name, "training loss against step, median and IQR over runs",
                             data, 900, 600);
    if (!f)
        return L2L_EIO;
    pg_convergence_panel(f, r, e, info, 0);
    if (pg_script_close(&a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Convergence on %s: training loss per step (median and interquartile "
            "range over %ld runs).", r->exp[e].name, r->exp[e].runs);
    return pg_list_add(list, PG_CONVERGENCE, e, name, cap);
}

/* One page per figure group: every experiment whose `figure` is name. */
static int write_generalization(const struct pr_results *r, int e0, const struct pr_conv_info *infos,
                                const char *figdir, struct pg_list *list)
{
    const char *group = r->exp[e0].figure;
    int n = 0;
    for (int e = 0; e < r->n_exp; e++)
        n += !strcmp(r->exp[e].figure, group);
    int cols = n <= 3 ? n : n == 4 ? 2 : 3, rows = (n + cols - 1) / cols;
    char safe[PR_NAME], name[PR_NAME + 32], cap[512];
    pr_safe_name(group, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "generalization_%s", safe);
    /* Panels placed by hand, to leave a strip at the bottom for one key
     * shared by all: the colours are the same in every panel. */
    int width = cols * 620 < 900 ? 900 : cols * 620, panel_h = 440, top = 70;
    size_t longest = 1;
    for (int o = 0; o < r->n_opt; o++)
        if (strlen(r->opt[o].name) > longest)
            longest = strlen(r->opt[o].name);
    int kcols = (int)((double)(width - 60) / (7.0 * (double)longest + 90));
    kcols = kcols < 1 ? 1 : kcols;
    int key_h = 30 + 22 * ((r->n_opt + kcols - 1) / kcols);
    int height = top + rows * panel_h + key_h;
    struct atomic_file a;
    FILE *f = pg_script_open(&a, r, figdir, name, "one convergence panel per experiment of the group",
                             "data/convergence_<experiment>.csv", width, height);
    if (!f)
        return L2L_EIO;
    char title[PR_NAME + 200];
    l2l_fmt(title, sizeof title, "%s\n%s", group, CONV_NOTE);
    fputs("set multiplot title ", f);
    l2l_esc_gnuplot(f, title);
    fputs(" font \",13\"\n", f);
    for (int e = 0, i = 0; e < r->n_exp; e++) {
        if (strcmp(r->exp[e].figure, group))
            continue;
        int row = i / cols, col = i % cols;
        fprintf(f, "set origin %.6g,%.6g\nset size %.6g,%.6g\n", (double)col / cols,
                (double)(key_h + (rows - 1 - row) * panel_h) / height, 1.0 / cols,
                (double)panel_h / height);
        pg_convergence_panel(f, r, e, &infos[e], 1);
        i++;
    }
    fprintf(f, "# the shared key\nset origin 0,0\nset size 1,%.6g\nunset title\nunset xlabel\n"
               "unset ylabel\nunset border\nunset tics\nunset grid\nunset logscale\n"
               "set tmargin\nset lmargin\n"
               "set xrange [0:1]\nset yrange [0:1]\n"
               "set key inside center center horizontal reverse Left samplen 3 width 2 maxcols %d\n"
               "plot NaN notitle",
            (double)key_h / height, kcols);
    for (int o = 0; o < r->n_opt; o++) {
        fprintf(f, ", \\\n  keyentry with lines ls %d title ", o + 1);
        l2l_esc_gnuplot(f, r->opt[o].name);
    }
    fputc('\n', f);
    fputs("unset multiplot\n", f);
    if (pg_script_close(&a) < 0)
        return L2L_EIO;
    l2l_fmt(cap, sizeof cap, "Generalization (%s): the same optimizers on %d experiments, one panel "
            "each.", group, n);
    return pg_list_add(list, PG_GENERALIZATION, e0, name, cap);
}

/* A group needs its own page unless it is one experiment of its own name. */
static int is_group_head(const struct pr_results *r, int e)
{
    for (int k = 0; k < e; k++)
        if (!strcmp(r->exp[k].figure, r->exp[e].figure))
            return 0;
    for (int k = e + 1; k < r->n_exp; k++)
        if (!strcmp(r->exp[k].figure, r->exp[e].figure))
            return 1;
    return strcmp(r->exp[e].figure, r->exp[e].name) != 0;
}

int pg_write_all(const struct pr_results *r, const char *figdir, const char *datadir,
                 struct pg_list *list)
{
    struct pr_conv_info *infos = calloc((size_t)r->n_exp, sizeof *infos);
    if (!infos)
        return L2L_ENOMEM;
    int rc = 0;
    char name[PR_NAME + 32], safe[PR_NAME], cap[512];
    for (int e = 0; e < r->n_exp && rc == 0; e++) {
        pr_safe_name(r->exp[e].name, safe, sizeof safe);
        if ((rc = pr_write_convergence(r, e, datadir, &infos[e])) < 0 ||
            (rc = write_convergence(r, e, &infos[e], figdir, list)) < 0)
            break;
        int n = pr_write_tuning(r, e, datadir);
        if ((rc = n) < 0)
            break;
        if (n > 0) {
            l2l_fmt(name, sizeof name, "tuning_%s", safe);
            l2l_fmt(cap, sizeof cap, "Tuning on %s: mean final loss for each value of the grid; "
                    "circled: the chosen value.", r->exp[e].name);
            if ((rc = ps_tuning(r, e, figdir, name)) < 0 ||
                (rc = pg_list_add(list, PG_TUNING, e, name, cap)) < 0)
                break;
        }
        if ((rc = n = pr_write_accuracy(r, e, datadir)) < 0)
            break;
        rc = 0;
        if (n > 0) {
            l2l_fmt(name, sizeof name, "accuracy_%s", safe);
            l2l_fmt(cap, sizeof cap, "Test accuracy on %s: median, interquartile range and "
                    "extremes over runs.", r->exp[e].name);
            if ((rc = ps_accuracy(r, e, figdir, name)) < 0 ||
                (rc = pg_list_add(list, PG_ACCURACY, e, name, cap)) < 0)
                break;
        }
    }
    for (int e = 0; e < r->n_exp && rc == 0; e++)
        if (is_group_head(r, e))
            rc = write_generalization(r, e, infos, figdir, list);
    for (int o = 0; o < r->n_opt && rc == 0; o++) {
        if (!r->opt[o].has_meta)
            continue;
        pr_safe_name(r->opt[o].name, safe, sizeof safe);
        l2l_fmt(name, sizeof name, "meta_%s", safe);
        l2l_fmt(cap, sizeof cap, "Meta-training of %s: meta-loss and validation loss per epoch.",
                r->opt[o].name);
        if ((rc = ps_meta(r, o, figdir, name)) == 0)
            rc = pg_list_add(list, PG_META, o, name, cap);
    }
    free(infos);
    return rc;
}

void pg_list_free(struct pg_list *list)
{
    free(list->fig);
    memset(list, 0, sizeof *list);
}
