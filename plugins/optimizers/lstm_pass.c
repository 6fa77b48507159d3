/* lstm_pass.c: forward (optionally recorded) and backward (truncated BPTT)
 * of the coordinatewise LSTM over all n coordinates, fused by blocks: for
 * a sub-block of LSTM_SB coordinates, [x, h, 1] is built, multiplied by
 * W_l (lstm_gemm.h, weights in L1), passed through the gates and handed
 * to the next layer while it is still in cache. Chunks of net->chunk
 * coordinates are shared among the OpenMP threads in one parallel region
 * per call; every result is computed per coordinate or per chunk and the
 * chunks' partial dL/dφ are summed in chunk order, so nothing depends on
 * the number of threads. Global averaging cells need the mean over all
 * coordinates between layers: there the layers run one after another,
 * each pass summing its cells for the mean and applying the means of the
 * pass before (lstm_gmean.h, fixed order). */
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "lstm_gemm.h"
#include "lstm_net.h"

/* h_l and c_l inside a state block (L, 2, n, H), from row k0. */
static inline float *st_h(const struct lstm_net *net, float *S, int l, size_t k0)
{
    return S + ((size_t)(2 * l) * net->n + k0) * (size_t)net->d.H;
}
static inline float *st_c(const struct lstm_net *net, float *S, int l, size_t k0)
{
    return S + ((size_t)(2 * l + 1) * net->n + k0) * (size_t)net->d.H;
}
static inline size_t st_len(const struct lstm_net *net)
{
    return (size_t)(2 * net->d.L) * net->n * (size_t)net->d.H;
}

/* The threads for nchunk chunks: OpenMP's current number (the caller's
 * choice: one per run when runs go in parallel), at most one per chunk
 * and per scratch slot. */
static int team(const struct lstm_net *net, size_t nchunk)
{
    int nt = 1;
#ifdef _OPENMP
    nt = omp_get_max_threads();
#endif
    if (nt > net->nslot)
        nt = net->nslot;
    if ((size_t)nt > nchunk)
        nt = (int)nchunk;
    return nt > 0 ? nt : 1;
}

static float *slot(const struct lstm_net *net)
{
    int id = 0;
#ifdef _OPENMP
    id = omp_get_thread_num();
#endif
    return net->slots + (size_t)id * net->slot_len;
}

/* xh rows [x (in), h (H), 1, 0 ... up to kp] for m rows. */
static void fill_xh(float *xh, int kx, const float *x, int in, const float *h, int H, int kp,
                    size_t m)
{
    for (size_t i = 0; i < m; i++) {
        float *r = xh + i * (size_t)kx;
        const float *xi = x + i * (size_t)in, *hi = h + i * (size_t)H;
        for (int u = 0; u < in; u++)
            r[u] = xi[u];
        for (int u = 0; u < H; u++)
            r[in + u] = hi[u];
        r[in + H] = 1.0f;
        for (int u = in + H + 1; u < kp; u++)
            r[u] = 0.0f;
    }
}

/* Per sub-block scratch: xh (sbp, kx), A (sbp, np), dX (sbp, cox), the
 * gate planes (4, sbp·H ≤ sbp·np). */
#define SBP (LSTM_SB + LSTM_MR - 1) / LSTM_MR * LSTM_MR
static inline float *sl_xh(const struct lstm_net *net, float *s) { (void)net; return s; }
static inline float *sl_a(const struct lstm_net *net, float *s)
{
    return s + (size_t)SBP * (size_t)net->kx;
}
static inline float *sl_dx(const struct lstm_net *net, float *s)
{
    return sl_a(net, s) + (size_t)SBP * (size_t)net->np;
}
static inline float *sl_p(const struct lstm_net *net, float *s)
{
    return sl_dx(net, s) + (size_t)SBP * (size_t)net->cox;
}

/* ------------------------------------------------------------ forward */

/* Record the input (and at t = 0 the carried state: a constant of the
 * unroll), then x0 = preprocess(∇) for rows [k0, k0+m). */
static void fwd_begin(struct lstm_net *net, const float *grad, int t, size_t k0, size_t m)
{
    const struct lstm_dims *d = &net->d;
    if (t >= 0) {
        memcpy(net->tgrad + (size_t)t * net->n + k0, grad + k0, sizeof(float) * m);
        for (int l = 0; t == 0 && l < d->L; l++) {
            memcpy(st_h(net, net->tape, l, k0), st_h(net, net->state, l, k0),
                   sizeof(float) * m * (size_t)d->H);
            memcpy(st_c(net, net->tape, l, k0), st_c(net, net->state, l, k0),
                   sizeof(float) * m * (size_t)d->H);
        }
    }
    lstm_preprocess(net->x0 + k0 * (size_t)d->D, (size_t)d->D, grad + k0, m, net->pre, net->p);
}

