/* test_stats.c: the comparison statistics (core/stats/stats_*.c) against closed
 * forms, published examples and independent implementations written here
 * (enumeration of sign patterns and of subsets, numeric integration). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "test_main.h"
#include "seeds.h"
#include "stats.h"

#define NEAR(a, b, tol) CU_ASSERT(fabs((a) - (b)) <= (tol))

/* STATS.md's check value: differences 1..10, all positive: W+ = 55 and
 * the exact two-sided p = 2 / 2^10. */
static void test_wilcoxon_check_value(void)
{
    double d[10], w;
    int exact;
    for (int k = 0; k < 10; k++)
        d[k] = k + 1;
    double p = st_wilcoxon(d, 10, &w, &exact);
    printf("  W+ = %g, p = %.9g (exact %d)\n", w, p, exact);
    CU_ASSERT_EQUAL(w, 55);
    CU_ASSERT_EQUAL(exact, 1);
    CU_ASSERT_EQUAL(p, 0.001953125);
}

/* The exact p against all 2^n sign patterns of the same |d|, counted here. */
static void test_wilcoxon_exact_enumeration(void)
{
    static const double d[] = {1.5, -0.3, 2.2, 0.7, -1.1, 3.0, 0.2, -2.5, 0.05, -4.0, 1.9};
    const int n = sizeof d / sizeof d[0];
    double rank[16], w = 0;
    for (int i = 0; i < n; i++) { /* no ties: rank = 1 + #{|d_j| < |d_i|} */
        rank[i] = 1;
        for (int j = 0; j < n; j++)
            rank[i] += fabs(d[j]) < fabs(d[i]);
        if (d[i] > 0)
            w += rank[i];
    }
    long below = 0, above = 0;
    for (long mask = 0; mask < (1L << n); mask++) {
        double s = 0;
        for (int i = 0; i < n; i++)
            if (mask >> i & 1)
                s += rank[i];
        below += s <= w;
        above += s >= w;
    }
    double want = fmin(1, 2.0 * (double)(below < above ? below : above) / (double)(1L << n));
    double wplus, p;
    int exact;
    p = st_wilcoxon(d, n, &wplus, &exact);
    printf("  W+ = %g (want %g), p = %.9g (enumeration %.9g)\n", wplus, w, p, want);
    CU_ASSERT_EQUAL(wplus, w);
    CU_ASSERT_EQUAL(exact, 1);
    CU_ASSERT_EQUAL(p, want);
    /* Zeros are dropped: {0, 0, 1, 2, 3} is {1, 2, 3}, p = 2 / 8. */
    static const double z[] = {0, 0, 1, 2, 3};
    p = st_wilcoxon(z, 5, &wplus, &exact);
    CU_ASSERT_EQUAL(wplus, 6);
    CU_ASSERT_EQUAL(p, 0.25);
    /* Nothing but zeros: no evidence either way. */
    CU_ASSERT_EQUAL(st_wilcoxon(z, 2, &wplus, &exact), 1);
}

/* Ties force the normal approximation with the tie correction,
 * computed here from its definition (ranks by counting, p by erfc). */
static void test_wilcoxon_ties_normal(void)
{
    static const double d[] = {1, -1, 2, 2, -2, 3, 3, 3, 4, -5, 6, 6};
    const int n = sizeof d / sizeof d[0];
    double w = 0, ties = 0;
    for (int i = 0; i < n; i++) {
        int less = 0, same = 0;
        for (int j = 0; j < n; j++) {
            less += fabs(d[j]) < fabs(d[i]);
            same += fabs(d[j]) == fabs(d[i]);
        }
        if (d[i] > 0)
            w += less + (same + 1) / 2.0;
        ties += ((double)same * same * same - same) / same; /* each group counted once in sum */
    }
    double var = n * (n + 1.0) * (2 * n + 1) / 24 - ties / 48;
    double z = fabs(w - n * (n + 1.0) / 4) / sqrt(var);
    double want = erfc(z / sqrt(2));
    double wplus, p;
    int exact;
    p = st_wilcoxon(d, n, &wplus, &exact);
    printf("  W+ = %g (want %g), p = %.9g (want %.9g)\n", wplus, w, p, want);
    CU_ASSERT_EQUAL(wplus, w);
    CU_ASSERT_EQUAL(exact, 0);
    NEAR(p, want, 1e-12);
    /* ±inf (one side diverged) rank beyond every finite difference. */
    static const double inf[] = {INFINITY, 1, 2};
    st_wilcoxon(inf, 3, &wplus, &exact);
    CU_ASSERT_EQUAL(wplus, 6);
}

/* Newcombe (1998), Table I: 81/263 gives 0.2553 to 0.3662, 15/148 gives
 * 0.0624 to 0.1605, 0/10 gives 0 to 0.2775 (Wilson, z = 1.96). */
