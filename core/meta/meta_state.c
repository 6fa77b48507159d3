/* meta_state.c: the meta-training state and its .state file (meta_state.h).
 * Layout, little-endian: "L2LSTATE" | u32 version | str job | u64 epoch |
 * u64 n_meta | φ f32[n_meta] | best φ f32[n_meta] | u64 adam_t |
 * m f64[n_meta] | v f64[n_meta] | f64 lr | f64 best_loss | i64 best_epoch |
 * u64 bad_in_row | f64 cpu_seconds | u64 n_rows | rows (u64 epoch, f64 x 6) | u32 CRC-32. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "log.h"
#include "meta_state.h"

#define STATE_MAGIC "L2LSTATE"
#define STATE_VERSION 3u
/* φ, best φ and Adam's m and v of the largest learned optimizer, and a row
 * per validation, are far below this; larger is not a state we wrote. */
#define STATE_MAX_FILE ((size_t)1 << 32)

int l2l_meta_state_init(struct l2l_meta_state *s, size_t n_meta, double lr)
{
    memset(s, 0, sizeof *s);
    s->n_meta = n_meta;
    s->lr = lr;
    s->best_loss = INFINITY;
    s->best_epoch = -1;
    s->phi = calloc(n_meta ? n_meta : 1, sizeof(float));
    s->best_phi = calloc(n_meta ? n_meta : 1, sizeof(float));
    if (!s->phi || !s->best_phi || l2l_adam_init(&s->adam, n_meta) < 0) {
        l2l_meta_state_free(s);
        return L2L_ENOMEM;
    }
    return 0;
}

void l2l_meta_state_free(struct l2l_meta_state *s)
{
    free(s->phi);
    free(s->best_phi);
    free(s->rows);
    l2l_adam_free(&s->adam);
    memset(s, 0, sizeof *s);
}

void l2l_meta_state_copy(struct l2l_meta_state *dst, const struct l2l_meta_state *src)
{
    size_t n = src->n_meta;
    dst->epoch = src->epoch;
    memcpy(dst->phi, src->phi, sizeof(float) * n);
    memcpy(dst->best_phi, src->best_phi, sizeof(float) * n);
    memcpy(dst->adam.m, src->adam.m, sizeof(double) * n);
    memcpy(dst->adam.v, src->adam.v, sizeof(double) * n);
    dst->adam.t = src->adam.t;
    dst->lr = src->lr;
    dst->best_loss = src->best_loss;
    dst->best_epoch = src->best_epoch;
    dst->bad_in_row = src->bad_in_row;
    dst->cpu_seconds = src->cpu_seconds;
    dst->n_rows = src->n_rows;
}

int l2l_meta_state_add_row(struct l2l_meta_state *s, const struct l2l_meta_row *row)
{
    if (s->n_rows == s->cap_rows) {
        long cap = s->cap_rows ? 2 * s->cap_rows : 64;
        struct l2l_meta_row *r = realloc(s->rows, sizeof *r * (size_t)cap);
        if (!r)
            return L2L_ENOMEM;
        s->rows = r;
        s->cap_rows = cap;
    }
    s->rows[s->n_rows++] = *row;
    return 0;
}

int l2l_meta_state_save(const char *path, const char *job, const struct l2l_meta_state *s,
                        char *err, size_t errlen)
{
    struct l2l_obuf b = {0};
    size_t n = s->n_meta;
    l2l_put_bytes(&b, STATE_MAGIC, 8);
    l2l_put_u32(&b, STATE_VERSION);
    l2l_put_str(&b, job);
    l2l_put_u64(&b, (uint64_t)s->epoch);
    l2l_put_u64(&b, (uint64_t)n);
    for (size_t k = 0; k < n; k++)
        l2l_put_f32(&b, s->phi[k]);
    for (size_t k = 0; k < n; k++)
        l2l_put_f32(&b, s->best_phi[k]);
    l2l_put_u64(&b, (uint64_t)s->adam.t);
    for (size_t k = 0; k < n; k++)
        l2l_put_f64(&b, s->adam.m[k]);
    for (size_t k = 0; k < n; k++)
        l2l_put_f64(&b, s->adam.v[k]);
    l2l_put_f64(&b, s->lr);
    l2l_put_f64(&b, s->best_loss);
    l2l_put_u64(&b, (uint64_t)(int64_t)s->best_epoch);
    l2l_put_u64(&b, (uint64_t)s->bad_in_row);
    l2l_put_f64(&b, s->cpu_seconds);
    l2l_put_u64(&b, (uint64_t)s->n_rows);
    for (long r = 0; r < s->n_rows; r++) {
        const struct l2l_meta_row *w = &s->rows[r];
        l2l_put_u64(&b, (uint64_t)w->epoch);
        l2l_put_f64(&b, w->meta_loss);
        l2l_put_f64(&b, w->valid_loss);
        l2l_put_f64(&b, w->best_loss);
        l2l_put_f64(&b, w->lr);
        l2l_put_f64(&b, w->grad_norm);
        l2l_put_f64(&b, w->seconds);
    }
    l2l_put_crc(&b);
    int rc;
    if (b.failed) {
        l2l_fmt(err, errlen, "%s: out of memory building the training state", path);
        rc = L2L_ENOMEM;
    } else {
        rc = l2l_write_file_atomic(path, b.data, b.len, err, errlen);
    }
    l2l_obuf_free(&b);
    return rc;
}

