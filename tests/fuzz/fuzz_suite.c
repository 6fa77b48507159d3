/* fuzz_suite.c: libFuzzer target for the suite loader (core/suite/ini_read.c,
 * core/suite/suite.c, core/plugins/options.c and the option tables of the build's
 * plugins, found in the fuzz build's plugins/ directory).
 * Every '/' of the input becomes '_' so that no input names a path: a
 * plugin name with '/' is dlopen()ed as a file, and the fuzzer must not
 * load arbitrary shared objects. Everything else is fed as is.
 * Properties besides ASan/UBSan/LSan:
 *  - the loader returns 0 or L2L_EINPUT / L2L_ENOMEM, and a refused suite
 *    leaves the struct empty;
 *  - an accepted suite written back (l2l_suite_write, what results/NAME/
 *    suite.ini holds) loads again and is written identically, when its
 *    lines are short enough that the rewrite cannot pass inih's limit. */
#include "fuzz_common.h"
#include "log.h"
#include "suite.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    unsetenv("L2L_PLUGIN_PATH");
    l2l_set_quiet(1);
    return 0;
}

/* Longest line of data[size]. */
static size_t longest_line(const uint8_t *data, size_t size)
{
    size_t best = 0, cur = 0;
    for (size_t k = 0; k < size; k++) {
        cur = data[k] == '\n' ? 0 : cur + 1;
        if (cur > best)
            best = cur;
    }
    return best;
}

static char *write_suite(const struct suite *s, const char *name, size_t *len)
{
    const char *p = fuzz_path(name);
    FILE *f = fopen(p, "w");
    if (!f)
        abort();
    l2l_suite_write(f, s);
    if (fclose(f) != 0)
        abort();
    f = fopen(p, "rb");
    char *text = calloc(1, 1 << 16);
    if (!f || !text)
        abort();
    *len = fread(text, 1, (1 << 16) - 1, f);
    fclose(f);
    return text;
}

static int empty(const struct suite *s)
{
    static const struct suite zero;
    return memcmp(s, &zero, sizeof zero) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    for (size_t k = 0; k < size; k++)
        copy[k] = data[k] == '/' ? '_' : data[k];
    const char *path = fuzz_write("suite.ini", copy, size);
    struct suite s;
    int rc = l2l_suite_load(path, -1, &s);
    if (rc < 0) {
        if ((rc != L2L_EINPUT && rc != L2L_ENOMEM) || !empty(&s)) {
            fprintf(stderr, "fuzz_suite: l2l_suite_load returned %d%s\n", rc,
                    empty(&s) ? "" : " and left the suite non-empty");
            abort();
        }
        free(copy);
        return 0;
    }
    if (rc != 0)
        abort();
    /* The written suite: "key = value" adds up to 2 characters per line,
     * and lists are written with ", " between items. */
    if (longest_line(copy, size) <= 90) {
        size_t len1, len2;
        char *first = write_suite(&s, "again.ini", &len1);
        struct suite t;
        if (l2l_suite_load(fuzz_path("again.ini"), -1, &t) != 0) {
            fprintf(stderr, "fuzz_suite: the suite as written does not load again:\n%s\n", first);
            abort();
        }
        char *second = write_suite(&t, "again2.ini", &len2);
        if (len1 != len2 || memcmp(first, second, len1) != 0) {
            fprintf(stderr, "fuzz_suite: written twice differently:\n%s\n---\n%s\n", first, second);
            abort();
        }
        l2l_suite_free(&t);
        free(first);
        free(second);
    }
    l2l_suite_free(&s);
    free(copy);
    return 0;
}
