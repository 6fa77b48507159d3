/* conv_hvp.c: Hessian-vector products of the convolutional classifier's
 * mean cross-entropy by Pearlmutter's R-operator (1994): R{·} = d/dr (·)
 * (θ + r·v) at r = 0, applied to every line of conv_net.c's forward and
 * backward passes. V, c, Rγ, Rβ are v's parts at W, b, γ, β.
 *
 * Forward, per layer (in = the layer's input, R in = 0 for the images):
 *     z = W ∗ in + b                 R z = W ∗ R in + V ∗ in + c
 *   batch norm over each channel's N values (s = 1/sqrt(σ² + eps)):
 *     x̂ = (z − μ) s                 R s = −s² mean(x̂ R z)
 *                                    R x̂ = s (R z − mean R z − x̂ mean(x̂ R z))
 *     y = γ x̂ + β                   R y = Rγ x̂ + γ R x̂ + Rβ
 *   (without batch norm y = z)
 *     a = f(y)                       R a = f'(y) R y
 *     max pool: p = a[arg]           R p = R a[arg] (arg is locally constant)
 *   fully connected: the same with z = in W + b; p = softmax(z_out),
 *     R p = p ⊙ (R z_out − Σ_j p_j R z_out,j).
 * Backward, δ_out = (p − onehot(y)) / B, R δ_out = R p / B; per layer, from
 * δ = dL/dz (and R δ):
 *     H v at W = R in ⊛ δ + in ⊛ R δ   (⊛: the weight gradient's product)
 *     H v at b = Σ R δ
 *     e = Wᵀ δ (to the input)        R e = Wᵀ R δ + Vᵀ δ
 *   through the activation, g = dL/da:
 *     dy = g f'                      R dy = R g f' + g f'' R y
 *   and batch norm, q = dy − mean dy − x̂ mean(dy x̂):
 *     dβ = Σ dy, dγ = Σ dy x̂        Hβ = Σ R dy, Hγ = Σ (R dy x̂ + dy R x̂)
 *     dz = γ s q                     R q = R dy − mean R dy − R x̂ mean(dy x̂)
 *                                          − x̂ mean(R dy x̂ + dy R x̂)
 *                                    R dz = (Rγ s + γ R s) q + γ s R q
 * with f', f'' from a = f(y): ReLU 1[a > 0] and 0; tanh 1 − a², −2a(1 − a²);
 * sigmoid a(1 − a), a(1 − a)(1 − 2a).
 *
 * One thread, example by example for the convolutions: this runs once per
 * step of a second-order unroll, beside the threaded loss_grad. Compiled in
 * float for the plugin and in double for tests/test_conv.c. */
#include "conv_net.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#ifdef CONV_DOUBLE
#define GEMM cblas_dgemm
#else
#define GEMM cblas_sgemm
#endif

int conv_rwork_alloc(struct conv_rwork *r, const struct conv_shape *s, int rows)
{
    memset(r, 0, sizeof *r);
    r->rows = rows;
    size_t big = (size_t)s->conv[0].cin * s->conv[0].h * s->conv[0].w * rows, col = 1;
#define ALLOC(p, n) do { if (!((p) = malloc((size_t)(n) * sizeof *(p)))) goto fail; } while (0)
    for (int l = 0; l < s->n_conv; l++) {
        const struct conv_layer *L = &s->conv[l];
        size_t n = (size_t)L->cout * rows * L->ho * L->wo, k = (size_t)L->cin * L->k * L->k;
        ALLOC(r->ry[l], n);
        ALLOC(r->ra[l], n);
        if (s->batch_norm) {
            ALLOC(r->rxh[l], n);
            ALLOC(r->rstd[l], L->cout);
        }
        if (s->pool > 1)
            ALLOC(r->rp[l], (size_t)L->cout * rows * L->ph * L->pw);
        big = n > big ? n : big;
        col = k * L->ho * L->wo > col ? k * L->ho * L->wo : col;
    }
    for (int j = 0; j < s->n_fc; j++) {
        const struct conv_fc *F = &s->fc[j];
        size_t n = (size_t)rows * F->nout;
        ALLOC(r->fry[j], n);
        if (j < s->n_fc - 1) {
            ALLOC(r->fra[j], n);
            if (s->batch_norm) {
                ALLOC(r->frxh[j], n);
                ALLOC(r->rstd[CONV_MAX_CONV + j], F->nout);
            }
        }
        big = n > big ? n : big;
        big = (size_t)rows * F->nin > big ? (size_t)rows * F->nin : big;
    }
    ALLOC(r->rflat, (size_t)rows * s->fc[0].nin);
    ALLOC(r->rcol, col);
    for (int k = 0; k < 4; k++)
        ALLOC(r->d[k], big);
#undef ALLOC
    return 0;
fail:
    conv_rwork_free(r);
    return -1;
}