/* Names the first "; "-separated item where two job descriptions differ. */
static void job_differs(const char *path, const char *was, const char *now, char *err, size_t errlen)
{
    const char *a = was, *b = now;
    while (*a && *a == *b) { /* back up to the start of the differing item */
        a++;
        b++;
    }
    while (a > was && !(a[-1] == ' ' && a - 1 > was && a[-2] == ';')) {
        a--;
        b--;
    }
    int la = (int)strcspn(a, ";"), lb = (int)strcspn(b, ";");
    l2l_fmt(err, errlen, "%s: written for another job ('%.*s' there, '%.*s' now): delete it to start over",
            path, la, a, lb, b);
}

int l2l_meta_state_load(const char *path, const char *job, struct l2l_meta_state *s,
                        char *err, size_t errlen)
{
    unsigned char *data;
    size_t len;
    int rc = l2l_read_file_magic(path, STATE_MAX_FILE, STATE_MAGIC, "an l2l-bench training state",
                                 &data, &len, err, errlen);
    if (rc < 0)
        return rc;
    struct l2l_ibuf in = {data, len, 0, 0};
    char magic[8], *was = NULL;
    uint32_t version = 0;
    uint64_t u, n = 0;
    rc = L2L_EINPUT;
    if (l2l_get_bytes(&in, magic, 8) < 0 || memcmp(magic, STATE_MAGIC, 8) != 0) {
        l2l_fmt(err, errlen, "%s: not an l2l-bench training state (no L2LSTATE magic)", path);
        goto out;
    }
    if (!l2l_crc_ok(data, len)) {
        l2l_fmt(err, errlen, "%s: checksum mismatch: the training state is corrupt or truncated; delete it to start over", path);
        goto out;
    }
    l2l_get_u32(&in, &version);
    if (version != STATE_VERSION) {
        l2l_fmt(err, errlen, "%s: training state version %u, this l2l reads %u: delete it to start over",
                path, version, STATE_VERSION);
        goto out;
    }
    if (l2l_get_str(&in, &was, 1 << 20) < 0)
        goto short_read;
    if (strcmp(was, job) != 0) {
        job_differs(path, was, job, err, errlen);
        goto out;
    }
    l2l_get_u64(&in, &u);
    s->epoch = (long)u;
    l2l_get_u64(&in, &n);
    if (n != s->n_meta) {
        l2l_fmt(err, errlen, "%s: %llu meta-parameters in the state, %zu in the optimizer",
                path, (unsigned long long)n, s->n_meta);
        goto out;
    }
    for (size_t k = 0; k < n; k++)
        l2l_get_f32(&in, &s->phi[k]);
    for (size_t k = 0; k < n; k++)
        l2l_get_f32(&in, &s->best_phi[k]);
    l2l_get_u64(&in, &u);
    s->adam.t = (long)u;
    for (size_t k = 0; k < n; k++)
        l2l_get_f64(&in, &s->adam.m[k]);
    for (size_t k = 0; k < n; k++)
        l2l_get_f64(&in, &s->adam.v[k]);
    l2l_get_f64(&in, &s->lr);
    l2l_get_f64(&in, &s->best_loss);
    l2l_get_u64(&in, &u);
    s->best_epoch = (long)(int64_t)u;
    l2l_get_u64(&in, &u);
    s->bad_in_row = (long)u;
    l2l_get_f64(&in, &s->cpu_seconds);
    uint64_t rows = 0;
    if (l2l_get_u64(&in, &rows) < 0 || rows > (len - in.pos) / 56)
        goto short_read;
    s->n_rows = 0;
    for (uint64_t r = 0; r < rows; r++) {
        struct l2l_meta_row w;
        l2l_get_u64(&in, &u);
        w.epoch = (long)u;
        l2l_get_f64(&in, &w.meta_loss);
        l2l_get_f64(&in, &w.valid_loss);
        l2l_get_f64(&in, &w.best_loss);
        l2l_get_f64(&in, &w.lr);
        l2l_get_f64(&in, &w.grad_norm);
        l2l_get_f64(&in, &w.seconds);
        if (l2l_meta_state_add_row(s, &w) < 0) {
            l2l_fmt(err, errlen, "%s: out of memory", path);
            rc = L2L_ENOMEM;
            goto out;
        }
    }
    if (in.short_read || in.pos + 4 != len)
        goto short_read;
    rc = 0;
    goto out;
short_read:
    l2l_fmt(err, errlen, "%s: corrupt training state (sizes do not add up); delete it to start over", path);
out:
    free(was);
    free(data);
    return rc;
}
