/* test_quadratic.c: the `quadratic` optimizee, loaded as the core loads it
 * (l2l_plugin_open): gradient against finite differences, the loss of a
 * hand-worked file, the mean-of-sums loss, seeds, the `dist` option's
 * distributions, and corrupt files refused with FILE:LINE messages.
 * White-box: problems are cast to struct quad_problem (quadratic.h) to read
 * W and y, which the ABI does not expose. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"
#include "plugin_loader.h"
#include "quadratic.h"
#include "test_main.h"
#include "hvp_check.h"

#define DATA L2L_SRCDIR "/tests/data/"

struct fix {
    struct l2l_plugin pl;
    const struct l2l_optimizee_ops *ops;
    struct l2l_value v[QUAD_NOPTS];
    void *family;
};

/* Loads the plugin and opens a family with options "key", "value", ...,
 * NULL. Returns 0, or < 0 with the plugin's message in err (the fixture is
 * then already cleaned up). */
static int fix_open(struct fix *f, char *err, size_t errlen, ...)
{
    memset(f, 0, sizeof *f);
    if (l2l_plugin_open(L2L_OPTIMIZEE, "quadratic", &f->pl, err, errlen) < 0) {
        printf("  %s\n", err);
        CU_FAIL_FATAL("cannot load the quadratic plugin");
    }
    f->ops = f->pl.u.obj;
    CU_ASSERT_FATAL(l2l_options_count(f->ops->options) == QUAD_NOPTS);
    CU_ASSERT_FATAL(l2l_options_defaults(f->ops->options, f->v, err, errlen) == 0);
    va_list ap;
    va_start(ap, errlen);
    const char *k, *val;
    while ((k = va_arg(ap, const char *)) && (val = va_arg(ap, const char *)))
        CU_ASSERT_FATAL(l2l_options_set(f->ops->options, f->v, k, val, err, errlen) == 0);
    va_end(ap);
    f->family = f->ops->open(f->v, err, errlen);
    if (!f->family) {
        l2l_values_clear(f->ops->options, f->v);
        l2l_plugin_close(&f->pl);
        return -1;
    }
    return 0;
}

static void fix_close(struct fix *f)
{
    f->ops->close(f->family);
    l2l_values_clear(f->ops->options, f->v);
    l2l_plugin_close(&f->pl);
}

static double loss_at(struct fix *f, void *p, const float *theta)
{
    double l = NAN;
    CU_ASSERT(f->ops->loss_grad(p, theta, &l, NULL) == 0);
    return l;
}

/* Central differences in double. f is quadratic in θ, so the central
 * difference has no truncation error at any h: take h large (2^-7, exact
 * in float32) so rounding in the loss (≈1e-16·f) is divided by little,
 * and divide by the step actually stored in float32. */
static void check_fd(const char *dist, const char *batch, const char *dim)
{
    struct fix f;
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(fix_open(&f, err, sizeof err, "dist", dist, "batch", batch, "dim", dim, NULL) == 0);
    size_t n = f.ops->n_params(f.family);
    CU_ASSERT_EQUAL(n, (size_t)atoi(batch) * (size_t)atoi(dim));
    float *theta = malloc(n * sizeof *theta), *grad = malloc(n * sizeof *grad);
    float *fd = malloc(n * sizeof *fd);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 42);
    void *p = f.ops->problem_new(f.family, &rng, theta, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    for (size_t k = 0; k < n; k++) /* away from θ0 ≈ 0, where W matters more */
        theta[k] = (float)l2l_rng_normal(&rng);
    double loss;
    CU_ASSERT(f.ops->loss_grad(p, theta, &loss, grad) == 0);
    const double h = 1.0 / 128;
    double maxabs = 0, maxfd = 0;
    for (size_t k = 0; k < n; k++) {
        float t = theta[k], tp = (float)(t + h), tm = (float)(t - h);
        theta[k] = tp;
        double lp = loss_at(&f, p, theta);
        theta[k] = tm;
        double lm = loss_at(&f, p, theta);
        theta[k] = t;
        double g = (lp - lm) / ((double)tp - (double)tm);
        fd[k] = (float)g;
        maxabs = fmax(maxabs, fabs(g - (double)grad[k]));
        maxfd = fmax(maxfd, fabs(g));
    }
    printf("  dist=%s B=%s d=%s: loss %.6g, |grad|max %.4g\n", dist, batch, dim, loss, maxfd);
    double md = l2l_maxdiff("grad vs central differences", grad, fd, n, 1e-5 * maxfd);
    printf("  relative error %.3g (tolerance 1e-5)\n", maxabs / maxfd);
    CU_ASSERT(md <= 1e-5 * maxfd);
    CU_ASSERT(maxabs / maxfd < 1e-5);
    CU_ASSERT(maxfd > 0);
    f.ops->problem_free(p);
    free(theta);
    free(grad);
    free(fd);
    fix_close(&f);
}

