/* checkpoint_v1.c: reads format 1 checkpoints, for `l2l checkpoint
 * upgrade` only (evaluation refuses them: format 1 does not say whether
 * its training finished). Layout: "L2LCKPT\0" | u32 1 | str plugin |
 * u32 S, S x u32 shape | str note | u64 n_meta | n_meta x f32 | u32 CRC-32. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "checkpoint_v1.h"
#include "log.h"

int l2l_checkpoint_read_v1(const char *path, struct l2l_checkpoint *c, char *err, size_t errlen)
{
    unsigned char *data;
    size_t len;
    memset(c, 0, sizeof *c);
    int rc = l2l_read_file(path, (size_t)1 << 32, &data, &len, err, errlen);
    if (rc < 0)
        return rc;
    struct l2l_ibuf in = {data, len, 0, 0};
    char magic[8];
    uint32_t version = 0;
    uint64_t n = 0;
    rc = L2L_EINPUT;
    if (l2l_get_bytes(&in, magic, 8) < 0 || memcmp(magic, "L2LCKPT", 8) != 0 ||
        l2l_get_u32(&in, &version) < 0 || version != 1) {
        l2l_fmt(err, errlen, "%s: not a format 1 checkpoint", path);
        goto out;
    }
    if (!l2l_crc_ok(data, len)) {
        l2l_fmt(err, errlen, "%s: checksum mismatch: the file is corrupt", path);
        goto out;
    }
    if (l2l_get_str(&in, &c->plugin, 256) < 0 || l2l_get_u32(&in, &c->n_shape) < 0 ||
        c->n_shape > L2L_CKPT_MAX_SHAPE)
        goto corrupt;
    for (uint32_t k = 0; k < c->n_shape; k++)
        if (l2l_get_u32(&in, &c->shape[k]) < 0)
            goto corrupt;
    if (l2l_get_str(&in, &c->note, 65536) < 0 || l2l_get_u64(&in, &n) < 0 || n != (len - 4 - in.pos) / 4 ||
        (len - 4 - in.pos) % 4)
        goto corrupt;
    if (!(c->sets = calloc(1, sizeof *c->sets)) || !(c->sets[0].phi = malloc(sizeof(float) * (n ? n : 1)))) {
        l2l_fmt(err, errlen, "%s: out of memory", path);
        rc = L2L_ENOMEM;
        goto out;
    }
    c->n_sets = 1;
    c->sets[0].n_meta = n;
    for (uint64_t k = 0; k < n; k++) {
        l2l_get_f32(&in, &c->sets[0].phi[k]);
        if (!isfinite(c->sets[0].phi[k])) {
            l2l_fmt(err, errlen, "%s: φ[%llu] is %g: not a usable checkpoint", path, (unsigned long long)k,
                    (double)c->sets[0].phi[k]);
            goto out;
        }
    }
    rc = 0;
    goto out;
corrupt:
    l2l_fmt(err, errlen, "%s: corrupt format 1 checkpoint", path);
out:
    free(data);
    if (rc < 0)
        l2l_checkpoint_clear(c);
    return rc;
}
