/* fuzz_common.h: what the libFuzzer targets share. The loaders take file
 * names, so each input is written to a scratch file in a private temporary
 * directory (made once per process, removed at exit). */
#ifndef L2L_FUZZ_COMMON_H
#define L2L_FUZZ_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[256];

static void fuzz_cleanup(void)
{
    char cmd[300];
    /* Only our own mkdtemp directory, whose name we made. */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (fuzz_dir[0] && system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
}

/* Path of scratch file `name` in the private directory. */
static const char *fuzz_path(const char *name)
{
    static char path[2][512];
    static int which;
    if (!fuzz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/l2l-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(fuzz_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_cleanup);
    }
    which ^= 1; /* two paths may be live at once */
    snprintf(path[which], sizeof path[which], "%s/%s", fuzz_dir, name);
    return path[which];
}

/* Writes data[len] to scratch file `name`; returns its path. */
static const char *fuzz_write(const char *name, const uint8_t *data, size_t len)
{
    const char *p = fuzz_path(name);
    FILE *f = fopen(p, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(p);
        abort();
    }
    return p;
}

/* A refusal must come with a message: an empty one is a bug. (A message
 * may quote bytes of the file, newlines included; l2l_error prints control
 * characters as '?', so what the user sees stays one line.) */
__attribute__((unused)) static void fuzz_require_message(const char *who, const char *err)
{
    if (!err[0]) {
        fprintf(stderr, "%s: refused without a message\n", who);
        abort();
    }
}
#endif
