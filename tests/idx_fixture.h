/* idx_fixture.h: the tiny IDX data set that the tests of an image
 * optimizee (test_mlp.c, test_conv.c) write into a temporary folder, the
 * plugin opened once, and a family opened on that data. Included once by
 * each test, after it defines:
 *   NTR, NTE, SIDE, CLASSES       training and test images, side, classes
 *   IDX_FIXTURE_TEST_LABEL(k)     the label of test image k
 *   IDX_FIXTURE_OPTIONS           the options after the data's paths
 *   IDX_FIXTURE_PLUGIN            the optimizee's name ("mlp")
 * Static definitions: one copy per test program, nothing shared at link. */
#ifndef L2L_TEST_IDX_FIXTURE_H
#define L2L_TEST_IDX_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "idx.h"
#include "options.h"
#include "plugin_loader.h"
#include "test_main.h"

#define DIM (SIDE * SIDE)

static char dir[64];
static uint8_t trx[NTR * DIM], try_[NTR], tex[NTE * DIM], tey[NTE];
static struct l2l_plugin plug;
static const struct l2l_optimizee_ops *ops;

/* dir/name; eight calls may be in use at once. */
static const char *tmp(const char *name)
{
    static char path[8][256];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

/* Random pixels, labels k % CLASSES for training; the test files gzipped. */
static void make_data(void)
{
    struct l2l_rng r;
    l2l_rng_seed(&r, 7);
    for (int k = 0; k < NTR * DIM; k++)
        trx[k] = (uint8_t)l2l_rng_below(&r, 256);
    for (int k = 0; k < NTE * DIM; k++)
        tex[k] = (uint8_t)l2l_rng_below(&r, 256);
    for (int k = 0; k < NTR; k++)
        try_[k] = (uint8_t)(k % CLASSES);
    for (int k = 0; k < NTE; k++)
        tey[k] = (uint8_t)IDX_FIXTURE_TEST_LABEL(k);
    char err[256];
    uint32_t trd[3] = { NTR, SIDE, SIDE }, ted[3] = { NTE, SIDE, SIDE }, trl = NTR, tel = NTE;
    int rc = idx_write(tmp("tr-img"), 3, trd, trx, 0, err, sizeof err)
           | idx_write(tmp("tr-lab"), 1, &trl, try_, 0, err, sizeof err)
           | idx_write(tmp("te-img.gz"), 3, ted, tex, 1, err, sizeof err)
           | idx_write(tmp("te-lab.gz"), 1, &tel, tey, 1, err, sizeof err);
    if (rc)
        printf("  %s\n", err);
}

/* Options: the defaults with the test's data and IDX_FIXTURE_OPTIONS,
 * then `extra` ("k=v;k=v"). */
static void *open_family(const char *extra, struct l2l_value *v, char *err, size_t errlen)
{
    const struct l2l_option *t = ops->options;
    CU_ASSERT_FATAL(l2l_options_defaults(t, v, err, errlen) == 0);
    char buf[1024];
    snprintf(buf, sizeof buf, "train_images=%s;train_labels=%s;test_images=%s;test_labels=%s;%s;%s",
             tmp("tr-img"), tmp("tr-lab"), tmp("te-img"), tmp("te-lab"), IDX_FIXTURE_OPTIONS, extra);
    for (char *save, *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        *eq = 0;
        if (l2l_options_set(t, v, kv, eq + 1, err, errlen) < 0) {
            printf("  option %s: %s\n", kv, err);
            CU_FAIL_FATAL("bad option in the test");
        }
    }
    void *fam = ops->open(v, err, errlen);
    if (!fam)
        l2l_values_clear(t, v);
    return fam;
}

static void close_family(void *fam, struct l2l_value *v)
{
    ops->close(fam);
    l2l_values_clear(ops->options, v);
}

/* The test program: the data in a new temporary folder, the plugin, the
 * tests, then the folder removed. */
static int idx_fixture_main(const struct l2l_test *tests)
{
    snprintf(dir, sizeof dir, "/tmp/l2l-" IDX_FIXTURE_PLUGIN "-XXXXXX");
    if (!mkdtemp(dir))
        return 99;
    make_data();
    char err[256];
    if (l2l_plugin_open(L2L_OPTIMIZEE, IDX_FIXTURE_PLUGIN, &plug, err, sizeof err) < 0) {
        fprintf(stderr, "test_" IDX_FIXTURE_PLUGIN ": %s\n", err);
        return 1;
    }
    ops = plug.u.obj;
    int rc = l2l_test_main(IDX_FIXTURE_PLUGIN, tests);
    l2l_plugin_close(&plug);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return rc;
}
#endif
