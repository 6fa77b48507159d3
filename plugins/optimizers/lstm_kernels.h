/* lstm_kernels.h: the math of the coordinatewise LSTM optimizer
 * (Andrychowicz et al. 2016), over all n coordinates at once, forward and
 * backward side by side, llm.c style. The plugin (lstm_plugin.c) owns the
 * buffers; these functions own nothing.
 *
 * Network, for every coordinate k (weights φ shared, state per coordinate):
 *     x_0 = preprocess(∇_k)                      (D = 1 or 2 inputs)
 *     layer l = 0..L−1, input x_l (in_l = D for l = 0, else H):
 *         a = [x_l, h_l, 1] · W_l                (W_l: (in_l+H+1) × 4H)
 *         i = σ(a_i), j = tanh(a_j), f = σ(a_f + 1), o = σ(a_o)
 *         c_l' = f·c_l + i·j,  h_l' = tanh(c_l')·o,  x_{l+1} = h_l'
 *         (lstm-gac: cells u < gac of h_l' replaced by their mean over the
 *          coordinates of the parameter group, before anyone reads them)
 *     y = [x_L, 1] · w_out,   update g = scale · y.
 *
 * Layout of φ (row-major, the last row of each matrix is the bias):
 *     W_0 (D+H+1, 4H), W_1 (2H+1, 4H), ..., W_{L−1}, w_out (in_out+1)
 * with gate columns in the order i, j, f, o (H columns each) and
 * in_out = H when L > 0, D when L = 0. */
#ifndef L2L_LSTM_KERNELS_H
#define L2L_LSTM_KERNELS_H
#include <stddef.h>
#include "l2l/plugin.h"

enum lstm_pre { LSTM_PRE_NONE, LSTM_PRE_LOGSIGN, LSTM_PRE_LOGSIGN_REF };

struct lstm_dims {
    int L, H, D;     /* layers, hidden units, inputs per coordinate */
    int gac;         /* global averaging cells per layer (0 = plain LSTM) */
};

/* Rows of W_l (inputs + hidden + bias). */
static inline int lstm_rows(const struct lstm_dims *d, int l)
{
    return (l == 0 ? d->D : d->H) + d->H + 1;
}
/* Inputs of the output layer (without its bias). */
static inline int lstm_out_in(const struct lstm_dims *d)
{
    return d->L > 0 ? d->H : d->D;
}
/* Offset of W_l in φ; l = L gives the offset of w_out. */
size_t lstm_phi_offset(const struct lstm_dims *d, int l);
/* n_meta: the length of φ. */
size_t lstm_phi_size(const struct lstm_dims *d);

/* x (n, D) = preprocess(grad (n)), p > 0:
 *   none:        x = ∇
 *   logsign:     (log|∇|/p, sign ∇) if |∇| ≥ e^−p, else (−1, e^p·∇)   (paper)
 *   logsign-ref: (max(log(|∇|+ε)/p, −1), clamp(e^p·∇, −1, 1)), ε = FLT_EPSILON
 *                (the reference code's LogAndSign; its ε is float32's eps).
 * Writes into rows of stride ld. */
void lstm_preprocess(float *x, size_t ld, const float *grad, size_t n,
                     enum lstm_pre pre, float p);

/* The gate pass of one layer, from the pre-activations A = [x, h, 1]·W
 * (n, 4H) (A is left as it is): c (n, H) ← c', h (n, H) ← h'. */
void lstm_cell_forward(const float *A, float *c, float *h, size_t n, int H);

/* Backward of the gate pass, recomputing the gates from the same A:
 * A (n, 4H) ← dL/dA (in place); cprev (n, H) the cell state before the
 * step; dh (n, H) = dL/dh' (after the adjoint of any averaging); dc (n, H)
 * holds dL/dc' on entry (from step t+1) and dL/dc (for step t−1) on exit. */
void lstm_cell_backward(float *A, const float *cprev, const float *dh, float *dc,
                        size_t n, int H);

/* Mean over the coordinates of each group of columns [0, m) of X (rows of
 * stride ld), written back into every row of the group. Used forward on h'
 * (global averaging cells) and backward on dL/dh, since the mean is its
 * own adjoint. Deterministic: fixed-order sums in double. */
void lstm_group_mean(float *X, size_t ld, int m, const struct l2l_group *groups,
                     int n_groups, double *scratch);

/* y (n) = scale · ([X, 1] · w) with X (n, m), w (m+1). */
void lstm_output_forward(float *y, const float *X, const float *w, size_t n, int m,
                         float scale);
/* dw (m+1) += Σ_k dy_k·[X_k, 1] for dy = scale·dg; dX (n, m) += dy ⊗ w[0..m)
 * when dX is not NULL. Deterministic (fixed blocks, summed in order). */
void lstm_output_backward(float *dw, float *dX, const float *dg, const float *X,
                          const float *w, size_t n, int m, float scale, double *scratch);

/* Fixed-order reductions over coordinates go by blocks of LSTM_BLOCK rows,
 * whatever the number of threads; `scratch` holds the partial sums:
 * lstm_scratch_len(n, m, n_groups) doubles. */
#define LSTM_BLOCK 1024
/* Below this many coordinates a loop runs on one thread. The gate passes
 * are a quarter of the time (sgemm, threaded by BLAS, is the rest), and
 * OpenMP barriers cost whole scheduler slices on a busy machine (measured:
 * N = 15910 ran 5× slower with 2 threads than with 1 on a loaded 2-core
 * box), so only really large N are split. */
#define LSTM_PAR_MIN 65536
static inline size_t lstm_scratch_len(size_t n, int m, int n_groups)
{
    return (n / LSTM_BLOCK + (size_t)n_groups + 1) * (size_t)(m + 1);
}
#endif
