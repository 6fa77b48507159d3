/* lstm_net.h: one coordinatewise LSTM optimizer over n coordinates: its φ,
 * its carried state, its scratch buffers and its tape (the recorded unroll
 * for truncated BPTT). lstm_plugin.c wraps it into the plugin vtable;
 * lstm_pass.c runs it over the coordinates.
 *
 * Tape: for a recorded unroll of T steps it keeps the T+1 states
 * (h_l, c_l for every layer; state 0 is the one carried in, a constant for
 * backward: truncated BPTT) and the T gradient inputs, and recomputes the
 * gate pre-activations in backward with the same product as forward. Bytes
 * per coordinate per step: 4·(2·L·H + 1), i.e. 324 for L = 2, H = 20. */
#ifndef L2L_LSTM_NET_H
#define L2L_LSTM_NET_H
#include <stddef.h>
#include "l2l/plugin.h"
#include "lstm_gates.h"
#include "lstm_gmean.h"
#include "lstm_kernels.h"

/* Coordinates are processed in chunks (the unit of work of a thread and
 * of the partial sums of dL/dφ), each in sub-blocks of LSTM_SB rows whose
 * working set ([x, h, 1], gate pre-activations, their gradient) stays in
 * L1/L2. A chunk is LSTM_CHUNK rows, or fewer (a multiple of LSTM_SB) when
 * n is small, so that there are at least LSTM_MIN_CHUNKS of them to share
 * among the threads; it depends on n alone, so no sum depends on the
 * thread count. */
#define LSTM_CHUNK 480
#define LSTM_MIN_CHUNKS 16
#define LSTM_SB 60 /* a multiple of LSTM_MR: full sub-blocks need no padding rows */
#define LSTM_MAX_LAYERS 8

struct lstm_net {
    struct lstm_dims d;
    enum lstm_pre pre;
    float p, scale;
    size_t n;
    struct l2l_group *groups; /* owned copy; one group "all" by default */
    int n_groups;

    float *phi;       /* (n_meta) */
    float *state;     /* (L, 2, n, H): h_l then c_l for every layer */
    float *x0;        /* (n, D) preprocessed input */
    struct lstm_gmean gm; /* the averaging cells' means (gac > 0) */

    /* φ rearranged for the block products (lstm_net_prepare): per layer
     * W_l padded to np columns and (W_l's rows for dx, dh)ᵀ padded, then
     * w_out as the first of 8 columns */
    int np, kx, cox;  /* padded gate columns, xh row stride, dX row stride */
    float *wp;
    size_t wp_w[LSTM_MAX_LAYERS], wp_t[LSTM_MAX_LAYERS], wp_out;
    size_t pt_w[LSTM_MAX_LAYERS], pt_out, plen; /* offsets in a partial dL/dφ */
    int nslot;        /* per-thread scratch blocks, each slot_len floats */
    size_t slot_len;
    float *slots;
    size_t chunk, nchunk; /* rows per chunk (lstm_chunk_rows), chunks */
    float *part;      /* (nchunk, plen) partial dL/dφ of each chunk */

    int cap, T;       /* tape capacity (steps) and steps recorded */
    float *tape;      /* (cap+1, L, 2, n, H) states */
    float *tgrad;     /* (cap, n) gradient inputs */
    float *dstate;    /* (L, 2, n, H) dL/dh_l and dL/dc_l during backward */
    int bnext;        /* the step backward_step expects next */
};

/* Rows per chunk for n coordinates. */
static inline size_t lstm_chunk_rows(size_t n)
{
    size_t c = (n + LSTM_MIN_CHUNKS - 1) / LSTM_MIN_CHUNKS;
    c = (c + LSTM_SB - 1) / LSTM_SB * LSTM_SB;
    return c < LSTM_SB ? LSTM_SB : c > LSTM_CHUNK ? LSTM_CHUNK : c;
}

/* Builds a net for n coordinates; groups (NULL or n_groups = 0: one group)
 * are copied. Returns 0, or < 0 with err set. φ starts at zero. */
int lstm_net_init(struct lstm_net *net, const struct lstm_dims *d, enum lstm_pre pre,
                  float p, float scale, size_t n, const struct l2l_group *groups,
                  int n_groups, char *err, size_t errlen);
void lstm_net_free(struct lstm_net *net);
/* Zero state: a new trajectory. */
void lstm_net_reset(struct lstm_net *net);
/* Reference initialisation of φ from rng (see lstm_kernels.h). */
void lstm_net_init_phi(struct lstm_net *net, struct l2l_rng *rng);

/* One forward step from grad (n): update (n) = g, the state advances. */
void lstm_net_forward(struct lstm_net *net, const float *grad, float *update);

/* Tape of at most U steps; grows, never shrinks. Returns < 0 when out of
 * memory. */
int lstm_net_tape_begin(struct lstm_net *net, int U);
/* Forward step t (t = 0, 1, ... in order) and its record. */
int lstm_net_step_record(struct lstm_net *net, int t, const float *grad, float *update);
/* dphi (n_meta) += dL/dφ given dg (T, n) = dL/dg_t over the recorded steps.
 * The carried state is left as it is (the state after the last step). */
int lstm_net_backward(struct lstm_net *net, const float *dg, float *dphi);
/* The same one step at a time, t = T−1 down to 0 (second-order
 * meta-gradients): dgt (n) = dL/dg_t; writes dgrad (n) = dL/d∇_t; dL/dh, dL/dc
 * carry in dstate between calls; dphi += dL/dφ at the call for t = 0 (the
 * sums of chunks stay in part until then, summed in the full backward's
 * order). Returns < 0 for a step out of order. */
int lstm_net_backward_step(struct lstm_net *net, int t, const float *dgt, float *dgrad,
                           float *dphi);

/* lstm_pass.c: the passes over all coordinates. forward: one step, and
 * its record as step t when t ≥ 0 (the tape has room). backward: dphi +=
 * dL/dφ over the T recorded steps. Both use wp, which prepare fills from φ. */
void lstm_net_prepare(struct lstm_net *net);
void lstm_net_pass_forward(struct lstm_net *net, const float *grad, float *update, int t);
void lstm_net_pass_backward(struct lstm_net *net, const float *dg, float *dphi);
void lstm_net_pass_backward_step(struct lstm_net *net, int t, const float *dgt, float *dgrad,
                                 float *dphi);
#endif
