/* quadratic.c: the `quadratic` optimizee of the paper's first experiment
 * (Andrychowicz et al. 2016, section 3.1): a batch of B independent
 * problems f_b(θ_b) = ||W_b θ_b − y_b||², W_b (d, d), y_b (d), optimized
 * together as one θ of n = B·d parameters, θ = [θ_1; …; θ_B].
 *
 *     f(θ) = (1/B) Σ_b ||W_b θ_b − y_b||²        (mean over b of the SUM
 *                                                 over the d rows)
 *
 * This is what the reference code computes (reduce_mean over the batch of
 * reduce_sum over the rows), not the mean over all B·d residuals.
 * W and y are U[0, 1) as in the reference code (dist = uniform) or N(0, 1)
 * as in the paper's text (dist = normal); θ0 ~ N(0, init_std²).
 * Option `file` replays explicit problems instead, B blocks of d
 * (quadratic_file.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quadratic.h"

/* B·d·d floats at most: 2^28 floats = 1 GiB per problem. */
#define QUAD_MAX_W ((size_t)1 << 28)

static const struct l2l_option quad_options[] = {
    [QUAD_DIM] = {"dim", L2L_OPT_INT, "10", 1, 4096, NULL,
                  "d: size of each W_b (d×d) and y_b; with file, must equal the file's dim"},
    [QUAD_BATCH] = {"batch", L2L_OPT_INT, "128", 1, 1 << 20, NULL,
                    "B: independent problems in one optimizee (n = B·d); with file, must equal the file's batch"},
    [QUAD_DIST] = {"dist", L2L_OPT_STRING, "uniform", 0, 0, "uniform|normal",
                   "W, y ~ U[0,1) (the paper's reference code) or N(0,1) (the paper's text)"},
    [QUAD_INIT_STD] = {"init_std", L2L_OPT_REAL, "0.01", 0, 1e6, NULL,
                       "θ0 ~ N(0, init_std²) (ignored with file)"},
    [QUAD_FILE] = {"file", L2L_OPT_STRING, "", 0, 0, NULL,
                   "text file with the problems (B blocks of W, y, theta0) to replay; \"\" draws from dist"},
    [QUAD_NOPTS] = {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static void quad_close(void *family)
{
    struct quad_family *fam = family;
    if (!fam)
        return;
    quad_file_free(fam->file);
    free(fam);
}

static void *quad_open(const struct l2l_value *opts, char *err, size_t errlen)
{
    struct quad_family *fam = calloc(1, sizeof *fam);
    if (!fam) {
        snprintf(err, errlen, "quadratic: out of memory");
        return NULL;
    }
    fam->d = (int)opts[QUAD_DIM].i;
    fam->B = (int)opts[QUAD_BATCH].i;
    fam->dist = strcmp(opts[QUAD_DIST].s, "normal") ? QUAD_UNIFORM : QUAD_NORMAL;
    fam->init_std = opts[QUAD_INIT_STD].r;
    if ((size_t)fam->B * (size_t)fam->d * (size_t)fam->d > QUAD_MAX_W) {
        snprintf(err, errlen, "quadratic: batch %d × dim %d² = %zu weights, expected at most %zu",
                 fam->B, fam->d, (size_t)fam->B * (size_t)fam->d * (size_t)fam->d, QUAD_MAX_W);
        quad_close(fam);
        return NULL;
    }
    const char *path = opts[QUAD_FILE].s;
    if (path && *path) {
        fam->file = quad_file_read(path, err, errlen);
        if (!fam->file) {
            quad_close(fam);
            return NULL;
        }
        /* Checked, not silently taken: a suite that says dim and batch says
         * what it runs. */
        if (fam->file->d != fam->d || fam->file->B != fam->B) {
            int dim = fam->file->d != fam->d;
            snprintf(err, errlen, "quadratic: file %s has %s %d but option %s is %d: set %s = %d",
                     path, dim ? "dim" : "batch", dim ? fam->file->d : fam->file->B,
                     dim ? "dim" : "batch", dim ? fam->d : fam->B, dim ? "dim" : "batch",
                     dim ? fam->file->d : fam->file->B);
            quad_close(fam);
            return NULL;
        }
    }
    fam->group.name = "theta";
    fam->group.offset = 0;
    fam->group.count = (size_t)fam->B * (size_t)fam->d;
    return fam;
}

static size_t quad_n_params(const void *family)
{
    const struct quad_family *fam = family;
    return (size_t)fam->B * (size_t)fam->d;
}

static int quad_groups(const void *family, const struct l2l_group **groups)
{
    const struct quad_family *fam = family;
    *groups = &fam->group;
    return 1;
}

static void quad_problem_free(void *problem)
{
    struct quad_problem *p = problem;
    if (!p)
        return;
    free(p->W);
    free(p->Wt);
    free(p->y);
    free(p->r);
    free(p);
}

static float draw(enum quad_dist dist, struct l2l_rng *rng)
{
    return (float)(dist == QUAD_UNIFORM ? l2l_rng_uniform(rng) : l2l_rng_normal(rng));
}

/* Draw order (fixed, so a seed names one problem): for b = 1..B, W_b row
 * by row then y_b; then θ0 for all coordinates. */
static void draw_problem(const struct quad_family *fam, struct quad_problem *p,
                         struct l2l_rng *rng, float *theta0)
{
    size_t d = (size_t)fam->d, B = (size_t)fam->B;
    for (size_t b = 0; b < B; b++) {
        float *W = p->W + b * d * d, *y = p->y + b * d;
        for (size_t k = 0; k < d * d; k++)
            W[k] = draw(fam->dist, rng);
        for (size_t i = 0; i < d; i++)
            y[i] = draw(fam->dist, rng);
    }
    for (size_t k = 0; k < B * d; k++)
        theta0[k] = (float)(fam->init_std * l2l_rng_normal(rng));
}

static void *quad_problem_new(const void *family, struct l2l_rng *rng, float *theta0,
                              char *err, size_t errlen)
{
    const struct quad_family *fam = family;
    size_t d = (size_t)fam->d, B = (size_t)fam->B;
    struct quad_problem *p = calloc(1, sizeof *p);
    if (p) {
        p->W = malloc(sizeof(float) * B * d * d);
        p->y = malloc(sizeof(float) * B * d);
        p->Wt = malloc(sizeof(float) * B * d * d);
        p->r = malloc(sizeof(double) * 2 * d);
    }
    if (!p || !p->W || !p->Wt || !p->y || !p->r) {
        snprintf(err, errlen, "quadratic: out of memory for batch %zu × dim %zu", B, d);
        quad_problem_free(p);
        return NULL;
    }
    p->d = fam->d;
    p->B = fam->B;
    if (fam->file) {
        memcpy(p->W, fam->file->W, sizeof(float) * B * d * d);
        memcpy(p->y, fam->file->y, sizeof(float) * B * d);
        memcpy(theta0, fam->file->theta0, sizeof(float) * B * d);
    } else {
        draw_problem(fam, p, rng, theta0);
    }
    for (size_t b = 0; b < B; b++) /* Wt_b = W_bᵀ, for loss_grad */
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < d; j++)
                p->Wt[b * d * d + j * d + i] = p->W[b * d * d + i * d + j];
    return p;
}

/* loss = (1/B) Σ_b Σ_i r_bi²,  r_b = W_b θ_b − y_b        (B, d)
 * grad_b = (2/B) W_bᵀ r_b                                  (B, d)
 * Sums in double (θ, W, y are float32): the finite-difference test then
 * sees no float32 noise. Both products are written as sums of scaled rows
 * (r += x_j·(column j of W) from Wᵀ's rows, g += r_i·(row i of W)), so the
 * inner loops run over contiguous memory without a serial reduction and
 * the compiler vectorizes them. */
static int quad_loss_grad(void *problem, const float *theta, double *loss, float *grad)
{
    struct quad_problem *p = problem;
    size_t d = (size_t)p->d, B = (size_t)p->B;
    double *r = p->r, *acc = p->r + d, total = 0, scale = 2.0 / (double)B;
    for (size_t b = 0; b < B; b++) {
        const float *W = p->W + b * d * d, *Wt = p->Wt + b * d * d;
        const float *y = p->y + b * d, *x = theta + b * d;
        for (size_t i = 0; i < d; i++)
            r[i] = -(double)y[i];
        for (size_t j = 0; j < d; j++) { /* r_i += W_ij x_j */
            double xj = x[j];
            for (size_t i = 0; i < d; i++)
                r[i] += (double)Wt[j * d + i] * xj;
        }
        for (size_t i = 0; i < d; i++)
            total += r[i] * r[i];
        if (!grad)
            continue;
        for (size_t j = 0; j < d; j++)
            acc[j] = 0;
        for (size_t i = 0; i < d; i++) { /* acc_j += W_ij r_i */
            double ri = r[i];
            for (size_t j = 0; j < d; j++)
                acc[j] += (double)W[i * d + j] * ri;
        }
        float *g = grad + b * d;
        for (size_t j = 0; j < d; j++)
            g[j] = (float)(scale * acc[j]);
    }
    *loss = total / (double)B;
    return 0;
}

/* hv_b = (2/B) W_bᵀ (W_b v_b): the Hessian is constant, so θ and the
 * minibatch (`ago`) do not matter. Sums in double as loss_grad's. */
static int quad_hvp(void *problem, int ago, const float *theta, const float *v, float *hv)
{
    (void)ago; (void)theta;
    struct quad_problem *p = problem;
    size_t d = (size_t)p->d, B = (size_t)p->B;
    double *r = p->r, *acc = p->r + d, scale = 2.0 / (double)B;
    for (size_t b = 0; b < B; b++) {
        const float *W = p->W + b * d * d, *Wt = p->Wt + b * d * d, *x = v + b * d;
        for (size_t i = 0; i < d; i++)
            r[i] = 0;
        for (size_t j = 0; j < d; j++) { /* r_i += W_ij v_j */
            double xj = x[j];
            for (size_t i = 0; i < d; i++)
                r[i] += (double)Wt[j * d + i] * xj;
        }
        for (size_t j = 0; j < d; j++)
            acc[j] = 0;
        for (size_t i = 0; i < d; i++) { /* acc_j += W_ij r_i */
            double ri = r[i];
            for (size_t j = 0; j < d; j++)
                acc[j] += (double)W[i * d + j] * ri;
        }
        for (size_t j = 0; j < d; j++)
            hv[b * d + j] = (float)(scale * acc[j]);
    }
    return 0;
}

/* No minibatches: any depth of replay is free. */
static int quad_replay_depth(void *problem, int depth)
{
    (void)problem;
    return depth >= 0 ? 0 : -1;
}

/* The exact loss: there is no minibatch noise to remove, no accuracy. */
static int quad_evaluate(void *problem, const float *theta, struct l2l_eval *out)
{
    out->accuracy = NAN;
    return quad_loss_grad(problem, theta, &out->loss, NULL);
}

const struct l2l_optimizee_ops l2l_optimizee = {
    .abi_version = L2L_ABI_VERSION,
    .name = "quadratic",
    .version = "1.0",
    .description = "batch of B random quadratics ||W_b θ_b − y_b||², loss = mean over b (paper §3.1)",
    .options = quad_options,
    .open = quad_open,
    .close = quad_close,
    .n_params = quad_n_params,
    .groups = quad_groups,
    .problem_new = quad_problem_new,
    .problem_free = quad_problem_free,
    .loss_grad = quad_loss_grad,
    .evaluate = quad_evaluate,
    .replay_depth = quad_replay_depth,
    .hvp = quad_hvp,
};
