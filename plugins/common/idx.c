/* idx.c: IDX reader and writer (see idx.h). zlib reads plain and gzip
 * files alike (transparent mode), so one code path serves both; for a
 * plain file the size is checked against the header before allocating. */
#include "idx.h"
#include "input_file.h"
#include "l2l/plugin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* A header claiming more than this is refused before anything is
 * allocated (see idx.h): 256 MiB of pixels, 1 GiB once made floats. */
#define IDX_MAX_BYTES ((size_t)1 << 28)
#define IDX_CHUNK ((unsigned)1 << 30) /* gzread takes an unsigned length */
#define IDX_GZ_START ((size_t)1 << 20) /* first buffer for compressed data */

static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) {
        vsnprintf(err, errlen, fmt, ap);
    }
    va_end(ap);
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* zlib's message without the path it puts in front. */
static const char *zlib_msg(gzFile gz, const char *path, int *zerr)
{
    const char *m = gzerror(gz, zerr);
    size_t n = strlen(path);
    if (strncmp(m, path, n) == 0 && m[n] == ':' && m[n + 1] == ' ')
        return m + n + 2;
    if (!strncmp(m, "<fd:", 4) && strstr(m, ">: ")) /* gzdopen names the descriptor */
        return strstr(m, ">: ") + 3;
    return m;
}

/* Reads up to len bytes; returns the count read (short at the end of the
 * data, including a gzip stream cut short), or -1 on corrupt data. */
