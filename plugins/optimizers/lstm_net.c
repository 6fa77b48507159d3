/* lstm_net.c: forward, recorded forward and backward (truncated BPTT) of
 * the coordinatewise LSTM over all n coordinates at once. Per layer and
 * step, forward is one sgemm ([x, h, 1] (n, rows) · W (rows, 4H)) and one
 * fused gate pass; backward recomputes that sgemm, runs the fused gate
 * backward, then one sgemm accumulates dW and one or two give dL/dh and
 * dL/dx. All buffers are allocated at init and tape_begin. */
#include <cblas.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lstm_net.h"

/* h_l and c_l inside a state block (L, 2, n, H). */
static inline float *st_h(const struct lstm_net *net, float *S, int l)
{
    return S + (size_t)(2 * l) * net->n * (size_t)net->d.H;
}
static inline float *st_c(const struct lstm_net *net, float *S, int l)
{
    return S + (size_t)(2 * l + 1) * net->n * (size_t)net->d.H;
}
static inline size_t st_len(const struct lstm_net *net)
{
    return (size_t)(2 * net->d.L) * net->n * (size_t)net->d.H;
}

int lstm_net_init(struct lstm_net *net, const struct lstm_dims *d, enum lstm_pre pre,
                  float p, float scale, size_t n, const struct l2l_group *groups,
                  int n_groups, char *err, size_t errlen)
{
    memset(net, 0, sizeof *net);
    net->d = *d;
    net->pre = pre;
    net->p = p;
    net->scale = scale;
    net->n = n;
    if (n > (size_t)INT_MAX / 64) {
        snprintf(err, errlen, "lstm: %zu parameters, at most %d supported (BLAS int sizes)",
                 n, INT_MAX / 64);
        return -1;
    }
    if (d->gac < 0 || d->gac > d->H || (d->gac > 0 && d->L == 0)) {
        snprintf(err, errlen, "lstm: gac = %d averaging cells, expected 0..hidden (%d) and layers > 0",
                 d->gac, d->H);
        return -1;
    }
    int ng = (groups && n_groups > 0) ? n_groups : 1;
    net->groups = calloc((size_t)ng, sizeof *net->groups);
    if (!net->groups)
        goto oom;
    if (groups && n_groups > 0) {
        size_t end = 0;
        for (int g = 0; g < ng; g++) {
            net->groups[g] = groups[g];
            net->groups[g].name = NULL; /* not kept: the caller owns the names */
            if (groups[g].offset != end) {
                snprintf(err, errlen, "lstm: group %d starts at %zu, expected %zu (groups must be in order and cover θ)",
                         g, groups[g].offset, end);
                lstm_net_free(net);
                return -1;
            }
            end = groups[g].offset + groups[g].count;
        }
        if (end != n) {
            snprintf(err, errlen, "lstm: groups cover %zu parameters, expected %zu", end, n);
            lstm_net_free(net);
            return -1;
        }
    } else {
        net->groups[0].offset = 0;
        net->groups[0].count = n;
    }
    net->n_groups = ng;
    int H = d->H, rows = lstm_rows(d, 0) > lstm_rows(d, 1) ? lstm_rows(d, 0) : lstm_rows(d, 1);
    size_t n1 = n ? n : 1;
    net->phi = calloc(lstm_phi_size(d), sizeof(float));
    net->state = calloc(st_len(net) + 1, sizeof(float));
    net->x0 = calloc(n1 * (size_t)d->D, sizeof(float));
    net->xh = calloc(n1 * (size_t)rows, sizeof(float));
    net->A = calloc(n1 * 4 * (size_t)H, sizeof(float));
    net->scratch = calloc(lstm_scratch_len(n, H > d->D ? H : d->D, ng), sizeof(double));
    if (!net->phi || !net->state || !net->x0 || !net->xh || !net->A || !net->scratch)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "lstm: out of memory for %zu parameters", n);
    lstm_net_free(net);
    return -1;
}

