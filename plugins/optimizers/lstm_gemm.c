/* lstm_gemm.c: the block matrix products of the LSTM (see lstm_gemm.h).
 * The AVX2 kernels keep a 6 × 16 tile of the result in 12 registers and
 * stream one row (nn) or one column (tn) of the small operand per step:
 * with K ≤ 41 and 80 columns the weights stay in L1, so the products run
 * near the FMA units' peak instead of streaming (n, 80) arrays through
 * memory as one large skinny sgemm would. */
#include <math.h>
#include "lstm_gemm.h"
#include "lstm_cpu.h"

/* Offset of column j in a row of C (struct lstm_cmap). */
static inline size_t col(const struct lstm_cmap *map, int j)
{
    return map->gw ? (size_t)(j / map->gw) * map->gq + (size_t)(j % map->gw) : (size_t)j;
}

void lstm_gemm_nn_seg_ref(float *C, const struct lstm_cmap *map, const struct lstm_seg *seg,
                          int ns, size_t ldw, int m, int n, int acc)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float *c = C + (size_t)i * map->ldc + col(map, j);
            float s = acc ? *c : 0.0f;
            for (int si = 0; si < ns; si++)
                for (int p = 0; p < seg[si].k; p++)
                    s = fmaf(seg[si].x[(size_t)i * seg[si].ldx + (size_t)p],
                             seg[si].w[(size_t)p * ldw + (size_t)j], s);
            *c = s;
        }
}

void lstm_gemm_nn_ref(float *C, const struct lstm_cmap *map, const float *X, size_t ldx,
                      const float *W, size_t ldw, int m, int n, int k, int acc)
{
    struct lstm_seg seg = {X, ldx, W, k};
    lstm_gemm_nn_seg_ref(C, map, &seg, 1, ldw, m, n, acc);
}

void lstm_gemm_tn_ref(float *D, size_t ldd, const struct lstm_tcol *xc, const float *A,
                      const struct lstm_cmap *amap, int m, int n, int kp)
{
    for (int p = 0; p < kp; p++)
        for (int j = 0; j < n; j++) {
            float s = D[(size_t)p * ldd + (size_t)j];
            const float *a = A + col(amap, j);
            for (int i = 0; i < m; i++)
                s = fmaf(xc[p].x[(size_t)i * xc[p].ld], a[(size_t)i * amap->ldc], s);
            D[(size_t)p * ldd + (size_t)j] = s;
        }
}

#ifdef LSTM_HAVE_AVX2
#define AVX2 __attribute__((target("avx2,fma")))
#define BC(p) _mm256_broadcast_ss(p)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define ADD(a, b) _mm256_add_ps(a, b)

/* A vector of columns j..j+7 of row 0 of C: two halves of 4 (a gate
 * plane's width is a multiple of 4, so a half never straddles planes);
 * row r is ldc·r further. */
struct cvec {
    float *lo, *hi;
};

AVX2 static inline __m256 cload(struct cvec v, size_t off)
{
    return _mm256_loadu2_m128(v.hi + off, v.lo + off);
}
AVX2 static inline void cstore(struct cvec v, size_t off, __m256 x)
{
    _mm256_storeu2_m128(v.hi + off, v.lo + off, x);
}

static inline struct cvec cvec_at(float *C, const struct lstm_cmap *map, int j)
{
    struct cvec v = {C + col(map, j), C + col(map, j + 4)};
    return v;
}

/* A segment that is the bias's row: k = 1 and one repeated 1. fma(1, w, c)
 * rounds once, as c + w does, so it is added: the same bits, on the adders
 * the FMA loop leaves idle, and no segment loop for one step. */
static inline int seg_is_bias(const struct lstm_seg *s)
{
    return s->k == 1 && s->ldx == 0 && s->x[0] == 1.0f;
}

/* A vector whose halves are side by side is stored whole (8 of the 10
 * vectors of a row of four 20-cell planes). */
AVX2 static inline void cstore_k(struct cvec v, size_t off, __m256 x, const int cont)
{
    if (cont)
        _mm256_storeu_ps(v.lo + off, x);
    else
        cstore(v, off, x);
}

/* One 6-row group of nn, 16 columns: c(r, v) = Σ_p x_r[p] · w[p][8v..];
 * cont0, cont1: whether each vector's halves are contiguous. */
