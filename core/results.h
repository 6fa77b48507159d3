/* results.h: the results directory: tidy CSV files, a manifest, and the
 * suite as run, each written under a temporary name and renamed when
 * complete. Schema (version 2) in README.md. */
#ifndef L2L_RESULTS_H
#define L2L_RESULTS_H
#include <stdio.h>
#include "runner.h"

/* 2: comparisons.csv, targets.csv, timing_targets.csv, profiles.csv,
 * profile_scores.csv and budget.csv added (stats_write.c); the files of
 * version 1 are unchanged. */
#define L2L_CSV_SCHEMA 2

/* mkdir -p; reports the failing directory. */
int l2l_results_mkdir(const char *dir);
int l2l_results_write(const struct suite *s, const struct exp_result *res, const char *dir);

/* An output file that appears under its name only when complete. */
struct atomic_file {
    FILE *f;
    char path[4096], tmp[4096];
};
int l2l_afile_open(struct atomic_file *a, const char *dir, const char *name);
/* Flushes, syncs and renames; reports any write error. */
int l2l_afile_commit(struct atomic_file *a);
/* Removes the temporary file (on error paths). */
void l2l_afile_abort(struct atomic_file *a);

/* Quantile q in [0,1] of sorted x[n], linear interpolation (numpy's default). */
double l2l_quantile(const double *sorted, long n, double q);
#endif