/* Where the gate pre-activations of a sub-block go: straight into the
 * planes when H is a multiple of 4 (then np = 4H), else rows of A. */
static float *gates_out(const struct lstm_net *net, float *s, size_t ps, struct lstm_cmap *map)
{
    int H = net->d.H;
    if (H % 4 == 0) {
        *map = (struct lstm_cmap){(size_t)H, H, ps};
        return sl_p(net, s);
    }
    *map = (struct lstm_cmap){(size_t)net->np, 0, 0};
    return sl_a(net, s);
}

/* The gate pre-activations of layer l on m rows, [x, h, 1]·W_l, into the
 * planes P of the sub-block's scratch s (forward, and backward's
 * recomputation); returns where the product went (P, or the rows of A
 * when H is not a multiple of 4) and its map in *map. */
static float *gate_inputs(struct lstm_net *net, int l, const float *x, const float *h, size_t m,
                          float *s, struct lstm_cmap *map)
{
    static const float one = 1.0f;
    const struct lstm_dims *d = &net->d;
    int H = d->H, in = l == 0 ? d->D : H, K = lstm_rows(d, l), np = net->np;
    const float *W = net->wp + net->wp_w[l];
    int mp = (int)lstm_round_up(m, LSTM_MR);
    size_t ps = (size_t)mp * (size_t)H;
    float *C = gates_out(net, s, ps, map), *P = sl_p(net, s);
    if (m % LSTM_MR == 0) { /* [x, h, 1]·W with x, h read in place */
        const struct lstm_seg seg[3] = {{x, (size_t)in, W, in},
                                        {h, (size_t)H, W + (size_t)in * (size_t)np, H},
                                        {&one, 0, W + (size_t)(in + H) * (size_t)np, 1}};
        lstm_gemm_nn_seg(C, map, seg, 3, (size_t)np, mp, np, 0);
    } else { /* a partial sub-block: its rows copied, padding rows computed and unused */
        float *xh = sl_xh(net, s);
        fill_xh(xh, net->kx, x, in, h, H, K, m);
        lstm_gemm_nn(C, map, xh, (size_t)net->kx, W, (size_t)np, mp, np, K, 0);
    }
    if (C != P)
        lstm_rows_to_planes(P, ps, C, (size_t)np, m, H);
    return C;
}

/* Layer l on rows [k0, k0+m):  A = [x_l, h_l, 1]·W_l;  c_l, h_l ← gates(A, c_l)
 * (c_l, h_l of rows [k0, k0+m) are m·H contiguous cells, as the planes). */
static void fwd_layer(struct lstm_net *net, int l, size_t k0, size_t m, float *s)
{
    const struct lstm_dims *d = &net->d;
    const float *x = l == 0 ? net->x0 + k0 * (size_t)d->D : st_h(net, net->state, l - 1, k0);
    float *h = st_h(net, net->state, l, k0), *c = st_c(net, net->state, l, k0);
    struct lstm_cmap map;
    gate_inputs(net, l, x, h, m, s, &map);
    size_t ps = lstm_round_up(m, LSTM_MR) * (size_t)d->H;
    lstm_gates_forward(sl_p(net, s), ps, c, h, m * (size_t)d->H);
}

/* update = scale·([x_L, 1]·w_out) on rows [k0, k0+m); the new state into
 * the tape when recording step t. */
