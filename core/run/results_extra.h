/* results_extra.h: the judgment files the runner writes beside the
 * results (results_extra.c): horizons.csv, trace.csv, trace_pairs.csv,
 * provenance.csv (each only when it has rows; an earlier run's copy is
 * removed) and timing_cost.csv (measured). */
#ifndef L2L_RESULTS_EXTRA_H
#define L2L_RESULTS_EXTRA_H
#include "runner.h"

int l2l_results_write_extra(const struct suite *s, const struct exp_result *res, const char *dir);
#endif
