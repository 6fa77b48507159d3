/* bench_file.c: reads and checks a bench file (bench_file.h): the whole
 * file is known to be good, every plugin loaded and every option set once,
 * before anything is timed; every problem is reported, each once, as
 * PATH:LINE: what was found and what was expected. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "bench_file.h"
#include "ini_read.h"
#include "log.h"
#include "numbers.h"
#include "options.h"

#ifndef L2L_PKGDATADIR
#define L2L_PKGDATADIR "/nonexistent"
#endif
#ifndef L2L_SRCDIR
#define L2L_SRCDIR "."
#endif

const char *l2l_bench_file_default(void)
{
    return l2l_running_installed() ? L2L_PKGDATADIR "/bench/default.ini"
                                   : L2L_SRCDIR "/bench/default.ini";
}

struct ctx {
    const char *path;
    struct ini_doc doc;
    int errors;
};

static void bad(struct ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad(struct ctx *c, int line, const char *fmt, ...)
{
    char msg[1024];
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

/* Keys of a section that are the bench's, not the plugin's. */
static int reserved(const char *key)
{
    return !strcmp(key, "plugin") || !strcmp(key, "measure") || !strcmp(key, "size_option");
}

/* "fwdbwd, trajectory" into L2L_BM_* bits. */
static int parse_measures(struct ctx *c, const struct ini_entry *e, unsigned *m)
{
    static const char *const names[] = {"fwdbwd", "trajectory", "unroll"};
    *m = 0;
    const char *s = e->value;
    while (*s) {
        s += strspn(s, " ,");
        size_t len = strcspn(s, " ,");
        if (!len)
            break;
        int found = 0;
        for (int k = 0; k < 3; k++)
            if (strlen(names[k]) == len && !strncmp(s, names[k], len)) {
                *m |= 1u << k;
                found = 1;
            }
        if (!found) {
            bad(c, e->line, "measure = %s: '%.*s', expected fwdbwd, trajectory, unroll separated "
                "by commas", e->value, (int)len, s);
            return -1;
        }
        s += len;
    }
    return 0;
}

/* Loads the plugin of section k and sets each of its keys, as
 * l2l_bench_plugin_open will; fills entry. */
