/* trace.c: update traces (trace.h). The trajectory is l2l_trajectory's
 * loop with θ copied before each step: kept apart so that the runs that
 * make the results never pay for the copy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "interrupt.h"
#include "log.h"
#include "trace.h"

void l2l_trace_stats(const float *grad, const float *before, const float *after, size_t n,
                     double *grad_norm, double *ratio, double *cosine, double *against)
{
    double gg = 0, dd = 0, gd = 0;
    size_t moving = 0, along = 0;
    for (size_t i = 0; i < n; i++) {
        double g = grad[i], d = (double)after[i] - (double)before[i];
        gg += g * g;
        dd += d * d;
        gd += g * d;
        moving += g != 0;
        along += g * d > 0; /* moves with +∇: against the descent direction */
    }
    *grad_norm = sqrt(gg);
    /* ratio = |Δθ| / |∇|; cosine = Δθ·(−∇) / (|Δθ| |∇|) */
    *ratio = gg > 0 ? sqrt(dd) / sqrt(gg) : NAN;
    *cosine = gg > 0 && dd > 0 ? -gd / (sqrt(dd) * sqrt(gg)) : NAN;
    *against = moving ? (double)along / (double)moving : NAN;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int l2l_trace_init(struct l2l_trace *tr, long steps, size_t n, struct l2l_rng *rng)
{
    memset(tr, 0, sizeof *tr);
    tr->steps = steps;
    tr->n_sample = n < L2L_TRACE_SAMPLE ? (int)n : L2L_TRACE_SAMPLE;
    /* Distinct coordinates by rejection: n_sample <= 64, so few retries. */
    for (int k = 0; k < tr->n_sample; k++) {
        size_t c;
        int dup;
        do {
            c = (size_t)l2l_rng_below(rng, n);
            dup = 0;
            for (int j = 0; j < k; j++)
                dup |= tr->sample[j] == c;
        } while (dup);
        tr->sample[k] = c;
    }
    qsort(tr->sample, (size_t)tr->n_sample, sizeof tr->sample[0], cmp_size);
    size_t m = (size_t)(steps > 0 ? steps : 1);
    double **col[] = {&tr->loss, &tr->grad_norm, &tr->ratio, &tr->cosine, &tr->against};
    for (int k = 0; k < 5; k++)
        if (!(*col[k] = malloc(sizeof(double) * m)))
            goto oom;
    tr->pair_grad = malloc(sizeof(float) * m * (size_t)(tr->n_sample + 1));
    tr->pair_update = malloc(sizeof(float) * m * (size_t)(tr->n_sample + 1));
    if (tr->pair_grad && tr->pair_update)
        return 0;
oom:
    l2l_trace_free(tr);
    return L2L_ENOMEM;
}

void l2l_trace_free(struct l2l_trace *tr)
{
    free(tr->loss);
    free(tr->grad_norm);
    free(tr->ratio);
    free(tr->cosine);
    free(tr->against);
    free(tr->pair_grad);
    free(tr->pair_update);
    memset(tr, 0, sizeof *tr);
}

static void record(struct l2l_trace *tr, long t, double loss, const float *grad,
                   const float *before, const float *after, size_t n)
{
    tr->loss[t] = loss;
    l2l_trace_stats(grad, before, after, n, &tr->grad_norm[t], &tr->ratio[t], &tr->cosine[t],
                    &tr->against[t]);
    for (int k = 0; k < tr->n_sample; k++) {
        size_t i = tr->sample[k];
        tr->pair_grad[t * tr->n_sample + k] = grad[i];
        tr->pair_update[t * tr->n_sample + k] = after[i] - before[i];
    }
    tr->done = t + 1;
}

int l2l_trace_trajectory(const struct l2l_optimizee_ops *obj, void *problem, float *theta,
                         float *grad, size_t n, const struct l2l_optimizer_ops *opt, void *self,
                         long steps, struct run_out *out, struct l2l_trace *tr)
{
    float *before = malloc(sizeof(float) * (n ? n : 1));
    if (!before)
        return L2L_ENOMEM;
    int rc = 0;
    out->diverged_step = -1;
    out->final_loss = INFINITY;
    out->failed_hook = NULL;
    tr->done = 0;
    for (long t = 0; t <= steps; t++) {
        double loss;
        if (l2l_interrupted()) {
            rc = L2L_EINTR;
            break;
        }
        if (obj->loss_grad(problem, theta, &loss, t < steps ? grad : NULL) < 0) {
            out->failed_hook = "loss_grad";
            out->failed_step = t;
            rc = L2L_EPLUGIN;
            break;
        }
        if (out->loss)
            out->loss[t] = loss;
        if (!isfinite(loss)) {
            out->diverged_step = t;
            break;
        }
        if (t == steps) {
            out->final_loss = loss;
            break;
        }
        memcpy(before, theta, sizeof(float) * n);
        if (opt->step(self, theta, grad) < 0) {
            out->failed_hook = "step";
            out->failed_step = t;
            rc = L2L_EPLUGIN;
            break;
        }
        if (t < tr->steps)
            record(tr, t, loss, grad, before, theta, n);
    }
    free(before);
    return rc;
}
