/* conv_net.c: the convolutional classifier's forward and backward passes
 * (see conv_net.h). A convolution is im2col and cblas_sgemm one example at
 * a time (its im2col stays in cache), over fixed chunks of CONV_CHUNK
 * examples shared out among OpenMP threads; the other loops are threaded
 * over channels or (channel, example) planes. The bits do not depend on
 * the number of OpenMP threads: every task writes its own outputs, sums
 * run in a fixed order (the weight gradient accumulates over a chunk's
 * examples in order, then over chunks in chunk order), and the chunks do
 * not depend on the thread count. OpenBLAS itself is expected on one
 * thread, as the core runs optimizees (core/util/blas_threads.h): its results
 * do change with its own thread count (tests/test_conv.c).
 *
 * Compiled twice: in float for the plugin, and with -DCONV_DOUBLE in
 * double for tests/test_conv.c, whose central differences need it. */
#include "conv_net.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef CONV_DOUBLE
#define GEMM cblas_dgemm
#define EXP exp
#define TANH tanh
#else
#define GEMM cblas_sgemm
#define EXP expf
#define TANH tanhf
#endif

/* Output length of a window of k with stride s over n; SAME pads so that
 * the output is ceil(n / s) (the padding split as TensorFlow does, the odd
 * one after), VALID does not pad. */
static int out_len(int n, int k, int s, int same, int *pad_before)
{
    if (same) {
        int o = (n + s - 1) / s, tot = (o - 1) * s + k - n;
        *pad_before = tot > 0 ? tot / 2 : 0;
        return o;
    }
    *pad_before = 0;
    return n < k ? 0 : (n - k) / s + 1;
}

static void params_init(struct conv_params *p, size_t *off, size_t nw, size_t nb, int bn, int scale)
{
    p->w = *off;
    *off += nw;
    p->b = *off;
    *off += nb;
    p->gamma = bn && scale ? *off : CONV_NONE;
    *off += bn && scale ? nb : 0;
    p->beta = bn ? *off : CONV_NONE;
    *off += bn ? nb : 0;
}

int conv_shape_init(struct conv_shape *s, const struct conv_spec *sp, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->n_conv = sp->n_conv;
    s->n_fc = sp->n_hidden + 1;
    s->batch_norm = sp->batch_norm;
    s->bn_scale = sp->bn_scale;
    s->eps = (real)sp->eps;
    s->act = sp->act;
    s->pool = sp->pool;
    s->pool_stride = sp->pool_stride;
    size_t off = 0;
    int c = sp->in_c, h = sp->in_h, w = sp->in_w;
    for (int l = 0; l < s->n_conv; l++) {
        struct conv_layer *L = &s->conv[l];
        L->cin = c;
        L->cout = sp->channels[l];
        L->k = sp->kernel;
        L->stride = sp->stride;
        L->h = h;
        L->w = w;
        L->ho = out_len(h, L->k, L->stride, sp->same, &L->pad_t);
        L->wo = out_len(w, L->k, L->stride, sp->same, &L->pad_l);
        if (s->pool > 1) {
            L->ph = out_len(L->ho, s->pool, s->pool_stride, sp->same, &L->ppad_t);
            L->pw = out_len(L->wo, s->pool, s->pool_stride, sp->same, &L->ppad_l);
        } else {
            L->ph = L->ho;
            L->pw = L->wo;
        }
        if (L->ph < 1 || L->pw < 1) {
            snprintf(err, errlen, "convolution %d: its %dx%d input leaves no output with kernel %d, "
                     "stride %d, pool %d/%d and VALID padding", l + 1, h, w, L->k, L->stride,
                     s->pool, s->pool_stride);
            return -1;
        }
        params_init(&L->p, &off, (size_t)L->cout * c * L->k * L->k, (size_t)L->cout,
                    s->batch_norm, s->bn_scale);
        c = L->cout;
        h = L->ph;
        w = L->pw;
    }
    int nin = c * h * w;
    for (int j = 0; j < s->n_fc; j++) {
        struct conv_fc *F = &s->fc[j];
        int last = j == s->n_fc - 1;
        F->nin = nin;
        F->nout = last ? sp->classes : sp->hidden[j];
        params_init(&F->p, &off, (size_t)F->nin * F->nout, (size_t)F->nout,
                    s->batch_norm && !last, s->bn_scale);
        nin = F->nout;
    }
    s->n_params = off;
    return 0;
}

