/* runner_task.c: one task of the runner (runner_pool.h): an optimizer
 * object and a fresh problem from the task's seeded stream, one
 * trajectory into the task's slot, the held-out evaluation of its final θ;
 * a failed hook said in one line naming plugin, run and experiment. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "interrupt.h"
#include "log.h"
#include "meta_sets.h"
#include "options.h"
#include "runner.h"
#include "runner_pool.h"
#include "seeds.h"
#include "trace.h"

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
    struct l2l_group all;
    const struct l2l_group *groups;
    int n_groups = l2l_optimizee_groups(obj, e->family, n, &all, &groups);
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
