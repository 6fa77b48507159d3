/* test_checkpoint.c: checkpoint format 2 round trip (φ identical bit for
 * bit, note, status, cost and update options kept) and every refusal:
 * missing, truncated, wrong magic, version (1 and unknown), plugin, shape,
 * update option, unfinished training, unknown critical record, non-finite
 * value, bad checksum, each with its message; ancillary records skipped. */
#include <math.h>
#include "bytes.h"
#include "checkpoint.h"
#include "test_meta_fixture.h"
#include "test_main.h"

static char *dir;
static char path[512];

/* Saves φ of self (an object of opt made with values) as a checkpoint
 * whose training finished (or not), as the meta-trainer does. */
static int save(const char *where, const struct l2l_optimizer_ops *opt, const struct l2l_value *values,
                void *self, const char *note, int finished, char *err, size_t errlen)
{
    struct l2l_checkpoint c;
    char buf[1024];
    memset(&c, 0, sizeof c);
    int rc = l2l_checkpoint_identify(&c, opt, values, self, buf, sizeof buf, err, errlen);
    if (rc < 0)
        return rc;
    struct l2l_ckpt_set set = {"all", "*", opt->learned->n_meta(self), opt->learned->meta(self)};
    c.n_sets = 1;
    c.sets = &set;
    c.note = (char *)note;
    c.status = (struct l2l_ckpt_status){finished, 0, 7, 10, 5, 0.25};
    c.cost = (struct l2l_ckpt_cost){12.5, 20.25, 88, 880};
    return l2l_checkpoint_write(where, &c, err, errlen);
}

/* A learned_sgd object with φ from a fixed stream. */
static void *make(struct fx_plugin *f, const char *terms)
{
    const char *kv[] = {terms, NULL};
    if (fx_open(f, L2L_OPTIMIZER, LSGD_PATH, kv) < 0)
        return NULL;
    char err[L2L_ERRLEN];
    void *self = f->p.u.opt->create(f->v, 4, NULL, 0, err, sizeof err);
    struct l2l_rng r;
    l2l_rng_seed(&r, 42);
    if (self)
        f->p.u.opt->learned->meta_init(self, &r);
    return self;
}

static void test_round_trip(void)
{
    struct fx_plugin a, b;
    void *sa = make(&a, "terms=2"), *sb = make(&b, "terms=2");
    CU_ASSERT_FATAL(sa && sb);
    const struct l2l_optimizer_ops *opt = a.p.u.opt;
    float *pa = opt->learned->meta(sa), *pb = opt->learned->meta(sb);
    pa[0] = -1.2345678f;
    pa[1] = 0.5f;
    pb[0] = pb[1] = 0;
    char err[L2L_ERRLEN] = "";
    CU_ASSERT_EQUAL(save(path, opt, a.v, sa, "trained on: test", 1, err, sizeof err), 0);
    CU_ASSERT_EQUAL(l2l_checkpoint_load(path, opt, b.v, sb, err, sizeof err), 0);
    CU_ASSERT(l2l_maxdiff("phi after round trip", pa, pb, 2, 0) == 0);
    CU_ASSERT(memcmp(pa, pb, 2 * sizeof(float)) == 0);
    char *note = NULL, *plugin = NULL;
    CU_ASSERT_EQUAL(l2l_checkpoint_note(path, &note, &plugin, err, sizeof err), 0);
    CU_ASSERT(note && strcmp(note, "trained on: test") == 0);
    CU_ASSERT(plugin && strcmp(plugin, "learned_sgd") == 0);
    free(note);
    free(plugin);
    /* Everything else comes back as written. */
    struct l2l_checkpoint c;
    CU_ASSERT_EQUAL_FATAL(l2l_checkpoint_read(path, &c, err, sizeof err), 0);
    CU_ASSERT(c.status.finished == 1 && c.status.keep_last == 0 && c.status.epochs_done == 7 &&
              c.status.epochs_planned == 10 && c.status.best_epoch == 5 && c.status.best_loss == 0.25);
    CU_ASSERT(c.cost.wall_seconds == 12.5 && c.cost.cpu_seconds == 20.25 && c.cost.trajectories == 88 &&
              c.cost.steps == 880);
    CU_ASSERT(c.n_opts == 1 && !strcmp(c.opt_key[0], "terms") && !strcmp(c.opt_val[0], "2"));
    CU_ASSERT(c.n_sets == 1 && !strcmp(c.sets[0].name, "all") && !strcmp(c.sets[0].groups, "*") &&
              c.sets[0].n_meta == 2);
    l2l_checkpoint_clear(&c);
    /* The exact bytes: magic, version 2, 7 records, the first PLUG with
     * its length (4 + 11) and the name. */
    size_t len;
    unsigned char *d = fx_slurp(path, &len);
    CU_ASSERT_FATAL(d != NULL);
    CU_ASSERT(memcmp(d, "L2LCKPT\0\2\0\0\0\7\0\0\0PLUG\17\0\0\0\0\0\0\0\13\0\0\0learned_sgd", 43) == 0);
    free(d);
    opt->destroy(sa);
    opt->destroy(sb);
    fx_close(&a);
    fx_close(&b);
}