static void test_wilson_newcombe(void)
{
    double lo, hi, z = 1.959963984540054;
    st_wilson(81, 263, z, &lo, &hi);
    NEAR(lo, 0.2553, 5e-5);
    NEAR(hi, 0.3662, 5e-5);
    st_wilson(15, 148, z, &lo, &hi);
    NEAR(lo, 0.0624, 5e-5);
    NEAR(hi, 0.1605, 5e-5);
    st_wilson(0, 10, z, &lo, &hi);
    NEAR(lo, 0, 1e-12);
    NEAR(hi, 0.2775, 5e-5);
    st_wilson(3, 0, z, &lo, &hi);
    CU_ASSERT(lo == 0 && hi == 1);
}

/* Data with a known answer: for n = 400 values symmetric about 0 with
 * standard deviation s, the bootstrap mean is close to normal with
 * standard deviation s/√n, so the 95 % percentile interval is ±1.96 s/√n
 * (within the Monte Carlo error of 10^4 resamples, ~2 %). A constant
 * sample has a zero-width interval. The same seed gives the same bits. */
static void test_bootstrap_known(void)
{
    enum { N = 400 };
    double x[N], s2 = 0;
    for (int k = 0; k < N; k++) {
        /* Evenly spaced in [-1, 1]: mean 0, variance about 1/3. */
        x[k] = -1 + 2.0 * (k + 0.5) / N;
        s2 += x[k] * x[k] / N;
    }
    double half = 1.959963984540054 * sqrt(s2 / N), lo, hi, lo2, hi2;
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 42);
    CU_ASSERT_EQUAL(st_bootstrap_mean(x, N, ST_BOOTSTRAP, 0.95, &rng, &lo, &hi), 0);
    printf("  interval [%.5f, %.5f], normal theory ±%.5f\n", lo, hi, half);
    NEAR(lo, -half, 0.04 * half);
    NEAR(hi, half, 0.04 * half);
    l2l_rng_seed(&rng, 42);
    st_bootstrap_mean(x, N, ST_BOOTSTRAP, 0.95, &rng, &lo2, &hi2);
    CU_ASSERT(lo == lo2 && hi == hi2);
    double c[7] = {0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3};
    st_bootstrap_mean(c, 7, 1000, 0.95, &rng, &lo, &hi);
    CU_ASSERT(lo == 0.3 && hi == 0.3);
    st_bootstrap_mean(c, 0, 1000, 0.95, &rng, &lo, &hi);
    CU_ASSERT(isnan(lo) && isnan(hi));
}

/* A paired comparison by hand: the optimizer halves the reference's loss
 * on 10 runs; an 11th where only it diverged is a loss for it and left
 * out of the ratio; a 12th where both diverged is dropped. */
static void test_paired_by_hand(void)
{
    double f[12], ref[12];
    for (int k = 0; k < 10; k++) {
        ref[k] = 0.1 * (k + 1);
        f[k] = 0.5 * (1 + 0.01 * k) * ref[k]; /* distinct |d|: no ties */
    }
    double gm = 0;
    for (int k = 0; k < 10; k++)
        gm += log(f[k] / ref[k]) / 10;
    gm = exp(gm);
    f[10] = INFINITY, ref[10] = 1;
    f[11] = INFINITY, ref[11] = INFINITY;
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 1);
    struct st_paired p;
    CU_ASSERT_EQUAL(st_paired(f, ref, 12, 2000, &rng, &p), 0);
    printf("  ratio %.6f [%.6f, %.6f], wins %g of %ld, p = %.6g\n", p.ratio, p.ratio_lo,
           p.ratio_hi, p.wins, p.runs, p.p_value);
    CU_ASSERT_EQUAL(p.runs, 11);
    CU_ASSERT_EQUAL(p.both_diverged, 1);
    CU_ASSERT_EQUAL(p.left_out, 1);
    NEAR(p.ratio, gm, 1e-12);
    CU_ASSERT(p.ratio_lo < gm && gm < p.ratio_hi && p.ratio_lo > 0.5 && p.ratio_hi < 0.5 * 1.09);
    CU_ASSERT_EQUAL(p.wins, 10);
    NEAR(p.win_rate, 10.0 / 11, 1e-12);
    /* Ten ranks 1..10 negative, the diverged one (rank 11) positive:
     * W+ = 11, exact p = 2 P(W+ <= 11) over 2^11 patterns. */
    CU_ASSERT_EQUAL(p.w_plus, 11);
    CU_ASSERT_EQUAL(p.exact, 1);
    /* Ties count half in the win rate; identical runs give ratio 1. */
    CU_ASSERT_EQUAL(st_paired(ref, ref, 10, 100, &rng, &p), 0);
    CU_ASSERT_EQUAL(p.wins, 5);
    CU_ASSERT(p.ratio == 1 && p.ratio_lo == 1 && p.ratio_hi == 1 && p.p_value == 1);
}

