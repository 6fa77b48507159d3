/* lstm_kernels.c: elementwise passes and fixed-order reductions of the
 * coordinatewise LSTM (see lstm_kernels.h for the network and φ layout).
 * The matrix products are cblas_sgemm calls made by lstm_net.c. Loops over
 * coordinates run in parallel; no result depends on the thread count. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lstm_kernels.h"

size_t lstm_phi_offset(const struct lstm_dims *d, int l)
{
    size_t off = 0;
    for (int k = 0; k < l && k < d->L; k++)
        off += (size_t)lstm_rows(d, k) * 4 * (size_t)d->H;
    return off;
}

size_t lstm_phi_size(const struct lstm_dims *d)
{
    return lstm_phi_offset(d, d->L) + (size_t)lstm_out_in(d) + 1;
}

void lstm_preprocess(float *x, size_t ld, const float *grad, size_t n,
                     enum lstm_pre pre, float p)
{
    const float ep = expf(p), lo = expf(-p), inv_p = 1.0f / p;
#pragma omp parallel for schedule(static) if (n >= LSTM_PAR_MIN)
    for (size_t k = 0; k < n; k++) {
        float g = grad[k], a = fabsf(g), *xk = x + k * ld;
        switch (pre) {
        case LSTM_PRE_NONE:
            xk[0] = g;
            break;
        case LSTM_PRE_LOGSIGN: /* paper, appendix A */
            if (a >= lo) {
                xk[0] = logf(a) * inv_p;
                xk[1] = (float)((g > 0) - (g < 0));
            } else {
                xk[0] = -1.0f;
                xk[1] = ep * g;
            }
            break;
        case LSTM_PRE_LOGSIGN_REF: { /* reference code's LogAndSign */
            float l = logf(a + FLT_EPSILON) * inv_p, s = g * ep;
            xk[0] = l < -1.0f ? -1.0f : l;
            xk[1] = s < -1.0f ? -1.0f : (s > 1.0f ? 1.0f : s);
            break;
        }
        }
    }
}

/* The gate pass spends its time in exp and tanh, 6 per unit and step, so
 * they are inlined, branch-free float versions that vectorize (glibc's
 * expf/tanhf are scalar calls), and the row kernels are compiled twice,
 * for x86-64-v3 (AVX2, FMA) and for the baseline, chosen at load time by
 * CPU features ("arch=haswell" would go by CPU model and miss AMD). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define LSTM_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define LSTM_CLONES
#endif

/* e^x, Cephes style: x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-6
 * polynomial (about 2 ulp), 2^n from the exponent bits. x is clamped to
 * [−87.3, 88.3] so that e^x stays a normal float (σ and tanh saturate
 * there anyway). */
