/* lstm_kernels.c: elementwise passes and fixed-order reductions of the
 * coordinatewise LSTM (see lstm_kernels.h for the network and φ layout),
 * on a block of rows each (lstm_net.c runs the blocks in parallel); the
 * matrix products are in lstm_gemm.c. No result depends on the thread
 * count. */
#include <float.h>
#include <math.h>
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

void lstm_preprocess_backward(float *dgrad, const float *dx, size_t ld, const float *grad,
                              size_t n, enum lstm_pre pre, float p)
{
    const float ep = expf(p), lo = expf(-p), inv_p = 1.0f / p;
    for (size_t k = 0; k < n; k++) {
        float g = grad[k], a = fabsf(g);
        const float *d = dx + k * ld;
        switch (pre) {
        case LSTM_PRE_NONE:
            dgrad[k] = d[0];
            break;
        case LSTM_PRE_LOGSIGN:
            dgrad[k] = a >= lo ? d[0] * inv_p / g : ep * d[1];
            break;
        case LSTM_PRE_LOGSIGN_REF: {
            float l = logf(a + FLT_EPSILON) * inv_p, s = g * ep, r = 0.0f;
            if (!(l < -1.0f))
                r += d[0] * inv_p * (float)((g > 0) - (g < 0)) / (a + FLT_EPSILON);
            if (s > -1.0f && s < 1.0f)
                r += ep * d[1];
            dgrad[k] = r;
            break;
        }
        }
    }
}

/* Compiled twice, for x86-64-v3 (AVX2, FMA) and for the baseline, chosen
 * at load time by CPU features ("arch=haswell" would go by CPU model and
 * miss AMD); the same bits in both (FP contraction is off). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define LSTM_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define LSTM_CLONES
#endif

void lstm_rows_to_planes(float *P, size_t q, const float *A, size_t lda, size_t m, int H)
{
    for (int g = 0; g < 4; g++)
        for (size_t k = 0; k < m; k++) {
            float *d = P + (size_t)g * q + k * (size_t)H;
            const float *a = A + k * lda + (size_t)g * (size_t)H;
            if (H % 4 == 0) /* 16-byte moves */
                for (int u = 0; u < H; u += 4)
                    memcpy(d + u, a + u, 4 * sizeof(float));
            else
                for (int u = 0; u < H; u++)
                    d[u] = a[u];
        }
}

void lstm_planes_to_rows(float *A, size_t lda, const float *P, size_t q, size_t m, int H)
{
    for (size_t k = 0; k < m; k++)
        for (int g = 0; g < 4; g++) {
            const float *s = P + (size_t)g * q + k * (size_t)H;
            float *a = A + k * lda + (size_t)g * (size_t)H;
            if (H % 4 == 0)
                for (int u = 0; u < H; u += 4)
                    memcpy(a + u, s + u, 4 * sizeof(float));
            else
                for (int u = 0; u < H; u++)
                    a[u] = s[u];
        }
}

LSTM_CLONES
void lstm_output_backward(float *part, float *dX, const float *dg, const float *X,
                          const float *w, size_t n, int m, float scale)
{
    for (size_t k = 0; k < n; k++) {
        const float *xk = X + k * (size_t)m;
        float gk = dg[k], dy = scale * gk;
#pragma omp simd
        for (int u = 0; u < m; u++)
            part[u] += gk * xk[u]; /* Σ dg·x; the caller scales the sum */
        part[m] += gk;
        if (dX) {
            float *dxk = dX + k * (size_t)m;
#pragma omp simd
            for (int u = 0; u < m; u++)
                dxk[u] += dy * w[u]; /* dL/dx = dy·w */
        }
    }
}
