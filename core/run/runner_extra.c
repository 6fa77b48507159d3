/* runner_extra.c: horizon and trace buffers, and the step-cost probe
 * (runner_extra.h). The probe's times are measured and go to
 * timing_cost.csv only; nothing here changes a run's result. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "blas_threads.h"
#include "log.h"
#include "options.h"
#include "runner_extra.h"
#include "seeds.h"
#include "trace.h"

#define PROBE_MIN_STEPS 5
#define PROBE_MAX_STEPS 200
#define PROBE_SECONDS 0.02

int l2l_extra_setup(const struct suite *s, int e, struct opt_result *r)
{
    const struct suite_experiment *x = &s->experiments[e];
    r->step_ns = r->state_bytes = NAN;
    if (x->n_horizons) {
        r->hruns = calloc((size_t)(x->n_horizons * x->runs), sizeof *r->hruns);
        if (!r->hruns)
            goto oom;
        for (int h = 0; h < x->n_horizons; h++)
            for (long k = 0; k < x->runs; k++)
                r->hruns[h * x->runs + k].steps = x->horizon[h] * x->steps;
    }
    if (x->trace) {
        const struct suite_optimizee *o = &s->optimizees[x->optimizee];
        size_t n = o->plugin.u.obj->n_params(o->family);
        struct l2l_rng rng; /* one sample per experiment: every optimizer sees the same coordinates */
        l2l_rng_for(&rng, s->seed, L2L_SEED_TRACE, (uint64_t)e, 0);
        r->trace = calloc(1, sizeof *r->trace);
        if (!r->trace || l2l_trace_init(r->trace, x->steps, n, &rng) < 0)
            goto oom;
        r->trace_out.steps = x->steps;
    }
    return 0;
oom:
    l2l_error("l2l: out of memory (horizon runs and trace of experiment %s)", x->name);
    return L2L_ENOMEM;
}

void l2l_extra_fill_base(const struct suite *s, int e, struct opt_result *r)
{
    const struct suite_experiment *x = &s->experiments[e];
    for (int h = 0; h < x->n_horizons; h++)
        if (x->horizon[h] == 1)
            for (long k = 0; k < x->runs; k++) {
                r->hruns[h * x->runs + k].final_loss = r->runs[k].final_loss;
                r->hruns[h * x->runs + k].diverged_step = r->runs[k].diverged_step;
            }
}

void l2l_extra_free(struct opt_result *r)
{
    free(r->hruns);
    r->hruns = NULL;
    if (r->trace)
        l2l_trace_free(r->trace);
    free(r->trace);
    r->trace = NULL;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Times step() alone: the optimizee's gradient is computed once and given
 * again at every step (what a step costs does not depend on its values). */
static int probe(const struct l2l_optimizee_ops *obj, void *problem, float *theta, float *grad,
                 size_t n, const struct l2l_optimizer_ops *opt, void *self, double *ns)
{
    double loss;
    if (obj->loss_grad(problem, theta, &loss, grad) < 0)
        return L2L_EPLUGIN;
    opt->reset(self);
    double c0 = cpu_seconds(), dc = 0;
    long k = 0;
    while (k < PROBE_MAX_STEPS && (k < PROBE_MIN_STEPS || dc < PROBE_SECONDS)) {
        if (opt->step(self, theta, grad) < 0)
            return L2L_EPLUGIN;
        k++;
        dc = cpu_seconds() - c0;
    }
    *ns = 1e9 * dc / ((double)k * (double)(n ? n : 1));
    return 0;
}

int l2l_cost_probe(struct suite *s, int e, struct opt_result *r, const float *phi)
{
    const struct suite_experiment *x = &s->experiments[e];
    const struct suite_optimizer *o = &s->optimizers[r->optimizer];
    struct suite_optimizee *ee = &s->optimizees[x->optimizee];
    const struct l2l_optimizee_ops *obj = ee->plugin.u.obj;
    const struct l2l_optimizer_ops *opt = o->plugin.u.opt;
    size_t n = obj->n_params(ee->family);
    struct l2l_group all;
    const struct l2l_group *groups;
    int n_groups = l2l_optimizee_groups(obj, ee->family, n, &all, &groups);
    int m = l2l_options_count(opt->options);
    struct l2l_value *vals = malloc(sizeof *vals * (size_t)(m + 1));
    float *theta = malloc(sizeof(float) * (n ? n : 1)), *grad = malloc(sizeof(float) * (n ? n : 1));
    char err[L2L_ERRLEN] = "";
    void *self = NULL, *problem = NULL;
    int rc = L2L_ENOMEM;
    r->n_params = (long)n;
    if (!vals || !theta || !grad)
        goto out;
    memcpy(vals, o->values, sizeof *vals * (size_t)m);
    if (r->tuned)
        vals[o->tune_index].r = r->grid[r->chosen].value; /* the value evaluated */
    rc = L2L_EPLUGIN;
    if (!(self = opt->create(vals, n, groups, n_groups, err, sizeof err)))
        goto out;
    if (phi)
        memcpy(opt->learned->meta(self), phi, sizeof(float) * opt->learned->n_meta(self));
    struct l2l_rng rng;
    l2l_rng_for(&rng, s->seed, L2L_SEED_EVAL, (uint64_t)e, 0);
    if (!(problem = obj->problem_new(ee->family, &rng, theta, err, sizeof err)))
        goto out;
    int blas = l2l_blas_one_thread();
#ifdef _OPENMP
    int omp = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
    rc = probe(obj, problem, theta, grad, n, opt, self, &r->step_ns);
#ifdef _OPENMP
    omp_set_num_threads(omp);
#endif
    l2l_blas_restore(blas);
    if (rc == 0 && opt->state_bytes)
        r->state_bytes = opt->state_bytes(self);
out:
    if (rc == L2L_ENOMEM)
        l2l_error("l2l: out of memory (the step-cost probe of %s in experiment %s)", o->name, x->name);
    else if (rc < 0) { /* a measurement, not a result: unknown, and the suite goes on */
        r->step_ns = NAN;
        rc = 0;
    }
    if (problem)
        obj->problem_free(problem);
    if (self)
        opt->destroy(self);
    free(theta);
    free(grad);
    free(vals);
    return rc;
}
