/* suite.c: validate an INI suite against the option tables of the core and
 * of every plugin it names; report every problem in one go, FILE:LINE first. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "bytes.h"
#include "ini_read.h"
#include "log.h"
#include "names.h"
#include "numbers.h"
#include "options.h"
#include "suite.h"

static const struct l2l_option suite_table[] = {
    {"name", L2L_OPT_STRING, "", 0, 0, NULL, "suite name: results go to results/NAME (default: the file name)"},
    {"seed", L2L_OPT_INT, "1", 0, 9007199254740991.0, NULL, "suite seed: every random stream derives from it"},
    {"description", L2L_OPT_STRING, "", 0, 0, NULL, "one line for the report"},
    {"runs", L2L_OPT_INT, "10", 1, 100000, NULL, "default evaluation runs per optimizer"},
    {"tune_runs", L2L_OPT_INT, "5", 1, 10000, NULL, "default tuning runs per grid value"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
enum { S_NAME, S_SEED, S_DESCRIPTION, S_RUNS, S_TUNE_RUNS };

static const struct l2l_option experiment_table[] = {
    {"optimizee", L2L_OPT_STRING, NULL, 0, 0, NULL, "name of an [optimizee NAME] section"},
    {"optimizers", L2L_OPT_STRING, NULL, 0, 0, NULL, "comma-separated [optimizer NAME] sections"},
    {"steps", L2L_OPT_INT, "100", 1, 10000000, NULL, "optimizer steps per run"},
    {"runs", L2L_OPT_INT, "0", 0, 100000, NULL, "evaluation runs (0: the suite's runs)"},
    {"tune_runs", L2L_OPT_INT, "0", 0, 10000, NULL, "tuning runs per grid value (0: the suite's)"},
    {"tune_steps", L2L_OPT_INT, "0", 0, 10000000, NULL, "steps of tuning runs (0: steps)"},
    {"figure", L2L_OPT_STRING, "", 0, 0, NULL, "experiments with one figure name share a page (default: own)"},
    {"title", L2L_OPT_STRING, "", 0, 0, NULL, "panel title (default: the experiment name)"},
    {"reference", L2L_OPT_STRING, "", 0, 0, NULL, "optimizer the others are compared with (default: the hand-designed one with the lowest median final loss)"},
    {"report_steps", L2L_OPT_STRING, "", 0, 0, NULL, "comma-separated steps compared besides 10, 50 and 100 % of steps"},
    {"target", L2L_OPT_STRING, "", 0, 0, NULL, "loss of the time to target (default: the reference's median final loss)"},
    {"horizons", L2L_OPT_STRING, "", 0, 0, NULL, "comma-separated multiples of steps, increasing, from 1: every optimizer also runs k x steps (tuning stays at steps)"},
    {"trace", L2L_OPT_BOOL, "false", 0, 0, NULL, "record the first run's update statistics per step (trace.csv, trace_pairs.csv)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};
enum { E_OPTIMIZEE, E_OPTIMIZERS, E_STEPS, E_RUNS, E_TUNE_RUNS, E_TUNE_STEPS, E_FIGURE, E_TITLE,
       E_REFERENCE, E_REPORT_STEPS, E_TARGET, E_HORIZONS, E_TRACE };

/* Keys of a learned optimizer's section besides its plugin's options. */
static const struct l2l_option learned_table[] = {
    {"checkpoint", L2L_OPT_STRING, NULL, 0, 0, NULL, "φ file, relative to the suite file; trained when missing"},
    {"train_on", L2L_OPT_STRING, "", 0, 0, NULL, "[optimizee NAME] to meta-train on when the checkpoint is missing"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

struct ctx {
    const char *path;
    struct ini_doc doc;
    struct suite *s;
    int errors;
    int *obj_of_sec; /* per doc section: index into its kind's array, or -1 */
};

static void bad(struct ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad(struct ctx *c, int line, const char *fmt, ...)
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

static char *xstrdup(struct ctx *c, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        bad(c, 0, "out of memory");
    return d;
}

/* Names become file names: refused unless they follow names.h. */
static void check_name(struct ctx *c, int line, const char *name, const char *fmt, const char *arg)
{
    char err[1024];
    if (l2l_name_check(name, err, sizeof err, fmt, arg) < 0)
        bad(c, line, "%s", err);
}

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

/* Parses "logspace(LO, HI, N)" or "a, b, c" into a grid; 0 when text is a
 * single value (not a grid), 1 for a grid, -1 for a malformed one. */
static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* "logspace(LO, HI, N)", read to its closing parenthesis and no further:
 * LO and HI decimal reals, N digits, spaces allowed around each. */
static int parse_logspace(const char *text, double *lo, double *hi, long long *count)
{
    char num[64];
    const char *p = skip_spaces(text + 8);
    if (*p++ != '(')
        return -1;
    double *ends[2] = {lo, hi};
    for (int k = 0; k < 3; k++) {
        p = skip_spaces(p);
        size_t n = k < 2 ? (size_t)l2l_real_span(p) : strspn(p, "0123456789");
        if (n == 0 || n >= sizeof num)
            return -1;
        memcpy(num, p, n);
        num[n] = 0;
        if (k < 2 ? l2l_parse_real(num, ends[k]) : l2l_parse_int(num, 0, 1000000, count))
            return -1;
        p = skip_spaces(p + n);
        if (*p++ != (k < 2 ? ',' : ')'))
            return -1;
    }
    return *skip_spaces(p) ? -1 : 0;
}

/* Parses "logspace(LO, HI, N)" or "a, b, c" into a grid; 0 when text is a
 * single value (not a grid), 1 for a grid, -1 for a malformed one. */
static int parse_grid(const char *text, double *grid, int *n, char *err, size_t errlen)
{
    double lo, hi;
    long long count;
    if (!strncmp(text, "logspace", 8)) {
        if (parse_logspace(text, &lo, &hi, &count) < 0 || !(lo > 0) || !(hi > lo) || !isfinite(hi) ||
            count < 2 || count > L2L_MAX_GRID) {
            l2l_fmt(err, errlen, "expected logspace(LO, HI, N) with 0 < LO < HI (decimal reals), "
                    "a whole 2 <= N <= %d and nothing after ')', got '%s'", L2L_MAX_GRID, text);
            return -1;
        }
        for (int k = 0; k < count; k++)
            grid[k] = lo * pow(hi / lo, (double)k / (double)(count - 1));
        *n = (int)count;
        return 1;
    }
    if (!strchr(text, ','))
        return 0;
    struct l2l_option row = {"grid", L2L_OPT_LIST, NULL, -INFINITY, INFINITY, NULL, NULL};
    struct l2l_value v = {0};
    if (l2l_option_parse(&row, text, &v, err, errlen) < 0)
        return -1;
    free((char *)v.s);
    if (v.n > L2L_MAX_GRID) {
        l2l_fmt(err, errlen, "at most %d grid values", L2L_MAX_GRID);
        return -1;
    }
    memcpy(grid, v.list, sizeof(double) * (size_t)v.n);
    *n = v.n;
    return 1;
}

/* One option table a section's keys go to, with its values (and the
 * optimizer whose tunable key may hold a grid). */
struct key_table {
    const struct l2l_option *table;
    struct l2l_value *values;
    struct suite_optimizer *tuner;
};

/* Applies each key of the section, once, to the first of the nt tables
 * that has it (a learned optimizer's section holds the plugin's keys, the
 * checkpoint keys and the meta-training keys); a key none has is reported
 * once, with the nearest name of any table. Then a required key missing
 * from any table is reported. */
static void apply_keys_to(struct ctx *c, const char *section, const struct key_table *t, int nt)
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
            bad(c, e->line, "[%s] unknown key '%s'%s%s%s", section, e->key,
                hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
            continue;
        }
        const struct l2l_option *table = t[x].table;
        struct l2l_value *values = t[x].values;
        struct suite_optimizer *tuner = t[x].tuner;
        if (tuner && tuner->tune_index == row) {
            int g = parse_grid(e->value, tuner->grid, &tuner->n_grid, err, sizeof err);
            if (g < 0) {
                bad(c, e->line, "[%s] %s: %s", section, e->key, err);
                continue;
            }
            if (g > 0) {
                free(tuner->grid_text);
                tuner->grid_text = xstrdup(c, e->value);
                for (int j = 0; j < tuner->n_grid; j++) {
                    char one[64];
                    l2l_fmt(one, sizeof one, "%.17g", tuner->grid[j]);
                    if (l2l_option_parse(&table[row], one, &values[row], err, sizeof err) < 0) {
                        bad(c, e->line, "[%s] %s: grid value %s: %s", section, e->key, one, err);
                        break;
                    }
                }
                continue;
            }
        }
        if (l2l_option_parse(&table[row], e->value, &values[row], err, sizeof err) < 0)
            bad(c, e->line, "[%s] %s: %s", section, e->key, err);
    }
    int sec_line = is ? is->line : 0; /* a missing key is reported at its section's header */
    for (int x = 0; x < nt; x++) {
        const struct l2l_option *table = t[x].table;
        const struct suite_optimizer *tuner = t[x].tuner;
        for (int row = 0; table[row].name; row++)
            if (!t[x].values[row].s && !(tuner && tuner->tune_index == row && tuner->n_grid > 1))
                bad(c, sec_line, "[%s] missing required key '%s' (%s)", section, table[row].name,
                    table[row].help ? table[row].help : "");
    }
}

/* The keys of a section that has one table. */
static void apply_keys(struct ctx *c, const char *section, const struct l2l_option *table,
                       struct l2l_value *values)
{
    const struct key_table t = {table, values, NULL};
    apply_keys_to(c, section, &t, 1);
}

static const char *find_value(struct ctx *c, const char *section, const char *key, int *line)
{
    const struct ini_entry *e = ini_find_key(&c->doc, ini_find_section(&c->doc, section), key);
    if (!e)
        return NULL;
    if (line)
        *line = e->line;
    return e->value;
}

/* Index of [KIND NAME] in its kind's array (optimizees, optimizers), or -1. */
static int find_object(struct ctx *c, const char *kind, const char *name, size_t len)
{
    char sec[128];
    if (len > 64)
        return -1;
    l2l_fmt(sec, sizeof sec, "%s %.*s", kind, (int)len, name);
    int k = ini_find_section(&c->doc, sec);
    return k < 0 || !c->obj_of_sec ? -1 : c->obj_of_sec[k];
}

static struct l2l_value *new_values(struct ctx *c, const struct l2l_option *table)
{
    int n = l2l_options_count(table);
    struct l2l_value *v = calloc((size_t)n + 1, sizeof *v);
    char err[L2L_ERRLEN];
    if (!v) {
        bad(c, 0, "out of memory");
        return NULL;
    }
    if (l2l_options_defaults(table, v, err, sizeof err) < 0) {
        bad(c, 0, "%s", err);
        free(v);
        return NULL;
    }
    return v;
}

static void free_values(const struct l2l_option *table, struct l2l_value *v)
{
    if (!v)
        return;
    l2l_values_clear(table, v);
    free(v);
}

static int load_plugin(struct ctx *c, const char *section, int line, enum l2l_kind kind,
                       struct l2l_plugin *p)
{
    int pline = line;
    const char *name = find_value(c, section, "plugin", &pline);
    char err[L2L_ERRLEN];
    if (!name || !*name) {
        bad(c, line, "[%s] missing required key 'plugin' (see `l2l list`)", section);
        return -1;
    }
    if (l2l_plugin_open(kind, name, p, err, sizeof err) < 0) {
        bad(c, pline, "[%s] plugin: %s", section, err);
        return -1;
    }
    return 0;
}

static char *resolve_path(struct ctx *c, const char *rel)
{
    if (rel[0] == '/' || !strcmp(c->s->dir, "."))
        return xstrdup(c, rel);
    size_t len = strlen(c->s->dir) + strlen(rel) + 2;
    char *p = malloc(len);
    if (!p) {
        bad(c, 0, "out of memory");
        return NULL;
    }
    snprintf(p, len, "%s/%s", c->s->dir, rel);
    return p;
}

static void load_optimizee(struct ctx *c, const struct ini_section *sec, const char *name)
{
    struct suite_optimizee *o = &c->s->optimizees[c->s->n_optimizees++];
    o->name = xstrdup(c, name);
    o->line = sec->line;
    if (load_plugin(c, sec->name, sec->line, L2L_OPTIMIZEE, &o->plugin) < 0)
        return;
    const struct l2l_option *table = l2l_plugin_options(&o->plugin);
    o->values = new_values(c, table);
    if (o->values)
        apply_keys(c, sec->name, table, o->values);
}

/* A checkpoint path that exists must be a file: a directory there would
 * pass for "trained already" and fail only when φ is read. */
static void check_checkpoint_path(struct ctx *c, const struct ini_section *sec, const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0 || S_ISREG(st.st_mode))
        return;
    int line = sec->line;
    find_value(c, sec->name, "checkpoint", &line);
    bad(c, line, "[%s] checkpoint: %s is %s, expected a checkpoint file (or no file yet, for "
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
            bad(c, 0, "out of memory");
        else if (rc < 0)
            bad(c, e->line, "[%s] %s", sec->name, err);
    }
    if (l2l_sets_resolve(&o->sets) < 0)
        bad(c, 0, "out of memory");
}

