/* meta_sets.h: a learned optimizer with one φ per set of parameter groups
 * (docs/architecture.md, "Sets of φ"; the paper's conv experiment: one LSTM
 * for the convolution weights, one for the rest). The core makes one object
 * of the plugin per set, created over the coordinates of that set's groups
 * only (so global averaging stays per group inside each object), gathers θ,
 * ∇ and dL/dg into it and scatters the updates back; the plugin sees a
 * smaller optimizee and needs nothing new.
 *
 * The composite is itself driven through an l2l_optimizer_ops vtable
 * (l2l_sets_ops), so the runner and the meta-trainer call it as they call a
 * plugin: φ of the composite is the sets' φ one after the other, in the
 * order of the sets. With one set covering every coordinate (every suite
 * that names no sets: set `all`, patterns `*`) every call goes straight to
 * the plugin's object, and φ is the plugin's own buffer: the same bits as
 * before sets existed. */
#ifndef L2L_META_SETS_H
#define L2L_META_SETS_H
#include <stddef.h>
#include "l2l/plugin.h"

#define L2L_MAX_SETS 16

/* The sets as a suite names them (`set.NAME = PATTERN, ...`), in order. A
 * parameter group goes to the first set one of whose patterns (fnmatch(3),
 * e.g. `conv*.w`) matches its name. When no set has the pattern `*`, a last
 * set `rest` with `*` takes the groups no set matched. n = 0 in a suite
 * that names none: l2l_sets_resolve makes it the one set `all`, `*`. */
struct l2l_sets {
    int n;
    char *name[L2L_MAX_SETS];
    char *patterns[L2L_MAX_SETS]; /* as given, e.g. "conv*.w, fc*.w" */
};

/* Adds the set `set.NAME = PATTERNS` of a suite: a name (names.h), at
 * least one pattern, none after a set with `*`. Returns 0 or L2L_EINPUT
 * with err saying why (without FILE:LINE). */
int l2l_sets_add(struct l2l_sets *s, const char *name, const char *patterns, char *err, size_t errlen);
/* Completes a suite's sets: `all`/`*` when none, a last `rest`/`*` when no
 * set catches everything. Returns 0 or L2L_ENOMEM. */
int l2l_sets_resolve(struct l2l_sets *s);
void l2l_sets_free(struct l2l_sets *s);
/* 1 when s is the default (one set `all`, `*`). */
int l2l_sets_default(const struct l2l_sets *s);
/* "conv:conv*.w|fc:*" into buf (for the job description). */
void l2l_sets_describe(const struct l2l_sets *s, char *buf, size_t len);

/* The composite's vtable for a plugin: its name, options and descriptions
 * are the plugin's; its hooks are the composite's. create is NULL: objects
 * are made by l2l_sets_create. */
struct l2l_sets_ops {
    struct l2l_optimizer_ops ops;
    struct l2l_learned_ops learned;
};
void l2l_sets_ops_init(struct l2l_sets_ops *so, const struct l2l_optimizer_ops *plugin);

/* One object of plugin per set of s (resolved) over the coordinates of
 * the groups it takes; a set that takes no group of this optimizee gets an
 * idle object of one coordinate that holds its φ and is never stepped.
 * Returns the composite (destroy with the vtable's destroy), or NULL with
 * err set. */
void *l2l_sets_create(const struct l2l_optimizer_ops *plugin, const struct l2l_sets *s,
                      const struct l2l_value *values, size_t n, const struct l2l_group *groups,
                      int n_groups, char *err, size_t errlen);

/* The plugin's object of set k (for its shape words) and the size of that
 * set's φ and its offset in the composite's φ. */
void *l2l_sets_member(void *self, int k);
size_t l2l_sets_n_meta(const void *self, int k, size_t *offset);
/* Coordinates of set k in this object (0 for an idle set). */
size_t l2l_sets_size(const void *self, int k);

/* φ of every set of s from the checkpoint at path, checked against the
 * plugin made with values (shape, update options) and against the sets
 * (names, patterns, sizes), finished training required: *phi (allocated,
 * caller frees) holds the sets' φ one after another, *n_meta floats, ready
 * for the meta() of any composite made with s. */
int l2l_sets_load(const char *path, const struct l2l_optimizer_ops *plugin, const struct l2l_sets *s,
                  const struct l2l_value *values, float **phi, size_t *n_meta, char *err, size_t errlen);
#endif
