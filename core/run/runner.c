/* runner.c: the suite's work as independent tasks (one trajectory each),
 * run by a pool of threads; results land in preallocated slots so the
 * output is byte-identical whatever the number of threads. Each finished
 * task is also kept in the work area (resume_area.h), so a run interrupted and
 * started again redoes only the tasks that had not finished. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "dist.h"
#include "blas_threads.h"
#include "bytes.h"
#include "checkpoint.h"
#include "lock.h"
#include "meta_sets.h"
#include "interrupt.h"
#include "log.h"
#include "options.h"
#include "out_dir.h"
#include "resume_area.h"
#include "results.h"
#include "runner.h"
#include "runner_extra.h"
#include "runner_pool.h"
#include "seeds.h"
#include "trace.h"

long l2l_runner_test_stop_after;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int l2l_trajectory(const struct l2l_optimizee_ops *obj, void *problem, float *theta,
                   float *grad, size_t n, const struct l2l_optimizer_ops *opt, void *self,
                   long steps, struct run_out *out)
{
    (void)n;
    out->diverged_step = -1;
    out->final_loss = INFINITY;
    out->failed_hook = NULL;
    for (long t = 0; t <= steps; t++) {
        double loss;
        /* A signal stops a long trajectory at the next step, not its end. */
        if (l2l_interrupted())
            return L2L_EINTR;
        if (obj->loss_grad(problem, theta, &loss, t < steps ? grad : NULL) < 0) {
            out->failed_hook = "loss_grad";
            out->failed_step = t;
            return L2L_EPLUGIN;
        }
        if (out->loss)
            out->loss[t] = loss;
        /* Divergence is a result, not an error: record it and stop. */
        if (!isfinite(loss)) {
            out->diverged_step = t;
            return 0;
        }
        if (t == steps) {
            out->final_loss = loss;
            break;
        }
        if (opt->step(self, theta, grad) < 0) {
            out->failed_hook = "step";
            out->failed_step = t;
            return L2L_EPLUGIN;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- tasks */

/* Values for one task: the suite's, with the tuned option set to v. */
static struct l2l_value *task_values(const struct suite_optimizer *o, int grid_index, double v,
                                     char *text, size_t textlen)
{
    int n = l2l_options_count(o->plugin.u.opt->options);
    struct l2l_value *vals = malloc(sizeof *vals * (size_t)(n + 1));
    if (!vals)
        return NULL;
    memcpy(vals, o->values, sizeof *vals * (size_t)n);
    if (grid_index >= 0 && o->tune_index >= 0) {
        l2l_fmt(text, textlen, "%.9g", v);
        vals[o->tune_index].r = v;
        vals[o->tune_index].s = text; /* borrowed: the task's buffer */
    }
    return vals;
}

/* Says which hook of which plugin failed, in which run: one line, the
 * plugin's own message (err) last when it gave one. */
static void hook_failed(const struct suite *s, const struct task *t, const struct opt_result *r,
                        int optimizee, const char *hook, long step, const char *err)
{
    const struct suite_experiment *x = &s->experiments[t->exp];
    const struct suite_optimizee *e = &s->optimizees[x->optimizee];
    const struct suite_optimizer *o = &s->optimizers[r->optimizer];
    char at[64] = "", value[128] = "";
    if (step >= 0)
        l2l_fmt(at, sizeof at, " at step %ld", step);
    if (t->tuning && t->grid >= 0) /* which grid value was being tried */
        l2l_fmt(value, sizeof value, " (%s = %.9g)", o->plugin.u.opt->tunable,
                r->grid[t->grid].value);
    l2l_error("l2l: %s '%s' (plugin %s): %s failed%s in %s run %ld%s of experiment %s%s%s",
              optimizee ? "optimizee" : "optimizer", optimizee ? e->name : o->name,
              l2l_plugin_name(optimizee ? &e->plugin : &o->plugin), hook, at,
              t->tuning ? "tuning" : "evaluation", t->run, value, x->name, err[0] ? ": " : "", err);
}

int run_task(struct pool *p, const struct task *t)
{
    struct suite *s = p->s;
    const struct suite_experiment *x = &s->experiments[t->exp];
    struct opt_result *r = &p->res[t->exp].opt[t->slot];
    const struct suite_optimizer *o = &s->optimizers[r->optimizer];
    struct suite_optimizee *e = &s->optimizees[x->optimizee];
    const struct l2l_optimizee_ops *obj = e->plugin.u.obj;
    const struct l2l_optimizer_ops *opt = o->plugin.u.opt;
    size_t n = obj->n_params(e->family);
    const struct l2l_group *groups = NULL, all = {"all", 0, n};
    int n_groups = obj->groups ? obj->groups(e->family, &groups) : 0;
    if (n_groups <= 0) {
        groups = &all;
        n_groups = 1;
    }
    char err[L2L_ERRLEN] = "", text[64];
    int tuning = t->tuning;
    double v = t->grid >= 0 ? r->grid[t->grid].value : 0;
    struct l2l_value *vals = task_values(o, t->grid, v, text, sizeof text);
    float *theta = malloc(sizeof(float) * n), *grad = malloc(sizeof(float) * n);
    void *self = NULL, *problem = NULL;
    int rc = L2L_EPLUGIN;
    if (!vals || !theta || !grad) {
        l2l_error("l2l: out of memory for run %ld of experiment %s", t->run, x->name);
        rc = L2L_ENOMEM;
        goto out;
    }
    /* A learned optimizer: one object per set of φ, driven as one (meta_sets.h). */
    struct l2l_sets_ops so;
    if (o->learned) {
        l2l_sets_ops_init(&so, opt);
        self = l2l_sets_create(opt, &o->sets, vals, n, groups, n_groups, err, sizeof err);
        opt = &so.ops;
    } else {
        self = opt->create(vals, n, groups, n_groups, err, sizeof err);
    }
    if (!self) {
        hook_failed(s, t, r, 0, "create", -1, err);
        goto out;
    }
    if (p->phi[r->optimizer])
        memcpy(opt->learned->meta(self), p->phi[r->optimizer],
               sizeof(float) * opt->learned->n_meta(self));
    struct l2l_rng rng;
    l2l_rng_for(&rng, s->seed, tuning ? L2L_SEED_TUNE : L2L_SEED_EVAL, (uint64_t)t->exp,
                (uint64_t)t->run);
    problem = obj->problem_new(e->family, &rng, theta, err, sizeof err);
    if (!problem) {
        hook_failed(s, t, r, 1, "problem_new", -1, err);
        goto out;
    }
    opt->reset(self);
    long steps = tuning ? x->tune_steps : t->horizon > 1 ? t->horizon * x->steps : x->steps;
    int trc = t->trace ? l2l_trace_trajectory(obj, problem, theta, grad, n, opt, self, steps,
                                              t->out, t->trace)
                       : l2l_trajectory(obj, problem, theta, grad, n, opt, self, steps, t->out);
    if (trc == L2L_EINTR) {
        rc = L2L_EINTR; /* said once by l2l_run_suite */
        goto out;
    }
    if (trc < 0) {
        const char *hook = t->out->failed_hook ? t->out->failed_hook : "a hook";
        hook_failed(s, t, r, strcmp(hook, "step") != 0, hook, t->out->failed_step, "");
        goto out;
    }
    t->out->eval_loss = t->out->eval_accuracy = NAN;
    if (!tuning && !t->horizon && !t->trace && t->out->diverged_step < 0) {
        struct l2l_eval ev = {NAN, NAN};
        if (obj->evaluate) {
            if (obj->evaluate(problem, theta, &ev) < 0) {
                hook_failed(s, t, r, 1, "evaluate", -1, "");
                goto out;
            }
        } else {
            ev.loss = t->out->final_loss;
        }
        t->out->eval_loss = ev.loss;
        t->out->eval_accuracy = ev.accuracy;
    }
    rc = 0;
out:
    if (problem)
        obj->problem_free(problem);
    if (self)
        opt->destroy(self);
    free(theta);
    free(grad);
    free(vals);
    return rc;
}

void pool_progress(struct pool *p)
{
    if (p->quiet || !isatty(2))
        return;
    double el = now() - p->started;
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
    if (l2l_runner_test_stop_after > 0 && p->saved >= l2l_runner_test_stop_after)
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
        double t0 = now(), c0 = pool_cpu_now(p->jobs);
        int rc = run_task(p, t);
        pool_finish(p, t, rc, now() - t0, pool_cpu_now(p->jobs) - c0);
    }
    return NULL;
}

