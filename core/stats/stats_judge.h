/* stats_judge.h: the judgment of a results directory beside its
 * comparisons, from the files the runner wrote (results_extra.h): the
 * cost and break-even (timing_break_even.csv, measured), the horizon and
 * trace figures, and provenance in the report (stats_judge.c). Each part
 * is skipped when its file is absent. Files: stats_judge.c (cost,
 * report), stats_judge_figures.c (figures). */
#ifndef L2L_STATS_JUDGE_H
#define L2L_STATS_JUDGE_H
#include <stdio.h>
#include "plot_data.h"
#include "plot_gnuplot.h"

/* Called in this order by st_write_all (after targets.csv, which the
 * first reads): timing_break_even.csv (stats_judge.c, removed when
 * timing_cost.csv is absent), then the figures horizon_<experiment>,
 * trace_<experiment> and trace_pairs_<experiment> appended to list
 * (stats_judge_figures.c). Return 0 or < 0 (said). */
int sj_write_break_even(const struct pr_results *r);
int sj_figures(const struct pr_results *r, const char *figdir, const char *datadir,
               struct pg_list *list);

/* Shared by both files: indices of names in r (-1: none), whether
 * dir/name exists, a CSV field ",x" as pr_put_num writes x. */
int sj_opt_index(const struct pr_results *r, const char *name);
int sj_exp_index(const struct pr_results *r, const char *name);
int sj_exists(const char *dir, const char *name);
void sj_put(FILE *f, double x);

/* The cost table and where each learned optimizer was trained, for the
 * report (html or Markdown). */
void sj_report(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *), int html);

/* 1 when provenance.csv says experiment exp is a transfer for optimizer
 * opt (why: what differs), else 0. */
int sj_transfer(const char *dir, const char *exp, const char *opt, char *why, size_t len);
#endif