static void fwd_end(struct lstm_net *net, float *update, int t, size_t k0, size_t m, float *s)
{
    const struct lstm_dims *d = &net->d;
    int mo = lstm_out_in(d), mp = (int)lstm_round_up(m, LSTM_MR);
    const float *X = d->L ? st_h(net, net->state, d->L - 1, k0) : net->x0 + k0 * (size_t)d->D;
    float *xh = sl_xh(net, s), *y = sl_a(net, s);
    size_t ldx = (size_t)mo;
    if (m % LSTM_MR) { /* a partial sub-block: its rows copied, padding rows unused */
        ldx = (size_t)net->kx;
        for (size_t i = 0; i < m; i++)
            for (int u = 0; u < mo; u++)
                xh[i * ldx + (size_t)u] = X[i * (size_t)mo + (size_t)u];
        X = xh;
    }
    struct lstm_cmap map = {8, 0, 0}; /* w_out is column 0 of 8 */
    lstm_gemm_nn(y, &map, X, ldx, net->wp + net->wp_out, 8, mp, 8, mo, 0);
    float b = net->phi[lstm_phi_offset(d, d->L) + (size_t)mo], sc = net->scale;
    for (size_t i = 0; i < m; i++)
        update[k0 + i] = sc * (y[i * 8] + b); /* g = scale·(w·x + b) */
    if (t < 0)
        return;
    float *S = net->tape + (size_t)(t + 1) * st_len(net);
    for (int l = 0; l < d->L; l++) {
        memcpy(st_h(net, S, l, k0), st_h(net, net->state, l, k0), sizeof(float) * m * (size_t)d->H);
        memcpy(st_c(net, S, l, k0), st_c(net, net->state, l, k0), sizeof(float) * m * (size_t)d->H);
    }
}

/* φ into the layouts of the block products (wp): W_l (K_l, np) with zero
 * columns past 4H; T_l (np, cop_l), T_l[j][c] = W_l[c0 + c][j] for the
 * rows of x and h (l > 0, c0 = 0) or of h (l = 0, c0 = D), zero elsewhere;
 * w_out (mo, 8) in column 0. Runs before every pass (the meta-trainer
 * writes φ in place between passes), so it writes only the entries that
 * come from φ: the zeros are calloc's and stay. */
void lstm_net_prepare(struct lstm_net *net)
{
    const struct lstm_dims *d = &net->d;
    int H = d->H, G = 4 * H, np = net->np, mo = lstm_out_in(d);
    for (int l = 0; l < d->L; l++) {
        const float *W = net->phi + lstm_phi_offset(d, l);
        int K = lstm_rows(d, l), in = l == 0 ? d->D : H;
        int c0 = l > 0 ? 0 : in, co = l > 0 ? 2 * H : H, cop = (int)lstm_round_up((size_t)co, 8);
        float *wp = net->wp + net->wp_w[l], *wt = net->wp + net->wp_t[l];
        for (int k = 0; k < K; k++)
            memcpy(wp + (size_t)k * (size_t)np, W + (size_t)k * (size_t)G, sizeof(float) * (size_t)G);
        for (int j = 0; j < G; j++)
            for (int c = 0; c < co; c++)
                wt[(size_t)j * (size_t)cop + (size_t)c] = W[(size_t)(c0 + c) * (size_t)G + (size_t)j];
    }
    const float *wout = net->phi + lstm_phi_offset(d, d->L);
    for (int u = 0; u < mo; u++)
        net->wp[net->wp_out + (size_t)u * 8] = wout[u];
}

#define FOR_SUBBLOCKS(net, k0, m)                                                                  \
    _Pragma("omp for schedule(dynamic, 1)")                                                       \
    for (size_t ch_ = 0; ch_ < (net)->nchunk; ch_++)                                               \
        for (size_t k0 = ch_ * (net)->chunk, e_ = k0 + (net)->chunk < (net)->n ? k0 + (net)->chunk \
                                                                              : (net)->n, m;       \
             k0 < e_ && (m = e_ - k0 < LSTM_SB ? e_ - k0 : LSTM_SB, 1); k0 += m)

void lstm_net_pass_forward(struct lstm_net *net, const float *grad, float *update, int t)
{
    const struct lstm_dims *d = &net->d;
    if (!net->n)
        return;
    lstm_net_prepare(net);
    int nt = team(net, net->nchunk);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        float *s = slot(net);
        if (!d->gac) { /* every layer of a sub-block, then the next sub-block */
            FOR_SUBBLOCKS(net, k0, m) {
                fwd_begin(net, grad, t, k0, m);
                for (int l = 0; l < d->L; l++)
                    fwd_layer(net, l, k0, m, s);
                fwd_end(net, update, t, k0, m, s);
            }
        } else { /* a layer over all coordinates, its cells' means, the next;
                  * each pass applies the means of the one before to its rows */
            size_t H = (size_t)d->H;
            for (int l = 0; l < d->L; l++) {
                FOR_SUBBLOCKS(net, k0, m) {
                    if (l == 0)
                        fwd_begin(net, grad, t, k0, m);
                    else
                        lstm_gmean_apply(&net->gm, st_h(net, net->state, l - 1, k0), H, k0, m);
                    fwd_layer(net, l, k0, m, s);
                    lstm_gmean_add(&net->gm, st_h(net, net->state, l, k0), H, k0, m);
                }
#pragma omp single
                lstm_gmean_finish(&net->gm);
            }
            FOR_SUBBLOCKS(net, k0, m) {
                lstm_gmean_apply(&net->gm, st_h(net, net->state, d->L - 1, k0), H, k0, m);
                fwd_end(net, update, t, k0, m, s);
            }
        }
    }
}

