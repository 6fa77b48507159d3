/* lstm_plugin.c: the `lstm` and `lstm-gac` learned optimizer plugins
 * (Andrychowicz et al. 2016): options, vtable and meta-training hooks over
 * struct lstm_net. Built twice: with -DLSTM_GAC=1 it is `lstm-gac`, the
 * paper appendix's LSTM with global averaging cells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "l2l/plugin.h"
#include "lstm_net.h"
#include "lstm_options.h"

#ifndef LSTM_GAC
#define LSTM_GAC 0
#endif

/* Defaults follow the paper's MNIST setting (preprocess = logsign, p = 10,
 * scale = 0.1); its quadratics use preprocess = none, scale = 1; the
 * reference code's MNIST uses logsign-ref, p = 5, scale = 0.01. */
static const struct l2l_option options[] = {
    {"layers", L2L_OPT_INT, "2", 0, 8, NULL,
     "LSTM layers (paper: 2); 0 = a learned linear rule on the preprocessed input"},
    {"hidden", L2L_OPT_INT, "20", 1, 1024, NULL, "units per LSTM layer (paper: 20)"},
    {"init", L2L_OPT_STRING, "reference", 0, 0, "reference|zeros",
     "φ at meta_init: reference = truncated normal std 1/√(inputs+hidden) (output 1/√fan_in); zeros"},
    {"preprocess", L2L_OPT_STRING, "logsign", 0, 0, "logsign|logsign-ref|none",
     "input (defaults logsign, p 10, scale 0.1 are the paper's MNIST setting): logsign = paper's (log|∇|/p, sign ∇) or (−1, e^p∇); logsign-ref = reference code's clipped form, ε = FLT_EPSILON; none = raw ∇"},
    {"p", L2L_OPT_REAL, "10", 0.01, 100, NULL, "p of logsign (paper: 10; reference code MNIST: 5)"},
    {"scale", L2L_OPT_REAL, "0.1", 1e-8, 1e6, NULL,
     "update = scale·output (default: paper's MNIST 0.1; quadratics: 1; reference code MNIST: 0.01)"},
#if LSTM_GAC
    /* The paper does not say how many cells average; a quarter of the
     * layer leaves most cells coordinatewise and is enough for global
     * statistics such as a gradient norm (for L2 clipping, its example). */
    {"gac", L2L_OPT_INT, "5", 0, 1024, NULL,
     "global averaging cells per layer (the first gac units; at most hidden; default 5 of 20): their h is averaged over the coordinates of each parameter group"},
#endif
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

enum { O_LAYERS, O_HIDDEN, O_INIT, O_PRE, O_P, O_SCALE, O_GAC };

struct lstm_opt {
    struct lstm_net net;
    float *upd;   /* (n) the update of step() */
    int init_zeros;
};

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups,
                    int n_groups, char *err, size_t errlen)
{
    struct lstm_dims d = {.L = (int)opts[O_LAYERS].i, .H = (int)opts[O_HIDDEN].i, .gac = 0};
    enum lstm_pre pre = lstm_pre_option(opts[O_PRE].s, &d.D);
#if LSTM_GAC
    d.gac = (int)opts[O_GAC].i;
    if (d.gac > d.H || (d.gac > 0 && d.L == 0)) {
        snprintf(err, errlen, "lstm-gac: gac = %d, expected at most hidden = %d (and layers > 0)",
                 d.gac, d.H);
        return NULL;
    }
#endif
    struct lstm_opt *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "lstm: out of memory");
        return NULL;
    }
    s->init_zeros = !strcmp(opts[O_INIT].s, "zeros");
    if (lstm_net_init(&s->net, &d, pre, (float)opts[O_P].r, (float)opts[O_SCALE].r, n,
                      groups, n_groups, err, errlen) < 0) {
        free(s);
        return NULL;
    }
    if (!(s->upd = lstm_update_alloc(n, "lstm", err, errlen))) {
        lstm_net_free(&s->net);
        free(s);
        return NULL;
    }
    return s;
}

static void destroy(void *self)
{
    struct lstm_opt *s = self;
    if (!s)
        return;
    lstm_net_free(&s->net);
    free(s->upd);
    free(s);
}

static void reset(void *self) { lstm_net_reset(&((struct lstm_opt *)self)->net); }

/* θ ← θ + g, g computed into the object's own buffer. */
static int step(void *self, float *theta, const float *grad)
{
    struct lstm_opt *s = self;
    lstm_net_forward(&s->net, grad, s->upd);
    lstm_update_apply(theta, s->upd, s->net.n);
    return 0;
}

static size_t n_meta(const void *self)
{
    return lstm_phi_size(&((const struct lstm_opt *)self)->net.d);
}