static void test_gradient_fd(void)
{
    check_fd("uniform", "128", "10"); /* the paper's setting */
    check_fd("normal", "3", "7");
}

struct grad_ctx { struct fix *f; void *p; };
static int grad_of(void *ctx, const float *theta, float *grad)
{
    struct grad_ctx *c = ctx;
    double l;
    return c->f->ops->loss_grad(c->p, theta, &l, grad);
}

/* H·v = (2/B) Wᵀ W v against central differences of ∇f (exact for a
 * quadratic up to the gradient's float32 rounding), at any ago. */
static void check_hvp(const char *dist, const char *batch, const char *dim)
{
    struct fix f;
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(fix_open(&f, err, sizeof err, "dist", dist, "batch", batch, "dim", dim, NULL) == 0);
    CU_ASSERT_FATAL(f.ops->hvp && f.ops->replay_depth);
    size_t n = f.ops->n_params(f.family);
    float *theta = malloc(n * sizeof *theta);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 43);
    void *p = f.ops->problem_new(f.family, &rng, theta, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT(f.ops->replay_depth(p, 4) == 0);
    for (size_t k = 0; k < n; k++)
        theta[k] = (float)l2l_rng_normal(&rng);
    struct grad_ctx c = {&f, p};
    char what[96];
    snprintf(what, sizeof what, "dist=%s B=%s d=%s: Hv vs central differences", dist, batch, dim);
    for (int ago = 0; ago < 2; ago++)
        CU_ASSERT(l2l_check_hvp(what, f.ops, p, ago, theta, n, 1.0 / 64, &rng, grad_of, &c) < 1e-5);
    f.ops->problem_free(p);
    free(theta);
    fix_close(&f);
}

static void test_hvp_fd(void)
{
    check_hvp("uniform", "128", "10");
    check_hvp("normal", "3", "7");
}

/* tests/data/quadratic-2x2.txt: W = [1 2; 3 4], y = (1, 1), θ0 = (1, −1).
 *   at θ0:          Wθ = (1−2, 3−4) = (−1, −1),  r = Wθ − y = (−2, −2)
 *                   f = 4 + 4 = 8 (a sum over rows: the mean would be 4)
 *                   ∇ = 2 Wᵀ r = 2 (1·−2 + 3·−2, 2·−2 + 4·−2) = (−16, −24)
 *   at (0.5, 0.25): Wθ = (0.5+0.5, 1.5+1) = (1, 2.5), r = (0, 1.5)
 *                   f = 2.25, ∇ = 2 (3·1.5, 4·1.5) = (9, 12) */
static void test_hand_file(void)
{
    struct fix f;
    char err[L2L_ERRLEN];
    int rc = fix_open(&f, err, sizeof err, "file", DATA "quadratic-2x2.txt", "batch", "1",
                      "dim", "2", NULL);
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT_EQUAL(f.ops->n_params(f.family), 2);
    const struct l2l_group *g = NULL;
    CU_ASSERT_EQUAL(f.ops->groups(f.family, &g), 1);
    CU_ASSERT_STRING_EQUAL(g[0].name, "theta");
    CU_ASSERT(g[0].offset == 0 && g[0].count == 2);

    float theta[2], grad[2];
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 7);
    void *p = f.ops->problem_new(f.family, &rng, theta, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    const float theta0[2] = {1, -1}, g0[2] = {-16, -24}, g1[2] = {9, 12};
    CU_ASSERT(l2l_maxdiff("theta0 from file", theta, theta0, 2, 0) == 0);
    double loss;
    CU_ASSERT(f.ops->loss_grad(p, theta, &loss, grad) == 0);
    printf("  f(theta0) = %.17g (by hand 8)\n", loss);
    CU_ASSERT_EQUAL(loss, 8.0);
    CU_ASSERT(l2l_maxdiff("grad at theta0 vs hand", grad, g0, 2, 0) == 0);
    theta[0] = 0.5f;
    theta[1] = 0.25f;
    CU_ASSERT(f.ops->loss_grad(p, theta, &loss, grad) == 0);
    printf("  f(0.5, 0.25) = %.17g (by hand 2.25)\n", loss);
    CU_ASSERT_EQUAL(loss, 2.25);
    CU_ASSERT(l2l_maxdiff("grad at (0.5, 0.25) vs hand", grad, g1, 2, 0) == 0);
    struct l2l_eval ev = {0, 0};
    CU_ASSERT(f.ops->evaluate(p, theta, &ev) == 0);
    CU_ASSERT_EQUAL(ev.loss, 2.25);
    CU_ASSERT(isnan(ev.accuracy));
    f.ops->problem_free(p);
    fix_close(&f);
}

