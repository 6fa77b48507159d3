/* test_lstm_gmean.c: the averaging cells' means (lstm_gmean.h) taken in
 * pieces as the passes take them: the means equal the group means computed
 * directly in double; apply writes them into the averaged columns only and
 * into every row of the group, empty groups and groups across block
 * boundaries included; blocks added in any order (as threads would) give
 * the same bits; a block that comes in several sub-blocks gives the bits
 * of one; the means carry the bits of the order the header gives. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../plugins/optimizers/lstm_gmean.h"
#include "test_main.h"

#define N 1000
#define BLOCK 120
/* row stride LD, columns [0, M) averaged, the rest not: each test runs
 * over these shapes (the sums go eight columns at a time, reading past M
 * inside the row when it can) */
static const size_t shapes[][2] = {{7, 3}, {20, 5}, {20, 8}, {20, 13}, {12, 10}, {9, 1}};
static size_t LD, M;

/* groups in order covering [0, N): small, empty, across blocks, one row */
static const struct l2l_group groups[] = {
    {"a", 0, 50}, {"empty", 50, 0}, {"b", 50, 400}, {"c", 450, 1}, {"empty2", 451, 0},
    {"d", 451, 549},
};
#define NG ((int)(sizeof groups / sizeof groups[0]))

static void fill(float *X, unsigned seed)
{
    for (size_t k = 0; k < (size_t)N * LD; k++) {
        seed = seed * 1664525u + 1013904223u;
        /* magnitudes over many binary orders, both signs */
        X[k] = (float)((double)(seed >> 8) / 16777216.0 - 0.5) * powf(2.0f, (float)(k % 23) - 11.0f);
    }
}

/* The passes' way: every block added (sub-blocks of `sub` rows, in order
 * within a block; blocks in the order given by perm), then finish. */
static void pieces(struct lstm_gmean *gm, const float *X, size_t sub, const size_t *perm)
{
    for (size_t q = 0; q < gm->nblock; q++) {
        size_t b = perm ? perm[q] : q, r0 = b * BLOCK, r1 = r0 + BLOCK < N ? r0 + BLOCK : N;
        for (size_t k0 = r0; k0 < r1; k0 += sub)
            lstm_gmean_add(gm, X + k0 * LD, LD, k0, (k0 + sub < r1 ? k0 + sub : r1) - k0);
    }
    lstm_gmean_finish(gm);
}

static void means_one_shape(void)
{
    float *X = malloc(sizeof(float) * N * LD), *Y = malloc(sizeof(float) * N * LD);
    CU_ASSERT_FATAL(X && Y);
    fill(X, 7);
    struct lstm_gmean gm;
    CU_ASSERT_FATAL(lstm_gmean_init(&gm, groups, NG, N, BLOCK, (int)M) == 0);
    pieces(&gm, X, 60, NULL);
    double worst = 0;
    for (int g = 0; g < NG; g++) {
        if (!groups[g].count)
            continue;
        for (size_t u = 0; u < M; u++) {
            double s = 0, a = 0;
            for (size_t k = groups[g].offset; k < groups[g].offset + groups[g].count; k++) {
                s += X[k * LD + (size_t)u];
                a += fabs(X[k * LD + (size_t)u]);
            }
            double want = s / (double)groups[g].count, got = gm.mean[(size_t)g * M + (size_t)u];
            /* the bits of the order the header gives: rows in order
             * within a block, the blocks' partial sums in block order */
            double tot = 0, part = 0;
            size_t k1 = groups[g].offset + groups[g].count;
            for (size_t k = groups[g].offset; k < k1; k++) {
                part += (double)X[k * LD + (size_t)u];
                if ((k + 1) % BLOCK == 0 || k + 1 == k1)
                    tot += part, part = 0;
            }
            float exact = (float)(tot / (double)groups[g].count);
            CU_ASSERT(memcmp(&exact, &gm.mean[(size_t)g * M + (size_t)u], sizeof exact) == 0);
            /* one rounding to float, of a sum whose terms are ≤ a */
            double tol = 6e-8 * fabs(want) + 1e-15 * a / (double)groups[g].count;
            worst = fmax(worst, fabs(got - want) / (tol > 0 ? tol : 1));
            CU_ASSERT(fabs(got - want) <= tol);
        }
    }
    printf("  worst error / tolerance %.3g\n", worst);
    /* apply: averaged columns replaced by the group's mean, others untouched */
    memcpy(Y, X, sizeof(float) * N * LD);
    for (size_t k0 = 0; k0 < N; k0 += 60)
        lstm_gmean_apply(&gm, Y + k0 * LD, LD, k0, k0 + 60 < N ? 60 : N - k0);
    int bad = 0;
    for (int g = 0; g < NG; g++)
        for (size_t k = groups[g].offset; k < groups[g].offset + groups[g].count; k++)
            for (size_t u = 0; u < LD; u++) {
                float want = u < M ? gm.mean[(size_t)g * M + (size_t)u] : X[k * LD + (size_t)u];
                bad += memcmp(&want, &Y[k * LD + (size_t)u], sizeof(float)) != 0;
            }
    CU_ASSERT_EQUAL(bad, 0);
    lstm_gmean_free(&gm);
    free(X);
    free(Y);
}

static void order_one_shape(void)
{
    float *X = malloc(sizeof(float) * N * LD);
    CU_ASSERT_FATAL(X != NULL);
    fill(X, 11);
    struct lstm_gmean a, b, c;
    CU_ASSERT_FATAL(lstm_gmean_init(&a, groups, NG, N, BLOCK, (int)M) == 0);
    CU_ASSERT_FATAL(lstm_gmean_init(&b, groups, NG, N, BLOCK, (int)M) == 0);
    CU_ASSERT_FATAL(lstm_gmean_init(&c, groups, NG, N, BLOCK, (int)M) == 0);
    size_t perm[16];
    CU_ASSERT_FATAL(a.nblock <= 16);
    for (size_t q = 0; q < a.nblock; q++)
        perm[q] = a.nblock - 1 - q; /* the last block first */
    pieces(&a, X, BLOCK, NULL); /* whole blocks, in order */
    pieces(&b, X, BLOCK, perm); /* whole blocks, reversed */
    pieces(&c, X, 6, perm);     /* blocks in sub-blocks of 6 rows */
    CU_ASSERT(memcmp(a.mean, b.mean, sizeof(float) * NG * M) == 0);
    CU_ASSERT(memcmp(a.mean, c.mean, sizeof(float) * NG * M) == 0);
    /* a second round starts its sums afresh */
    pieces(&c, X, 60, NULL);
    CU_ASSERT(memcmp(a.mean, c.mean, sizeof(float) * NG * M) == 0);
    lstm_gmean_free(&a);
    lstm_gmean_free(&b);
    lstm_gmean_free(&c);
    free(X);
}

static void over_shapes(void (*one)(void))
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        LD = shapes[i][0], M = shapes[i][1];
        one();
    }
}
static void test_means(void) { over_shapes(means_one_shape); }
static void test_order(void) { over_shapes(order_one_shape); }

static const struct l2l_test tests[] = {
    {"group means against double, apply", test_means},
    {"the same bits in any block order and split", test_order},
    {NULL, NULL},
};

int main(void) { return l2l_test_main("lstm_gmean", tests); }
