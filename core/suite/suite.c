/* suite.c: validate an INI suite against the option tables of the core and
 * of every plugin it names; report every problem in one go, FILE:LINE first.
 * The [suite] section and the order of the sections are here; each other
 * kind of section has its loader (suite_optimizee.c, suite_optimizer.c,
 * suite_experiment.c), sharing suite_keys.c; writing is suite_write.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ini_read.h"
#include "log.h"
#include "options.h"
#include "suite_load.h"

static const struct l2l_option suite_table[] = {
    {"name", L2L_OPT_STRING, "", 0, 0, NULL, "suite name: results go to results/NAME (default: the file name)"},
    {"seed", L2L_OPT_INT, "1", 0, 9007199254740991.0, NULL, "suite seed: every random stream derives from it"},
    {"description", L2L_OPT_STRING, "", 0, 0, NULL, "one line for the report"},
    {"runs", L2L_OPT_INT, "10", 1, 100000, NULL, "default evaluation runs per optimizer"},
    {"tune_runs", L2L_OPT_INT, "5", 1, 10000, NULL, "default tuning runs per grid value"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

/* "optimizer sgd" -> kind "optimizer", name "sgd". */
static int split_section(const char *section, char *kind, size_t klen, const char **name)
{
    const char *sp = strchr(section, ' ');
    size_t n = sp ? (size_t)(sp - section) : strlen(section);
    if (n >= klen)
        return -1;
    memcpy(kind, section, n);
    kind[n] = 0;
    *name = sp ? sp + 1 : "";
    while (**name == ' ')
        (*name)++;
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    const char *dot = strrchr(b, '.');
    return dot && dot != b ? strndup(b, (size_t)(dot - b)) : strdup(b);
}

static void load_sections(struct ctx *c, struct l2l_value *sv)
{
    struct suite *s = c->s;
    int n = c->doc.n_sections;
    s->optimizees = calloc((size_t)n + 1, sizeof *s->optimizees);
    s->optimizers = calloc((size_t)n + 1, sizeof *s->optimizers);
    s->experiments = calloc((size_t)n + 1, sizeof *s->experiments);
    c->obj_of_sec = malloc(sizeof(int) * ((size_t)n + 1));
    if (!s->optimizees || !s->optimizers || !s->experiments || !c->obj_of_sec) {
        suite_bad(c, 0, "out of memory");
        return;
    }
    for (int k = 0; k < n; k++)
        c->obj_of_sec[k] = -1;
    /* Two passes: optimizees first, so optimizers and experiments may refer to them. */
    for (int pass = 0; pass < 3; pass++)
        for (int k = 0; k < n; k++) {
            const struct ini_section *sec = &c->doc.sections[k];
            char kind[32];
            const char *name;
            if (split_section(sec->name, kind, sizeof kind, &name) < 0) {
                if (pass == 0)
                    suite_bad(c, sec->line, "unknown section [%s] (expected [suite], [optimizee NAME], [optimizer NAME] or [experiment NAME])", sec->name);
                continue;
            }
            /* Compared as kind and name, so [experiment  e] is [experiment e]
             * (both would write rows of experiment e), and ignoring case:
             * names become file names, which some file systems compare so. */
            int dup = -1;
            for (int j = 0; j < k && dup < 0; j++) {
                char kj[32];
                const char *nj;
                if (split_section(c->doc.sections[j].name, kj, sizeof kj, &nj) == 0 &&
                    !strcmp(kj, kind) && !strcasecmp(nj, name))
                    dup = j;
            }
            if (dup >= 0) {
                char kd[32];
                const char *nd = "";
                split_section(c->doc.sections[dup].name, kd, sizeof kd, &nd);
                if (pass == 0 && !strcmp(nd, name))
                    suite_bad(c, sec->line, "section [%s] appears twice (first at line %d)", sec->name,
                        c->doc.sections[dup].line);
                else if (pass == 0)
                    suite_bad(c, sec->line, "section [%s] differs from [%s] (line %d) only in case: "
                        "names become file names", sec->name, c->doc.sections[dup].name,
                        c->doc.sections[dup].line);
                continue;
            }
            /* Only the kinds that take a name are checked for one; an
             * unknown kind gets one message, below. */
            int named = !strcmp(kind, "optimizee") || !strcmp(kind, "optimizer") ||
                        !strcmp(kind, "experiment");
            if (pass == 0 && named)
                suite_check_name(c, sec->line, name, "[%s]:", sec->name);
            if (!strcmp(kind, "suite")) {
                if (pass == 0 && *name)
                    suite_bad(c, sec->line, "[%s]: the [suite] section takes no name", sec->name);
            } else if (!strcmp(kind, "optimizee")) {
                if (pass == 0) {
                    c->obj_of_sec[k] = s->n_optimizees;
                    suite_load_optimizee(c, sec, name);
                }
            } else if (!strcmp(kind, "optimizer")) {
                if (pass == 1) {
                    c->obj_of_sec[k] = s->n_optimizers;
                    suite_load_optimizer(c, sec, name);
                }
            } else if (!strcmp(kind, "experiment")) {
                if (pass == 2)
                    suite_load_experiment(c, sec, name, sv);
            } else if (pass == 0) {
                suite_bad(c, sec->line, "unknown section [%s] (expected [suite], [optimizee NAME], [optimizer NAME] or [experiment NAME])", sec->name);
            }
        }
    /* Keys before any section. */
    for (int k = 0; k < c->doc.n; k++)
        if (c->doc.e[k].sec < 0)
            suite_bad(c, c->doc.e[k].line, "key '%s' outside any section", c->doc.e[k].key);
}

