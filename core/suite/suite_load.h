/* suite_load.h: internal to the suite's reader (core/suite/suite*.c): the
 * state of one l2l_suite_load, what the section loaders share
 * (suite_keys.c, suite_grid.c) and the loaders themselves. */
#ifndef L2L_SUITE_LOAD_H
#define L2L_SUITE_LOAD_H
#include <stddef.h>
#include "ini_read.h"
#include "suite.h"

/* Rows of the [suite] table (suite.c): an experiment's runs default to them. */
enum { S_NAME, S_SEED, S_DESCRIPTION, S_RUNS, S_TUNE_RUNS };

struct ctx {
    const char *path;
    struct ini_doc doc;
    struct suite *s;
    int errors;
    int *obj_of_sec; /* per doc section: index into its kind's array, or -1 */
};

/* One option table a section's keys go to, with its values (and the
 * optimizer whose tunable key may hold a grid). */
struct key_table {
    const struct l2l_option *table;
    struct l2l_value *values;
    struct suite_optimizer *tuner;
};

/* suite_keys.c. One problem, said "FILE:LINE: ..." (line 0: no line)
 * and counted in c->errors. */
void suite_bad(struct ctx *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A copy of s ("" for NULL); NULL after saying so when out of memory. */
char *suite_strdup(struct ctx *c, const char *s);
/* Refuses a name that does not follow names.h (names become file names). */
void suite_check_name(struct ctx *c, int line, const char *name, const char *fmt, const char *arg);
/* Applies each key of the section, once, to the first of the nt tables
 * that has it; then says which required keys are missing. */
void suite_apply_keys_to(struct ctx *c, const char *section, const struct key_table *t, int nt);
/* The keys of a section that has one table. */
void suite_apply_keys(struct ctx *c, const char *section, const struct l2l_option *table,
                struct l2l_value *values);
/* The value of key in [section] (its line into *line), or NULL. */
const char *suite_find_value(struct ctx *c, const char *section, const char *key, int *line);
/* Index of [KIND NAME] in its kind's array (optimizees, optimizers), or -1. */
int suite_find_object(struct ctx *c, const char *kind, const char *name, size_t len);
/* The table's defaults, or NULL (said); freed by free_values. */
struct l2l_value *suite_new_values(struct ctx *c, const struct l2l_option *table);
void suite_free_values(const struct l2l_option *table, struct l2l_value *v);
/* Opens the plugin the section's `plugin` key names: 0, or -1 (said). */
int suite_load_plugin(struct ctx *c, const char *section, int line, enum l2l_kind kind,
                struct l2l_plugin *p);
/* rel relative to the suite file's folder (kept when absolute). */
char *suite_resolve_path(struct ctx *c, const char *rel);

/* suite_grid.c. Parses "logspace(LO, HI, N)" or "a, b, c" into a grid; 0
 * when text is a single value (not a grid), 1 for a grid, -1 for a
 * malformed one (err set). */
int suite_parse_grid(const char *text, double *grid, int *n, char *err, size_t errlen);

/* The section loaders, called by load_sections (suite.c) in the order:
 * optimizees, optimizers, experiments. Each adds its object to c->s and
 * says every problem it finds. */
void suite_load_optimizee(struct ctx *c, const struct ini_section *sec, const char *name);  /* suite_optimizee.c */
void suite_load_optimizer(struct ctx *c, const struct ini_section *sec, const char *name);  /* suite_optimizer.c */
void suite_load_experiment(struct ctx *c, const struct ini_section *sec, const char *name,
                     const struct l2l_value *sv);                                     /* suite_experiment.c */
/* suite_optimizer.c. Every optimizer's options tried by its create(), and
 * a learned one's checkpoint found or trainable; at least one experiment. */
void suite_check_learned(struct ctx *c);
#endif