double conv_flops(const struct conv_shape *s, int B)
{
    double f = 0;
    for (int l = 0; l < s->n_conv; l++) {
        const struct conv_layer *L = &s->conv[l];
        double mm = 2.0 * L->cout * L->cin * L->k * L->k * (double)B * L->ho * L->wo;
        f += mm * (l > 0 ? 3 : 2); /* forward, dW, and dX above the first */
    }
    for (int j = 0; j < s->n_fc; j++)
        f += 2.0 * B * s->fc[j].nin * s->fc[j].nout * 3;
    return f;
}

/* ------------------------------------------------------------ workspace */

int conv_work_alloc(struct conv_work *w, const struct conv_shape *s, int rows)
{
    memset(w, 0, sizeof *w);
    w->rows = rows;
    size_t big = (size_t)s->conv[0].cin * s->conv[0].h * s->conv[0].w * rows, col = 1, dw = 1, part = 1;
#define ALLOC(p, n) do { if (!((p) = malloc((size_t)(n) * sizeof *(p)))) goto fail; } while (0)
    for (int l = 0; l < s->n_conv; l++) {
        const struct conv_layer *L = &s->conv[l];
        size_t n = (size_t)L->cout * rows * L->ho * L->wo, k = (size_t)L->cin * L->k * L->k;
        ALLOC(w->a[l], n);
        if (s->batch_norm) {
            ALLOC(w->xh[l], n);
            ALLOC(w->istd[l], L->cout);
        }
        if (s->pool > 1) {
            ALLOC(w->p[l], (size_t)L->cout * rows * L->ph * L->pw);
            ALLOC(w->arg[l], (size_t)L->cout * rows * L->ph * L->pw);
        }
        big = n > big ? n : big;
        col = k * L->ho * L->wo > col ? k * L->ho * L->wo : col;
        part = (size_t)(rows + CONV_CHUNK - 1) / CONV_CHUNK * 2 * L->cout > part
             ? (size_t)(rows + CONV_CHUNK - 1) / CONV_CHUNK * 2 * L->cout : part;
        dw = (size_t)(rows + CONV_CHUNK - 1) / CONV_CHUNK * L->cout * k > dw
           ? (size_t)(rows + CONV_CHUNK - 1) / CONV_CHUNK * L->cout * k : dw;
    }
    for (int j = 0; j < s->n_fc; j++) {
        const struct conv_fc *F = &s->fc[j];
        size_t n = (size_t)rows * F->nout;
        ALLOC(w->fa[j], n);
        if (s->batch_norm && j < s->n_fc - 1) {
            ALLOC(w->fxh[j], n);
            ALLOC(w->istd[CONV_MAX_CONV + j], F->nout);
        }
        big = n > big ? n : big;
        big = (size_t)rows * F->nin > big ? (size_t)rows * F->nin : big;
    }
    ALLOC(w->flat, (size_t)rows * s->fc[0].nin);
    w->col_len = col;
    ALLOC(w->col, (size_t)(rows + CONV_CHUNK - 1) / CONV_CHUNK * col);
    ALLOC(w->dw, dw);
    ALLOC(w->part, part);
    ALLOC(w->d[0], big);
    ALLOC(w->d[1], big);
#undef ALLOC
    return 0;
fail:
    conv_work_free(w);
    return -1;
}

