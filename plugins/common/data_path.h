/* data_path.h: where a plugin finds a data file named in an option, so that
 * the defaults work from the source tree and from a build directory. */
#ifndef L2L_DATA_PATH_H
#define L2L_DATA_PATH_H
#include <stddef.h>

/* Writes into out[len] the first of PATH, PATH.gz, SRCDIR/PATH,
 * SRCDIR/PATH.gz that can be read (only the first two for an absolute
 * PATH), SRCDIR being the source tree l2l-bench was built from. Returns 0,
 * or -1 when none can; *tried_srcdir then says whether SRCDIR was tried. */
int data_path_find(const char *path, char *out, size_t len, int *tried_srcdir);

/* The source tree searched by data_path_find, for messages. */
const char *data_path_srcdir(void);
#endif
