/* data_path.c: see data_path.h. */
#include "data_path.h"

#include <stdio.h>
#include <unistd.h>

#ifndef L2L_SRCDIR
#define L2L_SRCDIR "."
#endif

int data_path_find(const char *path, char *out, size_t len, int *tried_srcdir)
{
    static const char *const fmt[4] = { "%s", "%s.gz", L2L_SRCDIR "/%s", L2L_SRCDIR "/%s.gz" };
    int tries = path[0] == '/' ? 2 : 4;
    *tried_srcdir = tries == 4;
    for (int k = 0; k < tries; k++) {
        snprintf(out, len, fmt[k], path);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return -1;
}

const char *data_path_srcdir(void)
{
    return L2L_SRCDIR;
}
