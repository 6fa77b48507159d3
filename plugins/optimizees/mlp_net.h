/* mlp_net.h: forward and backward passes of a fully connected classifier
 * (sigmoid, ReLU or tanh hidden layers, softmax cross-entropy output) over
 * a minibatch, as matrix products on flat float32 buffers.
 *
 * θ layout, layer by layer: W1 (n0, n1) row-major, b1 (n1), W2 (n1, n2),
 * b2 (n2), ... WL (n_{L-1}, nL), bL (nL), with n0 the input size and nL the
 * number of classes ((in, out) weights, as Sonnet's Linear in the paper's
 * reference code). */
#ifndef L2L_MLP_NET_H
#define L2L_MLP_NET_H
#include <stddef.h>
#include <stdint.h>

enum mlp_act { MLP_SIGMOID = 0, MLP_RELU = 1, MLP_TANH = 2 };

#define MLP_MAX_HIDDEN 8
#define MLP_MAX_LAYERS (MLP_MAX_HIDDEN + 1)

struct mlp_shape {
    int layers;                       /* L = hidden layers + 1 (output) */
    int width[MLP_MAX_LAYERS + 1];    /* width[0] inputs ... width[L] classes */
    enum mlp_act act;                 /* of the hidden layers */
    size_t w_off[MLP_MAX_LAYERS + 1]; /* offset of W_l in θ, l = 1..L */
    size_t b_off[MLP_MAX_LAYERS + 1]; /* offset of b_l in θ */
    size_t n_params;
};

/* Fills widths and offsets from inputs, hidden sizes and classes. */
void mlp_shape_init(struct mlp_shape *s, int inputs, const int *hidden, int n_hidden,
                    int classes, enum mlp_act act);

/* Workspace for minibatches of up to `rows` examples (no allocation per call). */
struct mlp_work {
    int rows;
    float *a[MLP_MAX_LAYERS + 1]; /* a[l] (rows, width[l]), l = 1..L: activations;
                                     a[L] holds softmax probabilities after forward */
    float *d[2];                  /* (rows, max width) deltas, used in turn */
};

int mlp_work_alloc(struct mlp_work *w, const struct mlp_shape *s, int rows);
void mlp_work_free(struct mlp_work *w);

/* Forward pass of B <= w->rows examples x (B, width[0]) with labels y (B).
 * Returns the mean cross-entropy (double); *correct (may be NULL) gets the
 * number of examples whose largest logit is the label. */
double mlp_forward(const struct mlp_shape *s, struct mlp_work *w, const float *theta,
                   const float *x, const uint8_t *y, int B, long *correct);

/* Backward pass after mlp_forward on the same arguments: writes (does not
 * accumulate) d(mean loss)/dθ into grad (n_params). */
void mlp_backward(const struct mlp_shape *s, struct mlp_work *w, const float *theta,
                  const float *x, const uint8_t *y, int B, float *grad);

/* mlp_hvp.c: workspace of the R-operator for up to `rows` examples. */
struct mlp_rwork {
    int rows;
    float *rz[MLP_MAX_LAYERS + 1]; /* (rows, width[l]) R z_l */
    float *ra[MLP_MAX_LAYERS + 1]; /* (rows, width[l]) R a_l, l < L */
    float *d[4];                   /* (rows, max width) δ, R δ and the next ones */
};

int mlp_rwork_alloc(struct mlp_rwork *r, const struct mlp_shape *s, int rows);
void mlp_rwork_free(struct mlp_rwork *r);

/* hv (n_params) = ∇²(mean loss)(θ)·v on the examples x (B, width[0]), y (B),
 * B ≤ the rows of w and r (Pearlmutter's R-operator; runs mlp_forward into w
 * first). */
void mlp_hvp(const struct mlp_shape *s, struct mlp_work *w, struct mlp_rwork *r,
             const float *theta, const float *v, const float *x, const uint8_t *y, int B,
             float *hv);
#endif
