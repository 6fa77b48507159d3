/* test_lstm_gates.c: the LSTM's gate pass (lstm_gates.h): the version this
 * CPU runs gives the bits of the plain loop, forward and backward, on
 * ordinary values, extremes (±0, subnormals, ±inf, NaN, values that
 * saturate σ and tanh) and every tail length; tanh and σ are within a few
 * 1e−7 of the double-precision functions; the cell and its backward agree
 * with the same math in double. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../plugins/optimizers/lstm_gates.h"
#include "test_main.h"

static float val(unsigned *s, float scale)
{
    *s = *s * 1664525u + 1013904223u;
    return scale * (float)((double)(*s >> 8) / 16777216.0 - 0.5);
}

/* Equal bits, or both NaN (the sign and payload of a NaN are not part of
 * the result). */
static int same(const float *a, const float *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (memcmp(&a[k], &b[k], sizeof(float)) != 0 && !(isnan(a[k]) && isnan(b[k])))
            return 0;
    return 1;
}

static const float extremes[] = {0.0f, -0.0f, 1e-40f, -1e-40f, 1e-30f, 0.5f, -0.5f,
                                 7.9f, -7.9f, 7.91f, 8.0f, -8.0f, 15.8f, -15.8f, 16.0f,
                                 -16.0f, 88.0f, 1e30f, -1e30f, INFINITY, -INFINITY, NAN};
#define N_EXTREMES (sizeof extremes / sizeof extremes[0])

/* q cells in planes ps = q + 5 apart; every fourth value an extreme when
 * `wild`; gates scaled by `scale`. */
static void fill(float *P, size_t ps, float *c, float *dh, float *dc, size_t q, unsigned seed,
                 float scale, int wild)
{
    unsigned s = seed;
    for (size_t k = 0; k < 4 * ps; k++)
        P[k] = wild && k % 4 == 1 ? extremes[(k / 4) % N_EXTREMES] : val(&s, scale);
    for (size_t k = 0; k < q; k++) {
        c[k] = wild && k % 5 == 2 ? extremes[(k / 5) % N_EXTREMES] : val(&s, 4.0f);
        dh[k] = val(&s, 2.0f);
        dc[k] = val(&s, 2.0f);
    }
}

static void check_bits(size_t q, float scale, int wild)
{
    size_t ps = q + 5;
    float *P1 = malloc(sizeof(float) * 4 * ps), *P2 = malloc(sizeof(float) * 4 * ps);
    float *c1 = malloc(sizeof(float) * q), *c2 = malloc(sizeof(float) * q);
    float *h1 = malloc(sizeof(float) * q), *h2 = malloc(sizeof(float) * q);
    float *dh = malloc(sizeof(float) * q), *dc1 = malloc(sizeof(float) * q),
          *dc2 = malloc(sizeof(float) * q);
    CU_ASSERT_FATAL(P1 && P2 && c1 && c2 && h1 && h2 && dh && dc1 && dc2);
    unsigned seed = (unsigned)(q * 7919 + (size_t)wild);
    fill(P1, ps, c1, dh, dc1, q, seed, scale, wild);
    memcpy(P2, P1, sizeof(float) * 4 * ps);
    memcpy(c2, c1, sizeof(float) * q);
    memcpy(dc2, dc1, sizeof(float) * q);
    /* backward first (it reads the state before the step) */
    lstm_gates_backward(P1, ps, c1, dh, dc1, q);
    lstm_gates_backward_ref(P2, ps, c2, dh, dc2, q);
    CU_ASSERT(same(P1, P2, 4 * ps));
    CU_ASSERT(same(dc1, dc2, q));
    fill(P1, ps, c1, dh, dc1, q, seed, scale, wild);
    memcpy(P2, P1, sizeof(float) * 4 * ps);
    lstm_gates_forward(P1, ps, c1, h1, q);
    lstm_gates_forward_ref(P2, ps, c2, h2, q);
    CU_ASSERT(same(c1, c2, q));
    CU_ASSERT(same(h1, h2, q));
    free(P1); free(P2); free(c1); free(c2); free(h1); free(h2);
    free(dh); free(dc1); free(dc2);
}

