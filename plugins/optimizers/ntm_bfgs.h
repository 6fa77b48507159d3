/* ntm_bfgs.h: the NTM-BFGS learned optimizer (Andrychowicz et al. 2016,
 * appendix D; docs/ntm-bfgs.md): a coordinatewise LSTM+GAC controller
 * whose coordinates share an external memory M, read by matrix-vector
 * products and written by low-rank additive updates. ntm_bfgs.c is the
 * plugin (options, vtable), ntm_bfgs_net.c the controller, forward and
 * backward, ntm_bfgs_mem.c the memory.
 *
 * Step t, for every coordinate k (φ shared, state per coordinate):
 *     x_0 = [preprocess(∇_k), i_{t−1,k}^1..R]     (D + R inputs)
 *     LSTM layers as lstm_kernels.h (gates of lstm_gates.h, the first gac
 *     cells of every layer averaged over the coordinates of each group)
 *     y = [h_top, 1] · W_out                      (O = 1 + R + 2W outputs)
 *     y = (u, r^1..r^R, a^1, b^1, ..., a^W, b^W)
 * then over all coordinates of a memory scope S (N = |S| coordinates):
 *     i_t^j = M_t r^j,   M_t r = s·r + D r + Σ_{p ∈ P_t} a_p (b_pᵀ r) / N
 *     g_t = scale · (u + i_t^1)                   (the update)
 *     M_{t+1} = M_t + Σ_w a^w (b^w)ᵀ / N          (the writes)
 * where s·I is M_0 (s = 0 for m0 = zero), P_t the write pairs of the last
 * `window` steps, D the dense n×n part (window = 0: every write folded
 * into D, no window).
 *
 * φ layout (row-major, each matrix's last row is its bias):
 *     W_0 (D+R+H+1, 4H), W_1..W_{L−1} (2H+1, 4H), W_out (H+1, O). */
#ifndef L2L_NTM_BFGS_H
#define L2L_NTM_BFGS_H
#include <stddef.h>
#include "l2l/plugin.h"
#include "lstm_gmean.h"
#include "lstm_kernels.h"

/* window = 0 keeps a dense memory of N² floats per scope: refused above
 * this many coordinates in a scope (2048² floats = 16 MiB). */
#define NTM_DENSE_MAX 2048

struct ntm_dims {
    int L, H, D, gac; /* controller: layers, units, preprocessed inputs, averaging cells */
    int R, W;         /* read heads, write heads */
    int window;       /* steps of writes kept; 0 = dense memory */
    int m0;           /* 0: M_0 = 0, 1: M_0 = s·I */
};

static inline int ntm_in0(const struct ntm_dims *d) { return d->D + d->R; }
static inline int ntm_rows(const struct ntm_dims *d, int l)
{
    return (l == 0 ? ntm_in0(d) : d->H) + d->H + 1;
}
static inline int ntm_outs(const struct ntm_dims *d) { return 1 + d->R + 2 * d->W; }
size_t ntm_phi_offset(const struct ntm_dims *d, int l); /* l = L: W_out */
size_t ntm_phi_size(const struct ntm_dims *d);

/* A memory scope: coordinates [off, off + cnt). */
struct ntm_scope {
    size_t off, cnt;
    size_t dense_off; /* its N×N block in the dense buffer */
};

/* The memory: the carried write pairs (a ring of `window` step slots of W
 * pairs, each slot (W, 2, n): a^w then b^w) or the dense part. */
struct ntm_mem {
    size_t n;
    int W, window;
    float s;              /* M_0 = s·I */
    struct ntm_scope *sc; /* owned */
    int nsc;
    float *ring;          /* (window, W, 2, n) */
    int ring_len, ring_head;
    float *dense;         /* Σ N² floats, or NULL */
};

int ntm_mem_init(struct ntm_mem *m, size_t n, int W, int window, float s,
                 const struct l2l_group *groups, int n_groups, int per_group,
                 char *err, size_t errlen);
