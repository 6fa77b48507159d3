/* out_dir.h: the output directory of `l2l run` / `l2l train` as one
 * owner's: what may not be in it (an input it would replace), the lock
 * that keeps a second l2l out, and what an earlier suite left there. */
#ifndef L2L_OUT_DIR_H
#define L2L_OUT_DIR_H
#include "lock.h"
#include "suite.h"

/* Before any work: refuses (L2L_EINPUT, said on stderr, naming both
 * paths) when OUT holds an input of the suite that the run would replace
 * or remove (the suite file as OUT/suite.ini, a checkpoint or data file
 * under an output's name or in figures/ or .partial/); then makes OUT and
 * locks it (L2L_EINPUT when another l2l holds it); then removes what an
 * earlier run left that this one would not rewrite: temporary files of a
 * killed writer, and meta-training logs (meta_NAME.csv) that are not of
 * this suite's checkpoints (see l2l_out_meta_stamp). */
int l2l_out_claim(const struct suite *s, const char *out, struct l2l_lock *lk);

/* Records that OUT/meta_NAME.csv is the log of the checkpoint as it is now
 * (its path and CRC-32, in OUT/.meta_NAME.source); a log whose record
 * does not match the suite's checkpoint is removed by the next claim. */
int l2l_out_meta_stamp(const char *out, const char *name, const char *checkpoint);

/* Locks a results directory for `l2l plot` (L2L_EINPUT when in use). */
int l2l_out_lock(const char *dir, struct l2l_lock *lk);

/* Removes the figure files (*.gp, *.png, *.svg, *.log in figures/,
 * *.csv in figures/data/) before they are drawn again, so none of an
 * earlier suite's is left beside this one's. */
int l2l_out_clear_figures(const char *dir);
#endif