static int run_pool(struct pool *p, int jobs)
{
    p->next = p->done = 0;
    p->started = now();
    pthread_t th[64];
    if (jobs < 1)
        jobs = 1;
    if (jobs > 64)
        jobs = 64;
    p->jobs = jobs;
    /* One BLAS thread per run, whatever -j (blas_threads.h): the CSV must
     * be byte-identical for every -j. Parallelism comes from the runs. */
    int blas_threads = l2l_blas_one_thread();
    /* Under MPI (runner_dist.c): rank 0 hands the tasks out and keeps the
     * results; its own threads run tasks too. */
    int dist = l2l_dist_size() > 1, rc;
    if (dist && l2l_dist_rank() > 0) {
        rc = pool_remote(p, jobs);
        l2l_blas_restore(blas_threads);
        return l2l_dist_agree(rc); /* rank 0's verdict: it has every result */
    }
    int started = 0;
    for (int k = dist ? 0 : 1; k < jobs; k++)
        if (pthread_create(&th[started], NULL, pool_worker, p) == 0)
            started++;
    rc = dist ? pool_serve(p, jobs) : 0;
    if (!dist)
        pool_worker(p);
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    l2l_blas_restore(blas_threads);
    if (rc == 0)
        rc = l2l_interrupted() ? L2L_EINTR : p->failed;
    return dist ? l2l_dist_agree(rc) : rc;
}

