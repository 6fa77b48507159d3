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

/* One loop with AMSGrad and one without, chosen once per step. */
struct adam_args {
    int amsgrad;
    float *theta;      /* (n) */
    const float *grad; /* (n) */
    float *m, *v, *vmax; /* (n) each; vmax only with amsgrad */
    float step_size, bc2_sqrt, b1, b2, c1, c2, eps, wd;
};

HAND_KERNEL static void kernel(size_t lo, size_t hi, const void *args)
{
    const struct adam_args *a = args;
    float *restrict theta = a->theta, *restrict m = a->m, *restrict v = a->v;
    float *restrict vmax = a->vmax;
    const float *restrict grad = a->grad;
    const float step_size = a->step_size, bc2_sqrt = a->bc2_sqrt, b1 = a->b1, b2 = a->b2;
    const float c1 = a->c1, c2 = a->c2, eps = a->eps, wd = a->wd;
    if (!a->amsgrad) {
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];          /* d = ∇ + λθ */
            float mk = b1 * m[k] + c1 * d;              /* m = β1 m + (1−β1) d */
            float vk = b2 * v[k] + c2 * d * d;          /* v = β2 v + (1−β2) d² */
            m[k] = mk;
            v[k] = vk;
            /* θ −= (lr / (1−β1^t)) m / (√v / √(1−β2^t) + ε) */
            theta[k] -= step_size * mk / (sqrtf(vk) / bc2_sqrt + eps);
        }
    } else {
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            float mk = b1 * m[k] + c1 * d;
            float vk = b2 * v[k] + c2 * d * d;
            m[k] = mk;
            v[k] = vk;
            /* v̂ = max(v̂, v), NaN winning as in torch.maximum (x != x: NaN) */
            float old = vmax[k];
            float vh = old > vk || old != old ? old : vk;
            vmax[k] = vh;
            theta[k] -= step_size * mk / (sqrtf(vh) / bc2_sqrt + eps);
        }
    }
}

static int step(void *self, float *theta, const float *grad)
{
    struct adam *s = self;
    long t = ++s->h.t;
    /* bias corrections in double, as torch computes them from Python floats;
     * 1 − β rounded once from double, as torch passes it (value=1-beta2):
     * 1 − (float)β2 would be off by 1e-5 relative for β2 = 0.999 */
    struct adam_args a = {
        .amsgrad = s->amsgrad, .theta = theta, .grad = grad,
        /* buffers: m, v, then v̂ if amsgrad */
        .m = hand_buf(&s->h, 0), .v = hand_buf(&s->h, 1),
        .vmax = s->amsgrad ? hand_buf(&s->h, 2) : NULL,
        .step_size = (float)(s->lr / (1.0 - pow(s->beta1, (double)t))),
        .bc2_sqrt = (float)sqrt(1.0 - pow(s->beta2, (double)t)),
        .b1 = (float)s->beta1, .b2 = (float)s->beta2,
        .c1 = (float)(1.0 - s->beta1), .c2 = (float)(1.0 - s->beta2), .eps = s->eps, .wd = s->wd};
    hand_for(s->h.n, kernel, &a);
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
    .state_bytes = hand_state_bytes,
    .step = step,
    .learned = NULL,
};