void conv_work_free(struct conv_work *w)
{
    for (int l = 0; l < CONV_MAX_CONV; l++) {
        free(w->a[l]);
        free(w->xh[l]);
        free(w->p[l]);
        free(w->arg[l]);
    }
    for (int k = 0; k < CONV_MAX_CONV + CONV_MAX_HIDDEN; k++)
        free(w->istd[k]);
    for (int j = 0; j <= CONV_MAX_HIDDEN; j++)
        free(w->fa[j]);
    for (int j = 0; j < CONV_MAX_HIDDEN; j++)
        free(w->fxh[j]);
    free(w->flat);
    free(w->col);
    free(w->dw);
    free(w->part);
    free(w->d[0]);
    free(w->d[1]);
    memset(w, 0, sizeof *w);
}

/* ------------------------------------------------------------ kernels */

/* The outputs o in [*lo, *hi) of a window at o·s − pad + kk that fall on
 * an input of n (0 <= o·s − pad + kk < n), among o in [0, no). */
static void valid_range(int no, int s, int pad, int kk, int n, int *lo, int *hi)
{
    int a = pad - kk, b = n - 1 + pad - kk; /* o·s in [a, b] */
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = b < 0 ? 0 : b / s + 1;
    if (*hi > no)
        *hi = no;
    if (*lo > *hi)
        *lo = *hi;
}

/* col (cin·k·k, ho·wo) of example b: row (ci, kh, kw), column (oh, ow)
 * holds x[ci][b][oh·s − pad_t + kh][ow·s − pad_l + kw], 0 in the padding.
 * One example at a time, so that col stays in cache for its products. */
static void im2col(const struct conv_layer *L, const real *x, int B, int b, real *col)
{
    const int k = L->k, K = L->cin * k * k, s = L->stride, wo = L->wo;
    const size_t HW = (size_t)L->ho * wo;
    for (int r = 0; r < K; r++) {
        const int ci = r / (k * k), kh = r / k % k, kw = r % k;
        int lo, hi;
        valid_range(wo, s, L->pad_l, kw, L->w, &lo, &hi);
        const int iw0 = lo * s - L->pad_l + kw;
        const real *src = x + ((size_t)ci * B + b) * L->h * L->w;
        real *dst = col + r * HW;
        for (int oh = 0; oh < L->ho; oh++, dst += wo) {
            const int ih = oh * s - L->pad_t + kh;
            if (ih < 0 || ih >= L->h) {
                memset(dst, 0, (size_t)wo * sizeof *dst);
                continue;
            }
            const real *row = src + (size_t)ih * L->w + iw0;
            for (int ow = 0; ow < lo; ow++)
                dst[ow] = 0;
            if (s == 1)
                memcpy(dst + lo, row, (size_t)(hi - lo) * sizeof *dst);
            else
                for (int ow = lo; ow < hi; ow++)
                    dst[ow] = row[(ow - lo) * s];
            for (int ow = hi; ow < wo; ow++)
                dst[ow] = 0;
        }
    }
}

/* dx (cin, h, w) of example b = the adjoint of im2col applied to dcol
 * (cin·k·k, ho·wo): each input pixel sums the columns it was copied to. */
static void col2im(const struct conv_layer *L, const real *dcol, int B, int b, real *dx)
{
    const int k = L->k, s = L->stride, wo = L->wo;
    const size_t HW = (size_t)L->ho * wo;
    for (int ci = 0; ci < L->cin; ci++) {
        real *dst = dx + ((size_t)ci * B + b) * L->h * L->w;
        memset(dst, 0, (size_t)L->h * L->w * sizeof *dst);
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++) {
                const real *src = dcol + ((size_t)(ci * k + kh) * k + kw) * HW;
                int lo, hi;
                valid_range(wo, s, L->pad_l, kw, L->w, &lo, &hi);
                const int iw0 = lo * s - L->pad_l + kw;
                for (int oh = 0; oh < L->ho; oh++) {
                    const int ih = oh * s - L->pad_t + kh;
                    if (ih < 0 || ih >= L->h)
                        continue;
                    real *row = dst + (size_t)ih * L->w + iw0;
                    const real *g = src + (size_t)oh * wo;
                    if (s == 1)
                        for (int ow = lo; ow < hi; ow++)
                            row[ow - lo] += g[ow];
                    else
                        for (int ow = lo; ow < hi; ow++)
                            row[(ow - lo) * s] += g[ow];
                }
            }
    }
}

