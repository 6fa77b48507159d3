/* meta_state.h: what meta-training needs to resume exactly where it
 * stopped (φ, Adam moments, epoch, best so far, the log rows), and its
 * file CHECKPOINT.state (same conventions as checkpoints: magic, version,
 * little-endian, CRC-32, atomic replace). Per-epoch problems come from
 * seeds derived from (seed, epoch, instance), so no RNG position is kept. */
#ifndef L2L_META_STATE_H
#define L2L_META_STATE_H
#include <stddef.h>
#include "meta_adam.h"

/* One line of the per-epoch log; NAN where a column is empty. */
struct l2l_meta_row {
    long epoch;
    double meta_loss, valid_loss, best_loss, lr;
    double grad_norm;  /* mean ||dL/dφ|| (before clipping) over the epoch's meta-steps */
    double seconds;
};

struct l2l_meta_state {
    long epoch;            /* epochs completed */
    size_t n_meta;
    float *phi;            /* (n_meta) current φ, owned */
    float *best_phi;       /* (n_meta) φ with the lowest validation loss, owned */
    struct l2l_adam adam;
    double lr;             /* current meta learning rate (halved on rollbacks) */
    double best_loss;      /* +inf before the first finite validation */
    long best_epoch;       /* -1 before */
    long bad_in_row;       /* consecutive non-finite meta-gradients */
    double cpu_seconds;    /* process CPU time of the epochs kept so far (the cost) */
    long n_rows, cap_rows;
    struct l2l_meta_row *rows; /* (n_rows), owned */
};

int l2l_meta_state_init(struct l2l_meta_state *s, size_t n_meta, double lr);
void l2l_meta_state_free(struct l2l_meta_state *s);
/* Copies everything but the rows themselves: n_rows is copied, so a
 * snapshot (whose rows are never read) restored into the state it was taken
 * from drops the rows added since. Same n_meta required. */
void l2l_meta_state_copy(struct l2l_meta_state *dst, const struct l2l_meta_state *src);
int l2l_meta_state_add_row(struct l2l_meta_state *s, const struct l2l_meta_row *row);

/* Saves to path atomically; `job` is a one-line description of the job
 * ("key=value; ...") stored to refuse resuming a different job. */
int l2l_meta_state_save(const char *path, const char *job, const struct l2l_meta_state *s,
                        char *err, size_t errlen);
/* Loads path into s (initialised with the expected n_meta); refuses a
 * corrupt file or one written for another job, naming what differs. */
int l2l_meta_state_load(const char *path, const char *job, struct l2l_meta_state *s,
                        char *err, size_t errlen);
#endif
