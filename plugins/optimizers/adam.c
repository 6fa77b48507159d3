/* adam.c: Adam (Kingma & Ba 2015) with optional AMSGrad, exactly as
 * torch.optim.Adam (L2 weight decay added to the gradient, not AdamW):
 *     d = ∇ + λ θ
 *     m = β1 m + (1 − β1) d
 *     v = β2 v + (1 − β2) d²
 *     amsgrad: v̂ = max(v̂, v), else v̂ = v
 *     θ = θ − (lr / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + ε)
 * with t = 1 on the first step after create/reset. β1, β2 are the one
 * option `betas` = "β1,β2", as torch's tuple. Parameter groups are
 * accepted and ignored. */
#include <math.h>
#include "hand_common.h"

enum { LR, BETAS, EPS, WEIGHT_DECAY, AMSGRAD };

static const struct l2l_option options[] = {
    [LR] = HAND_OPT_LR("0.001"),
    [BETAS] = {"betas", L2L_OPT_LIST, "0.9,0.999", 0, 1, NULL, "β1,β2: decay rates of the running means of d and d², each in [0, 1)"},
    [EPS] = {"eps", L2L_OPT_REAL, "1e-8", 0, 1, NULL, "ε added to the denominator for stability"},
    [WEIGHT_DECAY] = HAND_OPT_WD,
    [AMSGRAD] = {"amsgrad", L2L_OPT_BOOL, "false", 0, 0, NULL, "use the running maximum of v (AMSGrad, Reddi et al. 2018)"},
    HAND_OPT_END};

struct adam {
    struct hand h;
    float lr, eps, wd;
    double beta1, beta2;  /* double for the bias corrections 1 − β^t */
    int amsgrad;
};

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups,
                    int n_groups, char *err, size_t errlen)
{
    (void)groups; (void)n_groups;
    const struct l2l_value *b = &opts[BETAS];
    if (b->n != 2 || b->list[0] >= 1 || b->list[1] >= 1) {
        /* β = 1 would make the bias correction 1 − β^t zero */
        snprintf(err, errlen, "adam: betas must be two reals β1,β2 in [0, 1), got '%s'",
                 b->s ? b->s : "");
        return NULL;
    }
    struct adam *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "adam: out of memory");
        return NULL;
    }
    s->lr = (float)opts[LR].r;
    s->beta1 = b->list[0];
    s->beta2 = b->list[1];
    s->eps = (float)opts[EPS].r;
    s->wd = (float)opts[WEIGHT_DECAY].r;
    s->amsgrad = (int)opts[AMSGRAD].i;
    /* buffers: m, v, then v̂ if amsgrad */
    if (hand_init(&s->h, "adam", n, 2 + s->amsgrad, err, errlen) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static int step(void *self, float *theta, const float *grad)
{
    struct adam *s = self;
    size_t n = s->h.n;
    float *m = hand_buf(&s->h, 0), *v = hand_buf(&s->h, 1);   /* (n), (n) */
    float *vmax = s->amsgrad ? hand_buf(&s->h, 2) : NULL;      /* (n) */
    long t = ++s->h.t;
    /* bias corrections in double, as torch computes them from Python floats */
    const float step_size = (float)(s->lr / (1.0 - pow(s->beta1, (double)t)));
    const float bc2_sqrt = (float)sqrt(1.0 - pow(s->beta2, (double)t));
    /* 1 − β rounded once from double, as torch passes it (value=1-beta2):
     * 1 − (float)β2 would be off by 1e-5 relative for β2 = 0.999 */
    const float b1 = (float)s->beta1, b2 = (float)s->beta2, eps = s->eps, wd = s->wd;
    const float c1 = (float)(1.0 - s->beta1), c2 = (float)(1.0 - s->beta2);
    HAND_PARALLEL_FOR
    for (size_t k = 0; k < n; k++) {
        float d = grad[k] + wd * theta[k];              /* d = ∇ + λθ */
        m[k] = b1 * m[k] + c1 * d;                      /* m = β1 m + (1−β1) d */
        v[k] = b2 * v[k] + c2 * d * d;                  /* v = β2 v + (1−β2) d² */
        float vh = v[k];
        if (vmax) {
            /* v̂ = max(v̂, v), NaN winning as in torch.maximum */
            if (!(vmax[k] > vh || isnan(vmax[k])))
                vmax[k] = vh;
            vh = vmax[k];
        }
        theta[k] -= step_size * m[k] / (sqrtf(vh) / bc2_sqrt + eps);
    }
    return 0;
}

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
    .name = "adam",
    .version = "1.0",
    .description = "Adam with optional AMSGrad and L2 weight decay (as torch.optim.Adam)",
    .options = options,
    .tunable = "lr",
    .create = create,
    .destroy = hand_destroy,
    .reset = hand_reset_self,
    .step = step,
    .learned = NULL,
};
