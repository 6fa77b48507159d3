/* suite_optimizee.c: an [optimizee NAME] section: its plugin and the
 * plugin's options. */
#include "suite_load.h"

void suite_load_optimizee(struct ctx *c, const struct ini_section *sec, const char *name)
{
    struct suite_optimizee *o = &c->s->optimizees[c->s->n_optimizees++];
    o->name = suite_strdup(c, name);
    o->line = sec->line;
    if (suite_load_plugin(c, sec->name, sec->line, L2L_OPTIMIZEE, &o->plugin) < 0)
        return;
    const struct l2l_option *table = l2l_plugin_options(&o->plugin);
    o->values = suite_new_values(c, table);
    if (o->values)
        suite_apply_keys(c, sec->name, table, o->values);
}
