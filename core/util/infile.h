/* infile.h: open a file the core reads, refusing what is not a regular file
 * (a FIFO or a device would block or never end; a directory reads as an
 * error far from the cause), and giving its size before anything is read. */
#ifndef L2L_INFILE_H
#define L2L_INFILE_H
#include <stdio.h>
#include <sys/types.h>

/* Opens path read-only. Returns a descriptor (close-on-exec, blocking
 * again) and sets *size from fstat; or < 0 with err set to "PATH: cannot
 * open: reason" or "PATH: not a regular file: a FIFO" (L2L_EIO when the file
 * cannot be opened, L2L_EINPUT when it is not a regular file). errno is
 * kept from a failed open (ENOENT tells "missing" from other failures). */
int l2l_open_input(const char *path, off_t *size, char *err, size_t errlen);
/* The same as a stdio stream ("rb") in *f; returns 0 or the error code of
 * l2l_open_input (or L2L_ENOMEM), *f NULL and err set. */
int l2l_fopen_input(const char *path, FILE **f, off_t *size, char *err, size_t errlen);
/* "a FIFO", "a directory", ... for the st_mode of a file that is not regular. */
const char *l2l_file_kind(unsigned mode);
#endif