/* f(z): ReLU max(z, 0), tanh, or sigmoid 1 / (1 + e^−z). */
static inline real act_f(enum conv_act act, real v)
{
    return act == CONV_RELU ? (v > 0 ? v : 0) : act == CONV_TANH ? TANH(v) : 1 / (1 + EXP(-v));
}

/* f'(z) in terms of a = f(z): ReLU 1 where a > 0, tanh 1 − a², sigmoid
 * a (1 − a). */
static inline real act_df(enum conv_act act, real a)
{
    return act == CONV_RELU ? (a > 0 ? 1 : 0) : act == CONV_TANH ? 1 - a * a : a * (1 - a);
}

/* Batch norm in training mode then the activation, over C features of N
 * values each, feature c value n at z[c·cs + n·ns]; z is overwritten by
 * a = f(y):
 *   μ = Σz/N,  σ² = Σ(z − μ)²/N,  x̂ = (z − μ)/sqrt(σ² + eps),  y = γ x̂ + β
 * (γ = 1 without scale). Sums in double. With `part` (the convolutions),
 * Σz and Σz² come from per-chunk partial sums made while z was in cache,
 * part[ch·2C + c] and part[ch·2C + C + c] for ch < nch, added in chunk
 * order, and σ² = Σz²/N − μ² (in double; the values are far from the
 * 1e8 · σ that would cancel it). */
static void bn_forward(real *z, real *xh, real *istd, const real *gamma, const real *beta,
                       int C, int N, size_t cs, size_t ns, real eps, enum conv_act act,
                       const double *part, int nch)
{
#pragma omp parallel for schedule(static)
    for (int c = 0; c < C; c++) {
        real *zc = z + c * cs, *xc = xh + c * cs;
        double sum = 0, var = 0, mu;
        if (part) {
            for (int ch = 0; ch < nch; ch++) {
                sum += part[(size_t)ch * 2 * C + c];
                var += part[(size_t)ch * 2 * C + C + c];
            }
            mu = sum / N;
            var = var - N * mu * mu;
            var = var > 0 ? var : 0;
        } else {
            for (int n = 0; n < N; n++)
                sum += zc[n * ns];
            mu = sum / N;
            for (int n = 0; n < N; n++) {
                double d = zc[n * ns] - mu;
                var += d * d;
            }
        }
        const real is = (real)(1.0 / sqrt(var / N + eps)), m = (real)mu;
        const real g = gamma ? gamma[c] : 1.0f, bt = beta[c];
        istd[c] = is;
        if (act == CONV_RELU && ns == 1) { /* the common case, vectorizable */
            for (int n = 0; n < N; n++) {
                real h = (zc[n] - m) * is, y = g * h + bt;
                xc[n] = h;
                zc[n] = y > 0 ? y : 0;
            }
            continue;
        }
        for (int n = 0; n < N; n++) {
            real h = (zc[n * ns] - m) * is;
            xc[n * ns] = h;
            zc[n * ns] = act_f(act, g * h + bt);
        }
    }
}

/* Backward of the activation and bn_forward, exact through μ and σ²: dz
 * holds dL/da on entry and dL/dz on return, a the activation's output;
 *   dy = da f'(·),  dβ = Σ dy,  dγ = Σ dy x̂,
 *   dz = γ/sqrt(σ² + eps) · (dy − Σdy/N − x̂ · Σ(dy x̂)/N),
 * and, when dbias is given, the gradient of the bias before batch norm,
 * Σ dz (0 up to rounding), in the same pass. */
