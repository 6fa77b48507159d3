/* ntm_bfgs_net.c: the NTM-BFGS controller over all n coordinates (network
 * and φ layout in ntm_bfgs.h): forward (plain or recorded), and the exact
 * backward of a recorded unroll, one step at a time in reverse order,
 * through the LSTM, the averaging cells and the memory. The state, the
 * last reads and the memory at the unroll's start are constants
 * (truncated BPTT); inside the unroll every read depends on all earlier
 * writes of the window. One thread, plain loops; the gates and the
 * preprocessing are the lstm plugin's kernels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lstm_gates.h"
#include "ntm_bfgs.h"

size_t ntm_phi_offset(const struct ntm_dims *d, int l)
{
    size_t off = 0;
    for (int k = 0; k < l && k < d->L; k++)
        off += (size_t)ntm_rows(d, k) * 4 * (size_t)d->H;
    return off;
}

size_t ntm_phi_size(const struct ntm_dims *d)
{
    return ntm_phi_offset(d, d->L) + (size_t)(d->H + 1) * (size_t)ntm_outs(d);
}

static size_t st_len(const struct ntm_net *net)
{
    return (size_t)(2 * net->d.L) * net->n * (size_t)net->d.H;
}
static float *st_h(const struct ntm_net *net, float *S, int l)
{
    return S + (size_t)(2 * l) * net->n * (size_t)net->d.H;
}
static float *st_c(const struct ntm_net *net, float *S, int l)
{
    return S + (size_t)(2 * l + 1) * net->n * (size_t)net->d.H;
}
static size_t slot_len(const struct ntm_net *net) { return (size_t)net->d.W * 2 * net->n; }

int ntm_net_init(struct ntm_net *net, const struct ntm_dims *d, enum lstm_pre pre, float p,
                 float scale, float s, int per_group, size_t n, const struct l2l_group *groups,
                 int n_groups, char *err, size_t errlen)
{
    memset(net, 0, sizeof *net);
    net->d = *d;
    net->pre = pre;
    net->p = p;
    net->scale = scale;
    net->n = n;
    size_t n1 = n ? n : 1, H = (size_t)d->H, O = (size_t)ntm_outs(d);
    if (n_groups > 0 && groups) {
        if (!(net->groups = calloc((size_t)n_groups, sizeof *net->groups)))
            goto oom;
        memcpy(net->groups, groups, sizeof *groups * (size_t)n_groups);
        net->n_groups = n_groups;
    } else {
        if (!(net->groups = calloc(1, sizeof *net->groups)))
            goto oom;
        net->groups[0] = (struct l2l_group){"all", 0, n};
        net->n_groups = 1;
    }
    if (ntm_mem_init(&net->mem, n, d->W, d->window, d->m0 ? s : 0.0f, net->groups,
                     net->n_groups, per_group, err, errlen) < 0) {
        ntm_net_free(net);
        return -1;
    }
    if (d->gac > 0 && lstm_gmean_init(&net->gm, net->groups, net->n_groups, n1, n1, d->gac) < 0)
        goto oom;
    size_t in0 = (size_t)ntm_in0(d), dxw = (in0 > H ? in0 : H) + H;
    net->phi = calloc(ntm_phi_size(d), sizeof(float));
    net->state = calloc(st_len(net) ? st_len(net) : 1, sizeof(float));
    net->rd = calloc((size_t)d->R * n1, sizeof(float));
    net->x0 = malloc(sizeof(float) * n1 * in0);
    net->A = malloc(sizeof(float) * n1 * 4 * H);
    net->P = malloc(sizeof(float) * n1 * 4 * H);
    net->Y = malloc(sizeof(float) * n1 * O);
    net->dX = malloc(sizeof(float) * n1 * dxw);
    net->slot = malloc(sizeof(float) * (slot_len(net) ? slot_len(net) : 1));
    net->rbuf = malloc(sizeof(float) * (size_t)d->R * n1);
    net->dstate = malloc(sizeof(float) * (st_len(net) ? st_len(net) : 1));
    net->drd = malloc(sizeof(float) * (size_t)d->R * n1);
    net->di = malloc(sizeof(float) * (size_t)d->R * n1);
    net->slots = calloc((size_t)d->window + 1, sizeof *net->slots);
    if (!net->slots || !net->phi || !net->state || !net->rd || !net->x0 || !net->A || !net->P || !net->Y ||
        !net->dX || !net->slot || !net->rbuf || !net->dstate || !net->drd || !net->di)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "ntm-bfgs: out of memory for %zu parameters", n);
    ntm_net_free(net);
    return -1;
}

void ntm_net_free(struct ntm_net *net)
{
    ntm_mem_free(&net->mem);
    if (net->d.gac > 0)
        lstm_gmean_free(&net->gm);
    float *bufs[] = {net->phi, net->state, net->rd, net->x0, net->A, net->P, net->Y, net->dX,
                     net->slot, net->rbuf, net->tstate, net->tgrad, net->trd, net->tr,
                     net->hist, net->dhist, net->dstate, net->drd, net->di};
    for (size_t k = 0; k < sizeof bufs / sizeof *bufs; k++)
        free(bufs[k]);
    free(net->slots);
    free(net->dslots);
    free(net->groups);
    memset(net, 0, sizeof *net);
}

void ntm_net_reset(struct ntm_net *net)
{
    memset(net->state, 0, sizeof(float) * st_len(net));
    memset(net->rd, 0, sizeof(float) * (size_t)net->d.R * net->n);
    ntm_mem_reset(&net->mem);
    net->pending = 0;
}

/* As lstm's reference initialisation: truncated normal, std 1/√(inputs +
 * hidden) for W_l (biases 0), 1/√(H + 1) for W_out. */