int l2l_suite_load(const char *path, long long seed_override, struct suite *s)
{
    memset(s, 0, sizeof *s);
    struct ctx c = {0};
    c.path = path;
    c.s = s;
    int rc = ini_read(path, &c.doc);
    if (rc < 0)
        return rc == L2L_ENOMEM ? rc : L2L_EINPUT;
    s->path = suite_strdup(&c, path);
    s->dir = dir_of(path);
    struct l2l_value *sv = suite_new_values(&c, suite_table);
    if (sv) {
        suite_apply_keys(&c, "suite", suite_table, sv);
        s->seed = (uint64_t)sv[S_SEED].i;
        if (seed_override >= 0)
            s->seed = (uint64_t)seed_override;
        s->name = sv[S_NAME].s && sv[S_NAME].s[0] ? suite_strdup(&c, sv[S_NAME].s) : base_name(path);
        s->description = suite_strdup(&c, sv[S_DESCRIPTION].s);
        int name_line = 0;
        suite_find_value(&c, "suite", "name", &name_line);
        if (s->name)
            suite_check_name(&c, name_line, s->name, "%s", name_line ? "[suite] name:" : "[suite] name (the file name):");
        load_sections(&c, sv);
        suite_free_values(suite_table, sv);
    }
    if (!c.errors)
        suite_check_learned(&c);
    ini_doc_free(&c.doc);
    free(c.obj_of_sec);
    if (c.errors) {
        l2l_error("%s: %d error%s; nothing was run", path, c.errors, c.errors > 1 ? "s" : "");
        l2l_suite_free(s);
        return L2L_EINPUT;
    }
    return 0;
}

void l2l_suite_free(struct suite *s)
{
    for (int k = 0; k < s->n_optimizees; k++) {
        struct suite_optimizee *o = &s->optimizees[k];
        if (o->family)
            o->plugin.u.obj->close(o->family);
        if (o->values)
            suite_free_values(l2l_plugin_options(&o->plugin), o->values);
        l2l_plugin_close(&o->plugin);
        free(o->name);
    }
    for (int k = 0; k < s->n_optimizers; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        if (o->values)
            suite_free_values(l2l_plugin_options(&o->plugin), o->values);
        suite_free_values(l2l_meta_options, o->meta_values);
        l2l_sets_free(&o->sets);
        l2l_plugin_close(&o->plugin);
        free(o->name);
        free(o->checkpoint);
        free(o->grid_text);
    }
    for (int k = 0; k < s->n_experiments; k++) {
        free(s->experiments[k].name);
        free(s->experiments[k].optimizers);
        free(s->experiments[k].figure);
        free(s->experiments[k].title);
        free(s->experiments[k].reference);
        free(s->experiments[k].report_steps);
        free(s->experiments[k].target);
        free(s->experiments[k].horizons_text);
    }
    free(s->optimizees);
    free(s->optimizers);
    free(s->experiments);
    free(s->path);
    free(s->dir);
    free(s->name);
    free(s->description);
    memset(s, 0, sizeof *s);
}
