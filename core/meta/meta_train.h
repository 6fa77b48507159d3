/* meta_train.h: meta-training of any learned optimizer plugin by truncated
 * backpropagation through time (Andrychowicz et al. 2016), with Adam on φ,
 * validation on held-out problems, best-φ checkpoints and resumption. */
#ifndef L2L_META_TRAIN_H
#define L2L_META_TRAIN_H
#include <stddef.h>
#include <stdint.h>
#include "l2l/plugin.h"
#include "meta_sets.h"

struct l2l_dist_group; /* dist.h */

/* The keys a learned optimizer's suite section takes besides its plugin's
 * own options (epochs, steps, unroll, meta_lr, ...). Table ends with NULL.
 * An epoch is one trajectory of `steps` steps on `problems` fresh instances,
 * cut into unrolls of `unroll` steps, one Adam step on φ per unroll. */
extern const struct l2l_option l2l_meta_options[];

/* What validation measures, per held-out problem (then averaged). */
enum l2l_valid_loss {
    L2L_VALID_MEAN = 0,        /* mean of f(θ_1..θ_T): the meta-objective */
    L2L_VALID_FINAL = 1,       /* f(θ_T): the paper's "final validation loss" */
    L2L_VALID_LAST_UNROLL = 2  /* mean of f over the last unroll's steps: the
                                * reference code's criterion (its summed cost
                                * of the last unroll, divided by U) */
};

struct l2l_meta_config {
    long epochs;        /* meta-training trajectories per problem batch */
    long steps;         /* T: optimizee steps per trajectory */
    long unroll;        /* U: steps per truncated-BPTT unroll */
    long problems;      /* optimizee instances per meta-step */
    double lr, beta1, beta2, eps; /* Adam on φ */
    double clip;        /* meta-gradient L2-norm clip; 0 = off */
    long valid_every;   /* K: validate every K epochs */
    long valid_problems;/* held-out instances for validation */
    int valid_loss;     /* enum l2l_valid_loss */
    int keep_last;      /* keep = last: the checkpoint ends with the last φ, not the best */
    int second_order;   /* follow ∂∇_t/∂φ through Hessian-vector products */
};

/* Fills cfg from values of l2l_meta_options (same order as the table). */
void l2l_meta_config_from_values(const struct l2l_value *values, struct l2l_meta_config *cfg);

/* One meta-training job: which optimizer on which optimizee family. */
struct l2l_meta_job {
    const char *name;                        /* suite section, for messages */
    const struct l2l_optimizer_ops *opt;
    const struct l2l_value *opt_values;      /* validated plugin options */
    const struct l2l_sets *sets;             /* one φ per set (meta_sets.h); NULL: the one set `all` */
    const struct l2l_optimizee_ops *obj;
    void *family;                            /* opened by the caller */
    const char *trained_on;                  /* note stored in the checkpoint */
    struct l2l_meta_config cfg;
    uint64_t seed;                           /* suite seed; streams derive from it */
    const char *checkpoint_path;             /* best φ is written here */
    const char *log_csv_path;                /* per-epoch log (see README) */
    int progress;                            /* progress line on stderr */
    /* Threads for independent trajectories (the instances of a meta-step,
     * the validation problems), each with its own optimizer object; 0 or 1:
     * one at a time (the plugin may still use threads inside). Results are
     * reduced in a fixed order. A plugin that calls a threaded BLAS should
     * then run it single-threaded (OPENBLAS_NUM_THREADS=1): OpenBLAS called
     * from several threads at once was 9x slower here. */
    int threads;
    /* MPI ranks sharing this job (dist.h), or NULL: this process alone.
     * Each rank runs its block of the problems of a meta-step (and of the
     * validation problems); every dφ is gathered and summed in problem
     * order, so φ is the same bits for any number of ranks. The group's
     * first rank alone writes the checkpoint, the .state file and the log. */
    const struct l2l_dist_group *group;
    /* Asked after each unroll (on every rank) with its epoch; nonzero
     * stops the training as SIGINT would (that epoch dropped, the state
     * saved, L2L_EINTR). NULL: never. The tests interrupt trainings so. */
    int (*stop_in_epoch)(void *arg, long epoch);
    void *stop_arg;
};

/* Trains, resuming from checkpoint_path's ".state" file when present, and
 * leaves the best φ (by validation loss) in checkpoint_path. Validation runs
 * at epoch 0 (the initial φ), every valid_every epochs and after the last.
 * The .state file is rewritten at each validation and on SIGINT/SIGTERM
 * (the interrupted epoch is dropped and redone on resume), removed after a
 * clean finish. Returns 0, or < 0 with err set (L2L_EINTR when interrupted,
 * state saved). */
int l2l_meta_train(const struct l2l_meta_job *job, char *err, size_t errlen);
#endif
