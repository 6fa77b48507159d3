/* lstm_gates.c: the gate pass (lstm_gates.h). It takes about 60 % of the
 * block products' time, in σ, tanh and divisions (5 of each per cell and
 * step), so tanh is a rational function with no exp, and the pass has an
 * AVX2 version written with intrinsics: GCC's vectorizer turned the
 * clamps of tanh into compares, masks and blends (9 instructions where
 * vmaxps and vminps do, with the same NaN and signed-zero results). Both
 * versions do the same operations in the same order and give the same
 * bits (FP contraction is off, -std=c11; fmaf and vfmadd round once). */
#include <math.h>
#include "lstm_gates.h"
#include "lstm_cpu.h"

#if defined(__GNUC__)
#define GATE_INLINE static inline __attribute__((always_inline))
#else
#define GATE_INLINE static inline
#endif

/* tanh x as the odd rational function of Eigen's ptanh_float (degree 13
 * over degree 6, absolute error below 3e−7) on x clamped to ±7.9053,
 * where it reaches ±(1 − 2^−22) and stays; no exp, one division. NaN
 * goes through. */
#define TANH_CLAMP 7.90531110763549805f
#define TANH_P0 -2.76076847742355e-16f
#define TANH_P1 2.00018790482477e-13f
#define TANH_P2 -8.60467152213735e-11f
#define TANH_P3 5.12229709037114e-08f
#define TANH_P4 1.48572235717979e-05f
#define TANH_P5 6.37261928875436e-04f
#define TANH_P6 4.89352455891786e-03f
#define TANH_Q0 1.19825839466702e-06f
#define TANH_Q1 1.18534705686654e-04f
#define TANH_Q2 2.26843463243900e-03f
#define TANH_Q3 4.89352518554385e-03f

GATE_INLINE float tanh1(float x)
{
    x = x < -TANH_CLAMP ? -TANH_CLAMP : x;
    x = x > TANH_CLAMP ? TANH_CLAMP : x;
    float z = x * x;
    float p = fmaf(z, TANH_P0, TANH_P1);
    p = fmaf(p, z, TANH_P2);
    p = fmaf(p, z, TANH_P3);
    p = fmaf(p, z, TANH_P4);
    p = fmaf(p, z, TANH_P5);
    p = fmaf(p, z, TANH_P6);
    float q = fmaf(z, TANH_Q0, TANH_Q1);
    q = fmaf(q, z, TANH_Q2);
    q = fmaf(q, z, TANH_Q3);
    return (x * p) / q;
}

/* σ(a) = ½ + ½·tanh(a/2): one division and no exp (15 % faster than
 * 1/(1 + e^{−a})); its error is absolute, below 2e−7 (σ saturates at
 * 2^−23 and 1 − 2^−23 beyond |a| = 15.8), which is what the gates'
 * products and sums need. */
GATE_INLINE float sigm1(float a) { return fmaf(0.5f, tanh1(0.5f * a), 0.5f); }

float lstm_tanh(float x) { return tanh1(x); }
float lstm_sigmoid(float a) { return sigm1(a); }

/* One cell of the forward, k of the planes. */
GATE_INLINE void fwd1(float *P, size_t ps, float *c, float *h, size_t k)
{
    float i = sigm1(P[k]), j = tanh1(P[ps + k]), f = sigm1(P[2 * ps + k] + 1.0f),
          o = sigm1(P[3 * ps + k]); /* the forget gate's bias 1 inside σ */
    float cn = f * c[k] + i * j;    /* c' = f·c + i·j */
    c[k] = cn;
    h[k] = tanh1(cn) * o;           /* h' = tanh(c')·o */
}

/* One cell of the backward. */
GATE_INLINE void bwd1(float *P, size_t ps, const float *cprev, const float *dh, float *dc,
                      size_t k)
{
    float i = sigm1(P[k]), j = tanh1(P[ps + k]), f = sigm1(P[2 * ps + k] + 1.0f),
          o = sigm1(P[3 * ps + k]), cp = cprev[k];
    float tc = tanh1(f * cp + i * j);
    float dC = dc[k] + dh[k] * o * (1.0f - tc * tc); /* via h' = tanh(c')·o */
    float dO = dh[k] * tc;
    P[k] = dC * j * i * (1.0f - i);          /* dL/da_i, σ' = σ(1−σ) */
    P[ps + k] = dC * i * (1.0f - j * j);     /* dL/da_j, tanh' = 1−tanh² */
    P[2 * ps + k] = dC * cp * f * (1.0f - f); /* dL/da_f */
    P[3 * ps + k] = dO * o * (1.0f - o);     /* dL/da_o */
    dc[k] = dC * f;                          /* dL/dc = dL/dc'·f */
}