static long long gz_read_all(gzFile gz, const char *path, void *buf, size_t len,
                             char *err, size_t errlen)
{
    size_t got = 0;
    while (got < len) {
        size_t want = len - got < IDX_CHUNK ? len - got : IDX_CHUNK;
        int k = gzread(gz, (unsigned char *)buf + got, (unsigned)want);
        int zerr = Z_OK;
        const char *zmsg = zlib_msg(gz, path, &zerr);
        /* Z_BUF_ERROR: the stream ends early; what came before is good. */
        if (k < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR)) {
            say(err, errlen, "%s: corrupt gzip data (zlib: %s)", path, zmsg);
            return -1;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (long long)got;
}

/* "PATH: expected N bytes of WHAT, found M", saying when gzip data stops early. */
static void short_read(gzFile gz, const char *path, size_t expected, const char *what,
                       long long found, char *err, size_t errlen)
{
    int zerr = Z_OK;
    const char *zmsg = zlib_msg(gz, path, &zerr);
    say(err, errlen, "%s: expected %zu bytes of %s, found %lld%s%s%s", path, expected, what, found,
        zerr == Z_BUF_ERROR ? " (truncated gzip data, zlib: " : "",
        zerr == Z_BUF_ERROR ? zmsg : "", zerr == Z_BUF_ERROR ? ")" : "");
}

static const char *kind_of(uint32_t magic)
{
    return magic == IDX_MAGIC_IMAGES ? "an image file"
         : magic == IDX_MAGIC_LABELS ? "a label file" : "not a known IDX file";
}

/* idx_read; a want_count > 0 is the count of labels read from count_from
 * that dimension 1 must equal (checked before the data are read). */
static int read_idx(const char *path, uint32_t magic, const char *what, uint32_t want_count,
                    const char *count_from, struct idx_raw *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    off_t file_size = 0;
    char why[256];
    /* A FIFO or a device would block or never end: regular files only. */
    int fd = input_file_open(path, &file_size, why, sizeof why);
    if (fd < 0) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            say(err, errlen, "%s: is a directory, expected an IDX file", path);
        else
            say(err, errlen, "%s", why);
        return -1;
    }
    errno = 0;
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        say(err, errlen, "%s: cannot open: %s", path,
            errno ? strerror(errno) : "out of memory");
        close(fd);
        return -1;
    }
    int rc = -1;
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    int ndims = (int)(magic & 0xff);
    size_t head_len = 4 + 4 * (size_t)ndims;
    if (ndims < 1 || ndims > IDX_MAX_DIMS || (magic >> 8) != 0x08) {
        say(err, errlen, "%s: idx_read called with unsupported magic 0x%08x", path, magic);
        goto done;
    }
    long long got = gz_read_all(gz, path, head, 4, err, errlen);
    if (got < 0)
        goto done;
    if (got < 4) {
        short_read(gz, path, head_len, "IDX header", got, err, errlen);
        goto done;
    }
    uint32_t m = be32(head);
    if (m != magic) {
        say(err, errlen, "%s: bad magic number 0x%08x (%s), expected 0x%08x for %s data",
            path, m, kind_of(m), magic, what);
        goto done;
    }
    got = gz_read_all(gz, path, head + 4, head_len - 4, err, errlen);
    if (got < 0)
        goto done;
    if ((size_t)got < head_len - 4) {
        short_read(gz, path, head_len, "IDX header", got + 4, err, errlen);
        goto done;
    }
    size_t size = 1;
    for (int d = 0; d < ndims; d++) {
        uint32_t v = be32(head + 4 + 4 * d);
        if (v == 0) {
            say(err, errlen, "%s: dimension %d of the header is 0", path, d + 1);
            goto done;
        }
        out->dims[d] = v;
        if (size > IDX_MAX_BYTES / v) {
            say(err, errlen, "%s: header declares more than %zu bytes of %s data (the most this "
                "reader takes); corrupt header?", path, IDX_MAX_BYTES, what);
            goto done;
        }
        size *= v;
    }
    /* A plain file's size is known: refuse a mismatch before allocating. */
    if (want_count && out->dims[0] != want_count) {
        say(err, errlen, "%s: %u labels for %u images in %s; expected equal counts", count_from,
            want_count, out->dims[0], path);
        goto done;
    }
    if (gzdirect(gz) && (uintmax_t)file_size != head_len + size) {
        long long found = (long long)file_size - (long long)head_len;
        say(err, errlen, "%s: expected %zu bytes of %s data, found %lld", path, size, what,
            found);
        goto done;
    }
    char what_data[64];
    snprintf(what_data, sizeof what_data, "%s data", what);
    /* Compressed data is not known to be as long as its header says (a
     * corrupt 30-byte file may claim 4 GB): grow the buffer as it arrives. */
    size_t cap = gzdirect(gz) || size <= IDX_GZ_START ? size : IDX_GZ_START, have = 0;
    out->data = malloc(cap);
    while (out->data) {
        got = gz_read_all(gz, path, out->data + have, cap - have, err, errlen);
        if (got < 0)
            goto done;
        have += (size_t)got;
        if (have < cap || cap == size)
            break;
        cap = size - cap < cap ? size : 2 * cap;
        uint8_t *grown = realloc(out->data, cap);
        if (!grown)
            free(out->data);
        out->data = grown;
    }
    if (!out->data) {
        say(err, errlen, "%s: out of memory for %zu bytes of %s data", path, size, what);
        goto done;
    }
    if (have < size) {
        short_read(gz, path, size, what_data, (long long)have, err, errlen);
        goto done;
    }
    /* Anything after the data means the header and the file disagree;
     * inflating stops 64 KiB past it (a gzip bomb is not read to its end). */
    unsigned char extra[65536];
    long long more = 0, k;
    while (more < (long long)sizeof extra &&
           (k = gz_read_all(gz, path, extra, sizeof extra - (size_t)more, err, errlen)) != 0) {
        if (k < 0)
            goto done;
        more += k;
    }
    if (more > 0) {
        say(err, errlen, "%s: expected %zu bytes of %s data, found %s%lld", path, size, what,
            more == (long long)sizeof extra ? "more than " : "", (long long)size + more);
        goto done;
    }
    out->magic = magic;
    out->ndims = ndims;
    out->size = size;
    rc = 0;
done:
    gzclose(gz);
    if (rc < 0)
        idx_raw_free(out);
    return rc;
}

int idx_read(const char *path, uint32_t magic, const char *what,
             struct idx_raw *out, char *err, size_t errlen)
{
    return read_idx(path, magic, what, 0, NULL, out, err, errlen);
}

void idx_raw_free(struct idx_raw *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
}

