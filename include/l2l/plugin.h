/* l2l/plugin.h: the one header a plugin includes.
 *
 * An l2l-bench plugin is a shared object that exports exactly one data
 * symbol: `l2l_optimizer` (a struct l2l_optimizer_ops) or `l2l_optimizee`
 * (a struct l2l_optimizee_ops). The core dlopens it, checks abi_version and
 * the required hooks, then calls the hooks. A plugin includes nothing else
 * from the core: everything it may use is in this file (the option values,
 * the seeded random stream, the parameter groups).
 *
 * Conventions for every hook:
 *  - Functions return 0 on success or a negative value on error; on error
 *    they write a one-line message (no trailing newline) into err[errlen].
 *  - Arrays are float32, flat, length given by the shape comment.
 *  - "Required." hooks must be non-NULL; the core refuses the plugin
 *    otherwise. "Not required." hooks may be NULL.
 *  - Threads: the core may call hooks on different objects from different
 *    threads at once, never on the same object. A family (optimizee) is only
 *    read after open(), so problems of one family may run concurrently.
 */
#ifndef L2L_PLUGIN_H
#define L2L_PLUGIN_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change of the structs below. Version 2
 * (docs/architecture.md, "Plugin ABI 2"): the options that change a
 * learned update; optional hooks for
 * FLOP counts and state size, minibatch replay with Hessian-vector
 * products, and a per-step backward for second-order meta-gradients. A
 * plugin built against version 1 is refused by name: rebuild it. */
#define L2L_ABI_VERSION 2

#define L2L_ERRLEN 256

/* ---------------------------------------------------------------- options */

enum l2l_opt_type {
    L2L_OPT_INT,    /* whole number in [min, max] */
    L2L_OPT_REAL,   /* finite real in [min, max] */
    L2L_OPT_BOOL,   /* true/false/yes/no/1/0 */
    L2L_OPT_STRING, /* free text; or one of `choices` ("a|b|c") when set */
    L2L_OPT_LIST    /* comma-separated reals, each in [min, max], 1..64 items */
};

/* One row of a plugin's option table, declared once. The table ends with a
 * row whose name is NULL. `def` is parsed by the same code as user input;
 * def == NULL makes the option required. */
struct l2l_option {
    const char *name;
    enum l2l_opt_type type;
    const char *def;
    double min, max;     /* INT, REAL, LIST */
    const char *choices; /* STRING: "a|b|c", or NULL for free text */
    const char *help;    /* one line */
};

#define L2L_LIST_MAX 64

/* A validated value. Index k of the values array a plugin receives holds
 * the value of row k of its option table. Owned by the core, valid until
 * the plugin object is destroyed; copy what you keep longer. */
struct l2l_value {
    long i;          /* INT, BOOL (0/1) */
    double r;        /* REAL */
    const char *s;   /* STRING (also the raw text for every type) */
    int n;           /* LIST: number of items */
    double list[L2L_LIST_MAX]; /* LIST */
};

/* ------------------------------------------------------- random stream */

/* xoshiro256** seeded by splitmix64: fast, small, identical on every
 * platform. Every random draw of a plugin comes from a stream the core
 * derives from the suite seed, so runs repeat bit for bit. */
struct l2l_rng { uint64_t s[4]; };

static inline uint64_t l2l_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void l2l_rng_seed(struct l2l_rng *r, uint64_t seed)
{
    for (int k = 0; k < 4; k++)
        r->s[k] = l2l_splitmix64(&seed);
}

static inline uint64_t l2l_rng_u64(struct l2l_rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5, res = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return res;
}

/* A new independent stream from this one (for a sub-task, e.g. minibatches). */
static inline void l2l_rng_split(struct l2l_rng *r, struct l2l_rng *child)
{
    l2l_rng_seed(child, l2l_rng_u64(r));
}

