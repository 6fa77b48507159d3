/* lstm_gmean.h: the means of the global averaging cells (lstm-gac): the
 * first m columns of X (one row per coordinate) replaced by their mean
 * over the coordinates of each parameter group. The mean needs every row,
 * so it is taken in three steps that ride on the passes over the
 * coordinates instead of passes of their own:
 *   add     the rows of a sub-block (just computed, in cache) into the
 *           partial sums of their block (the passes' chunk);
 *   finish  the means from the partials, blocks in order (one thread,
 *           after every add of the pass);
 *   apply   the means to the rows of a sub-block before anything reads
 *           them in the next pass.
 * Sums are in double, in row order within a block (a chunk's sub-blocks
 * go in order, on one thread) and in block order across blocks, so the
 * bits do not depend on the number of threads. Forward this is applied to h_l'
 * and backward to dL/dh_l' (the mean is its own adjoint). */
#ifndef L2L_LSTM_GMEAN_H
#define L2L_LSTM_GMEAN_H
#include <stddef.h>
#include "l2l/plugin.h"

struct lstm_gmean {
    const struct l2l_group *groups; /* not owned; cover [0, n) in order */
    int n_groups, m;
    size_t block, nblock;
    size_t *seg0;  /* (nblock + 1) first partial of each block: one per group it meets */
    int *g0;       /* (nblock) group of the block's first row */
    double *part;  /* (seg0[nblock], m) partial sums */
    float *mean;   /* (n_groups, m) */
};

/* For n rows in blocks of `block` rows (the passes' chunks), m columns
 * averaged (m > 0).
 * Returns 0, or −1 when out of memory (gm then holds nothing). */
int lstm_gmean_init(struct lstm_gmean *gm, const struct l2l_group *groups, int n_groups,
                    size_t n, size_t block, int m);
void lstm_gmean_free(struct lstm_gmean *gm);
/* Rows [k0, k0 + rows) of one block, X pointing at row k0 (stride ld);
 * the block's first rows (k0 a multiple of block) start its sums, the
 * rest must follow in order. */
void lstm_gmean_add(struct lstm_gmean *gm, const float *X, size_t ld, size_t k0, size_t rows);
void lstm_gmean_finish(struct lstm_gmean *gm);
/* Columns [0, m) of rows [k0, k0 + rows) ← their group's mean. */
void lstm_gmean_apply(const struct lstm_gmean *gm, float *X, size_t ld, size_t k0, size_t rows);
#endif
