/* nag.c: Nesterov accelerated gradient, i.e. torch.optim.SGD with
 * nesterov=True (Sutskever et al. 2013 form), momentum 0.9 by default:
 *     d = ∇ + λ θ
 *     b = d on the first step, else b = μ b + d
 *     θ = θ − lr (d + μ b)
 * The same kernel as `sgd` (hand_common.h), so nag and sgd with
 * nesterov = true, dampening = 0 give identical trajectories. Parameter
 * groups are accepted and ignored. */
#include "hand_common.h"

enum { LR, MOMENTUM, WEIGHT_DECAY };

static const struct l2l_option options[] = {
    [LR] = HAND_OPT_LR("0.01"),
    [MOMENTUM] = {"momentum", L2L_OPT_REAL, "0.9", 0, 1, NULL, "momentum factor μ (must be > 0)"},
    [WEIGHT_DECAY] = HAND_OPT_WD,
    HAND_OPT_END};

struct nag {
    struct hand h;
    float lr, mu, wd;
};

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups,
                    int n_groups, char *err, size_t errlen)
{
    (void)groups; (void)n_groups;
    if (opts[MOMENTUM].r <= 0) {
        snprintf(err, errlen, "nag: momentum must be in (0, 1] for Nesterov momentum, got %g (use sgd for none)",
                 opts[MOMENTUM].r);
        return NULL;
    }
    struct nag *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "nag: out of memory");
        return NULL;
    }
    s->lr = (float)opts[LR].r;
    s->mu = (float)opts[MOMENTUM].r;
    s->wd = (float)opts[WEIGHT_DECAY].r;
    if (hand_init(&s->h, "nag", n, 1, err, errlen) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static int step(void *self, float *theta, const float *grad)
{
    struct nag *s = self;
    hand_sgd_step(s->h.n, theta, grad, hand_buf(&s->h, 0), s->h.t == 0, s->lr, s->mu, 1.0f,
                  s->wd, 1);
    s->h.t++;
    return 0;
}

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
    .name = "nag",
    .version = "1.0",
    .description = "Nesterov accelerated gradient (torch.optim.SGD with nesterov=True)",
    .options = options,
    .tunable = "lr",
    .create = create,
    .destroy = hand_destroy,
    .reset = hand_reset_self,
    .state_bytes = hand_state_bytes,
    .step = step,
    .learned = NULL,
};
