/* suite_write.c: a suite as resolved, written back as INI (suite.h):
 * every option with its value, paths made absolute. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "bytes.h"
#include "log.h"
#include "options.h"
#include "suite.h"

/* A path as recorded: absolute, so that the suite as run names the same
 * file from any folder (it is read again from OUT, where a relative
 * checkpoint would resolve elsewhere). */
static void write_path(FILE *f, const char *key, const char *path)
{
    char *abs = l2l_abs_path(path);
    fprintf(f, "%s = %s\n", key, abs ? abs : path);
    free(abs);
}

/* By name when that name finds this very file on the search path; by
 * its absolute path when the suite gave a path (or another file would
 * be found under its name). */
static void write_plugin(FILE *f, const struct l2l_plugin *p)
{
    char *dirs[32], path[4200];
    int n = l2l_plugin_dirs(p->kind, dirs, 32), by_name = 0;
    struct stat a, b;
    for (int k = 0; k < n; k++) {
        l2l_fmt(path, sizeof path, "%s/%s.so", dirs[k], l2l_plugin_name(p));
        if (stat(path, &a) == 0) { /* the first found is the one loaded by name */
            by_name = stat(p->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
            break;
        }
    }
    l2l_plugin_dirs_free(dirs, n);
    if (by_name)
        fprintf(f, "plugin = %s\n", l2l_plugin_name(p));
    else
        write_path(f, "plugin", p->path);
}

static void write_values(FILE *f, const struct l2l_option *table, const struct l2l_value *v,
                         int skip_row)
{
    for (int k = 0; table && table[k].name; k++)
        if (k != skip_row && l2l_value_names_file(&table[k], &v[k]))
            write_path(f, table[k].name, v[k].s);
        else if (k != skip_row)
            fprintf(f, "%s = %s\n", table[k].name, v[k].s ? v[k].s : "");
}

void l2l_suite_write(FILE *f, const struct suite *s)
{
    fprintf(f, "[suite]\nname = %s\nseed = %llu\ndescription = %s\n\n", s->name,
            (unsigned long long)s->seed, s->description);
    for (int k = 0; k < s->n_optimizees; k++) {
        const struct suite_optimizee *o = &s->optimizees[k];
        fprintf(f, "[optimizee %s]\n", o->name);
        write_plugin(f, &o->plugin);
        write_values(f, l2l_plugin_options(&o->plugin), o->values, -1);
        fputc('\n', f);
    }
    for (int k = 0; k < s->n_optimizers; k++) {
        const struct suite_optimizer *o = &s->optimizers[k];
        fprintf(f, "[optimizer %s]\n", o->name);
        write_plugin(f, &o->plugin);
        int tuned = o->tune_index >= 0 && o->n_grid > 1;
        write_values(f, l2l_plugin_options(&o->plugin), o->values, tuned ? o->tune_index : -1);
        /* As given: logspace(...) stays short enough for one INI line and
         * gives the same values bit for bit when the suite is run again. */
        if (tuned)
            fprintf(f, "%s = %s\n", o->plugin.u.opt->tunable, o->grid_text ? o->grid_text : "");
        if (o->learned) {
            if (o->checkpoint)
                write_path(f, "checkpoint", o->checkpoint);
            else
                fputs("checkpoint = \n", f);
            if (o->train_on >= 0)
                fprintf(f, "train_on = %s\n", s->optimizees[o->train_on].name);
            write_values(f, l2l_meta_options, o->meta_values, -1);
            for (int j = 0; !l2l_sets_default(&o->sets) && j < o->sets.n; j++)
                fprintf(f, "set.%s = %s\n", o->sets.name[j], o->sets.patterns[j]);
        }
        fputc('\n', f);
    }
    for (int k = 0; k < s->n_experiments; k++) {
        const struct suite_experiment *x = &s->experiments[k];
        fprintf(f, "[experiment %s]\noptimizee = %s\noptimizers = ", x->name,
                s->optimizees[x->optimizee].name);
        for (int j = 0; j < x->n_optimizers; j++)
            fprintf(f, "%s%s", j ? ", " : "", s->optimizers[x->optimizers[j]].name);
        fprintf(f, "\nsteps = %ld\nruns = %ld\ntune_runs = %ld\ntune_steps = %ld\nfigure = %s\ntitle = %s\n",
                x->steps, x->runs, x->tune_runs, x->tune_steps, x->figure, x->title);
        /* Written only when set: suites without them keep their suite.ini. */
        const char *key[] = {"reference", "report_steps", "target", "horizons"};
        const char *val[] = {x->reference, x->report_steps, x->target, x->horizons_text};
        for (int j = 0; j < 4; j++)
            if (val[j])
                fprintf(f, "%s = %s\n", key[j], val[j]);
        if (x->trace)
            fputs("trace = true\n", f);
        fputc('\n', f);
    }
}
