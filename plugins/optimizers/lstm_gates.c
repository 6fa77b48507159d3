/* lstm_gates.c: the gate pass (lstm_gates.h). It takes about half of the
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

/* tanh x ≈ x·P(x²)/Q(x²), P of degree 3 and Q of degree 4 with Q(0) = 1,
 * on x clamped to ±8: our own minimax fit (scripts/fit-tanh.py: 1.3e−7
 * on [0, 8] in exact arithmetic, and tanh 8 = 1 − 2.3e−7); evaluated in
 * float, 4.0e−7 from tanh on [−20, 20] (tests/test_lstm_gates). Seven FMAs
 * and one division: Eigen's degree-13/6 function, used before 2026-11-27,
 * took nine and two more operations per σ (2.9e−7), and the gate pass is
 * 9-12 % faster with this one. NaN goes through; odd bit for bit. */
struct rat {
    float clamp, p0, p1, p2, p3, q1, q2, q3, q4;
};
#define TANH_P0 0.9999993443489075f
#define TANH_P1 0.12913639843463898f
#define TANH_P2 0.0029388258699327707f
#define TANH_P3 1.131020690081641e-05f
#define TANH_Q1 0.46246737241744995f
#define TANH_Q2 0.02376381866633892f
#define TANH_Q3 0.00023702823091298342f
#define TANH_Q4 2.423836349407793e-07f
static const struct rat TANH_R = {8.0f, TANH_P0, TANH_P1, TANH_P2, TANH_P3,
                                  TANH_Q1, TANH_Q2, TANH_Q3, TANH_Q4};
/* σ(a) = ½ + ½·tanh(a/2) = ½ + a·P(a²/4)/(4·Q(a²/4)): the same fit with
 * its coefficients scaled by powers of 2 (exact), clamped to ±16, so no
 * halving of a and an add in place of an FMA; 2.1e−7 from σ on [−20, 20]. */
static const struct rat SIGM_R = {16.0f, TANH_P0 / 4, TANH_P1 / 16, TANH_P2 / 64, TANH_P3 / 256,
                                  TANH_Q1 / 4, TANH_Q2 / 16, TANH_Q3 / 64, TANH_Q4 / 256};

GATE_INLINE float rat1(float x, const struct rat *r)
{
    x = x < -r->clamp ? -r->clamp : x;
    x = x > r->clamp ? r->clamp : x;
    float z = x * x;
    float p = fmaf(z, r->p3, r->p2);
    p = fmaf(p, z, r->p1);
    p = fmaf(p, z, r->p0);
    float q = fmaf(z, r->q4, r->q3);
    q = fmaf(q, z, r->q2);
    q = fmaf(q, z, r->q1);
    q = fmaf(q, z, 1.0f);
    return (x * p) / q;
}

GATE_INLINE float tanh1(float x) { return rat1(x, &TANH_R); }
GATE_INLINE float sigm1(float a) { return 0.5f + rat1(a, &SIGM_R); }

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

/* rat1 on 8 lanes: max(−C, x) is x < −C ? −C : x, NaN included. */
AVX2 static inline __attribute__((always_inline)) __m256 rat8(__m256 x, const struct rat *r)
{
    x = _mm256_max_ps(V(-r->clamp), x);
    x = _mm256_min_ps(V(r->clamp), x);
    __m256 z = MUL(x, x);
    __m256 p = FMA(z, V(r->p3), V(r->p2));
    p = FMA(p, z, V(r->p1));
    p = FMA(p, z, V(r->p0));
    __m256 q = FMA(z, V(r->q4), V(r->q3));
    q = FMA(q, z, V(r->q2));
    q = FMA(q, z, V(r->q1));
    q = FMA(q, z, V(1.0f));
    return _mm256_div_ps(MUL(x, p), q);
}

AVX2 static inline __m256 tanh8(__m256 x) { return rat8(x, &TANH_R); }

/* rat8 on four vectors (r[g] for x[g]), each step for all four before the
 * next (the same operations per lane as rat8, so the same bits): the
 * out-of-order core gets four independent chains side by side instead of
 * having to reach the next one across a chain of ~12 dependent operations
 * (the gate pass 4-8 % faster than one vector at a time). */
#define EACH4(g) _Pragma("GCC unroll 4") for (int g = 0; g < 4; g++)
AVX2 static inline __attribute__((always_inline)) void rat8x4(__m256 x[4],
                                                              const struct rat *const r[4])
{
    __m256 z[4], p[4], q[4];
    EACH4(g) x[g] = _mm256_min_ps(V(r[g]->clamp), _mm256_max_ps(V(-r[g]->clamp), x[g]));
    EACH4(g) z[g] = MUL(x[g], x[g]);
    EACH4(g) p[g] = FMA(z[g], V(r[g]->p3), V(r[g]->p2));
    EACH4(g) q[g] = FMA(z[g], V(r[g]->q4), V(r[g]->q3));
    EACH4(g) p[g] = FMA(p[g], z[g], V(r[g]->p1));
    EACH4(g) q[g] = FMA(q[g], z[g], V(r[g]->q2));
    EACH4(g) p[g] = FMA(p[g], z[g], V(r[g]->p0));
    EACH4(g) q[g] = FMA(q[g], z[g], V(r[g]->q1));
    EACH4(g) q[g] = FMA(q[g], z[g], V(1.0f));
    EACH4(g) x[g] = _mm256_div_ps(MUL(x[g], p[g]), q[g]);
}

static const struct rat *const TANH4[4] = {&TANH_R, &TANH_R, &TANH_R, &TANH_R};
/* the gates i, j, f, o */
static const struct rat *const GATES4[4] = {&SIGM_R, &TANH_R, &SIGM_R, &SIGM_R};

/* The four activations of 8 cells at k, into the planes (the four gates
 * are the four chains of rat8x4). The activations go in one loop and
 * the cell in a second, whose tanh(c') also goes four vectors at a time. */
AVX2 static size_t activate_avx2(float *P, size_t ps, size_t q)
{
    size_t k = 0;
    for (; k + 8 <= q; k += 8) {
        __m256 a[4] = {LD(P + k), LD(P + ps + k), ADD(LD(P + 2 * ps + k), V(1.0f)),
                       LD(P + 3 * ps + k)};
        rat8x4(a, GATES4); /* σ = ½ + rat(a; SIGM_R) for i, f, o */
        ST(P + k, ADD(V(0.5f), a[0]));
        ST(P + ps + k, a[1]);
        ST(P + 2 * ps + k, ADD(V(0.5f), a[2]));
        ST(P + 3 * ps + k, ADD(V(0.5f), a[3]));
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
        rat8x4(cn, TANH4);
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
        rat8x4(tc, TANH4);
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