/* ----------------------------------------------------------- backward */

/* Step t, rows [k0, k0+m): x0 again from the recorded ∇; the output layer
 * (dgt: dL/dg_t of all n rows):
 * part_out += Σ dg·[x_L, 1],  dh_top += scale·dg·w_out. */
static void bwd_begin(struct lstm_net *net, const float *dgt, int t, size_t k0, size_t m,
                      float *part)
{
    const struct lstm_dims *d = &net->d;
    size_t n = net->n;
    lstm_preprocess(net->x0 + k0 * (size_t)d->D, (size_t)d->D, net->tgrad + (size_t)t * n + k0,
                    m, net->pre, net->p);
    float *Sc = net->tape + (size_t)(t + 1) * st_len(net);
    const float *X = d->L ? st_h(net, Sc, d->L - 1, k0) : net->x0 + k0 * (size_t)d->D;
    lstm_output_backward(part + net->pt_out, d->L ? st_h(net, net->dstate, d->L - 1, k0) : NULL,
                         dgt + k0, X, net->phi + lstm_phi_offset(d, d->L), m,
                         lstm_out_in(d), net->scale);
}

/* Layer l at step t, rows [k0, k0+m):
 *   A = [x_l, h_l(t−1), 1]·W_l recomputed; dA, dc by the gate pass
 *   part_l += [x_l, h_l(t−1), 1]ᵀ·dA
 *   dh_l(t−1) = dA·W_hᵀ,  dx_l = dh_{l−1}(t) += dA·W_xᵀ (l > 0) */
static void bwd_layer(struct lstm_net *net, int l, int t, size_t k0, size_t m, float *s,
                      float *part)
{
    const struct lstm_dims *d = &net->d;
    int H = d->H, in = l == 0 ? d->D : H, K = lstm_rows(d, l);
    int kp = (int)lstm_round_up((size_t)K, LSTM_KR), mp = (int)lstm_round_up(m, LSTM_MR);
    int co = l > 0 ? 2 * H : H, cop = (int)lstm_round_up((size_t)co, 8);
    size_t sl = st_len(net);
    float *Sp = net->tape + (size_t)t * sl, *Sc = Sp + sl;
    const float *x = l == 0 ? net->x0 + k0 * (size_t)d->D : st_h(net, Sc, l - 1, k0);
    float *dh = st_h(net, net->dstate, l, k0), *dc = st_c(net, net->dstate, l, k0);
    float *A = sl_a(net, s), *dX = sl_dx(net, s), *P = sl_p(net, s);
    size_t np = (size_t)net->np, ps = (size_t)mp * (size_t)H;
    const float *hp = st_h(net, Sp, l, k0);
    struct lstm_cmap map;
    float *C = gate_inputs(net, l, x, hp, m, s, &map);
    lstm_gates_backward(P, ps, st_c(net, Sp, l, k0), dh, dc, m * (size_t)H);
    if (C != P) /* dA back into the rows of A */
        lstm_planes_to_rows(A, np, P, ps, m, H);
    /* dW: the columns of [x, h, 1] read in place, the padding rows of the
     * partial sum multiplied by 0 */
    struct lstm_tcol xc[kp];
    lstm_tcols_xh1(xc, x, in, hp, H, kp);
    lstm_gemm_tn(part + net->pt_w[l], np, xc, C, &map, (int)m, net->np, kp);
    const float *WT = net->wp + net->wp_t[l];
    struct lstm_cmap dmap = {(size_t)cop, 0, 0};
    if (C == P) { /* dA·Wᵀ over the four planes: the sum of 4H terms in four parts */
        struct lstm_seg seg[4];
        for (int g = 0; g < 4; g++)
            seg[g] = (struct lstm_seg){P + (size_t)g * ps, (size_t)H,
                                       WT + (size_t)g * (size_t)H * (size_t)cop, H};
        lstm_gemm_nn_seg(dX, &dmap, seg, 4, (size_t)cop, mp, cop, 0);
    } else {
        lstm_gemm_nn(dX, &dmap, A, np, WT, (size_t)cop, mp, cop, net->np, 0);
    }
    float *dhb = l > 0 ? st_h(net, net->dstate, l - 1, k0) : NULL;
    for (size_t i = 0; i < m; i++) { /* restrict and simd: the loops vectorize */
        const float *restrict r = dX + i * (size_t)cop;
        if (dhb) {
            float *restrict b = dhb + i * (size_t)H;
#pragma omp simd
            for (int u = 0; u < H; u++)
                b[u] += r[u]; /* dx_l into dh_{l−1}(t) */
            r += H;
        }
        memcpy(dh + i * (size_t)H, r, sizeof(float) * (size_t)H); /* dh_l(t−1) */
    }
}

