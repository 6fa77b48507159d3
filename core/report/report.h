/* report.h: the human-readable report of a results directory:
 * index.html (report.c; one page, no script, no network, figures inline
 * as SVG) and report.md (report_md.c; PNG links, for repository browsers). */
#ifndef L2L_REPORT_H
#define L2L_REPORT_H
#include <stddef.h>
#include <stdio.h>
#include "plot_data.h"
#include "plot_gnuplot.h"

/* What a page shows between the summary and the figures, from a layer
 * above (the comparisons: st_report of core/stats, passed by the caller):
 * html (1) or Markdown (0), names through esc. NULL: nothing. */
typedef void report_part_fn(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *),
                            int html);

int report_write_html(const struct pr_results *r, const struct pg_list *figs, report_part_fn *part);
int report_write_md(const struct pr_results *r, const struct pg_list *figs, report_part_fn *part);

/* Shared by both: the value of key in [section] of manifest.ini ("" when
 * absent), one number as the tables show it, and whether summary row k
 * has the lowest median final loss of its experiment. */
void report_manifest_get(const char *text, const char *section, const char *key, char *out,
                         size_t len);
void report_num(double x, char *out, size_t len);
int report_is_best(const struct pr_results *r, int k);
/* Figures are shown in this order: per experiment, then groups, then meta. */
int report_figure_rank(const struct pg_figure *g);

/* The order both pages share. report_rows: row(f, r, k, wall) for every
 * summary row k, experiment by experiment, wall as report_num gives it.
 * report_figures: fig(f, r, g, k, ctx) for each figure g = figs->fig[k]
 * in the order of report_figure_rank, head(f, title) before the first
 * figure of each heading (the experiment's title or name,
 * "Generalization", "Meta-training"). */
void report_rows(FILE *f, const struct pr_results *r,
                 void (*row)(FILE *f, const struct pr_results *r, int k, const char *wall));
void report_figures(FILE *f, const struct pr_results *r, const struct pg_list *figs,
                    void (*head)(FILE *f, const char *title),
                    void (*fig)(FILE *f, const struct pr_results *r, const struct pg_figure *g,
                                int k, void *ctx),
                    void *ctx);
/* A median [Q1, Q3] cell's three numbers as report_num writes them. */
void report_iqr(double med, double q1, double q3, char text[3][32]);
#endif
