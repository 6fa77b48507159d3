/* lstm_gemm.h: the small matrix products of the coordinatewise LSTM, on
 * one block of coordinates at a time with the weights in L1:
 *     nn:  C = X · W         (gate pre-activations; dL/d[x, h] = dA · Wᵀ)
 *     tn:  D += Xᵀ · A       (dL/dW over the block's coordinates)
 * AVX2+FMA register-blocked kernels when the CPU has them, plain loops
 * otherwise. Both do the same fused multiply-adds (one rounding each) in
 * the same order, so they give the same bits, and every element of C
 * depends only on its own row of X: results do not depend on the block
 * size, the block's place or the thread that runs it. */
#ifndef L2L_LSTM_GEMM_H
#define L2L_LSTM_GEMM_H
#include <stddef.h>

/* Rows of X handled at once by nn (callers pad m to a multiple), rows of
 * D at once by tn (callers pad the columns of X to a multiple, with zeros
 * or any finite values). Columns (n) must be a multiple of 8. */
#define LSTM_MR 6
#define LSTM_KR 6

static inline size_t lstm_round_up(size_t x, size_t r) { return (x + r - 1) / r * r; }

/* Where element (i, j) of an (m, n) result lives: C + i·ldc + j, or with
 * gw > 0 (gw a multiple of 4) in planes of gw columns, gq floats apart:
 * C + (j / gw)·gq + i·ldc + j % gw (the gate planes, lstm_kernels.h). */
struct lstm_cmap {
    size_t ldc;
    int gw;
    size_t gq;
};

/* C (m, n) = X (m, k; row stride ldx) · W (k, n; ldw), or C += when acc,
 * m a multiple of LSTM_MR, n of 8; ldx = 0 repeats one row of X.
 * C[i][j] = fma(X[i][k−1], W[k−1][j], ... fma(X[i][0], W[0][j], C or 0)),
 * so products over consecutive row ranges of W chained with acc give the
 * bits of one product. */
void lstm_gemm_nn(float *C, const struct lstm_cmap *map, const float *X, size_t ldx,
                  const float *W, size_t ldw, int m, int n, int k, int acc);
/* The same over a sum split in ns segments, X = [X_0, X_1, ...] side by
 * side and W = [W_0; W_1; ...] stacked (row stride ldw): the bits of one
 * product of the concatenations, without building them. */
struct lstm_seg {
    const float *x;
    size_t ldx;
    const float *w;
    int k;
};
void lstm_gemm_nn_seg(float *C, const struct lstm_cmap *map, const struct lstm_seg *seg, int ns,
                      size_t ldw, int m, int n, int acc);
/* D (kp, n; ldd) += Xᵀ · A (m, n; laid out as amap says), kp a multiple
 * of LSTM_KR, n of 8, where column p of X (m) is xc[p].x with stride
 * xc[p].ld (0 repeats one value: the bias's 1, a padding 0); the sum over
 * the m rows is taken in row order. */
struct lstm_tcol {
    const float *x;
    size_t ld;
};
void lstm_gemm_tn(float *D, size_t ldd, const struct lstm_tcol *xc, const float *A,
                  const struct lstm_cmap *amap, int m, int n, int kp);
/* xc[0..kp) ← the columns of [x, h, 1, 0 ...] read in place: x (rows of
 * in), h (rows of H), the bias's 1, padding 0s up to kp ≥ in + H + 1. */
void lstm_tcols_xh1(struct lstm_tcol *xc, const float *x, int in, const float *h, int H, int kp);
/* The plain-loop versions (what the dispatch uses without AVX2+FMA). */
void lstm_gemm_nn_ref(float *C, const struct lstm_cmap *map, const float *X, size_t ldx,
                      const float *W, size_t ldw, int m, int n, int k, int acc);
void lstm_gemm_nn_seg_ref(float *C, const struct lstm_cmap *map, const struct lstm_seg *seg,
                          int ns, size_t ldw, int m, int n, int acc);
void lstm_gemm_tn_ref(float *D, size_t ldd, const struct lstm_tcol *xc, const float *A,
                      const struct lstm_cmap *amap, int m, int n, int kp);
#endif