static void test_time_to_target(void)
{
    static const double c[] = {5, 4, 3, 2, 1, INFINITY};
    CU_ASSERT_EQUAL(st_time_to_target(c, 5, 2.5), 3);
    CU_ASSERT_EQUAL(st_time_to_target(c, 5, 2), 3);
    CU_ASSERT_EQUAL(st_time_to_target(c, 5, 5), 0);
    CU_ASSERT_EQUAL(st_time_to_target(c, 5, 0.5), -1);
}

/* A hand-made table of 3 problems and 2 solvers, the profile checked
 * pointwise and the score against a midpoint rule on [1, 4]. */
static void test_profile_table(void)
{
    static const double t[] = {10, 20,   /* ratios 1, 2 */
                               30, 15,   /* 2, 1 */
                               -1, 40,   /* never (inf), 1 */
                               -1, -1};  /* nobody: counts against both */
    double ratio[8];
    st_profile_ratios(t, 4, 2, ratio);
    CU_ASSERT(ratio[0] == 1 && ratio[1] == 2 && ratio[2] == 2 && ratio[3] == 1);
    CU_ASSERT(isinf(ratio[4]) && ratio[5] == 1 && isnan(ratio[6]));
    CU_ASSERT_EQUAL(st_profile_at(ratio, 4, 2, 0, 1), 0.25);
    CU_ASSERT_EQUAL(st_profile_at(ratio, 4, 2, 0, 1.999), 0.25);
    CU_ASSERT_EQUAL(st_profile_at(ratio, 4, 2, 0, 2), 0.5);
    CU_ASSERT_EQUAL(st_profile_at(ratio, 4, 2, 1, 1), 0.5);
    CU_ASSERT_EQUAL(st_profile_at(ratio, 4, 2, 1, 4), 0.75);
    for (int s = 0; s < 2; s++) {
        double integral = 0, h = 3.0 / 300000;
        for (int k = 0; k < 300000; k++)
            integral += h * st_profile_at(ratio, 4, 2, s, 1 + (k + 0.5) * h);
        double score = st_profile_score(ratio, 4, 2, s, 4);
        printf("  solver %d: score %.9f, midpoint rule %.9f\n", s, score, integral / 3);
        NEAR(score, integral / 3, 1e-5);
    }
    /* By hand: (3 + 2) / (4 * 3) and (2 + 3 + 3) / (4 * 3). */
    NEAR(st_profile_score(ratio, 4, 2, 0, 4), 5.0 / 12, 1e-15);
    NEAR(st_profile_score(ratio, 4, 2, 1, 4), 8.0 / 12, 1e-15);
}

/* The expected best of k against the mean of the minimum over every
 * k-subset of a small grid, enumerated here (two diverged values). */
static void test_budget_enumeration(void)
{
    static const double L[] = {0.3, 0.1, INFINITY, 0.5, 0.2, INFINITY, 0.25};
    const int N = sizeof L / sizeof L[0];
    double E[7];
    CU_ASSERT_EQUAL(st_expected_best(L, N, E), 0);
    for (int k = 1; k <= N; k++) {
        double sum = 0;
        long count = 0;
        for (int mask = 0; mask < 1 << N; mask++) {
            if (__builtin_popcount((unsigned)mask) != k)
                continue;
            double best = INFINITY;
            for (int i = 0; i < N; i++)
                if (mask >> i & 1)
                    best = fmin(best, L[i]);
            sum += best;
            count++;
        }
        double want = sum / (double)count;
        printf("  k = %d: E = %.12g, enumeration %.12g\n", k, E[k - 1], want);
        if (isinf(want)) {
            CU_ASSERT(isinf(E[k - 1]));
        } else {
            NEAR(E[k - 1], want, 1e-12);
        }
    }
    /* All finite: E_1 is the mean, E_N the minimum. */
    static const double F[] = {4, 1, 3, 2};
    CU_ASSERT_EQUAL(st_expected_best(F, 4, E), 0);
    NEAR(E[0], 2.5, 1e-12);
    NEAR(E[3], 1, 1e-12);
}

static const struct l2l_test tests[] = {
    {"wilcoxon_check_value", test_wilcoxon_check_value},
    {"wilcoxon_exact_enumeration", test_wilcoxon_exact_enumeration},
    {"wilcoxon_ties_normal", test_wilcoxon_ties_normal},
    {"wilson_newcombe", test_wilson_newcombe},
    {"bootstrap_known", test_bootstrap_known},
    {"paired_by_hand", test_paired_by_hand},
    {"time_to_target", test_time_to_target},
    {"profile_table", test_profile_table},
    {"budget_enumeration", test_budget_enumeration},
    {NULL, NULL},
};

int main(void)
{
    return l2l_test_main("stats", tests);
}