static void bn_backward(real *dz, const real *a, const real *xh, const real *istd, const real *gamma,
                        real *dgamma, real *dbeta, real *dbias, int C, int N, size_t cs, size_t ns,
                        enum conv_act act)
{
#pragma omp parallel for schedule(static)
    for (int c = 0; c < C; c++) {
        real *dc = dz + c * cs;
        const real *xc = xh + c * cs, *ac = a + c * cs;
        double s1 = 0, s2 = 0;
        for (int n = 0; n < N; n++) {
            const real dy = dc[n * ns] * act_df(act, ac[n * ns]);
            dc[n * ns] = dy;
            s1 += dy;
            s2 += (double)dy * xc[n * ns];
        }
        dbeta[c] = (real)s1;
        if (dgamma)
            dgamma[c] = (real)s2;
        const real k = (gamma ? gamma[c] : 1.0f) * istd[c], m1 = (real)(s1 / N), m2 = (real)(s2 / N);
        double s3 = 0;
        for (int n = 0; n < N; n++) {
            dc[n * ns] = k * (dc[n * ns] - m1 - xc[n * ns] * m2);
            s3 += dc[n * ns];
        }
        if (dbias)
            dbias[c] = (real)s3;
    }
}

/* a = f(z) in place (the layers without batch norm). */
static void activate(enum conv_act act, real *z, size_t n)
{
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < n; k++)
        z[k] = act_f(act, z[k]);
}

/* dz = da f'(z) in place, f' from a = f(z). */
static void activate_backward(enum conv_act act, real *da, const real *a, size_t n)
{
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < n; k++)
        da[k] *= act_df(act, a[k]);
}

/* Max pooling of each (c, b) plane of a (cout, B, ho, wo) into p
 * (cout, B, ph, pw); arg keeps the winner's index in its plane (the first
 * one on ties). The padding takes no part in the max. */
static void pool_forward(const struct conv_shape *s, const struct conv_layer *L, const real *a,
                         real *p, int32_t *arg, int B)
{
    const int P = s->pool, S = s->pool_stride;
#pragma omp parallel for schedule(static)
    for (int pl = 0; pl < L->cout * B; pl++) {
        const real *in = a + (size_t)pl * L->ho * L->wo;
        real *out = p + (size_t)pl * L->ph * L->pw;
        int32_t *ix = arg + (size_t)pl * L->ph * L->pw;
        if (P == 2 && S == 2 && L->ppad_t == 0 && L->ppad_l == 0) {
            /* The default 2x2/2: the same scan order (row by row, the
             * first maximum kept), the window cut at the far edges. */
            for (int oh = 0; oh < L->ph; oh++) {
                const int r0 = 2 * oh * L->wo, r1 = 2 * oh + 1 < L->ho ? r0 + L->wo : -1;
                for (int ow = 0; ow < L->pw; ow++) {
                    const int c0 = 2 * ow, c1 = 2 * ow + 1 < L->wo ? c0 + 1 : -1;
                    int best = r0 + c0;
                    if (c1 >= 0 && in[r0 + c1] > in[best])
                        best = r0 + c1;
                    if (r1 >= 0) {
                        if (in[r1 + c0] > in[best])
                            best = r1 + c0;
                        if (c1 >= 0 && in[r1 + c1] > in[best])
                            best = r1 + c1;
                    }
                    out[oh * L->pw + ow] = in[best];
                    ix[oh * L->pw + ow] = best;
                }
            }
            continue;
        }
        for (int oh = 0; oh < L->ph; oh++)
            for (int ow = 0; ow < L->pw; ow++) {
                int best = -1;
                real m = 0;
                for (int i = 0; i < P; i++) {
                    const int ih = oh * S - L->ppad_t + i;
                    if (ih < 0 || ih >= L->ho)
                        continue;
                    for (int j = 0; j < P; j++) {
                        const int iw = ow * S - L->ppad_l + j;
                        if (iw >= 0 && iw < L->wo && (best < 0 || in[ih * L->wo + iw] > m)) {
                            best = ih * L->wo + iw;
                            m = in[best];
                        }
                    }
                }
                out[oh * L->pw + ow] = m;
                ix[oh * L->pw + ow] = best;
            }
    }
}

