/* bytes.c: little-endian serialisation and safe file I/O (see bytes.h). */
#define _DEFAULT_SOURCE /* realpath(path, NULL) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "atomic_file.h"
#include <stdint.h>
#include "bytes.h"
#include "infile.h"
#include "log.h"

void l2l_obuf_free(struct l2l_obuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void l2l_put_bytes(struct l2l_obuf *b, const void *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void l2l_put_u32(struct l2l_obuf *b, uint32_t x)
{
    unsigned char c[4];
    for (int k = 0; k < 4; k++)
        c[k] = (unsigned char)(x >> (8 * k));
    l2l_put_bytes(b, c, 4);
}

void l2l_put_u64(struct l2l_obuf *b, uint64_t x)
{
    unsigned char c[8];
    for (int k = 0; k < 8; k++)
        c[k] = (unsigned char)(x >> (8 * k));
    l2l_put_bytes(b, c, 8);
}

void l2l_put_f32(struct l2l_obuf *b, float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    l2l_put_u32(b, u);
}

void l2l_put_f64(struct l2l_obuf *b, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    l2l_put_u64(b, u);
}

void l2l_put_str(struct l2l_obuf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    l2l_put_u32(b, (uint32_t)n);
    l2l_put_bytes(b, s, n);
}

uint32_t l2l_crc32(const void *p, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    const unsigned char *q = p;
    while (n > 0) { /* zlib takes uInt lengths */
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, q, chunk);
        q += chunk;
        n -= chunk;
    }
    return (uint32_t)c;
}

void l2l_put_crc(struct l2l_obuf *b)
{
    if (!b->failed)
        l2l_put_u32(b, l2l_crc32(b->data, b->len));
}

int l2l_crc_ok(const unsigned char *data, size_t len)
{
    if (len < 4)
        return 0;
    uint32_t want = 0;
    for (int k = 0; k < 4; k++)
        want |= (uint32_t)data[len - 4 + k] << (8 * k);
    return l2l_crc32(data, len - 4) == want;
}

int l2l_get_bytes(struct l2l_ibuf *b, void *p, size_t n)
{
    if (b->short_read || b->len - b->pos < n) {
        b->short_read = 1;
        return -1;
    }
    if (n)
        memcpy(p, b->data + b->pos, n);
    b->pos += n;
    return 0;
}

int l2l_get_u32(struct l2l_ibuf *b, uint32_t *x)
{
    unsigned char c[4];
    if (l2l_get_bytes(b, c, 4) < 0)
        return -1;
    *x = 0;
    for (int k = 0; k < 4; k++)
        *x |= (uint32_t)c[k] << (8 * k);
    return 0;
}

int l2l_get_u64(struct l2l_ibuf *b, uint64_t *x)
{
    unsigned char c[8];
    if (l2l_get_bytes(b, c, 8) < 0)
        return -1;
    *x = 0;
    for (int k = 0; k < 8; k++)
        *x |= (uint64_t)c[k] << (8 * k);
    return 0;
}

int l2l_get_f32(struct l2l_ibuf *b, float *x)
{
    uint32_t u;
    if (l2l_get_u32(b, &u) < 0)
        return -1;
    memcpy(x, &u, 4);
    return 0;
}

int l2l_get_f64(struct l2l_ibuf *b, double *x)
{
    uint64_t u;
    if (l2l_get_u64(b, &u) < 0)
        return -1;
    memcpy(x, &u, 8);
    return 0;
}

int l2l_get_str(struct l2l_ibuf *b, char **s, size_t max)
{
    uint32_t n;
    *s = NULL;
    if (l2l_get_u32(b, &n) < 0)
        return -1;
    if (n > max || b->len - b->pos < n) {
        b->short_read = 1;
        return -1;
    }
    *s = malloc((size_t)n + 1);
    if (!*s)
        return -1;
    l2l_get_bytes(b, *s, n);
    (*s)[n] = 0;
    return 0;
}

/* l2l_read_file, and when magic is given, its first bytes are compared
 * before the rest is read. */
static int read_file(const char *path, size_t max, const char *magic, const char *what,
                     unsigned char **data, size_t *len, char *err, size_t errlen)
{
    *data = NULL;
    *len = 0;
    off_t size;
    FILE *f;
    int orc = l2l_fopen_input(path, &f, &size, err, errlen);
    if (orc < 0)
        return orc;
    /* The size is known before reading: a huge (or sparse) file is refused
     * at once, with its real size. */
    if ((uintmax_t)size > max) {
        l2l_fmt(err, errlen, "%s: %jd bytes, more than the %zu a file this program writes can have",
                path, (intmax_t)size, max);
        fclose(f);
        return L2L_EINPUT;
    }
    if (magic) {
        char head[8];
        if (fread(head, 1, 8, f) != 8 || memcmp(head, magic, 8)) {
            l2l_fmt(err, errlen, "%s: not %s (no %s magic at the start)", path, what, magic);
            fclose(f);
            return L2L_EINPUT;
        }
        rewind(f);
    }
    size_t cap = (size_t)size + 1, n = 0; /* + 1: sees a file that grew meanwhile */
    unsigned char *d = malloc(cap);
    int rc = 0;
    while (d) {
        if (n == cap) {
            if (cap > max) {
                l2l_fmt(err, errlen, "%s: larger than %zu bytes: not a file this program wrote", path, max);
                rc = L2L_EINPUT;
                break;
            }
            unsigned char *d2 = realloc(d, cap * 2);
            if (!d2) {
                free(d);
                d = NULL;
                break;
            }
            d = d2;
            cap *= 2;
        }
        size_t got = fread(d + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!d) {
        rc = L2L_ENOMEM;
        l2l_fmt(err, errlen, "%s: out of memory reading the file (%jd bytes)", path, (intmax_t)size);
    } else if (rc == 0 && ferror(f)) {
        rc = L2L_EIO;
        l2l_fmt(err, errlen, "%s: read error: %s", path, strerror(errno));
    } else if (rc == 0 && n > max) {
        rc = L2L_EINPUT;
        l2l_fmt(err, errlen, "%s: larger than %zu bytes: not a file this program wrote", path, max);
    }
    fclose(f);
    if (rc < 0) {
        free(d);
        return rc;
    }
    *data = d;
    *len = n;
    return 0;
}

int l2l_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
                  char *err, size_t errlen)
{
    return read_file(path, max, NULL, NULL, data, len, err, errlen);
}

int l2l_read_file_magic(const char *path, size_t max, const char *magic, const char *what,
                        unsigned char **data, size_t *len, char *err, size_t errlen)
{
    return read_file(path, max, magic, what, data, len, err, errlen);
}

int l2l_read_text(const char *path, size_t max, char **text, char *err, size_t errlen)
{
    *text = NULL;
    unsigned char *d;
    size_t n;
    int rc = read_file(path, max, NULL, NULL, &d, &n, err, errlen);
    if (rc == L2L_EIO && errno == ENOENT) /* read at once: open() set it */
        return 0;
    if (rc < 0)
        return rc;
    const unsigned char *nul = memchr(d, 0, n);
    if (nul) {
        l2l_fmt(err, errlen, "%s: a NUL byte at offset %zu: not a text file", path, (size_t)(nul - d));
        free(d);
        return L2L_EINPUT;
    }
    char *t = realloc(d, n + 1);
    if (!t) {
        free(d);
        l2l_fmt(err, errlen, "%s: out of memory reading the file (%zu bytes)", path, n);
        return L2L_ENOMEM;
    }
    t[n] = 0;
    *text = t;
    return 0;
}

int l2l_mkdirs(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir);
    char *buf = malloc(n + 1);
    if (!buf) {
        l2l_fmt(err, errlen, "%s: out of memory", dir);
        return L2L_ENOMEM;
    }
    memcpy(buf, dir, n + 1);
    int rc = 0;
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
            l2l_fmt(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
            rc = L2L_EIO;
            break;
        }
        buf[i] = c;
    }
    free(buf);
    return rc;
}

int l2l_mkdir_parent(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *dir = strndup(path, (size_t)(slash - path));
    if (!dir) {
        l2l_fmt(err, errlen, "%s: out of memory", path);
        return L2L_ENOMEM;
    }
    int rc = l2l_mkdirs(dir, err, errlen);
    free(dir);
    return rc;
}

char *l2l_abs_path(const char *path)
{
    char *real = realpath(path, NULL);
    if (real || path[0] == '/')
        return real ? real : strdup(path);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return strdup(path); /* the folder is gone: keep what was given */
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    size_t len = strlen(cwd) + strlen(path) + 2;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
    return p;
}

int l2l_write_file_atomic(const char *path, const void *data, size_t len,
                          char *err, size_t errlen)
{
    char why[4200];
    if (l2l_atomic_write(path, data, len, 1, why, sizeof why) < 0) {
        l2l_fmt(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return L2L_EIO;
    }
    return 0;
}
