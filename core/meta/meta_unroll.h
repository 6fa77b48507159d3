/* meta_unroll.h: internal to the meta-trainer (and its tests): one
 * optimizee instance with its own optimizer object, and one truncated-BPTT
 * unroll over it. Not part of the plugin ABI. */
#ifndef L2L_META_UNROLL_H
#define L2L_META_UNROLL_H
#include <stddef.h>
#include "l2l/plugin.h"
#include "meta_sets.h"

/* One trajectory in progress: the problem, the optimizer object that owns
 * this trajectory's state (and a copy of φ), θ_t and ∇_t = ∇f(θ_t). ∇ at
 * the end of one unroll is the first gradient of the next: computed once. */
struct l2l_meta_inst {
    const struct l2l_optimizer_ops *opt; /* &sops.ops: the sets' composite */
    struct l2l_sets_ops sops;
    const struct l2l_optimizee_ops *obj;
    const void *family;
    void *self;        /* the composite optimizer object (owned, meta_sets.h) */
    void *problem;     /* current problem (owned), NULL before start */
    size_t n;          /* optimizee parameters */
    int cap;           /* largest unroll the buffers hold */
    float *theta;      /* (n) θ_t */
    float *grad;       /* (n) ∇_t */
    double loss;       /* f(θ_t) */
    float *update;     /* (n) g_t, scratch */
    float *grads;      /* (cap, n) ∇_{t+1} of each step of the unroll */
    float *dg;         /* (cap, n) dL/dg_t */
    /* second order (l2l_meta_inst_second_order), else NULL */
    int second_order;
    float *thetas;     /* (cap, n) θ_{t+1} of each step of the unroll */
    float *lam;        /* (n) λ_t = dL/dθ_t during backward */
    float *dgrad;      /* (n) dL/d∇_t from backward_step */
    float *hv;         /* (n) H_t·dgrad */
};

/* Creates the optimizer object, one φ per set of sets (NULL: the one set
 * `all`), and the buffers for unrolls of up to U steps. in->opt is then the
 * composite's vtable (meta_sets.h): call the object's hooks through it. */
int l2l_meta_inst_init_sets(struct l2l_meta_inst *in, const struct l2l_optimizer_ops *opt,
                            const struct l2l_sets *sets, const struct l2l_value *opt_values,
                            const struct l2l_optimizee_ops *obj, const void *family, int U,
                            char *err, size_t errlen);
/* The same with the one set `all`. */
int l2l_meta_inst_init(struct l2l_meta_inst *in, const struct l2l_optimizer_ops *opt,
                       const struct l2l_value *opt_values, const struct l2l_optimizee_ops *obj,
                       const void *family, int U, char *err, size_t errlen);
void l2l_meta_inst_free(struct l2l_meta_inst *in);

/* Turns on second-order meta-gradients (∂∇_t/∂φ followed through
 * ∇_t = ∇f(θ_t)) for this instance: needs the optimizer's backward_step and
 * the optimizee's replay_depth and hvp. Call before l2l_meta_inst_start.
 * Returns 0, or < 0 with err naming the missing hook. */
int l2l_meta_inst_second_order(struct l2l_meta_inst *in, char *err, size_t errlen);

/* Starts a new trajectory: draws a problem and θ0 from rng, resets the
 * optimizer's state and evaluates f(θ0), ∇f(θ0). */
int l2l_meta_inst_start(struct l2l_meta_inst *in, struct l2l_rng *rng, char *err, size_t errlen);

/* One unroll of u ≤ cap steps from the carried state (θ_0, ∇_0, optimizer
 * state), with φ as it is in in->self:
 *     for t < u: g_t = m(∇_t, h_t; φ) (step_record); θ_{t+1} = θ_t + g_t;
 *                (f_{t+1}, ∇_{t+1}) = loss_grad(θ_{t+1})
 *     L = Σ_{s=1..u} f(θ_s)          (θ_0 is a constant of this unroll)
 * Adds L to *meta_loss and, when dphi != NULL, backpropagates
 *     dL/dg_t = scale · a_{t+1},  a_s = Σ_{s'=s..u} ∇_{s'}   (∂∇/∂φ = 0)
 * through the optimizer, accumulating (+=) scale·dL/dφ into dphi (n_meta).
 * With second order (l2l_meta_inst_second_order) the adjoint of θ follows
 * ∇_t = ∇f(θ_t) too, one step at a time through backward_step:
 *     λ_u = scale·∇_u;  for t = u−1..0:  dg_t = λ_{t+1},
 *         dgrad_t = dL/d∇_t = backward_step(t, dg_t)   (dφ accumulated),
 *         λ_t = λ_{t+1} + scale·∇_t + H_t·dgrad_t      (t ≥ 1; θ_0, ∇_0 are
 *                                                      constants of the unroll)
 * with H_t·v from the optimizee's hvp on the minibatch of ∇_t (ago = u − t).
 * Without H (H = 0) this is the first-order dg_t, summed in the same order.
 * With dphi == NULL it only runs forward (the tape is left unused).
 * losses, when not NULL, receives f(θ_1..θ_u). The instance ends at θ_u,
 * ∇_u, with the optimizer's state carried over. */
int l2l_meta_unroll(struct l2l_meta_inst *in, int u, double scale, float *dphi,
                    double *meta_loss, double *losses, char *err, size_t errlen);
#endif
