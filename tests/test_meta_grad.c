/* test_meta_grad.c: the meta-gradient of one truncated unroll against
 * central finite differences of the truncated objective.
 *
 * On the linear optimizee (∇f independent of θ) treating ∇ as a constant is
 * exact, so the trainer's dφ must equal the derivative of
 *     L_j(φ) = Σ_{s=1..U} f(θ_s)   over unroll j,
 * where, for j > 1, the state carried into unroll j (θ and the optimizer's
 * state) is a constant: FD re-runs unrolls 1..j−1 with the unperturbed φ0
 * and perturbs φ only for the steps of unroll j.
 * L2L_TEST_SMALL=1 (set by .ci/sanitize for valgrind) checks fewer LSTM
 * meta-parameters (40 instead of 400, still spread over all of φ). */
#include <math.h>
#include "meta_unroll.h"
#include "test_meta_fixture.h"
#include "test_main.h"

#define N_PARAMS 5
#define U 4
#define N_UNROLLS 3

/* Starts a fresh trajectory on the same problem, φ = phi0 (n_meta). */
static int start(struct l2l_meta_inst *in, const float *phi0, size_t m)
{
    char err[L2L_ERRLEN];
    struct l2l_rng r;
    l2l_rng_seed(&r, 7);
    memcpy(in->opt->learned->meta(in->self), phi0, sizeof(float) * m);
    int rc = l2l_meta_inst_start(in, &r, err, sizeof err);
    if (rc < 0)
        printf("  %s\n", err);
    return rc;
}

/* L_j at φ = phi (unrolls before j with phi0). */
static double loss_of_unroll(struct l2l_meta_inst *in, const float *phi0, const float *phi, size_t m, int j)
{
    char err[L2L_ERRLEN];
    if (start(in, phi0, m) < 0)
        return NAN;
    double L = 0;
    for (int k = 0; k < j; k++) {
        L = 0;
        if (k == j - 1)
            memcpy(in->opt->learned->meta(in->self), phi, sizeof(float) * m);
        if (l2l_meta_unroll(in, U, 1.0, NULL, &L, NULL, err, sizeof err) < 0)
            return NAN;
    }
    return L;
}

/* Checks dφ of unrolls 1..N_UNROLLS of optimizer `name` (options kv) on
 * the linear optimizee; at most max_check meta-parameters (spread evenly). */