/* Uniform in [0, 1), 53 random bits. */
static inline double l2l_rng_uniform(struct l2l_rng *r)
{
    return (double)(l2l_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [0, n), n > 0 (Lemire's method would be faster; the
 * modulo bias for n < 2^32 is below 2^-32 and irrelevant here). */
static inline uint64_t l2l_rng_below(struct l2l_rng *r, uint64_t n)
{
    return l2l_rng_u64(r) % n;
}

/* Standard normal by Box-Muller; no cached second value, so the stream's
 * position depends only on the number of calls. */
static inline double l2l_rng_normal(struct l2l_rng *r)
{
    double u1 = 1.0 - l2l_rng_uniform(r); /* (0, 1] */
    double u2 = l2l_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Normal truncated to [-2 std, 2 std] by redrawing (as TensorFlow's
 * truncated_normal, used by the paper's reference code). */
static inline double l2l_rng_truncnormal(struct l2l_rng *r, double std)
{
    for (;;) {
        double z = l2l_rng_normal(r);
        if (z >= -2.0 && z <= 2.0)
            return z * std;
    }
}

/* ------------------------------------------------------ parameter groups */

/* A named slice of θ, e.g. one per layer's weights. Groups are disjoint,
 * in order, and cover θ. */
struct l2l_group {
    const char *name;
    size_t offset, count;
};

/* ---------------------------------------------------------- optimizee */

/* Held-out metrics of θ; NAN where a metric does not apply. */
struct l2l_eval {
    double loss;
    double accuracy;
};

struct l2l_optimizee_ops {
    int abi_version;          /* L2L_ABI_VERSION. Required. */
    const char *name;         /* as written in suites. Required. */
    const char *version;      /* plugin's own version, in the manifest. Required. */
    const char *description;  /* one line for `l2l list`. Required. */
    const struct l2l_option *options; /* table ending with name NULL. Required. */

    /* A family of problems from validated options (e.g. a data set loaded
     * once). Read-only afterwards. Returns NULL with err set on failure.
     * Required. */
    void *(*open)(const struct l2l_value *opts, char *err, size_t errlen);
    /* Frees the family. Required. */
    void (*close)(void *family);
    /* Number of parameters n of every problem of the family. Required. */
    size_t (*n_params)(const void *family);
    /* Parameter groups; *groups points into the family (do not free).
     * Returns the count. Not required: one group "all" by default. */
    int (*groups)(const void *family, const struct l2l_group **groups);

    /* Draws a new problem instance and its initial θ0 (n) from rng. The
     * problem keeps its own stream (split from rng) for minibatches.
     * Returns NULL with err set on failure. Required. */
    void *(*problem_new)(const void *family, struct l2l_rng *rng,
                         float *theta0, char *err, size_t errlen);
    /* Frees a problem. Required. */
    void (*problem_free)(void *problem);
    /* Training loss and its gradient (n) at θ (n), on a fresh minibatch
     * where the family has data. grad may be NULL (loss only). Required. */
    int (*loss_grad)(void *problem, const float *theta, double *loss,
                     float *grad);
    /* Held-out metrics at θ (test data, or the exact loss). Not required:
     * without it the core reports the training loss and no accuracy. */
    int (*evaluate)(void *problem, const float *theta, struct l2l_eval *out);

    /* ---- ABI 2: optional hooks, all Not required. */
    /* Floating-point operations of one loss_grad call (loss and gradient),
     * for GFLOP/s in `l2l bench` and cost per step. 0 when unknown. */
    double (*flops)(const void *family);
    /* Minibatch replay for second-order meta-gradients: from now on the
     * problem keeps the minibatches of its last `depth` loss_grad calls
     * (depth 0: none, the default). Returns negative when it cannot. */
    int (*replay_depth)(void *problem, int depth);
    /* Hessian-vector product hv (n) = ∇²f(θ) v at θ (n), v (n), on the
     * minibatch of the loss_grad call made `ago` calls before the latest
     * (ago = 0: the latest; ago < the replay depth). Exact for problems
     * without data. */
    int (*hvp)(void *problem, int ago, const float *theta, const float *v, float *hv);
};

/* ---------------------------------------------------------- optimizer */

struct l2l_learned_ops;

struct l2l_optimizer_ops {
    int abi_version;          /* L2L_ABI_VERSION. Required. */
    const char *name;         /* Required. */
    const char *version;      /* Required. */
    const char *description;  /* Required. */
    const struct l2l_option *options; /* Required. */
    /* Name of the REAL option a suite may tune over a grid (usually "lr"),
     * or NULL when nothing is tunable. Not required. */
    const char *tunable;

    /* State for n parameters split into groups. Returns NULL with err set
     * on failure. Required. */
    void *(*create)(const struct l2l_value *opts, size_t n,
                    const struct l2l_group *groups, int n_groups,
                    char *err, size_t errlen);
    /* Required. */
    void (*destroy)(void *self);
    /* Forget all state: a new trajectory starts. Required. */
    void (*reset)(void *self);
    /* One step: θ (n) ← θ + update(∇ (n)). Returns 0, or negative when the
     * step cannot be taken. Non-finite values are not an error: the core
     * records divergence. Required. */
    int (*step)(void *self, float *theta, const float *grad);

    /* Hooks for meta-training; NULL for hand-designed optimizers. */
    const struct l2l_learned_ops *learned;

    /* ---- ABI 2: optional hooks, all Not required. */
    /* Floating-point operations of one step() over the object's n
     * coordinates, and of one recorded step plus its share of backward when
     * meta-training (0 for a hand-designed optimizer). 0 when unknown. */
    double (*flops)(const void *self, double *meta_step);
    /* Bytes of optimizer state per coordinate (moments, LSTM state), for
     * the cost tables; the tape of meta-training excluded. */
    double (*state_bytes)(const void *self);
};

/* What a learned optimizer adds so that the core can meta-train its
 * meta-parameters φ by truncated backpropagation through time.
 *
 * Sets of φ (suite keys `set.NAME = PATTERNS`, docs/architecture.md): the core gives each
 * set of parameter groups its own object, with its own φ, created over the
 * coordinates of those groups only; a plugin needs nothing for that.
 *
 * One unroll of U steps, as the core's meta-trainer drives it:
 *     tape_begin(self, U)
 *     for t in 0..U-1: step_record(self, t, θ_t, ∇_t, g_t); θ_{t+1} = θ_t + g_t
 *     backward(self, dg, dphi)   with dg (U, n): dg[t] = dL/dg_t
 * Optimizer state (e.g. LSTM hidden and cell) carries over to the next
 * unroll; reset() starts a new trajectory. ∇_t is a constant input
 * (∂∇_t/∂φ = 0), so no second derivatives of f are needed. */
struct l2l_learned_ops {
    /* Number of meta-parameters. Required. */
    size_t (*n_meta)(const void *self);
    /* φ (n_meta), owned by self; the core may read and write it between
     * unrolls (meta-optimizer steps, checkpoint loading). Required. */
    float *(*meta)(void *self);
    /* Initialise φ from rng, according to the plugin's options. Required. */
    void (*meta_init)(void *self, struct l2l_rng *rng);
    /* Words that describe the shape of φ (layers, units, variant ...),
     * written into checkpoints and compared on loading. Returns the count
     * (at most max). Required. */
    int (*shape)(const void *self, uint32_t *words, int max);
    /* Human-readable names of the shape words, for error messages; array
     * of at least as many strings as shape() returns. Required. */
    const char *const *shape_names;

    /* Starts recording an unroll of at most U steps. Returns negative when
     * memory for the tape cannot be had. Required. */
    int (*tape_begin)(void *self, int U);
    /* Forward step t of the unroll: writes the update g (n) for θ (n) and
     * ∇ (n) without applying it, and records what backward needs. The
     * plain step() is used outside meta-training. Required. */
    int (*step_record)(void *self, int t, const float *theta,
                       const float *grad, float *update);
    /* Backpropagates through the recorded steps (reverse order) given
     * dg (T, n) = dL/d(update_t), T being the number of steps recorded,
     * and accumulates (+=) dL/dφ into dphi (n_meta). Required. */
    int (*backward)(void *self, const float *dg, float *dphi);

    /* ---- ABI 2. */
    /* Names of the options whose value changes what the plugin computes
     * from φ (a scale, a preprocessing, a shape), NULL-terminated: recorded
     * in checkpoints, and a suite that sets another value is refused when it
     * loads one. Not required (NULL: only the shape words are compared). */
    const char *const *update_options;
    /* Second-order meta-gradients (suite key second_order = true) need the
     * backward one step at a time, because dL/d∇_t feeds H_t·(dL/d∇_t)
     * into the adjoint of θ_t before step t−1 is differentiated. Called for
     * t = T−1 down to 0 after an unroll of T recorded steps, in that order
     * and exactly once each: given dg_t (n) = dL/dg_t, accumulates (+=)
     * dL/dφ into dphi and writes dL/d∇_t into dgrad (n). The carried state
     * (dL/dh of step t) stays inside the object between calls. The core
     * passes the same dphi to every call of one backward and reads it only
     * after the call for t = 0, so a plugin may keep its partial sums until
     * then (the LSTM does, to sum in the order of its backward). Not
     * required; without it second_order is refused for this plugin. */
    int (*backward_step)(void *self, int t, const float *dg_t, float *dgrad, float *dphi);
};

/* The one symbol each plugin exports, depending on its kind. */
#define L2L_OPTIMIZER_SYMBOL "l2l_optimizer"
#define L2L_OPTIMIZEE_SYMBOL "l2l_optimizee"

#ifdef __cplusplus
}
#endif
#endif /* L2L_PLUGIN_H */
