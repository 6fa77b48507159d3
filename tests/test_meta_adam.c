/* test_meta_adam.c: Adam on φ against steps worked by hand, and the
 * training-state file round trip (every field back bit for bit). */
#include <math.h>
#include "meta_adam.h"
#include "meta_state.h"
#include "test_meta_fixture.h"
#include "test_main.h"

/* Two steps with gradients g1 = (2, -0.5), g2 = (1, 0), lr 0.1, β1 0.9,
 * β2 0.999, ε 1e-8:
 *   t=1: m = 0.1 g1, v = 0.001 g1², m̂ = g1, v̂ = g1²: step = lr·sign(g1)
 *   t=2: m = 0.09 g1 + 0.1 g2, v = 0.000999 g1² + 0.001 g2²,
 *        m̂ = m / 0.19, v̂ = v / 0.001999. */
static void test_adam_by_hand(void)
{
    struct l2l_adam a;
    CU_ASSERT_FATAL(l2l_adam_init(&a, 2) == 0);
    float phi[2] = {1.0f, -1.0f};
    const float g1[2] = {2.0f, -0.5f}, g2[2] = {1.0f, 0.0f};
    l2l_adam_step(&a, phi, g1, 0.1, 0.9, 0.999, 1e-8);
    float want1[2] = {(float)(1.0 - 0.1 * 2 / (2 + 1e-8)), (float)(-1.0 + 0.1 * 0.5 / (0.5 + 1e-8))};
    CU_ASSERT(l2l_maxdiff("adam step 1", phi, want1, 2, 1e-7) <= 1e-7);
    l2l_adam_step(&a, phi, g2, 0.1, 0.9, 0.999, 1e-8);
    float want2[2];
    for (int k = 0; k < 2; k++) {
        double m = 0.09 * g1[k] + 0.1 * g2[k], v = 0.000999 * g1[k] * g1[k] + 0.001 * g2[k] * g2[k];
        double mh = m / 0.19, vh = v / 0.001999;
        want2[k] = (float)(want1[k] - 0.1 * mh / (sqrt(vh) + 1e-8));
    }
    CU_ASSERT(l2l_maxdiff("adam step 2", phi, want2, 2, 1e-6) <= 1e-6);
    CU_ASSERT_EQUAL(a.t, 2);
    l2l_adam_reset(&a);
    CU_ASSERT(a.t == 0 && a.m[0] == 0 && a.v[1] == 0);
    l2l_adam_free(&a);
}

static void test_state_round_trip(void)
{
    char *dir = fx_tmpdir(), path[256], err[L2L_ERRLEN] = "";
    CU_ASSERT_FATAL(dir != NULL);
    snprintf(path, sizeof path, "%s/x.l2l.state", dir);
    struct l2l_meta_state s, r;
    CU_ASSERT_FATAL(l2l_meta_state_init(&s, 3, 0.01) == 0 && l2l_meta_state_init(&r, 3, 0.5) == 0);
    for (int k = 0; k < 3; k++) {
        s.phi[k] = 0.1f * (float)k - 0.3f;
        s.best_phi[k] = 1.5f + (float)k;
        s.adam.m[k] = 1e-3 * k;
        s.adam.v[k] = 1e-7 * (k + 1);
    }
    s.adam.t = 17;
    s.epoch = 42;
    s.lr = 0.005;
    s.best_loss = 0.125;
    s.best_epoch = 40;
    s.bad_in_row = 2;
    struct l2l_meta_row row0 = {0, NAN, 3.5, 3.5, 0.01, NAN, 0.25};
    struct l2l_meta_row row1 = {1, 2.25, NAN, 3.5, 0.01, 17.5, 0.5};
    CU_ASSERT_FATAL(l2l_meta_state_add_row(&s, &row0) == 0 && l2l_meta_state_add_row(&s, &row1) == 0);
    CU_ASSERT_FATAL(l2l_meta_state_save(path, "job=a; seed=1", &s, err, sizeof err) == 0);
    CU_ASSERT_FATAL(l2l_meta_state_load(path, "job=a; seed=1", &r, err, sizeof err) == 0);
    CU_ASSERT(memcmp(s.phi, r.phi, 3 * sizeof(float)) == 0);
    CU_ASSERT(memcmp(s.best_phi, r.best_phi, 3 * sizeof(float)) == 0);
    CU_ASSERT(memcmp(s.adam.m, r.adam.m, 3 * sizeof(double)) == 0);
    CU_ASSERT(memcmp(s.adam.v, r.adam.v, 3 * sizeof(double)) == 0);
    CU_ASSERT(r.adam.t == 17 && r.epoch == 42 && r.lr == 0.005 && r.best_loss == 0.125);
    CU_ASSERT(r.best_epoch == 40 && r.bad_in_row == 2 && r.n_rows == 2);
    CU_ASSERT(r.n_rows == 2 && r.rows[1].grad_norm == 17.5 && isnan(r.rows[0].meta_loss) &&
              r.rows[0].valid_loss == 3.5 && r.rows[1].seconds == 0.5);
    /* Another job, another size. */
    CU_ASSERT(l2l_meta_state_load(path, "job=a; seed=2", &r, err, sizeof err) < 0);
    ASSERT_MSG(err, "('seed=1' there, 'seed=2' now)");
    struct l2l_meta_state q;
    CU_ASSERT_FATAL(l2l_meta_state_init(&q, 4, 0.01) == 0);
    CU_ASSERT(l2l_meta_state_load(path, "job=a; seed=1", &q, err, sizeof err) < 0);
    ASSERT_MSG(err, "3 meta-parameters in the state, 4 in the optimizer");
    l2l_meta_state_free(&q);
    l2l_meta_state_free(&s);
    l2l_meta_state_free(&r);
    fx_rmdir(dir);
}

static const struct l2l_test tests[] = {
    {"Adam: two steps worked by hand", test_adam_by_hand},
    {"training state: round trip, other job, other size", test_state_round_trip},
    {NULL, NULL},
};

int main(void)
{
    l2l_set_quiet(1);
    return l2l_test_main("meta_adam", tests);
}