void conv_rwork_free(struct conv_rwork *r)
{
    for (int l = 0; l < CONV_MAX_CONV; l++) {
        free(r->ry[l]);
        free(r->ra[l]);
        free(r->rxh[l]);
        free(r->rp[l]);
    }
    for (int k = 0; k < CONV_MAX_CONV + CONV_MAX_HIDDEN; k++)
        free(r->rstd[k]);
    for (int j = 0; j <= CONV_MAX_HIDDEN; j++)
        free(r->fry[j]);
    for (int j = 0; j < CONV_MAX_HIDDEN; j++) {
        free(r->fra[j]);
        free(r->frxh[j]);
    }
    free(r->rflat);
    free(r->rcol);
    for (int k = 0; k < 4; k++)
        free(r->d[k]);
    memset(r, 0, sizeof *r);
}

/* f'(y) and f''(y) from a = f(y). */
static inline void derivs(enum conv_act act, real a, real *d1, real *d2)
{
    switch (act) {
    case CONV_RELU:
        *d1 = a > 0 ? 1 : 0;
        *d2 = 0;
        break;
    case CONV_TANH:
        *d1 = 1 - a * a;
        *d2 = -2 * a * *d1;
        break;
    case CONV_SIGMOID:
    default:
        *d1 = a * (1 - a);
        *d2 = *d1 * (1 - 2 * a);
        break;
    }
}

/* R of batch norm then the activation over C features of N values (feature
 * c value n at [c·cs + n·ns], as bn_forward): ry holds R z on entry and R y
 * on return; rxh gets R x̂, rstd R s, ra R a. Without batch norm (xh NULL)
 * only R a = f' R y. */
static void act_bn_rforward(const struct conv_shape *s, real *ry, real *rxh, real *rstd, real *ra,
                            const real *a, const real *xh, const real *istd, const real *gamma,
                            const real *rgamma, const real *rbeta, int C, int N, size_t cs, size_t ns)
{
    for (int c = 0; c < C && xh; c++) {
        real *rc = ry + c * cs, *rx = rxh + c * cs;
        const real *xc = xh + c * cs;
        double m1 = 0, m2 = 0;
        for (int n = 0; n < N; n++) {
            m1 += rc[n * ns];
            m2 += (double)xc[n * ns] * rc[n * ns];
        }
        const real st = istd[c], mu1 = (real)(m1 / N), mu2 = (real)(m2 / N);
        const real g = gamma ? gamma[c] : 1, rg = rgamma ? rgamma[c] : 0, rb = rbeta[c];
        rstd[c] = -st * st * mu2;
        for (int n = 0; n < N; n++) {
            const real h = xc[n * ns], rh = st * (rc[n * ns] - mu1 - h * mu2);
            rx[n * ns] = rh;
            rc[n * ns] = rg * h + g * rh + rb;
        }
    }
    for (int c = 0; c < C; c++)
        for (int n = 0; n < N; n++) {
            const size_t k = c * cs + n * ns;
            real d1, d2;
            derivs(s->act, a[k], &d1, &d2);
            ra[k] = d1 * ry[k];
        }
}

/* R of the backward of the activation and batch norm: dz, rdz hold dL/da
 * and its R on entry, dL/dz and its R on return; hgamma (may be NULL) and
 * hbeta get H v at γ and β. Without batch norm (xh NULL) the activation
 * only. Arguments as act_bn_rforward. */
