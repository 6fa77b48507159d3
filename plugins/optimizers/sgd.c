/* sgd.c: stochastic gradient descent with optional (Nesterov) momentum and
 * weight decay, exactly as torch.optim.SGD:
 *     d = ∇ + λ θ
 *     b = d on the first step, else b = μ b + (1 − τ) d     (when μ ≠ 0)
 *     d = d + μ b if nesterov, else d = b                    (when μ ≠ 0)
 *     θ = θ − lr d
 * torch has no default lr; ours is 0.01 (the usual starting point, and the
 * same as nag's). Parameter groups are accepted and ignored: every
 * coordinate gets the same hyperparameters. */
#include "hand_common.h"

enum { LR, MOMENTUM, DAMPENING, WEIGHT_DECAY, NESTEROV };

static const struct l2l_option options[] = {
    [LR] = HAND_OPT_LR("0.01"),
    [MOMENTUM] = {"momentum", L2L_OPT_REAL, "0", 0, 1, NULL, "momentum factor μ (0: none)"},
    [DAMPENING] = {"dampening", L2L_OPT_REAL, "0", 0, 1, NULL, "dampening τ of the momentum: b = μ b + (1 − τ) d"},
    [WEIGHT_DECAY] = HAND_OPT_WD,
    [NESTEROV] = {"nesterov", L2L_OPT_BOOL, "false", 0, 0, NULL, "Nesterov momentum (needs momentum > 0 and dampening 0)"},
    HAND_OPT_END};

struct sgd {
    struct hand h;
    float lr, mu, one_m_damp, wd; /* 1 − τ */
    int nesterov;
};

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups,
                    int n_groups, char *err, size_t errlen)
{
    (void)groups; (void)n_groups;
    int nesterov = (int)opts[NESTEROV].i;
    if (nesterov && (opts[MOMENTUM].r <= 0 || opts[DAMPENING].r != 0)) {
        /* as torch: the Nesterov look-ahead is defined for undamped momentum */
        snprintf(err, errlen, "sgd: nesterov = true needs momentum > 0 and dampening = 0, got momentum = %g, dampening = %g",
                 opts[MOMENTUM].r, opts[DAMPENING].r);
        return NULL;
    }
    struct sgd *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "sgd: out of memory");
        return NULL;
    }
    s->lr = (float)opts[LR].r;
    s->mu = (float)opts[MOMENTUM].r;
    s->one_m_damp = (float)(1.0 - opts[DAMPENING].r);
    s->wd = (float)opts[WEIGHT_DECAY].r;
    s->nesterov = nesterov;
    if (hand_init(&s->h, "sgd", n, s->mu != 0.0f, err, errlen) < 0) { /* b only with momentum */
        free(s);
        return NULL;
    }
    return s;
}

static int step(void *self, float *theta, const float *grad)
{
    struct sgd *s = self;
    hand_sgd_step(s->h.n, theta, grad, hand_buf(&s->h, 0), s->h.t == 0, s->lr, s->mu, s->one_m_damp,
                  s->wd, s->nesterov);
    s->h.t++;
    return 0;
}

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
    .name = "sgd",
    .version = "1.0",
    .description = "SGD with optional momentum, Nesterov and weight decay (as torch.optim.SGD)",
    .options = options,
    .tunable = "lr",
    .create = create,
    .destroy = hand_destroy,
    .reset = hand_reset_self,
    .state_bytes = hand_state_bytes,
    .step = step,
    .learned = NULL,
};
