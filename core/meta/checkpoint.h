/* checkpoint.h: φ of a learned optimizer in a versioned, portable file
 * (format 2, docs/checkpoint-format.md: magic, version, tagged records,
 * little-endian throughout, CRC-32 at the end). A checkpoint says what φ
 * computes (plugin, shape words, the options that change the update),
 * whether its training finished, what it cost, and holds one φ per set of
 * parameter groups. */
#ifndef L2L_CHECKPOINT_H
#define L2L_CHECKPOINT_H
#include <stddef.h>
#include <stdint.h>
#include "l2l/plugin.h"

#define L2L_CKPT_MAX_SHAPE 64
#define L2L_CKPT_MAX_OPTS 64
#define L2L_CKPT_MAX_SETS 64

/* One φ, for the parameter groups its patterns name ("*": all). */
struct l2l_ckpt_set {
    char *name;       /* "all" when the suite names no sets */
    char *groups;     /* the patterns as the suite gives them */
    uint64_t n_meta;
    float *phi;       /* (n_meta) */
};

/* Where training stands. A checkpoint is used as trained only when
 * finished; an unfinished one is resumed or trained again. */
struct l2l_ckpt_status {
    int finished;             /* every epoch ran (or training ended by design) */
    int keep_last;            /* φ is the last one, not the best validated */
    int64_t epochs_done, epochs_planned;
    int64_t best_epoch;       /* -1: none yet */
    double best_loss;         /* validation loss of the best φ */
};

/* What meta-training took, summed over every resumed session. NaN: not
 * known (a checkpoint converted from format 1 without its log). */
struct l2l_ckpt_cost {
    double wall_seconds, cpu_seconds;
    uint64_t trajectories;    /* optimizee trajectories, validation included */
    uint64_t steps;           /* optimizee steps of those trajectories */
};

/* A checkpoint in memory. After l2l_checkpoint_read every pointer is owned
 * (l2l_checkpoint_clear frees them); a writer may point anywhere. */
struct l2l_checkpoint {
    char *plugin;
    uint32_t n_shape, shape[L2L_CKPT_MAX_SHAPE];
    uint32_t n_opts;                       /* options flagged L2L_OPT_UPDATE */
    char *opt_key[L2L_CKPT_MAX_OPTS], *opt_val[L2L_CKPT_MAX_OPTS];
    struct l2l_ckpt_status status;
    struct l2l_ckpt_cost cost;
    char *note;                            /* the job: optimizee, seed, configuration */
    uint32_t n_sets;
    struct l2l_ckpt_set *sets;
};

/* Frees what l2l_checkpoint_read allocated and zeroes *c. */
void l2l_checkpoint_clear(struct l2l_checkpoint *c);

/* Writes c under a temporary name renamed when complete; refuses a
 * non-finite φ. */
int l2l_checkpoint_write(const char *path, const struct l2l_checkpoint *c, char *err, size_t errlen);

/* Reads and checks the structure, the checksum and that φ is finite;
 * matches nothing. Format 1 files are refused with what to do. */
int l2l_checkpoint_read(const char *path, struct l2l_checkpoint *c, char *err, size_t errlen);

/* Fills plugin, shape words and the update options of `want` from an
 * object of plugin opt created with values; the option strings are written
 * into buf (len bytes), which must outlive want. */
int l2l_checkpoint_identify(struct l2l_checkpoint *want, const struct l2l_optimizer_ops *opt,
                            const struct l2l_value *values, void *self, char *buf, size_t len,
                            char *err, size_t errlen);

/* Checks a read checkpoint against what is wanted: plugin, shape words,
 * update options, and the sets (names, patterns and sizes, when want has
 * sets). shape_names (the plugin's, or NULL) name the shape words. Messages name the path, the item, its value in the file and in
 * the suite. */
int l2l_checkpoint_match(const char *path, const struct l2l_checkpoint *file,
                         const struct l2l_checkpoint *want, const char *const *shape_names,
                         char *err, size_t errlen);

/* The evaluation path: reads path, matches it against an object of opt
 * made with values, refuses an unfinished training, and copies φ (one set)
 * into the object. φ of the object is untouched on any refusal. */
int l2l_checkpoint_load(const char *path, const struct l2l_optimizer_ops *opt,
                        const struct l2l_value *values, void *self, char *err, size_t errlen);

/* The same for φ in sets: sets[k] names set k as the suite does (name,
 * patterns, n_meta) and points to where its φ goes; self is an object of
 * the plugin (its shape words). Nothing is written on any refusal. */
int l2l_checkpoint_load_sets(const char *path, const struct l2l_optimizer_ops *opt,
                             const struct l2l_value *values, void *self, const struct l2l_ckpt_set *sets,
                             uint32_t n_sets, char *err, size_t errlen);

/* The note and plugin name (caller frees), for tools that describe a
 * checkpoint. */
int l2l_checkpoint_note(const char *path, char **note, char **plugin, char *err, size_t errlen);
#endif
