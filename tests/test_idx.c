/* test_idx.c: the IDX loader (plugins/common/idx.c) reads back what it
 * writes, plain and gzip; refuses each kind of corrupt input with a
 * message naming the file and the problem; and the mnist-json-to-idx
 * converter turns a tiny JSON digit set into the documented split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "test_main.h"
#include "idx.h"

static char dir[64];

static const char *tmp(const char *name)
{
    static char path[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static void write_bytes(const char *path, const void *b, size_t n, int gz)
{
    gzFile f = gzopen(path, gz ? "wb" : "wbT");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(gzwrite(f, b, (unsigned)n) == (int)n);
    CU_ASSERT(gzclose(f) == Z_OK);
}

/* A 3-image 2x3 file and its labels, byte by byte as the format says. */
static const unsigned char images_file[] = {
    0, 0, 8, 3,  0, 0, 0, 3,  0, 0, 0, 2,  0, 0, 0, 3,
    0, 255, 51, 1, 2, 3,   10, 20, 30, 40, 50, 60,   254, 128, 127, 0, 0, 7
};
static const unsigned char labels_file[] = { 0, 0, 8, 1,  0, 0, 0, 3,  0, 9, 5 };

static void check_set(const struct idx_set *s)
{
    CU_ASSERT_EQUAL(s->n, 3);
    CU_ASSERT_EQUAL(s->rows, 2);
    CU_ASSERT_EQUAL(s->cols, 3);
    CU_ASSERT_EQUAL(s->dim, 6);
    float want[18];
    for (int k = 0; k < 18; k++)
        want[k] = images_file[16 + k] / 255.0f;
    CU_ASSERT(l2l_maxdiff("pixels / 255", s->images, want, 18, 0) == 0);
    CU_ASSERT(s->images[1] == 1.0f && s->images[0] == 0.0f);
    CU_ASSERT(s->labels[0] == 0 && s->labels[1] == 9 && s->labels[2] == 5);
}