/* dphi += Σ over chunks (in order) of their partials, back in φ's layout. */
static void reduce(struct lstm_net *net, float *dphi)
{
    const struct lstm_dims *d = &net->d;
    int G = 4 * d->H, mo = lstm_out_in(d);
    size_t np = (size_t)net->np;
#pragma omp for schedule(static)
    for (size_t e = 0; e < net->plen; e++) {
        size_t dst;
        double scale = 1.0;
        if (e >= net->pt_out) {
            if (e - net->pt_out > (size_t)mo)
                continue;
            dst = lstm_phi_offset(d, d->L) + (e - net->pt_out);
            scale = net->scale;
        } else {
            int l = 0;
            while (l + 1 < d->L && e >= net->pt_w[l + 1])
                l++;
            size_t k = (e - net->pt_w[l]) / np, j = (e - net->pt_w[l]) % np;
            if (k >= (size_t)lstm_rows(d, l) || j >= (size_t)G)
                continue;
            dst = lstm_phi_offset(d, l) + k * (size_t)G + j;
        }
        double sum = 0;
        for (size_t c = 0; c < net->nchunk; c++)
            sum += net->part[c * net->plen + e];
        dphi[dst] += (float)(scale * sum);
    }
}

void lstm_net_pass_backward(struct lstm_net *net, const float *dg, float *dphi)
{
    const struct lstm_dims *d = &net->d;
    int T = net->T;
    size_t H = (size_t)d->H;
    lstm_net_prepare(net);
    int nt = team(net, net->nchunk);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        float *s = slot(net);
#pragma omp for schedule(static)
        for (size_t c = 0; c < net->nchunk; c++) { /* each chunk's sums and dh, dc from 0 */
            memset(net->part + c * net->plen, 0, sizeof(float) * net->plen);
            size_t k0 = c * net->chunk, m = net->n - k0 < net->chunk ? net->n - k0 : net->chunk;
            for (int l = 0; l < d->L; l++) {
                memset(st_h(net, net->dstate, l, k0), 0, sizeof(float) * m * H);
                memset(st_c(net, net->dstate, l, k0), 0, sizeof(float) * m * H);
            }
        }
        if (!d->gac) { /* a sub-block through every step and layer */
            FOR_SUBBLOCKS(net, k0, m) {
                float *part = net->part + (k0 / net->chunk) * net->plen;
                for (int t = T - 1; t >= 0; t--) {
                    bwd_begin(net, dg + (size_t)t * net->n, t, k0, m, part);
                    for (int l = d->L - 1; l >= 0; l--)
                        bwd_layer(net, l, t, k0, m, s, part);
                }
            }
        } else { /* dh ← its mean over the group (the adjoint of the mean),
                  * summed where dh is complete, applied where it is read */
            for (int t = T - 1; t >= 0; t--) {
                FOR_SUBBLOCKS(net, k0, m) {
                    bwd_begin(net, dg + (size_t)t * net->n, t, k0, m,
                              net->part + (k0 / net->chunk) * net->plen);
                    lstm_gmean_add(&net->gm, st_h(net, net->dstate, d->L - 1, k0), H, k0, m);
                }
                for (int l = d->L - 1; l >= 0; l--) {
#pragma omp single
                    lstm_gmean_finish(&net->gm);
                    FOR_SUBBLOCKS(net, k0, m) {
                        lstm_gmean_apply(&net->gm, st_h(net, net->dstate, l, k0), H, k0, m);
                        bwd_layer(net, l, t, k0, m, s, net->part + (k0 / net->chunk) * net->plen);
                        if (l > 0)
                            lstm_gmean_add(&net->gm, st_h(net, net->dstate, l - 1, k0), H, k0, m);
                    }
                }
            }
        }
        reduce(net, dphi);
    }
}

