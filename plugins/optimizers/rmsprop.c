/* rmsprop.c: RMSprop (Tieleman & Hinton 2012) exactly as torch.optim.RMSprop:
 *     d = ∇ + λ θ
 *     v = α v + (1 − α) d²
 *     centered:  a = α a + (1 − α) d;   s = √(v − a²) + ε
 *     otherwise: s = √v + ε
 *     with momentum μ > 0:  b = μ b + d / s;  θ = θ − lr b
 *     otherwise:            θ = θ − lr d / s
 * v, a, b start at 0 (no special first step, as torch). Parameter groups
 * are accepted and ignored. */
#include <math.h>
#include "hand_common.h"

enum { LR, ALPHA, EPS, WEIGHT_DECAY, MOMENTUM, CENTERED };

static const struct l2l_option options[] = {
    [LR] = HAND_OPT_LR("0.01"),
    [ALPHA] = {"alpha", L2L_OPT_REAL, "0.99", 0, 1, NULL, "smoothing constant α of the running mean of d²"},
    [EPS] = {"eps", L2L_OPT_REAL, "1e-8", 0, 1, NULL, "ε added to the denominator √v for stability"},
    [WEIGHT_DECAY] = HAND_OPT_WD,
    [MOMENTUM] = {"momentum", L2L_OPT_REAL, "0", 0, 1, NULL, "momentum factor μ on the scaled step (0: none)"},
    [CENTERED] = {"centered", L2L_OPT_BOOL, "false", 0, 0, NULL, "divide by the running variance v − a² instead of v"},
    HAND_OPT_END};

struct rmsprop {
    struct hand h;
    float lr, alpha, eps, wd, mu;
    float one_m_alpha; /* 1 − α rounded once from double, as torch */
    int centered;
};

static void *create(const struct l2l_value *opts, size_t n, const struct l2l_group *groups,
                    int n_groups, char *err, size_t errlen)
{
    (void)groups; (void)n_groups;
    struct rmsprop *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "rmsprop: out of memory");
        return NULL;
    }
    s->lr = (float)opts[LR].r;
    s->alpha = (float)opts[ALPHA].r;
    s->one_m_alpha = (float)(1.0 - opts[ALPHA].r);
    s->eps = (float)opts[EPS].r;
    s->wd = (float)opts[WEIGHT_DECAY].r;
    s->mu = (float)opts[MOMENTUM].r;
    s->centered = (int)opts[CENTERED].i;
    /* buffers: v, then a if centered, then b if momentum */
    if (hand_init(&s->h, "rmsprop", n, 1 + s->centered + (s->mu > 0), err, errlen) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* One loop per variant (centered or not, momentum or not), chosen once per step. */
struct rms_args {
    int centered, momentum;
    float *theta;      /* (n) */
    const float *grad; /* (n) */
    float *v, *a, *b;  /* (n) each; a only if centered, b only with momentum */
    float lr, al, c, eps, wd, mu;
};

HAND_KERNEL static void kernel(size_t lo, size_t hi, const void *args)
{
    const struct rms_args *r = args;
    float *restrict theta = r->theta, *restrict v = r->v, *restrict a = r->a, *restrict b = r->b;
    const float *restrict grad = r->grad;
    const float lr = r->lr, al = r->al, c = r->c, eps = r->eps, wd = r->wd, mu = r->mu;
    if (!r->centered && !r->momentum) {
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];          /* d = ∇ + λθ */
            float vk = al * v[k] + c * d * d;           /* v = αv + (1−α)d² */
            v[k] = vk;
            theta[k] -= lr * (d / (sqrtf(vk) + eps));   /* θ −= lr d / (√v + ε) */
        }
    } else if (!r->centered) {
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            float vk = al * v[k] + c * d * d;
            v[k] = vk;
            float bk = mu * b[k] + d / (sqrtf(vk) + eps); /* b = μb + d / (√v + ε) */
            b[k] = bk;
            theta[k] -= lr * bk;                          /* θ −= lr b */
        }
    } else if (!r->momentum) {
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            float vk = al * v[k] + c * d * d;
            float ak = al * a[k] + c * d;               /* a = αa + (1−α)d */
            v[k] = vk;
            a[k] = ak;
            theta[k] -= lr * (d / (sqrtf(vk - ak * ak) + eps)); /* θ −= lr d / (√(v − a²) + ε) */
        }
    } else {
        HAND_SIMD
        for (size_t k = lo; k < hi; k++) {
            float d = grad[k] + wd * theta[k];
            float vk = al * v[k] + c * d * d;
            float ak = al * a[k] + c * d;
            v[k] = vk;
            a[k] = ak;
            float bk = mu * b[k] + d / (sqrtf(vk - ak * ak) + eps); /* b = μb + d/s */
            b[k] = bk;
            theta[k] -= lr * bk;
        }
    }
}

static int step(void *self, float *theta, const float *grad)
{
    struct rmsprop *s = self;
    struct rms_args r = {
        .centered = s->centered, .momentum = s->mu > 0, .theta = theta, .grad = grad,
        /* buffers: v, then a if centered, then b if momentum */
        .v = hand_buf(&s->h, 0), .a = s->centered ? hand_buf(&s->h, 1) : NULL,
        .b = s->mu > 0 ? hand_buf(&s->h, 1 + s->centered) : NULL,
        .lr = s->lr, .al = s->alpha, .c = s->one_m_alpha, .eps = s->eps, .wd = s->wd, .mu = s->mu};
    hand_for(s->h.n, kernel, &r);
    s->h.t++;
    return 0;
}

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
    .name = "rmsprop",
    .version = "1.0",
    .description = "RMSprop with optional centering, momentum and weight decay (as torch.optim.RMSprop)",
    .options = options,
    .tunable = "lr",
    .create = create,
    .destroy = hand_destroy,
    .reset = hand_reset_self,
    .state_bytes = hand_state_bytes,
    .step = step,
    .learned = NULL,
};