static void act_bn_rbackward(const struct conv_shape *s, real *dz, real *rdz, const real *a,
                             const real *ry, const real *xh, const real *rxh, const real *istd,
                             const real *rstd, const real *gamma, const real *rgamma,
                             real *hgamma, real *hbeta, int C, int N, size_t cs, size_t ns)
{
    for (int c = 0; c < C; c++) {
        real *dc = dz + c * cs, *rdc = rdz + c * cs;
        const real *ac = a + c * cs, *ryc = ry + c * cs;
        double s1 = 0, s2 = 0, r1 = 0, r2 = 0;
        for (int n = 0; n < N; n++) {
            const size_t k = n * ns;
            real d1, d2;
            derivs(s->act, ac[k], &d1, &d2);
            const real dy = dc[k] * d1, rdy = rdc[k] * d1 + dc[k] * d2 * ryc[k];
            dc[k] = dy;
            rdc[k] = rdy;
            if (xh) {
                s1 += dy;
                r1 += rdy;
                s2 += (double)dy * xh[c * cs + k];
                r2 += (double)rdy * xh[c * cs + k] + (double)dy * rxh[c * cs + k];
            }
        }
        if (!xh)
            continue;
        hbeta[c] = (real)r1;
        if (hgamma)
            hgamma[c] = (real)r2;
        const real st = istd[c], rs = rstd[c];
        const real g = gamma ? gamma[c] : 1, rg = rgamma ? rgamma[c] : 0;
        const real m1 = (real)(s1 / N), m2 = (real)(s2 / N), rm1 = (real)(r1 / N), rm2 = (real)(r2 / N);
        const real k0 = g * st, k1 = rg * st + g * rs;
        for (int n = 0; n < N; n++) {
            const size_t k = n * ns;
            const real h = xh[c * cs + k], rh = rxh[c * cs + k];
            const real q = dc[k] - m1 - h * m2, rq = rdc[k] - rm1 - rh * m2 - h * rm2;
            dc[k] = k0 * q;
            rdc[k] = k1 * q + k0 * rq;
        }
    }
}

/* out[c] = Σ_n x[c·N + n], in double. */
static void row_sums(const real *x, int C, size_t N, real *out)
{
    for (int c = 0; c < C; c++) {
        double t = 0;
        for (size_t n = 0; n < N; n++)
            t += x[c * N + n];
        out[c] = (real)t;
    }
}

/* The R forward pass, after conv_forward filled w. */
static void rforward(const struct conv_shape *s, struct conv_work *w, struct conv_rwork *r,
                     const real *theta, const real *v, const real *x, int B)
{
    const real *in = x, *rin = NULL;
    for (int l = 0; l < s->n_conv; l++) {
        const struct conv_layer *L = &s->conv[l];
        const int K = L->cin * L->k * L->k, HW = L->ho * L->wo, N = B * HW;
        real *ry = r->ry[l];
        for (int e = 0; e < B; e++) { /* R z = V ∗ in + W ∗ R in + c */
            const size_t c0 = (size_t)e * HW;
            conv_im2col(L, in, B, e, w->col);
            GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, L->cout, HW, K, 1, v + L->p.w, K,
                 w->col, HW, 0, ry + c0, N);
            if (rin) {
                conv_im2col(L, rin, B, e, r->rcol);
                GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, L->cout, HW, K, 1, theta + L->p.w,
                     K, r->rcol, HW, 1, ry + c0, N);
            }
            for (int c = 0; c < L->cout; c++)
                for (int n = 0; n < HW; n++)
                    ry[(size_t)c * N + c0 + n] += v[L->p.b + c];
        }
        int bn = s->batch_norm;
        act_bn_rforward(s, ry, r->rxh[l], r->rstd[l], r->ra[l], w->a[l], bn ? w->xh[l] : NULL,
                        w->istd[l], bn && s->bn_scale ? theta + L->p.gamma : NULL,
                        bn && s->bn_scale ? v + L->p.gamma : NULL, bn ? v + L->p.beta : NULL,
                        L->cout, N, (size_t)N, 1);
        if (s->pool > 1) {
            const size_t P = (size_t)L->ph * L->pw;
            for (size_t pl = 0; pl < (size_t)L->cout * B; pl++)
                for (size_t q = 0; q < P; q++)
                    r->rp[l][pl * P + q] = r->ra[l][pl * HW + w->arg[l][pl * P + q]];
            in = w->p[l];
            rin = r->rp[l];
        } else {
            in = w->a[l];
            rin = r->ra[l];
        }
    }
    const struct conv_layer *Z = &s->conv[s->n_conv - 1];
    const int C = Z->cout, P = Z->ph * Z->pw, F0 = s->fc[0].nin;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(r->rflat + (size_t)b * F0 + (size_t)c * P, rin + ((size_t)c * B + b) * P,
                   (size_t)P * sizeof *rin);
    in = w->flat;
    rin = r->rflat;
    for (int j = 0; j < s->n_fc; j++) {
        const struct conv_fc *F = &s->fc[j];
        real *ry = r->fry[j]; /* R z = c + in V + R in W */
        for (int i = 0; i < B; i++)
            memcpy(ry + (size_t)i * F->nout, v + F->p.b, (size_t)F->nout * sizeof *ry);
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, F->nout, F->nin, 1, in, F->nin,
             v + F->p.w, F->nout, 1, ry, F->nout);
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, F->nout, F->nin, 1, rin, F->nin,
             theta + F->p.w, F->nout, 1, ry, F->nout);
        if (j == s->n_fc - 1)
            break;
        int bn = s->batch_norm;
        act_bn_rforward(s, ry, r->frxh[j], r->rstd[CONV_MAX_CONV + j], r->fra[j], w->fa[j],
                        bn ? w->fxh[j] : NULL, w->istd[CONV_MAX_CONV + j],
                        bn && s->bn_scale ? theta + F->p.gamma : NULL,
                        bn && s->bn_scale ? v + F->p.gamma : NULL, bn ? v + F->p.beta : NULL,
                        F->nout, B, 1, (size_t)F->nout);
        in = w->fa[j];
        rin = r->fra[j];
    }
}