void ntm_net_init_phi(struct ntm_net *net, struct l2l_rng *rng)
{
    const struct ntm_dims *d = &net->d;
    size_t G = 4 * (size_t)d->H;
    for (int l = 0; l < d->L; l++) {
        int K = ntm_rows(d, l);
        double std = 1.0 / sqrt((double)(K - 1));
        float *W = net->phi + ntm_phi_offset(d, l);
        for (int k = 0; k < K; k++)
            for (size_t j = 0; j < G; j++)
                W[(size_t)k * G + j] = k == K - 1 ? 0.0f : (float)l2l_rng_truncnormal(rng, std);
    }
    size_t O = (size_t)ntm_outs(d);
    float *Wo = net->phi + ntm_phi_offset(d, d->L);
    double std = 1.0 / sqrt((double)d->H + 1);
    for (size_t k = 0; k < (size_t)(d->H + 1) * O; k++)
        Wo[k] = k >= (size_t)d->H * O ? 0.0f : (float)l2l_rng_truncnormal(rng, std);
}

/* C (n, cols) = [X (n, kx; stride ldx), h (n, H) or nothing, 1] · W.
 * restrict and simd: GCC's -O2 cost model leaves these loops scalar. */
static void affine(float *restrict C, size_t cols, const float *restrict X, size_t ldx, int kx,
                   const float *restrict h, int H, const float *restrict W, size_t n)
{
    const float *restrict bias = W + (size_t)(kx + (h ? H : 0)) * cols;
    for (size_t k = 0; k < n; k++) {
        float *restrict c = C + k * cols;
#pragma omp simd
        for (size_t j = 0; j < cols; j++)
            c[j] = bias[j];
        for (int u = 0; u < kx + (h ? H : 0); u++) {
            float xu = u < kx ? X[k * ldx + (size_t)u] : h[k * (size_t)H + (size_t)(u - kx)];
            const float *restrict w = W + (size_t)u * cols;
#pragma omp simd
            for (size_t j = 0; j < cols; j++)
                c[j] += xu * w[j];
        }
    }
}

/* Its backward: dW += [X, h, 1]ᵀ dC; dX (n, kx + H; stride ldd) = dC · W[:kx+H]ᵀ. */
static void affine_backward(float *restrict dW, float *restrict dX, size_t ldd,
                            const float *restrict dC, size_t cols, const float *restrict X,
                            size_t ldx, int kx, const float *restrict h, int H,
                            const float *restrict W, size_t n)
{
    int K = kx + (h ? H : 0);
    float *restrict dbias = dW + (size_t)K * cols;
    for (size_t k = 0; k < n; k++) {
        const float *restrict dc = dC + k * cols;
        for (int u = 0; u < K; u++) {
            float xu = u < kx ? X[k * ldx + (size_t)u] : h[k * (size_t)H + (size_t)(u - kx)];
            const float *restrict w = W + (size_t)u * cols;
            float *restrict dw = dW + (size_t)u * cols;
            float acc = 0;
#pragma omp simd reduction(+ : acc)
            for (size_t j = 0; j < cols; j++) {
                dw[j] += xu * dc[j];
                acc += dc[j] * w[j];
            }
            dX[k * ldd + (size_t)u] = acc;
        }
#pragma omp simd
        for (size_t j = 0; j < cols; j++)
            dbias[j] += dc[j];
    }
}

