/* test_judge.c: the judgment's computations against cases worked by
 * hand: the break-even of a learned optimizer (STATS.md), the statistics
 * of one traced step, the traced coordinates, and a traced trajectory
 * against the plain one (the same losses bit for bit). */
#include <math.h>
#include <string.h>
#include "runner.h"
#include "stats.h"
#include "test_main.h"
#include "trace.h"

#define NEAR(a, b, tol) CU_ASSERT(fabs((a) - (b)) <= (tol))

/* A hand-made table: meta-training 100 CPU-s; the reference needs 100
 * steps of 0.01 s (1 s per training), the learned optimizer 50 steps of
 * 0.012 s (0.6 s): it saves 0.4 s per training, so 100 / 0.4 = 250. */
static void test_break_even_table(void)
{
    double s;
    NEAR(st_break_even(100, 100, 0.01, 50, 0.012, &s), 250, 1e-9);
    NEAR(s, 0.4, 1e-12);
    /* Half the steps at three times the cost of a step: it loses 0.5 s
     * per training, never repaid; equal costs exactly: never either. */
    CU_ASSERT(isinf(st_break_even(100, 100, 0.01, 50, 0.03, &s)) && st_break_even(100, 100, 0.01, 50, 0.03, &s) > 0);
    NEAR(s, -0.5, 1e-12);
    CU_ASSERT(isinf(st_break_even(100, 100, 0.25, 50, 0.5, &s)) && s == 0);
    /* Never reaching the target: never, savings unknown. */
    CU_ASSERT(isinf(st_break_even(100, 100, 0.01, -1, 0.01, &s)) && isnan(s));
    /* The reference never reaching it, or a cost unknown: unknown. */
    CU_ASSERT(isnan(st_break_even(100, -1, 0.01, 50, 0.01, &s)));
    CU_ASSERT(isnan(st_break_even(100, 100, NAN, 50, 0.01, &s)));
    CU_ASSERT(isnan(st_break_even(NAN, 100, 0.01, 50, 0.01, &s)) && s > 0);
    /* No meta-training cost at all: repaid at once. */
    NEAR(st_break_even(0, 100, 0.01, 50, 0.01, &s), 0, 0);
}

/* ∇ = (1, -2, 0, 2), Δθ = (-0.5, 1, 0.3, 1): |∇| = 3, |Δθ| = √2.34,
 * ∇·Δθ = -0.5 - 2 + 0 + 2 = -0.5, so cos(Δθ, −∇) = 0.5 / (3 √2.34);
 * of the three coordinates with ∇_i ≠ 0 only the last moves along +∇. */
static void test_trace_step_by_hand(void)
{
    const float g[4] = {1, -2, 0, 2}, before[4] = {1, 1, 1, 1};
    const float after[4] = {0.5f, 2, 1.3f, 2};
    double norm, ratio, cosine, against;
    l2l_trace_stats(g, before, after, 4, &norm, &ratio, &cosine, &against);
    NEAR(norm, 3, 1e-12);
    NEAR(ratio, sqrt(2.34) / 3, 1e-6);
    NEAR(cosine, 0.5 / (3 * sqrt(2.34)), 1e-6);
    NEAR(against, 1.0 / 3, 1e-12);
    /* Gradient descent: ratio = lr, cosine 1, nothing against. */
    const float sgd[4] = {1 - 0.1f * 1, 1 + 0.1f * 2, 1, 1 - 0.1f * 2};
    l2l_trace_stats(g, before, sgd, 4, &norm, &ratio, &cosine, &against);
    NEAR(ratio, 0.1, 1e-6);
    NEAR(cosine, 1, 1e-6);
    CU_ASSERT(against == 0);
    /* No gradient: no ratio, no cosine, no fraction. No move: no cosine. */
    const float zero[4] = {0, 0, 0, 0};
    l2l_trace_stats(zero, before, after, 4, &norm, &ratio, &cosine, &against);
    CU_ASSERT(norm == 0 && isnan(ratio) && isnan(cosine) && isnan(against));
    l2l_trace_stats(g, before, before, 4, &norm, &ratio, &cosine, &against);
    CU_ASSERT(ratio == 0 && isnan(cosine) && against == 0);
}