/* Writes a corrupted copy of a good checkpoint, loads it, checks the
 * message and that φ of the object was not touched. */
static void refuse(const char *what, void (*corrupt)(unsigned char *d, size_t *len),
                   const char *load_terms, const char *needle)
{
    printf("\n  case: %s\n", what);
    struct fx_plugin a, b;
    void *sa = make(&a, "terms=2"), *sb = make(&b, load_terms);
    CU_ASSERT_FATAL(sa && sb);
    char err[L2L_ERRLEN] = "";
    CU_ASSERT_EQUAL_FATAL(save(path, a.p.u.opt, a.v, sa, "note", 1, err, sizeof err), 0);
    size_t len;
    unsigned char *d = fx_slurp(path, &len);
    CU_ASSERT_FATAL(d != NULL);
    if (corrupt)
        corrupt(d, &len);
    CU_ASSERT_EQUAL_FATAL(fx_write(path, d, len), 0);
    free(d);
    float *pb = b.p.u.opt->learned->meta(sb), before = pb[0];
    err[0] = 0;
    CU_ASSERT(l2l_checkpoint_load(path, b.p.u.opt, b.v, sb, err, sizeof err) < 0);
    ASSERT_MSG(err, needle);
    CU_ASSERT(strstr(err, path) != NULL);
    CU_ASSERT(pb[0] == before);
    a.p.u.opt->destroy(sa);
    b.p.u.opt->destroy(sb);
    fx_close(&a);
    fx_close(&b);
}

/* Recomputes the trailing CRC so only the intended defect remains. */
static void fix_crc(unsigned char *d, size_t len)
{
    uint32_t c = l2l_crc32(d, len - 4);
    for (int k = 0; k < 4; k++)
        d[len - 4 + k] = (unsigned char)(c >> (8 * k));
}

static void cut_body(unsigned char *d, size_t *len) { (void)d; *len -= 6; }
static void cut_header(unsigned char *d, size_t *len) { (void)d; *len = 20; }
static void bad_magic(unsigned char *d, size_t *len) { (void)len; d[0] = 'X'; }
static void bad_version(unsigned char *d, size_t *len) { d[8] = 99; fix_crc(d, *len); }
static void version1(unsigned char *d, size_t *len) { d[8] = 1; fix_crc(d, *len); }
/* Renames the first record (PLUG, at byte 16). */
static void unknown_critical(unsigned char *d, size_t *len) { memcpy(d + 16, "XYZW", 4); fix_crc(d, *len); }
/* The STAT record's finished flag: 0. STAT is the fourth record. */
static void unfinished(unsigned char *d, size_t *len)
{
    size_t pos = 16;
    for (int r = 0; r < 3; r++) {
        uint64_t n = 0;
        for (int k = 7; k >= 0; k--)
            n = n << 8 | d[pos + 4 + k];
        pos += 12 + (size_t)n;
    }
    CU_ASSERT(memcmp(d + pos, "STAT", 4) == 0);
    d[pos + 12] = 0;
    fix_crc(d, *len);
}
static void nan_value(unsigned char *d, size_t *len)
{   /* φ[1] (last before the CRC) := quiet NaN 0x7fc00000, little-endian */
    d[*len - 8] = 0; d[*len - 7] = 0; d[*len - 6] = 0xc0; d[*len - 5] = 0x7f;
    fix_crc(d, *len);
}
static void flip_bit(unsigned char *d, size_t *len) { d[*len - 8] ^= 1; }

static void test_truncated(void)
{
    refuse("truncated inside phi", cut_body, "terms=2", "truncated");
    refuse("truncated inside the header", cut_header, "terms=2", "truncated");
}
static void test_magic(void) { refuse("wrong magic", bad_magic, "terms=2", "not an l2l-bench checkpoint"); }
static void test_version(void)
{
    refuse("wrong version", bad_version, "terms=2", "format version 99");
    refuse("format 1", version1, "terms=2", "format version 1, which does not record whether its training finished");
    refuse("unknown critical record", unknown_critical, "terms=2", "record 'XYZW' is not known to this l2l");
}
static void test_unfinished(void)
{
    refuse("unfinished training", unfinished, "terms=2", "its training did not finish (epoch 7 of 10)");
}
static void test_shape(void) { refuse("wrong shape", NULL, "terms=1", "terms is 2 in the file, 1 in the suite"); }

/* An option that changes the update is compared even when the shape agrees
 * (here: a hand-made file whose recorded value differs), and an ancillary
 * record (lower-case tag) is skipped. */
