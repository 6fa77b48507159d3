/* test_lstm_gemm.c: the LSTM's block products (lstm_gemm.h): the kernels
 * this CPU runs give the same bits as the plain loops, and the plain loops
 * agree with a double-precision product, on the shapes the LSTM uses and
 * odd ones (8-column tails, padded rows); a product chained over parts of
 * its sum (acc, segments) gives the bits of one call; results into gate planes. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../plugins/optimizers/lstm_gemm.h"
#include "test_main.h"

static float val(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((double)(*s >> 8) / 16777216.0 - 0.5);
}

/* C = X·W for m × n × k, with row strides larger than the shapes. */
static void check_nn(int m, int n, int k)
{
    size_t ldx = (size_t)k + 3, ldw = (size_t)n + 8, ldc = (size_t)n + 5;
    float *X = malloc(sizeof(float) * (size_t)m * ldx), *W = malloc(sizeof(float) * (size_t)k * ldw);
    float *C1 = calloc((size_t)m * ldc, sizeof(float)), *C2 = calloc((size_t)m * ldc, sizeof(float));
    double *R = calloc((size_t)m * (size_t)n, sizeof(double));
    float *Rf = calloc((size_t)m * (size_t)n, sizeof(float)), *Cf = calloc((size_t)m * (size_t)n, sizeof(float));
    CU_ASSERT_FATAL(X && W && C1 && C2 && R && Rf && Cf);
    unsigned s = (unsigned)(m * 131 + n * 7 + k);
    for (size_t i = 0; i < (size_t)m * ldx; i++)
        X[i] = val(&s);
    for (size_t i = 0; i < (size_t)k * ldw; i++)
        W[i] = val(&s);
    struct lstm_cmap rows = {ldc, 0, 0};
    lstm_gemm_nn(C1, &rows, X, ldx, W, ldw, m, n, k, 0);
    lstm_gemm_nn_ref(C2, &rows, X, ldx, W, ldw, m, n, k, 0);
    CU_ASSERT(memcmp(C1, C2, sizeof(float) * (size_t)m * ldc) == 0);
    /* the same product in three chained parts (acc), both versions */
    int k1 = k / 3, k2 = k - k / 3;
    for (int v = 0; v < 2; v++) {
        memset(C2, 0, sizeof(float) * (size_t)m * ldc);
        void (*nn)(float *, const struct lstm_cmap *, const float *, size_t, const float *,
                   size_t, int, int, int, int) = v ? lstm_gemm_nn_ref : lstm_gemm_nn;
        nn(C2, &rows, X, ldx, W, ldw, m, n, k1, 0);
        nn(C2, &rows, X + k1, ldx, W + (size_t)k1 * ldw, ldw, m, n, k2 - k1, 1);
        nn(C2, &rows, X + k2, ldx, W + (size_t)k2 * ldw, ldw, m, n, k - k2, 1);
        CU_ASSERT(memcmp(C1, C2, sizeof(float) * (size_t)m * ldc) == 0);
    }
    /* the same in segments of one call, both versions */
    struct lstm_seg seg[3] = {{X, ldx, W, k1}, {X + k1, ldx, W + (size_t)k1 * ldw, k2 - k1},
                              {X + k2, ldx, W + (size_t)k2 * ldw, k - k2}};
    memset(C2, 0, sizeof(float) * (size_t)m * ldc);
    lstm_gemm_nn_seg(C2, &rows, seg, 3, ldw, m, n, 0);
    CU_ASSERT(memcmp(C1, C2, sizeof(float) * (size_t)m * ldc) == 0);
    memset(C2, 0, sizeof(float) * (size_t)m * ldc);
    lstm_gemm_nn_seg_ref(C2, &rows, seg, 3, ldw, m, n, 0);
    CU_ASSERT(memcmp(C1, C2, sizeof(float) * (size_t)m * ldc) == 0);
    /* the last row of W as the bias's segment (a repeated 1, which the
     * kernels add instead of multiplying): the bits of the plain loops,
     * alone after k − 1 columns of X and chained after a product (acc) */
    static const float one = 1.0f;
    struct lstm_seg bseg[2] = {{X, ldx, W, k - 1}, {&one, 0, W + (size_t)(k - 1) * ldw, 1}};
    for (int a = 0; a < 2; a++) {
        for (size_t i = 0; i < (size_t)m * ldc; i++)
            C1[i] = C2[i] = (float)i;
        lstm_gemm_nn_seg(C1, &rows, bseg + (k == 1), 2 - (k == 1), ldw, m, n, a);
        lstm_gemm_nn_seg_ref(C2, &rows, bseg + (k == 1), 2 - (k == 1), ldw, m, n, a);
        CU_ASSERT(memcmp(C1, C2, sizeof(float) * (size_t)m * ldc) == 0);
    }
    lstm_gemm_nn(C1, &rows, X, ldx, W, ldw, m, n, k, 0);
    /* into planes of 4 columns (when n allows): the same values, moved */
    if (n % 16 == 0) {
        int gw = n / 4;
        size_t gq = (size_t)m * (size_t)gw + 5;
        struct lstm_cmap planes = {(size_t)gw, gw, gq};
        float *Pl = calloc(4 * gq, sizeof(float));
        CU_ASSERT_FATAL(Pl != NULL);
        lstm_gemm_nn(Pl, &planes, X, ldx, W, ldw, m, n, k, 0);
        int same = 1;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                same &= Pl[(size_t)(j / gw) * gq + (size_t)i * (size_t)gw + (size_t)(j % gw)] ==
                        C1[(size_t)i * ldc + (size_t)j];
        CU_ASSERT(same);
        free(Pl);
    }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double a = 0;
            for (int p = 0; p < k; p++)
                a += (double)X[(size_t)i * ldx + (size_t)p] * W[(size_t)p * ldw + (size_t)j];
            Rf[(size_t)i * (size_t)n + (size_t)j] = (float)a;
            Cf[(size_t)i * (size_t)n + (size_t)j] = C1[(size_t)i * ldc + (size_t)j];
        }
    char what[64];
    snprintf(what, sizeof what, "nn %d x %d x %d vs double", m, n, k);
    CU_ASSERT(l2l_maxdiff(what, Cf, Rf, (size_t)m * (size_t)n, 1e-5 * k) <= 1e-5 * k);
    free(X); free(W); free(C1); free(C2); free(R); free(Rf); free(Cf);
}