static void load_optimizer(struct ctx *c, const struct ini_section *sec, const char *name)
{
    struct suite_optimizer *o = &c->s->optimizers[c->s->n_optimizers++];
    o->name = xstrdup(c, name);
    o->line = sec->line;
    o->tune_index = -1;
    o->train_on = -1;
    if (load_plugin(c, sec->name, sec->line, L2L_OPTIMIZER, &o->plugin) < 0)
        return;
    const struct l2l_optimizer_ops *ops = o->plugin.u.opt;
    const struct l2l_option *table = ops->options;
    if (ops->tunable)
        o->tune_index = l2l_options_find(table, ops->tunable);
    o->learned = ops->learned != NULL;
    o->values = new_values(c, table);
    if (!o->values)
        return;
    if (!o->learned) {
        const struct key_table t = {table, o->values, o};
        apply_keys_to(c, sec->name, &t, 1);
        return;
    }
    struct l2l_value lv[3];
    char err[L2L_ERRLEN];
    if (l2l_options_defaults(learned_table, lv, err, sizeof err) < 0) {
        bad(c, 0, "%s", err);
        return;
    }
    o->meta_values = new_values(c, l2l_meta_options);
    if (!o->meta_values) {
        l2l_values_clear(learned_table, lv);
        return;
    }
    const struct key_table t[] = {
        {table, o->values, o}, {learned_table, lv, NULL}, {l2l_meta_options, o->meta_values, NULL}};
    apply_keys_to(c, sec->name, t, 3);
    l2l_meta_config_from_values(o->meta_values, &o->meta);
    if (lv[0].s && lv[0].s[0])
        o->checkpoint = resolve_path(c, lv[0].s);
    else if (lv[0].s)
        bad(c, sec->line, "[%s] checkpoint: expected a file name", sec->name);
    check_checkpoint_path(c, sec, o->checkpoint);
    int line = sec->line;
    find_value(c, sec->name, "train_on", &line);
    if (lv[1].s && lv[1].s[0]) {
        o->train_on = find_object(c, "optimizee", lv[1].s, strlen(lv[1].s));
        if (o->train_on < 0)
            bad(c, line, "[%s] train_on: no section [optimizee %s] (optimizee sections must come before)",
                sec->name, lv[1].s);
    }
    l2l_values_clear(learned_table, lv);
    load_sets(c, sec, o);
}