/* f = (1/B) Σ_b Σ_i r_bi², recomputed here from W and y, block by block. */
static void test_mean_of_sums(void)
{
    struct fix f;
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(fix_open(&f, err, sizeof err, "batch", "5", "dim", "3", "dist", "normal", NULL) == 0);
    float theta[15];
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 3);
    struct quad_problem *p = f.ops->problem_new(f.family, &rng, theta, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    for (int k = 0; k < 15; k++)
        theta[k] = (float)(k % 4) - 1.5f;
    double want = 0;
    for (int b = 0; b < 5; b++) {
        double sum = 0; /* ||W_b θ_b − y_b||² */
        for (int i = 0; i < 3; i++) {
            double r = -p->y[b * 3 + i];
            for (int j = 0; j < 3; j++)
                r += (double)p->W[b * 9 + i * 3 + j] * theta[b * 3 + j];
            sum += r * r;
        }
        want += sum / 5;
    }
    double got = loss_at(&f, p, theta);
    struct l2l_eval ev;
    CU_ASSERT(f.ops->evaluate(p, theta, &ev) == 0);
    printf("  loss %.17g, recomputed %.17g, diff %.3g (tolerance 1e-12)\n", got, want, fabs(got - want));
    CU_ASSERT(fabs(got - want) <= 1e-12 * want);
    CU_ASSERT_EQUAL(ev.loss, got);
    f.ops->problem_free(p);
    fix_close(&f);
}

/* Draws one problem of the default family with seed; copies W and θ0. */
static void draw(struct fix *f, uint64_t seed, float *W, float *theta0)
{
    char err[L2L_ERRLEN];
    struct l2l_rng rng;
    l2l_rng_seed(&rng, seed);
    struct quad_problem *p = f->ops->problem_new(f->family, &rng, theta0, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    memcpy(W, p->W, sizeof(float) * (size_t)(p->B * p->d * p->d));
    f->ops->problem_free(p);
}

static void test_seeds(void)
{
    struct fix f;
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(fix_open(&f, err, sizeof err, NULL) == 0);
    enum { NW = 128 * 10 * 10, NT = 128 * 10 };
    float *W1 = malloc(NW * sizeof(float)), *W2 = malloc(NW * sizeof(float));
    float *W3 = malloc(NW * sizeof(float));
    float t1[NT], t2[NT], t3[NT];
    draw(&f, 11, W1, t1);
    draw(&f, 11, W2, t2);
    draw(&f, 12, W3, t3);
    CU_ASSERT(l2l_maxdiff("W, same seed", W1, W2, NW, 0) == 0);
    CU_ASSERT(l2l_maxdiff("theta0, same seed", t1, t2, NT, 0) == 0);
    double dw = l2l_maxdiff("W, seeds 11 and 12 (must differ)", W1, W3, NW, 0);
    double dt = l2l_maxdiff("theta0, seeds 11 and 12 (must differ)", t1, t3, NT, 0);
    CU_ASSERT(dw > 0.1 && dt > 0.001);
    free(W1);
    free(W2);
    free(W3);
    fix_close(&f);
}

/* Mean and variance of W's entries over 100 problems (N = 1.28M draws),
 * within 6 standard errors: uniform mean 1/2, var 1/12; normal 0 and 1.
 * θ0's sample std within 10% of init_std (its standard error is 2%). */
static void check_dist(const char *dist, double mean, double var)
{
    struct fix f;
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(fix_open(&f, err, sizeof err, "dist", dist, "init_std", "0.05", NULL) == 0);
    float theta0[1280];
    double s = 0, s2 = 0, t2 = 0, lo = INFINITY, hi = -INFINITY;
    long N = 0;
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 5);
    for (int rep = 0; rep < 100; rep++) {
        struct quad_problem *p = f.ops->problem_new(f.family, &rng, theta0, err, sizeof err);
        CU_ASSERT_FATAL(p != NULL);
        for (int k = 0; k < p->B * p->d * p->d; k++, N++) {
            s += p->W[k];
            s2 += (double)p->W[k] * p->W[k];
            lo = fmin(lo, p->W[k]);
            hi = fmax(hi, p->W[k]);
        }
        for (int k = 0; k < 1280; k++)
            t2 += (double)theta0[k] * theta0[k];
        f.ops->problem_free(p);
    }
    double m = s / (double)N, v = s2 / (double)N - m * m, se = sqrt(var / (double)N);
    double sd0 = sqrt(t2 / (100.0 * 1280));
    /* var of a sample variance ≈ (μ4 − σ⁴)/N: uniform μ4 = 1/80, normal 3. */
    double se_v = sqrt((var > 0.5 ? 2.0 : 1.0 / 80 - 1.0 / 144) / (double)N);
    printf("  dist=%s: W mean %.5f (want %g ± %.5f), var %.5f (want %.5f ± %.5f), range [%.3f, %.3f]; "
           "theta0 std %.5f (want 0.05)\n", dist, m, mean, 6 * se, v, var, 6 * se_v, lo, hi, sd0);
    CU_ASSERT(fabs(m - mean) < 6 * se);
    CU_ASSERT(fabs(v - var) < 6 * se_v);
    CU_ASSERT(fabs(sd0 - 0.05) < 0.005);
    if (!strcmp(dist, "uniform")) {
        CU_ASSERT(lo >= 0 && hi < 1);
    } else {
        CU_ASSERT(lo < -3 && hi > 3); /* 1.28M normal draws reach past ±3 */
    }
    fix_close(&f);
}