/* da (cout, B, ho, wo) = dp routed to where each max came from. */
static void pool_backward(const struct conv_layer *L, const real *dp, const int32_t *arg,
                          real *da, int B)
{
#pragma omp parallel for schedule(static)
    for (int pl = 0; pl < L->cout * B; pl++) {
        real *d = da + (size_t)pl * L->ho * L->wo;
        const real *g = dp + (size_t)pl * L->ph * L->pw;
        const int32_t *ix = arg + (size_t)pl * L->ph * L->pw;
        memset(d, 0, (size_t)L->ho * L->wo * sizeof *d);
        for (int q = 0; q < L->ph * L->pw; q++)
            d[ix[q]] += g[q];
    }
}

/* Σ over the N values of each of C rows (conv bias gradients). */
static void row_sums(const real *x, int C, size_t N, real *out)
{
#pragma omp parallel for schedule(static)
    for (int c = 0; c < C; c++) {
        double t = 0;
        for (size_t n = 0; n < N; n++)
            t += x[c * N + n];
        out[c] = (real)t;
    }
}

/* ------------------------------------------------------------ passes */

double conv_forward(const struct conv_shape *s, struct conv_work *w, const real *theta,
                    const real *x, const uint8_t *y, int B, long *correct)
{
    const real *in = x; /* (cin, B, h, w) */
    for (int l = 0; l < s->n_conv; l++) {
        const struct conv_layer *L = &s->conv[l];
        const int K = L->cin * L->k * L->k, N = B * L->ho * L->wo;
        real *z = w->a[l]; /* (cout, N) */
        const real *b = theta + L->p.b;
        const int HW = L->ho * L->wo, nch = (B + CONV_CHUNK - 1) / CONV_CHUNK;
        /* z = W col + b, example by example, chunks of examples shared out */
#pragma omp parallel for schedule(dynamic)
        for (int ch = 0; ch < nch; ch++) {
            const int b0 = ch * CONV_CHUNK, nb = B - b0 < CONV_CHUNK ? B - b0 : CONV_CHUNK;
            real *col = w->col + (size_t)ch * w->col_len;
            for (int e = b0; e < b0 + nb; e++) {
                const size_t c0 = (size_t)e * HW;
                im2col(L, in, B, e, col);
                GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, L->cout, HW, K,
                     1.0f, theta + L->p.w, K, col, HW, 0.0f, z + c0, N);
                double *part = w->part + (size_t)ch * 2 * L->cout; /* Σz, Σz² of the chunk */
                for (int c = 0; c < L->cout; c++) {
                    real *zc = z + (size_t)c * N + c0;
                    double s1 = 0, s2 = 0;
                    for (int n = 0; n < HW; n++) {
                        const real v = zc[n] + b[c];
                        zc[n] = v;
                        s1 += v;
                        s2 += (double)v * v;
                    }
                    part[c] = (e == b0 ? 0 : part[c]) + s1;
                    part[L->cout + c] = (e == b0 ? 0 : part[L->cout + c]) + s2;
                }
            }
        }
        if (s->batch_norm)
            bn_forward(z, w->xh[l], w->istd[l], s->bn_scale ? theta + L->p.gamma : NULL,
                       theta + L->p.beta, L->cout, N, (size_t)N, 1, s->eps, s->act, w->part, nch);
        else
            activate(s->act, z, (size_t)L->cout * N);
        if (s->pool > 1) {
            pool_forward(s, L, z, w->p[l], w->arg[l], B);
            in = w->p[l];
        } else {
            in = z;
        }
    }
    /* flat (B, C·P) from (C, B, P): per example, channels then pixels */
    const struct conv_layer *Z = &s->conv[s->n_conv - 1];
    const int C = Z->cout, P = Z->ph * Z->pw, F0 = s->fc[0].nin;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(w->flat + (size_t)b * F0 + (size_t)c * P, in + ((size_t)c * B + b) * P,
                   (size_t)P * sizeof *in);
    const real *fin = w->flat;
    for (int j = 0; j < s->n_fc; j++) {
        const struct conv_fc *F = &s->fc[j];
        real *z = w->fa[j]; /* (B, nout) = b + in W */
        for (int i = 0; i < B; i++)
            memcpy(z + (size_t)i * F->nout, theta + F->p.b, (size_t)F->nout * sizeof *z);
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, F->nout, F->nin,
                    1.0f, fin, F->nin, theta + F->p.w, F->nout, 1.0f, z, F->nout);
        if (j < s->n_fc - 1) {
            if (s->batch_norm)
                bn_forward(z, w->fxh[j], w->istd[CONV_MAX_CONV + j],
                           s->bn_scale ? theta + F->p.gamma : NULL, theta + F->p.beta,
                           F->nout, B, 1, (size_t)F->nout, s->eps, s->act, NULL, 0);
            else
                activate(s->act, z, (size_t)B * F->nout);
        }
        fin = z;
    }
    /* Softmax cross-entropy per example, summed in double:
     * loss_i = log Σ_j e^{z_ij} − z_{i,y_i};  p_ij = e^{z_ij − m_i} / Σ_k e^{z_ik − m_i} */
    const int K = s->fc[s->n_fc - 1].nout;
    double total = 0;
    long right = 0;
    for (int i = 0; i < B; i++) {
        real *z = w->fa[s->n_fc - 1] + (size_t)i * K;
        int arg = 0;
        for (int j = 1; j < K; j++)
            if (z[j] > z[arg])
                arg = j;
        const real m = z[arg];
        const double zy = z[y[i]];
        double sum = 0;
        for (int j = 0; j < K; j++) {
            z[j] = EXP(z[j] - m);
            sum += z[j];
        }
        const real inv = (real)(1.0 / sum);
        for (int j = 0; j < K; j++)
            z[j] *= inv;
        total += log(sum) + m - zy;
        right += arg == y[i];
    }
    if (correct)
        *correct = right;
    return total / B;
}

