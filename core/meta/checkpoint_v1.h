/* checkpoint_v1.h: the format 1 reader, kept for `l2l checkpoint upgrade`. */
#ifndef L2L_CHECKPOINT_V1_H
#define L2L_CHECKPOINT_V1_H
#include "checkpoint.h"

/* Reads a format 1 file into c: plugin, shape, note and one set of φ
 * (name and groups NULL, status and cost zero). */
int l2l_checkpoint_read_v1(const char *path, struct l2l_checkpoint *c, char *err, size_t errlen);
#endif