/* Fold the recorded writes of the last unroll into the dense part. */
static void fold_pending(struct ntm_net *net)
{
    for (int j = 0; j < net->pending; j++)
        ntm_mem_push(&net->mem, net->hist + (size_t)j * slot_len(net));
    net->pending = 0;
}

/* The slots read at step t of the unroll: the last `window` steps' writes
 * (carried ones included), or all of the unroll's with a dense memory. */
static int hist_range(const struct ntm_net *net, int t, int *lo)
{
    int hi = net->c0 + t;
    *lo = net->d.window > 0 && hi - net->d.window > 0 ? hi - net->d.window : 0;
    return hi;
}

/* One forward step; record as step t when t ≥ 0. */
static void forward(struct ntm_net *net, const float *grad, float *update, int t)
{
    const struct ntm_dims *d = &net->d;
    size_t n = net->n, H = (size_t)d->H, O = (size_t)ntm_outs(d), in0 = (size_t)ntm_in0(d);
    if (t < 0)
        fold_pending(net);
    if (t >= 0) {
        memcpy(net->tgrad + (size_t)t * n, grad, sizeof(float) * n);
        memcpy(net->trd + (size_t)t * d->R * n, net->rd, sizeof(float) * (size_t)d->R * n);
        if (t == 0)
            memcpy(net->tstate, net->state, sizeof(float) * st_len(net));
    }
    /* x_0 = [preprocess(∇), i_{t−1}] */
    lstm_preprocess(net->x0, in0, grad, n, net->pre, net->p);
    for (size_t k = 0; k < n; k++)
        for (int j = 0; j < d->R; j++)
            net->x0[k * in0 + (size_t)d->D + (size_t)j] = net->rd[(size_t)j * n + k];
    for (int l = 0; l < d->L; l++) {
        float *h = st_h(net, net->state, l), *c = st_c(net, net->state, l);
        const float *X = l == 0 ? net->x0 : st_h(net, net->state, l - 1);
        int kx = l == 0 ? (int)in0 : d->H;
        /* a = [x_l, h_l, 1]·W_l;  c' = f·c + i·j, h' = tanh(c')·o */
        affine(net->A, 4 * H, X, (size_t)kx, kx, h, d->H, net->phi + ntm_phi_offset(d, l), n);
        lstm_rows_to_planes(net->P, n * H, net->A, 4 * H, n, d->H);
        lstm_gates_forward(net->P, n * H, c, h, n * H);
        if (d->gac > 0) { /* the first gac cells of h' ← their group means */
            lstm_gmean_add(&net->gm, h, H, 0, n);
            lstm_gmean_finish(&net->gm);
            lstm_gmean_apply(&net->gm, h, H, 0, n);
        }
    }
    /* y = [h_top, 1]·W_out = (u, r^1..R, a^1, b^1, ...) */
    affine(net->Y, O, st_h(net, net->state, d->L - 1), H, d->H, NULL, 0,
           net->phi + ntm_phi_offset(d, d->L), n);
    if (t >= 0)
        memcpy(net->tstate + (size_t)(t + 1) * st_len(net), net->state, sizeof(float) * st_len(net));
    float *r = t >= 0 ? net->tr + (size_t)t * d->R * n : net->rbuf;
    float *slot = t >= 0 ? net->hist + (size_t)(net->c0 + t) * slot_len(net) : net->slot;
    for (size_t k = 0; k < n; k++) {
        const float *y = net->Y + k * O;
        for (int j = 0; j < d->R; j++)
            r[(size_t)j * n + k] = y[1 + j];
        for (int w = 0; w < d->W; w++) {
            slot[(size_t)(2 * w) * n + k] = y[1 + d->R + 2 * w];
            slot[(size_t)(2 * w + 1) * n + k] = y[2 + d->R + 2 * w];
        }
    }
    /* i_t^j = M_t r^j: the memory before this step's writes */
    int ns, lo = 0;
    if (t >= 0) {
        int hi = hist_range(net, t, &lo);
        for (int j = lo; j < hi; j++)
            net->slots[j - lo] = net->hist + (size_t)j * slot_len(net);
        ns = hi - lo;
    } else {
        ns = ntm_mem_ring_slots(&net->mem, net->slots);
    }
    for (int j = 0; j < d->R; j++)
        ntm_mem_read(&net->mem, net->slots, ns, r + (size_t)j * n, net->rd + (size_t)j * n);
    for (size_t k = 0; k < n; k++) /* g = scale·(u + i^1) */
        update[k] = net->scale * (net->Y[k * O] + net->rd[k]);
    /* M_{t+1} = M_t + Σ_w a^w b^wᵀ / N */
    if (t < 0 || d->window > 0)
        ntm_mem_push(&net->mem, slot);
    else
        net->pending = t + 1;
    if (t >= 0)
        net->T = t + 1;
}