static void test_same_bits(void)
{
    for (size_t q = 1; q <= 70; q++) {
        check_bits(q, 6.0f, 0);
        check_bits(q, 40.0f, 1);
    }
    check_bits(1200, 6.0f, 0); /* a full sub-block of 60 coordinates, H = 20 */
    check_bits(1200, 6.0f, 1);
    check_bits(1204, 60.0f, 1);
}

static double sigmoid(double a) { return 1.0 / (1.0 + exp(-a)); }

static void test_accuracy(void)
{
    double et = 0, es = 0;
    for (int k = -400000; k <= 400000; k++) {
        float x = (float)k * 5e-5f; /* [−20, 20] */
        double dt = fabs((double)lstm_tanh(x) - tanh((double)x));
        double ds = fabs((double)lstm_sigmoid(x) - sigmoid((double)x));
        et = dt > et ? dt : et;
        es = ds > es ? ds : es;
    }
    printf("  tanh: max abs error %.3g on [-20, 20]; sigmoid %.3g\n", et, es);
    CU_ASSERT(et < 5e-7);
    CU_ASSERT(es < 3e-7);
    /* saturation: the clamped value, odd, within the same error of ±1, 0 */
    CU_ASSERT(lstm_tanh(INFINITY) == lstm_tanh(8.0f) && lstm_tanh(-INFINITY) == -lstm_tanh(8.0f));
    CU_ASSERT(fabs(1.0 - lstm_tanh(INFINITY)) < 3e-7);
    CU_ASSERT(fabs(1.0 - lstm_sigmoid(INFINITY)) < 2e-7 && lstm_sigmoid(-INFINITY) < 2e-7);
    CU_ASSERT(isnan(lstm_tanh(NAN)) && isnan(lstm_sigmoid(NAN)));
    CU_ASSERT(lstm_tanh(0.0f) == 0.0f && lstm_tanh(-1e-30f) <= 0.0f);
}

/* The cell and its backward against the same formulas in double. */
static void test_cell_math(void)
{
    enum { Q = 203 };
    size_t ps = Q + 3;
    float P[4 * (Q + 3)], P0[4 * (Q + 3)], c[Q], c0[Q], h[Q], dh[Q], dc[Q], dc0[Q];
    fill(P, ps, c, dh, dc, Q, 11, 6.0f, 0);
    memcpy(P0, P, sizeof P);
    memcpy(c0, c, sizeof c);
    memcpy(dc0, dc, sizeof dc);
    lstm_gates_forward(P, ps, c, h, Q);
    double ef = 0, eb = 0;
    float cb[Q];
    memcpy(P, P0, sizeof P);
    memcpy(cb, c0, sizeof c0);
    lstm_gates_backward(P, ps, cb, dh, dc, Q);
    for (size_t k = 0; k < Q; k++) {
        double i = sigmoid(P0[k]), j = tanh(P0[ps + k]), f = sigmoid(P0[2 * ps + k] + 1.0),
               o = sigmoid(P0[3 * ps + k]);
        double cn = f * c0[k] + i * j, tc = tanh(cn), hn = tc * o;
        ef = fmax(ef, fmax(fabs(cn - c[k]), fabs(hn - h[k])));
        double dC = dc0[k] + dh[k] * o * (1 - tc * tc);
        double g[5] = {dC * j * i * (1 - i), dC * i * (1 - j * j), dC * c0[k] * f * (1 - f),
                       dh[k] * tc * o * (1 - o), dC * f};
        const float got[5] = {P[k], P[ps + k], P[2 * ps + k], P[3 * ps + k], dc[k]};
        for (int v = 0; v < 5; v++)
            eb = fmax(eb, fabs(g[v] - got[v]) / (1.0 + fabs(g[v])));
    }
    printf("  forward: max abs error %.3g; backward: max rel error %.3g\n", ef, eb);
    CU_ASSERT(ef < 5e-6);
    CU_ASSERT(eb < 5e-6);
}

static const struct l2l_test tests[] = {
    {"vector gates give the plain loop's bits", test_same_bits},
    {"tanh and sigmoid accuracy", test_accuracy},
    {"cell forward and backward against double", test_cell_math},
    {NULL, NULL},
};

int main(void) { return l2l_test_main("lstm_gates", tests); }