/* The keys of the comparisons (stats_write.c), kept as given. */
static void compare_keys(struct ctx *c, const struct ini_section *sec, struct suite_experiment *x,
                         const struct l2l_value *v)
{
    int line = sec->line;
    const char *ref = v[E_REFERENCE].s, *steps = v[E_REPORT_STEPS].s, *target = v[E_TARGET].s;
    char *end;
    if (ref && ref[0]) {
        int found = 0;
        for (int k = 0; k < x->n_optimizers; k++)
            found |= !strcmp(c->s->optimizers[x->optimizers[k]].name, ref);
        find_value(c, sec->name, "reference", &line);
        if (!found)
            bad(c, line, "[%s] reference: '%s' is not in this experiment's optimizers", sec->name, ref);
        x->reference = xstrdup(c, ref);
    }
    for (const char *p = steps ? steps : ""; *p; ) {
        long t = strtol(p, &end, 10);
        if (end == p || t < 0 || t > x->steps || !strchr(" ,", *end)) {
            find_value(c, sec->name, "report_steps", &line);
            bad(c, line, "[%s] report_steps: '%s': expected comma-separated steps from 0 to %ld",
                sec->name, steps, x->steps);
            break;
        }
        p = end + strspn(end, " ,");
    }
    if (steps && steps[0])
        x->report_steps = xstrdup(c, steps);
    if (target && target[0]) {
        double y = strtod(target, &end);
        if (end == target || *end || !isfinite(y)) {
            find_value(c, sec->name, "target", &line);
            bad(c, line, "[%s] target: '%s': expected a finite loss", sec->name, target);
        }
        x->target = xstrdup(c, target);
    }
}

