/* faulty_obj.c: a test-only optimizee, f(θ) = ½‖θ − c‖² with c ~ N(0, 1),
 * that fails or signals on request, to test how the core reports a plugin's
 * failure and handles a signal late in a run (tests/robust/):
 * `fail` names the hook that fails (problem_new, loss_grad at call
 * `fail_at` of a problem, evaluate); `close_signal` is a signal number
 * raised by close(), which the core calls after the results are written and
 * before the figures are drawn. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "l2l/plugin.h"

static const struct l2l_option options[] = {
    {"dim", L2L_OPT_INT, "3", 1, 1e6, NULL, "number of parameters"},
    {"fail", L2L_OPT_STRING, "none", 0, 0, "none|problem_new|loss_grad|evaluate", "the hook that fails"},
    {"fail_at", L2L_OPT_INT, "1", 1, 1e9, NULL, "loss_grad fails at this call of a problem"},
    {"close_signal", L2L_OPT_INT, "0", 0, 64, NULL, "close() raises this signal (0: none)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

struct family { size_t n; char fail[16]; long fail_at; int close_signal; };
struct problem { const struct family *f; float *c; long calls; };

static void *open_family(const struct l2l_value *o, char *err, size_t errlen)
{
    (void)err; (void)errlen;
    struct family *f = calloc(1, sizeof *f);
    if (f) {
        f->n = (size_t)o[0].i;
        snprintf(f->fail, sizeof f->fail, "%s", o[1].s);
        f->fail_at = o[2].i;
        f->close_signal = (int)o[3].i;
    }
    return f;
}

static void close_family(void *family)
{
    struct family *f = family;
    int sig = f ? f->close_signal : 0;
    free(f);
    if (sig)
        raise(sig);
}

static size_t n_params(const void *f) { return ((const struct family *)f)->n; }

static void *problem_new(const void *family, struct l2l_rng *rng, float *theta0, char *err,
                         size_t errlen)
{
    const struct family *f = family;
    if (!strcmp(f->fail, "problem_new")) {
        snprintf(err, errlen, "no problem today (fail = problem_new)");
        return NULL;
    }
    struct problem *p = malloc(sizeof *p);
    float *c = malloc(sizeof(float) * f->n);
    if (!p || !c) {
        free(p);
        free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *p = (struct problem){f, c, 0};
    for (size_t k = 0; k < f->n; k++) {
        c[k] = (float)l2l_rng_normal(rng);
        theta0[k] = 0;
    }
    return p;
}

static void problem_free(void *problem)
{
    struct problem *p = problem;
    if (p)
        free(p->c);
    free(p);
}

static int loss_grad(void *problem, const float *theta, double *loss, float *grad)
{
    struct problem *p = problem;
    if (!strcmp(p->f->fail, "loss_grad") && ++p->calls == p->f->fail_at)
        return -1;
    double l = 0;
    for (size_t k = 0; k < p->f->n; k++) {
        double d = (double)theta[k] - p->c[k];
        l += 0.5 * d * d;
        if (grad)
            grad[k] = (float)d;
    }
    *loss = l;
    return 0;
}

static int evaluate(void *problem, const float *theta, struct l2l_eval *out)
{
    struct problem *p = problem;
    if (!strcmp(p->f->fail, "evaluate"))
        return -1;
    out->accuracy = NAN;
    return loss_grad(problem, theta, &out->loss, NULL);
}

const struct l2l_optimizee_ops l2l_optimizee = {
    .abi_version = L2L_ABI_VERSION, .name = "faulty_obj", .version = "1",
    .description = "test only: a quadratic whose hooks fail or signal on request",
    .options = options, .open = open_family, .close = close_family, .n_params = n_params,
    .problem_new = problem_new, .problem_free = problem_free, .loss_grad = loss_grad,
    .evaluate = evaluate,
};
