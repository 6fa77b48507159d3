/* conv_net.h: forward and backward passes of a small convolutional
 * classifier over a minibatch, on flat float32 buffers:
 *
 *   image → [conv + b → batch norm → activation → max pool] × n_conv
 *         → flatten → [W x + b → batch norm → activation] × n_hidden
 *         → W x + b → softmax cross-entropy
 *
 * the paper's CIFAR-10 network in the reference code (deepmind/
 * learning-to-learn, problems.py cifar10: Sonnet ConvNet2D with batch
 * norm, pooling inside the activation, then an MLP with batch norm).
 *
 * Activations are stored channel-major over the batch, (C, B, H, W), so
 * that a convolution over the whole minibatch is one matrix product
 * (im2col) and a channel's batch-norm statistics are one contiguous run.
 *
 * θ layout, in order (the parameter groups follow it):
 *   per convolution l:  W (cout, cin, k, k), b (cout), [γ (cout)], β (cout)
 *   per hidden layer j: W (nin, nout), b (nout), [γ (nout)], β (nout)
 *   output:             W (nin, classes), b (classes)
 * γ is there with bn_scale, β and γ only with batch norm. The flattened
 * features are in (C, H, W) order for each example. */
#ifndef L2L_CONV_NET_H
#define L2L_CONV_NET_H
#include <stddef.h>
#include <stdint.h>

/* float for the plugin; double (-DCONV_DOUBLE) for the gradient test. */
#ifdef CONV_DOUBLE
typedef double real;
#else
typedef float real;
#endif

enum conv_act { CONV_RELU = 0, CONV_TANH = 1, CONV_SIGMOID = 2 };

#define CONV_MAX_CONV 8
#define CONV_MAX_HIDDEN 8
/* Examples per task of a convolution: fixed, so that the bits do not
 * depend on the thread count. */
#define CONV_CHUNK 8
#define CONV_NONE ((size_t)-1) /* offset of a parameter that is not there */

/* Offsets in θ of one layer's parameters (CONV_NONE where absent). */
struct conv_params { size_t w, b, gamma, beta; };

struct conv_layer {
    int cin, cout, k, stride;
    int h, w;          /* input plane */
    int ho, wo;        /* convolution output plane */
    int pad_t, pad_l;  /* zero padding above and left of the input */
    int ph, pw;        /* pooled plane (= ho, wo without pooling) */
    int ppad_t, ppad_l;/* pooling's padding (SAME), excluded from the max */
    struct conv_params p;
};

struct conv_fc {
    int nin, nout;
    struct conv_params p;
};

struct conv_shape {
    int n_conv, n_fc;         /* n_fc = hidden layers + 1 (the output) */
    struct conv_layer conv[CONV_MAX_CONV];
    struct conv_fc fc[CONV_MAX_HIDDEN + 1];
    int batch_norm, bn_scale; /* batch norm on every layer but the output */
    real eps;                 /* of batch norm: x̂ = (z − μ) / sqrt(σ² + eps) */
    enum conv_act act;
    int pool, pool_stride;    /* pool 1: no pooling */
    size_t n_params;
};

/* What conv_shape_init needs. */
struct conv_spec {
    int in_c, in_h, in_w;
    int n_conv, channels[CONV_MAX_CONV];
    int kernel, stride, same; /* same: SAME padding (conv and pool), else VALID */
    int pool, pool_stride;
    int n_hidden, hidden[CONV_MAX_HIDDEN];
    int classes;
    int batch_norm, bn_scale;
    double eps;
    enum conv_act act;
};

/* Fills sizes and offsets; returns 0, or -1 with a one-line reason in err
 * when a plane shrinks to nothing (VALID padding, kernel too large). */
int conv_shape_init(struct conv_shape *s, const struct conv_spec *spec, char *err, size_t errlen);

/* FLOPs of one forward and backward pass over B examples (matrix products
 * only: 2·M·N·K each). */
double conv_flops(const struct conv_shape *s, int B);

/* Workspace for minibatches of up to `rows` examples (nothing allocated per
 * call). */
