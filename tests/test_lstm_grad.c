/* test_lstm_grad.c: the meta-gradient of `lstm` and `lstm-gac` (backward,
 * truncated BPTT) against central finite differences in double.
 *
 * The optimizee is linear and changes with time: f_s(θ) = e_s·θ, so the
 * gradient fed at step t is ∇_t = e_t whatever θ is, and treating ∇ as a
 * constant (∂∇/∂φ = 0) is exact. Over an unroll of U steps from θ_0,
 *     L(φ) = Σ_{s=1..U} e_s·θ_s = const + Σ_t g_t·a_{t+1},  a_{t+1} = Σ_{s>t} e_s,
 * so dL/dg_t = a_{t+1}: what the meta-trainer passes to backward.
 *
 * Two settings, both exact: (1) one unroll from a fresh state; (2) a second
 * unroll from the state carried out of a first one run with φ0. Truncated
 * BPTT treats the carried state as a constant, so the finite differences
 * re-run the first unroll with φ0 unchanged and perturb φ only for the
 * second. The analytic path also runs backward on the first unroll, which
 * must leave the carried state as it was.
 *
 * L2L_TEST_SMALL=1 (set by .ci/sanitize for valgrind, where each step costs
 * some 250 times more) checks a sparser set of components and runs the
 * thread test on 1,040 coordinates instead of 70,100, over 2 steps instead of 4: same cases, same
 * assertions and tolerances. */
#include "test_lstm_common.h"
#include "test_main.h"
#ifdef _OPENMP
#include <omp.h>
#endif

#define UMAX 16

struct fd_case {
    const char *name;
    const char *const *kv;
    size_t n;
    const struct l2l_group *groups;
    int n_groups;
    int U1, U2;          /* first unroll (0 = none), second (measured) unroll */
    size_t stride;       /* check components 0, stride, 2·stride, ... of φ */
    int logsign_grads;   /* ∇ magnitudes spread over e^−14..e^3 */
};

struct fd_run {
    struct lstm_t o;
    float *e1, *e2;      /* (U1+1, n), (U2+1, n): e_0..e_U of each unroll */
    float *upd, *dg;
};

/* Runs an unroll with the given e (U+1, n) by step() and returns
 * Σ_t g_t·a_{t+1} in double. */
static double unroll_loss(struct fd_run *r, const float *e, int U)
{
    size_t n = r->o.n;
    double L = 0;
    float *theta = r->upd;
    for (int t = 0; t < U; t++) {
        memset(theta, 0, sizeof(float) * n);
        r->o.ops->step(r->o.self, theta, e + (size_t)t * n);
        for (size_t k = 0; k < n; k++) {
            double a = 0;
            for (int s = t + 1; s <= U; s++)
                a += e[(size_t)s * n + k];
            L += (double)theta[k] * a;
        }
    }
    return L;
}

/* dg (U, n): dg_t = a_{t+1}. */
static void suffix(float *dg, const float *e, int U, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double a = 0;
        for (int t = U - 1; t >= 0; t--) {
            a += e[(size_t)(t + 1) * n + k];
            dg[(size_t)t * n + k] = (float)a;
        }
    }
}

/* Analytic dL/dφ of the second unroll (after the first, recorded and
 * back-propagated with a throwaway dg), and its updates into out (U2, n). */
static void analytic(struct fd_run *r, const struct fd_case *c, float *dphi, float *out)
{
    size_t n = c->n, nm = r->o.lo->n_meta(r->o.self);
    r->o.ops->reset(r->o.self);
    if (c->U1) {
        CU_ASSERT(r->o.lo->tape_begin(r->o.self, c->U1) == 0);
        for (int t = 0; t < c->U1; t++)
            CU_ASSERT(r->o.lo->step_record(r->o.self, t, NULL, r->e1 + (size_t)t * n, r->upd) == 0);
        suffix(r->dg, r->e1, c->U1, n);
        float *junk = calloc(nm, sizeof(float));
        CU_ASSERT(r->o.lo->backward(r->o.self, r->dg, junk) == 0);
        free(junk);
    }
    CU_ASSERT(r->o.lo->tape_begin(r->o.self, c->U2) == 0);
    for (int t = 0; t < c->U2; t++) {
        CU_ASSERT(r->o.lo->step_record(r->o.self, t, NULL, r->e2 + (size_t)t * n, r->upd) == 0);
        memcpy(out + (size_t)t * n, r->upd, sizeof(float) * n);
    }
    suffix(r->dg, r->e2, c->U2, n);
    memset(dphi, 0, sizeof(float) * nm);
    CU_ASSERT(r->o.lo->backward(r->o.self, r->dg, dphi) == 0);
}

