/* lstm_net.h: one coordinatewise LSTM optimizer over n coordinates: its φ,
 * its carried state, its scratch buffers and its tape (the recorded unroll
 * for truncated BPTT). lstm_plugin.c wraps it into the plugin vtable.
 *
 * Tape: for a recorded unroll of T steps it keeps the T+1 states
 * (h_l, c_l for every layer; state 0 is the one carried in, a constant for
 * backward: truncated BPTT) and the T gradient inputs, and recomputes the
 * gate pre-activations in backward with the same sgemm as forward. Bytes
 * per coordinate per step: 4·(2·L·H + 1), i.e. 324 for L = 2, H = 20. */
#ifndef L2L_LSTM_NET_H
#define L2L_LSTM_NET_H
#include <stddef.h>
#include "lstm_kernels.h"

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
    float *xh;        /* (n, rows) [x_l, h_l, 1] of the layer being computed */
    float *A;         /* (n, 4H) gate pre-activations, then their gradient */
    double *scratch;  /* fixed-order reductions (lstm_scratch_len) */

    int cap, T;       /* tape capacity (steps) and steps recorded */
    float *tape;      /* (cap+1, L, 2, n, H) states */
    float *tgrad;     /* (cap, n) gradient inputs */
    float *dstate;    /* (L, 2, n, H) dL/dh_l and dL/dc_l during backward */
};

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
#endif