int idx_write(const char *path, int ndims, const uint32_t *dims,
              const uint8_t *data, int gz, char *err, size_t errlen)
{
    if (ndims < 1 || ndims > IDX_MAX_DIMS) {
        say(err, errlen, "%s: cannot write %d dimensions (1 to %d)", path, ndims, IDX_MAX_DIMS);
        return -1;
    }
    unsigned char head[4 + 4 * IDX_MAX_DIMS];
    size_t size = 1, head_len = 4 + 4 * (size_t)ndims;
    uint32_t words[1 + IDX_MAX_DIMS];
    words[0] = 0x800u | (uint32_t)ndims;
    for (int d = 0; d < ndims; d++) {
        words[1 + d] = dims[d];
        size *= dims[d];
    }
    for (int w = 0; w <= ndims; w++)
        for (int b = 0; b < 4; b++)
            head[4 * w + b] = (unsigned char)(words[w] >> (24 - 8 * b));
    /* A fresh temporary beside the file (mkstemp: O_EXCL, nothing planted
     * at a name is followed), renamed over it when complete. */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) {
        say(err, errlen, "%s: cannot create: out of memory", path);
        return -1;
    }
    snprintf(tmp, plen + 8, "%s.XXXXXX", path);
    errno = 0;
    int fd = mkstemp(tmp);
    if (fd >= 0 && fchmod(fd, 0644) < 0) { /* mkstemp's 0600 is for secrets */
        close(fd);
        unlink(tmp);
        fd = -1;
    }
    /* "T": transparent (uncompressed) writing through the same API. */
    gzFile f = fd >= 0 ? gzdopen(fd, gz ? "wb6" : "wbT") : NULL;
    if (!f) {
        say(err, errlen, "%s: cannot create: %s", path, errno ? strerror(errno) : "out of memory");
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return -1;
    }
    int ok = gzwrite(f, head, (unsigned)head_len) == (int)head_len;
    for (size_t off = 0; ok && off < size; off += IDX_CHUNK) {
        unsigned n = (unsigned)(size - off < IDX_CHUNK ? size - off : IDX_CHUNK);
        ok = gzwrite(f, data + off, n) == (int)n;
    }
    int zerr = Z_OK;
    const char *zmsg = ok ? "" : gzerror(f, &zerr);
    char zcopy[128];
    snprintf(zcopy, sizeof zcopy, "%s", zmsg);
    if (gzclose(f) != Z_OK && ok) {
        ok = 0;
        snprintf(zcopy, sizeof zcopy, "close failed");
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        snprintf(zcopy, sizeof zcopy, "rename: %s", strerror(errno));
    }
    if (!ok) {
        say(err, errlen, "%s: write failed (%s)", path, zcopy);
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

int idx_load_set(const char *images_path, const char *labels_path, int classes,
                 struct idx_set *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    struct idx_raw im = {0}, lb;
    /* Labels first (a few bytes each): the image header must then claim
     * as many images, checked before any pixel is read. */
    if (idx_read(labels_path, IDX_MAGIC_LABELS, "label", &lb, err, errlen) < 0)
        return -1;
    int rc = -1;
    for (size_t k = 0; k < lb.size; k++)
        if (lb.data[k] >= classes) {
            say(err, errlen, "%s: label %u at index %zu, expected a class in [0, %d)",
                labels_path, lb.data[k], k, classes);
            goto done;
        }
    if (read_idx(images_path, IDX_MAGIC_IMAGES, "image", lb.dims[0], labels_path, &im, err,
                 errlen) < 0)
        goto done;
    s->n = im.dims[0];
    s->rows = im.dims[1];
    s->cols = im.dims[2];
    s->dim = s->rows * s->cols;
    s->classes = classes;
    s->images = malloc(im.size * sizeof *s->images);
    if (!s->images) {
        say(err, errlen, "%s: out of memory for %zu floats", images_path, im.size);
        goto done;
    }
    for (size_t k = 0; k < im.size; k++)
        s->images[k] = (float)im.data[k] / 255.0f; /* pixel byte -> [0, 1] */
    s->labels = lb.data; /* taken over from lb */
    lb.data = NULL;
    rc = 0;
done:
    idx_raw_free(&im);
    idx_raw_free(&lb);
    if (rc < 0)
        idx_set_free(s);
    return rc;
}

void idx_set_free(struct idx_set *s)
{
    free(s->images);
    free(s->labels);
    memset(s, 0, sizeof *s);
}

int idx_synthetic_set(size_t n, size_t rows, size_t cols, int classes, uint64_t seed,
                      struct idx_set *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    size_t len = n * rows * cols;
    s->images = malloc(sizeof(float) * (len ? len : 1));
    s->labels = malloc(n ? n : 1);
    if (!s->images || !s->labels) {
        idx_set_free(s);
        snprintf(err, errlen, "synthetic data: out of memory for %zu images of %zux%zu", n, rows, cols);
        return -1;
    }
    struct l2l_rng r;
    l2l_rng_seed(&r, seed);
    s->n = n;
    s->rows = rows;
    s->cols = cols;
    s->dim = rows * cols;
    s->classes = classes;
    for (size_t k = 0; k < n * s->dim; k++)
        s->images[k] = (float)l2l_rng_below(&r, 256) / 255.0f;
    for (size_t k = 0; k < n; k++)
        s->labels[k] = (uint8_t)l2l_rng_below(&r, (uint64_t)classes);
    return 0;
}
