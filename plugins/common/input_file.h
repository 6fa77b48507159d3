/* input_file.h: what the optimizee plugins read from files, opened and
 * parsed as strictly as the core does (core/util/infile.c, core/util/numbers.c; a
 * plugin may not call the core). Header-only: each plugin gets its copy. */
#ifndef L2L_PLUGIN_INPUT_FILE_H
#define L2L_PLUGIN_INPUT_FILE_H
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path read-only and refuses what is not a regular file: O_NONBLOCK
 * keeps open() from waiting for a FIFO's writer, fstat checks the file
 * that was opened. Returns a blocking descriptor and its size, or -1 with
 * err "PATH: cannot open: reason" / "PATH: not a regular file: a FIFO". */
static inline int input_file_open(const char *path, off_t *size, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        const char *kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
                         : S_ISCHR(st.st_mode) ? "a character device"
                         : S_ISBLK(st.st_mode) ? "a block device"
                         : S_ISSOCK(st.st_mode) ? "a socket" : "of unknown type";
        snprintf(err, errlen, "%s: not a regular file: %s", path, kind);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    *size = st.st_size;
    return fd;
}

/* A finite decimal real, the whole text: [-+]digits[.digits][e[-+]digits];
 * not "inf", "nan", hex, "1e999", or a non-zero number that rounds to 0.
 * Returns 0 or -1. */
static inline int input_parse_real(const char *text, double *out)
{
    const char *p = text;
    int digits = 0, nonzero = 0;
    if (*p == '-' || *p == '+')
        p++;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        nonzero |= *p != '0';
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            nonzero |= *p != '0';
    if (!digits)
        return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return -1;
    char *end;
    double x = strtod(text, &end);
    if (*end || !isfinite(x) || (x == 0 && nonzero))
        return -1;
    *out = x;
    return 0;
}
#endif
