/* idx.h: read and write IDX files (the format of MNIST and Fashion-MNIST),
 * plain or gzip-compressed, with every header field and size checked.
 *
 * An IDX file is a big-endian header, magic 0x0000TTDD (TT the element
 * type, 0x08 = unsigned byte; DD the number of dimensions), DD 32-bit
 * sizes, then the elements. Images are 0x00000803 (count, rows, cols),
 * labels 0x00000801 (count). Only unsigned bytes are supported.
 *
 * In the plugin-side library plugins/common (linked into the mlp and conv
 * optimizees and the mnist-json-to-idx converter; a plugin cannot call
 * core code). Errors are one line naming the file. */
#ifndef L2L_IDX_H
#define L2L_IDX_H
#include <stddef.h>
#include <stdint.h>

#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAX_DIMS 4

/* Raw contents of one IDX file of unsigned bytes. */
struct idx_raw {
    uint32_t magic;
    int ndims;
    uint32_t dims[IDX_MAX_DIMS];
    size_t size;    /* product of dims = bytes of data */
    uint8_t *data;  /* (size), malloc'd, owned by the struct */
};

/* Reads path (plain or gzip, detected by zlib) whose magic must equal
 * `magic`; `what` names the data in messages ("image", "label"). Only a
 * regular file is opened (a FIFO would block). A header claiming more than
 * 256 MiB of data is refused before anything is allocated; gzip data are
 * inflated no further than 64 KiB past what the header claims. Checks that
 * the data is exactly as long as the header says. Returns 0, or < 0 with a
 * one-line message "PATH: ..." in err. */
int idx_read(const char *path, uint32_t magic, const char *what,
             struct idx_raw *out, char *err, size_t errlen);
void idx_raw_free(struct idx_raw *r);

/* Writes bytes data (product of dims) under magic 0x000008(ndims) to path,
 * gzip-compressed when gz != 0. Returns 0 or < 0 with err set. */
int idx_write(const char *path, int ndims, const uint32_t *dims,
              const uint8_t *data, int gz, char *err, size_t errlen);

/* A labelled image set: what a classifier reads. */
struct idx_set {
    size_t n;        /* number of examples */
    size_t rows, cols;
    size_t dim;      /* rows * cols */
    int classes;     /* labels are in [0, classes) */
    float *images;   /* (n, dim), pixel / 255 in [0, 1], owned */
    uint8_t *labels; /* (n), owned */
};

/* Loads a label file, then an image file: magic numbers, sizes, equal
 * counts (from the image header, before its pixels are read) and every
 * label < classes are checked. Returns 0, or < 0 with err
 * set ("PATH: ..."); *s is then empty. */
int idx_load_set(const char *images_path, const char *labels_path, int classes,
                 struct idx_set *s, char *err, size_t errlen);
void idx_set_free(struct idx_set *s);

/* n images of rows x cols pixels of uniform noise, labels uniform in
 * [0, classes), drawn from seed: what the optimizees' option `synthetic`
 * gives `l2l bench` (bench/default.ini), whose times do not depend on the
 * pixels, so that it needs no data set and writes no file. Returns 0, or
 * < 0 with err set (out of memory). */
int idx_synthetic_set(size_t n, size_t rows, size_t cols, int classes, uint64_t seed,
                      struct idx_set *s, char *err, size_t errlen);
#endif
