/* suite_optimizer.c: an [optimizer NAME] section: its plugin's options
 * (the tunable one may hold a grid) and, for a learned optimizer, its
 * checkpoint, what to meta-train it on, the meta-training keys and its
 * sets of φ; then every optimizer tried once before any work. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "log.h"
#include "options.h"
#include "suite_load.h"

/* Keys of a learned optimizer's section besides its plugin's options. */
static const struct l2l_option learned_table[] = {
    {"checkpoint", L2L_OPT_STRING, NULL, 0, 0, NULL, "φ file, relative to the suite file; trained when missing"},
    {"train_on", L2L_OPT_STRING, "", 0, 0, NULL, "[optimizee NAME] to meta-train on when the checkpoint is missing"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

/* A checkpoint path that exists must be a file: a directory there would
 * pass for "trained already" and fail only when φ is read. */
static void check_checkpoint_path(struct ctx *c, const struct ini_section *sec, const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0 || S_ISREG(st.st_mode))
        return;
    int line = sec->line;
    suite_find_value(c, sec->name, "checkpoint", &line);
    suite_bad(c, line, "[%s] checkpoint: %s is %s, expected a checkpoint file (or no file yet, for "
        "meta-training to write)", sec->name, path, S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
}

/* `set.NAME = PATTERNS` keys, in the order of the file, then the default
 * set (meta_sets.h). */
static void load_sets(struct ctx *c, const struct ini_section *sec, struct suite_optimizer *o)
{
    char err[L2L_ERRLEN];
    for (int k = sec->first; k < sec->first + sec->n; k++) {
        const struct ini_entry *e = &c->doc.e[k];
        if (strncmp(e->key, "set.", 4))
            continue;
        int rc = l2l_sets_add(&o->sets, e->key + 4, e->value, err, sizeof err);
        if (rc == L2L_ENOMEM)
            suite_bad(c, 0, "out of memory");
        else if (rc < 0)
            suite_bad(c, e->line, "[%s] %s", sec->name, err);
    }
    if (l2l_sets_resolve(&o->sets) < 0)
        suite_bad(c, 0, "out of memory");
}

void suite_load_optimizer(struct ctx *c, const struct ini_section *sec, const char *name)
{
    struct suite_optimizer *o = &c->s->optimizers[c->s->n_optimizers++];
    o->name = suite_strdup(c, name);
    o->line = sec->line;
    o->tune_index = -1;
    o->train_on = -1;
    if (suite_load_plugin(c, sec->name, sec->line, L2L_OPTIMIZER, &o->plugin) < 0)
        return;
    const struct l2l_optimizer_ops *ops = o->plugin.u.opt;
    const struct l2l_option *table = ops->options;
    if (ops->tunable)
        o->tune_index = l2l_options_find(table, ops->tunable);
    o->learned = ops->learned != NULL;
    o->values = suite_new_values(c, table);
    if (!o->values)
        return;
    if (!o->learned) {
        const struct key_table t = {table, o->values, o};
        suite_apply_keys_to(c, sec->name, &t, 1);
        return;
    }
    struct l2l_value lv[3];
    char err[L2L_ERRLEN];
    if (l2l_options_defaults(learned_table, lv, err, sizeof err) < 0) {
        suite_bad(c, 0, "%s", err);
        return;
    }
    o->meta_values = suite_new_values(c, l2l_meta_options);
    if (!o->meta_values) {
        l2l_values_clear(learned_table, lv);
        return;
    }
    const struct key_table t[] = {
        {table, o->values, o}, {learned_table, lv, NULL}, {l2l_meta_options, o->meta_values, NULL}};
    suite_apply_keys_to(c, sec->name, t, 3);
    l2l_meta_config_from_values(o->meta_values, &o->meta);
    if (lv[0].s && lv[0].s[0])
        o->checkpoint = suite_resolve_path(c, lv[0].s);
    else if (lv[0].s)
        suite_bad(c, sec->line, "[%s] checkpoint: expected a file name", sec->name);
    check_checkpoint_path(c, sec, o->checkpoint);
    int line = sec->line;
    suite_find_value(c, sec->name, "train_on", &line);
    if (lv[1].s && lv[1].s[0]) {
        o->train_on = suite_find_object(c, "optimizee", lv[1].s, strlen(lv[1].s));
        if (o->train_on < 0)
            suite_bad(c, line, "[%s] train_on: no section [optimizee %s] (optimizee sections must come before)",
                sec->name, lv[1].s);
    }
    l2l_values_clear(learned_table, lv);
    load_sets(c, sec, o);
}

void suite_check_learned(struct ctx *c)
{
    struct suite *s = c->s;
    for (int k = 0; k < s->n_optimizers; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        /* Options that only make sense together (e.g. nesterov needs
         * momentum) are checked by the plugin's create(): try it now, so a
         * bad combination is refused before any work starts. */
        const struct l2l_optimizer_ops *ops = o->plugin.u.opt;
        if (ops && o->values) {
            char err[L2L_ERRLEN] = "";
            const struct l2l_group all = {"all", 0, 1};
            void *self = ops->create(o->values, 1, &all, 1, err, sizeof err);
            if (self)
                ops->destroy(self);
            else
                suite_bad(c, o->line, "[optimizer %s] %s", o->name, err);
        }
        if (o->learned && o->checkpoint && o->train_on < 0) {
            struct stat st;
            if (stat(o->checkpoint, &st) != 0)
                suite_bad(c, o->line, "[optimizer %s] checkpoint %s does not exist and no train_on names what to meta-train on",
                    o->name, o->checkpoint);
        }
    }
    if (s->n_experiments == 0)
        suite_bad(c, 0, "no [experiment NAME] section: nothing to run");
}
