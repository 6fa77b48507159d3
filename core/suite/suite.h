/* suite.h: an INI suite, parsed, validated against every option table and
 * resolved (plugins loaded, references checked) before any work starts. */
#ifndef L2L_SUITE_H
#define L2L_SUITE_H
#include <stdint.h>
#include "l2l/plugin.h"
#include "meta_train.h"
#include "plugin_loader.h"

#define L2L_MAX_GRID 64

struct suite_optimizee {
    char *name;                 /* section name: [optimizee NAME] */
    int line;                   /* line of the section header */
    struct l2l_plugin plugin;
    struct l2l_value *values;   /* one per row of the plugin's table */
    void *family;               /* opened lazily by the runner */
};

struct suite_optimizer {
    char *name;                 /* [optimizer NAME] */
    int line;
    struct l2l_plugin plugin;
    struct l2l_value *values;
    /* Tuning: when n_grid > 1 the plugin's tunable option takes each value
     * of grid in turn; the best by mean final loss is used. */
    int tune_index;             /* row of the tunable option, or -1 */
    int n_grid;
    double grid[L2L_MAX_GRID];
    char *grid_text;            /* the grid as the suite gives it, for l2l_suite_write */
    /* Learned optimizers: where φ lives and what to meta-train it on. */
    int learned;
    char *checkpoint;           /* resolved path */
    int train_on;               /* index into suite optimizees, or -1 */
    struct l2l_value *meta_values; /* rows of l2l_meta_options */
    struct l2l_sets sets;       /* one φ per set (`set.NAME = PATTERNS`), resolved: at least `all` */
    struct l2l_meta_config meta;
};

#define L2L_MAX_HORIZONS 16

struct suite_experiment {
    char *name;                 /* [experiment NAME] */
    int line;
    int optimizee;              /* index into suite optimizees */
    int n_optimizers;
    int *optimizers;            /* indices into suite optimizers */
    long steps, runs, tune_runs, tune_steps;
    char *figure;               /* experiments with one figure name share a page */
    char *title;
    /* Comparisons (stats_write.c reads them back from suite.ini): as
     * given, NULL when unset. */
    char *reference, *report_steps, *target;
    /* Horizons and traces (runner_extra.c): k x steps runs for each
     * horizon[0..n_horizons), as given in horizons_text (NULL: unset). */
    char *horizons_text;
    int n_horizons;
    long horizon[L2L_MAX_HORIZONS];
    int trace;                  /* record the first run's updates */
};

struct suite {
    char *path;                 /* as given */
    char *dir;                  /* directory of the file, for relative paths */
    char *name;
    char *description;
    uint64_t seed;
    int n_optimizees, n_optimizers, n_experiments;
    struct suite_optimizee *optimizees;
    struct suite_optimizer *optimizers;
    struct suite_experiment *experiments;
};

/* Reads, validates and resolves a suite. Every problem found is printed as
 * "FILE:LINE: ..." on stderr; returns 0 or L2L_EINPUT (nothing started).
 * seed_override >= 0 replaces the suite's seed. */
int l2l_suite_load(const char *path, long long seed_override, struct suite *s);
void l2l_suite_free(struct suite *s);

/* Writes the suite as resolved (every option with its value) as INI. */
void l2l_suite_write(FILE *f, const struct suite *s);
#endif