static void test_round_trip(void)
{
    char err[256];
    uint32_t idims[3] = { 3, 2, 3 }, ldims[1] = { 3 };
    for (int gz = 0; gz <= 1; gz++) {
        const char *ip = tmp(gz ? "img.gz" : "img"), *lp = tmp(gz ? "lab.gz" : "lab");
        CU_ASSERT_EQUAL(idx_write(ip, 3, idims, images_file + 16, gz, err, sizeof err), 0);
        CU_ASSERT_EQUAL(idx_write(lp, 1, ldims, labels_file + 8, gz, err, sizeof err), 0);
        struct idx_set s;
        int rc = idx_load_set(ip, lp, 10, &s, err, sizeof err);
        if (rc)
            printf("  %s\n", err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        check_set(&s);
        idx_set_free(&s);
    }
    /* The plain writer produces exactly the bytes of the format. */
    FILE *f = fopen(tmp("img"), "rb");
    unsigned char buf[64];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    CU_ASSERT_EQUAL(n, sizeof images_file);
    CU_ASSERT(memcmp(buf, images_file, sizeof images_file) == 0);
    /* Hand-written files (not made by our writer) load the same. */
    write_bytes(tmp("hand-img"), images_file, sizeof images_file, 0);
    write_bytes(tmp("hand-lab.gz"), labels_file, sizeof labels_file, 1);
    struct idx_set s;
    CU_ASSERT_EQUAL_FATAL(idx_load_set(tmp("hand-img"), tmp("hand-lab.gz"), 10, &s, err, sizeof err), 0);
    check_set(&s);
    idx_set_free(&s);
}

/* Loads images ip and labels lp, expecting failure with `want` in the message. */
static void refused(const char *ip, const char *lp, int classes, const char *want)
{
    char err[256] = "";
    struct idx_set s;
    int rc = idx_load_set(ip, lp, classes, &s, err, sizeof err);
    printf("  refused: %s\n", err);
    CU_ASSERT(rc < 0);
    CU_ASSERT(strstr(err, want) != NULL);
    if (!strstr(err, want))
        printf("  expected the message to contain: %s\n", want);
    CU_ASSERT(s.images == NULL && s.labels == NULL && s.n == 0);
}

static void test_corrupt(void)
{
    unsigned char b[64];
    char good_img[256], good_lab[256];
    snprintf(good_img, sizeof good_img, "%s", tmp("good-img"));
    snprintf(good_lab, sizeof good_lab, "%s", tmp("good-lab"));
    write_bytes(good_img, images_file, sizeof images_file, 0);
    write_bytes(good_lab, labels_file, sizeof labels_file, 0);
    char msg[256];

    /* A missing file. */
    snprintf(msg, sizeof msg, "%s: cannot open: No such file", tmp("none"));
    refused(tmp("none"), good_lab, 10, msg);
    refused(dir, good_lab, 10, "is a directory, expected an IDX file");
    /* Labels given as images: wrong magic. */
    refused(good_lab, good_lab, 10, "bad magic number 0x00000801 (a label file), expected 0x00000803 for image data");
    /* Truncated and over-long data, plain (checked by size) and gzip (by reading). */
    for (int gz = 0; gz <= 1; gz++) {
        const char *p = tmp(gz ? "short.gz" : "short");
        write_bytes(p, images_file, sizeof images_file - 2, gz);
        snprintf(msg, sizeof msg, "%s: expected 18 bytes of image data, found 16", p);
        refused(p, good_lab, 10, msg);
        memcpy(b, images_file, sizeof images_file);
        b[sizeof images_file] = 1;
        b[sizeof images_file + 1] = 2;
        p = tmp(gz ? "long.gz" : "long");
        write_bytes(p, b, sizeof images_file + 2, gz);
        snprintf(msg, sizeof msg, "%s: expected 18 bytes of image data, found 20", p);
        refused(p, good_lab, 10, msg);
    }
    /* A header cut short, and a header with a zero dimension. */
    write_bytes(tmp("head"), images_file, 10, 0);
    refused(tmp("head"), good_lab, 10, "expected 16 bytes of IDX header, found 10");
    memcpy(b, images_file, sizeof images_file);
    b[11] = 0;
    write_bytes(tmp("zero"), b, sizeof images_file, 0);
    refused(tmp("zero"), good_lab, 10, "dimension 2 of the header is 0");
    /* Label and image counts differ. */
    unsigned char lab2[] = { 0, 0, 8, 1, 0, 0, 0, 2, 1, 2 };
    write_bytes(tmp("lab2"), lab2, sizeof lab2, 0);
    refused(good_img, tmp("lab2"), 10, "2 labels for 3 images");
    /* A label outside the classes: 9 with 5 classes. */
    refused(good_img, good_lab, 5, "label 9 at index 1, expected a class in [0, 5)");
}

static void test_corrupt_gzip(void)
{
    /* A gzip file big enough that a flipped byte lands in deflate data. */
    enum { N = 200 };
    static uint8_t px[N * 784];
    for (size_t k = 0; k < sizeof px; k++)
        px[k] = (uint8_t)((k * 2654435761u) >> 13);
    uint32_t dims[3] = { N, 28, 28 };
    char err[256];
    const char *p = tmp("big.gz");
    CU_ASSERT_EQUAL_FATAL(idx_write(p, 3, dims, px, 1, err, sizeof err), 0);
    FILE *f = fopen(p, "rb");
    static unsigned char z[2 * N * 784];
    size_t n = fread(z, 1, sizeof z, f);
    fclose(f);
    CU_ASSERT_FATAL(n > 1000);
    struct idx_raw r;
    CU_ASSERT_EQUAL(idx_read(p, IDX_MAGIC_IMAGES, "image", &r, err, sizeof err), 0);
    idx_raw_free(&r);

    for (size_t k = n / 2; k < n / 2 + 16; k++)
        z[k] ^= 0x5a;
    f = fopen(tmp("bad.gz"), "wb");
    fwrite(z, 1, n, f);
    fclose(f);
    int rc = idx_read(tmp("bad.gz"), IDX_MAGIC_IMAGES, "image", &r, err, sizeof err);
    printf("  refused: %s\n", err);
    CU_ASSERT(rc < 0);
    CU_ASSERT(strstr(err, "bad.gz: corrupt gzip data (zlib: ") != NULL);
    CU_ASSERT(r.data == NULL);

    for (size_t k = n / 2; k < n / 2 + 16; k++)
        z[k] ^= 0x5a; /* undo, then cut the file in half */
    f = fopen(tmp("cut.gz"), "wb");
    fwrite(z, 1, n / 2, f);
    fclose(f);
    rc = idx_read(tmp("cut.gz"), IDX_MAGIC_IMAGES, "image", &r, err, sizeof err);
    printf("  refused: %s\n", err);
    CU_ASSERT(rc < 0);
    CU_ASSERT(strstr(err, "cut.gz: expected 156800 bytes of image data, found ") != NULL);
    CU_ASSERT(strstr(err, "(truncated gzip data, zlib: unexpected end of file)") != NULL);
}

/* Pixel k of image i of digit d, unique per (d, i) in pixels 0 and 1. */
static uint8_t pixel(int d, int i, int k)
{
    return k == 0 ? (uint8_t)d : k == 1 ? (uint8_t)i : (uint8_t)((d * 37 + i * 11 + k * 5) % 256);
}

static void test_converter(void)
{
    static const int count[10] = { 5, 6, 4, 5, 5, 3, 5, 7, 5, 5 }; /* 50 images */
    char jdir[128], cmd[1024];
    snprintf(jdir, sizeof jdir, "%s/json", dir);
    CU_ASSERT_FATAL(mkdir(jdir, 0700) == 0);
    for (int d = 0; d < 10; d++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%d.json", jdir, d);
        FILE *f = fopen(p, "w");
        fprintf(f, "{ \"data\": [");
        for (int i = 0; i < count[d]; i++)
            for (int k = 0; k < 784; k++) /* as the npm package: pixel/255 to 3 decimals */
                fprintf(f, "%s%.3f", i + k ? "," : "", pixel(d, i, k) / 255.0);
        fprintf(f, "]}\n");
        fclose(f);
    }
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s'", MNIST_JSON_TO_IDX, jdir, dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);

    int seen[10][8] = { { 0 } };
    for (int part = 0; part < 2; part++) {
        struct idx_set s;
        char err[256];
        const char *pre = part ? "t10k" : "train";
        char ip[64], lp[64];
        snprintf(ip, sizeof ip, "%s-images-idx3-ubyte", pre);
        snprintf(lp, sizeof lp, "%s-labels-idx1-ubyte", pre);
        CU_ASSERT_EQUAL_FATAL(idx_load_set(tmp(ip), tmp(lp), 10, &s, err, sizeof err), 0);
        /* Stratified: floor(80% of each digit) = 4,4,3,4,4,2,4,5,4,4 to training. */
        CU_ASSERT_EQUAL(s.n, part ? 12 : 38);
        CU_ASSERT(s.rows == 28 && s.cols == 28);
        int bad = 0;
        for (size_t e = 0; e < s.n; e++) {
            int d = (int)(s.images[e * 784] * 255.0f + 0.5f), i = (int)(s.images[e * 784 + 1] * 255.0f + 0.5f);
            if (d > 9 || i >= count[d] || s.labels[e] != d || (i < count[d] * 8 / 10) == part) {
                bad++;
                continue;
            }
            seen[d][i]++;
            for (int k = 0; k < 784; k++)
                bad += s.images[e * 784 + k] != pixel(d, i, k) / 255.0f;
        }
        printf("  %s: %zu images, %d wrong pixels or labels\n", pre, s.n, bad);
        CU_ASSERT_EQUAL(bad, 0);
        if (part) /* shuffled: the test set does not start with all the zeros */
            CU_ASSERT(s.labels[0] != 0 || s.labels[1] != 0 || s.labels[2] != 0);
        idx_set_free(&s);
    }
    for (int d = 0; d < 10; d++)
        for (int i = 0; i < count[d]; i++)
            CU_ASSERT_EQUAL(seen[d][i], 1);

    /* A value out of [0, 1] is refused. */
    FILE *f = fopen(tmp("json/3.json"), "w");
    fprintf(f, "{\"data\": [0.5, 1.5]}\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s/none' 2>/dev/null", MNIST_JSON_TO_IDX, jdir, dir);
    CU_ASSERT(system(cmd) != 0);
}

/* idx_write replaces a symlink at its path, never writes through it; the
 * file left is complete and readable, and no temporary file is left. */
static void test_write_symlink(void)
{
    const char *victim = tmp("victim");
    write_bytes(victim, "precious", 8, 0);
    CU_ASSERT_EQUAL_FATAL(symlink(victim, tmp("linked")), 0);
    uint8_t px[4] = {1, 2, 3, 4};
    uint32_t dims[3] = {1, 2, 2};
    char err[256] = "";
    CU_ASSERT_EQUAL(idx_write(tmp("linked"), 3, dims, px, 0, err, sizeof err), 0);
    struct stat st;
    CU_ASSERT(lstat(tmp("linked"), &st) == 0 && S_ISREG(st.st_mode));
    CU_ASSERT(stat(victim, &st) == 0 && st.st_size == 8);
    struct idx_raw r;
    CU_ASSERT_EQUAL(idx_read(tmp("linked"), IDX_MAGIC_IMAGES, "image", &r, err, sizeof err), 0);
    CU_ASSERT(r.data && r.data[3] == 4);
    idx_raw_free(&r);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q 'linked\\.'", dir);
    CU_ASSERT(system(cmd) != 0); /* no linked.XXXXXX left */
}

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", dir);
}

static const struct l2l_test tests[] = {
    { "round trip, plain and gzip", test_round_trip },
    { "corrupt inputs refused with a message", test_corrupt },
    { "corrupt and truncated gzip", test_corrupt_gzip },
    { "mnist-json-to-idx converter", test_converter },
    { "idx_write does not follow a symlink", test_write_symlink },
    { NULL, NULL }
};

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/l2l-idx-XXXXXX");
    if (!mkdtemp(dir))
        return 99;
    int rc = l2l_test_main("idx", tests);
    cleanup();
    return rc;
}
