/* runner_dist.c: the runner's tasks over MPI ranks (docs/scale-out.md).
 * Rank 0 keeps the pool: its own threads take tasks from it, and its main
 * thread answers the other ranks, whose threads each ask for a task, run
 * it, and send the result back with their next request. Runs differ in
 * cost (optimizers, divergence), so the tasks are handed out one at a time
 * as ranks come free. Only rank 0 writes (OUT/.partial, the results): a
 * result is placed in the task's own slot, so the output is the same bits
 * whatever the number of ranks and threads. All ranks run the same binary:
 * messages are C structs. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "dist.h"
#include "log.h"
#include "runner_pool.h"

enum { TAG_REQUEST = 11, TAG_REPLY = 12 };
enum { ASK = 0, ASK_WITH_RESULT = 1, BYE = 2 };

/* A thread's request, with the result of its previous task (then n_loss
 * doubles of its curve follow). */
struct request {
    int32_t kind, rc;
    int64_t k;              /* the task's index in rank 0's pool */
    double dt, dc;          /* wall and CPU seconds the task took */
    int64_t diverged_step;
    double final_loss, eval_loss, eval_accuracy;
    int64_t n_loss;
};

/* Rank 0's answer: a task, or k < 0: no more. */
struct reply {
    int64_t k, run, steps, horizon;
    int32_t exp, slot, tuning, grid, curve;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A result from another rank into its task's slot, then counted as if run
 * here. */
static int take_result(struct pool *p, const struct request *q, size_t len, int src)
{
    if (q->k < 0 || q->k >= p->n_tasks || len != sizeof *q + sizeof(double) * (size_t)q->n_loss) {
        l2l_error("l2l: rank %d sent a malformed result (task %lld of %ld)", src, (long long)q->k,
                  p->n_tasks);
        return L2L_EIO;
    }
    const struct task *t = &p->tasks[q->k];
    struct run_out *o = t->out;
    o->diverged_step = q->diverged_step;
    o->final_loss = q->final_loss;
    o->eval_loss = q->eval_loss;
    o->eval_accuracy = q->eval_accuracy;
    if (o->loss && q->n_loss > 0 && q->n_loss <= o->steps + 1)
        memcpy(o->loss, q + 1, sizeof(double) * (size_t)q->n_loss);
    pool_finish(p, t, q->rc, q->dt, q->dc);
    return 0;
}

int pool_serve(struct pool *p, int jobs)
{
    long remote = (long)(l2l_dist_size() - 1) * jobs, stopped = 0;
    void *buf = NULL;
    size_t cap = 0, len = 0;
    int rc = 0;
    while (stopped < remote && rc == 0) {
        int src = -1;
        if ((rc = l2l_dist_recv(-1, TAG_REQUEST, &buf, &cap, &len, &src)) < 0)
            break;
        struct request q;
        if (len < sizeof q) {
            l2l_error("l2l: rank %d sent a malformed request (%zu bytes)", src, len);
            rc = L2L_EIO;
            break;
        }
        memcpy(&q, buf, sizeof q);
        if (q.kind == BYE) {
            stopped++;
            continue;
        }
        if (q.kind == ASK_WITH_RESULT && (rc = take_result(p, buf, len, src)) < 0)
            break;
        const struct task *t = pool_take(p);
        struct reply r;
        memset(&r, 0, sizeof r);
        r.k = -1;
        if (t) {
            r.k = t - p->tasks;
            r.run = t->run;
            r.steps = t->out->steps;
            r.horizon = t->horizon;
            r.exp = t->exp;
            r.slot = t->slot;
            r.tuning = t->tuning;
            r.grid = t->grid;
            r.curve = t->out->loss != NULL;
        } else {
            stopped++;
        }
        rc = l2l_dist_send(src, TAG_REPLY, &r, sizeof r);
    }
    free(buf);
    if (rc < 0)
        l2l_error("l2l: rank 0 lost contact with the other ranks; stopping");
    return rc;
}

/* ----------------------------------------------------- ranks above 0 */

struct remote {
    struct pool *p;
    pthread_mutex_t *mpi;   /* one request and its reply at a time per rank */
    struct request *msg;    /* header, then up to max_steps + 1 doubles */
    size_t msg_cap;
    long max_steps;
    int rc;
};

static void *remote_worker(void *arg)
{
    struct remote *w = arg;
#ifdef _OPENMP
    if (w->p->jobs > 1)
        omp_set_num_threads(1);
#endif
    struct request *q = w->msg;
    double *curve = (double *)(q + 1);
    void *buf = NULL;
    size_t cap = 0, len = 0;
    memset(q, 0, sizeof *q);
    q->kind = ASK;
    for (;;) {
        size_t n = sizeof *q + sizeof(double) * (size_t)q->n_loss;
        pthread_mutex_lock(w->mpi);
        int rc = l2l_dist_send(0, TAG_REQUEST, q, n);
        if (rc == 0)
            rc = l2l_dist_recv(0, TAG_REPLY, &buf, &cap, &len, NULL);
        pthread_mutex_unlock(w->mpi);
        struct reply r;
        if (rc == 0 && len != sizeof r)
            rc = L2L_EIO;
        if (rc < 0) {
            w->rc = rc;
            break;
        }
        memcpy(&r, buf, sizeof r);
        if (r.k < 0 || r.steps > w->max_steps)
            break;
        struct run_out out;
        memset(&out, 0, sizeof out);
        out.steps = r.steps;
        out.loss = r.curve ? curve : NULL;
        struct task t = {r.exp, r.slot, r.tuning, r.grid, (long)r.run, &out, (long)r.horizon, NULL};
        double t0 = now(), c0 = pool_cpu_now(w->p->jobs);
        rc = run_task(w->p, &t);
        double dc = pool_cpu_now(w->p->jobs) - c0;
        memset(q, 0, sizeof *q);
        q->kind = ASK_WITH_RESULT;
        q->rc = rc;
        q->k = r.k;
        q->dt = now() - t0;
        q->dc = dc;
        q->diverged_step = out.diverged_step;
        q->final_loss = out.final_loss;
        q->eval_loss = out.eval_loss;
        q->eval_accuracy = out.eval_accuracy;
        /* the curve up to its end or its divergence: the rest is unused */
        q->n_loss = !r.curve || rc < 0 ? 0 : out.diverged_step >= 0 ? out.diverged_step + 1 : r.steps + 1;
    }
    free(buf);
    return NULL;
}

int pool_remote(struct pool *p, int jobs)
{
    long max_steps = 0;
    for (int e = 0; e < p->s->n_experiments; e++) {
        const struct suite_experiment *x = &p->s->experiments[e];
        long longest = x->steps; /* a horizon run: k x steps */
        for (int h = 0; h < x->n_horizons; h++)
            if (x->horizon[h] * x->steps > longest)
                longest = x->horizon[h] * x->steps;
        if (longest > max_steps)
            max_steps = longest;
        if (x->tune_steps > max_steps)
            max_steps = x->tune_steps;
    }
    /* Without MPI_THREAD_SERIALIZED, one thread talks: the rank runs one. */
    int threads = l2l_dist_threads_ok() ? jobs : 1;
    struct remote *w = calloc((size_t)jobs, sizeof *w);
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    int *running = calloc((size_t)jobs, sizeof *running);
    pthread_mutex_t mpi;
    pthread_mutex_init(&mpi, NULL);
    int rc = 0, bye = 0;
    p->jobs = threads;
    for (int k = 0; k < jobs; k++) {
        if (!w || !th || !running || k >= threads) {
            bye++;
            continue;
        }
        w[k] = (struct remote){p, &mpi, NULL, 0, max_steps, 0};
        w[k].msg_cap = sizeof(struct request) + sizeof(double) * (size_t)(max_steps + 1);
        w[k].msg = malloc(w[k].msg_cap);
        if (!w[k].msg) {
            l2l_error("l2l: rank %d: out of memory (a loss curve of %ld steps)", l2l_dist_rank(), max_steps);
            rc = L2L_ENOMEM;
            bye++;
            continue;
        }
        /* the first thread is this one, started last */
        if (k > 0 && pthread_create(&th[k], NULL, remote_worker, &w[k]) != 0) {
            bye++;
            continue;
        }
        running[k] = 1;
    }
    /* threads that will never ask say so, or rank 0 would wait for them */
    struct request q;
    memset(&q, 0, sizeof q);
    q.kind = BYE;
    for (int k = 0; k < bye; k++) {
        pthread_mutex_lock(&mpi);
        if (l2l_dist_send(0, TAG_REQUEST, &q, sizeof q) < 0)
            rc = L2L_EIO;
        pthread_mutex_unlock(&mpi);
    }
    if (running && running[0])
        remote_worker(&w[0]);
    for (int k = 1; running && k < jobs; k++)
        if (running[k])
            pthread_join(th[k], NULL);
    for (int k = 0; w && k < jobs; k++) {
        if (w[k].rc < 0 && rc == 0)
            rc = w[k].rc;
        free(w[k].msg);
    }
    pthread_mutex_destroy(&mpi);
    free(w);
    free(th);
    free(running);
    return rc;
}