/* ------------------------------------------------------------ phases */

static struct run_out *alloc_runs(long n, long steps)
{
    struct run_out *runs = calloc((size_t)n, sizeof *runs);
    for (long k = 0; runs && k < n; k++) {
        runs[k].steps = steps;
        runs[k].loss = malloc(sizeof(double) * (size_t)(steps + 1));
        if (!runs[k].loss) {
            for (long j = 0; j < k; j++)
                free(runs[j].loss);
            free(runs);
            return NULL;
        }
    }
    return runs;
}

static void free_runs(struct run_out *runs, long n)
{
    for (long k = 0; runs && k < n; k++)
        free(runs[k].loss);
    free(runs);
}

static int open_families(struct suite *s)
{
    for (int k = 0; k < s->n_optimizees; k++) {
        struct suite_optimizee *e = &s->optimizees[k];
        char err[L2L_ERRLEN] = "";
        if (e->family)
            continue;
        e->family = e->plugin.u.obj->open(e->values, err, sizeof err);
        if (!e->family) {
            l2l_error("%s:%d: [optimizee %s] %s", s->path, e->line, e->name, err);
            return L2L_EINPUT;
        }
    }
    return 0;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* What to do with a learned optimizer's checkpoint before evaluation:
 * 0 use it, 1 train it (missing, unfinished, or a training to resume),
 * < 0 refuse (unreadable: a user's file is never overwritten). */
static int needs_training(const struct suite *s, const struct suite_optimizer *o, int quiet)
{
    if (!o->learned || o->train_on < 0)
        return 0;
    char state[4200];
    l2l_fmt(state, sizeof state, "%s.state", o->checkpoint);
    if (!file_exists(o->checkpoint))
        return 1;
    struct l2l_checkpoint ck;
    char err[L2L_ERRLEN] = "";
    if (l2l_checkpoint_read(o->checkpoint, &ck, err, sizeof err) < 0) {
        l2l_error("%s:%d: [optimizer %s] %s", s->path, o->line, o->name, err);
        return L2L_EINPUT;
    }
    int finished = ck.status.finished;
    if (!finished && !file_exists(state) && !quiet)
        l2l_info("l2l: %s: its training stopped at epoch %lld of %lld and left no %s: training it again "
                 "from the start", o->checkpoint, (long long)ck.status.epochs_done,
                 (long long)ck.status.epochs_planned, state);
    l2l_checkpoint_clear(&ck);
    if (finished && file_exists(state) && !quiet) /* a finish interrupted before the state went, or the user's */
        l2l_warn("l2l: %s is beside a finished checkpoint, which is used as it is: the state is ignored "
                 "(delete it)", state);
    return !finished;
}

/* rc of the first rank of g on all its ranks (g NULL: rc). */
static int group_agree(const struct l2l_dist_group *g, int rc)
{
    if (g && g->size > 1 && l2l_dist_bcast(g, &rc, sizeof rc, 0) < 0)
        return L2L_EIO;
    return rc;
}

/* Meta-trains o under a lock on its checkpoint (CKPT.lock), so that two
 * l2l never train one checkpoint at once; the log goes to OUT. Under MPI
 * the ranks of g train it together (runner_train.c), and their first
 * rank alone takes the lock and writes. */
static int train_one(struct suite *s, struct suite_optimizer *o, const struct run_options *ro,
                     const struct l2l_dist_group *g)
{
    char lock_path[4200], log_csv[4096], note[1024], err[2 * L2L_ERRLEN] = "";
    struct l2l_lock lk = {.fd = -1};
    int leader = !g || g->rank == 0;
    int rc = leader ? l2l_mkdir_parent(o->checkpoint, err, sizeof err) : 0;
    if (rc < 0)
        l2l_error("l2l: meta-training %s: %s", o->name, err);
    l2l_fmt(lock_path, sizeof lock_path, "%s.lock", o->checkpoint);
    if (rc == 0 && leader && (rc = l2l_lock_take(&lk, lock_path, o->checkpoint, err, sizeof err)) < 0) {
        if (rc == L2L_EINPUT)
            l2l_error("l2l: meta-training %s: %s: wait for it to finish", o->name, err);
        else
            l2l_error("l2l: meta-training %s: %s", o->name, err);
    }
    if ((rc = group_agree(g, rc)) < 0)
        return rc;
    /* trained meanwhile by the l2l that held the lock? */
    if ((rc = group_agree(g, leader ? needs_training(s, o, 1) : 0)) <= 0) {
        l2l_lock_release(&lk);
        return rc;
    }
    struct suite_optimizee *e = &s->optimizees[o->train_on];
    l2l_fmt(log_csv, sizeof log_csv, "%s/meta_%s.csv", ro->out_dir, o->name);
    l2l_fmt(note, sizeof note, "suite %s, optimizee %s (plugin %s), seed %llu", s->name,
            e->name, l2l_plugin_name(&e->plugin), (unsigned long long)s->seed);
    struct l2l_meta_job job = {
        .name = o->name, .opt = o->plugin.u.opt, .opt_values = o->values, .sets = &o->sets,
        .obj = e->plugin.u.obj, .family = e->family, .trained_on = note,
        .cfg = o->meta, .seed = s->seed, .checkpoint_path = o->checkpoint,
        .log_csv_path = log_csv, .progress = !ro->quiet, .group = g,
    };
    if (leader)
        l2l_info("l2l: meta-training %s on %s (%ld epochs of %ld steps, unroll %ld)%s", o->name,
                 e->name, o->meta.epochs, o->meta.steps, o->meta.unroll, train_ranks_note(g));
    double t0 = now();
    rc = l2l_meta_train(&job, err, sizeof err);
    if (rc < 0 && leader)
        l2l_error("l2l: meta-training %s: %s", o->name, err);
    else if (rc == 0 && leader && (rc = l2l_out_meta_stamp(ro->out_dir, o->name, o->checkpoint)) == 0)
        l2l_info("l2l: meta-trained %s in %.1f s; φ in %s", o->name, now() - t0, o->checkpoint);
    rc = group_agree(g, rc); /* the checkpoint is written when its writer says so */
    l2l_lock_release(&lk);
    return rc;
}

/* Meta-trains each learned optimizer whose checkpoint is missing or
 * unfinished (resuming from its .state file when there is one). */
static int train_missing(struct suite *s, const struct run_options *ro)
{
    int *todo = calloc((size_t)s->n_optimizers + 1, sizeof *todo), n = 0, rc = 0;
    if (!todo) {
        l2l_error("l2l: out of memory");
        return L2L_ENOMEM;
    }
    for (int k = 0; k < s->n_optimizers && rc == 0; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        if (!o->learned || o->train_on < 0)
            continue;
        int need = needs_training(s, o, 0);
        if (need < 0)
            rc = need;
        else if (need)
            todo[n++] = k;
    }
    if (rc == 0 && n > 0 && l2l_dist_size() > 1) /* spread over the ranks */
        rc = train_ranks(s, ro, todo, n, train_one);
    for (int j = 0; rc == 0 && n > 0 && l2l_dist_size() == 1 && j < n; j++) {
        if (l2l_results_mkdir(ro->out_dir) < 0)
            rc = L2L_EIO;
        else
            rc = train_one(s, &s->optimizers[todo[j]], ro, NULL);
    }
    free(todo);
    if (rc == 0 && !n && ro->train_only)
        l2l_info("l2l: nothing to train: every learned optimizer of %s has a finished checkpoint "
                 "(delete one to train it again)", s->path);
    return rc;
}

/* Loads φ of every learned optimizer from its checkpoint, but those loaded
 * already and, before_training, those still to be meta-trained. */
static int load_phis(struct suite *s, float **phi, int before_training)
{
    for (int k = 0; k < s->n_optimizers; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        if (!o->learned || phi[k] || (before_training && needs_training(s, o, 1) > 0))
            continue;
        char err[L2L_ERRLEN] = "";
        size_t m = 0;
        int rc = l2l_sets_load(o->checkpoint, o->plugin.u.opt, &o->sets, o->values, &phi[k], &m, err,
                               sizeof err);
        if (rc == L2L_ENOMEM) {
            l2l_error("l2l: out of memory (φ of optimizer %s)", o->name);
            return rc;
        }
        if (rc < 0) {
            l2l_error("%s:%d: [optimizer %s] %s", s->path, o->line, o->name, err);
            return L2L_EINPUT;
        }
    }
    return 0;
}

static int setup_results(struct suite *s, struct exp_result *res)
{
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        res[e].n = x->n_optimizers;
        res[e].opt = calloc((size_t)x->n_optimizers + 1, sizeof *res[e].opt);
        if (!res[e].opt) {
            l2l_error("l2l: out of memory (results of experiment %s)", x->name);
            return L2L_ENOMEM;
        }
        for (int j = 0; j < x->n_optimizers; j++) {
            struct opt_result *r = &res[e].opt[j];
            const struct suite_optimizer *o = &s->optimizers[x->optimizers[j]];
            r->optimizer = x->optimizers[j];
            r->tuned = o->tune_index >= 0 && o->n_grid > 1;
            r->n_grid = r->tuned ? o->n_grid : 0;
            for (int g = 0; g < r->n_grid; g++)
                r->grid[g].value = o->grid[g];
            r->n_runs = x->runs;
            r->runs = alloc_runs(x->runs, x->steps);
            if (!r->runs) {
                l2l_error("l2l: out of memory (experiment %s: %ld runs of %ld steps, %.3g bytes of "
                          "loss curves for optimizer %s)", x->name, x->runs, x->steps,
                          8.0 * (double)x->runs * (double)(x->steps + 1), o->name);
                return L2L_ENOMEM;
            }
        }
    }
    return 0;
}

static void free_results(struct suite *s, struct exp_result *res)
{
    for (int e = 0; res && e < s->n_experiments; e++)
        for (int j = 0; res[e].opt && j < res[e].n; j++)
            free_runs(res[e].opt[j].runs, res[e].opt[j].n_runs), l2l_extra_free(&res[e].opt[j]);
    for (int e = 0; res && e < s->n_experiments; e++)
        free(res[e].opt);
    free(res);
}

/* Fills the slots of the tasks kept in the work area and gives the pool
 * the others (a copy of all[n], which the caller keeps). */
static int take_kept(struct pool *p, const struct task *all, long n)
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

/* Tuning: every grid value on tune_runs problems disjoint from evaluation;
 * the best mean final loss wins, a diverged run counts as +inf. */
static int tune(struct pool *p, int jobs)
{
    struct suite *s = p->s;
    long n = 0;
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++)
            n += (long)p->res[e].opt[j].n_grid * s->experiments[e].tune_runs;
    if (n == 0)
        return 0;
    struct task *all = calloc((size_t)n, sizeof *all);
    struct run_out *outs = calloc((size_t)n, sizeof *outs);
    if (!all || !outs) {
        free(all);
        free(outs);
        l2l_error("l2l: out of memory (a list of %ld tuning runs)", n);
        return L2L_ENOMEM;
    }
    long k = 0;
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++)
            for (int g = 0; g < p->res[e].opt[j].n_grid; g++)
                for (long r = 0; r < s->experiments[e].tune_runs; r++, k++) {
                    outs[k].steps = s->experiments[e].tune_steps; /* no curve kept */
                    all[k] = (struct task){e, j, 1, g, r, &outs[k], 0, NULL};
                }
    int rc = take_kept(p, all, n);
    if (rc == 0) {
        l2l_info("l2l: tuning: %ld runs", n);
        rc = run_pool(p, jobs);
    }
    /* Summed in task order, kept or not: the same bits for any -j. */
    for (k = 0; rc == 0 && k < n; k++) {
        struct opt_result *r = &p->res[all[k].exp].opt[all[k].slot];
        struct grid_point *gp = &r->grid[all[k].grid];
        gp->mean_final_loss += outs[k].final_loss / (double)s->experiments[all[k].exp].tune_runs;
        gp->diverged_runs += outs[k].diverged_step >= 0;
    }
    for (int e = 0; rc == 0 && e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++) {
            struct opt_result *r = &p->res[e].opt[j];
            for (int g = 1; g < r->n_grid; g++)
                if (r->grid[g].mean_final_loss < r->grid[r->chosen].mean_final_loss)
                    r->chosen = g;
        }
    free(outs);
    free(all);
    free(p->tasks);
    p->tasks = NULL;
    return rc;
}