void ntm_net_forward(struct ntm_net *net, const float *grad, float *update)
{
    forward(net, grad, update, -1);
}

int ntm_net_tape_begin(struct ntm_net *net, int U)
{
    const struct ntm_dims *d = &net->d;
    fold_pending(net);
    if (U > net->cap) {
        size_t n = net->n ? net->n : 1, R = (size_t)d->R, u = (size_t)U;
        size_t hs = (size_t)d->window + u, sl = slot_len(net) ? slot_len(net) : 1;
        float *b[6] = {realloc(net->tstate, sizeof(float) * (u + 1) * (st_len(net) + 1)),
                       NULL, NULL, NULL, NULL, NULL};
        if (b[0])
            net->tstate = b[0];
        if (!b[0] || !(b[1] = realloc(net->tgrad, sizeof(float) * u * n)))
            return -1;
        net->tgrad = b[1];
        if (!(b[2] = realloc(net->trd, sizeof(float) * (u + 1) * R * n + 1)))
            return -1;
        net->trd = b[2];
        if (!(b[3] = realloc(net->tr, sizeof(float) * u * R * n + 1)))
            return -1;
        net->tr = b[3];
        if (!(b[4] = realloc(net->hist, sizeof(float) * hs * sl)))
            return -1;
        net->hist = b[4];
        if (!(b[5] = realloc(net->dhist, sizeof(float) * u * sl)))
            return -1;
        net->dhist = b[5];
        const float **s = realloc(net->slots, sizeof *s * hs);
        if (!s)
            return -1;
        net->slots = s;
        float **ds = realloc(net->dslots, sizeof *ds * hs);
        if (!ds)
            return -1;
        net->dslots = ds;
        net->cap = U;
    }
    /* the carried writes, oldest first: constants of the unroll */
    const float *ring[d->window > 0 ? d->window : 1];
    net->c0 = ntm_mem_ring_slots(&net->mem, ring);
    for (int j = 0; j < net->c0; j++)
        memcpy(net->hist + (size_t)j * slot_len(net), ring[j], sizeof(float) * slot_len(net));
    net->T = 0;
    net->bnext = -1;
    return 0;
}

int ntm_net_step_record(struct ntm_net *net, int t, const float *grad, float *update)
{
    if (t < 0 || t >= net->cap || t != net->T)
        return -1;
    forward(net, grad, update, t);
    return 0;
}

