/* ntm_bfgs.c: the `ntm-bfgs` learned optimizer plugin (Andrychowicz et al.
 * 2016, appendix D; docs/ntm-bfgs.md): options, vtable and meta-training
 * hooks over struct ntm_net (ntm_bfgs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "l2l/plugin.h"
#include "ntm_bfgs.h"
#include "lstm_options.h"

/* Preprocessing, p and scale as `lstm` (the paper's MNIST setting); one
 * read head and three write heads as the paper's BFGS argument (three
 * rank-one terms per step); a window of 10 steps as a common L-BFGS
 * history. */
static const struct l2l_option options[] = {
    {"layers", L2L_OPT_INT, "2", 1, 8, NULL, "LSTM layers of the controller (paper: 2)"},
    {"hidden", L2L_OPT_INT, "20", 1, 1024, NULL, "units per LSTM layer (paper: 20)"},
    {"gac", L2L_OPT_INT, "5", 0, 1024, NULL,
     "global averaging cells per layer (the first gac units; at most hidden)"},
    {"read_heads", L2L_OPT_INT, "1", 1, 8, NULL,
     "read heads R: each reads M r per step; the first one's read is added to the update"},
    {"write_heads", L2L_OPT_INT, "3", 1, 8, NULL,
     "write heads W: each adds a rank-one a bᵀ/N to the memory per step (paper's BFGS: 3)"},
    {"window", L2L_OPT_INT, "10", 0, 1000, NULL,
     "steps of writes kept (sliding window, O(n·window·W) per read); 0 = a dense N×N memory, "
     "at most 2048 coordinates per scope"},
    {"m0", L2L_OPT_STRING, "identity", 0, 0, "zero|identity", "M_0: zero, or m0_scale·I"},
    {"m0_scale", L2L_OPT_REAL, "1", -1e6, 1e6, NULL, "s of M_0 = s·I (m0 = identity)"},
    {"scope", L2L_OPT_STRING, "all", 0, 0, "all|group",
     "one memory over all coordinates (paper), or one per parameter group"},
    {"init", L2L_OPT_STRING, "reference", 0, 0, "reference|zeros",
     "φ at meta_init: reference = truncated normal std 1/√(inputs+hidden); zeros"},
    {"preprocess", L2L_OPT_STRING, "logsign", 0, 0, "logsign|logsign-ref|none",
     "gradient input, as lstm: logsign (paper), logsign-ref (reference code), none"},
    {"p", L2L_OPT_REAL, "10", 0.01, 100, NULL, "p of logsign (paper: 10)"},
    {"scale", L2L_OPT_REAL, "0.1", 1e-8, 1e6, NULL, "update = scale·(output + first read)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

enum { O_LAYERS, O_HIDDEN, O_GAC, O_R, O_W, O_WINDOW, O_M0, O_M0S, O_SCOPE, O_INIT, O_PRE, O_P,
       O_SCALE };

struct ntm_opt {
    struct ntm_net net;
    float *upd; /* (n) */
    int init_zeros, per_group;
};

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups,
                    int n_groups, char *err, size_t errlen)
{
    struct ntm_dims d = {.L = (int)opts[O_LAYERS].i, .H = (int)opts[O_HIDDEN].i,
                         .gac = (int)opts[O_GAC].i, .R = (int)opts[O_R].i,
                         .W = (int)opts[O_W].i, .window = (int)opts[O_WINDOW].i,
                         .m0 = !strcmp(opts[O_M0].s, "identity")};
    enum lstm_pre pre = lstm_pre_option(opts[O_PRE].s, &d.D);
    if (d.gac > d.H) {
        snprintf(err, errlen, "ntm-bfgs: gac = %d, expected at most hidden = %d", d.gac, d.H);
        return NULL;
    }
    struct ntm_opt *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "ntm-bfgs: out of memory");
        return NULL;
    }
    s->init_zeros = !strcmp(opts[O_INIT].s, "zeros");
    s->per_group = !strcmp(opts[O_SCOPE].s, "group");
    if (ntm_net_init(&s->net, &d, pre, (float)opts[O_P].r, (float)opts[O_SCALE].r,
                     (float)opts[O_M0S].r, s->per_group, n, groups, n_groups, err, errlen) < 0) {
        free(s);
        return NULL;
    }
    if (!(s->upd = lstm_update_alloc(n, "ntm-bfgs", err, errlen))) {
        ntm_net_free(&s->net);
        free(s);
        return NULL;
    }
    return s;
}

static void destroy(void *self)
{
    struct ntm_opt *s = self;
    if (!s)
        return;
    ntm_net_free(&s->net);
    free(s->upd);
    free(s);
}

static void reset(void *self) { ntm_net_reset(&((struct ntm_opt *)self)->net); }

