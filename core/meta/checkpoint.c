/* checkpoint.c: φ of a learned optimizer in a versioned, portable file.
 * Format 2 (docs/checkpoint-format.md), all integers little-endian:
 *   "L2LCKPT\0" | u32 version 2 | u32 R | R records | u32 CRC-32 of all before
 *   record = 4-byte tag | u64 payload length | payload
 * Tags whose first letter is upper case are critical: a reader that does
 * not know one refuses the file; lower case ones may be skipped, so later
 * versions can add what older readers can ignore (as PNG's chunks).
 * Loading checks everything before touching φ of the object, so a refused
 * file leaves it unchanged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "checkpoint.h"
#include "log.h"
#include "options.h"
#include "names.h"

#define CKPT_MAGIC "L2LCKPT"   /* 8 bytes with the NUL */
#define CKPT_VERSION 2u
#define MAX_STR 65536
#define MAX_FILE ((size_t)1 << 32)
#define MAX_RECORDS 64

/* The records of format 2, each exactly once. */
static const char *const tags[] = {"PLUG", "SHAP", "OPTS", "STAT", "COST", "NOTE", "PHIS"};
enum { T_PLUG, T_SHAP, T_OPTS, T_STAT, T_COST, T_NOTE, T_PHIS, N_TAGS };