/* L of the second unroll with φ = phi2, the first run with phi0. */
static double loss_at(struct fd_run *r, const struct fd_case *c, const float *phi0,
                      const float *phi2, float *out)
{
    size_t nm = r->o.lo->n_meta(r->o.self);
    float *phi = r->o.lo->meta(r->o.self);
    r->o.ops->reset(r->o.self);
    memcpy(phi, phi0, sizeof(float) * nm);
    if (c->U1)
        unroll_loss(r, r->e1, c->U1);
    memcpy(phi, phi2, sizeof(float) * nm);
    if (out) { /* the updates, for comparison with the recorded path */
        for (int t = 0; t < c->U2; t++) {
            memset(out + (size_t)t * c->n, 0, sizeof(float) * c->n);
            r->o.ops->step(r->o.self, out + (size_t)t * c->n, r->e2 + (size_t)t * c->n);
        }
        return 0;
    }
    return unroll_loss(r, r->e2, c->U2);
}

static void fill_e(float *e, int U, size_t n, int logsign, struct l2l_rng *rng)
{
    for (int s = 0; s <= U; s++) {
        if (logsign)
            lstm_t_grads(e + (size_t)s * n, n, rng);
        else
            for (size_t k = 0; k < n; k++)
                e[(size_t)s * n + k] = (float)l2l_rng_normal(rng);
    }
}

/* Returns the largest |fd − analytic| over the checked components divided
 * by the largest |analytic|, and the directional derivative's relative
 * error in *dir_err. */
static double fd_check(const struct fd_case *c, double *dir_err)
{
    struct fd_run r;
    if (lstm_t_open(&r.o, c->name, c->kv, c->n, c->groups, c->n_groups) < 0)
        return INFINITY;
    size_t n = c->n, nm = r.o.lo->n_meta(r.o.self);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 99);
    r.o.lo->meta_init(r.o.self, &rng);
    float *phi0 = malloc(sizeof(float) * nm), *phi2 = malloc(sizeof(float) * nm);
    memcpy(phi0, r.o.lo->meta(r.o.self), sizeof(float) * nm);
    r.e1 = malloc(sizeof(float) * (size_t)(UMAX + 1) * n);
    r.e2 = malloc(sizeof(float) * (size_t)(UMAX + 1) * n);
    r.upd = malloc(sizeof(float) * n);
    r.dg = malloc(sizeof(float) * (size_t)UMAX * n);
    fill_e(r.e1, c->U1, n, c->logsign_grads, &rng);
    fill_e(r.e2, c->U2, n, c->logsign_grads, &rng);
    float *dphi = malloc(sizeof(float) * nm);
    float *out_a = malloc(sizeof(float) * (size_t)c->U2 * n), *out_f = malloc(sizeof(float) * (size_t)c->U2 * n);

    memcpy(r.o.lo->meta(r.o.self), phi0, sizeof(float) * nm);
    analytic(&r, c, dphi, out_a);
    /* backward must not have moved the carried state: same updates */
    loss_at(&r, c, phi0, phi0, out_f);
    char what[200];
    snprintf(what, sizeof what, "%s: updates after backward vs plain steps", c->name);
    CU_ASSERT(l2l_maxdiff(what, out_a, out_f, (size_t)c->U2 * n, 0) == 0);

    double amax = 0, emax = 0;
    size_t stride = c->stride, checked = 0;
    for (size_t j = 0; j < nm; j += stride) {
        float h = 0.01f * fmaxf(1.0f, fabsf(phi0[j]));
        memcpy(phi2, phi0, sizeof(float) * nm);
        phi2[j] = phi0[j] + h;
        double hp = (double)phi2[j] - phi0[j], lp = loss_at(&r, c, phi0, phi2, NULL);
        phi2[j] = phi0[j] - h;
        double hm = (double)phi0[j] - phi2[j], lm = loss_at(&r, c, phi0, phi2, NULL);
        double fd = (lp - lm) / (hp + hm);
        amax = fmax(amax, fabs(dphi[j]));
        emax = fmax(emax, fabs(fd - dphi[j]));
        checked++;
    }
    /* along a random direction v (|v| = 1): D(ε) = (L(φ0+εv) − L(φ0−εv)) / 2ε
     * → dphi·v. L comes from float steps, so its rounding noise over 2ε
     * swamps small ε; Richardson's (4·D(ε) − D(2ε))/3, error O(ε⁴), allows
     * ε = 0.04 (the largest relative error over all cases: 1.3e−3 with a
     * plain D(0.005), 8.7e−4 with D(0.01), 2.1e−4 with this). v is taken as
     * it is after φ0 ± εv is rounded to float. */
    double *v = malloc(sizeof(double) * nm), vn = 0, dd = 0, dfd = 0;
    float *phim = malloc(sizeof(float) * nm);
    for (size_t j = 0; j < nm; j++) {
        v[j] = l2l_rng_normal(&rng);
        vn += v[j] * v[j];
    }
    for (size_t j = 0; j < nm; j++)
        v[j] /= sqrt(vn);
    for (int h = 1; h <= 2; h++) {
        double eps = 0.04 * h, ddh = 0;
        for (size_t j = 0; j < nm; j++) {
            phi2[j] = (float)(phi0[j] + eps * v[j]);
            phim[j] = (float)(phi0[j] - eps * v[j]);
            ddh += ((double)phi2[j] - phim[j]) / (2 * eps) * dphi[j];
        }
        double D = (loss_at(&r, c, phi0, phi2, NULL) - loss_at(&r, c, phi0, phim, NULL)) / (2 * eps);
        dd += (h == 1 ? 4 : -1) * ddh / 3;
        dfd += (h == 1 ? 4 : -1) * D / 3;
    }
    free(phim);
    *dir_err = fabs(dfd - dd) / fmax(fabs(dd), 1e-30);
    printf("  %s: %zu of %zu components, max |fd − an| / max |an| = %.3g (max |an| %.3g); "
           "direction: fd %.6g an %.6g rel err %.3g\n",
           c->name, checked, nm, emax / amax, amax, dfd, dd, *dir_err);
    CU_ASSERT(amax > 0);
    free(v); free(phi0); free(phi2); free(dphi); free(out_a); free(out_f);
    free(r.e1); free(r.e2); free(r.upd); free(r.dg);
    lstm_t_close(&r.o);
    return amax > 0 ? emax / amax : INFINITY;
}