static int evaluate(struct pool *p, int jobs)
{
    struct suite *s = p->s;
    long n = 0;
    for (int e = 0; e < s->n_experiments; e++)
        n += (long)p->res[e].n * s->experiments[e].runs;
    struct task *all = calloc((size_t)n + 1, sizeof *all);
    if (!all) {
        l2l_error("l2l: out of memory (a list of %ld runs)", n);
        return L2L_ENOMEM;
    }
    long k = 0;
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < p->res[e].n; j++)
            for (long r = 0; r < s->experiments[e].runs; r++, k++)
                all[k] = (struct task){e, j, 0, p->res[e].opt[j].tuned ? p->res[e].opt[j].chosen : -1,
                                       r, &p->res[e].opt[j].runs[r], 0, NULL};
    int rc = take_kept(p, all, n);
    if (rc == 0) {
        l2l_info("l2l: evaluation: %ld runs", n);
        rc = run_pool(p, jobs);
    }
    free(all);
    free(p->tasks);
    p->tasks = NULL;
    return rc;
}

/* Horizon runs (k x steps for each k > 1 of `horizons`) and the traced
 * first runs of the experiments that ask for them: the same problems as
 * evaluation, the tuned values; after that the probe of each optimizer's
 * step cost. Their buffers are made by runner_extra.c. */