AVX2 static inline __attribute__((always_inline)) void
nn_6x16_k(struct cvec v0, struct cvec v1, size_t ldc, const struct lstm_seg *seg, int ns,
          size_t i, int j, size_t ldw, int acc, const int cont0, const int cont1)
{
    __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (acc) {
        c00 = cload(v0, 0); c01 = cload(v1, 0);
        c10 = cload(v0, ldc); c11 = cload(v1, ldc);
        c20 = cload(v0, 2 * ldc); c21 = cload(v1, 2 * ldc);
        c30 = cload(v0, 3 * ldc); c31 = cload(v1, 3 * ldc);
        c40 = cload(v0, 4 * ldc); c41 = cload(v1, 4 * ldc);
        c50 = cload(v0, 5 * ldc); c51 = cload(v1, 5 * ldc);
    } else {
        c00 = _mm256_setzero_ps();
        c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c00;
    }
    for (int si = 0; si < ns; si++) {
        if (seg_is_bias(&seg[si])) {
            __m256 w0 = _mm256_loadu_ps(seg[si].w + j), w1 = _mm256_loadu_ps(seg[si].w + j + 8);
            c00 = ADD(c00, w0); c01 = ADD(c01, w1); c10 = ADD(c10, w0); c11 = ADD(c11, w1);
            c20 = ADD(c20, w0); c21 = ADD(c21, w1); c30 = ADD(c30, w0); c31 = ADD(c31, w1);
            c40 = ADD(c40, w0); c41 = ADD(c41, w1); c50 = ADD(c50, w0); c51 = ADD(c51, w1);
            continue;
        }
        size_t ldx = seg[si].ldx;
        const int k = seg[si].k;
        const float *x0 = seg[si].x + i * ldx, *x1 = x0 + ldx, *x2 = x1 + ldx, *x3 = x2 + ldx,
                    *x4 = x3 + ldx, *x5 = x4 + ldx, *w = seg[si].w + j;
        for (int p = 0; p < k; p++, w += ldw) {
            __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8), b;
            b = BC(x0 + p); c00 = FMA(b, w0, c00); c01 = FMA(b, w1, c01);
            b = BC(x1 + p); c10 = FMA(b, w0, c10); c11 = FMA(b, w1, c11);
            b = BC(x2 + p); c20 = FMA(b, w0, c20); c21 = FMA(b, w1, c21);
            b = BC(x3 + p); c30 = FMA(b, w0, c30); c31 = FMA(b, w1, c31);
            b = BC(x4 + p); c40 = FMA(b, w0, c40); c41 = FMA(b, w1, c41);
            b = BC(x5 + p); c50 = FMA(b, w0, c50); c51 = FMA(b, w1, c51);
        }
    }
    cstore_k(v0, 0, c00, cont0); cstore_k(v1, 0, c01, cont1);
    cstore_k(v0, ldc, c10, cont0); cstore_k(v1, ldc, c11, cont1);
    cstore_k(v0, 2 * ldc, c20, cont0); cstore_k(v1, 2 * ldc, c21, cont1);
    cstore_k(v0, 3 * ldc, c30, cont0); cstore_k(v1, 3 * ldc, c31, cont1);
    cstore_k(v0, 4 * ldc, c40, cont0); cstore_k(v1, 4 * ldc, c41, cont1);
    cstore_k(v0, 5 * ldc, c50, cont0); cstore_k(v1, 5 * ldc, c51, cont1);
}

AVX2 static void nn_6x16(struct cvec v0, struct cvec v1, size_t ldc, const struct lstm_seg *seg,
                         int ns, size_t i, int j, size_t ldw, int acc)
{
    int cont0 = v0.hi == v0.lo + 4, cont1 = v1.hi == v1.lo + 4;
    if (cont0 && cont1)
        nn_6x16_k(v0, v1, ldc, seg, ns, i, j, ldw, acc, 1, 1);
    else if (cont1)
        nn_6x16_k(v0, v1, ldc, seg, ns, i, j, ldw, acc, 0, 1);
    else if (cont0)
        nn_6x16_k(v0, v1, ldc, seg, ns, i, j, ldw, acc, 1, 0);
    else
        nn_6x16_k(v0, v1, ldc, seg, ns, i, j, ldw, acc, 0, 0);
}

