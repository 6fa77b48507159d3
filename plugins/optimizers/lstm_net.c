/* lstm_net.c: buffers, φ initialisation and the tape of the coordinatewise
 * LSTM; the passes over the coordinates are in lstm_pass.c. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "lstm_gemm.h"
#include "lstm_mem.h"
#include "lstm_net.h"

static inline size_t st_len(const struct lstm_net *net)
{
    return (size_t)(2 * net->d.L) * net->n * (size_t)net->d.H;
}

/* Sizes of the rearranged φ, the partial sums and the per-thread scratch:
 * layer l has K_l = rows_l inputs ([x, h, 1]), padded to a multiple of
 * LSTM_KR for the dW product; its dX product gives [dx, dh] (l > 0) or dh
 * (l = 0), co_l columns padded to 8. */
static void layout(struct lstm_net *net)
{
    const struct lstm_dims *d = &net->d;
    int H = d->H, mo = lstm_out_in(d);
    net->np = (int)lstm_round_up((size_t)(4 * H), 8);
    net->kx = (int)lstm_round_up((size_t)mo, LSTM_KR);
    net->cox = 8;
    size_t w = 0, pt = 0;
    for (int l = 0; l < d->L; l++) {
        int K = lstm_rows(d, l), kp = (int)lstm_round_up((size_t)K, LSTM_KR);
        int co = l > 0 ? 2 * H : H, cop = (int)lstm_round_up((size_t)co, 8);
        if (kp > net->kx)
            net->kx = kp;
        if (cop > net->cox)
            net->cox = cop;
        net->wp_w[l] = w;
        w += (size_t)K * (size_t)net->np;
        net->wp_t[l] = w;
        w += (size_t)net->np * (size_t)cop;
        net->pt_w[l] = pt;
        pt += (size_t)kp * (size_t)net->np;
    }
    net->wp_out = w;
    net->pt_out = pt;
    net->plen = lstm_round_up(pt + (size_t)mo + 1, 16);
    size_t sbp = lstm_round_up(LSTM_SB, LSTM_MR);
    /* xh (sbp, kx), A (sbp, np), dX (sbp, cox), planes (sbp, np); 64-byte multiples */
    net->slot_len = lstm_round_up(sbp * (size_t)(net->kx + 2 * net->np + net->cox), 16);
}

static size_t wp_len(const struct lstm_net *net)
{
    return net->wp_out + (size_t)lstm_out_in(&net->d) * 8;
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
        snprintf(err, errlen, "lstm: %zu parameters, at most %d supported", n, INT_MAX / 64);
        return -1;
    }
    if (d->L < 0 || d->L > LSTM_MAX_LAYERS) {
        snprintf(err, errlen, "lstm: %d layers, expected 0..%d", d->L, LSTM_MAX_LAYERS);
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
    layout(net);
    size_t n1 = n ? n : 1;
    net->nslot = 1;
#ifdef _OPENMP
    net->nslot = omp_get_max_threads();
    if (net->nslot > 64)
        net->nslot = 64;
    if (net->nslot < 1)
        net->nslot = 1;
#endif
    net->chunk = lstm_chunk_rows(n);
    net->nchunk = (n + net->chunk - 1) / net->chunk;
    net->phi = calloc(lstm_phi_size(d), sizeof(float));
    net->state = lstm_big_alloc(sizeof(float) * (st_len(net) + 1));
    net->x0 = lstm_big_alloc(sizeof(float) * n1 * (size_t)d->D);
    net->wp = calloc(wp_len(net), sizeof(float));
    /* zeroed: the padding rows of a sub-block are computed on, unused */
    net->slots = calloc((size_t)net->nslot * net->slot_len, sizeof(float));
    net->part = lstm_big_alloc(sizeof(float) * (net->nchunk ? net->nchunk : 1) * net->plen);
    if (!net->phi || !net->state || !net->x0 || !net->wp || !net->slots || !net->part)
        goto oom;
    if (d->gac > 0 && lstm_gmean_init(&net->gm, net->groups, ng, n, net->chunk, d->gac) < 0)
        goto oom;
    lstm_net_reset(net);
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
    lstm_gmean_free(&net->gm);
    free(net->wp);
    free(net->slots);
    free(net->part);
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

int lstm_net_tape_begin(struct lstm_net *net, int U)
{
    net->T = 0;
    if (U <= net->cap)
        return 0;
    size_t sl = st_len(net), n1 = net->n ? net->n : 1;
    /* a new tape: what the old one held is not needed (T = 0) */
    free(net->tape);
    free(net->tgrad);
    net->cap = 0;
    net->tape = lstm_big_alloc(sizeof(float) * ((size_t)(U + 1) * sl + 1));
    net->tgrad = lstm_big_alloc(sizeof(float) * (size_t)U * n1);
    if (!net->dstate)
        net->dstate = lstm_big_alloc(sizeof(float) * (sl + 1));
    if (!net->tape || !net->tgrad || !net->dstate)
        return -1;
    net->cap = U;
    return 0;
}

void lstm_net_forward(struct lstm_net *net, const float *grad, float *update)
{
    lstm_net_pass_forward(net, grad, update, -1);
}

int lstm_net_step_record(struct lstm_net *net, int t, const float *grad, float *update)
{
    if (t != net->T || t >= net->cap)
        return -1;
    lstm_net_pass_forward(net, grad, update, t);
    net->T++;
    return 0;
}

int lstm_net_backward(struct lstm_net *net, const float *dg, float *dphi)
{
    if (!net->n || !net->T)
        return 0;
    if (!net->dstate)
        return -1;
    lstm_net_pass_backward(net, dg, dphi);
    return 0;
}

int lstm_net_backward_step(struct lstm_net *net, int t, const float *dgt, float *dgrad, float *dphi)
{
    if (t == net->T - 1)
        net->bnext = t;
    if (t != net->bnext || t < 0 || !net->dstate)
        return -1;
    net->bnext--;
    if (net->n)
        lstm_net_pass_backward_step(net, t, dgt, dgrad, dphi);
    return 0;
}