/* D += Xᵀ·A for kp × n over m rows. */
static void check_tn(int m, int n, int kp)
{
    size_t ldx = (size_t)kp + 2, lda = (size_t)n + 8, ldd = (size_t)n + 3;
    float *X = malloc(sizeof(float) * (size_t)m * ldx), *A = malloc(sizeof(float) * (size_t)m * lda);
    float *D1 = malloc(sizeof(float) * (size_t)kp * ldd), *D2 = malloc(sizeof(float) * (size_t)kp * ldd);
    float *Rf = calloc((size_t)kp * (size_t)n, sizeof(float)), *Df = calloc((size_t)kp * (size_t)n, sizeof(float));
    CU_ASSERT_FATAL(X && A && D1 && D2 && Rf && Df);
    unsigned s = (unsigned)(m * 17 + n * 5 + kp);
    for (size_t i = 0; i < (size_t)m * ldx; i++)
        X[i] = val(&s);
    for (size_t i = 0; i < (size_t)m * lda; i++)
        A[i] = val(&s);
    for (size_t i = 0; i < (size_t)kp * ldd; i++)
        D1[i] = D2[i] = val(&s);
    for (int p = 0; p < kp; p++)
        for (int j = 0; j < n; j++) {
            double a = D1[(size_t)p * ldd + (size_t)j];
            for (int i = 0; i < m; i++)
                a += (double)X[(size_t)i * ldx + (size_t)p] * A[(size_t)i * lda + (size_t)j];
            Rf[(size_t)p * (size_t)n + (size_t)j] = (float)a;
        }
    float *D0 = malloc(sizeof(float) * (size_t)kp * ldd);
    CU_ASSERT_FATAL(D0 != NULL);
    memcpy(D0, D1, sizeof(float) * (size_t)kp * ldd);
    struct lstm_cmap rows = {lda, 0, 0};
    struct lstm_tcol xc[kp];
    for (int p = 0; p < kp; p++)
        xc[p] = (struct lstm_tcol){X + p, ldx};
    lstm_gemm_tn(D1, ldd, xc, A, &rows, m, n, kp);
    lstm_gemm_tn_ref(D2, ldd, xc, A, &rows, m, n, kp);
    CU_ASSERT(memcmp(D1, D2, sizeof(float) * (size_t)kp * ldd) == 0);
    /* A in planes of n/4 columns (when n allows): the same bits */
    if (n % 16 == 0) {
        int gw = n / 4;
        size_t gq = (size_t)m * (size_t)gw + 3;
        float *Pl = calloc(4 * gq, sizeof(float));
        CU_ASSERT_FATAL(Pl != NULL);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Pl[(size_t)(j / gw) * gq + (size_t)i * (size_t)gw + (size_t)(j % gw)] =
                    A[(size_t)i * lda + (size_t)j];
        struct lstm_cmap planes = {(size_t)gw, gw, gq};
        memcpy(D2, D0, sizeof(float) * (size_t)kp * ldd);
        lstm_gemm_tn(D2, ldd, xc, Pl, &planes, m, n, kp);
        CU_ASSERT(memcmp(D1, D2, sizeof(float) * (size_t)kp * ldd) == 0);
        memcpy(D2, D0, sizeof(float) * (size_t)kp * ldd);
        lstm_gemm_tn_ref(D2, ldd, xc, Pl, &planes, m, n, kp);
        CU_ASSERT(memcmp(D1, D2, sizeof(float) * (size_t)kp * ldd) == 0);
        free(Pl);
    }
    free(D0);
    for (int p = 0; p < kp; p++)
        for (int j = 0; j < n; j++)
            Df[(size_t)p * (size_t)n + (size_t)j] = D1[(size_t)p * ldd + (size_t)j];
    char what[64];
    snprintf(what, sizeof what, "tn %d x %d over %d rows vs double", kp, n, m);
    CU_ASSERT(l2l_maxdiff(what, Df, Rf, (size_t)kp * (size_t)n, 1e-5 * m) <= 1e-5 * m);
    free(X); free(A); free(D1); free(D2); free(Rf); free(Df);
}

