/* gnuplot_frame.c: what every gnuplot script of the report shares (the
 * frame of a script, colours, axis ranges and tics, the key), so that the
 * figures' files (plot_gnuplot.c, plot_scripts.c, stats_figures.c,
 * plot_bench.c) call down into it and never into each other. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "gnuplot_frame.h"
#include "log.h"

/* Okabe-Ito (Okabe and Ito 2008), yellow last: it is faint on white. */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#F0E442"};
#define N_PALETTE 8

const char *pg_colour(int k)
{
    return palette[k % N_PALETTE];
}

void pg_col(FILE *f, const char *name, const char *suffix)
{
    char col[PR_NAME + 32];
    l2l_fmt(col, sizeof col, "%s%s", name, suffix);
    l2l_esc_gnuplot(f, col);
}

FILE *pg_script_start(struct atomic_file *a, const char *figdir, const char *where,
                      const char *name, const char *what, const char *data)
{
    char file[PR_NAME + 64];
    l2l_fmt(file, sizeof file, "%s.gp", name);
    if (l2l_afile_open(a, figdir, file) < 0)
        return NULL;
    FILE *f = a->f;
    /* Comments too take only what cannot end them (a path may hold a newline). */
    fputs("# ", f);
    l2l_esc_comment(f, name);
    fprintf(f, ".gp: %s\n# Written by `l2l plot`. To restyle, edit this file and run\n#   cd ", what);
    l2l_esc_comment(f, where);
    fputs(" && gnuplot ", f);
    l2l_esc_comment(f, name);
    fputs(".gp\n# Data: ", f);
    l2l_esc_comment(f, data);
    fputc('\n', f);
    fputs("set datafile separator comma\nset datafile columnheaders\n", f);
    return f;
}

void pg_script_loop(FILE *f, const char *name, int width, int height)
{
    fputs("fin(y) = (y == y && abs(y) < 1e300)  # neither nan nor inf\n", f);
    fprintf(f, "do for [fmt in \"png svg\"] {\n"
               "if (fmt eq \"png\") {\n"
               "    set terminal pngcairo size %d,%d font \"sans,11\" noenhanced\n"
               "} else {\n"
               "    set terminal svg size %d,%d font \"sans,11\" noenhanced background rgb \"white\"\n"
               "}\n"
               "set output ",
            width, height, width, height);
    pg_col(f, name, ".");
    fputs(".fmt\n", f);
}

FILE *pg_script_open(struct atomic_file *a, const struct pr_results *r, const char *figdir,
                     const char *name, const char *what, const char *data, int width, int height)
{
    FILE *f = pg_script_start(a, figdir, "RESULTS_DIR/figures", name, what, data);
    if (!f)
        return NULL;
    fputs("# One colour per optimizer, fixed by the order of optimizers.csv\n"
          "# (Okabe-Ito palette, colour-blind safe; dashes after the 8th).\n", f);
    for (int o = 0; o < r->n_opt; o++) {
        fprintf(f, "set style line %d lc rgb \"%s\" lw 2 dt %d  # ", o + 1, pg_colour(o),
                o / N_PALETTE + 1);
        l2l_esc_comment(f, r->opt[o].name);
        fputc('\n', f);
    }
    pg_script_loop(f, name, width, height);
    return f;
}

int pg_script_close(struct atomic_file *a)
{
    fputs("unset output\n}\n", a->f);
    return l2l_afile_commit(a);
}

/* Pads [lo, hi] by a fraction of its width (in log space on a log axis)
 * and returns the padded range with the level that stands for +inf. */
void pg_range(double lo, double hi, int logy, double pad, double *plo, double *phi)
{
    if (!(lo <= hi)) { /* no finite value at all */
        lo = logy ? 0.1 : 0;
        hi = logy ? 10 : 1;
    }
    if (logy) {
        double w = lo == hi ? 1 : log10(hi / lo);
        *plo = lo * pow(10, -pad * w);
        *phi = hi * pow(10, pad * w);
    } else {
        double w = lo == hi ? fabs(lo) + 1 : hi - lo;
        *plo = lo - pad * w;
        *phi = hi + pad * w;
    }
}

/* 1.5e9 → "1.5G", 2e-3 → "2m": a tic label with an SI prefix. */
static void si_label(double v, char *out, size_t len)
{
    static const char prefix[] = "pnum kMGTPE";
    int e = (int)floor(log10(v) / 3 + 1e-9);
    if (e < -4)
        e = -4;
    if (e > 6)
        e = 6;
    l2l_fmt(out, len, "%.3g%.*s", v / pow(1000, e), e ? 1 : 0, &prefix[e + 4]);
}

static void log_tics(FILE *f, const char *axis, double lo, double hi, int si)
{
    /* gnuplot labels only powers of ten: too few over a decade or two. */
    static const double fine[] = {1, 1.5, 2, 3, 5, 7}, coarse[] = {1, 2, 5};
    double decades = log10(hi / lo);
    if (!(decades > 0) || decades > 3) {
        fprintf(f, "set %stics autofreq\n", axis);
        return;
    }
    const double *m = decades <= 1.5 ? fine : coarse;
    int nm = decades <= 1.5 ? 6 : 3, n = 0;
    fprintf(f, "set %stics (", axis);
    for (int k = (int)floor(log10(lo)); k <= (int)ceil(log10(hi)); k++)
        for (int j = 0; j < nm; j++) {
            double v = m[j] * pow(10, k);
            if (v < lo || v > hi)
                continue;
            char label[32];
            si_label(v, label, sizeof label);
            if (si)
                fprintf(f, "%s\"%s\" %.6g", n++ ? ", " : "", label, v);
            else
                fprintf(f, "%s%.6g", n++ ? ", " : "", v);
        }
    fputs(")\n", f);
}

void pg_log_tics(FILE *f, const char *axis, double lo, double hi)
{
    log_tics(f, axis, lo, hi, 0);
}

void pg_log_tics_si(FILE *f, const char *axis, double lo, double hi)
{
    log_tics(f, axis, lo, hi, 1);
    fprintf(f, "set format %s \"%%.0s%%c\"\n", axis); /* autofreq: 1k, 10k, 100k, 1M ... */
}

void pg_key_below(FILE *f, int width, const char *const *labels, int n)
{
    /* Each entry takes its longest label plus the line sample; as many
     * columns as fit in the width, so the key never overflows the page. */
    size_t longest = 1;
    for (int k = 0; k < n; k++)
        if (strlen(labels[k]) > longest)
            longest = strlen(labels[k]);
    int cols = (int)((double)(width - 60) / (7.0 * (double)longest + 90));
    fprintf(f, "set key outside below center horizontal reverse Left samplen 3 height 0.5 maxcols %d\n",
            cols < 1 ? 1 : cols);
}