static void test_dist(void)
{
    check_dist("uniform", 0.5, 1.0 / 12);
    check_dist("normal", 0.0, 1.0);
}

/* Each file must be refused with a message containing want. */
static void refused(const char *file, const char *want)
{
    char path[1024], err[L2L_ERRLEN] = "";
    snprintf(path, sizeof path, "%s%s", DATA, file);
    struct fix f;
    int rc = fix_open(&f, err, sizeof err, "file", path, "batch", "1", "dim", "2", NULL);
    printf("  %s\n", err);
    CU_ASSERT(rc < 0);
    if (rc == 0) {
        fix_close(&f);
        return;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    CU_ASSERT(strncmp(err, "quadratic: ", 11) == 0);
}

static void test_bad_files(void)
{
    refused("quadratic-badcount.txt", "quadratic-badcount.txt:4: W row 2: expected 2 numbers, got 3");
    refused("quadratic-nonfinite.txt",
            "quadratic-nonfinite.txt:6: y: item 2 '1e39' is not a finite float32 number");
    refused("quadratic-notnumber.txt", "quadratic-notnumber.txt:6: theta0: item 2 'zero' is not a number");
    refused("quadratic-truncated.txt",
            "quadratic-truncated.txt:4: truncated: the file ends at line 4, still expected row 3 of 3 of W");
    refused("quadratic-badmagic.txt",
            "quadratic-badmagic.txt:2: expected 'quadratic 2' (magic and format version; 1 also read), "
            "got 'quadrat 1'");
    refused("quadratic-version.txt",
            "quadratic-version.txt:1: format version '3' not supported (this plugin reads versions 1 and 2)");
    refused("quadratic-extra.txt", "quadratic-extra.txt:7: unexpected 'W': expected nothing");
    refused("quadratic-comments.txt",
            "quadratic-comments.txt:2: truncated: the file ends at line 2, still expected 'quadratic 2'");
    refused("quadratic-batch-truncated.txt", "quadratic-batch-truncated.txt:8: truncated: the file ends "
            "at line 8, still expected row 2 of 2 of W of block 2 of 2 ('W' and 2 numbers)");
    refused("quadratic-batch-nobatch.txt", "quadratic-batch-nobatch.txt:3: expected 'batch B' with B a "
            "whole number in [1, 1048576], got 'W 1 2'");
    refused("quadratic-batch-badcount.txt",
            "quadratic-batch-badcount.txt:10: y of block 2: expected 2 numbers, got 3");
    refused("quadratic-batch-big.txt", "quadratic-batch-big.txt:3: batch 17 × dim 4096² = 285212672 "
            "weights, expected at most 268435456");
    refused("no-such-file.txt", "cannot open " DATA "no-such-file.txt: No such file or directory (option file");
}

/* The file holds problems of its own dim and batch: both are checked. */
static void test_file_options(void)
{
    struct fix f;
    char err[L2L_ERRLEN] = "";
    int rc = fix_open(&f, err, sizeof err, "file", DATA "quadratic-2x2.txt", "dim", "2", NULL);
    printf("  %s\n", err);
    CU_ASSERT(rc < 0 && strstr(err, "has batch 1 but option batch is 128: set batch = 1"));
    rc = fix_open(&f, err, sizeof err, "file", DATA "quadratic-2x2.txt", "batch", "1", NULL);
    printf("  %s\n", err);
    CU_ASSERT(rc < 0 && strstr(err, "has dim 2 but option dim is 10: set dim = 2"));
    rc = fix_open(&f, err, sizeof err, "file", DATA "quadratic-batch.txt", "batch", "1", "dim", "2", NULL);
    printf("  %s\n", err);
    CU_ASSERT(rc < 0 && strstr(err, "quadratic-batch.txt has batch 2 but option batch is 1: set batch = 2"));
}

/* tests/data/quadratic-batch.txt: block 1 is quadratic-2x2.txt's problem,
 * block 2 W = 2I, y = (1, 0), θ0 = (0.5, 0); f = (Σr₁² + Σr₂²)/2 and
 * ∇_b = (2/B) W_bᵀ r_b = W_bᵀ r_b:
 *   at θ0:                 r₁ = (−2, −2), r₂ = (0, 0): f = 8/2 = 4,
 *                          ∇ = (−8, −12, 0, 0)
 *   at (0.5, 0.25, 1, 1):  r₁ = (0, 1.5), r₂ = (1, 2): f = (2.25 + 5)/2 = 3.625,
 *                          ∇ = (4.5, 6, 2, 4) */
static void test_batch_file(void)
{
    struct fix f;
    char err[L2L_ERRLEN];
    int rc = fix_open(&f, err, sizeof err, "file", DATA "quadratic-batch.txt", "batch", "2",
                      "dim", "2", NULL);
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT_EQUAL(f.ops->n_params(f.family), 4);
    float theta[4], grad[4];
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 7);
    void *p = f.ops->problem_new(f.family, &rng, theta, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    const float theta0[4] = {1, -1, 0.5f, 0}, g0[4] = {-8, -12, 0, 0}, g1[4] = {4.5f, 6, 2, 4};
    CU_ASSERT(l2l_maxdiff("theta0 of both blocks from file", theta, theta0, 4, 0) == 0);
    double loss;
    CU_ASSERT(f.ops->loss_grad(p, theta, &loss, grad) == 0);
    printf("  f(theta0) = %.17g (by hand 4)\n", loss);
    CU_ASSERT_EQUAL(loss, 4.0);
    CU_ASSERT(l2l_maxdiff("grad at theta0 vs hand", grad, g0, 4, 0) == 0);
    const float t1[4] = {0.5f, 0.25f, 1, 1};
    CU_ASSERT(f.ops->loss_grad(p, t1, &loss, grad) == 0);
    printf("  f(0.5, 0.25, 1, 1) = %.17g (by hand 3.625)\n", loss);
    CU_ASSERT_EQUAL(loss, 3.625);
    CU_ASSERT(l2l_maxdiff("grad at (0.5, 0.25, 1, 1) vs hand", grad, g1, 4, 0) == 0);
    f.ops->problem_free(p);
    fix_close(&f);
}

static const struct l2l_test tests[] = {
    {"gradient vs central differences", test_gradient_fd},
    {"Hessian-vector product vs central differences of the gradient", test_hvp_fd},
    {"hand-worked 2x2 file", test_hand_file},
    {"loss is the mean over b of the sum over rows", test_mean_of_sums},
    {"same seed, same problem; other seed, other problem", test_seeds},
    {"dist uniform and normal, init_std", test_dist},
    {"corrupt, truncated and missing files", test_bad_files},
    {"file checks batch and dim", test_file_options},
    {"hand-worked batched file (2 blocks of 2)", test_batch_file},
    {NULL, NULL},
};

int main(void)
{
    return l2l_test_main("quadratic", tests);
}