static void test_nn(void)
{
    check_nn(66, 80, 23);  /* layer 0 gates, a full sub-block */
    check_nn(66, 80, 41);  /* layer 1 */
    check_nn(12, 40, 80);  /* dL/d[x, h] of layer 1 (16 + 16 + 8 columns) */
    check_nn(6, 24, 80);   /* dL/dh of layer 0 */
    check_nn(18, 8, 20);   /* the output layer's column */
    check_nn(6, 32, 1);
    check_nn(60, 80, 20);  /* the h part of a chained layer product */
}

/* tn with the columns of X as the LSTM passes them (lstm_tcols_xh1): two arrays of
 * different strides side by side ([x, h]), the bias's 1 and padding 0s
 * (stride 0): the kernels' bits against the plain loops, into rows and
 * planes. */
static void check_tn_mixed(int m, int in, int H)
{
    int n = 4 * H, kp = (int)lstm_round_up((size_t)(in + H + 1), LSTM_KR);
    size_t gq = (size_t)m * (size_t)H + 3;
    float *x = malloc(sizeof(float) * (size_t)m * (size_t)in), *h = malloc(sizeof(float) * (size_t)m * (size_t)H);
    float *A = malloc(sizeof(float) * 4 * gq), *D1 = malloc(sizeof(float) * (size_t)kp * (size_t)n),
          *D2 = malloc(sizeof(float) * (size_t)kp * (size_t)n);
    CU_ASSERT_FATAL(x && h && A && D1 && D2);
    unsigned s = (unsigned)(m * 3 + in * 5 + H);
    for (int i = 0; i < m * in; i++)
        x[i] = val(&s);
    for (int i = 0; i < m * H; i++)
        h[i] = val(&s);
    for (size_t i = 0; i < 4 * gq; i++)
        A[i] = val(&s);
    for (int i = 0; i < kp * n; i++)
        D1[i] = D2[i] = val(&s);
    struct lstm_tcol xc[kp];
    lstm_tcols_xh1(xc, x, in, h, H, kp);
    struct lstm_cmap planes = {(size_t)H, H, gq}, rows = {(size_t)n, 0, 0};
    for (int v = 0; v < 2; v++) {
        const struct lstm_cmap *map = v ? &rows : &planes;
        lstm_gemm_tn(D1, (size_t)n, xc, A, map, m, n, kp);
        lstm_gemm_tn_ref(D2, (size_t)n, xc, A, map, m, n, kp);
        CU_ASSERT(memcmp(D1, D2, sizeof(float) * (size_t)kp * (size_t)n) == 0);
    }
    free(x); free(h); free(A); free(D1); free(D2);
}

static void test_tn(void)
{
    check_tn_mixed(60, 2, 20);  /* layer 0 of the paper's net */
    check_tn_mixed(37, 20, 20); /* layer 1, a partial sub-block */
    check_tn_mixed(6, 4, 4);
    check_tn(64, 80, 24);
    check_tn(37, 80, 42);  /* a partial sub-block */
    check_tn(5, 40, 12);
    check_tn(1, 8, 6);
}

static const struct l2l_test tests[] = {
    {"nn: kernels vs plain loops (bits) and vs double", test_nn},
    {"tn: kernels vs plain loops (bits) and vs double", test_tn},
    {NULL, NULL}};

int main(void) { return l2l_test_main("lstm_gemm", tests); }
