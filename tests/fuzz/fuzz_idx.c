/* fuzz_idx.c: libFuzzer target for the IDX loader (plugins/common/idx.c),
 * plain and gzip. The first byte picks what is done with the rest:
 *   0: read as an image file        1: read as a label file
 *   2: gzip the rest, read as images (structured headers behind gzip)
 *   3: split the rest at byte 1 into an image and a label file and load
 *      them as a set with byte 2 + 2 classes.
 * Properties checked besides ASan/UBSan: success means the sizes agree
 * with the header, failure means a one-line message and an empty result. */
#include <zlib.h>
#include "fuzz_common.h"
#include "idx.h"

static void check_raw(int rc, const struct idx_raw *r, const char *err)
{
    if (rc < 0) {
        fuzz_require_message("idx_read", err);
        if (r->data || r->size)
            abort();
        return;
    }
    size_t size = 1;
    for (int d = 0; d < r->ndims; d++)
        size *= r->dims[d];
    if (size != r->size || !r->data)
        abort();
}

static void read_one(const char *path, uint32_t magic, const char *what)
{
    char err[512] = "";
    struct idx_raw r;
    int rc = idx_read(path, magic, what, &r, err, sizeof err);
    check_raw(rc, &r, err);
    idx_raw_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] & 3;
    data++;
    size--;
    if (mode == 0 || mode == 1) {
        const char *p = fuzz_write("data", data, size);
        read_one(p, mode ? IDX_MAGIC_LABELS : IDX_MAGIC_IMAGES, mode ? "label" : "image");
    } else if (mode == 2) {
        const char *p = fuzz_path("data.gz");
        gzFile gz = gzopen(p, "wb1");
        if (!gz || (size && gzwrite(gz, data, (unsigned)size) != (int)size) || gzclose(gz) != Z_OK)
            abort();
        read_one(p, IDX_MAGIC_IMAGES, "image");
    } else {
        if (size < 2)
            return 0;
        size_t cut = data[0];
        int classes = data[1] + 2;
        data += 2;
        size -= 2;
        if (cut > size)
            cut = size;
        const char *ip = fuzz_write("images", data, cut);
        const char *lp = fuzz_write("labels", data + cut, size - cut);
        char err[512] = "";
        struct idx_set s;
        int rc = idx_load_set(ip, lp, classes, &s, err, sizeof err);
        if (rc < 0) {
            fuzz_require_message("idx_load_set", err);
            if (s.images || s.labels || s.n)
                abort();
        } else {
            if (s.dim != s.rows * s.cols || !s.images || !s.labels)
                abort();
            for (size_t k = 0; k < s.n; k++)
                if (s.labels[k] >= classes)
                    abort();
            for (size_t k = 0; k < s.n * s.dim; k++)
                if (!(s.images[k] >= 0 && s.images[k] <= 1))
                    abort();
        }
        idx_set_free(&s);
    }
    return 0;
}
