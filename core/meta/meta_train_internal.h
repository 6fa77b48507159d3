/* meta_train_internal.h: internal to the meta-trainer (meta_train.c, meta_epoch.c):
 * the trainer's objects and buffers, and the steps of its loop. */
#ifndef L2L_META_TRAINER_H
#define L2L_META_TRAINER_H
#include <signal.h>
#include <stdio.h>
#include "meta_state.h"
#include "meta_train.h"
#include "meta_unroll.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* Non-finite meta-gradients in a row before φ is rolled back. */
#define MAX_BAD 3

/* Set by SIGINT/SIGTERM (and job->stop_in_epoch): stop after the current unroll. */
extern volatile sig_atomic_t meta_stop_requested;

/* Threads for independent trajectories (instances, validation problems):
 * job->threads, at most n. Each thread works on its own objects; results
 * are reduced in a fixed order. */
static inline int meta_threads(const struct l2l_meta_job *job, long n)
{
#ifdef _OPENMP
    long t = job->threads > 1 ? job->threads : 1;
    return (int)(t < n ? t : n);
#else
    (void)job; (void)n;
    return 1;
#endif
}

static inline int meta_thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

struct meta_trainer {
    const struct l2l_meta_job *job;
    const struct l2l_meta_config *cfg;
    const struct l2l_learned_ops *l;
    size_t n_meta;
    long P;
    struct l2l_meta_inst *inst;  /* (P) training instances */
    struct l2l_meta_inst *vinst; /* (nv) validation, one per thread (plain step()) */
    int nv;
    struct l2l_meta_state st;    /* the state, as saved */
    struct l2l_meta_state snap;  /* st at the start of the current epoch */
    float *dphi;                 /* (n_meta) */
    float *dphis;                /* (P, n_meta) per-instance dφ */
    double *vals;                /* (max(P, valid_problems)) per-trajectory losses */
    int *rcs;                    /* (2 max(P, valid_problems)) status, then thread id */
    char *errs;                  /* (nv or P, L2L_ERRLEN) per-thread messages */
    char *state_path;
    char job_desc[4096];
    FILE *log;
    int progress_open;           /* a progress line without its newline is on stderr */
};

/* meta_setup.c. The job's settings make sense (0, or < 0 with err set). */
int meta_check_config(const struct l2l_meta_job *job, char *err, size_t errlen);
/* Objects, buffers, and the state: loaded from .state, or fresh (φ from
 * meta_init with the INIT stream). Sets *resumed. On failure the caller
 * still calls meta_trainer_free, which frees what was made. */
int meta_trainer_init(struct meta_trainer *tr, const struct l2l_meta_job *job, int *resumed,
                      char *err, size_t errlen);
void meta_trainer_free(struct meta_trainer *tr);

/* meta_dist.c: the job's ranks (job->group). This process writes the
 * files (checkpoint, state, log): 1 or 0. */
int meta_writer(const struct meta_trainer *tr);
/* This rank's share [lo, hi) of n trajectories. */
void meta_share(const struct meta_trainer *tr, long n, long *lo, long *hi);
/* Every rank ran its share of n trajectories into vals, rcs (and
 * rcs[k + n], the slot of its message in errs) and, when dphis is not
 * NULL, m floats each: afterwards every rank has all n and the first
 * failure's message, and the ranks agree whether to stop (SIGINT,
 * SIGTERM). Returns 1 to stop, 0, or < 0 (err set). */
int meta_gather(struct meta_trainer *tr, long n, float *dphis, size_t m, char *err, size_t errlen);
/* Whether any rank was asked to stop (1 or 0), agreed by all. */
int meta_stop_agreed(struct meta_trainer *tr);
/* CPU seconds spent by all the job's ranks, given this rank's. */
double meta_cpu_all(struct meta_trainer *tr, double mine);

/* φ of the trainer (its one owner) into the training objects. */
void meta_spread_phi(struct meta_trainer *tr);
/* The first failure among n trajectories (in order) into err. */
int meta_first_error(const struct meta_trainer *tr, long n, char *err, size_t errlen);
/* Validates the current φ; a new best is kept and written to the checkpoint. */
int meta_validate_and_save(struct meta_trainer *tr, long epoch, double *vloss, char *err, size_t errlen);
/* Writes the checkpoint (meta_checkpoint.c): the best φ marked unfinished
 * while training runs; when finished, the kept φ (best, or last) with the
 * training's cost. */
int meta_checkpoint_save(struct meta_trainer *tr, int finished, char *err, size_t errlen);
/* One epoch (see meta_epoch.c): 1 when a stop was requested, 0, or < 0. */
int meta_run_epoch(struct meta_trainer *tr, long epoch, double *meta_loss, double *grad_norm,
                   char *err, size_t errlen);
#endif