/* The same for the last 8 columns when n is not a multiple of 16. */
AVX2 static void nn_6x8(struct cvec v0, size_t ldc, const struct lstm_seg *seg, int ns, size_t i,
                        int j, size_t ldw, int acc)
{
    __m256 c0, c1, c2, c3, c4, c5;
    if (acc) {
        c0 = cload(v0, 0); c1 = cload(v0, ldc); c2 = cload(v0, 2 * ldc);
        c3 = cload(v0, 3 * ldc); c4 = cload(v0, 4 * ldc); c5 = cload(v0, 5 * ldc);
    } else {
        c0 = c1 = c2 = c3 = c4 = c5 = _mm256_setzero_ps();
    }
    for (int si = 0; si < ns; si++) {
        size_t ldx = seg[si].ldx;
        const float *x = seg[si].x + i * ldx, *w = seg[si].w + j;
        for (int p = 0; p < seg[si].k; p++, w += ldw) {
            __m256 w0 = _mm256_loadu_ps(w);
            c0 = FMA(BC(x + p), w0, c0);
            c1 = FMA(BC(x + ldx + p), w0, c1);
            c2 = FMA(BC(x + 2 * ldx + p), w0, c2);
            c3 = FMA(BC(x + 3 * ldx + p), w0, c3);
            c4 = FMA(BC(x + 4 * ldx + p), w0, c4);
            c5 = FMA(BC(x + 5 * ldx + p), w0, c5);
        }
    }
    cstore(v0, 0, c0); cstore(v0, ldc, c1); cstore(v0, 2 * ldc, c2);
    cstore(v0, 3 * ldc, c3); cstore(v0, 4 * ldc, c4); cstore(v0, 5 * ldc, c5);
}

AVX2 static void nn_avx2(float *C, const struct lstm_cmap *map, const struct lstm_seg *seg,
                         int ns, size_t ldw, int m, int n, int acc)
{
    size_t ldc = map->ldc;
    int j = 0;
    for (; j + 16 <= n; j += 16) {
        struct cvec v0 = cvec_at(C, map, j), v1 = cvec_at(C, map, j + 8);
        for (int i = 0; i < m; i += LSTM_MR) {
            struct cvec a = {v0.lo + (size_t)i * ldc, v0.hi + (size_t)i * ldc};
            struct cvec b = {v1.lo + (size_t)i * ldc, v1.hi + (size_t)i * ldc};
            nn_6x16(a, b, ldc, seg, ns, (size_t)i, j, ldw, acc);
        }
    }
    for (; j < n; j += 8) {
        struct cvec v0 = cvec_at(C, map, j);
        for (int i = 0; i < m; i += LSTM_MR) {
            struct cvec a = {v0.lo + (size_t)i * ldc, v0.hi + (size_t)i * ldc};
            nn_6x8(a, ldc, seg, ns, (size_t)i, j, ldw, acc);
        }
    }
}

/* Rows p..p+5 of D, 16 columns: d(r, v) += Σ_i x_i[p+r] · a_i[8v..], the
 * columns of A read as two vectors (each two halves, struct cvec). The
 * loop is bound by issuing its instructions (12 FMAs, 6 broadcasts, 2
 * vector loads, pointer steps), so two cases are compiled apart: xrow,
 * the six columns of X side by side in one array (x_r = x_0 + r, one
 * stride: one pointer to step instead of six), and acont, each vector of
 * A contiguous (one load instead of two halves and an insert). */
