/* runner.c: a suite's run from start to end (runner.h): meta-training
 * what is missing (runner_meta.c), then tuning, evaluation, horizons and
 * traces (runner_tune.c, runner_eval.c, runner_horizons.c), each phase's
 * work as independent tasks (one trajectory each, runner_task.c) run by a
 * pool of threads (runner_pool.c, runner_threads.c); results land in
 * preallocated slots so the output is byte-identical whatever the number
 * of threads. Each finished task is also kept in the work area
 * (resume_area.h), so a run interrupted and started again redoes only the
 * tasks that had not finished. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "dist.h"
#include "bytes.h"
#include "interrupt.h"
#include "log.h"
#include "out_dir.h"
#include "resume_area.h"
#include "results.h"
#include "runner.h"
#include "runner_extra.h"
#include "runner_phases.h"
#include "runner_pool.h"

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
    struct pool p = {.s = s, .phi = phi, .quiet = ro->quiet, .ro = ro};
    struct l2l_partial work;
    long n_runs = 0;
    pthread_mutex_init(&p.lock, NULL);
    int rc = phi ? open_families(s) : L2L_ENOMEM;
    if (!phi)
        l2l_error("l2l: out of memory (results of %d optimizers)", s->n_optimizers);
    /* Checkpoints there are already are read before any meta-training, so
     * a bad one is refused before minutes of work, not after. */
    if (rc == 0 && !ro->train_only)
        rc = runner_load_phis(s, phi, 1);
    if (rc == 0)
        rc = runner_train_missing(s, ro);
    if (rc < 0 || ro->train_only)
        goto free_all;

    p.res = res = calloc((size_t)s->n_experiments + 1, sizeof *res);
    rc = !res ? L2L_ENOMEM : 0;
    if (rc < 0)
        l2l_error("l2l: out of memory (results of %d experiments)", s->n_experiments);
    if (rc == 0)
        rc = runner_load_phis(s, phi, 0);
    if (rc == 0)
        rc = setup_results(s, res);
    /* Under MPI rank 0 alone keeps the work area and writes the results. */
    int leader = l2l_dist_rank() == 0;
    if (rc == 0 && leader && (rc = open_work(s, ro, res, &work, &n_runs)) == 0)
        p.work = &work;
    rc = l2l_dist_agree(rc);
    if (rc == 0)
        rc = runner_tune(&p, ro->jobs);
    if (rc == 0)
        rc = runner_evaluate(&p, ro->jobs);
    if (rc == 0)
        rc = runner_evaluate_extra(&p, ro->jobs);
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
