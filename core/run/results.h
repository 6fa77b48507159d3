/* results.h: the results directory: tidy CSV files, a manifest, and the
 * suite as run, each written under a temporary name and renamed when
 * complete. Schema (version 3) in README.md. */
#ifndef L2L_RESULTS_H
#define L2L_RESULTS_H
#include <stdio.h>
#include "atomic_file.h" /* struct atomic_file: how every result is written */
#include "quantile.h"
#include "runner.h"

/* 2: comparisons.csv, targets.csv, timing_targets.csv, profiles.csv,
 * profile_scores.csv and budget.csv added (stats_write.c); the files of
 * version 1 are unchanged. */
/* 3: horizons.csv, trace.csv, trace_pairs.csv, provenance.csv,
 * timing_cost.csv (results_extra.c) and timing_break_even.csv
 * (stats_judge.c) added; the files of version 2 are unchanged. */
#define L2L_CSV_SCHEMA 3

/* mkdir -p; reports the failing directory. */
int l2l_results_mkdir(const char *dir);
int l2l_results_write(const struct suite *s, const struct exp_result *res, const char *dir);
#endif
