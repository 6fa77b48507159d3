/* broken_abi.c: a test-only optimizer built against ABI 1 (before ABI 2): the
 * loader must refuse it before calling any hook (tests/test_abi.c). */
#include "l2l/plugin.h"

#define BROKEN_ABI_VERSION 1 /* a plugin built against the first header */

static const struct l2l_option options[] = {{NULL, 0, NULL, 0, 0, NULL, NULL}};

/* Hooks that must never run: they would crash on purpose. */
static void *create(const struct l2l_value *o, size_t n, const struct l2l_group *g, int ng,
                    char *err, size_t errlen)
{
    (void)o; (void)n; (void)g; (void)ng; (void)err; (void)errlen;
    __builtin_trap();
}
static void destroy(void *self) { (void)self; __builtin_trap(); }
static void reset(void *self) { (void)self; __builtin_trap(); }
static int step(void *self, float *theta, const float *grad)
{
    (void)self; (void)theta; (void)grad;
    __builtin_trap();
}

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = BROKEN_ABI_VERSION,
    .name = "broken_abi",
    .version = "0",
    .description = "test only: wrong abi_version",
    .options = options,
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .step = step,
};