static void check_plugin(const char *name, const char *const *kv, double eps, double tol,
                         size_t max_check)
{
    struct fx_plugin o, f;
    const char *lin[] = {"n=5", "quad=0", NULL};
    CU_ASSERT_FATAL(fx_open(&o, L2L_OPTIMIZER, name, kv) == 0);
    CU_ASSERT_FATAL(fx_open(&f, L2L_OPTIMIZEE, LINEAR_PATH, lin) == 0);
    char err[L2L_ERRLEN];
    void *fam = f.p.u.obj->open(f.v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    struct l2l_meta_inst in;
    CU_ASSERT_FATAL(l2l_meta_inst_init(&in, o.p.u.opt, o.v, f.p.u.obj, fam, U, err, sizeof err) == 0);
    const struct l2l_learned_ops *l = o.p.u.opt->learned;
    size_t m = l->n_meta(in.self);
    float *phi0 = malloc(sizeof(float) * m), *dphi = malloc(sizeof(float) * m);
    float *a = malloc(sizeof(float) * m), *fd = malloc(sizeof(float) * m), *phi = malloc(sizeof(float) * m);
    CU_ASSERT_FATAL(phi0 && dphi && a && fd && phi);
    struct l2l_rng r;
    l2l_rng_seed(&r, 3);
    l->meta_init(in.self, &r);
    memcpy(phi0, l->meta(in.self), sizeof(float) * m);
    if (strstr(name, "learned_sgd")) { /* a point where momentum matters */
        phi0[0] = logf(0.1f);
        phi0[1] = 0.5f;
    }
    size_t stride = m > max_check ? m / max_check : 1;
    printf("\n  %s: %zu meta-parameters, checking every %zu-th\n", name, m, stride);
    for (int j = 1; j <= N_UNROLLS; j++) {
        /* Analytic: unrolls 1..j with backward, keep unroll j's dφ. */
        CU_ASSERT_FATAL(start(&in, phi0, m) == 0);
        for (int k = 1; k <= j; k++) {
            double L = 0;
            memset(dphi, 0, sizeof(float) * m);
            CU_ASSERT_FATAL(l2l_meta_unroll(&in, U, 1.0, dphi, &L, NULL, err, sizeof err) == 0);
        }
        size_t c = 0;
        double scale = 0;
        for (size_t k = 0; k < m; k += stride, c++) {
            memcpy(phi, phi0, sizeof(float) * m);
            double h = eps * fmax(1.0, fabs(phi0[k]));
            phi[k] = (float)(phi0[k] + h);
            double hp = (double)phi[k] - phi0[k];
            double Lp = loss_of_unroll(&in, phi0, phi, m, j);
            phi[k] = (float)(phi0[k] - h);
            double hm = phi0[k] - (double)phi[k];
            double Lm = loss_of_unroll(&in, phi0, phi, m, j);
            fd[c] = (float)((Lp - Lm) / (hp + hm));
            a[c] = dphi[k];
            scale = fmax(scale, fabs(fd[c]));
        }
        /* Relative to the largest component, so tiny ones do not dominate. */
        scale = fmax(scale, 1e-6);
        for (size_t k = 0; k < c; k++) {
            a[k] = (float)(a[k] / scale);
            fd[k] = (float)(fd[k] / scale);
        }
        char what[128];
        snprintf(what, sizeof what, "%s unroll %d dphi vs FD (relative to max |dphi| %.3g)", name, j, scale);
        CU_ASSERT(l2l_maxdiff(what, a, fd, c, tol) <= tol);
    }
    l2l_meta_inst_free(&in);
    f.p.u.obj->close(fam);
    free(phi0); free(dphi); free(a); free(fd); free(phi);
    fx_close(&o);
    fx_close(&f);
}

static void test_learned_sgd(void)
{
    const char *kv[] = {"terms=2", NULL};
    check_plugin(LSGD_PATH, kv, 1e-2, 1e-3, 100);
}

/* The real LSTM plugins: a build dependency of this test (core/meta.mk),
 * so a missing one is a failure, not a skip. */
static void lstm_case(const char *name, const char *const *kv)
{
    if (!fx_have_optimizer(name)) {
        printf("\n  plugin %s is not in the build tree (%s/optimizers/.libs/%s.so)\n", name,
               L2L_BUILD_PLUGIN_DIR, name);
        CU_FAIL_FATAL("the LSTM plugin this test checks is missing");
    }
    const char *small = getenv("L2L_TEST_SMALL");
    check_plugin(name, kv, 1e-2, 2e-3, small && *small && strcmp(small, "0") ? 40 : 400);
}

static void test_lstm(void) { lstm_case("lstm", NULL); }
static void test_lstm_quadratic_config(void)
{
    const char *kv[] = {"preprocess=none", "scale=1", NULL};
    lstm_case("lstm", kv);
}
static void test_lstm_gac(void) { lstm_case("lstm-gac", NULL); }

/* Several instances: the trainer's scale 1/P averages their dφ. */
static void test_scale(void)
{
    struct fx_plugin o, f;
    const char *kv[] = {"terms=2", NULL}, *lin[] = {"n=5", "quad=0", NULL};
    CU_ASSERT_FATAL(fx_open(&o, L2L_OPTIMIZER, LSGD_PATH, kv) == 0);
    CU_ASSERT_FATAL(fx_open(&f, L2L_OPTIMIZEE, LINEAR_PATH, lin) == 0);
    char err[L2L_ERRLEN];
    void *fam = f.p.u.obj->open(f.v, err, sizeof err);
    struct l2l_meta_inst in;
    CU_ASSERT_FATAL(l2l_meta_inst_init(&in, o.p.u.opt, o.v, f.p.u.obj, fam, U, err, sizeof err) == 0);
    float phi0[2] = {logf(0.1f), 0.5f}, d1[2] = {0, 0}, d4[2] = {0, 0};
    double L = 0;
    CU_ASSERT_FATAL(start(&in, phi0, 2) == 0);
    CU_ASSERT_FATAL(l2l_meta_unroll(&in, U, 1.0, d1, &L, NULL, err, sizeof err) == 0);
    CU_ASSERT_FATAL(start(&in, phi0, 2) == 0);
    CU_ASSERT_FATAL(l2l_meta_unroll(&in, U, 0.25, d4, &L, NULL, err, sizeof err) == 0);
    CU_ASSERT(d1[0] != 0 || d1[1] != 0); /* a dφ of zeros would pass the comparison */
    d4[0] *= 4;
    d4[1] *= 4;
    CU_ASSERT(l2l_maxdiff("dphi(scale 1/4) x 4 vs dphi(scale 1)", d1, d4, 2, 1e-5 * fabs(d1[0])) <= 1e-5 * fabs(d1[0]));
    l2l_meta_inst_free(&in);
    f.p.u.obj->close(fam);
    fx_close(&o);
    fx_close(&f);
}

static const struct l2l_test tests[] = {
    {"learned_sgd: dphi of 3 carried unrolls vs FD", test_learned_sgd},
    {"scale averages instances", test_scale},
    {"lstm: dphi of 3 carried unrolls vs FD", test_lstm},
    {"lstm preprocess=none scale=1: dphi vs FD", test_lstm_quadratic_config},
    {"lstm-gac: dphi of 3 carried unrolls vs FD", test_lstm_gac},
    {NULL, NULL},
};

int main(void)
{
    l2l_set_quiet(1);
    return l2l_test_main("meta_grad", tests);
}
