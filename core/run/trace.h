/* trace.h: update traces (the paper's Appendix B): for one trajectory,
 * per step, how the update Δθ relates to the gradient ∇ it was given, and
 * the pairs (∇_i, Δθ_i) of a fixed sample of coordinates. Recorded by
 * l2l_trace_trajectory for the first run of an experiment with
 * `trace = true` (runner.c), written to trace.csv and trace_pairs.csv
 * (results_extra.c). */
#ifndef L2L_TRACE_H
#define L2L_TRACE_H
#include <stddef.h>
#include "runner.h"

#define L2L_TRACE_SAMPLE 64   /* coordinates whose (∇, Δθ) pairs are kept */

struct l2l_trace {
    long steps;              /* steps recorded: rows 0..steps-1 */
    long done;               /* steps taken (fewer when the run diverged) */
    double *loss;            /* (steps) loss at θ_t, before step t */
    double *grad_norm;       /* (steps) |∇_t| */
    double *ratio;           /* (steps) |Δθ_t| / |∇_t| */
    double *cosine;          /* (steps) cos(Δθ_t, −∇_t) */
    double *against;         /* (steps) fraction of coordinates with ∇_i ≠ 0 moving along +∇_i */
    int n_sample;
    size_t sample[L2L_TRACE_SAMPLE]; /* coordinate indices, ascending */
    float *pair_grad, *pair_update;  /* (steps, n_sample) */
};

/* The statistics of one step: grad (n), theta before and after it.
 * |∇| = 0 gives NAN ratio and cosine; |Δθ| = 0 a NAN cosine; no nonzero
 * gradient coordinate a NAN fraction. Sums in double. */
void l2l_trace_stats(const float *grad, const float *before, const float *after, size_t n,
                     double *grad_norm, double *ratio, double *cosine, double *against);

/* Allocates a trace of `steps` steps over n parameters with a sample of
 * min(n, L2L_TRACE_SAMPLE) distinct coordinates drawn from rng. Returns 0
 * or L2L_ENOMEM. */
int l2l_trace_init(struct l2l_trace *tr, long steps, size_t n, struct l2l_rng *rng);
void l2l_trace_free(struct l2l_trace *tr);

/* l2l_trajectory (runner.h), recording tr as it goes; the same losses
 * bit for bit. Returns as l2l_trajectory, or L2L_ENOMEM. */
int l2l_trace_trajectory(const struct l2l_optimizee_ops *obj, void *problem, float *theta,
                         float *grad, size_t n, const struct l2l_optimizer_ops *opt, void *self,
                         long steps, struct run_out *out, struct l2l_trace *tr);
#endif