/* horizons and trace (runner_extra.c). horizons: increasing integers
 * k >= 1, at most L2L_MAX_HORIZONS, k x steps at most 10,000,000. */
static void judgment_keys(struct ctx *c, const struct ini_section *sec, struct suite_experiment *x,
                          const struct l2l_value *v)
{
    const char *h = v[E_HORIZONS].s;
    x->trace = (int)v[E_TRACE].i;
    if (!h || !h[0])
        return;
    int line = sec->line;
    char *end;
    x->horizons_text = xstrdup(c, h);
    for (const char *p = h; *p; ) {
        long k = strtol(p, &end, 10);
        long last = x->n_horizons ? x->horizon[x->n_horizons - 1] : 0;
        if (end == p || k < 1 || k <= last || x->n_horizons == L2L_MAX_HORIZONS ||
            (double)k * (double)x->steps > 1e7 || !strchr(" ,", *end)) {
            find_value(c, sec->name, "horizons", &line);
            bad(c, line, "[%s] horizons: '%s': expected up to %d increasing whole multiples of "
                "steps from 1, each times steps (%ld) at most 10000000", sec->name, h,
                L2L_MAX_HORIZONS, x->steps);
            x->n_horizons = 0;
            return;
        }
        x->horizon[x->n_horizons++] = k;
        p = end + strspn(end, " ,");
    }
}

