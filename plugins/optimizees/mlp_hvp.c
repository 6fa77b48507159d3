/* mlp_hvp.c: Hessian-vector products of the MLP's mean cross-entropy by
 * Pearlmutter's R-operator (1994): R{·} = d/dr (·)(θ + r·v) at r = 0,
 * applied to every line of the forward and backward passes of mlp_net.c.
 *
 * Forward, l = 1..L (a_0 = x, R a_0 = 0; V_l, c_l: v's parts at W_l, b_l):
 *     z_l = a_{l−1} W_l + b_l          R z_l = R a_{l−1} W_l + a_{l−1} V_l + c_l
 *     a_l = f(z_l)  (l < L)            R a_l = f'(z_l) ⊙ R z_l
 *     p = softmax(z_L)                 R p = p ⊙ (R z_L − Σ_j p_j R z_Lj)
 * Backward, δ_L = (p − onehot(y)) / B,  R δ_L = R p / B:
 *     ∇W_l = a_{l−1}ᵀ δ_l              H v at W_l = R a_{l−1}ᵀ δ_l + a_{l−1}ᵀ R δ_l
 *     ∇b_l = Σ_i δ_l                   H v at b_l = Σ_i R δ_l
 *     e = δ_l W_lᵀ,  δ_{l−1} = e ⊙ f'(z_{l−1})
 *     R e = R δ_l W_lᵀ + δ_l V_lᵀ,  R δ_{l−1} = R e ⊙ f' + e ⊙ f'' ⊙ R z_{l−1}
 * with f', f'' from a = f(z): σ' = a(1−a), σ'' = σ'(1−2a); tanh' = 1−a²,
 * tanh'' = −2a·tanh'; ReLU' = [a > 0], ReLU'' = 0. */
#include "mlp_net.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

int mlp_rwork_alloc(struct mlp_rwork *r, const struct mlp_shape *s, int rows)
{
    memset(r, 0, sizeof *r);
    r->rows = rows;
    int maxw = 1;
    for (int l = 1; l <= s->layers; l++) {
        if (s->width[l] > maxw)
            maxw = s->width[l];
        if (!(r->rz[l] = malloc((size_t)rows * (size_t)s->width[l] * sizeof(float))) ||
            !(r->ra[l] = malloc((size_t)rows * (size_t)s->width[l] * sizeof(float))))
            goto fail;
    }
    for (int k = 0; k < 4; k++)
        if (!(r->d[k] = malloc((size_t)rows * (size_t)maxw * sizeof(float))))
            goto fail;
    return 0;
fail:
    mlp_rwork_free(r);
    return -1;
}

void mlp_rwork_free(struct mlp_rwork *r)
{
    for (int l = 0; l <= MLP_MAX_LAYERS; l++) {
        free(r->rz[l]);
        free(r->ra[l]);
    }
    for (int k = 0; k < 4; k++)
        free(r->d[k]);
    memset(r, 0, sizeof *r);
}

/* f'(z) and f''(z) from a = f(z). */
static inline void derivs(enum mlp_act act, float a, float *d1, float *d2)
{
    switch (act) {
    case MLP_SIGMOID:
        *d1 = a * (1.0f - a);
        *d2 = *d1 * (1.0f - 2.0f * a);
        break;
    case MLP_RELU:
        *d1 = a > 0.0f ? 1.0f : 0.0f;
        *d2 = 0.0f;
        break;
    case MLP_TANH:
    default:
        *d1 = 1.0f - a * a;
        *d2 = -2.0f * a * *d1;
        break;
    }
}

void mlp_hvp(const struct mlp_shape *s, struct mlp_work *w, struct mlp_rwork *r,
             const float *theta, const float *v, const float *x, const uint8_t *y, int B,
             float *hv)
{
    const int L = s->layers, C = s->width[L];
    mlp_forward(s, w, theta, x, y, B, NULL);
    for (int l = 1; l <= L; l++) { /* R forward */
        const int nin = s->width[l - 1], nout = s->width[l];
        const float *in = l == 1 ? x : w->a[l - 1];
        float *rz = r->rz[l];
        for (int i = 0; i < B; i++) /* R z = c ... */
            memcpy(rz + (size_t)i * nout, v + s->b_off[l], (size_t)nout * sizeof *rz);
        /* ... + a V ... */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nout, nin, 1.0f, in, nin,
                    v + s->w_off[l], nout, 1.0f, rz, nout);
        if (l > 1) /* ... + R a W */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nout, nin, 1.0f,
                        r->ra[l - 1], nin, theta + s->w_off[l], nout, 1.0f, rz, nout);
        if (l < L)
            for (size_t k = 0; k < (size_t)B * (size_t)nout; k++) {
                float d1, d2;
                derivs(s->act, w->a[l][k], &d1, &d2);
                r->ra[l][k] = d1 * rz[k];
            }
    }
    float *dz = r->d[0], *rdz = r->d[1], *dp = r->d[2], *rdp = r->d[3];
    const float invB = 1.0f / (float)B;
    for (int i = 0; i < B; i++) { /* δ_L and R δ_L */
        const float *p = w->a[L] + (size_t)i * C, *rz = r->rz[L] + (size_t)i * C;
        double m = 0;
        for (int j = 0; j < C; j++)
            m += (double)p[j] * rz[j];
        for (int j = 0; j < C; j++) {
            dz[(size_t)i * C + j] = p[j] * invB;
            rdz[(size_t)i * C + j] = (float)(p[j] * (rz[j] - m)) * invB;
        }
        dz[(size_t)i * C + y[i]] -= invB;
    }
    for (int l = L; l >= 1; l--) {
        const int nin = s->width[l - 1], nout = s->width[l];
        const float *in = l == 1 ? x : w->a[l - 1];
        float *hw = hv + s->w_off[l], *hb = hv + s->b_off[l];
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nin, nout, B, 1.0f, in, nin, rdz,
                    nout, 0.0f, hw, nout);
        if (l > 1)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nin, nout, B, 1.0f, r->ra[l - 1],
                        nin, dz, nout, 1.0f, hw, nout);
        memset(hb, 0, (size_t)nout * sizeof *hb);
        for (int i = 0; i < B; i++)
            for (int j = 0; j < nout; j++)
                hb[j] += rdz[(size_t)i * nout + j];
        if (l == 1)
            break;
        const float *W = theta + s->w_off[l], *V = v + s->w_off[l];
        /* e = δ Wᵀ;  R e = R δ Wᵀ + δ Vᵀ */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, nin, nout, 1.0f, dz, nout, W, nout,
                    0.0f, dp, nin);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, nin, nout, 1.0f, rdz, nout, W, nout,
                    0.0f, rdp, nin);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, nin, nout, 1.0f, dz, nout, V, nout,
                    1.0f, rdp, nin);
        const float *a = w->a[l - 1], *rzp = r->rz[l - 1];
        for (size_t k = 0; k < (size_t)B * (size_t)nin; k++) {
            float d1, d2;
            derivs(s->act, a[k], &d1, &d2);
            rdp[k] = rdp[k] * d1 + dp[k] * d2 * rzp[k];
            dp[k] *= d1;
        }
        float *t = dz;
        dz = dp;
        dp = t;
        t = rdz;
        rdz = rdp;
        rdp = t;
    }
}
