/* capture.h: run a function with stderr captured, for tests that assert
 * on error messages. */
#ifndef L2L_TEST_CAPTURE_H
#define L2L_TEST_CAPTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Starts capturing; returns the saved descriptor or -1. */
static int capture_begin(FILE **tmp)
{
    fflush(stderr);
    *tmp = tmpfile();
    if (!*tmp)
        return -1;
    int saved = dup(2);
    dup2(fileno(*tmp), 2);
    return saved;
}

/* Ends capturing; returns what was written (malloc'd, NUL-terminated). */
static char *capture_end(FILE *tmp, int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long len = ftell(tmp);
    char *buf = calloc((size_t)(len > 0 ? len : 0) + 1, 1);
    rewind(tmp);
    if (buf && len > 0 && fread(buf, 1, (size_t)len, tmp) != (size_t)len)
        buf[0] = 0;
    fclose(tmp);
    fputs(buf ? buf : "", stdout); /* keep the messages visible in the test log */
    return buf;
}
#endif