static void load_experiment(struct ctx *c, const struct ini_section *sec, const char *name,
                            const struct l2l_value *sv)
{
    struct suite *s = c->s;
    struct suite_experiment *x = &s->experiments[s->n_experiments++];
    x->name = xstrdup(c, name);
    x->line = sec->line;
    x->optimizee = -1;
    struct l2l_value *v = new_values(c, experiment_table);
    if (!v)
        return;
    apply_keys(c, sec->name, experiment_table, v);
    x->steps = v[E_STEPS].i;
    x->runs = v[E_RUNS].i ? v[E_RUNS].i : sv[S_RUNS].i;
    x->tune_runs = v[E_TUNE_RUNS].i ? v[E_TUNE_RUNS].i : sv[S_TUNE_RUNS].i;
    x->tune_steps = v[E_TUNE_STEPS].i ? v[E_TUNE_STEPS].i : x->steps;
    x->figure = xstrdup(c, v[E_FIGURE].s && v[E_FIGURE].s[0] ? v[E_FIGURE].s : name);
    if (v[E_FIGURE].s && v[E_FIGURE].s[0]) {
        int fline = sec->line;
        find_value(c, sec->name, "figure", &fline);
        check_name(c, fline, v[E_FIGURE].s, "[%s] figure:", sec->name);
    }
    x->title = xstrdup(c, v[E_TITLE].s && v[E_TITLE].s[0] ? v[E_TITLE].s : name);
    int line = sec->line;
    if (v[E_OPTIMIZEE].s) {
        find_value(c, sec->name, "optimizee", &line);
        x->optimizee = find_object(c, "optimizee", v[E_OPTIMIZEE].s, strlen(v[E_OPTIMIZEE].s));
        if (x->optimizee < 0)
            bad(c, line, "[%s] optimizee: no section [optimizee %s]", sec->name, v[E_OPTIMIZEE].s);
    }
    if (v[E_OPTIMIZERS].s) {
        find_value(c, sec->name, "optimizers", &line);
        const char *p = v[E_OPTIMIZERS].s;
        int items = 0; /* names given, found or not */
        x->optimizers = calloc(strlen(p) + 1, sizeof *x->optimizers);
        while (x->optimizers && *p) {
            while (*p == ' ' || *p == ',')
                p++;
            size_t len = strcspn(p, ", ");
            if (!len)
                break;
            items++;
            int found = find_object(c, "optimizer", p, len);
            for (int k = 0; found >= 0 && k < x->n_optimizers; k++)
                if (x->optimizers[k] == found) {
                    bad(c, line, "[%s] optimizers: '%.*s' listed twice", sec->name, (int)len, p);
                    found = -2;
                }
            if (found == -1)
                bad(c, line, "[%s] optimizers: no section [optimizer %.*s]", sec->name, (int)len, p);
            else if (found >= 0)
                x->optimizers[x->n_optimizers++] = found;
            p += len;
        }
        /* Names that were given but not found are reported above. */
        if (x->optimizers && items == 0)
            bad(c, line, "[%s] optimizers: expected a comma-separated list of optimizer sections, got '%s'",
                sec->name, v[E_OPTIMIZERS].s);
    }
    compare_keys(c, sec, x, v);
    judgment_keys(c, sec, x, v);
    free_values(experiment_table, v);
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
        bad(c, 0, "out of memory");
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
                    bad(c, sec->line, "unknown section [%s] (expected [suite], [optimizee NAME], [optimizer NAME] or [experiment NAME])", sec->name);
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
                    bad(c, sec->line, "section [%s] appears twice (first at line %d)", sec->name,
                        c->doc.sections[dup].line);
                else if (pass == 0)
                    bad(c, sec->line, "section [%s] differs from [%s] (line %d) only in case: "
                        "names become file names", sec->name, c->doc.sections[dup].name,
                        c->doc.sections[dup].line);
                continue;
            }
            /* Only the kinds that take a name are checked for one; an
             * unknown kind gets one message, below. */
            int named = !strcmp(kind, "optimizee") || !strcmp(kind, "optimizer") ||
                        !strcmp(kind, "experiment");
            if (pass == 0 && named)
                check_name(c, sec->line, name, "[%s]:", sec->name);
            if (!strcmp(kind, "suite")) {
                if (pass == 0 && *name)
                    bad(c, sec->line, "[%s]: the [suite] section takes no name", sec->name);
            } else if (!strcmp(kind, "optimizee")) {
                if (pass == 0) {
                    c->obj_of_sec[k] = s->n_optimizees;
                    load_optimizee(c, sec, name);
                }
            } else if (!strcmp(kind, "optimizer")) {
                if (pass == 1) {
                    c->obj_of_sec[k] = s->n_optimizers;
                    load_optimizer(c, sec, name);
                }
            } else if (!strcmp(kind, "experiment")) {
                if (pass == 2)
                    load_experiment(c, sec, name, sv);
            } else if (pass == 0) {
                bad(c, sec->line, "unknown section [%s] (expected [suite], [optimizee NAME], [optimizer NAME] or [experiment NAME])", sec->name);
            }
        }
    /* Keys before any section. */
    for (int k = 0; k < c->doc.n; k++)
        if (c->doc.e[k].sec < 0)
            bad(c, c->doc.e[k].line, "key '%s' outside any section", c->doc.e[k].key);
}

