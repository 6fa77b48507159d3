/* suite_keys.c: what the section loaders of a suite share (suite_load.h):
 * errors counted and said FILE:LINE first, a section's keys applied to
 * its option tables (each key once), look-ups of keys and sections,
 * plugins and paths named by a section. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "log.h"
#include "names.h"
#include "options.h"
#include "suite_load.h"

void suite_bad(struct ctx *c, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        l2l_error("%s:%d: %s", c->path, line, msg);
    else
        l2l_error("%s: %s", c->path, msg);
    c->errors++;
}

char *suite_strdup(struct ctx *c, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        suite_bad(c, 0, "out of memory");
    return d;
}

/* Names become file names: refused unless they follow names.h. */
void suite_check_name(struct ctx *c, int line, const char *name, const char *fmt, const char *arg)
{
    char err[1024];
    if (l2l_name_check(name, err, sizeof err, fmt, arg) < 0)
        suite_bad(c, line, "%s", err);
}

/* Applies each key of the section, once, to the first of the nt tables
 * that has it (a learned optimizer's section holds the plugin's keys, the
 * checkpoint keys and the meta-training keys); a key none has is reported
 * once, with the nearest name of any table. Then a required key missing
 * from any table is reported. */
void suite_apply_keys_to(struct ctx *c, const char *section, const struct key_table *t, int nt)
{
    int sec = ini_find_section(&c->doc, section);
    const struct ini_section *is = sec >= 0 ? &c->doc.sections[sec] : NULL;
    for (int k = is ? is->first : 0; is && k < is->first + is->n; k++) {
        struct ini_entry *e = &c->doc.e[k];
        if (!strcmp(e->key, "plugin"))
            continue;
        /* `set.NAME` of a learned optimizer (the only sections with several
         * tables), read by the sets' own loader */
        if (nt > 1 && !strncmp(e->key, "set.", 4))
            continue;
        int row = -1, x = 0;
        for (; x < nt; x++)
            if ((row = l2l_options_find(t[x].table, e->key)) >= 0)
                break;
        char err[L2L_ERRLEN];
        if (row < 0) {
            const char *hint = NULL;
            for (int y = 0; !hint && y < nt; y++)
                hint = l2l_options_suggest(t[y].table, e->key);
            suite_bad(c, e->line, "[%s] unknown key '%s'%s%s%s", section, e->key,
                hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
            continue;
        }
        const struct l2l_option *table = t[x].table;
        struct l2l_value *values = t[x].values;
        struct suite_optimizer *tuner = t[x].tuner;
        if (tuner && tuner->tune_index == row) {
            int g = suite_parse_grid(e->value, tuner->grid, &tuner->n_grid, err, sizeof err);
            if (g < 0) {
                suite_bad(c, e->line, "[%s] %s: %s", section, e->key, err);
                continue;
            }
            if (g > 0) {
                free(tuner->grid_text);
                tuner->grid_text = suite_strdup(c, e->value);
                for (int j = 0; j < tuner->n_grid; j++) {
                    char one[64];
                    l2l_fmt(one, sizeof one, "%.17g", tuner->grid[j]);
                    if (l2l_option_parse(&table[row], one, &values[row], err, sizeof err) < 0) {
                        suite_bad(c, e->line, "[%s] %s: grid value %s: %s", section, e->key, one, err);
                        break;
                    }
                }
                continue;
            }
        }
        if (l2l_option_parse(&table[row], e->value, &values[row], err, sizeof err) < 0)
            suite_bad(c, e->line, "[%s] %s: %s", section, e->key, err);
    }
    int sec_line = is ? is->line : 0; /* a missing key is reported at its section's header */
    for (int x = 0; x < nt; x++) {
        const struct l2l_option *table = t[x].table;
        const struct suite_optimizer *tuner = t[x].tuner;
        for (int row = 0; table[row].name; row++)
            if (!t[x].values[row].s && !(tuner && tuner->tune_index == row && tuner->n_grid > 1))
                suite_bad(c, sec_line, "[%s] missing required key '%s' (%s)", section, table[row].name,
                    table[row].help ? table[row].help : "");
    }
}

/* The keys of a section that has one table. */
void suite_apply_keys(struct ctx *c, const char *section, const struct l2l_option *table,
                struct l2l_value *values)
{
    const struct key_table t = {table, values, NULL};
    suite_apply_keys_to(c, section, &t, 1);
}

const char *suite_find_value(struct ctx *c, const char *section, const char *key, int *line)
{
    const struct ini_entry *e = ini_find_key(&c->doc, ini_find_section(&c->doc, section), key);
    if (!e)
        return NULL;
    if (line)
        *line = e->line;
    return e->value;
}

/* Index of [KIND NAME] in its kind's array (optimizees, optimizers), or -1. */
int suite_find_object(struct ctx *c, const char *kind, const char *name, size_t len)
{
    char sec[128];
    if (len > 64)
        return -1;
    l2l_fmt(sec, sizeof sec, "%s %.*s", kind, (int)len, name);
    int k = ini_find_section(&c->doc, sec);
    return k < 0 || !c->obj_of_sec ? -1 : c->obj_of_sec[k];
}

struct l2l_value *suite_new_values(struct ctx *c, const struct l2l_option *table)
{
    int n = l2l_options_count(table);
    struct l2l_value *v = calloc((size_t)n + 1, sizeof *v);
    char err[L2L_ERRLEN];
    if (!v) {
        suite_bad(c, 0, "out of memory");
        return NULL;
    }
    if (l2l_options_defaults(table, v, err, sizeof err) < 0) {
        suite_bad(c, 0, "%s", err);
        free(v);
        return NULL;
    }
    return v;
}

void suite_free_values(const struct l2l_option *table, struct l2l_value *v)
{
    if (!v)
        return;
    l2l_values_clear(table, v);
    free(v);
}

int suite_load_plugin(struct ctx *c, const char *section, int line, enum l2l_kind kind,
                struct l2l_plugin *p)
{
    int pline = line;
    const char *name = suite_find_value(c, section, "plugin", &pline);
    char err[L2L_ERRLEN];
    if (!name || !*name) {
        suite_bad(c, line, "[%s] missing required key 'plugin' (see `l2l list`)", section);
        return -1;
    }
    if (l2l_plugin_open(kind, name, p, err, sizeof err) < 0) {
        suite_bad(c, pline, "[%s] plugin: %s", section, err);
        return -1;
    }
    return 0;
}

char *suite_resolve_path(struct ctx *c, const char *rel)
{
    if (rel[0] == '/' || !strcmp(c->s->dir, "."))
        return suite_strdup(c, rel);
    size_t len = strlen(c->s->dir) + strlen(rel) + 2;
    char *p = malloc(len);
    if (!p) {
        suite_bad(c, 0, "out of memory");
        return NULL;
    }
    snprintf(p, len, "%s/%s", c->s->dir, rel);
    return p;
}