void lstm_gates_forward_ref(float *P, size_t ps, float *c, float *h, size_t q)
{
    for (size_t k = 0; k < q; k++)
        fwd1(P, ps, c, h, k);
}

void lstm_gates_backward_ref(float *P, size_t ps, const float *cprev, const float *dh,
                             float *dc, size_t q)
{
    for (size_t k = 0; k < q; k++)
        bwd1(P, ps, cprev, dh, dc, k);
}

#ifdef LSTM_HAVE_AVX2
#define AVX2 __attribute__((target("avx2,fma")))
#define V(x) _mm256_set1_ps(x)
#define LD(p) _mm256_loadu_ps(p)
#define ST(p, x) _mm256_storeu_ps(p, x)
#define ADD(a, b) _mm256_add_ps(a, b)
#define SUB(a, b) _mm256_sub_ps(a, b)
#define MUL(a, b) _mm256_mul_ps(a, b)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)

/* tanh1 on 8 lanes: max(−C, x) is x < −C ? −C : x, NaN included. */
AVX2 static inline __m256 tanh8(__m256 x)
{
    x = _mm256_max_ps(V(-TANH_CLAMP), x);
    x = _mm256_min_ps(V(TANH_CLAMP), x);
    __m256 z = MUL(x, x);
    __m256 p = FMA(z, V(TANH_P0), V(TANH_P1));
    p = FMA(p, z, V(TANH_P2));
    p = FMA(p, z, V(TANH_P3));
    p = FMA(p, z, V(TANH_P4));
    p = FMA(p, z, V(TANH_P5));
    p = FMA(p, z, V(TANH_P6));
    __m256 q = FMA(z, V(TANH_Q0), V(TANH_Q1));
    q = FMA(q, z, V(TANH_Q2));
    q = FMA(q, z, V(TANH_Q3));
    return _mm256_div_ps(MUL(x, p), q);
}

AVX2 static inline __m256 sigm8(__m256 a)
{
    return FMA(V(0.5f), tanh8(MUL(V(0.5f), a)), V(0.5f));
}

/* tanh8 on four vectors, each step for all four before the next (the
 * same operations per lane as tanh8, so the same bits): the out-of-order
 * core gets four independent chains side by side instead of having to
 * reach the next one across a chain of ~16 dependent operations (the gate
 * pass 4-8 % faster than one tanh8 at a time). */
#define EACH4(g) _Pragma("GCC unroll 4") for (int g = 0; g < 4; g++)
AVX2 static inline __attribute__((always_inline)) void tanh8x4(__m256 x[4])
{
    __m256 z[4], p[4], q[4];
    EACH4(g) x[g] = _mm256_min_ps(V(TANH_CLAMP), _mm256_max_ps(V(-TANH_CLAMP), x[g]));
    EACH4(g) z[g] = MUL(x[g], x[g]);
    EACH4(g) p[g] = FMA(z[g], V(TANH_P0), V(TANH_P1));
    EACH4(g) q[g] = FMA(z[g], V(TANH_Q0), V(TANH_Q1));
    EACH4(g) p[g] = FMA(p[g], z[g], V(TANH_P2));
    EACH4(g) q[g] = FMA(q[g], z[g], V(TANH_Q2));
    EACH4(g) p[g] = FMA(p[g], z[g], V(TANH_P3));
    EACH4(g) q[g] = FMA(q[g], z[g], V(TANH_Q3));
    EACH4(g) p[g] = FMA(p[g], z[g], V(TANH_P4));
    EACH4(g) p[g] = FMA(p[g], z[g], V(TANH_P5));
    EACH4(g) p[g] = FMA(p[g], z[g], V(TANH_P6));
    EACH4(g) x[g] = _mm256_div_ps(MUL(x[g], p[g]), q[g]);
}

/* The four activations of 8 cells at k, into the planes (the four gates
 * are the four chains of tanh8x4). The activations go in one loop and
 * the cell in a second, whose tanh(c') also goes four vectors at a time. */