static float *meta(void *self) { return ((struct lstm_opt *)self)->net.phi; }

static void meta_init(void *self, struct l2l_rng *rng)
{
    struct lstm_opt *s = self;
    if (s->init_zeros)
        memset(s->net.phi, 0, sizeof(float) * lstm_phi_size(&s->net.d));
    else
        lstm_net_init_phi(&s->net, rng);
}

/* layout 1 = the φ layout of lstm_kernels.h. variant 0 = lstm, 1 = lstm-gac. */
static const char *const shape_names[] = {"layout", "variant", "layers", "hidden", "inputs", "gac"};

static int shape(const void *self, uint32_t *words, int max)
{
    const struct lstm_dims *d = &((const struct lstm_opt *)self)->net.d;
    uint32_t w[6] = {1, LSTM_GAC, (uint32_t)d->L, (uint32_t)d->H, (uint32_t)d->D, (uint32_t)d->gac};
    return lstm_shape_copy(words, max, w, 6);
}

static int tape_begin(void *self, int U)
{
    return lstm_net_tape_begin(&((struct lstm_opt *)self)->net, U);
}

static int step_record(void *self, int t, const float *theta, const float *grad, float *update)
{
    (void)theta;
    return lstm_net_step_record(&((struct lstm_opt *)self)->net, t, grad, update);
}

static int backward(void *self, const float *dg, float *dphi)
{
    return lstm_net_backward(&((struct lstm_opt *)self)->net, dg, dphi);
}

/* FLOPs per coordinate of the matrix products (the nonlinearities and the
 * averaging cells' means are not counted): layer l maps in_l + H inputs
 * and a bias to 4H gates (in_0 = D, in_l = H), the output layer H + 1 to
 * one value, 2 FLOPs per multiply-add; layers = 0 is one linear map of
 * D + 1. The backward recomputes the forward, forms every dW (as many
 * FLOPs again) and the dx the chain needs: the recurrent and lower-layer
 * inputs, not the preprocessed gradient (the output layer's dh, 2H, is
 * left out, as in the constants below). For 2 layers of 20 units and 2
 * inputs: 10,282 forward, 30,164 backward (core/bench/bench.h's constants). */
static void lstm_flop(const struct lstm_dims *d, double *fwd, double *bwd)
{
    double H = d->H, f = 0, dx = 0;
    if (d->L == 0) {
        *fwd = 2.0 * (d->D + 1);
        *bwd = 2.0 * *fwd;
        return;
    }
    for (int l = 0; l < d->L; l++) {
        double in = l == 0 ? d->D : H;
        f += 2.0 * (in + H + 1) * 4 * H;
        dx += 2.0 * ((l == 0 ? 0 : in) + H) * 4 * H;
    }
    f += 2.0 * (H + 1);
    *fwd = f;
    *bwd = 2.0 * f + dx;
}

static double flops(const void *self, double *meta_step)
{
    const struct lstm_opt *s = self;
    double fwd, bwd;
    lstm_flop(&s->net.d, &fwd, &bwd);
    if (meta_step)
        *meta_step = (fwd + bwd) * (double)s->net.n;
    return fwd * (double)s->net.n;
}

/* h and c of every layer, the preprocessed input and the update. */
static double state_bytes(const void *self)
{
    const struct lstm_dims *d = &((const struct lstm_opt *)self)->net.d;
    return sizeof(float) * (2.0 * d->L * d->H + d->D + 1);
}

static int backward_step(void *self, int t, const float *dg_t, float *dgrad, float *dphi)
{
    return lstm_net_backward_step(&((struct lstm_opt *)self)->net, t, dg_t, dgrad, dphi);
}

/* What a checkpoint must have been trained with (init only sets the
 * starting φ, so it is not among them). */
static const char *const update_options[] = {"layers", "hidden", "preprocess", "p", "scale",
#if LSTM_GAC
                                             "gac",
#endif
                                             NULL};

static const struct l2l_learned_ops learned = {
    .n_meta = n_meta, .meta = meta, .meta_init = meta_init, .shape = shape, .shape_names = shape_names,
    .tape_begin = tape_begin, .step_record = step_record, .backward = backward,
    .update_options = update_options, .backward_step = backward_step,
};

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
#if LSTM_GAC
    .name = "lstm-gac",
    .description = "coordinatewise 2-layer LSTM with global averaging cells (Andrychowicz et al. 2016, appendix)",
#else
    .name = "lstm",
    .description = "coordinatewise 2-layer LSTM learned optimizer (Andrychowicz et al. 2016)",
#endif
    .version = "1",
    .options = options, .tunable = NULL,
    .create = create, .destroy = destroy, .reset = reset, .step = step,
    .learned = &learned,
    .flops = flops,
    .state_bytes = state_bytes,
};
