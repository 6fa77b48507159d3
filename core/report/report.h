/* report.h: the human-readable report of a results directory:
 * index.html (report.c; one page, no script, no network, figures inline
 * as SVG) and report.md (report_md.c; PNG links, for repository browsers). */
#ifndef L2L_REPORT_H
#define L2L_REPORT_H
#include <stddef.h>
#include "plot_data.h"
#include "plot_gnuplot.h"

int report_write_html(const struct pr_results *r, const struct pg_list *figs);
int report_write_md(const struct pr_results *r, const struct pg_list *figs);

/* Shared by both: the value of key in [section] of manifest.ini ("" when
 * absent), one number as the tables show it, and whether summary row k
 * has the lowest median final loss of its experiment. */
void report_manifest_get(const char *text, const char *section, const char *key, char *out,
                         size_t len);
void report_num(double x, char *out, size_t len);
int report_is_best(const struct pr_results *r, int k);
/* Figures are shown in this order: per experiment, then groups, then meta. */
int report_figure_rank(const struct pg_figure *g);
#endif
