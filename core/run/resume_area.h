/* resume_area.h: the work area of `l2l run` (OUT/.partial/): every finished
 * tuning or evaluation run is kept there, one file each, so that the same
 * command run again after an interruption redoes only what is missing.
 * The area holds a fingerprint of everything that decides the results
 * (the suite as loaded, the seed, the plugins and their versions, the CRC-32
 * of each checkpoint, the l2l version); a different fingerprint discards it.
 * Nothing in it looks like a result: summary.csv is written last, beside it,
 * and the area is removed once the results are complete. */
#ifndef L2L_PARTIAL_H
#define L2L_PARTIAL_H
#include "runner.h"

struct l2l_partial {
    char dir[4096];      /* OUT/.partial */
    unsigned fp_crc;     /* CRC-32 of the fingerprint, stamped in every kept run */
};

/* Which run a file holds: the task's place in the suite. */
struct l2l_task_key {
    int tuning;          /* 1: a tuning run, 0: an evaluation run */
    int exp, slot;       /* experiment, position in its optimizer list */
    int grid;            /* grid index, -1 when not tuned */
    long run;            /* run index within its purpose */
    long horizon;        /* k of a horizon run (k x steps, k > 1), else 0 */
};

/* The fingerprint text of a suite about to be run (malloc'd, caller
 * frees), or NULL with err set (a checkpoint that cannot be read). */
char *l2l_run_fingerprint(const struct suite *s, char *err, size_t errlen);

/* Creates OUT and OUT/.partial, keeps the runs there when their fingerprint
 * is `fp` (*kept = how many), otherwise discards them (said on stderr) and
 * writes fp. A stale OUT/summary.csv is removed: OUT is being redone.
 * Returns 0 or L2L_EIO (said on stderr). */
int l2l_partial_open(struct l2l_partial *w, const char *out_dir, const char *fp, long *kept);

/* Saves one finished run (atomically: a temporary file renamed). Returns 0,
 * or < 0 with err naming the file and the reason. */
int l2l_partial_save(const struct l2l_partial *w, const struct l2l_task_key *key,
                     const struct run_out *out, double seconds, char *err, size_t errlen);

/* Loads a kept run into out (whose steps and loss buffer the caller set,
 * loss NULL for a tuning run) and its wall time. Returns 1 when loaded, 0
 * when there is none or it is unusable (then said on stderr, and the run
 * is redone). */
int l2l_partial_load(const struct l2l_partial *w, const struct l2l_task_key *key,
                     struct run_out *out, double *seconds);

/* Removes the work area (after complete results). Returns 0 or L2L_EIO. */
int l2l_partial_remove(const struct l2l_partial *w);
#endif
