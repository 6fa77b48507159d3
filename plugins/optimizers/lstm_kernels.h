/* lstm_kernels.h: the math of the coordinatewise LSTM optimizer
 * (Andrychowicz et al. 2016), on blocks of coordinates, forward and
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

/* Its derivative: dgrad (n) = Σ_u dx[k·ld + u]·∂x_u/∂∇_k at grad (n). The
 * sign and the clamped or constant pieces have derivative 0:
 *   none: dx_0;   logsign: dx_0/(p·∇) if |∇| ≥ e^−p, else e^p·dx_1;
 *   logsign-ref: dx_0·sign(∇)/(p·(|∇|+ε)) where the log is not clamped,
 *                plus e^p·dx_1 where e^p·∇ is inside (−1, 1). */
void lstm_preprocess_backward(float *dgrad, const float *dx, size_t ld, const float *grad,
                              size_t n, enum lstm_pre pre, float p);

/* The gates work on planes (lstm_gates.h).
 * rows_to_planes: P ← A (m, 4H; row stride lda); planes_to_rows back. */
void lstm_rows_to_planes(float *P, size_t ps, const float *A, size_t lda, size_t m, int H);
void lstm_planes_to_rows(float *A, size_t lda, const float *P, size_t ps, size_t m, int H);

/* dL/d(output layer) over n rows: part (m+1) += Σ_k dg_k·[X_k, 1] (the
 * caller multiplies the sum by scale); dX (n, m) += dy ⊗ w[0..m) for
 * dy = scale·dg when dX is not NULL. The output itself (y = scale·([X,
 * 1]·w)) is a product of lstm_gemm.h. */
void lstm_output_backward(float *part, float *dX, const float *dg, const float *X,
                          const float *w, size_t n, int m, float scale);

#endif
