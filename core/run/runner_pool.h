/* runner_pool.h: internal to the runner (core/run/runner*.c): the
 * suite's runs as tasks, and the pool that hands them to threads, here or
 * on other MPI ranks. */
#ifndef L2L_RUNNER_POOL_H
#define L2L_RUNNER_POOL_H
#include <pthread.h>
#include "resume_area.h"
#include "dist.h"
#include "runner.h"

struct l2l_trace;

struct task {
    int exp, slot;          /* experiment, position in its optimizer list */
    int tuning;             /* 1: a tuning run (its own problems and steps) */
    int grid;               /* grid index of the tuned value, -1 when not tuned */
    long run;               /* run index within its purpose */
    struct run_out *out;
    long horizon;           /* k > 1: a horizon run of k x steps (runner_extra.c) */
    struct l2l_trace *trace; /* record this run's updates (trace.h), never kept; rank 0 only */
};

struct pool {
    struct suite *s;
    struct exp_result *res;
    float **phi;            /* per optimizer: loaded meta-parameters or NULL */
    struct task *tasks;
    long n_tasks, next, done;
    pthread_mutex_t lock;
    int failed;             /* 0, or the first failed run's code (< 0) */
    int quiet;
    const struct run_options *ro; /* the caller's: stop_after_kept */
    int jobs;               /* runs at once (worker threads) */
    double started;
    const struct l2l_partial *work; /* where finished tasks are kept, or NULL */
    long kept;              /* tasks in the work area (loaded or saved) */
    long saved;             /* tasks saved by this process */
};

/* runner_task.c. One task into t->out: 0, L2L_EINTR, or < 0 (said). */
int run_task(struct pool *p, const struct task *t);

/* runner_pool.c. Monotonic seconds. */
double runner_now(void);
/* The next task to run, or NULL when none is left. */
const struct task *pool_take(struct pool *p);
/* A task ran with rc in dt seconds, dc of CPU: kept in the work area and
 * counted. */
void pool_finish(struct pool *p, const struct task *t, int rc, double dt, double dc);
/* CPU seconds of this thread (jobs > 1) or of the process. */
double pool_cpu_now(int jobs);
void pool_progress(struct pool *p);
/* A worker thread's loop: take, run, finish. */
void *pool_worker(void *arg);
/* Fills the slots of the tasks of all[0..n) kept in the work area and
 * gives the pool the others (a copy, freed by the phase: p->tasks).
 * Returns 0 or L2L_ENOMEM (said). */
int pool_take_kept(struct pool *p, const struct task *all, long n);

/* runner_threads.c. Runs the pool's tasks on `jobs` threads (and over the
 * MPI ranks): 0, L2L_EINTR, or the first failed task's code. */
int pool_run(struct pool *p, int jobs);

/* runner_dist.c. Rank 0: answers the other ranks' requests until every
 * task is done and each of their threads was told to stop. Returns 0 or
 * L2L_EIO. */
int pool_serve(struct pool *p, int jobs);
/* A rank > 0: `jobs` threads that ask rank 0 for tasks, run them and send
 * the results back. Returns 0 or < 0. */
int pool_remote(struct pool *p, int jobs);

/* runner_train.c. Trains the optimizers todo[0..n) over the ranks: the
 * ranks form min(n, ranks) groups, group j % groups training job j, each
 * job data-parallel over its group's ranks (meta_dist.c). Every rank
 * returns the same code: 0 when all were trained, else a failure's. */
typedef int (*train_fn)(struct suite *s, struct suite_optimizer *o, const struct run_options *ro,
                        const struct l2l_dist_group *g);
int train_ranks(struct suite *s, const struct run_options *ro, const int *todo, int n, train_fn train);
/* " over N ranks" for a group of N > 1 ranks, else "". */
const char *train_ranks_note(const struct l2l_dist_group *g);
#endif