AVX2 static size_t activate_avx2(float *P, size_t ps, size_t q)
{
    size_t k = 0;
    for (; k + 8 <= q; k += 8) {
        __m256 a[4] = {MUL(V(0.5f), LD(P + k)), LD(P + ps + k),
                       MUL(V(0.5f), ADD(LD(P + 2 * ps + k), V(1.0f))),
                       MUL(V(0.5f), LD(P + 3 * ps + k))};
        tanh8x4(a); /* σ(a) = ½ + ½·tanh(a/2) for i, f, o */
        ST(P + k, FMA(V(0.5f), a[0], V(0.5f)));
        ST(P + ps + k, a[1]);
        ST(P + 2 * ps + k, FMA(V(0.5f), a[2], V(0.5f)));
        ST(P + 3 * ps + k, FMA(V(0.5f), a[3], V(0.5f)));
    }
    return k;
}

/* c' = f·c + i·j of the 8 cells at k (activated planes). */
AVX2 static inline __m256 cell8(const float *P, size_t ps, const float *c, size_t k)
{
    return ADD(MUL(LD(P + 2 * ps + k), LD(c + k)), MUL(LD(P + k), LD(P + ps + k)));
}

AVX2 static void forward_avx2(float *P, size_t ps, float *c, float *h, size_t q)
{
    size_t q8 = activate_avx2(P, ps, q), k = 0;
    for (; k + 32 <= q8; k += 32) {
        __m256 cn[4];
        EACH4(g) {
            cn[g] = cell8(P, ps, c, k + 8 * (size_t)g);
            ST(c + k + 8 * (size_t)g, cn[g]);
        }
        tanh8x4(cn);
        EACH4(g) ST(h + k + 8 * (size_t)g, MUL(cn[g], LD(P + 3 * ps + k + 8 * (size_t)g)));
    }
    for (; k < q8; k += 8) {
        __m256 cn = cell8(P, ps, c, k);
        ST(c + k, cn);
        ST(h + k, MUL(tanh8(cn), LD(P + 3 * ps + k)));
    }
    for (; k < q; k++)
        fwd1(P, ps, c, h, k);
}

/* tc[g] = tanh(c') of the vectors at k + 8g below q8 (four at most), c'
 * recomputed from cprev. */
AVX2 static inline __attribute__((always_inline)) void
tanh_cell(__m256 tc[4], const float *P, size_t ps, const float *cprev, size_t k, size_t q8)
{
    if (k + 32 <= q8) {
        EACH4(g) tc[g] = cell8(P, ps, cprev, k + 8 * (size_t)g);
        tanh8x4(tc);
    } else
        for (size_t g = 0; k + 8 * g < q8; g++)
            tc[g] = tanh8(cell8(P, ps, cprev, k + 8 * g));
}

AVX2 static void backward_avx2(float *P, size_t ps, const float *cprev, const float *dh,
                               float *dc, size_t q)
{
    const __m256 one = V(1.0f);
    size_t q8 = activate_avx2(P, ps, q), k;
    for (k = 0; k < q8; k += 32) {
        __m256 tc[4];
        tanh_cell(tc, P, ps, cprev, k, q8);
        for (size_t g = 0, u = k; g < 4 && u < q8; g++, u += 8) {
            __m256 i = LD(P + u), j = LD(P + ps + u), f = LD(P + 2 * ps + u),
                   o = LD(P + 3 * ps + u), cp = LD(cprev + u), d = LD(dh + u);
            __m256 dC = ADD(LD(dc + u), MUL(MUL(d, o), SUB(one, MUL(tc[g], tc[g]))));
            __m256 dO = MUL(d, tc[g]);
            ST(P + u, MUL(MUL(MUL(dC, j), i), SUB(one, i)));
            ST(P + ps + u, MUL(MUL(dC, i), SUB(one, MUL(j, j))));
            ST(P + 2 * ps + u, MUL(MUL(MUL(dC, cp), f), SUB(one, f)));
            ST(P + 3 * ps + u, MUL(MUL(dO, o), SUB(one, o)));
            ST(dc + u, MUL(dC, f));
        }
    }
    for (k = q8; k < q; k++)
        bwd1(P, ps, cprev, dh, dc, k);
}

#endif

void lstm_gates_forward(float *P, size_t ps, float *c, float *h, size_t q)
{
#ifdef LSTM_HAVE_AVX2
    if (lstm_have_avx2()) {
        forward_avx2(P, ps, c, h, q);
        return;
    }
#endif
    lstm_gates_forward_ref(P, ps, c, h, q);
}

void lstm_gates_backward(float *P, size_t ps, const float *cprev, const float *dh, float *dc,
                         size_t q)
{
#ifdef LSTM_HAVE_AVX2
    if (lstm_have_avx2()) {
        backward_avx2(P, ps, cprev, dh, dc, q);
        return;
    }
#endif
    lstm_gates_backward_ref(P, ps, cprev, dh, dc, q);
}