struct conv_work {
    int rows;
    real *a[CONV_MAX_CONV];     /* (cout, B, ho, wo) after batch norm and activation */
    real *xh[CONV_MAX_CONV];    /* (cout, B, ho, wo) x̂ of batch norm */
    real *p[CONV_MAX_CONV];     /* (cout, B, ph, pw) pooled (= a without pooling) */
    int32_t *arg[CONV_MAX_CONV]; /* (cout, B, ph, pw) where each max came from */
    real *istd[CONV_MAX_CONV + CONV_MAX_HIDDEN]; /* (C) 1/sqrt(σ² + eps) */
    real *fa[CONV_MAX_HIDDEN + 1]; /* (B, nout) hidden activations; [n_fc-1] probabilities */
    real *fxh[CONV_MAX_HIDDEN];    /* (B, nout) x̂ */
    real *flat;                 /* (B, nin of fc 0) the flattened features */
    real *col;                  /* (chunks, col_len): each chunk's im2col of one example */
    size_t col_len;             /* the largest cin·k·k·ho·wo */
    real *dw;                   /* (chunks, cout·cin·k·k) weight gradient per chunk */
    double *part;               /* (chunks, 2, cout) Σz and Σz² per chunk, for batch norm */
    real *d[2];                 /* the largest activation, gradients in turn */
};

int conv_work_alloc(struct conv_work *w, const struct conv_shape *s, int rows);
void conv_work_free(struct conv_work *w);

/* Forward pass in training mode (batch norm with this minibatch's
 * statistics) of B <= w->rows examples x (in_c, B, in_h, in_w) with labels
 * y (B). Returns the mean cross-entropy; *correct (may be NULL) gets the
 * number of examples whose largest logit is the label. */
double conv_forward(const struct conv_shape *s, struct conv_work *w, const real *theta,
                    const real *x, const uint8_t *y, int B, long *correct);

/* Backward pass after conv_forward on the same arguments: writes (does not
 * accumulate) d(mean loss)/dθ into grad (n_params), differentiating through
 * the batch statistics exactly. */
void conv_backward(const struct conv_shape *s, struct conv_work *w, const real *theta,
                   const real *x, const uint8_t *y, int B, real *grad);
/* The im2col of conv_net.c and its adjoint, for conv_hvp.c: col
 * (cin·k·k, ho·wo) of example b of x (cin, B, h, w); col2im writes (does
 * not accumulate) example b's planes of dx. */
void conv_im2col(const struct conv_layer *L, const real *x, int B, int b, real *col);
void conv_col2im(const struct conv_layer *L, const real *dcol, int B, int b, real *dx);

/* Workspace of conv_hvp for up to `rows` examples: the R{·} of every
 * activation (conv_hvp.c). */
struct conv_rwork {
    int rows;
    real *ry[CONV_MAX_CONV];    /* (cout, B, ho, wo) R y, y the activation's input */
    real *ra[CONV_MAX_CONV];    /* (cout, B, ho, wo) R a */
    real *rxh[CONV_MAX_CONV];   /* (cout, B, ho, wo) R x̂ (batch norm) */
    real *rp[CONV_MAX_CONV];    /* (cout, B, ph, pw) R of the pooled output */
    real *rstd[CONV_MAX_CONV + CONV_MAX_HIDDEN]; /* (C) R of 1/sqrt(σ² + eps) */
    real *fry[CONV_MAX_HIDDEN + 1]; /* (B, nout) R y; [n_fc-1] R of the logits */
    real *fra[CONV_MAX_HIDDEN];     /* (B, nout) R a */
    real *frxh[CONV_MAX_HIDDEN];    /* (B, nout) R x̂ */
    real *rflat;                /* (B, nin of fc 0) */
    real *rcol;                 /* (col_len) R of one example's im2col */
    real *d[4];                 /* the largest activation: δ, R δ and the next ones */
};

int conv_rwork_alloc(struct conv_rwork *r, const struct conv_shape *s, int rows);
void conv_rwork_free(struct conv_rwork *r);

/* hv (n_params) = ∇²(mean loss)(θ)·v on the examples x (in_c, B, in_h,
 * in_w), y (B), B <= the rows of w and r, by Pearlmutter's R-operator
 * through every layer, batch norm included (exact through the batch
 * statistics). Runs conv_forward into w first. */
void conv_hvp(const struct conv_shape *s, struct conv_work *w, struct conv_rwork *r,
              const real *theta, const real *v, const real *x, const uint8_t *y, int B, real *hv);
#endif