void lstm_net_free(struct lstm_net *net)
{
    free(net->groups);
    free(net->phi);
    free(net->state);
    free(net->x0);
    free(net->xh);
    free(net->A);
    free(net->scratch);
    free(net->tape);
    free(net->tgrad);
    free(net->dstate);
    memset(net, 0, sizeof *net);
}

void lstm_net_reset(struct lstm_net *net)
{
    memset(net->state, 0, sizeof(float) * st_len(net));
    net->T = 0;
}

/* Reference: weights and biases of layer l ~ truncnormal(1/√(in_l + H)),
 * the output layer's (weights and bias) ~ truncnormal(1/√fan_in). */
void lstm_net_init_phi(struct lstm_net *net, struct l2l_rng *rng)
{
    const struct lstm_dims *d = &net->d;
    float *w = net->phi;
    for (int l = 0; l < d->L; l++) {
        int rows = lstm_rows(d, l);
        double std = 1.0 / sqrt((double)(rows - 1));
        for (size_t k = 0; k < (size_t)rows * 4 * (size_t)d->H; k++)
            *w++ = (float)l2l_rng_truncnormal(rng, std);
    }
    int m = lstm_out_in(d);
    for (int k = 0; k <= m; k++)
        *w++ = (float)l2l_rng_truncnormal(rng, 1.0 / sqrt((double)m));
}

/* xh (n, in+H+1) = [x (n, in), h (n, H), 1]. */
static void fill_xh(float *xh, const float *x, int in, const float *h, int H, size_t n)
{
    size_t rows = (size_t)(in + H + 1);
#pragma omp parallel for schedule(static) if (n >= LSTM_PAR_MIN)
    for (size_t k = 0; k < n; k++) {
        float *r = xh + k * rows;
        memcpy(r, x + k * (size_t)in, sizeof(float) * (size_t)in);
        memcpy(r + in, h + k * (size_t)H, sizeof(float) * (size_t)H);
        r[in + H] = 1.0f;
    }
}

/* A (n, 4H) = xh (n, rows) · W_l (rows, 4H), after filling xh from x and h. */
static void gates_pre(struct lstm_net *net, int l, const float *x, const float *h)
{
    const struct lstm_dims *d = &net->d;
    int H = d->H, in = l == 0 ? d->D : H, rows = lstm_rows(d, l);
    fill_xh(net->xh, x, in, h, H, net->n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)net->n, 4 * H, rows,
                1.0f, net->xh, rows, net->phi + lstm_phi_offset(d, l), 4 * H,
                0.0f, net->A, 4 * H);
}

void lstm_net_forward(struct lstm_net *net, const float *grad, float *update)
{
    const struct lstm_dims *d = &net->d;
    size_t n = net->n;
    if (!n)
        return;
    lstm_preprocess(net->x0, (size_t)d->D, grad, n, net->pre, net->p);
    for (int l = 0; l < d->L; l++) {
        float *h = st_h(net, net->state, l);
        gates_pre(net, l, l == 0 ? net->x0 : st_h(net, net->state, l - 1), h);
        lstm_cell_forward(net->A, st_c(net, net->state, l), h, n, d->H);
        if (d->gac) /* global averaging cells: h'_u ← mean over the group */
            lstm_group_mean(h, (size_t)d->H, d->gac, net->groups, net->n_groups, net->scratch);
    }
    const float *X = d->L ? st_h(net, net->state, d->L - 1) : net->x0;
    lstm_output_forward(update, X, net->phi + lstm_phi_offset(d, d->L), n,
                        lstm_out_in(d), net->scale);
}

int lstm_net_tape_begin(struct lstm_net *net, int U)
{
    net->T = 0;
    if (U <= net->cap)
        return 0;
    size_t sl = st_len(net), n1 = net->n ? net->n : 1;
    float *tape = realloc(net->tape, sizeof(float) * ((size_t)(U + 1) * sl + 1));
    if (tape)
        net->tape = tape;
    float *tgrad = realloc(net->tgrad, sizeof(float) * (size_t)U * n1);
    if (tgrad)
        net->tgrad = tgrad;
    if (!net->dstate)
        net->dstate = malloc(sizeof(float) * (sl + 1));
    if (!tape || !tgrad || !net->dstate)
        return -1;
    net->cap = U;
    return 0;
}