static inline float exp_f(float x)
{
    x = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
    float fn = (x * 1.44269504f + 12582912.0f) - 12582912.0f; /* round(x/ln2) */
    float r = x - fn * 0.693359375f - fn * -2.12194440e-4f;   /* ln2 in two parts */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int32_t bits = ((int32_t)fn + 127) << 23; /* 2^n */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float sigm(float a) { return 1.0f / (1.0f + exp_f(-a)); }

/* tanh x = (1 − e^{−2|x|}) / (1 + e^{−2|x|}) with the sign of x; below
 * |x| = 0.625, where that cancels, Cephes's odd polynomial. */
static inline float tanh_f(float x)
{
    float ax = fabsf(x), e = exp_f(-2.0f * ax), z = x * x;
    float big = (1.0f - e) / (1.0f + e);
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = p * z * ax + ax;
    return copysignf(ax < 0.625f ? small : big, x);
}

/* Coordinates per call of a row kernel inside the parallel loops. */
#define ROWS 128

LSTM_CLONES
static void cell_forward_rows(const float *A, float *c, float *h, size_t rows, int H)
{
    for (size_t k = 0; k < rows; k++) {
        const float *a = A + k * 4 * (size_t)H;
        float *ck = c + k * (size_t)H, *hk = h + k * (size_t)H;
#pragma omp simd
        for (int u = 0; u < H; u++) {
            float i = sigm(a[u]);                 /* input gate */
            float j = tanh_f(a[H + u]);           /* candidate */
            float f = sigm(a[2 * H + u] + 1.0f);  /* forget gate, bias 1 inside σ */
            float o = sigm(a[3 * H + u]);         /* output gate */
            float cn = f * ck[u] + i * j;         /* c' = f·c + i·j */
            ck[u] = cn;
            hk[u] = tanh_f(cn) * o;               /* h' = tanh(c')·o */
        }
    }
}

void lstm_cell_forward(const float *A, float *c, float *h, size_t n, int H)
{
    size_t nb = (n + ROWS - 1) / ROWS;
#pragma omp parallel for schedule(static) if (n >= LSTM_PAR_MIN)
    for (size_t b = 0; b < nb; b++) {
        size_t k0 = b * ROWS, r = n - k0 < ROWS ? n - k0 : ROWS;
        cell_forward_rows(A + k0 * 4 * (size_t)H, c + k0 * (size_t)H, h + k0 * (size_t)H, r, H);
    }
}

LSTM_CLONES
static void cell_backward_rows(float *A, const float *cprev, const float *dh, float *dc,
                               size_t rows, int H)
{
    for (size_t k = 0; k < rows; k++) {
        float *a = A + k * 4 * (size_t)H, *dck = dc + k * (size_t)H;
        const float *cp = cprev + k * (size_t)H, *dhk = dh + k * (size_t)H;
#pragma omp simd
        for (int u = 0; u < H; u++) {
            /* recompute the forward (as cell_forward_rows) */
            float i = sigm(a[u]), j = tanh_f(a[H + u]);
            float f = sigm(a[2 * H + u] + 1.0f), o = sigm(a[3 * H + u]);
            float tc = tanh_f(f * cp[u] + i * j);
            float dC = dck[u] + dhk[u] * o * (1.0f - tc * tc); /* via h' = tanh(c')·o */
            float dO = dhk[u] * tc;
            a[u] = dC * j * i * (1.0f - i);               /* dL/da_i, σ' = σ(1−σ) */
            a[H + u] = dC * i * (1.0f - j * j);           /* dL/da_j, tanh' = 1−tanh² */
            a[2 * H + u] = dC * cp[u] * f * (1.0f - f);   /* dL/da_f */
            a[3 * H + u] = dO * o * (1.0f - o);           /* dL/da_o */
            dck[u] = dC * f;                              /* dL/dc = dL/dc'·f */
        }
    }
}

void lstm_cell_backward(float *A, const float *cprev, const float *dh, float *dc,
                        size_t n, int H)
{
    size_t nb = (n + ROWS - 1) / ROWS;
#pragma omp parallel for schedule(static) if (n >= LSTM_PAR_MIN)
    for (size_t b = 0; b < nb; b++) {
        size_t k0 = b * ROWS, r = n - k0 < ROWS ? n - k0 : ROWS;
        cell_backward_rows(A + k0 * 4 * (size_t)H, cprev + k0 * (size_t)H, dh + k0 * (size_t)H,
                           dc + k0 * (size_t)H, r, H);
    }
}

/* out[0..m) = Σ over rows [r0, r1) of X (stride ld), columns [0, m), in a
 * fixed order: blocks of LSTM_BLOCK in parallel, then the blocks in order.
 * w (per row) weights the rows when not NULL; out[m] then gets Σ w. */
static void colsum(double *out, const float *X, size_t ld, int m, const float *w,
                   size_t r0, size_t r1, double *scratch)
{
    size_t nb = (r1 - r0 + LSTM_BLOCK - 1) / LSTM_BLOCK;
    int m1 = m + 1;
#pragma omp parallel for schedule(static) if (r1 - r0 >= LSTM_PAR_MIN)
    for (size_t b = 0; b < nb; b++) {
        double *part = scratch + b * (size_t)m1;
        for (int u = 0; u < m1; u++)
            part[u] = 0;
        size_t e = r0 + (b + 1) * LSTM_BLOCK;
        if (e > r1)
            e = r1;
        for (size_t k = r0 + b * LSTM_BLOCK; k < e; k++) {
            double wk = w ? w[k] : 1.0;
            const float *xk = X + k * ld;
            for (int u = 0; u < m; u++)
                part[u] += wk * xk[u];
            part[m] += wk;
        }
    }
    for (int u = 0; u < m1; u++)
        out[u] = 0;
    for (size_t b = 0; b < nb; b++)
        for (int u = 0; u < m1; u++)
            out[u] += scratch[b * (size_t)m1 + u];
}

void lstm_group_mean(float *X, size_t ld, int m, const struct l2l_group *groups,
                     int n_groups, double *scratch)
{
    if (m <= 0)
        return;
    for (int gi = 0; gi < n_groups; gi++) {
        size_t r0 = groups[gi].offset, r1 = r0 + groups[gi].count;
        if (r1 == r0)
            continue;
        double sum[m + 1];
        colsum(sum, X, ld, m, NULL, r0, r1, scratch);
        float mean[m];
        for (int u = 0; u < m; u++)
            mean[u] = (float)(sum[u] / (double)(r1 - r0));
#pragma omp parallel for schedule(static) if (r1 - r0 >= LSTM_PAR_MIN)
        for (size_t k = r0; k < r1; k++)
            memcpy(X + k * ld, mean, sizeof(float) * (size_t)m);
    }
}

void lstm_output_forward(float *y, const float *X, const float *w, size_t n, int m,
                         float scale)
{
#pragma omp parallel for schedule(static) if (n >= LSTM_PAR_MIN)
    for (size_t k = 0; k < n; k++) {
        const float *xk = X + k * (size_t)m;
        float s = w[m]; /* bias */
        for (int u = 0; u < m; u++)
            s += xk[u] * w[u];
        y[k] = scale * s;
    }
}

void lstm_output_backward(float *dw, float *dX, const float *dg, const float *X,
                          const float *w, size_t n, int m, float scale, double *scratch)
{
    /* dy = scale·dg: scale applied once to the sums, and to dX below. */
    double sum[m + 1];
    colsum(sum, X, (size_t)m, m, dg, 0, n, scratch);
    for (int u = 0; u <= m; u++)
        dw[u] += (float)(scale * sum[u]);
    if (!dX)
        return;
#pragma omp parallel for schedule(static) if (n >= LSTM_PAR_MIN)
    for (size_t k = 0; k < n; k++) {
        float dy = scale * dg[k], *dxk = dX + k * (size_t)m;
        for (int u = 0; u < m; u++)
            dxk[u] += dy * w[u]; /* dL/dx = dy·w */
    }
}
