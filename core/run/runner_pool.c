/* runner_pool.c: the pool of tasks a phase hands to threads (runner_pool.h):
 * taking the next task, finishing one (kept in the work area, counted,
 * progress), a worker thread's loop, and the tasks kept from an
 * interrupted run. */
#include <math.h>
#include <pthread.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "interrupt.h"
#include "log.h"
#include "resume_area.h"
#include "runner_pool.h"

double runner_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void pool_progress(struct pool *p)
{
    if (p->quiet || !isatty(2))
        return;
    double el = runner_now() - p->started;
    double left = p->done ? el * (double)(p->n_tasks - p->done) / (double)p->done : 0;
    fprintf(stderr, "\rl2l: %ld/%ld runs, %.0f s elapsed, about %.0f s left   ", p->done,
            p->n_tasks, el, left);
    if (p->done == p->n_tasks)
        fputc('\n', stderr);
}

/* The next task, or NULL when none is left (or a run failed, or a signal
 * came). */
const struct task *pool_take(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    long k = (p->failed || l2l_interrupted()) ? p->n_tasks : p->next++;
    pthread_mutex_unlock(&p->lock);
    return k < p->n_tasks ? &p->tasks[k] : NULL;
}

/* CPU seconds: of this thread when runs go in parallel (each on one BLAS
 * and one OpenMP thread), else of the process (a run's OpenMP threads). */
double pool_cpu_now(int jobs)
{
    struct timespec ts;
    clock_gettime(jobs > 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Tuning and evaluation runs are what an optimizer is charged (cost). */
static void count_cpu(struct opt_result *r, const struct task *t, double seconds)
{
    if (t->horizon || t->trace)
        return;
    if (t->tuning) {
        r->tune_cpu += seconds;
        r->tune_measured++;
    } else {
        r->eval_cpu += seconds;
        r->eval_measured++;
    }
}

/* A task ran (here or on another rank) with rc in dt seconds, dc of CPU:
 * kept in the work area and counted. */
void pool_finish(struct pool *p, const struct task *t, int rc, double dt, double dc)
{
    int saved = 0;
    if (rc == 0 && p->work && !t->trace) {
        struct l2l_task_key key = {t->tuning, t->exp, t->slot, t->grid, t->run, t->horizon};
        char err[L2L_ERRLEN] = "";
        rc = l2l_partial_save(p->work, &key, t->out, dt, err, sizeof err);
        if (rc < 0)
            l2l_error("l2l: %s", err);
        saved = rc == 0;
    }
    pthread_mutex_lock(&p->lock);
    if (!t->horizon && !t->trace)
        p->res[t->exp].opt[t->slot].wall_seconds += dt;
    if (rc == 0)
        count_cpu(&p->res[t->exp].opt[t->slot], t, dc);
    if (rc < 0 && rc != L2L_EINTR && !p->failed)
        p->failed = rc; /* the first failure's code decides the exit status */
    p->kept += saved;
    p->saved += saved;
    if (p->ro->stop_after_kept && p->ro->stop_after_kept(p->ro->stop_arg, p->saved))
        l2l_interrupt_raise();
    p->done++;
    pool_progress(p);
    pthread_mutex_unlock(&p->lock);
}

void *pool_worker(void *arg)
{
    struct pool *p = arg;
#ifdef _OPENMP
    /* Several runs at once: each runs its plugins' OpenMP regions on one
     * thread (the runs are the parallelism; results do not depend on it). */
    if (p->jobs > 1)
        omp_set_num_threads(1);
#endif
    const struct task *t;
    while ((t = pool_take(p))) {
        double t0 = runner_now(), c0 = pool_cpu_now(p->jobs);
        int rc = run_task(p, t);
        pool_finish(p, t, rc, runner_now() - t0, pool_cpu_now(p->jobs) - c0);
    }
    return NULL;
}

/* Fills the slots of the tasks kept in the work area and gives the pool
 * the others (a copy of all[n], which the caller keeps). */
int pool_take_kept(struct pool *p, const struct task *all, long n)
{
    p->tasks = malloc(sizeof *p->tasks * (size_t)(n + 1));
    if (!p->tasks) {
        l2l_error("l2l: out of memory (a list of %ld runs)", n);
        return L2L_ENOMEM;
    }
    long m = 0;
    for (long k = 0; k < n; k++) {
        const struct task *t = &all[k];
        struct l2l_task_key key = {t->tuning, t->exp, t->slot, t->grid, t->run, t->horizon};
        double seconds = 0;
        if (!t->trace && p->work && l2l_partial_load(p->work, &key, t->out, &seconds) == 1) {
            if (!t->horizon)
                p->res[t->exp].opt[t->slot].wall_seconds += seconds; /* the work it took */
            p->kept++;
        } else {
            p->tasks[m++] = *t;
        }
    }
    p->n_tasks = m;
    return 0;
}
