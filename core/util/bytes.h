/* bytes.h: little-endian serialisation for the core's binary files
 * (checkpoints, meta-training state): a growable output buffer, a bounds-
 * checked reader, and whole-file read / atomic write. Bytes are written one
 * by one, never as structs, so files are identical on every platform. */
#ifndef L2L_BYTES_H
#define L2L_BYTES_H
#include <stddef.h>
#include <stdint.h>

/* Output buffer; owns data (free with l2l_obuf_free). A failed allocation
 * sets failed and drops further writes, so callers check once at the end. */
struct l2l_obuf {
    unsigned char *data;
    size_t len, cap;
    int failed;
};

void l2l_obuf_free(struct l2l_obuf *b);
void l2l_put_bytes(struct l2l_obuf *b, const void *p, size_t n);
void l2l_put_u32(struct l2l_obuf *b, uint32_t x);
void l2l_put_u64(struct l2l_obuf *b, uint64_t x);
void l2l_put_f32(struct l2l_obuf *b, float x);  /* IEEE-754 binary32 bits */
void l2l_put_f64(struct l2l_obuf *b, double x); /* IEEE-754 binary64 bits */
/* u32 byte count, then the bytes (no terminating NUL). */
void l2l_put_str(struct l2l_obuf *b, const char *s);
/* Appends the CRC-32 (zlib) of everything written so far. */
void l2l_put_crc(struct l2l_obuf *b);

/* Reader over a byte array it does not own. Every get returns 0, or < 0
 * (and sets short_read) when fewer bytes remain than asked for. */
struct l2l_ibuf {
    const unsigned char *data;
    size_t len, pos;
    int short_read;
};

int l2l_get_bytes(struct l2l_ibuf *b, void *p, size_t n);
int l2l_get_u32(struct l2l_ibuf *b, uint32_t *x);
int l2l_get_u64(struct l2l_ibuf *b, uint64_t *x);
int l2l_get_f32(struct l2l_ibuf *b, float *x);
int l2l_get_f64(struct l2l_ibuf *b, double *x);
/* Reads a string of at most max bytes into a new allocation (caller frees). */
int l2l_get_str(struct l2l_ibuf *b, char **s, size_t max);

/* CRC-32 of bytes, as zlib computes it. */
uint32_t l2l_crc32(const void *p, size_t n);
/* Checks the trailing CRC-32 of data[len]: 1 when it matches. */
int l2l_crc_ok(const unsigned char *data, size_t len);

/* Reads a whole file (at most max bytes) into *data (caller frees). Only a
 * regular file is read (core/util/infile.h), and one larger than max is refused
 * from its size, before anything is read or allocated. Returns < 0 with err
 * naming the file when it cannot be read. */
int l2l_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
                  char *err, size_t errlen);
/* The same for a file whose first 8 bytes are magic (the core's binary
 * files: "L2LCKPT\0", "L2LSTATE", "L2LTASK\0"): anything else is refused from its first bytes, "PATH:
 * not WHAT (no MAGIC magic at the start)", so that a huge file of another
 * kind is not read whole first. */
int l2l_read_file_magic(const char *path, size_t max, const char *magic, const char *what,
                        unsigned char **data, size_t *len, char *err, size_t errlen);
/* A text file (at most max bytes) as a NUL-terminated string in *text
 * (caller frees), read as l2l_read_file reads: for the small files a
 * report quotes (manifest.ini, suite.ini). A NUL byte in it is refused.
 * Returns 0 with *text NULL when the file does not exist (the report
 * quotes what it has), or < 0 with err set when it cannot be read. */
#define L2L_TEXT_MAX ((size_t)1 << 26) /* 64 MiB: far past any suite written */
int l2l_read_text(const char *path, size_t max, char **text, char *err, size_t errlen);
/* mkdir -p: dir and every folder above it that is missing. Returns < 0
 * with err naming the folder that could not be made. */
int l2l_mkdirs(const char *dir, char *err, size_t errlen);
/* The same for the folder that holds path (nothing for a bare name). */
int l2l_mkdir_parent(const char *path, char *err, size_t errlen);
/* path made absolute (malloc'd, caller frees; NULL when out of memory):
 * resolved by realpath when it exists, else joined to the working folder,
 * so that it names the same file whatever folder it is read from. */
char *l2l_abs_path(const char *path);
/* Writes data to a temporary file beside path, fsyncs it and renames it over
 * path, so readers see the old file or the new one, never a mix. */
int l2l_write_file_atomic(const char *path, const void *data, size_t len,
                          char *err, size_t errlen);
#endif