int ntm_net_backward_step(struct ntm_net *net, int t, const float *dgt, float *dgrad,
                          float *dphi)
{
    const struct ntm_dims *d = &net->d;
    size_t n = net->n, H = (size_t)d->H, O = (size_t)ntm_outs(d), in0 = (size_t)ntm_in0(d);
    size_t R = (size_t)d->R, sl = slot_len(net);
    if (t != (net->bnext < 0 ? net->T - 1 : net->bnext) || t < 0)
        return -1;
    if (t == net->T - 1) { /* the first call: every adjoint from 0 */
        memset(net->dstate, 0, sizeof(float) * st_len(net));
        memset(net->drd, 0, sizeof(float) * R * n);
        memset(net->dhist, 0, sizeof(float) * (size_t)net->T * sl);
    }
    net->bnext = t - 1;
    float *S0 = net->tstate + (size_t)t * st_len(net), *S1 = S0 + st_len(net);
    /* di^j = dL/di_t^j: from step t+1's input, and scale·dg through g */
    memcpy(net->di, net->drd, sizeof(float) * R * n);
    for (size_t k = 0; k < n; k++)
        net->di[k] += net->scale * dgt[k];
    /* the reads: dY's r columns, and da, db of the unroll's slots */
    float *dY = net->Y;
    memset(dY, 0, sizeof(float) * n * O);
    int lo, hi = hist_range(net, t, &lo);
    for (int j = lo; j < hi; j++) {
        net->slots[j - lo] = net->hist + (size_t)j * sl;
        net->dslots[j - lo] = j >= net->c0 ? net->dhist + (size_t)(j - net->c0) * sl : NULL;
    }
    const float *r = net->tr + (size_t)t * R * n;
    float *dr = net->rbuf;
    memset(dr, 0, sizeof(float) * R * n);
    for (size_t j = 0; j < R; j++)
        ntm_mem_read_backward(&net->mem, net->slots, net->dslots, hi - lo, r + j * n,
                              net->di + j * n, dr + j * n);
    const float *dslot = net->dhist + (size_t)t * sl;
    for (size_t k = 0; k < n; k++) {
        float *dy = dY + k * O;
        dy[0] = net->scale * dgt[k];
        for (size_t j = 0; j < R; j++)
            dy[1 + j] = dr[j * n + k];
        for (int w = 0; w < d->W; w++) {
            dy[1 + R + 2 * (size_t)w] = dslot[(size_t)(2 * w) * n + k];
            dy[2 + R + 2 * (size_t)w] = dslot[(size_t)(2 * w + 1) * n + k];
        }
    }
    /* output layer: dh_top += dY·W_out[:H]ᵀ */
    float *dhtop = st_h(net, net->dstate, d->L - 1);
    affine_backward(dphi + ntm_phi_offset(d, d->L), net->dX, H, dY, O,
                    st_h(net, S1, d->L - 1), H, d->H, NULL, 0,
                    net->phi + ntm_phi_offset(d, d->L), n);
    for (size_t q = 0; q < n * H; q++)
        dhtop[q] += net->dX[q];
    for (int l = d->L - 1; l >= 0; l--) {
        float *dh = st_h(net, net->dstate, l), *dc = st_c(net, net->dstate, l);
        if (d->gac > 0) { /* the mean is its own adjoint */
            lstm_gmean_add(&net->gm, dh, H, 0, n);
            lstm_gmean_finish(&net->gm);
            lstm_gmean_apply(&net->gm, dh, H, 0, n);
        }
        int kx = l == 0 ? (int)in0 : d->H;
        const float *X = l == 0 ? net->x0 : st_h(net, S1, l - 1);
        if (l == 0) { /* x_0 of step t again */
            lstm_preprocess(net->x0, in0, net->tgrad + (size_t)t * n, n, net->pre, net->p);
            const float *rin = net->trd + (size_t)t * R * n;
            for (size_t k = 0; k < n; k++)
                for (size_t j = 0; j < R; j++)
                    net->x0[k * in0 + (size_t)d->D + j] = rin[j * n + k];
        }
        const float *W = net->phi + ntm_phi_offset(d, l), *hp = st_h(net, S0, l);
        affine(net->A, 4 * H, X, (size_t)kx, kx, hp, d->H, W, n);
        lstm_rows_to_planes(net->P, n * H, net->A, 4 * H, n, d->H);
        lstm_gates_backward(net->P, n * H, st_c(net, S0, l), dh, dc, n * H);
        lstm_planes_to_rows(net->A, 4 * H, net->P, n * H, n, d->H);
        size_t ldd = (size_t)kx + H;
        affine_backward(dphi + ntm_phi_offset(d, l), net->dX, ldd, net->A, 4 * H, X,
                        (size_t)kx, kx, hp, d->H, W, n);
        for (size_t k = 0; k < n; k++) {
            const float *dx = net->dX + k * ldd;
            if (l > 0) {
                float *b = st_h(net, net->dstate, l - 1) + k * H;
                for (size_t u = 0; u < H; u++)
                    b[u] += dx[u];
            } else {
                for (size_t j = 0; j < R; j++)
                    net->drd[j * n + k] = dx[(size_t)d->D + j];
            }
            memcpy(dh + k * H, dx + kx, sizeof(float) * H);
        }
    }
    if (dgrad) { /* dL/d∇_t through the preprocessing */
        lstm_preprocess_backward(dgrad, net->dX, in0 + H, net->tgrad + (size_t)t * n, n,
                                 net->pre, net->p);
    }
    return 0;
}

int ntm_net_backward(struct ntm_net *net, const float *dg, float *dphi)
{
    for (int t = net->T - 1; t >= 0; t--)
        if (ntm_net_backward_step(net, t, dg + (size_t)t * net->n, NULL, dphi) < 0)
            return -1;
    return 0;
}
