/* lock.c: advisory locks on outputs (lock.h). The lock file is removed on
 * release; a taker checks, once it holds the lock, that the file it locked
 * is still the one at the path (not one unlinked meanwhile by a releasing
 * holder), and tries again otherwise. */
#define _DEFAULT_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lock.h"
#include "log.h"

/* "pid: command line" of this process, for whoever is refused. */
static void describe_self(char *buf, size_t len)
{
    int n = snprintf(buf, len, "%ld", (long)getpid());
    char cmd[1024];
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, cmd, sizeof cmd - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (got <= 0 || n < 0 || (size_t)n >= len)
        return;
    for (ssize_t k = 0; k < got - 1; k++) /* NULs between the arguments */
        if (cmd[k] == 0 || cmd[k] == '\n')
            cmd[k] = ' ';
    cmd[got] = 0;
    /* argv[0] as its base name: "l2l run ...", however it was started */
    const char *start = cmd;
    const char *space = strchr(cmd, ' ');
    for (const char *p = cmd; *p && (!space || p < space); p++)
        if (*p == '/')
            start = p + 1;
    snprintf(buf + n, len - (size_t)n, ": %s", start);
}

/* The holder's description as it wrote it, or "pid unknown". */
static void describe_holder(int fd, char *buf, size_t len)
{
    char text[512];
    ssize_t got = pread(fd, text, sizeof text - 1, 0);
    if (got <= 0) {
        l2l_fmt(buf, len, "pid unknown");
        return;
    }
    text[got] = 0;
    text[strcspn(text, "\n")] = 0;
    l2l_fmt(buf, len, "pid %s", text);
}

int l2l_lock_take(struct l2l_lock *lk, const char *path, const char *what, char *err,
                  size_t errlen)
{
    lk->fd = -1;
    l2l_fmt(lk->path, sizeof lk->path, "%s", path);
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) {
            l2l_fmt(err, errlen, "%s: cannot lock (%s): %s", what, path, strerror(errno));
            return L2L_EIO;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            int e = errno;
            if (e == EWOULDBLOCK) {
                char who[600];
                describe_holder(fd, who, sizeof who);
                l2l_fmt(err, errlen, "%s is in use by another l2l (%s)", what, who);
            } else {
                l2l_fmt(err, errlen, "%s: cannot lock (%s): %s", what, path, strerror(e));
            }
            close(fd);
            return e == EWOULDBLOCK ? L2L_EINPUT : L2L_EIO;
        }
        struct stat held, now;
        if (fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_dev == now.st_dev &&
            held.st_ino == now.st_ino) {
            char me[1100];
            describe_self(me, sizeof me);
            size_t n = strlen(me);
            me[n++] = '\n';
            /* best effort: the lock holds without the description */
            if (ftruncate(fd, 0) == 0 && pwrite(fd, me, n, 0) < 0)
                l2l_warn("l2l: %s: cannot record the holder: %s", path, strerror(errno));
            lk->fd = fd;
            return 0;
        }
        close(fd); /* released and removed under us: take the new file */
    }
    l2l_fmt(err, errlen, "%s: cannot lock (%s): it keeps being replaced", what, path);
    return L2L_EIO;
}

void l2l_lock_release(struct l2l_lock *lk)
{
    if (lk->fd < 0)
        return;
    unlink(lk->path); /* while held: a taker that opened it will see it gone */
    close(lk->fd);
    lk->fd = -1;
}