int lstm_net_step_record(struct lstm_net *net, int t, const float *grad, float *update)
{
    size_t sl = st_len(net), n = net->n;
    if (t != net->T || t >= net->cap)
        return -1;
    if (t == 0) /* the carried state: a constant of this unroll */
        memcpy(net->tape, net->state, sizeof(float) * sl);
    memcpy(net->tgrad + (size_t)t * n, grad, sizeof(float) * n);
    lstm_net_forward(net, grad, update);
    memcpy(net->tape + (size_t)(t + 1) * sl, net->state, sizeof(float) * sl);
    net->T++;
    return 0;
}

/* Reverse over t, and within a step over the layers from the top:
 *   output:  dw_out += Σ_k dy_k·[h_top, 1],  dh_top += dy·w_out
 *   layer l: dh ← mean over the group of dh (GAC cells: adjoint of the mean)
 *            A = [x_l, h_l(t−1), 1]·W_l recomputed; dA, dc by the gate pass
 *            dW_l += [x_l, h_l(t−1), 1]ᵀ·dA
 *            dh_l(t−1) = dA·W_hᵀ,  dx_l = dh_{l−1}(t) += dA·W_xᵀ
 * dh and dc of the carried state (t = −1) are dropped: truncated BPTT. */
int lstm_net_backward(struct lstm_net *net, const float *dg, float *dphi)
{
    const struct lstm_dims *d = &net->d;
    size_t n = net->n, sl = st_len(net);
    int H = d->H, m = lstm_out_in(d);
    if (!n || !net->T)
        return 0;
    if (!net->dstate)
        return -1;
    memset(net->dstate, 0, sizeof(float) * sl);
    const float *wout = net->phi + lstm_phi_offset(d, d->L);
    float *dwout = dphi + lstm_phi_offset(d, d->L);
    for (int t = net->T - 1; t >= 0; t--) {
        float *Sp = net->tape + (size_t)t * sl, *Sc = net->tape + (size_t)(t + 1) * sl;
        lstm_preprocess(net->x0, (size_t)d->D, net->tgrad + (size_t)t * n, n, net->pre, net->p);
        const float *X = d->L ? st_h(net, Sc, d->L - 1) : net->x0;
        lstm_output_backward(dwout, d->L ? st_h(net, net->dstate, d->L - 1) : NULL,
                             dg + (size_t)t * n, X, wout, n, m, net->scale, net->scratch);
        for (int l = d->L - 1; l >= 0; l--) {
            int in = l == 0 ? d->D : H, rows = lstm_rows(d, l);
            float *dh = st_h(net, net->dstate, l), *dc = st_c(net, net->dstate, l);
            const float *W = net->phi + lstm_phi_offset(d, l);
            if (d->gac)
                lstm_group_mean(dh, (size_t)H, d->gac, net->groups, net->n_groups, net->scratch);
            gates_pre(net, l, l == 0 ? net->x0 : st_h(net, Sc, l - 1), st_h(net, Sp, l));
            lstm_cell_backward(net->A, st_c(net, Sp, l), dh, dc, n, H);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, 4 * H, (int)n,
                        1.0f, net->xh, rows, net->A, 4 * H,
                        1.0f, dphi + lstm_phi_offset(d, l), 4 * H);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, H, 4 * H,
                        1.0f, net->A, 4 * H, W + (size_t)in * 4 * H, 4 * H, 0.0f, dh, H);
            if (l > 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, in, 4 * H,
                            1.0f, net->A, 4 * H, W, 4 * H, 1.0f, st_h(net, net->dstate, l - 1), H);
        }
    }
    return 0;
}