static void check_learned(struct ctx *c)
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
                bad(c, o->line, "[optimizer %s] %s", o->name, err);
        }
        if (o->learned && o->checkpoint && o->train_on < 0) {
            struct stat st;
            if (stat(o->checkpoint, &st) != 0)
                bad(c, o->line, "[optimizer %s] checkpoint %s does not exist and no train_on names what to meta-train on",
                    o->name, o->checkpoint);
        }
    }
    if (s->n_experiments == 0)
        bad(c, 0, "no [experiment NAME] section: nothing to run");
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
    s->path = xstrdup(&c, path);
    s->dir = dir_of(path);
    struct l2l_value *sv = new_values(&c, suite_table);
    if (sv) {
        apply_keys(&c, "suite", suite_table, sv);
        s->seed = (uint64_t)sv[S_SEED].i;
        if (seed_override >= 0)
            s->seed = (uint64_t)seed_override;
        s->name = sv[S_NAME].s && sv[S_NAME].s[0] ? xstrdup(&c, sv[S_NAME].s) : base_name(path);
        s->description = xstrdup(&c, sv[S_DESCRIPTION].s);
        int name_line = 0;
        find_value(&c, "suite", "name", &name_line);
        if (s->name)
            check_name(&c, name_line, s->name, "%s", name_line ? "[suite] name:" : "[suite] name (the file name):");
        load_sections(&c, sv);
        free_values(suite_table, sv);
    }
    if (!c.errors)
        check_learned(&c);
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
            free_values(l2l_plugin_options(&o->plugin), o->values);
        l2l_plugin_close(&o->plugin);
        free(o->name);
    }
    for (int k = 0; k < s->n_optimizers; k++) {
        struct suite_optimizer *o = &s->optimizers[k];
        if (o->values)
            free_values(l2l_plugin_options(&o->plugin), o->values);
        free_values(l2l_meta_options, o->meta_values);
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
