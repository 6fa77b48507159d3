/* checkpoint.c: φ of a learned optimizer in a versioned, portable file.
 * Layout (docs/checkpoint-format.md), all integers little-endian:
 *   "L2LCKPT\0" | u32 version | str plugin | u32 S, S x u32 shape |
 *   str note | u64 n_meta | n_meta x f32 φ | u32 CRC-32 of all before
 * where str = u32 byte count + bytes. Loading checks everything before
 * touching φ of the object, so a refused file leaves it unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "checkpoint.h"
#include "log.h"

#define CKPT_MAGIC "L2LCKPT"   /* 8 bytes with the NUL */
#define CKPT_VERSION 1u
#define MAX_SHAPE 64
#define MAX_STR 65536
#define MAX_FILE ((size_t)1 << 32)

int l2l_checkpoint_save(const char *path, const struct l2l_optimizer_ops *opt, void *self,
                        const char *note, char *err, size_t errlen)
{
    const struct l2l_learned_ops *l = opt->learned;
    if (!l) {
        l2l_fmt(err, errlen, "%s: plugin %s is not a learned optimizer: nothing to save", path, opt->name);
        return L2L_EINPUT;
    }
    uint32_t shape[MAX_SHAPE];
    int s = l->shape(self, shape, MAX_SHAPE);
    size_t n = l->n_meta(self);
    const float *phi = l->meta(self);
    if (s < 0 || s > MAX_SHAPE) {
        l2l_fmt(err, errlen, "%s: plugin %s returned %d shape words (expected 0..%d)", path, opt->name, s, MAX_SHAPE);
        return L2L_EPLUGIN;
    }
    for (size_t k = 0; k < n; k++)
        if (!isfinite(phi[k])) {
            l2l_fmt(err, errlen, "%s: refusing to save: φ[%zu] of %s is %g", path, k, opt->name, (double)phi[k]);
            return L2L_ENUM;
        }
    if (note && strlen(note) > MAX_STR) /* keep what the loader accepts */
        note = "(note too long, dropped)";

    struct l2l_obuf b = {0};
    l2l_put_bytes(&b, CKPT_MAGIC, 8);
    l2l_put_u32(&b, CKPT_VERSION);
    l2l_put_str(&b, opt->name);
    l2l_put_u32(&b, (uint32_t)s);
    for (int k = 0; k < s; k++)
        l2l_put_u32(&b, shape[k]);
    l2l_put_str(&b, note ? note : "");
    l2l_put_u64(&b, (uint64_t)n);
    for (size_t k = 0; k < n; k++)
        l2l_put_f32(&b, phi[k]);
    l2l_put_crc(&b);
    int rc;
    if (b.failed) {
        l2l_fmt(err, errlen, "%s: out of memory building the checkpoint", path);
        rc = L2L_ENOMEM;
    } else {
        rc = l2l_write_file_atomic(path, b.data, b.len, err, errlen);
    }
    l2l_obuf_free(&b);
    return rc;
}

/* The parsed header of a checkpoint; strings owned. */
struct ckpt {
    char *plugin, *note;
    uint32_t n_shape, shape[MAX_SHAPE];
    uint64_t n_meta;
    size_t phi_offset;
};

static void ckpt_free(struct ckpt *c)
{
    free(c->plugin);
    free(c->note);
}

/* Parses and checks the structure and the checksum (not the plugin). */
static int ckpt_parse(const char *path, const unsigned char *data, size_t len, struct ckpt *c,
                      char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    struct l2l_ibuf in = {data, len, 0, 0};
    char magic[8];
    uint32_t version;
    if (l2l_get_bytes(&in, magic, 8) < 0 || memcmp(magic, CKPT_MAGIC, 8) != 0) {
        l2l_fmt(err, errlen, "%s: not an l2l-bench checkpoint (no L2LCKPT magic at the start)", path);
        return L2L_EINPUT;
    }
    if (l2l_get_u32(&in, &version) < 0) {
        l2l_fmt(err, errlen, "%s: truncated: %zu bytes, ends inside the header", path, len);
        return L2L_EINPUT;
    }
    if (version != CKPT_VERSION) {
        l2l_fmt(err, errlen, "%s: checkpoint format version %u, this l2l reads version %u: re-train or convert it",
                path, version, CKPT_VERSION);
        return L2L_EINPUT;
    }
    if (l2l_get_str(&in, &c->plugin, 256) < 0 || l2l_get_u32(&in, &c->n_shape) < 0)
        goto short_header;
    if (c->n_shape > MAX_SHAPE) {
        l2l_fmt(err, errlen, "%s: corrupt: %u shape words (at most %d)", path, c->n_shape, MAX_SHAPE);
        return L2L_EINPUT;
    }
    for (uint32_t k = 0; k < c->n_shape; k++)
        if (l2l_get_u32(&in, &c->shape[k]) < 0)
            goto short_header;
    if (l2l_get_str(&in, &c->note, MAX_STR) < 0 || l2l_get_u64(&in, &c->n_meta) < 0)
        goto short_header;
    c->phi_offset = in.pos;
    if (c->n_meta > (len - in.pos) / 4 + 1) /* avoids overflow below */
        goto short_body;
    size_t want = in.pos + 4 * (size_t)c->n_meta + 4;
    if (len < want)
        goto short_body;
    if (len > want) {
        l2l_fmt(err, errlen, "%s: corrupt: %zu bytes after the end of the checkpoint", path, len - want);
        return L2L_EINPUT;
    }
    if (!l2l_crc_ok(data, len)) {
        l2l_fmt(err, errlen, "%s: checksum mismatch: the file is corrupt", path);
        return L2L_EINPUT;
    }
    return 0;
short_header:
    l2l_fmt(err, errlen, "%s: truncated: %zu bytes, ends inside the header", path, len);
    return L2L_EINPUT;
short_body:
    l2l_fmt(err, errlen, "%s: truncated: %zu bytes, expected %llu for %llu meta-parameters", path, len,
            (unsigned long long)(c->phi_offset + 4 * c->n_meta + 4), (unsigned long long)c->n_meta);
    return L2L_EINPUT;
}