void ntm_mem_free(struct ntm_mem *m);
void ntm_mem_reset(struct ntm_mem *m);
/* Pointers to the ring's slots, oldest first; returns their count. */
int ntm_mem_ring_slots(const struct ntm_mem *m, const float **slots);
/* Adds one step's W pairs (slot: (W, 2, n)): into the ring, dropping the
 * oldest when full, or folded into the dense part. */
void ntm_mem_push(struct ntm_mem *m, const float *slot);
/* i (n) = s·r + D r + Σ over the slots' pairs of a (bᵀ r)/N, scope by scope. */
void ntm_mem_read(const struct ntm_mem *m, const float *const *slots, int nslots,
                  const float *r, float *i);
/* Its backward: dr (n) += s·di + Dᵀ di + Σ b (aᵀ di)/N; for slot j with
 * dslots[j] != NULL, its da += di (bᵀ r)/N and db += r (aᵀ di)/N. */
void ntm_mem_read_backward(const struct ntm_mem *m, const float *const *slots,
                           float *const *dslots, int nslots, const float *r,
                           const float *di, float *dr);

struct ntm_net {
    struct ntm_dims d;
    enum lstm_pre pre;
    float p, scale;
    size_t n;
    struct l2l_group *groups; /* owned copy */
    int n_groups;
    struct ntm_mem mem;
    struct lstm_gmean gm;     /* gac > 0 */

    float *phi;    /* (n_meta) */
    float *state;  /* (L, 2, n, H): h_l then c_l */
    float *rd;     /* (R, n) the last reads, inputs of the next step */
    float *x0;     /* (n, D+R) */
    float *A;      /* (n, 4H) rows, then dA */
    float *P;      /* (4, n·H) gate planes */
    float *Y;      /* (n, O) outputs, then dY */
    float *dX;     /* (n, max(in0, H) + H) */
    float *slot;   /* (W, 2, n) the writes of a plain step */
    float *rbuf;   /* (R, n) read vectors of a plain step */

    /* tape of an unroll: cap steps, T recorded, c0 carried slots */
    int cap, T, c0, pending; /* pending: recorded slots not yet in the dense part */
    float *tstate; /* (cap+1, L, 2, n, H) */
    float *tgrad;  /* (cap, n) */
    float *trd;    /* (cap+1, R, n) read inputs of each step */
    float *tr;     /* (cap, R, n) read vectors */
    float *hist;   /* (window + cap, W, 2, n): carried slots, then one per step */
    float *dhist;  /* (cap, W, 2, n) */
    float *dstate; /* (L, 2, n, H) */
    float *drd;    /* (R, n) dL/d(the read inputs of the step after) */
    float *di;     /* (R, n) */
    const float **slots; /* (window + cap) */
    float **dslots;      /* (window + cap) */
    int bnext;
};

int ntm_net_init(struct ntm_net *net, const struct ntm_dims *d, enum lstm_pre pre, float p,
                 float scale, float s, int per_group, size_t n, const struct l2l_group *groups,
                 int n_groups, char *err, size_t errlen);
void ntm_net_free(struct ntm_net *net);
void ntm_net_reset(struct ntm_net *net);
void ntm_net_init_phi(struct ntm_net *net, struct l2l_rng *rng);
void ntm_net_forward(struct ntm_net *net, const float *grad, float *update);
int ntm_net_tape_begin(struct ntm_net *net, int U);
int ntm_net_step_record(struct ntm_net *net, int t, const float *grad, float *update);
int ntm_net_backward(struct ntm_net *net, const float *dg, float *dphi);
/* One step of the backward, t = T−1 down to 0; dgrad (n) = dL/d∇_t or NULL. */
int ntm_net_backward_step(struct ntm_net *net, int t, const float *dgt, float *dgrad,
                          float *dphi);
#endif