static int step(void *self, float *theta, const float *grad)
{
    struct ntm_opt *s = self;
    ntm_net_forward(&s->net, grad, s->upd);
    lstm_update_apply(theta, s->upd, s->net.n);
    return 0;
}

static size_t n_meta(const void *self) { return ntm_phi_size(&((const struct ntm_opt *)self)->net.d); }
static float *meta(void *self) { return ((struct ntm_opt *)self)->net.phi; }

static void meta_init(void *self, struct l2l_rng *rng)
{
    struct ntm_opt *s = self;
    if (s->init_zeros)
        memset(s->net.phi, 0, sizeof(float) * ntm_phi_size(&s->net.d));
    else
        ntm_net_init_phi(&s->net, rng);
}

/* layout 1 = the φ layout of ntm_bfgs.h; m0: 0 zero, 1 identity. */
static const char *const shape_names[] = {"layout", "layers", "hidden", "inputs", "gac",
                                          "read_heads", "write_heads", "window", "m0"};
#define N_SHAPE 9

static int shape(const void *self, uint32_t *words, int max)
{
    const struct ntm_dims *d = &((const struct ntm_opt *)self)->net.d;
    uint32_t w[N_SHAPE] = {1, (uint32_t)d->L, (uint32_t)d->H, (uint32_t)d->D, (uint32_t)d->gac,
                           (uint32_t)d->R, (uint32_t)d->W, (uint32_t)d->window, (uint32_t)d->m0};
    return lstm_shape_copy(words, max, w, N_SHAPE);
}

static int tape_begin(void *self, int U)
{
    return ntm_net_tape_begin(&((struct ntm_opt *)self)->net, U);
}

static int step_record(void *self, int t, const float *theta, const float *grad, float *update)
{
    (void)theta;
    return ntm_net_step_record(&((struct ntm_opt *)self)->net, t, grad, update);
}

static int backward(void *self, const float *dg, float *dphi)
{
    return ntm_net_backward(&((struct ntm_opt *)self)->net, dg, dphi);
}

static int backward_step(void *self, int t, const float *dg_t, float *dgrad, float *dphi)
{
    return ntm_net_backward_step(&((struct ntm_opt *)self)->net, t, dg_t, dgrad, dphi);
}

/* FLOPs per coordinate of one step: the controller's products (2 per
 * multiply-add, as lstm's count), and per read head 4 per write pair in
 * the window (bᵀr and the axpy) or 2N for a dense memory; backward about
 * twice the products plus dx, and three passes over the pairs. */
static double flops(const void *self, double *meta_step)
{
    const struct ntm_opt *s = self;
    const struct ntm_dims *d = &s->net.d;
    double H = d->H, f = 0, dx = 0;
    for (int l = 0; l < d->L; l++) {
        double in = l == 0 ? ntm_in0(d) : H;
        f += 2.0 * (in + H + 1) * 4 * H;
        dx += 2.0 * (in + H) * 4 * H;
    }
    f += 2.0 * (H + 1) * ntm_outs(d);
    dx += 2.0 * H * ntm_outs(d);
    double pairs = (double)d->window * d->W;
    double mem = d->window > 0 ? d->R * 4.0 * pairs : d->R * 2.0 * (double)s->net.n;
    double n = (double)s->net.n;
    if (meta_step)
        *meta_step = (3.0 * f + dx + mem * 3.0) * n;
    return (f + mem) * n;
}

/* h and c of every layer, the input row, the last reads, the update, the
 * window's pairs (or a dense row of the memory). */
static double state_bytes(const void *self)
{
    const struct ntm_opt *s = self;
    const struct ntm_dims *d = &s->net.d;
    double mem = d->window > 0 ? 2.0 * d->window * d->W : (double)s->net.n;
    return sizeof(float) * (2.0 * d->L * d->H + ntm_in0(d) + d->R + 1 + mem);
}

static const char *const update_options[] = {"layers", "hidden", "gac", "read_heads",
                                             "write_heads", "window", "m0", "m0_scale",
                                             "scope", "preprocess", "p", "scale", NULL};

static const struct l2l_learned_ops learned = {
    .n_meta = n_meta, .meta = meta, .meta_init = meta_init, .shape = shape,
    .shape_names = shape_names, .tape_begin = tape_begin, .step_record = step_record,
    .backward = backward, .update_options = update_options, .backward_step = backward_step,
};

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
    .name = "ntm-bfgs",
    .description = "LSTM+GAC controller with read/write heads on a shared low-rank memory "
                   "(NTM-BFGS, Andrychowicz et al. 2016, appendix D)",
    .version = "1",
    .options = options, .tunable = NULL,
    .create = create, .destroy = destroy, .reset = reset, .step = step,
    .learned = &learned,
    .flops = flops,
    .state_bytes = state_bytes,
};
