/* meta_log.h: the per-epoch CSV log of meta-training and the progress line.
 * CSV schema (version 1):
 *   epoch,meta_loss,valid_loss,best_valid_loss,lr,grad_norm,seconds
 * numbers as %.9g, empty where a value does not apply (meta_loss of the
 * epoch-0 row, valid_loss on epochs without validation). grad_norm is the
 * mean L2 norm of the meta-gradient (before clipping) over the epoch's
 * meta-steps, to make exploding truncated gradients visible. Everything but the
 * `seconds` column repeats byte for byte for the same job and seed. */
#ifndef L2L_META_LOG_H
#define L2L_META_LOG_H
#include <stdio.h>
#include "meta_state.h"

/* Rewrites path atomically from the rows, and returns it opened for
 * appending the next rows (NULL with err set on failure). */
FILE *l2l_meta_log_open(const char *path, const struct l2l_meta_state *s, char *err, size_t errlen);
/* Appends one row and flushes it. */
void l2l_meta_log_row(FILE *f, const struct l2l_meta_row *row);
/* One "\r" line on stderr: epoch, losses, elapsed, ETA. */
void l2l_meta_progress(const char *name, long epoch, long epochs, const struct l2l_meta_row *row,
                       double best, double elapsed, double eta);
#endif
