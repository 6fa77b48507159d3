/* infile.c: open inputs safely (infile.h). O_NONBLOCK makes open() return
 * at once on a FIFO with no writer; fstat on the descriptor (not stat on
 * the path) checks the very file that was opened. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "infile.h"
#include "log.h"

const char *l2l_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    }
    return "of unknown type";
}

int l2l_open_input(const char *path, off_t *size, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        l2l_fmt(err, errlen, "%s: cannot open: %s", path, strerror(e));
        errno = e;
        return L2L_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        l2l_fmt(err, errlen, "%s: cannot open: %s", path, strerror(e));
        close(fd);
        errno = e;
        return L2L_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        l2l_fmt(err, errlen, "%s: not a regular file: %s", path, l2l_file_kind(st.st_mode));
        close(fd);
        return L2L_EINPUT;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        int e = errno;
        l2l_fmt(err, errlen, "%s: cannot open: %s", path, strerror(e));
        close(fd);
        errno = e;
        return L2L_EIO;
    }
    if (size)
        *size = st.st_size;
    return fd;
}

int l2l_fopen_input(const char *path, FILE **f, off_t *size, char *err, size_t errlen)
{
    *f = NULL;
    int fd = l2l_open_input(path, size, err, errlen);
    if (fd < 0)
        return fd;
    *f = fdopen(fd, "rb");
    if (!*f) {
        l2l_fmt(err, errlen, "l2l: out of memory (opening %s)", path);
        close(fd);
        return L2L_ENOMEM;
    }
    return 0;
}