#define TOL 1e-3

static int small_mode; /* L2L_TEST_SMALL=1 */

/* every component, or (small mode) every third */
#define STRIDE_ALL (small_mode ? 3u : 1u)
/* a stride through the larger φ, prime so that it meets every gate */
#define STRIDE_SOME (small_mode ? 97u : 7u)

static void run_cases(const char *plugin, const char *const *extra, int gac_groups)
{
    static struct l2l_group groups[] = {{"a", 0, 5}, {"b", 5, 8}};
    static const char *pres[] = {"none", "logsign", "logsign-ref"};
    for (int L = 0; L <= 2; L++) {
        if (gac_groups && L == 0)
            continue;
        for (int pi = 0; pi < 3; pi++)
            for (int carried = 0; carried < 2; carried++) {
                char kl[32], kp[32], name[160];
                snprintf(kl, sizeof kl, "layers=%d", L);
                snprintf(kp, sizeof kp, "preprocess=%s", pres[pi]);
                const char *kv[12] = {kl, kp, "hidden=4", "scale=1", "p=6"};
                int k = 5;
                for (int e = 0; extra && extra[e]; e++)
                    kv[k++] = extra[e];
                kv[k] = NULL;
                snprintf(name, sizeof name, "%s", plugin);
                struct fd_case c = {.name = name, .kv = kv, .n = 13,
                                    .groups = gac_groups ? groups : NULL,
                                    .n_groups = gac_groups ? 2 : 0,
                                    .U1 = carried ? 5 : 0, .U2 = carried ? 5 : 10,
                                    .stride = STRIDE_ALL, .logsign_grads = pi > 0};
                printf("\n  [layers=%d %s %s]", L, kp, carried ? "second unroll, carried state" : "one unroll");
                double dir, e = fd_check(&c, &dir);
                CU_ASSERT(e <= TOL);
                CU_ASSERT(dir <= TOL);
            }
    }
}

static void test_fd_lstm(void) { run_cases("lstm", NULL, 0); }

static void test_fd_gac(void)
{
    const char *extra[] = {"gac=2", NULL};
    run_cases("lstm-gac", extra, 1);
}

/* The paper's size (2 layers of 20, logsign p = 10), every 7th component
 * (every 97th in small mode). */
static void test_fd_default_size(void)
{
    static struct l2l_group groups[] = {{"w", 0, 9}, {"b", 9, 3}};
    const char *kv[] = {"scale=1", NULL};
    for (int g = 0; g < 2; g++) {
        struct fd_case c = {.name = g ? "lstm-gac" : "lstm", .kv = kv, .n = 12,
                            .groups = g ? groups : NULL, .n_groups = g ? 2 : 0,
                            .U1 = 4, .U2 = 6, .stride = STRIDE_SOME, .logsign_grads = 1};
        double dir, e = fd_check(&c, &dir);
        CU_ASSERT(e <= TOL);
        CU_ASSERT(dir <= TOL);
    }
}