/* Checks the parsed file against the object: plugin, shape, size. */
static int ckpt_match(const char *path, const struct ckpt *c, const struct l2l_optimizer_ops *opt,
                      void *self, char *err, size_t errlen)
{
    const struct l2l_learned_ops *l = opt->learned;
    if (strcmp(c->plugin, opt->name) != 0) {
        l2l_fmt(err, errlen, "%s: written by plugin '%s', not '%s'", path, c->plugin, opt->name);
        return L2L_EINPUT;
    }
    uint32_t shape[MAX_SHAPE];
    int s = l->shape(self, shape, MAX_SHAPE);
    if (s < 0 || (uint32_t)s != c->n_shape) {
        l2l_fmt(err, errlen, "%s: %u shape words in the file, %d in the suite", path, c->n_shape, s);
        return L2L_EINPUT;
    }
    for (int k = 0; k < s; k++)
        if (shape[k] != c->shape[k]) {
            l2l_fmt(err, errlen, "%s: %s is %u in the file, %u in the suite", path, l->shape_names[k],
                    c->shape[k], shape[k]);
            return L2L_EINPUT;
        }
    size_t n = l->n_meta(self);
    if (c->n_meta != (uint64_t)n) {
        l2l_fmt(err, errlen, "%s: %llu meta-parameters in the file, %zu in the suite", path,
                (unsigned long long)c->n_meta, n);
        return L2L_EINPUT;
    }
    return 0;
}

int l2l_checkpoint_load(const char *path, const struct l2l_optimizer_ops *opt, void *self,
                        char *err, size_t errlen)
{
    if (!opt->learned) {
        l2l_fmt(err, errlen, "%s: plugin %s is not a learned optimizer: it takes no checkpoint", path, opt->name);
        return L2L_EINPUT;
    }
    unsigned char *data;
    size_t len;
    int rc = l2l_read_file(path, MAX_FILE, &data, &len, err, errlen);
    if (rc < 0)
        return rc;
    struct ckpt c;
    rc = ckpt_parse(path, data, len, &c, err, errlen);
    if (rc == 0)
        rc = ckpt_match(path, &c, opt, self, err, errlen);
    float *tmp = NULL;
    size_t n = (size_t)c.n_meta;
    if (rc == 0 && !(tmp = malloc(sizeof(float) * (n ? n : 1)))) {
        l2l_fmt(err, errlen, "%s: out of memory", path);
        rc = L2L_ENOMEM;
    }
    if (rc == 0) {
        struct l2l_ibuf in = {data, len, c.phi_offset, 0};
        for (size_t k = 0; k < n && rc == 0; k++) {
            l2l_get_f32(&in, &tmp[k]);
            if (!isfinite(tmp[k])) {
                l2l_fmt(err, errlen, "%s: φ[%zu] is %g: not a usable checkpoint (saved from a diverged run?)",
                        path, k, (double)tmp[k]);
                rc = L2L_ENUM;
            }
        }
    }
    if (rc == 0)
        memcpy(opt->learned->meta(self), tmp, sizeof(float) * n);
    free(tmp);
    ckpt_free(&c);
    free(data);
    return rc;
}

int l2l_checkpoint_note(const char *path, char **note, char **plugin, char *err, size_t errlen)
{
    unsigned char *data;
    size_t len;
    *note = NULL;
    if (plugin)
        *plugin = NULL;
    int rc = l2l_read_file(path, MAX_FILE, &data, &len, err, errlen);
    if (rc < 0)
        return rc;
    struct ckpt c;
    rc = ckpt_parse(path, data, len, &c, err, errlen);
    if (rc == 0) {
        *note = c.note;
        c.note = NULL;
        if (plugin) {
            *plugin = c.plugin;
            c.plugin = NULL;
        }
    }
    ckpt_free(&c);
    free(data);
    return rc;
}