static int evaluate_extra(struct pool *p, int jobs)
{
    struct suite *s = p->s;
    long n = 0, n_trace = 0;
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        for (int j = 0; j < p->res[e].n; j++) {
            int rc = l2l_extra_setup(s, e, &p->res[e].opt[j]);
            if (rc < 0)
                return rc;
        }
        n += (long)p->res[e].n * x->runs * (x->n_horizons - (x->n_horizons && x->horizon[0] == 1));
        n_trace += x->trace ? p->res[e].n : 0;
    }
    struct task *all = calloc((size_t)(n + n_trace) + 1, sizeof *all);
    if (!all) {
        l2l_error("l2l: out of memory (a list of %ld runs)", n);
        return L2L_ENOMEM;
    }
    long k = 0, kt = n;
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        for (int j = 0; j < p->res[e].n; j++) {
            struct opt_result *r = &p->res[e].opt[j];
            int g = r->tuned ? r->chosen : -1;
            for (int h = 0; h < x->n_horizons; h++)
                for (long run = 0; x->horizon[h] > 1 && run < x->runs; run++)
                    all[k++] = (struct task){e, j, 0, g, run, &r->hruns[h * x->runs + run],
                                             x->horizon[h], NULL};
            if (x->trace)
                all[kt++] = (struct task){e, j, 0, g, 0, &r->trace_out, 0, r->trace};
        }
    }
    int rc = n ? take_kept(p, all, n) : 0;
    if (rc == 0 && n) {
        l2l_info("l2l: horizons: %ld runs", n);
        rc = run_pool(p, jobs);
    }
    free(p->tasks);
    p->tasks = NULL;
    /* The traced runs and the cost probe on rank 0 only, in this thread:
     * a trace stays in the process that records it, and the probe times
     * one thread. Few runs (one per optimizer), kept nowhere. */
    int here = l2l_dist_rank() == 0;
    if (rc == 0 && n_trace && here)
        l2l_info("l2l: traces: %ld runs", n_trace);
    int blas_threads = l2l_blas_one_thread(); /* as in run_pool: the same bits */
    for (long t = n; rc == 0 && here && t < n + n_trace; t++) {
        if (l2l_interrupted()) {
            rc = L2L_EINTR;
            break;
        }
        rc = run_task(p, &all[t]);
    }
    l2l_blas_restore(blas_threads);
    free(all);
    for (int e = 0; rc == 0 && here && e < s->n_experiments; e++)
        for (int j = 0; rc == 0 && j < p->res[e].n; j++) {
            struct opt_result *r = &p->res[e].opt[j];
            l2l_extra_fill_base(s, e, r);
            rc = l2l_cost_probe(s, e, r, p->phi[r->optimizer]);
        }
    return rc;
}