AVX2 static inline __attribute__((always_inline)) void
tn_6x16_k(float *D, size_t ldd, const struct lstm_tcol *xc, struct cvec a0v, struct cvec a1v,
          size_t lda, int m, const int xrow, const int acont)
{
    const float *x0 = xc[0].x, *x1 = xc[1].x, *x2 = xc[2].x, *x3 = xc[3].x, *x4 = xc[4].x,
                *x5 = xc[5].x;
    size_t l0 = xc[0].ld, l1 = xc[1].ld, l2 = xc[2].ld, l3 = xc[3].ld, l4 = xc[4].ld,
           l5 = xc[5].ld;
    __m256 d00 = _mm256_loadu_ps(D), d01 = _mm256_loadu_ps(D + 8);
    __m256 d10 = _mm256_loadu_ps(D + ldd), d11 = _mm256_loadu_ps(D + ldd + 8);
    __m256 d20 = _mm256_loadu_ps(D + 2 * ldd), d21 = _mm256_loadu_ps(D + 2 * ldd + 8);
    __m256 d30 = _mm256_loadu_ps(D + 3 * ldd), d31 = _mm256_loadu_ps(D + 3 * ldd + 8);
    __m256 d40 = _mm256_loadu_ps(D + 4 * ldd), d41 = _mm256_loadu_ps(D + 4 * ldd + 8);
    __m256 d50 = _mm256_loadu_ps(D + 5 * ldd), d51 = _mm256_loadu_ps(D + 5 * ldd + 8);
    size_t off = 0;
    for (int i = 0; i < m; i++, off += lda) {
        __m256 a0 = acont ? _mm256_loadu_ps(a0v.lo + off) : cload(a0v, off);
        __m256 a1 = acont ? _mm256_loadu_ps(a1v.lo + off) : cload(a1v, off);
        __m256 b;
        b = BC(x0); d00 = FMA(b, a0, d00); d01 = FMA(b, a1, d01);
        b = BC(xrow ? x0 + 1 : x1); d10 = FMA(b, a0, d10); d11 = FMA(b, a1, d11);
        b = BC(xrow ? x0 + 2 : x2); d20 = FMA(b, a0, d20); d21 = FMA(b, a1, d21);
        b = BC(xrow ? x0 + 3 : x3); d30 = FMA(b, a0, d30); d31 = FMA(b, a1, d31);
        b = BC(xrow ? x0 + 4 : x4); d40 = FMA(b, a0, d40); d41 = FMA(b, a1, d41);
        b = BC(xrow ? x0 + 5 : x5); d50 = FMA(b, a0, d50); d51 = FMA(b, a1, d51);
        x0 += l0;
        if (!xrow) {
            x1 += l1; x2 += l2; x3 += l3; x4 += l4; x5 += l5;
        }
    }
    _mm256_storeu_ps(D, d00); _mm256_storeu_ps(D + 8, d01); D += ldd;
    _mm256_storeu_ps(D, d10); _mm256_storeu_ps(D + 8, d11); D += ldd;
    _mm256_storeu_ps(D, d20); _mm256_storeu_ps(D + 8, d21); D += ldd;
    _mm256_storeu_ps(D, d30); _mm256_storeu_ps(D + 8, d31); D += ldd;
    _mm256_storeu_ps(D, d40); _mm256_storeu_ps(D + 8, d41); D += ldd;
    _mm256_storeu_ps(D, d50); _mm256_storeu_ps(D + 8, d51);
}

AVX2 static void tn_6x16(float *D, size_t ldd, const struct lstm_tcol *xc, struct cvec a0v,
                         struct cvec a1v, size_t lda, int m)
{
    int xrow = xc[0].ld > 0, acont = a0v.hi == a0v.lo + 4 && a1v.hi == a1v.lo + 4;
    for (int r = 1; r < 6; r++)
        xrow = xrow && xc[r].x == xc[0].x + r && xc[r].ld == xc[0].ld;
    if (xrow && acont)
        tn_6x16_k(D, ldd, xc, a0v, a1v, lda, m, 1, 1);
    else if (xrow)
        tn_6x16_k(D, ldd, xc, a0v, a1v, lda, m, 1, 0);
    else if (acont)
        tn_6x16_k(D, ldd, xc, a0v, a1v, lda, m, 0, 1);
    else
        tn_6x16_k(D, ldd, xc, a0v, a1v, lda, m, 0, 0);
}

