/* stats_write.h: the comparison files of a results directory
 * (stats_write.c), their figures (stats_figures.c) and their sentences in
 * the report (stats_report.c). */
#ifndef L2L_STATS_WRITE_H
#define L2L_STATS_WRITE_H
#include <stdio.h>
#include "plot_data.h"
#include "plot_gnuplot.h"
#include "stats.h"

#define L2L_ST_MAX_GRID 256

/* Writes comparisons.csv, targets.csv, budget.csv, timing_targets.csv
 * (when timing is known) and, over two or more experiments with a target,
 * profiles.csv and profile_scores.csv into r->dir; then the figures
 * budget_<experiment> and profile_<suite> (scripts in figdir, data in
 * datadir), appended to list. A bad reference, report_steps or target in
 * suite.ini: L2L_EINPUT with a message naming it. */
int st_write_all(const struct pr_results *r, const char *figdir, const char *datadir,
                 struct pg_list *list);

/* The figures, from the statistics: ratio[p * n_opt + s] over P
 * experiments (those with target[e] not NAN). */
int sf_profile(const struct pr_results *r, const double *target, const double *ratio, int P,
               const char *figdir, const char *datadir, struct pg_list *list);
int sf_budget(const struct pr_results *r, int e, const char *figdir, const char *datadir,
              struct pg_list *list);

/* The comparisons as sentences a reader can quote, read back from
 * comparisons.csv and targets.csv: a list per experiment, names passed
 * through esc; html: <ul>/<li>, else Markdown. Nothing when the files
 * are absent. */
void st_report(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *), int html);
#endif
