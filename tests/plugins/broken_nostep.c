/* broken_nostep.c: a test-only optimizer with the right ABI version but
 * no step hook (a required member): the loader must name the member. */
#include <stddef.h>
#include "l2l/plugin.h"

static const struct l2l_option options[] = {{NULL, 0, NULL, 0, 0, NULL, NULL}};

static void *create(const struct l2l_value *o, size_t n, const struct l2l_group *g, int ng,
                    char *err, size_t errlen)
{
    (void)o; (void)n; (void)g; (void)ng; (void)err; (void)errlen;
    __builtin_trap();
}
static void destroy(void *self) { (void)self; __builtin_trap(); }
static void reset(void *self) { (void)self; __builtin_trap(); }

const struct l2l_optimizer_ops l2l_optimizer = {
    .abi_version = L2L_ABI_VERSION,
    .name = "broken_nostep",
    .version = "0",
    .description = "test only: step is NULL",
    .options = options,
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .step = NULL,
};
