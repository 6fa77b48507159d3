/* atomic_file.h: the one way the program writes a file. The temporary file
 * is made beside its target by mkstemps (O_CREAT|O_EXCL, a random name:
 * nothing planted there, symlink or file, is ever opened or followed),
 * written, synced and renamed over the target (rename replaces a symlink
 * at the target itself, never the file it points to). Readers see the old
 * file or the new one, never a mix. Temporary names are ".NAME.XXXXXX.tmp"
 * (hidden, and recognisable as leftovers after a crash). */
#ifndef L2L_ATOMIC_FILE_H
#define L2L_ATOMIC_FILE_H
#include <stddef.h>
#include <stdio.h>

/* An output file that appears under its name only when complete. */
struct atomic_file {
    FILE *f;
    char path[4096], tmp[4096];
};

/* Opens the temporary file for dir/name; says on stderr why not. */
int l2l_afile_open(struct atomic_file *a, const char *dir, const char *name);
/* The same for a whole path; returns < 0 with err naming the file. */
int l2l_afile_open_path(struct atomic_file *a, const char *path, char *err, size_t errlen);
/* Flushes, syncs and renames; reports any write error on stderr. */
int l2l_afile_commit(struct atomic_file *a);
/* Removes the temporary file (on error paths). */
void l2l_afile_abort(struct atomic_file *a);

/* Whole-buffer forms. sync = 0 skips the fsyncs, for files whose loss in
 * a crash costs only time (the kept runs of .partial, checked by CRC). */
int l2l_atomic_write(const char *path, const void *data, size_t len, int sync, char *err,
                     size_t errlen);

/* 1 when name is one of our temporary names (".NAME.XXXXXX.tmp"). */
int l2l_is_temp_name(const char *name);
#endif
