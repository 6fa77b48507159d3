/* suite_experiment.c: an [experiment NAME] section: its optimizee and
 * optimizers, steps and runs, figure, the keys of the comparisons and of
 * the judgment (horizons, trace). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"
#include "suite_load.h"

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
        suite_find_value(c, sec->name, "reference", &line);
        if (!found)
            suite_bad(c, line, "[%s] reference: '%s' is not in this experiment's optimizers", sec->name, ref);
        x->reference = suite_strdup(c, ref);
    }
    for (const char *p = steps ? steps : ""; *p; ) {
        long t = strtol(p, &end, 10);
        if (end == p || t < 0 || t > x->steps || !strchr(" ,", *end)) {
            suite_find_value(c, sec->name, "report_steps", &line);
            suite_bad(c, line, "[%s] report_steps: '%s': expected comma-separated steps from 0 to %ld",
                sec->name, steps, x->steps);
            break;
        }
        p = end + strspn(end, " ,");
    }
    if (steps && steps[0])
        x->report_steps = suite_strdup(c, steps);
    if (target && target[0]) {
        double y = strtod(target, &end);
        if (end == target || *end || !isfinite(y)) {
            suite_find_value(c, sec->name, "target", &line);
            suite_bad(c, line, "[%s] target: '%s': expected a finite loss", sec->name, target);
        }
        x->target = suite_strdup(c, target);
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
    x->horizons_text = suite_strdup(c, h);
    for (const char *p = h; *p; ) {
        long k = strtol(p, &end, 10);
        long last = x->n_horizons ? x->horizon[x->n_horizons - 1] : 0;
        if (end == p || k < 1 || k <= last || x->n_horizons == L2L_MAX_HORIZONS ||
            (double)k * (double)x->steps > 1e7 || !strchr(" ,", *end)) {
            suite_find_value(c, sec->name, "horizons", &line);
            suite_bad(c, line, "[%s] horizons: '%s': expected up to %d increasing whole multiples of "
                "steps from 1, each times steps (%ld) at most 10000000", sec->name, h,
                L2L_MAX_HORIZONS, x->steps);
            x->n_horizons = 0;
            return;
        }
        x->horizon[x->n_horizons++] = k;
        p = end + strspn(end, " ,");
    }
}

void suite_load_experiment(struct ctx *c, const struct ini_section *sec, const char *name,
                     const struct l2l_value *sv)
{
    struct suite *s = c->s;
    struct suite_experiment *x = &s->experiments[s->n_experiments++];
    x->name = suite_strdup(c, name);
    x->line = sec->line;
    x->optimizee = -1;
    struct l2l_value *v = suite_new_values(c, experiment_table);
    if (!v)
        return;
    suite_apply_keys(c, sec->name, experiment_table, v);
    x->steps = v[E_STEPS].i;
    x->runs = v[E_RUNS].i ? v[E_RUNS].i : sv[S_RUNS].i;
    x->tune_runs = v[E_TUNE_RUNS].i ? v[E_TUNE_RUNS].i : sv[S_TUNE_RUNS].i;
    x->tune_steps = v[E_TUNE_STEPS].i ? v[E_TUNE_STEPS].i : x->steps;
    x->figure = suite_strdup(c, v[E_FIGURE].s && v[E_FIGURE].s[0] ? v[E_FIGURE].s : name);
    if (v[E_FIGURE].s && v[E_FIGURE].s[0]) {
        int fline = sec->line;
        suite_find_value(c, sec->name, "figure", &fline);
        suite_check_name(c, fline, v[E_FIGURE].s, "[%s] figure:", sec->name);
    }
    x->title = suite_strdup(c, v[E_TITLE].s && v[E_TITLE].s[0] ? v[E_TITLE].s : name);
    int line = sec->line;
    if (v[E_OPTIMIZEE].s) {
        suite_find_value(c, sec->name, "optimizee", &line);
        x->optimizee = suite_find_object(c, "optimizee", v[E_OPTIMIZEE].s, strlen(v[E_OPTIMIZEE].s));
        if (x->optimizee < 0)
            suite_bad(c, line, "[%s] optimizee: no section [optimizee %s]", sec->name, v[E_OPTIMIZEE].s);
    }
    if (v[E_OPTIMIZERS].s) {
        suite_find_value(c, sec->name, "optimizers", &line);
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
            int found = suite_find_object(c, "optimizer", p, len);
            for (int k = 0; found >= 0 && k < x->n_optimizers; k++)
                if (x->optimizers[k] == found) {
                    suite_bad(c, line, "[%s] optimizers: '%.*s' listed twice", sec->name, (int)len, p);
                    found = -2;
                }
            if (found == -1)
                suite_bad(c, line, "[%s] optimizers: no section [optimizer %.*s]", sec->name, (int)len, p);
            else if (found >= 0)
                x->optimizers[x->n_optimizers++] = found;
            p += len;
        }
        /* Names that were given but not found are reported above. */
        if (x->optimizers && items == 0)
            suite_bad(c, line, "[%s] optimizers: expected a comma-separated list of optimizer sections, got '%s'",
                sec->name, v[E_OPTIMIZERS].s);
    }
    compare_keys(c, sec, x, v);
    judgment_keys(c, sec, x, v);
    suite_free_values(experiment_table, v);
}