void conv_backward(const struct conv_shape *s, struct conv_work *w, const real *theta,
                   const real *x, const uint8_t *y, int B, real *grad)
{
    real *dz = w->d[0], *dn = w->d[1], *t;
    /* dL/dz_out = (p − onehot(y)) / B   (B, classes) */
    const struct conv_fc *O = &s->fc[s->n_fc - 1];
    const real invB = 1.0f / (real)B;
    for (int i = 0; i < B; i++) {
        const real *p = w->fa[s->n_fc - 1] + (size_t)i * O->nout;
        real *g = dz + (size_t)i * O->nout;
        for (int j = 0; j < O->nout; j++)
            g[j] = p[j] * invB;
        g[y[i]] -= invB;
    }
    /* Fully connected layers, in reverse order of the forward pass. */
    for (int j = s->n_fc - 1; j >= 0; j--) {
        const struct conv_fc *F = &s->fc[j];
        const real *in = j == 0 ? w->flat : w->fa[j - 1]; /* (B, nin) */
        /* dW = in^T dz (nin, nout);  db = Σ_i dz_i;  dn = dz W^T (B, nin) */
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, F->nin, F->nout, B,
                    1.0f, in, F->nin, dz, F->nout, 0.0f, grad + F->p.w, F->nout);
        real *db = grad + F->p.b;
        for (int o = 0; o < F->nout; o++) {
            double sum = 0;
            for (int i = 0; i < B; i++)
                sum += dz[(size_t)i * F->nout + o];
            db[o] = (real)sum;
        }
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, B, F->nin, F->nout,
                    1.0f, dz, F->nout, theta + F->p.w, F->nout, 0.0f, dn, F->nin);
        if (j > 0) { /* through the activation and batch norm of hidden layer j − 1 */
            const struct conv_fc *H = &s->fc[j - 1];
            if (s->batch_norm)
                bn_backward(dn, w->fa[j - 1], w->fxh[j - 1], w->istd[CONV_MAX_CONV + j - 1],
                            s->bn_scale ? theta + H->p.gamma : NULL,
                            s->bn_scale ? grad + H->p.gamma : NULL, grad + H->p.beta, NULL,
                            H->nout, B, 1, (size_t)H->nout, s->act);
            else
                activate_backward(s->act, dn, w->fa[j - 1], (size_t)B * H->nout);
        }
        t = dz; dz = dn; dn = t;
    }
    /* dz = d flat (B, C·P) back to (C, B, P) */
    const struct conv_layer *Z = &s->conv[s->n_conv - 1];
    const int C = Z->cout, P = Z->ph * Z->pw, F0 = s->fc[0].nin;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(dn + ((size_t)c * B + b) * P, dz + (size_t)b * F0 + (size_t)c * P,
                   (size_t)P * sizeof *dn);
    t = dz; dz = dn; dn = t;
    /* Convolutions, in reverse order; dz holds dL/d(pooled output). */
    for (int l = s->n_conv - 1; l >= 0; l--) {
        const struct conv_layer *L = &s->conv[l];
        const int K = L->cin * L->k * L->k, N = B * L->ho * L->wo;
        if (s->pool > 1) {
            pool_backward(L, dz, w->arg[l], dn, B);
            t = dz; dz = dn; dn = t;
        }
        if (s->batch_norm) {
            bn_backward(dz, w->a[l], w->xh[l], w->istd[l], s->bn_scale ? theta + L->p.gamma : NULL,
                        s->bn_scale ? grad + L->p.gamma : NULL, grad + L->p.beta, grad + L->p.b,
                        L->cout, N, (size_t)N, 1, s->act);
        } else {
            activate_backward(s->act, dz, w->a[l], (size_t)L->cout * N);
            row_sums(dz, L->cout, (size_t)N, grad + L->p.b);
        }
        /* dz = dL/dz (cout, N), db = Σ_n dz done;  dW = Σ_chunks dz col^T;
         * dcol = W^T dz, then dx = col2im(dcol), chunk by chunk */
        const real *in = l == 0 ? x : s->pool > 1 ? w->p[l - 1] : w->a[l - 1];
        const int HW = L->ho * L->wo, nch = (B + CONV_CHUNK - 1) / CONV_CHUNK;
        const size_t nw = (size_t)L->cout * K;
#pragma omp parallel for schedule(dynamic)
        for (int ch = 0; ch < nch; ch++) {
            const int b0 = ch * CONV_CHUNK, nb = B - b0 < CONV_CHUNK ? B - b0 : CONV_CHUNK;
            real *col = w->col + (size_t)ch * w->col_len;
            for (int e = b0; e < b0 + nb; e++) { /* dW_ch = Σ_e dz_e col_eᵀ, in order */
                const size_t c0 = (size_t)e * HW;
                im2col(L, in, B, e, col);
                GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, L->cout, K, HW,
                     1.0f, dz + c0, N, col, HW, e == b0 ? 0.0f : 1.0f, w->dw + ch * nw, K);
                if (l > 0) { /* no gradient wrt the images */
                    GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, K, HW, L->cout,
                         1.0f, theta + L->p.w, K, dz + c0, N, 0.0f, col, HW);
                    col2im(L, col, B, e, dn);
                }
            }
        }
        real *dW = grad + L->p.w;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < nw; i++) {
            real sum = w->dw[i];
            for (int ch = 1; ch < nch; ch++)
                sum += w->dw[ch * nw + i];
            dW[i] = sum;
        }
        if (l == 0)
            break;
        t = dz; dz = dn; dn = t;
    }
}

void conv_im2col(const struct conv_layer *L, const real *x, int B, int b, real *col)
{
    im2col(L, x, B, b, col);
}

void conv_col2im(const struct conv_layer *L, const real *dcol, int B, int b, real *dx)
{
    col2im(L, dcol, B, b, dx);
}
