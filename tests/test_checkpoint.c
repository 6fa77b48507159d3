/* test_checkpoint.c: checkpoint round trip (φ identical bit for bit, note
 * kept) and every refusal: missing, truncated, wrong magic, version, plugin,
 * shape, non-finite value, bad checksum, each with its message. */
#include <math.h>
#include "bytes.h"
#include "checkpoint.h"
#include "test_meta_fixture.h"
#include "test_main.h"

static char *dir;
static char path[512];

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
    CU_ASSERT_EQUAL(l2l_checkpoint_save(path, opt, sa, "trained on: test", err, sizeof err), 0);
    CU_ASSERT_EQUAL(l2l_checkpoint_load(path, opt, sb, err, sizeof err), 0);
    CU_ASSERT(l2l_maxdiff("phi after round trip", pa, pb, 2, 0) == 0);
    CU_ASSERT(memcmp(pa, pb, 2 * sizeof(float)) == 0);
    char *note = NULL, *plugin = NULL;
    CU_ASSERT_EQUAL(l2l_checkpoint_note(path, &note, &plugin, err, sizeof err), 0);
    CU_ASSERT(note && strcmp(note, "trained on: test") == 0);
    CU_ASSERT(plugin && strcmp(plugin, "learned_sgd") == 0);
    free(note);
    free(plugin);
    /* The exact bytes: magic, version 1, name, 1 shape word = 2. */
    size_t len;
    unsigned char *d = fx_slurp(path, &len);
    CU_ASSERT_FATAL(d != NULL);
    CU_ASSERT(memcmp(d, "L2LCKPT\0\1\0\0\0\13\0\0\0learned_sgd\1\0\0\0\2\0\0\0", 35) == 0);
    CU_ASSERT_EQUAL(len, 35 + 4 + 16 + 8 + 8 + 4);
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
    CU_ASSERT_EQUAL_FATAL(l2l_checkpoint_save(path, a.p.u.opt, sa, "note", err, sizeof err), 0);
    size_t len;
    unsigned char *d = fx_slurp(path, &len);
    CU_ASSERT_FATAL(d != NULL);
    if (corrupt)
        corrupt(d, &len);
    CU_ASSERT_EQUAL_FATAL(fx_write(path, d, len), 0);
    free(d);
    float *pb = b.p.u.opt->learned->meta(sb), before = pb[0];
    err[0] = 0;
    CU_ASSERT(l2l_checkpoint_load(path, b.p.u.opt, sb, err, sizeof err) < 0);
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
static void test_version(void) { refuse("wrong version", bad_version, "terms=2", "format version 99"); }
static void test_shape(void) { refuse("wrong shape", NULL, "terms=1", "terms is 2 in the file, 1 in the suite"); }
static void test_nonfinite(void) { refuse("non-finite value", nan_value, "terms=2", "φ[1] is nan"); }
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
    CU_ASSERT_EQUAL(l2l_checkpoint_save(path, &other, sa, "", err, sizeof err), 0);
    CU_ASSERT(l2l_checkpoint_load(path, a.p.u.opt, sa, err, sizeof err) < 0);
    ASSERT_MSG(err, "written by plugin 'other', not 'learned_sgd'");
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.l2l", dir);
    CU_ASSERT(l2l_checkpoint_load(missing, a.p.u.opt, sa, err, sizeof err) < 0);
    ASSERT_MSG(err, "none.l2l: cannot open");
    /* Trailing garbage after a complete checkpoint. */
    CU_ASSERT_EQUAL(l2l_checkpoint_save(path, a.p.u.opt, sa, "", err, sizeof err), 0);
    FILE *f = fopen(path, "ab");
    CU_ASSERT_FATAL(f != NULL);
    fputs("xyz", f);
    fclose(f);
    CU_ASSERT(l2l_checkpoint_load(path, a.p.u.opt, sa, err, sizeof err) < 0);
    ASSERT_MSG(err, "3 bytes after the end");
    /* Saving a non-finite φ is refused too. */
    a.p.u.opt->learned->meta(sa)[0] = INFINITY;
    CU_ASSERT(l2l_checkpoint_save(path, a.p.u.opt, sa, "", err, sizeof err) < 0);
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