static void test_trace_sample(void)
{
    struct l2l_rng a, b;
    struct l2l_trace t1, t2, t3;
    l2l_rng_seed(&a, 7);
    l2l_rng_seed(&b, 7);
    CU_ASSERT_FATAL(l2l_trace_init(&t1, 10, 1000, &a) == 0);
    CU_ASSERT_FATAL(l2l_trace_init(&t2, 10, 1000, &b) == 0);
    CU_ASSERT(t1.n_sample == L2L_TRACE_SAMPLE);
    for (int k = 0; k < t1.n_sample; k++) {
        CU_ASSERT(t1.sample[k] < 1000);
        CU_ASSERT(k == 0 || t1.sample[k - 1] < t1.sample[k]); /* ascending, so distinct */
        CU_ASSERT(t1.sample[k] == t2.sample[k]);              /* seeded */
    }
    /* Fewer coordinates than the sample: every one of them. */
    CU_ASSERT_FATAL(l2l_trace_init(&t3, 10, 5, &a) == 0);
    CU_ASSERT(t3.n_sample == 5);
    for (int k = 0; k < 5; k++)
        CU_ASSERT(t3.sample[k] == (size_t)k);
    l2l_trace_free(&t1);
    l2l_trace_free(&t2);
    l2l_trace_free(&t3);
}

/* f(θ) = Σ θ_i² / 2 on 3 coordinates, ∇ = θ; the optimizer: θ ← θ − 0.5 ∇
 * but coordinate 2 ← θ_2 + 0.25 ∇_2 (against descent). */
static int quad_lg(void *p, const float *theta, double *loss, float *grad)
{
    (void)p;
    double s = 0;
    for (int i = 0; i < 3; i++) {
        s += 0.5 * (double)theta[i] * (double)theta[i];
        if (grad)
            grad[i] = theta[i];
    }
    *loss = s;
    return 0;
}

static int odd_step(void *self, float *theta, const float *grad)
{
    (void)self;
    theta[0] -= 0.5f * grad[0];
    theta[1] -= 0.5f * grad[1];
    theta[2] += 0.25f * grad[2];
    return 0;
}

static void test_trace_trajectory(void)
{
    struct l2l_optimizee_ops obj = {0};
    struct l2l_optimizer_ops opt = {0};
    obj.loss_grad = quad_lg;
    opt.step = odd_step;
    float th1[3] = {1, -2, 4}, th2[3] = {1, -2, 4}, g[3];
    double l1[6], l2[6];
    struct run_out o1 = {.loss = l1, .steps = 5}, o2 = {.loss = l2, .steps = 5};
    struct l2l_trace tr;
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 1);
    CU_ASSERT_FATAL(l2l_trace_init(&tr, 5, 3, &rng) == 0);
    CU_ASSERT(l2l_trajectory(&obj, NULL, th1, g, 3, &opt, NULL, 5, &o1) == 0);
    CU_ASSERT(l2l_trace_trajectory(&obj, NULL, th2, g, 3, &opt, NULL, 5, &o2, &tr) == 0);
    CU_ASSERT(memcmp(l1, l2, sizeof l1) == 0 && o1.final_loss == o2.final_loss);
    CU_ASSERT(tr.done == 5);
    /* Step 0: ∇ = (1, -2, 4), Δθ = (-0.5, 1, 1): |Δθ|/|∇| = √2.25/√21,
     * ∇·Δθ = -0.5 - 2 + 4 = 1.5, cos = -1.5 / (1.5 √21); 1 of 3 against. */
    NEAR(tr.loss[0], 0.5 * 21, 1e-9);
    NEAR(tr.ratio[0], 1.5 / sqrt(21), 1e-6);
    NEAR(tr.cosine[0], -1 / sqrt(21), 1e-6);
    NEAR(tr.against[0], 1.0 / 3, 1e-12);
    /* The pairs of coordinate 2 (all 3 are sampled, ascending). */
    CU_ASSERT(tr.pair_grad[0 * 3 + 2] == 4 && tr.pair_update[0 * 3 + 2] == 1);
    CU_ASSERT(tr.pair_grad[1 * 3 + 2] == 5 && tr.pair_update[1 * 3 + 2] == 1.25f);
    l2l_trace_free(&tr);
}

static const struct l2l_test tests[] = {
    {"break_even_table", test_break_even_table},
    {"trace_step_by_hand", test_trace_step_by_hand},
    {"trace_sample", test_trace_sample},
    {"trace_trajectory", test_trace_trajectory},
    {NULL, NULL},
};

int main(void)
{
    return l2l_test_main("judge", tests);
}
