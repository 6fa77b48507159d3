/* runner_phases.h: internal to the runner: the phases l2l_run_suite
 * (runner.c) runs in turn. Each returns 0, L2L_EINTR, or < 0 (said). */
#ifndef L2L_RUNNER_PHASES_H
#define L2L_RUNNER_PHASES_H
#include "runner.h"

struct pool;

/* runner_meta.c. Meta-trains each learned optimizer whose checkpoint is
 * missing or unfinished (resuming from its .state file when there is one). */
int runner_train_missing(struct suite *s, const struct run_options *ro);
/* Loads φ of every learned optimizer from its checkpoint into phi[k], but
 * those loaded already and, before_training, those still to be trained. */
int runner_load_phis(struct suite *s, float **phi, int before_training);

/* runner_tune.c. Tuning: every grid value on tune_runs problems; sets
 * each result's chosen value. */
int runner_tune(struct pool *p, int jobs);
/* runner_eval.c. Evaluation: every optimizer on the experiment's runs. */
int runner_evaluate(struct pool *p, int jobs);
/* runner_horizons.c. Horizon runs, traced runs, the cost probe. */
int runner_evaluate_extra(struct pool *p, int jobs);
#endif
