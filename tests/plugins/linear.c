/* linear.c: a test-only optimizee
 *     f(θ) = Σ_k c_k θ_k + (q/2)·Σ_k a_k θ_k²,   ∇f = c + q·a⊙θ
 * with c_k ~ N(0, 1), a_k ~ U[0.5, 1.5), θ0 ~ N(0, 1) per instance. With
 * q = 0 the gradient does not depend on θ, so the meta-trainer's treating
 * ∇ as a constant is exact and its meta-gradient must match finite
 * differences; q > 0 gives a bounded problem to meta-train on. Option
 * sigint_at raises a real SIGINT at the given loss_grad call of the family,
 * to test the meta-trainer's signal handling. */
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "l2l/plugin.h"

static const struct l2l_option options[] = {
    {"n", L2L_OPT_INT, "10", 1, 1e7, NULL, "number of parameters"},
    {"quad", L2L_OPT_REAL, "0", 0, 100, NULL, "q: weight of the quadratic term (0: linear)"},
    {"sigint_at", L2L_OPT_INT, "0", 0, 1e12, NULL, "raise SIGINT at this loss_grad call of the family (0: never)"},
    {"groups", L2L_OPT_INT, "0", 0, 8, NULL, "parameter groups a0, b1, a2, ... of equal size (0: none, one group 'all')"},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

/* calls: counted across the problems of the family (atomic: the trainer
 * may run problems on several threads). */
struct family {
    size_t n; double q; long sigint_at; atomic_long calls;
    int n_groups; struct l2l_group groups[8]; char names[8][4];
};
struct problem { struct family *f; float *c, *a; };

static void *open_family(const struct l2l_value *opts, char *err, size_t errlen)
{
    (void)err; (void)errlen;
    struct family *f = malloc(sizeof *f);
    if (f) {
        f->n = (size_t)opts[0].i;
        f->q = opts[1].r;
        f->sigint_at = opts[2].i;
        atomic_init(&f->calls, 0);
        /* a0, b1, a2, ...: the sets test routes a* (not contiguous) and the rest */
        f->n_groups = (int)opts[3].i;
        if ((size_t)f->n_groups > f->n)
            f->n_groups = (int)f->n;
        for (int g = 0; g < f->n_groups; g++) {
            size_t lo = f->n * (size_t)g / (size_t)f->n_groups, hi = f->n * (size_t)(g + 1) / (size_t)f->n_groups;
            f->names[g][0] = g % 2 ? 'b' : 'a';
            f->names[g][1] = (char)('0' + g);
            f->names[g][2] = 0;
            f->groups[g] = (struct l2l_group){f->names[g], lo, hi - lo};
        }
    }
    return f;
}

static void close_family(void *f) { free(f); }
static int groups(const void *family, const struct l2l_group **g)
{
    const struct family *f = family;
    *g = f->groups;
    return f->n_groups;
}
static size_t n_params(const void *f) { return ((const struct family *)f)->n; }

static void *problem_new(const void *family, struct l2l_rng *rng, float *theta0, char *err,
                         size_t errlen)
{
    (void)err; (void)errlen;
    struct family *f = (struct family *)family;
    struct problem *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    p->f = f;
    p->c = malloc(sizeof(float) * f->n);
    p->a = malloc(sizeof(float) * f->n);
    if (!p->c || !p->a) {
        free(p->c); free(p->a); free(p);
        return NULL;
    }
    for (size_t k = 0; k < f->n; k++) {
        p->c[k] = (float)l2l_rng_normal(rng);
        p->a[k] = (float)(0.5 + l2l_rng_uniform(rng));
        theta0[k] = (float)l2l_rng_normal(rng);
    }
    return p;
}

static void problem_free(void *problem)
{
    struct problem *p = problem;
    if (p) {
        free(p->c); free(p->a); free(p);
    }
}

static int loss_grad(void *problem, const float *theta, double *loss, float *grad)
{
    const struct problem *p = problem;
    if (atomic_fetch_add(&p->f->calls, 1) + 1 == p->f->sigint_at)
        raise(SIGINT);
    double q = p->f->q, f = 0;
    for (size_t k = 0; k < p->f->n; k++) {
        f += (double)p->c[k] * theta[k] + 0.5 * q * p->a[k] * (double)theta[k] * theta[k];
        if (grad)
            grad[k] = (float)(p->c[k] + q * p->a[k] * theta[k]);
    }
    *loss = f;
    return 0;
}

/* H·v = q·a⊙v: no data, so every minibatch is the same one. */
static int hvp(void *problem, int ago, const float *theta, const float *v, float *hv)
{
    (void)ago; (void)theta;
    const struct problem *p = problem;
    for (size_t k = 0; k < p->f->n; k++)
        hv[k] = (float)(p->f->q * p->a[k] * v[k]);
    return 0;
}

static int replay_depth(void *problem, int depth)
{
    (void)problem;
    return depth >= 0 ? 0 : -1;
}

const struct l2l_optimizee_ops l2l_optimizee = {
    .abi_version = L2L_ABI_VERSION, .name = "linear", .version = "1",
    .description = "test-only: linear (+ quadratic) function with random coefficients",
    .options = options, .open = open_family, .close = close_family, .n_params = n_params,
    .groups = groups, .problem_new = problem_new, .problem_free = problem_free,
    .loss_grad = loss_grad, .evaluate = NULL, .replay_depth = replay_depth, .hvp = hvp,
};
