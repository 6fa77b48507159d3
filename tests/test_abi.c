/* test_abi.c: the plugin loader refuses what is not a good plugin, before
 * calling any hook, with one line naming the file and the fault: a wrong
 * abi_version, a NULL required hook, a shared object without the vtable
 * symbol, a file that is not a shared object, a missing file, an unknown
 * name, the wrong kind. And the real optimizers load and are listed.
 * The broken plugins are built for the tests only (tests/plugins/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_main.h"
#include "plugin_loader.h"

#ifndef TEST_PLUGIN_DIR
#error "TEST_PLUGIN_DIR must name the directory of the test plugins (see hand.mk)"
#endif

/* Opens path, expects a refusal whose message holds every string of want[]. */
static void expect_refused(const char *path, const char *const *want)
{
    struct l2l_plugin p;
    char err[L2L_ERRLEN] = "";
    int rc = l2l_plugin_open_file(path, &p, err, sizeof err);
    printf("  %s\n", err);
    CU_ASSERT(rc < 0);
    CU_ASSERT(p.handle == NULL && p.path == NULL);
    for (; *want; want++) {
        if (!strstr(err, *want))
            printf("  missing '%s'\n", *want);
        CU_ASSERT(strstr(err, *want) != NULL);
    }
    if (rc == 0)
        l2l_plugin_close(&p);
}

static void test_bad_abi(void)
{
    const char *path = TEST_PLUGIN_DIR "/broken_abi.so";
    char want[64];
    snprintf(want, sizeof want, "bad plugin ABI version %d (want %d)", 1,
             L2L_ABI_VERSION);
    expect_refused(path, (const char *[]){path, want, NULL});
}

static void test_missing_hook(void)
{
    const char *path = TEST_PLUGIN_DIR "/broken_nostep.so";
    expect_refused(path, (const char *[]){path, "no step", NULL});
}

static void test_no_symbol(void)
{
    const char *path = TEST_PLUGIN_DIR "/broken_nosym.so";
    expect_refused(path, (const char *[]){path, "exports neither 'l2l_optimizer' nor 'l2l_optimizee'", NULL});
}

/* Garbage in a file named .so: dlopen fails and its dlerror text (which
 * names the file) is passed on. */
static void test_not_shared_object(void)
{
    char dir[] = "/tmp/l2l-test-abi-XXXXXX", path[64];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/junk.so", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("this is not an ELF shared object\n", f);
    fclose(f);
    expect_refused(path, (const char *[]){"cannot load plugin: ", path, "expected a shared object", NULL});
    unlink(path);
    rmdir(dir);
}

static void test_missing_file(void)
{
    const char *path = TEST_PLUGIN_DIR "/no_such_plugin.so";
    expect_refused(path, (const char *[]){"cannot load plugin: ", path, "No such file", NULL});

    struct l2l_plugin p;
    char err[L2L_ERRLEN] = "";
    CU_ASSERT(l2l_plugin_open(L2L_OPTIMIZER, "no_such_optimizer", &p, err, sizeof err) < 0);
    printf("  %s\n", err);
    CU_ASSERT(strstr(err, "no optimizer plugin 'no_such_optimizer' on the search path") != NULL);
}

/* The right file asked for as the wrong kind. */
static void test_wrong_kind(void)
{
    struct l2l_plugin p;
    char err[L2L_ERRLEN] = "";
    CU_ASSERT_FATAL(l2l_plugin_open(L2L_OPTIMIZER, "sgd", &p, err, sizeof err) == 0);
    char path[4096];
    snprintf(path, sizeof path, "%s", p.path);
    l2l_plugin_close(&p);
    CU_ASSERT(l2l_plugin_open(L2L_OPTIMIZEE, path, &p, err, sizeof err) < 0);
    printf("  %s\n", err);
    CU_ASSERT(strstr(err, "is an optimizer plugin, expected an optimizee") != NULL);
}

static void test_good_plugins(void)
{
    struct l2l_plugin p;
    char err[L2L_ERRLEN] = "";
    int rc = l2l_plugin_open(L2L_OPTIMIZER, "sgd", &p, err, sizeof err);
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT(p.kind == L2L_OPTIMIZER);
    CU_ASSERT(strcmp(l2l_plugin_name(&p), "sgd") == 0);
    CU_ASSERT(p.u.opt->abi_version == L2L_ABI_VERSION);
    l2l_plugin_close(&p);

    FILE *f = tmpfile();
    CU_ASSERT_FATAL(f != NULL);
    l2l_plugin_list(f);
    long len = ftell(f);
    char *text = calloc(1, (size_t)len + 1);
    CU_ASSERT_FATAL(len > 0 && text != NULL);
    rewind(f);
    CU_ASSERT(fread(text, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    const char *names[] = {"  sgd ", "  nag ", "  rmsprop ", "  adam "};
    for (int k = 0; k < 4; k++) {
        /* listed as loadable: a broken one would read "(broken: ...)" */
        const char *line = strstr(text, names[k]);
        CU_ASSERT(line != NULL);
        if (line) {
            const char *end = strchr(line, '\n'), *broken = strstr(line, "(broken");
            CU_ASSERT(!broken || (end && broken > end));
        } else {
            printf("  `l2l list` lacks%s:\n%s", names[k], text);
        }
    }
    free(text);
}

static const struct l2l_test tests[] = {
    {"wrong abi_version refused", test_bad_abi},
    {"NULL required hook refused", test_missing_hook},
    {"no vtable symbol refused", test_no_symbol},
    {"not a shared object refused", test_not_shared_object},
    {"missing file, unknown name", test_missing_file},
    {"wrong kind refused", test_wrong_kind},
    {"sgd loads, list shows the four", test_good_plugins},
    {NULL, NULL}};

int main(void)
{
    return l2l_test_main("abi", tests);
}
