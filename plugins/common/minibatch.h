/* minibatch.h: the training minibatches of an image-classifier optimizee
 * (mlp, conv): drawn from an idx_set with replacement (the reference code)
 * or from reshuffled epochs, and the indices of the last `depth` ones kept
 * in a ring so that the hvp hook can rebuild an earlier minibatch for
 * second-order meta-gradients (the replay_depth hook).
 *
 * Each problem owns one struct minibatch; it borrows the family's training
 * set, which must outlive it. Nothing is allocated after minibatch_init
 * except by minibatch_replay_depth. In the plugin-side library
 * plugins/common (a plugin cannot call core code). */
#ifndef L2L_MINIBATCH_H
#define L2L_MINIBATCH_H
#include <stddef.h>
#include <stdint.h>

#include "l2l/plugin.h"
#include "idx.h"

struct minibatch {
    const struct idx_set *set; /* the training set, borrowed */
    int batch, shuffle;
    struct l2l_rng rng;        /* the minibatch stream */
    size_t *perm, pos;         /* shuffle: the epoch's order, next index */
    float *x;                  /* (batch, set->dim) the minibatch */
    uint8_t *y;                /* (batch) its labels */
    /* The example indices of the last `depth` draws, a ring of depth rows
     * of batch, row (calls − 1 − ago) mod depth for the draw `ago` draws
     * back. The latest is always kept (depth ≥ 1), so replaying ago = 0
     * works without minibatch_replay_depth. */
    size_t *hist;              /* (depth, batch) */
    int depth;
    long calls;
};

/* The option entry `sampling` that chooses minibatch_init's shuffle
 * (shuffle = !strcmp(value, "shuffle")). */
#define MINIBATCH_SAMPLING_OPTION                                                     \
    { "sampling", L2L_OPT_STRING, "replace", 0, 0, "replace|shuffle",                 \
      "minibatches drawn with replacement (reference code) or from reshuffled epochs" }

/* Splits the minibatch stream off rng (one draw from rng, before the
 * caller draws θ0 from it), allocates the buffers and, when shuffle, the
 * first epoch's order (drawn from the minibatch stream). Returns 0, or -1
 * when out of memory (m is then safe to minibatch_free). */
int minibatch_init(struct minibatch *m, const struct idx_set *set, int batch, int shuffle,
                   struct l2l_rng *rng);
void minibatch_free(struct minibatch *m);

/* Draws a fresh minibatch into m->x, m->y and records its indices. */
void minibatch_draw(struct minibatch *m);

/* Keeps the minibatches of the last depth draws from now on (the ones
 * already drawn are forgotten; depth < 1 counts as 1). Returns 0 or -1
 * when out of memory (m is then unchanged). */
int minibatch_replay_depth(struct minibatch *m, int depth);

/* Rebuilds into m->x, m->y the minibatch drawn `ago` draws back. Returns 0,
 * or -1 when it is not kept (ago < 0, ≥ depth, or more than drawn). */
int minibatch_replay(struct minibatch *m, int ago);
#endif