void conv_hvp(const struct conv_shape *s, struct conv_work *w, struct conv_rwork *r,
              const real *theta, const real *v, const real *x, const uint8_t *y, int B, real *hv)
{
    conv_forward(s, w, theta, x, y, B, NULL);
    rforward(s, w, r, theta, v, x, B);
    real *dz = r->d[0], *rdz = r->d[1], *dn = r->d[2], *rdn = r->d[3], *t;
    const struct conv_fc *O = &s->fc[s->n_fc - 1];
    const real invB = (real)1 / (real)B;
    for (int i = 0; i < B; i++) { /* δ_out and R δ_out */
        const real *p = w->fa[s->n_fc - 1] + (size_t)i * O->nout, *rz = r->fry[s->n_fc - 1] + (size_t)i * O->nout;
        double m = 0;
        for (int j = 0; j < O->nout; j++)
            m += (double)p[j] * rz[j];
        for (int j = 0; j < O->nout; j++) {
            dz[(size_t)i * O->nout + j] = p[j] * invB;
            rdz[(size_t)i * O->nout + j] = (real)(p[j] * (rz[j] - m)) * invB;
        }
        dz[(size_t)i * O->nout + y[i]] -= invB;
    }
    for (int j = s->n_fc - 1; j >= 0; j--) {
        const struct conv_fc *F = &s->fc[j];
        const real *in = j == 0 ? w->flat : w->fa[j - 1], *rin = j == 0 ? r->rflat : r->fra[j - 1];
        const real *W = theta + F->p.w, *V = v + F->p.w;
        /* H v at W = R inᵀ δ + inᵀ R δ;  at b = Σ_i R δ_i */
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, F->nin, F->nout, B, 1, in, F->nin, rdz,
             F->nout, 0, hv + F->p.w, F->nout);
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, F->nin, F->nout, B, 1, rin, F->nin, dz,
             F->nout, 1, hv + F->p.w, F->nout);
        for (int o = 0; o < F->nout; o++) {
            double sum = 0;
            for (int i = 0; i < B; i++)
                sum += rdz[(size_t)i * F->nout + o];
            hv[F->p.b + o] = (real)sum;
        }
        /* e = δ Wᵀ;  R e = R δ Wᵀ + δ Vᵀ */
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, B, F->nin, F->nout, 1, dz, F->nout, W,
             F->nout, 0, dn, F->nin);
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, B, F->nin, F->nout, 1, rdz, F->nout, W,
             F->nout, 0, rdn, F->nin);
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, B, F->nin, F->nout, 1, dz, F->nout, V,
             F->nout, 1, rdn, F->nin);
        if (j > 0) {
            const struct conv_fc *H = &s->fc[j - 1];
            int bn = s->batch_norm, sc = bn && s->bn_scale;
            act_bn_rbackward(s, dn, rdn, w->fa[j - 1], r->fry[j - 1], bn ? w->fxh[j - 1] : NULL,
                             r->frxh[j - 1], w->istd[CONV_MAX_CONV + j - 1],
                             r->rstd[CONV_MAX_CONV + j - 1], sc ? theta + H->p.gamma : NULL,
                             sc ? v + H->p.gamma : NULL, sc ? hv + H->p.gamma : NULL,
                             bn ? hv + H->p.beta : NULL, H->nout, B, 1, (size_t)H->nout);
        }
        t = dz; dz = dn; dn = t;
        t = rdz; rdz = rdn; rdn = t;
    }
    /* δ, R δ of the flattened features (B, C·P) back to (C, B, P) */
    const struct conv_layer *Z = &s->conv[s->n_conv - 1];
    const int C = Z->cout, P = Z->ph * Z->pw, F0 = s->fc[0].nin;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++) {
            memcpy(dn + ((size_t)c * B + b) * P, dz + (size_t)b * F0 + (size_t)c * P,
                   (size_t)P * sizeof *dn);
            memcpy(rdn + ((size_t)c * B + b) * P, rdz + (size_t)b * F0 + (size_t)c * P,
                   (size_t)P * sizeof *rdn);
        }
    t = dz; dz = dn; dn = t;
    t = rdz; rdz = rdn; rdn = t;
    for (int l = s->n_conv - 1; l >= 0; l--) {
        const struct conv_layer *L = &s->conv[l];
        const int K = L->cin * L->k * L->k, HW = L->ho * L->wo, N = B * HW;
        if (s->pool > 1) { /* both routed to where each max came from */
            const size_t Pl = (size_t)L->ph * L->pw;
            memset(dn, 0, (size_t)L->cout * N * sizeof *dn);
            memset(rdn, 0, (size_t)L->cout * N * sizeof *rdn);
            for (size_t pl = 0; pl < (size_t)L->cout * B; pl++)
                for (size_t q = 0; q < Pl; q++) {
                    const size_t to = pl * HW + w->arg[l][pl * Pl + q];
                    dn[to] += dz[pl * Pl + q];
                    rdn[to] += rdz[pl * Pl + q];
                }
            t = dz; dz = dn; dn = t;
            t = rdz; rdz = rdn; rdn = t;
        }
        int bn = s->batch_norm, sc = bn && s->bn_scale;
        act_bn_rbackward(s, dz, rdz, w->a[l], r->ry[l], bn ? w->xh[l] : NULL, r->rxh[l],
                         w->istd[l], r->rstd[l], sc ? theta + L->p.gamma : NULL,
                         sc ? v + L->p.gamma : NULL, sc ? hv + L->p.gamma : NULL,
                         bn ? hv + L->p.beta : NULL, L->cout, N, (size_t)N, 1);
        row_sums(rdz, L->cout, (size_t)N, hv + L->p.b);
        /* H v at W = Σ_e (R δ_e colᵀ + δ_e R colᵀ);  e = col2im(Wᵀ δ),
         * R e = col2im(Wᵀ R δ + Vᵀ δ) */
        const real *in = l == 0 ? x : s->pool > 1 ? w->p[l - 1] : w->a[l - 1];
        const real *rin = l == 0 ? NULL : s->pool > 1 ? r->rp[l - 1] : r->ra[l - 1];
        real *hw = hv + L->p.w;
        for (int e = 0; e < B; e++) {
            const size_t c0 = (size_t)e * HW;
            conv_im2col(L, in, B, e, w->col);
            GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, L->cout, K, HW, 1, rdz + c0, N, w->col,
                 HW, e == 0 ? 0 : 1, hw, K);
            if (!rin)
                continue;
            conv_im2col(L, rin, B, e, r->rcol);
            GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, L->cout, K, HW, 1, dz + c0, N, r->rcol,
                 HW, 1, hw, K);
            GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, K, HW, L->cout, 1, theta + L->p.w, K,
                 dz + c0, N, 0, w->col, HW);
            conv_col2im(L, w->col, B, e, dn);
            GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, K, HW, L->cout, 1, theta + L->p.w, K,
                 rdz + c0, N, 0, r->rcol, HW);
            GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, K, HW, L->cout, 1, v + L->p.w, K,
                 dz + c0, N, 1, r->rcol, HW);
            conv_col2im(L, r->rcol, B, e, rdn);
        }
        if (l == 0)
            break;
        t = dz; dz = dn; dn = t;
        t = rdz; rdz = rdn; rdn = t;
    }
}