void l2l_checkpoint_clear(struct l2l_checkpoint *c)
{
    free(c->plugin);
    free(c->note);
    for (uint32_t k = 0; k < c->n_opts && k < L2L_CKPT_MAX_OPTS; k++) {
        free(c->opt_key[k]);
        free(c->opt_val[k]);
    }
    for (uint32_t k = 0; c->sets && k < c->n_sets; k++) {
        free(c->sets[k].name);
        free(c->sets[k].groups);
        free(c->sets[k].phi);
    }
    free(c->sets);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------- writing */

/* Appends one record: tag, length, then the payload built in p. */
static void put_record(struct l2l_obuf *b, int tag, struct l2l_obuf *p)
{
    l2l_put_bytes(b, tags[tag], 4);
    l2l_put_u64(b, (uint64_t)p->len);
    l2l_put_bytes(b, p->data, p->len);
    b->failed |= p->failed;
    p->len = 0;
}

static void put_i64(struct l2l_obuf *b, int64_t x) { l2l_put_u64(b, (uint64_t)x); }

int l2l_checkpoint_write(const char *path, const struct l2l_checkpoint *c, char *err, size_t errlen)
{
    if (c->n_shape > L2L_CKPT_MAX_SHAPE || c->n_opts > L2L_CKPT_MAX_OPTS || c->n_sets < 1 ||
        c->n_sets > L2L_CKPT_MAX_SETS) {
        l2l_fmt(err, errlen, "%s: %u shape words, %u options, %u sets (expected at most %d, %d, and 1 to %d)",
                path, c->n_shape, c->n_opts, c->n_sets, L2L_CKPT_MAX_SHAPE, L2L_CKPT_MAX_OPTS,
                L2L_CKPT_MAX_SETS);
        return L2L_EINPUT;
    }
    for (uint32_t s = 0; s < c->n_sets; s++)
        for (uint64_t k = 0; k < c->sets[s].n_meta; k++)
            if (!isfinite(c->sets[s].phi[k])) {
                l2l_fmt(err, errlen, "%s: refusing to save: φ[%llu] of set %s of %s is %g", path,
                        (unsigned long long)k, c->sets[s].name, c->plugin, (double)c->sets[s].phi[k]);
                return L2L_ENUM;
            }
    const char *note = c->note ? c->note : "";
    if (strlen(note) > MAX_STR) /* keep what the loader accepts */
        note = "(note too long, dropped)";

    struct l2l_obuf b = {0}, p = {0};
    l2l_put_bytes(&b, CKPT_MAGIC, 8);
    l2l_put_u32(&b, CKPT_VERSION);
    l2l_put_u32(&b, N_TAGS);
    l2l_put_str(&p, c->plugin);
    put_record(&b, T_PLUG, &p);
    l2l_put_u32(&p, c->n_shape);
    for (uint32_t k = 0; k < c->n_shape; k++)
        l2l_put_u32(&p, c->shape[k]);
    put_record(&b, T_SHAP, &p);
    l2l_put_u32(&p, c->n_opts);
    for (uint32_t k = 0; k < c->n_opts; k++) {
        l2l_put_str(&p, c->opt_key[k]);
        l2l_put_str(&p, c->opt_val[k]);
    }
    put_record(&b, T_OPTS, &p);
    const struct l2l_ckpt_status *st = &c->status;
    l2l_put_u32(&p, st->finished ? 1u : 0u);
    l2l_put_u32(&p, st->keep_last ? 1u : 0u);
    put_i64(&p, st->epochs_done);
    put_i64(&p, st->epochs_planned);
    put_i64(&p, st->best_epoch);
    l2l_put_f64(&p, st->best_loss);
    put_record(&b, T_STAT, &p);
    l2l_put_f64(&p, c->cost.wall_seconds);
    l2l_put_f64(&p, c->cost.cpu_seconds);
    l2l_put_u64(&p, c->cost.trajectories);
    l2l_put_u64(&p, c->cost.steps);
    put_record(&b, T_COST, &p);
    l2l_put_str(&p, note);
    put_record(&b, T_NOTE, &p);
    l2l_put_u32(&p, c->n_sets);
    for (uint32_t s = 0; s < c->n_sets; s++) {
        l2l_put_str(&p, c->sets[s].name);
        l2l_put_str(&p, c->sets[s].groups);
        l2l_put_u64(&p, c->sets[s].n_meta);
        for (uint64_t k = 0; k < c->sets[s].n_meta; k++)
            l2l_put_f32(&p, c->sets[s].phi[k]);
    }
    put_record(&b, T_PHIS, &p);
    l2l_put_crc(&b);
    int rc;
    if (b.failed) {
        l2l_fmt(err, errlen, "%s: out of memory building the checkpoint", path);
        rc = L2L_ENOMEM;
    } else {
        rc = l2l_write_file_atomic(path, b.data, b.len, err, errlen);
    }
    l2l_obuf_free(&p);
    l2l_obuf_free(&b);
    return rc;
}

/* ------------------------------------------------------------- reading */

static int get_i64(struct l2l_ibuf *b, int64_t *x)
{
    uint64_t u;
    int rc = l2l_get_u64(b, &u);
    *x = (int64_t)u;
    return rc;
}

/* Parses one record's payload in into c; < 0 with err on a bad payload. */
static int parse_record(const char *path, int tag, struct l2l_ibuf *in, struct l2l_checkpoint *c,
                        char *err, size_t errlen)
{
    int bad = 0;
    switch (tag) {
    case T_PLUG:
        bad = l2l_get_str(in, &c->plugin, 256) < 0;
        if (!bad && l2l_name_check(c->plugin, err, errlen, "%s: plugin:", path) < 0) /* names.h */
            return L2L_EINPUT;
        break;
    case T_SHAP:
        bad = l2l_get_u32(in, &c->n_shape) < 0;
        if (!bad && c->n_shape > L2L_CKPT_MAX_SHAPE) {
            l2l_fmt(err, errlen, "%s: corrupt: %u shape words (at most %d)", path, c->n_shape, L2L_CKPT_MAX_SHAPE);
            return L2L_EINPUT;
        }
        for (uint32_t k = 0; !bad && k < c->n_shape; k++)
            bad = l2l_get_u32(in, &c->shape[k]) < 0;
        break;
    case T_OPTS: {
        uint32_t n;
        bad = l2l_get_u32(in, &n) < 0;
        if (!bad && n > L2L_CKPT_MAX_OPTS) {
            l2l_fmt(err, errlen, "%s: corrupt: %u options (at most %d)", path, n, L2L_CKPT_MAX_OPTS);
            return L2L_EINPUT;
        }
        for (uint32_t k = 0; !bad && k < n; k++) {
            c->n_opts = k + 1; /* so that clear frees what was read */
            bad = l2l_get_str(in, &c->opt_key[k], 256) < 0 || l2l_get_str(in, &c->opt_val[k], 4096) < 0;
        }
        break;
    }
    case T_STAT: {
        uint32_t fin, keep;
        struct l2l_ckpt_status *st = &c->status;
        bad = l2l_get_u32(in, &fin) < 0 || l2l_get_u32(in, &keep) < 0 || get_i64(in, &st->epochs_done) < 0 ||
              get_i64(in, &st->epochs_planned) < 0 || get_i64(in, &st->best_epoch) < 0 ||
              l2l_get_f64(in, &st->best_loss) < 0;
        if (!bad && (fin > 1 || keep > 1)) {
            l2l_fmt(err, errlen, "%s: corrupt: status flags %u and %u (expected 0 or 1)", path, fin, keep);
            return L2L_EINPUT;
        }
        st->finished = (int)fin;
        st->keep_last = (int)keep;
        break;
    }
    case T_COST:
        bad = l2l_get_f64(in, &c->cost.wall_seconds) < 0 || l2l_get_f64(in, &c->cost.cpu_seconds) < 0 ||
              l2l_get_u64(in, &c->cost.trajectories) < 0 || l2l_get_u64(in, &c->cost.steps) < 0;
        break;
    case T_NOTE:
        bad = l2l_get_str(in, &c->note, MAX_STR) < 0;
        break;
    case T_PHIS: {
        uint32_t n;
        bad = l2l_get_u32(in, &n) < 0;
        if (!bad && (n < 1 || n > L2L_CKPT_MAX_SETS)) {
            l2l_fmt(err, errlen, "%s: corrupt: %u sets of φ (expected 1 to %d)", path, n, L2L_CKPT_MAX_SETS);
            return L2L_EINPUT;
        }
        if (!bad && !(c->sets = calloc(n, sizeof *c->sets))) {
            l2l_fmt(err, errlen, "%s: out of memory", path);
            return L2L_ENOMEM;
        }
        for (uint32_t s = 0; !bad && s < n; s++) {
            struct l2l_ckpt_set *set = &c->sets[s];
            c->n_sets = s + 1;
            bad = l2l_get_str(in, &set->name, 256) < 0 || l2l_get_str(in, &set->groups, 4096) < 0 ||
                  l2l_get_u64(in, &set->n_meta) < 0;
            if (bad)
                break;
            if (set->n_meta > (in->len - in->pos) / 4) {
                l2l_fmt(err, errlen, "%s: corrupt: set %s claims %llu meta-parameters, %zu bytes are left",
                        path, set->name, (unsigned long long)set->n_meta, in->len - in->pos);
                return L2L_EINPUT;
            }
            if (!(set->phi = malloc(sizeof(float) * (set->n_meta ? (size_t)set->n_meta : 1)))) {
                l2l_fmt(err, errlen, "%s: out of memory for %llu meta-parameters", path,
                        (unsigned long long)set->n_meta);
                return L2L_ENOMEM;
            }
            for (uint64_t k = 0; k < set->n_meta; k++) {
                l2l_get_f32(in, &set->phi[k]);
                if (!isfinite(set->phi[k])) {
                    l2l_fmt(err, errlen, "%s: φ[%llu] of set %s is %g: not a usable checkpoint "
                            "(saved from a diverged run?)", path, (unsigned long long)k, set->name,
                            (double)set->phi[k]);
                    return L2L_ENUM;
                }
            }
        }
        break;
    }
    }
    if (bad || in->pos != in->len) {
        l2l_fmt(err, errlen, "%s: corrupt: record %s is %zu bytes, its fields %s", path, tags[tag], in->len,
                bad ? "run past its end" : "end before it");
        return L2L_EINPUT;
    }
    return 0;
}

/* Checks the frame (magic, version, sizes, checksum) and parses every
 * record. Format 1 is named with what to do. */
static int ckpt_parse(const char *path, const unsigned char *data, size_t len, struct l2l_checkpoint *c,
                      char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    struct l2l_ibuf in = {data, len, 0, 0};
    char magic[8];
    uint32_t version, n_records;
    if (l2l_get_bytes(&in, magic, 8) < 0 || memcmp(magic, CKPT_MAGIC, 8) != 0) {
        l2l_fmt(err, errlen, "%s: not an l2l-bench checkpoint (no L2LCKPT magic at the start)", path);
        return L2L_EINPUT;
    }
    if (l2l_get_u32(&in, &version) < 0) {
        l2l_fmt(err, errlen, "%s: truncated: %zu bytes, ends inside the header", path, len);
        return L2L_EINPUT;
    }
    if (version == 1) {
        l2l_fmt(err, errlen, "%s: checkpoint format version 1, which does not record whether its training "
                "finished; this l2l reads version 2: delete it to train it again, or convert it with "
                "`l2l checkpoint upgrade SUITE` if its training finished", path);
        return L2L_EINPUT;
    }
    if (version != CKPT_VERSION) {
        l2l_fmt(err, errlen, "%s: checkpoint format version %u, this l2l reads version %u: "
                "written by another version of l2l-bench", path, version, CKPT_VERSION);
        return L2L_EINPUT;
    }
    if (l2l_get_u32(&in, &n_records) < 0 || len < in.pos + 4) {
        l2l_fmt(err, errlen, "%s: truncated: %zu bytes, ends inside the header", path, len);
        return L2L_EINPUT;
    }
    if (n_records > MAX_RECORDS) {
        l2l_fmt(err, errlen, "%s: corrupt: %u records (at most %d)", path, n_records, MAX_RECORDS);
        return L2L_EINPUT;
    }
    /* the frame first, so that a cut file says so rather than "checksum" */
    size_t end = len - 4, first = in.pos;
    for (uint32_t r = 0; r < n_records; r++) {
        char tag[5] = {0};
        uint64_t n;
        if (end - in.pos < 12) {
            l2l_fmt(err, errlen, "%s: truncated: %zu bytes, ends before record %u of %u", path, len, r + 1,
                    n_records);
            return L2L_EINPUT;
        }
        l2l_get_bytes(&in, tag, 4);
        l2l_get_u64(&in, &n);
        if (n > end - in.pos) {
            l2l_fmt(err, errlen, "%s: truncated: %zu bytes, record %u of %u ('%s', %llu bytes) runs past "
                    "the end", path, len, r + 1, n_records, tag, (unsigned long long)n);
            return L2L_EINPUT;
        }
        in.pos += (size_t)n;
    }
    if (in.pos != end) {
        l2l_fmt(err, errlen, "%s: corrupt: %zu bytes after the end of the checkpoint", path, end - in.pos);
        return L2L_EINPUT;
    }
    if (!l2l_crc_ok(data, len)) {
        l2l_fmt(err, errlen, "%s: checksum mismatch: the file is corrupt", path);
        return L2L_EINPUT;
    }
    in.pos = first;
    int seen[N_TAGS] = {0};
    for (uint32_t r = 0; r < n_records; r++) {
        char tag[5] = {0};
        uint64_t n;
        l2l_get_bytes(&in, tag, 4);
        l2l_get_u64(&in, &n);
        int t = 0;
        while (t < N_TAGS && memcmp(tag, tags[t], 4) != 0)
            t++;
        if (t == N_TAGS) {
            if (tag[0] >= 'a' && tag[0] <= 'z') { /* ancillary: skipped */
                in.pos += (size_t)n;
                continue;
            }
            l2l_fmt(err, errlen, "%s: record '%s' is not known to this l2l (written by a newer version?)",
                    path, tag);
            return L2L_EINPUT;
        }
        if (seen[t]++) {
            l2l_fmt(err, errlen, "%s: corrupt: record %s twice", path, tags[t]);
            return L2L_EINPUT;
        }
        struct l2l_ibuf rec = {data + in.pos, (size_t)n, 0, 0};
        int rc = parse_record(path, t, &rec, c, err, errlen);
        if (rc < 0)
            return rc;
        in.pos += (size_t)n;
    }
    for (int t = 0; t < N_TAGS; t++)
        if (!seen[t]) {
            l2l_fmt(err, errlen, "%s: corrupt: no %s record", path, tags[t]);
            return L2L_EINPUT;
        }
    return 0;
}

int l2l_checkpoint_read(const char *path, struct l2l_checkpoint *c, char *err, size_t errlen)
{
    unsigned char *data;
    size_t len;
    memset(c, 0, sizeof *c);
    int rc = l2l_read_file_magic(path, MAX_FILE, CKPT_MAGIC, "an l2l-bench checkpoint", &data, &len, err,
                                 errlen);
    if (rc < 0)
        return rc;
    rc = ckpt_parse(path, data, len, c, err, errlen);
    free(data);
    if (rc < 0)
        l2l_checkpoint_clear(c);
    return rc;
}

/* ------------------------------------------------------------ matching */

int l2l_checkpoint_identify(struct l2l_checkpoint *want, const struct l2l_optimizer_ops *opt,
                            const struct l2l_value *values, void *self, char *buf, size_t len,
                            char *err, size_t errlen)
{
    const struct l2l_learned_ops *l = opt->learned;
    if (!l) {
        l2l_fmt(err, errlen, "plugin %s is not a learned optimizer: it has no checkpoint", opt->name);
        return L2L_EINPUT;
    }
    want->plugin = (char *)opt->name;
    int s = l->shape(self, want->shape, L2L_CKPT_MAX_SHAPE);
    if (s < 0 || s > L2L_CKPT_MAX_SHAPE) {
        l2l_fmt(err, errlen, "plugin %s returned %d shape words (expected 0..%d)", opt->name, s,
                L2L_CKPT_MAX_SHAPE);
        return L2L_EPLUGIN;
    }
    want->n_shape = (uint32_t)s;
    want->n_opts = 0;
    size_t used = 0;
    for (int k = 0; l->update_options && l->update_options[k]; k++) {
        int row = l2l_options_find(opt->options, l->update_options[k]);
        if (row < 0 || want->n_opts == L2L_CKPT_MAX_OPTS || used + 1 >= len) {
            l2l_fmt(err, errlen, "plugin %s: update option '%s' is %s", opt->name, l->update_options[k],
                    row < 0 ? "not in its option table" : "one too many");
            return L2L_EPLUGIN;
        }
        char *v = buf + used;
        l2l_value_canon(&opt->options[row], &values[row], v, len - used);
        used += strlen(v) + 1;
        want->opt_key[want->n_opts] = (char *)opt->options[row].name;
        want->opt_val[want->n_opts++] = v;
    }
    return 0;
}

/* The value of key in c, or NULL. */
static const char *opt_value(const struct l2l_checkpoint *c, const char *key)
{
    for (uint32_t k = 0; k < c->n_opts; k++)
        if (!strcmp(c->opt_key[k], key))
            return c->opt_val[k];
    return NULL;
}

/* "conv (conv*.w), fc (*)" */
static void describe_sets(const struct l2l_checkpoint *c, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (uint32_t k = 0; k < c->n_sets && used < len; k++) {
        int w = snprintf(buf + used, len - used, "%s%s (%s)", k ? ", " : "", c->sets[k].name,
                         c->sets[k].groups);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int l2l_checkpoint_match(const char *path, const struct l2l_checkpoint *file,
                         const struct l2l_checkpoint *want, const char *const *shape_names,
                         char *err, size_t errlen)
{
    if (strcmp(file->plugin, want->plugin) != 0) {
        l2l_fmt(err, errlen, "%s: written by plugin '%s', not '%s'", path, file->plugin, want->plugin);
        return L2L_EINPUT;
    }
    if (file->n_shape != want->n_shape) {
        l2l_fmt(err, errlen, "%s: %u shape words in the file, %u in the suite", path, file->n_shape,
                want->n_shape);
        return L2L_EINPUT;
    }
    for (uint32_t k = 0; k < want->n_shape; k++)
        if (file->shape[k] != want->shape[k]) {
            if (shape_names)
                l2l_fmt(err, errlen, "%s: %s is %u in the file, %u in the suite", path, shape_names[k],
                        file->shape[k], want->shape[k]);
            else
                l2l_fmt(err, errlen, "%s: shape word %u is %u in the file, %u in the suite", path, k,
                        file->shape[k], want->shape[k]);
            return L2L_EINPUT;
        }
    for (uint32_t k = 0; k < want->n_opts; k++) {
        const char *v = opt_value(file, want->opt_key[k]);
        if (!v || strcmp(v, want->opt_val[k]) != 0) {
            l2l_fmt(err, errlen, "%s: trained with %s = %s, the suite sets %s = %s: φ computes another "
                    "update under it; set the same value or train another checkpoint",
                    path, want->opt_key[k], v ? v : "(not recorded)", want->opt_key[k], want->opt_val[k]);
            return L2L_EINPUT;
        }
    }
    for (uint32_t k = 0; k < file->n_opts; k++)
        if (!opt_value(want, file->opt_key[k])) {
            l2l_fmt(err, errlen, "%s: trained with option %s = %s, which plugin %s does not have as an "
                    "update option", path, file->opt_key[k], file->opt_val[k], want->plugin);
            return L2L_EINPUT;
        }
    if (want->n_sets) {
        if (file->n_sets != want->n_sets) {
            char a[512], b[512];
            describe_sets(file, a, sizeof a);
            describe_sets(want, b, sizeof b);
            l2l_fmt(err, errlen, "%s: %u sets of φ in the file (%s), %u in the suite (%s)", path,
                    file->n_sets, a, want->n_sets, b);
            return L2L_EINPUT;
        }
        for (uint32_t s = 0; s < want->n_sets; s++) {
            const struct l2l_ckpt_set *a = &file->sets[s], *b = &want->sets[s];
            if (strcmp(a->name, b->name) || strcmp(a->groups, b->groups)) {
                l2l_fmt(err, errlen, "%s: set %u is %s (%s) in the file, %s (%s) in the suite", path, s + 1,
                        a->name, a->groups, b->name, b->groups);
                return L2L_EINPUT;
            }
            if (a->n_meta != b->n_meta) {
                if (want->n_sets == 1)
                    l2l_fmt(err, errlen, "%s: %llu meta-parameters in the file, %llu in the suite", path,
                            (unsigned long long)a->n_meta, (unsigned long long)b->n_meta);
                else
                    l2l_fmt(err, errlen, "%s: set %s: %llu meta-parameters in the file, %llu in the suite",
                            path, a->name, (unsigned long long)a->n_meta, (unsigned long long)b->n_meta);
                return L2L_EINPUT;
            }
        }
    }
    return 0;
}

/* "epoch 40 of 100" or what is known of an unfinished training. */
static void not_finished(const char *path, const struct l2l_checkpoint *c, char *err, size_t errlen)
{
    l2l_fmt(err, errlen, "%s: its training did not finish (epoch %lld of %lld): run `l2l train` on the "
            "suite to finish it (it resumes from %s.state when that is there)", path,
            (long long)c->status.epochs_done, (long long)c->status.epochs_planned, path);
}

int l2l_checkpoint_load(const char *path, const struct l2l_optimizer_ops *opt,
                        const struct l2l_value *values, void *self, char *err, size_t errlen)
{
    if (!opt->learned) {
        l2l_fmt(err, errlen, "%s: plugin %s is not a learned optimizer: it takes no checkpoint", path, opt->name);
        return L2L_EINPUT;
    }
    struct l2l_ckpt_set set = {"all", "*", opt->learned->n_meta(self), opt->learned->meta(self)};
    return l2l_checkpoint_load_sets(path, opt, values, self, &set, 1, err, errlen);
}

int l2l_checkpoint_load_sets(const char *path, const struct l2l_optimizer_ops *opt,
                             const struct l2l_value *values, void *self, const struct l2l_ckpt_set *sets,
                             uint32_t n_sets, char *err, size_t errlen)
{
    if (!opt->learned) {
        l2l_fmt(err, errlen, "%s: plugin %s is not a learned optimizer: it takes no checkpoint", path, opt->name);
        return L2L_EINPUT;
    }
    struct l2l_checkpoint file, want;
    char buf[4096];
    memset(&want, 0, sizeof want);
    int rc = l2l_checkpoint_identify(&want, opt, values, self, buf, sizeof buf, err, errlen);
    if (rc < 0)
        return rc;
    want.n_sets = n_sets;
    want.sets = (struct l2l_ckpt_set *)sets;
    if ((rc = l2l_checkpoint_read(path, &file, err, errlen)) < 0)
        return rc;
    rc = l2l_checkpoint_match(path, &file, &want, opt->learned->shape_names, err, errlen);
    if (rc == 0 && !file.status.finished) {
        not_finished(path, &file, err, errlen);
        rc = L2L_EINPUT;
    }
    for (uint32_t k = 0; rc == 0 && k < n_sets; k++)
        memcpy(sets[k].phi, file.sets[k].phi, sizeof(float) * (size_t)sets[k].n_meta);
    l2l_checkpoint_clear(&file);
    return rc;
}

int l2l_checkpoint_note(const char *path, char **note, char **plugin, char *err, size_t errlen)
{
    struct l2l_checkpoint c;
    *note = NULL;
    if (plugin)
        *plugin = NULL;
    int rc = l2l_checkpoint_read(path, &c, err, errlen);
    if (rc < 0)
        return rc;
    *note = c.note;
    c.note = NULL;
    if (plugin) {
        *plugin = c.plugin;
        c.plugin = NULL;
    }
    l2l_checkpoint_clear(&c);
    return 0;
}