AVX2 static void tn_6x8(float *D, size_t ldd, const struct lstm_tcol *xc, struct cvec av,
                        size_t lda, int m)
{
    const float *x0 = xc[0].x, *x1 = xc[1].x, *x2 = xc[2].x, *x3 = xc[3].x, *x4 = xc[4].x,
                *x5 = xc[5].x;
    size_t l0 = xc[0].ld, l1 = xc[1].ld, l2 = xc[2].ld, l3 = xc[3].ld, l4 = xc[4].ld,
           l5 = xc[5].ld;
    __m256 d0 = _mm256_loadu_ps(D), d1 = _mm256_loadu_ps(D + ldd);
    __m256 d2 = _mm256_loadu_ps(D + 2 * ldd), d3 = _mm256_loadu_ps(D + 3 * ldd);
    __m256 d4 = _mm256_loadu_ps(D + 4 * ldd), d5 = _mm256_loadu_ps(D + 5 * ldd);
    size_t off = 0;
    for (int i = 0; i < m; i++, off += lda) {
        __m256 a0 = cload(av, off);
        d0 = FMA(BC(x0), a0, d0);
        d1 = FMA(BC(x1), a0, d1);
        d2 = FMA(BC(x2), a0, d2);
        d3 = FMA(BC(x3), a0, d3);
        d4 = FMA(BC(x4), a0, d4);
        d5 = FMA(BC(x5), a0, d5);
        x0 += l0; x1 += l1; x2 += l2; x3 += l3; x4 += l4; x5 += l5;
    }
    _mm256_storeu_ps(D, d0); _mm256_storeu_ps(D + ldd, d1);
    _mm256_storeu_ps(D + 2 * ldd, d2); _mm256_storeu_ps(D + 3 * ldd, d3);
    _mm256_storeu_ps(D + 4 * ldd, d4); _mm256_storeu_ps(D + 5 * ldd, d5);
}

AVX2 static void tn_avx2(float *D, size_t ldd, const struct lstm_tcol *xc, const float *A,
                         const struct lstm_cmap *amap, int m, int n, int kp)
{
    float *Am = (float *)A; /* struct cvec holds writable pointers; A is only read */
    int j = 0;
    for (; j + 16 <= n; j += 16) {
        struct cvec v0 = cvec_at(Am, amap, j), v1 = cvec_at(Am, amap, j + 8);
        for (int p = 0; p < kp; p += LSTM_KR)
            tn_6x16(D + (size_t)p * ldd + (size_t)j, ldd, xc + p, v0, v1, amap->ldc, m);
    }
    for (; j < n; j += 8) {
        struct cvec v0 = cvec_at(Am, amap, j);
        for (int p = 0; p < kp; p += LSTM_KR)
            tn_6x8(D + (size_t)p * ldd + (size_t)j, ldd, xc + p, v0, amap->ldc, m);
    }
}

#endif

void lstm_tcols_xh1(struct lstm_tcol *xc, const float *x, int in, const float *h, int H, int kp)
{
    static const float one = 1.0f, zero = 0.0f;
    for (int p = 0; p < in; p++)
        xc[p] = (struct lstm_tcol){x + p, (size_t)in};
    for (int u = 0; u < H; u++)
        xc[in + u] = (struct lstm_tcol){h + u, (size_t)H};
    xc[in + H] = (struct lstm_tcol){&one, 0};
    for (int p = in + H + 1; p < kp; p++)
        xc[p] = (struct lstm_tcol){&zero, 0};
}

void lstm_gemm_nn_seg(float *C, const struct lstm_cmap *map, const struct lstm_seg *seg, int ns,
                      size_t ldw, int m, int n, int acc)
{
#ifdef LSTM_HAVE_AVX2
    if (lstm_have_avx2()) {
        nn_avx2(C, map, seg, ns, ldw, m, n, acc);
        return;
    }
#endif
    lstm_gemm_nn_seg_ref(C, map, seg, ns, ldw, m, n, acc);
}

void lstm_gemm_nn(float *C, const struct lstm_cmap *map, const float *X, size_t ldx,
                  const float *W, size_t ldw, int m, int n, int k, int acc)
{
    struct lstm_seg seg = {X, ldx, W, k};
    lstm_gemm_nn_seg(C, map, &seg, 1, ldw, m, n, acc);
}

void lstm_gemm_tn(float *D, size_t ldd, const struct lstm_tcol *xc, const float *A,
                  const struct lstm_cmap *amap, int m, int n, int kp)
{
#ifdef LSTM_HAVE_AVX2
    if (lstm_have_avx2()) {
        tn_avx2(D, ldd, xc, A, amap, m, n, kp);
        return;
    }
#endif
    lstm_gemm_tn_ref(D, ldd, xc, A, amap, m, n, kp);
}