/* "name=value ..." as used, the tuned value marked with '*'. */
static void describe_hyper(const struct suite_optimizer *o, struct opt_result *r)
{
    const struct l2l_option *table = o->plugin.u.opt->options;
    size_t used = 0;
    r->hyper[0] = 0;
    for (int k = 0; table[k].name && used < sizeof r->hyper; k++) {
        char v[64];
        const char *text = o->values[k].s ? o->values[k].s : "";
        if (r->tuned && k == o->tune_index) {
            l2l_fmt(v, sizeof v, "%.9g*", r->grid[r->chosen].value);
            text = v;
        }
        int w = snprintf(r->hyper + used, sizeof r->hyper - used, "%s%s=%s", k ? " " : "",
                         table[k].name, text);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Tuning and evaluation runs of the suite, all told. */
static long count_runs(const struct suite *s, const struct exp_result *res)
{
    long n = 0;
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < res[e].n; j++)
            n += (long)res[e].opt[j].n_grid * s->experiments[e].tune_runs + s->experiments[e].runs;
    return n;
}

/* Opens the work area for this suite; says how much is kept from before. */
static int open_work(struct suite *s, const struct run_options *ro, struct exp_result *res,
                     struct l2l_partial *w, long *n_runs)
{
    char err[L2L_ERRLEN] = "";
    char *fp = l2l_run_fingerprint(s, err, sizeof err);
    if (!fp) {
        l2l_error("l2l: %s", err);
        return L2L_EIO;
    }
    long kept = 0;
    int rc = l2l_partial_open(w, ro->out_dir, fp, &kept);
    free(fp);
    *n_runs = count_runs(s, res);
    /* Nor may an earlier run's report pass for this one's. */
    static const char *const stale[] = {"index.html", "report.md"};
    for (int k = 0; rc == 0 && k < 2; k++) {
        char path[4200];
        l2l_fmt(path, sizeof path, "%s/%s", ro->out_dir, stale[k]);
        if (unlink(path) < 0 && errno != ENOENT) {
            l2l_error("l2l: cannot remove the old %s: %s", path, strerror(errno));
            rc = L2L_EIO;
        }
    }
    if (rc == 0 && kept > 0)
        l2l_info("l2l: resuming: %ld of %ld runs already done (kept in %s)", kept, *n_runs, w->dir);
    return rc;
}

int l2l_run_suite(struct suite *s, const struct run_options *ro)
{
    l2l_interrupt_catch();

    struct exp_result *res = NULL;
    float **phi = calloc((size_t)s->n_optimizers + 1, sizeof *phi);
    struct pool p = {.s = s, .phi = phi, .quiet = ro->quiet};
    struct l2l_partial work;
    long n_runs = 0;
    pthread_mutex_init(&p.lock, NULL);
    int rc = phi ? open_families(s) : L2L_ENOMEM;
    if (!phi)
        l2l_error("l2l: out of memory (results of %d optimizers)", s->n_optimizers);
    /* Checkpoints there are already are read before any meta-training, so
     * a bad one is refused before minutes of work, not after. */
    if (rc == 0 && !ro->train_only)
        rc = load_phis(s, phi, 1);
    if (rc == 0)
        rc = train_missing(s, ro);
    if (rc < 0 || ro->train_only)
        goto free_all;

    p.res = res = calloc((size_t)s->n_experiments + 1, sizeof *res);
    rc = !res ? L2L_ENOMEM : 0;
    if (rc < 0)
        l2l_error("l2l: out of memory (results of %d experiments)", s->n_experiments);
    if (rc == 0)
        rc = load_phis(s, phi, 0);
    if (rc == 0)
        rc = setup_results(s, res);
    /* Under MPI rank 0 alone keeps the work area and writes the results. */
    int leader = l2l_dist_rank() == 0;
    if (rc == 0 && leader && (rc = open_work(s, ro, res, &work, &n_runs)) == 0)
        p.work = &work;
    rc = l2l_dist_agree(rc);
    if (rc == 0)
        rc = tune(&p, ro->jobs);
    if (rc == 0)
        rc = evaluate(&p, ro->jobs);
    if (rc == 0)
        rc = evaluate_extra(&p, ro->jobs);
    if (rc == 0) {
        for (int e = 0; e < s->n_experiments; e++)
            for (int j = 0; j < res[e].n; j++) {
                struct opt_result *r = &res[e].opt[j];
                describe_hyper(&s->optimizers[r->optimizer], r);
            }
        rc = leader ? l2l_results_write(s, res, ro->out_dir) : 0;
    }
    if (rc == 0 && p.work && !ro->keep_work && l2l_partial_remove(p.work) < 0)
        rc = L2L_EIO;
    if (rc == L2L_EINTR && p.work)
        l2l_error("l2l: interrupted: no results were written; %ld of %ld runs are kept in %s: run "
                  "the same command again to do the rest", p.kept, n_runs, work.dir);
    else if (rc == L2L_EINTR && leader)
        l2l_error("l2l: interrupted: no results were written; run the same command again");
free_all:
    pthread_mutex_destroy(&p.lock);
    for (int k = 0; phi && k < s->n_optimizers; k++)
        free(phi[k]);
    free(phi);
    free_results(s, res);
    l2l_interrupt_release();
    return rc;
}

int l2l_run_done(const char *out_dir)
{
    struct l2l_partial w;
    l2l_fmt(w.dir, sizeof w.dir, "%s/.partial", out_dir);
    return l2l_partial_remove(&w);
}
