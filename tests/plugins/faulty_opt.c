/* faulty_opt.c: a test-only optimizer, plain SGD that fails on request, to
 * test how the core reports a plugin's failure (tests/robust/bad_plugins.sh):
 * step() fails at step `fail_step` of every trajectory; create() fails when
 * asked for more than `max_n` parameters (the suite is checked with n = 1,
 * so this passes the check and fails in the run). Built again with
 * FAULTY_NAME (a declared name the core must refuse) and with
 * FAULTY_BAD_DEFAULT (a default that does not parse). */
#include <stdio.h>
#include <stdlib.h>
#include "l2l/plugin.h"

#ifndef FAULTY_NAME
#define FAULTY_NAME "faulty_opt"
#endif
#ifdef FAULTY_BAD_DEFAULT
#define LR_DEFAULT "fast"
#else
#define LR_DEFAULT "0.01"
#endif

static const struct l2l_option options[] = {
    {"lr", L2L_OPT_REAL, LR_DEFAULT, 0, 10, NULL, "learning rate"},
    {"fail_step", L2L_OPT_INT, "0", 0, 1e9, NULL, "step() fails at this step (from 1; 0: never)"},
    {"max_n", L2L_OPT_INT, "0", 0, 1e9, NULL, "create() fails for more parameters (0: no limit)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};

struct self { double lr; long fail_step, steps; size_t n; };

static void *create(const struct l2l_value *o, size_t n, const struct l2l_group *g, int ng,
                    char *err, size_t errlen)
{
    (void)g; (void)ng;
    if (o[2].i > 0 && n > (size_t)o[2].i) {
        snprintf(err, errlen, "cannot take %zu parameters (max_n = %ld)", n, o[2].i);
        return NULL;
    }
    struct self *s = malloc(sizeof *s);
    if (s)
        *s = (struct self){o[0].r, o[1].i, 0, n};
    return s;
}
static void destroy(void *self) { free(self); }
static void reset(void *self) { ((struct self *)self)->steps = 0; }

static int step(void *self, float *theta, const float *grad)
{
    struct self *s = self;
    if (++s->steps == s->fail_step)
        return -1;
    for (size_t k = 0; k < s->n; k++)
        theta[k] -= (float)s->lr * grad[k];
    return 0;
}

/* No state per coordinate: plain SGD until it fails. */
static double state_bytes(const void *self)
{
    (void)self;
    return 0;
}

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION, .name = FAULTY_NAME, .version = "1",
    .description = "test only: SGD that fails on request", .options = options,
    .tunable = "lr", .create = create, .destroy = destroy, .reset = reset, .step = step,
    .state_bytes = state_bytes,
};