static void test_update_option(void)
{
    struct fx_plugin a;
    void *sa = make(&a, "terms=2");
    CU_ASSERT_FATAL(sa != NULL);
    char err[L2L_ERRLEN] = "", buf[256];
    struct l2l_checkpoint c;
    memset(&c, 0, sizeof c);
    CU_ASSERT_FATAL(l2l_checkpoint_identify(&c, a.p.u.opt, a.v, sa, buf, sizeof buf, err, sizeof err) == 0);
    struct l2l_ckpt_set set = {"all", "*", 2, a.p.u.opt->learned->meta(sa)};
    c.n_sets = 1;
    c.sets = &set;
    c.status.finished = 1;
    c.opt_val[0] = "3";
    CU_ASSERT_FATAL(l2l_checkpoint_write(path, &c, err, sizeof err) == 0);
    CU_ASSERT(l2l_checkpoint_load(path, a.p.u.opt, a.v, sa, err, sizeof err) < 0);
    ASSERT_MSG(err, "trained with terms = 3, the suite sets terms = 2");
    c.opt_val[0] = "2";
    CU_ASSERT_FATAL(l2l_checkpoint_write(path, &c, err, sizeof err) == 0);
    /* an ancillary record "zzzz" inserted before the CRC, counted in the header */
    size_t len;
    unsigned char *d = fx_slurp(path, &len);
    CU_ASSERT_FATAL(d != NULL);
    unsigned char *e = malloc(len + 14);
    CU_ASSERT_FATAL(e != NULL);
    memcpy(e, d, len - 4);
    memcpy(e + len - 4, "zzzz\2\0\0\0\0\0\0\0hi", 14);
    e[12] = 8;
    len += 14;
    fix_crc(e, len);
    CU_ASSERT_FATAL(fx_write(path, e, len) == 0);
    CU_ASSERT(l2l_checkpoint_load(path, a.p.u.opt, a.v, sa, err, sizeof err) == 0);
    free(d);
    free(e);
    a.p.u.opt->destroy(sa);
    fx_close(&a);
}
static void test_nonfinite(void) { refuse("non-finite value", nan_value, "terms=2", "φ[1] of set all is nan"); }
static void test_checksum(void) { refuse("bad checksum", flip_bit, "terms=2", "checksum mismatch"); }

static void test_plugin_and_missing(void)
{
    struct fx_plugin a;
    void *sa = make(&a, "terms=2");
    CU_ASSERT_FATAL(sa != NULL);
    /* The same vtable under another name stands for another plugin. */
    struct l2l_optimizer_ops other = *a.p.u.opt;
    other.name = "other";
    char err[L2L_ERRLEN] = "";
    CU_ASSERT_EQUAL(save(path, &other, a.v, sa, "", 1, err, sizeof err), 0);
    CU_ASSERT(l2l_checkpoint_load(path, a.p.u.opt, a.v, sa, err, sizeof err) < 0);
    ASSERT_MSG(err, "written by plugin 'other', not 'learned_sgd'");
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.l2l", dir);
    CU_ASSERT(l2l_checkpoint_load(missing, a.p.u.opt, a.v, sa, err, sizeof err) < 0);
    ASSERT_MSG(err, "none.l2l: cannot open");
    /* Trailing garbage after a complete checkpoint. */
    CU_ASSERT_EQUAL(save(path, a.p.u.opt, a.v, sa, "", 1, err, sizeof err), 0);
    FILE *f = fopen(path, "ab");
    CU_ASSERT_FATAL(f != NULL);
    fputs("xyz", f);
    fclose(f);
    CU_ASSERT(l2l_checkpoint_load(path, a.p.u.opt, a.v, sa, err, sizeof err) < 0);
    ASSERT_MSG(err, "3 bytes after the end");
    /* Saving a non-finite φ is refused too. */
    a.p.u.opt->learned->meta(sa)[0] = INFINITY;
    CU_ASSERT(save(path, a.p.u.opt, a.v, sa, "", 1, err, sizeof err) < 0);
    ASSERT_MSG(err, "refusing to save");
    a.p.u.opt->destroy(sa);
    fx_close(&a);
}

static const struct l2l_test tests[] = {
    {"round trip", test_round_trip},
    {"refuses a truncated file", test_truncated},
    {"refuses a wrong magic", test_magic},
    {"refuses a wrong version", test_version},
    {"refuses a wrong shape", test_shape},
    {"refuses another update option; skips ancillary records", test_update_option},
    {"refuses an unfinished training", test_unfinished},
    {"refuses a non-finite value", test_nonfinite},
    {"refuses a bad checksum", test_checksum},
    {"refuses another plugin, a missing file, trailing bytes", test_plugin_and_missing},
    {NULL, NULL},
};

int main(void)
{
    l2l_set_quiet(1);
    dir = fx_tmpdir();
    if (!dir)
        return 99;
    snprintf(path, sizeof path, "%s/q.l2l", dir);
    int rc = l2l_test_main("checkpoint", tests);
    fx_rmdir(dir);
    return rc;
}
