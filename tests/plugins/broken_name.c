/* broken_name.c: a test-only optimizer whose vtable declares a name that
 * is not a name (names.h): it would become a CSV field and a file name,
 * so the loader must refuse it before calling any hook
 * (tests/robust/hostile_names.sh). */
#include "l2l/plugin.h"

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
    .abi_version = L2L_ABI_VERSION,
    .name = "sgd,\"x\".system(\"touch pwned\")",
    .version = "0",
    .description = "test only: a name with a comma and quotes",
    .options = options,
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .step = step,
};