/* ------------------------------------------ backward one step at a time */

/* dL/d∇_t on rows [k0, k0+m) after layer 0's backward of step t: dx_0 =
 * dA·W_0[0..D)ᵀ from the dA planes still in the scratch s (L > 0), or
 * scale·dg·w_out[0..D) (L = 0), then through the preprocessing. */
static void bwd_input(struct lstm_net *net, int t, const float *dgt, size_t k0, size_t m,
                      float *s, float *dgrad)
{
    const struct lstm_dims *d = &net->d;
    int D = d->D, H = d->H;
    float *dx = net->x0 + k0 * (size_t)D; /* x0 is read no more at step t */
    if (d->L > 0) {
        const float *P = sl_p(net, s), *W = net->phi + lstm_phi_offset(d, 0);
        size_t ps = lstm_round_up(m, LSTM_MR) * (size_t)H, G = 4 * (size_t)H;
        for (size_t i = 0; i < m; i++)
            for (int u = 0; u < D; u++) {
                double acc = 0;
                for (int g = 0; g < 4; g++) {
                    const float *a = P + (size_t)g * ps + i * (size_t)H;
                    const float *w = W + (size_t)u * G + (size_t)g * (size_t)H;
                    for (int v = 0; v < H; v++)
                        acc += (double)a[v] * w[v];
                }
                dx[i * (size_t)D + (size_t)u] = (float)acc;
            }
    } else {
        const float *w = net->phi + lstm_phi_offset(d, d->L);
        for (size_t i = 0; i < m; i++)
            for (int u = 0; u < D; u++)
                dx[i * (size_t)D + (size_t)u] = net->scale * dgt[k0 + i] * w[u];
    }
    lstm_preprocess_backward(dgrad + k0, dx, (size_t)D, net->tgrad + (size_t)t * net->n + k0, m,
                             net->pre, net->p);
}

void lstm_net_pass_backward_step(struct lstm_net *net, int t, const float *dgt, float *dgrad,
                                 float *dphi)
{
    const struct lstm_dims *d = &net->d;
    size_t H = (size_t)d->H;
    lstm_net_prepare(net);
    int nt = team(net, net->nchunk);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        float *s = slot(net);
        if (t == net->T - 1) { /* the first call: sums and dh, dc from 0 */
#pragma omp for schedule(static)
            for (size_t c = 0; c < net->nchunk; c++) {
                memset(net->part + c * net->plen, 0, sizeof(float) * net->plen);
                size_t k0 = c * net->chunk, m = net->n - k0 < net->chunk ? net->n - k0 : net->chunk;
                for (int l = 0; l < d->L; l++) {
                    memset(st_h(net, net->dstate, l, k0), 0, sizeof(float) * m * H);
                    memset(st_c(net, net->dstate, l, k0), 0, sizeof(float) * m * H);
                }
            }
        }
        if (!d->gac) {
            FOR_SUBBLOCKS(net, k0, m) {
                float *part = net->part + (k0 / net->chunk) * net->plen;
                bwd_begin(net, dgt, t, k0, m, part);
                for (int l = d->L - 1; l >= 0; l--)
                    bwd_layer(net, l, t, k0, m, s, part);
                bwd_input(net, t, dgt, k0, m, s, dgrad);
            }
        } else { /* as the full backward's step t */
            FOR_SUBBLOCKS(net, k0, m) {
                bwd_begin(net, dgt, t, k0, m, net->part + (k0 / net->chunk) * net->plen);
                if (d->L > 0)
                    lstm_gmean_add(&net->gm, st_h(net, net->dstate, d->L - 1, k0), H, k0, m);
                else
                    bwd_input(net, t, dgt, k0, m, s, dgrad);
            }
            for (int l = d->L - 1; l >= 0; l--) {
#pragma omp single
                lstm_gmean_finish(&net->gm);
                FOR_SUBBLOCKS(net, k0, m) {
                    lstm_gmean_apply(&net->gm, st_h(net, net->dstate, l, k0), H, k0, m);
                    bwd_layer(net, l, t, k0, m, s, net->part + (k0 / net->chunk) * net->plen);
                    if (l > 0)
                        lstm_gmean_add(&net->gm, st_h(net, net->dstate, l - 1, k0), H, k0, m);
                    else
                        bwd_input(net, t, dgt, k0, m, s, dgrad);
                }
            }
        }
        if (t == 0) /* the last call: the sums into dφ, as the full backward */
            reduce(net, dphi);
    }
}
