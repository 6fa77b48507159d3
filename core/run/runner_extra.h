/* runner_extra.h: what the runner does for the judgment of a suite
 * besides tuning and evaluation: the buffers of horizon runs and traces,
 * and the probe of each optimizer's step cost (runner_extra.c). */
#ifndef L2L_RUNNER_EXTRA_H
#define L2L_RUNNER_EXTRA_H
#include "runner.h"

/* Allocates r's horizon runs and trace as experiment e asks. Returns 0 or
 * L2L_ENOMEM (said). */
int l2l_extra_setup(const struct suite *s, int e, struct opt_result *r);

/* The horizon k = 1, when listed, is the evaluation itself: copied. */
void l2l_extra_fill_base(const struct suite *s, int e, struct opt_result *r);

/* CPU nanoseconds of one step() per coordinate, on one thread, over a few
 * steps on evaluation problem 0 (r->step_ns), and the plugin's state
 * bytes per coordinate (r->state_bytes, NAN without the hook). phi: the
 * learned optimizer's φ or NULL. A hook that fails leaves step_ns NAN.
 * Returns 0 or L2L_ENOMEM (said). */
int l2l_cost_probe(struct suite *s, int e, struct opt_result *r, const float *phi);

void l2l_extra_free(struct opt_result *r);
#endif