/* Whole sub-blocks of 60 coordinates and a partial one (lstm_net.h), with
 * H = 3 (gate pre-activations in rows) and H = 8 (straight into the gate
 * planes), every 7th (97th) component. */
static void test_fd_blocks(void)
{
    static struct l2l_group groups[] = {{"w", 0, 100}, {"b", 100, 30}};
    const char *kv[2][2][5] = {{{"hidden=3", "scale=1", "p=6", NULL}, {"hidden=8", "scale=1", "p=6", NULL}},
                               {{"hidden=3", "gac=2", "scale=1", "p=6", NULL},
                                {"hidden=8", "gac=2", "scale=1", "p=6", NULL}}};
    for (int g = 0; g < 2; g++)
        for (int h = 0; h < 2; h++) {
            struct fd_case c = {.name = g ? "lstm-gac" : "lstm", .kv = kv[g][h], .n = 130,
                                .groups = g ? groups : NULL, .n_groups = g ? 2 : 0,
                                .U1 = 2, .U2 = 3, .stride = STRIDE_SOME, .logsign_grads = 1};
            double dir, e = fd_check(&c, &dir);
            CU_ASSERT(e <= TOL);
            CU_ASSERT(dir <= TOL);
        }
}

/* backward accumulates (+=), and its result does not depend on the number
 * of threads (fixed-order reductions). */
static void test_accumulate_threads(void)
{
    /* many chunks of work (480 rows, or 120 in small mode: 1,040
     * coordinates; the blocks of the group means' partial sums too),
     * partial ones, one across both groups */
    static struct l2l_group big[] = {{"a", 0, 66000}, {"b", 66000, 4100}};
    static struct l2l_group few[] = {{"a", 0, 1030}, {"b", 1030, 10}};
    const struct l2l_group *groups = small_mode ? few : big;
    struct lstm_t o;
    CU_ASSERT_FATAL(lstm_t_open(&o, "lstm-gac", NULL, groups[1].offset + groups[1].count, groups, 2) == 0);
    size_t n = o.n, nm = o.lo->n_meta(o.self);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 5);
    o.lo->meta_init(o.self, &rng);
    int U = small_mode ? 2 : 4;
    float *e = malloc(sizeof(float) * (size_t)(U + 1) * n), *dg = malloc(sizeof(float) * (size_t)U * n);
    float *upd = malloc(sizeof(float) * n);
    float *d1 = calloc(nm, sizeof(float)), *d2 = calloc(nm, sizeof(float)), *d3 = calloc(nm, sizeof(float));
    fill_e(e, U, n, 1, &rng);
    suffix(dg, e, U, n);
    float *outs[3] = {d1, d2, d3};
    for (int run = 0; run < 3; run++) {
#ifdef _OPENMP
        omp_set_num_threads(run == 1 ? 1 : 2);
#endif
        o.ops->reset(o.self);
        CU_ASSERT(o.lo->tape_begin(o.self, U) == 0);
        for (int t = 0; t < U; t++)
            o.lo->step_record(o.self, t, NULL, e + (size_t)t * n, upd);
        o.lo->backward(o.self, dg, outs[run]);
        if (run == 2) /* second call onto the same array: doubles it */
            o.lo->backward(o.self, dg, outs[run]);
    }
    CU_ASSERT(l2l_maxdiff("lstm-gac: dphi with 2 threads vs 1 thread", d1, d2, nm, 0) == 0);
    /* the second call adds onto the first (not bitwise 2×: the order of the
     * float additions differs) */
    double amax = 0;
    for (size_t j = 0; j < nm; j++) {
        d1[j] *= 2;
        amax = fmax(amax, fabs(d1[j]));
    }
    CU_ASSERT(amax > 0);
    CU_ASSERT(l2l_maxdiff("lstm-gac: backward twice vs 2 × once", d1, d3, nm, 1e-5 * amax) <= 1e-5 * amax);
    free(e); free(dg); free(upd); free(d1); free(d2); free(d3);
    lstm_t_close(&o);
}

static const struct l2l_test tests[] = {
    {"lstm meta-gradient vs finite differences", test_fd_lstm},
    {"lstm-gac meta-gradient vs finite differences (groups)", test_fd_gac},
    {"default size meta-gradient vs finite differences", test_fd_default_size},
    {"whole sub-blocks, gates in rows and in planes, vs finite differences", test_fd_blocks},
    {"backward accumulates, thread-count independent", test_accumulate_threads},
    {NULL, NULL}};

int main(void)
{
    const char *small = getenv("L2L_TEST_SMALL");
    small_mode = small && strcmp(small, "1") == 0;
    return l2l_test_main("lstm_grad", tests);
}
