/* test_meta_fixture.h: helpers shared by the meta-training and checkpoint
 * tests: load a plugin (test-only ones by path), set its options from
 * "key=value" strings, make a temporary directory, read files. */
#ifndef L2L_TEST_META_FIXTURE_H
#define L2L_TEST_META_FIXTURE_H
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "options.h"
#include "plugin_loader.h"

#define LSGD_PATH TEST_PLUGIN_DIR "/learned_sgd.so"
#define LINEAR_PATH TEST_PLUGIN_DIR "/linear.so"

struct fx_plugin {
    struct l2l_plugin p;
    const struct l2l_option *table;
    struct l2l_value *v; /* (rows of table) */
};

/* Loads name (a path when it has '/'), fills defaults, applies each
 * "key=value" of kv (NULL-terminated). Returns 0, or -1 (printed). */
static inline int fx_open(struct fx_plugin *f, enum l2l_kind kind, const char *name, const char *const *kv)
{
    char err[L2L_ERRLEN];
    memset(f, 0, sizeof *f);
    if (l2l_plugin_open(kind, name, &f->p, err, sizeof err) < 0) {
        printf("  %s\n", err);
        return -1;
    }
    f->table = l2l_plugin_options(&f->p);
    int n = l2l_options_count(f->table);
    f->v = calloc((size_t)n + 1, sizeof *f->v);
    if (!f->v || l2l_options_defaults(f->table, f->v, err, sizeof err) < 0)
        return -1;
    for (int k = 0; kv && kv[k]; k++) {
        char key[64];
        const char *eq = strchr(kv[k], '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[k]), kv[k]);
        if (l2l_options_set(f->table, f->v, key, eq + 1, err, sizeof err) < 0) {
            printf("  %s: %s\n", key, err);
            return -1;
        }
    }
    return 0;
}

static inline void fx_close(struct fx_plugin *f)
{
    if (f->v)
        l2l_values_clear(f->table, f->v);
    free(f->v);
    if (f->p.handle)
        l2l_plugin_close(&f->p);
    memset(f, 0, sizeof *f);
}

/* True when the build tree holds the named optimizer plugin. */
static inline int fx_have_optimizer(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/optimizers/.libs/%s.so", L2L_BUILD_PLUGIN_DIR, name);
    return access(path, F_OK) == 0;
}

static inline char *fx_tmpdir(void)
{
    static char dir[64];
    strcpy(dir, "/tmp/l2l-meta-test-XXXXXX");
    return mkdtemp(dir) ? dir : NULL;
}

static inline void fx_rmdir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("  could not remove %s\n", dir);
}

/* Whole file into a new buffer (caller frees); NULL when unreadable. */
static inline unsigned char *fx_slurp(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *d = malloc(cap);
    size_t got;
    while (d && (got = fread(d + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *d2 = realloc(d, cap *= 2);
            if (!d2) { free(d); d = NULL; }
            else d = d2;
        }
    }
    fclose(f);
    *len = n;
    return d;
}

static inline int fx_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return (fclose(f) == 0 && w == len) ? 0 : -1;
}

/* Message check that prints what was got when it fails. */
#define ASSERT_MSG(err, needle) do { \
        int found_ = strstr((err), (needle)) != NULL; \
        if (!found_) printf("  expected '%s' in: %s\n", (needle), (err)); \
        else printf("  refused as expected: %s\n", (err)); \
        CU_ASSERT(found_); } while (0)
#endif
