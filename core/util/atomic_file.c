/* atomic_file.c: every file the program writes goes through here
 * (atomic_file.h): a fresh temporary beside the target, then a rename. */
#define _DEFAULT_SOURCE /* mkstemps */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atomic_file.h"
#include "log.h"

#define TEMP_SUFFIX ".tmp"
#define TEMP_RANDOM "XXXXXX"

/* mkstemps makes files 0600; outputs get what fopen would have given
 * them, 0666 less the umask. The umask is read once: reading it means
 * setting it, which no other thread may see half-way. */
static mode_t file_mode;
static void read_umask(void)
{
    mode_t m = umask(077);
    umask(m);
    file_mode = 0666 & ~m;
}

/* dir/.base.XXXXXX.tmp for path dir/base, opened with O_EXCL. */
static int make_temp(const char *path, char *tmp, size_t len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_umask);
    const char *slash = strrchr(path, '/');
    int dlen = slash ? (int)(slash - path + 1) : 0;
    int n = snprintf(tmp, len, "%.*s.%s." TEMP_RANDOM TEMP_SUFFIX, dlen, path, path + dlen);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemps(tmp, (int)strlen(TEMP_SUFFIX));
    if (fd < 0)
        return -1;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fchmod(fd, file_mode) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    return fd;
}

/* fsync of the folder holding path, so the rename itself survives a
 * crash; best effort (some file systems refuse to sync a folder). */
static void sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        l2l_fmt(dir, sizeof dir, ".");
    else
        l2l_fmt(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int l2l_is_temp_name(const char *name)
{
    size_t n = strlen(name), s = strlen(TEMP_SUFFIX), r = strlen(TEMP_RANDOM);
    return name[0] == '.' && n > s + r + 2 && !strcmp(name + n - s, TEMP_SUFFIX) &&
           name[n - s - r - 1] == '.';
}

int l2l_afile_open_path(struct atomic_file *a, const char *path, char *err, size_t errlen)
{
    a->f = NULL;
    l2l_fmt(a->path, sizeof a->path, "%s", path);
    int fd = make_temp(path, a->tmp, sizeof a->tmp);
    if (fd >= 0 && !(a->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        errno = e;
    }
    if (!a->f) {
        int e = errno;
        a->tmp[0] = 0;
        l2l_fmt(err, errlen, "cannot write %s: %s", path, strerror(e));
        errno = e; /* for callers with their own wording */
        return L2L_EIO;
    }
    return 0;
}

int l2l_afile_open(struct atomic_file *a, const char *dir, const char *name)
{
    char path[4096], err[4200];
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    int rc = l2l_afile_open_path(a, path, err, sizeof err);
    if (rc < 0)
        l2l_error("l2l: %s", err);
    return rc;
}

/* Ends the file: flush, sync, close, rename. Returns 0 or an errno. */
static int finish(struct atomic_file *a, int sync)
{
    int e = 0;
    if (ferror(a->f) || fflush(a->f) != 0 || (sync && fsync(fileno(a->f)) != 0))
        e = errno ? errno : EIO;
    if (fclose(a->f) != 0 && !e)
        e = errno;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0)
        e = errno;
    if (e) {
        unlink(a->tmp);
        return e;
    }
    if (sync)
        sync_dir_of(a->path);
    return 0;
}

int l2l_afile_commit(struct atomic_file *a)
{
    int e = finish(a, 1);
    if (e) {
        l2l_error("l2l: cannot write %s: %s", a->path, strerror(e));
        return L2L_EIO;
    }
    return 0;
}

void l2l_afile_abort(struct atomic_file *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    if (a->tmp[0])
        unlink(a->tmp);
}

int l2l_atomic_write(const char *path, const void *data, size_t len, int sync, char *err,
                     size_t errlen)
{
    struct atomic_file a;
    int rc = l2l_afile_open_path(&a, path, err, errlen);
    if (rc < 0)
        return rc;
    errno = 0;
    if (len && fwrite(data, 1, len, a.f) != len && !errno)
        errno = EIO;
    int e = finish(&a, sync);
    if (e) {
        l2l_fmt(err, errlen, "cannot write %s: %s", path, strerror(e));
        errno = e;
        return L2L_EIO;
    }
    return 0;
}