static int read_plugin(struct ctx *c, int k, enum l2l_kind kind, const char *name,
                       struct l2l_bench_entry *en)
{
    const struct ini_section *sec = &c->doc.sections[k];
    const struct ini_entry *pe = ini_find_key(&c->doc, k, "plugin");
    en->kind = kind;
    en->name = strdup(name);
    en->plugin = strdup(pe ? pe->value : name);
    en->sets = calloc((size_t)sec->n + 1, sizeof(char *));
    if (!en->name || !en->plugin || !en->sets)
        return L2L_ENOMEM;
    struct l2l_plugin p;
    char msg[L2L_ERRLEN];
    if (l2l_plugin_open(kind, en->plugin, &p, msg, sizeof msg) < 0) {
        bad(c, pe ? pe->line : sec->line, "%s", msg);
        return 0;
    }
    en->learned = kind == L2L_OPTIMIZER && p.u.opt->learned;
    const struct l2l_option *table = l2l_plugin_options(&p);
    struct l2l_value *v = calloc((size_t)l2l_options_count(table) + 1, sizeof *v);
    int rc = v ? 0 : L2L_ENOMEM;
    if (rc == 0 && l2l_options_defaults(table, v, msg, sizeof msg) < 0) {
        bad(c, sec->line, "%s: %s", en->plugin, msg);
        rc = 1;
    }
    int ns = 0;
    for (int i = 0; rc == 0 && i < sec->n; i++) {
        const struct ini_entry *e = &c->doc.e[sec->first + i];
        if (reserved(e->key)) {
            if (kind == L2L_OPTIMIZER && strcmp(e->key, "plugin"))
                bad(c, e->line, "%s: a key of [optimizee] sections, expected plugin or an option "
                    "of %s", e->key, en->plugin);
            continue;
        }
        if (l2l_options_find(table, e->key) < 0) {
            const char *near = l2l_options_suggest(table, e->key);
            bad(c, e->line, "%s: not an option of %s%s%s%s", e->key, en->plugin,
                near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
            continue;
        }
        if (l2l_options_set(table, v, e->key, e->value, msg, sizeof msg) < 0) {
            bad(c, e->line, "%s = %s: %s", e->key, e->value, msg);
            continue;
        }
        size_t len = strlen(e->key) + strlen(e->value) + 2;
        if (!(en->sets[ns] = malloc(len))) {
            rc = L2L_ENOMEM;
            break;
        }
        snprintf(en->sets[ns++], len, "%s=%s", e->key, e->value);
    }
    const struct ini_entry *so = ini_find_key(&c->doc, k, "size_option");
    if (rc == 0 && kind == L2L_OPTIMIZEE && so) {
        int row = l2l_options_find(table, so->value);
        if (row < 0 || table[row].type != L2L_OPT_INT)
            bad(c, so->line, "size_option = %s: expected an integer option of %s (the count that "
                "sets n)", so->value, en->plugin);
        else if (!(en->size_option = strdup(so->value)))
            rc = L2L_ENOMEM;
    }
    if (v) {
        l2l_values_clear(table, v);
        free(v);
    }
    l2l_plugin_close(&p);
    return rc < 0 ? rc : 0;
}

/* [bench]: gemm_shape and trajectory (checked against the sections later). */
static int read_bench(struct ctx *c, int k, struct l2l_bench_file *f, const char **traj, int *traj_line)
{
    const struct ini_section *sec = &c->doc.sections[k];
    for (int i = 0; i < sec->n; i++) {
        const struct ini_entry *e = &c->doc.e[sec->first + i];
        if (!strcmp(e->key, "gemm_shape")) {
            long long a, b;
            char x[32], y[32];
            const char *comma = strchr(e->value, ',');
            size_t la = comma ? (size_t)(comma - e->value) : 0;
            if (comma && la < sizeof x && strlen(comma + 1) < sizeof y) {
                memcpy(x, e->value, la);
                x[la] = 0;
                snprintf(y, sizeof y, "%s", comma + 1 + strspn(comma + 1, " "));
                while (la && x[la - 1] == ' ')
                    x[--la] = 0;
            }
            if (!comma || la >= sizeof x || strlen(comma + 1) >= sizeof y ||
                l2l_parse_int(x, 1, 4096, &a) < 0 || l2l_parse_int(y, 1, 4096, &b) < 0) {
                bad(c, e->line, "gemm_shape = %s: expected two whole numbers K, M in [1, 4096]",
                    e->value);
                continue;
            }
            f->gemm_k = (int)a;
            f->gemm_m = (int)b;
        } else if (!strcmp(e->key, "trajectory")) {
            *traj = e->value;
            *traj_line = e->line;
        } else {
            bad(c, e->line, "%s: not a key of [bench], expected gemm_shape or trajectory", e->key);
        }
    }
    return 0;
}

int l2l_bench_file_read(const char *path, struct l2l_bench_file *f)
{
    memset(f, 0, sizeof *f);
    f->trajectory = f->unroll = -1;
    struct ctx c = {path, {0}, 0};
    int rc = ini_read(path, &c.doc);
    if (rc < 0) {
        ini_doc_free(&c.doc);
        return rc;
    }
    f->path = strdup(path);
    f->e = calloc((size_t)c.doc.n_sections + 1, sizeof *f->e);
    if (!f->path || !f->e)
        rc = L2L_ENOMEM;
    const char *traj = NULL;
    int traj_line = 0, unroll_line = 0;
    for (int k = 0; rc == 0 && k < c.doc.n_sections; k++) {
        const char *s = c.doc.sections[k].name, *sp = strchr(s, ' ');
        int line = c.doc.sections[k].line;
        if (!strcmp(s, "bench")) {
            rc = read_bench(&c, k, f, &traj, &traj_line);
        } else if (sp && (!strncmp(s, "optimizer ", 10) || !strncmp(s, "optimizee ", 10))) {
            enum l2l_kind kind = s[8] == 'r' ? L2L_OPTIMIZER : L2L_OPTIMIZEE;
            struct l2l_bench_entry *en = &f->e[f->n++];
            rc = read_plugin(&c, k, kind, sp + 1, en);
            const struct ini_entry *m = ini_find_key(&c.doc, k, "measure");
            if (rc == 0 && kind == L2L_OPTIMIZEE) {
                if (!m)
                    bad(&c, line, "[%s]: no measure, expected measure = fwdbwd, trajectory or "
                        "unroll (one or more)", s);
                else if (parse_measures(&c, m, &en->measures) == 0 &&
                         (en->measures & L2L_BM_UNROLL)) {
                    if (f->unroll >= 0)
                        bad(&c, m->line, "measure = unroll: a second unroll optimizee, the first at "
                            "line %d", unroll_line);
                    else if (!en->size_option && !ini_find_key(&c.doc, k, "size_option"))
                        bad(&c, m->line, "measure = unroll needs size_option = the integer option "
                            "of %s that sets n", en->plugin);
                    f->unroll = f->n - 1;
                    unroll_line = m->line;
                }
            }
        } else {
            bad(&c, line, "[%s]: expected [bench], [optimizer NAME] or [optimizee NAME]", s);
        }
    }
    for (int k = 0; rc == 0 && !traj && k < f->n; k++)
        if (f->e[k].measures & L2L_BM_TRAJECTORY) {
            bad(&c, 0, "[optimizee %s] has measure = trajectory, expected [bench] trajectory = the "
                "learned optimizer to time", f->e[k].name);
            break;
        }
    if (rc == 0 && traj) {
        for (int k = 0; k < f->n; k++)
            if (f->e[k].kind == L2L_OPTIMIZER && !strcmp(f->e[k].name, traj))
                f->trajectory = k;
        if (f->trajectory < 0 || !f->e[f->trajectory].learned)
            bad(&c, traj_line, "trajectory = %s: expected the NAME of a learned [optimizer NAME] "
                "section of this file", traj);
    }
    if (rc == 0 && c.errors)
        rc = L2L_EINPUT;
    ini_doc_free(&c.doc);
    return rc;
}

void l2l_bench_file_free(struct l2l_bench_file *f)
{
    for (int k = 0; f->e && k < f->n; k++) {
        struct l2l_bench_entry *en = &f->e[k];
        free(en->name);
        free(en->plugin);
        free(en->size_option);
        for (int i = 0; en->sets && en->sets[i]; i++)
            free(en->sets[i]);
        free(en->sets);
    }
    free(f->e);
    free(f->path);
    memset(f, 0, sizeof *f);
}
