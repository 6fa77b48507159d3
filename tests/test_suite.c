/* test_suite.c: a suite with any mistake is refused before work starts,
 * with FILE:LINE and what was expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture.h"
#include "log.h"
#include "suite.h"
#include "test_main.h"

static const char *GOOD =
    "[suite]\nname = t\nseed = 7\n\n"
    "[optimizee q]\nplugin = quadratic\ndim = 3\nbatch = 2\n\n"
    "[optimizer sgd]\nplugin = sgd\nlr = logspace(0.001, 0.1, 3)\n\n"
    "[optimizer adam]\nplugin = adam\nlr = 0.01\n\n"
    "[experiment e]\noptimizee = q\noptimizers = sgd, adam\nsteps = 5\nruns = 2\n";

/* Writes text to a temp suite file, loads it, returns the messages. */
static char *load_text(const char *text, int *rc, struct suite *s, char *path)
{
    strcpy(path, "/tmp/l2l-test-suite-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        CU_FAIL("write");
    close(fd);
    FILE *tmp;
    int saved = capture_begin(&tmp);
    *rc = l2l_suite_load(path, -1, s);
    return capture_end(tmp, saved);
}

static void expect_error(const char *text, const char *needle)
{
    struct suite s;
    int rc;
    char path[64];
    char *msg = load_text(text, &rc, &s, path);
    CU_ASSERT_EQUAL(rc, L2L_EINPUT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    if (!strstr(msg, needle))
        printf("  expected '%s' in: %s\n", needle, msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, needle));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, path)); /* the file is named */
    if (rc == 0)
        l2l_suite_free(&s);
    free(msg);
    unlink(path);
}

static void test_good_suite(void)
{
    struct suite s;
    int rc;
    char path[64];
    char *msg = load_text(GOOD, &rc, &s, path);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(s.name, "t");
    CU_ASSERT_EQUAL(s.seed, 7);
    CU_ASSERT_EQUAL(s.n_optimizers, 2);
    CU_ASSERT_EQUAL(s.optimizers[0].n_grid, 3);
    CU_ASSERT_DOUBLE_EQUAL(s.optimizers[0].grid[1], 0.01, 1e-12);
    CU_ASSERT_EQUAL(s.optimizers[1].n_grid, 0);
    CU_ASSERT_EQUAL(s.experiments[0].n_optimizers, 2);
    CU_ASSERT_EQUAL(s.experiments[0].steps, 5);
    CU_ASSERT_EQUAL(s.experiments[0].runs, 2);
    l2l_suite_free(&s);
    free(msg);
    unlink(path);
}

static char *replace(const char *from, const char *to)
{
    static char buf[4096];
    const char *p = strstr(GOOD, from);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - GOOD), GOOD, to, p + strlen(from));
    return buf;
}

static void test_errors(void)
{
    expect_error(replace("dim = 3", "dim = three"), ":7: [optimizee q] dim: expected a whole number");
    expect_error(replace("dim = 3", "dimm = 3"), ":7: [optimizee q] unknown key 'dimm' (did you mean 'dim'?)");
    expect_error(replace("lr = 0.01", "lr = -1"), ":16: [optimizer adam] lr: expected a finite real in");
    expect_error(replace("lr = 0.01", "lr = nan"), ":16: [optimizer adam] lr: expected a finite real");
    expect_error(replace("plugin = adam", "plugin = adamw"), ":15: [optimizer adam] plugin: no optimizer plugin 'adamw'");
    expect_error(replace("optimizee = q\n", "optimizee = r\n"), "optimizee: no section [optimizee r]");
    expect_error(replace("sgd, adam", "sgd, adamx"), "optimizers: no section [optimizer adamx]");
    expect_error(replace("sgd, adam", "sgd, sgd"), "listed twice");
    expect_error(replace("steps = 5", "steps = 0"), ":21: [experiment e] steps: expected a whole number in [1,");
    expect_error(replace("[experiment e]", "[experimnt e]"), ":18: unknown section [experimnt e]");
    expect_error(replace("seed = 7", "seed = 7\nseed = 8"), ":4: [suite] seed: duplicate key (first set at line 3)");
    expect_error(replace("lr = logspace(0.001, 0.1, 3)", "lr = logspace(0.1, 0.001, 3)"), "expected logspace(LO, HI, N)");
    expect_error(replace("lr = logspace(0.001, 0.1, 3)", "lr = 0.1, , 0.2"), "[optimizer sgd] lr:");
    expect_error(replace("optimizee = q\n", ""), "missing required key 'optimizee'");
    expect_error(replace("[optimizer adam]\n", "[optimizer adam]\n[optimizer adam]\n"), "appears twice");
    expect_error(replace("plugin = sgd\n", "plugin = sgd\nnesterov = true\n"), ":10: [optimizer sgd] ");
    expect_error("[suite]\nname = t\n", "no [experiment NAME] section");
    expect_error("", "no [experiment NAME] section");
    expect_error("[suite\nname = t\n", ":1: '[suite': expected a section header");
    expect_error("x = 1\n[experiment e]\n", ":1: key 'x' outside any section");
}


/* Loads text that must be accepted; returns the suite (caller frees). */
static int expect_good(const char *text, struct suite *s)
{
    int rc;
    char path[64];
    char *msg = load_text(text, &rc, s, path);
    if (rc != 0)
        printf("  refused: %s\n", msg ? msg : "");
    CU_ASSERT_EQUAL(rc, 0);
    free(msg);
    unlink(path);
    return rc;
}

/* The line reader and inih read one file the same way: whatever they
 * could read differently is refused, at its line (issue 16, class 5). */
static void test_section_spellings(void)
{
    expect_error(replace("[suite]", "[suite ]"), ":1: section header '[suite ]': a space before ']'");
    expect_error(replace("[suite]", "[ suite]"), ":1: section header '[ suite]': a space after '['");
    expect_error(replace("[optimizer sgd]", "[optimizer  sgd]"), ":10: section header '[optimizer  sgd]': more than one space");
    expect_error(replace("[optimizer sgd]", "[optimizer\tsgd]"), ":10: section header '[optimizer\tsgd]': a tab after");
    expect_error(replace("[optimizer sgd]", "[optimizer sgd ]"), ":10: section header '[optimizer sgd ]': a space before ']'");
    expect_error(replace("[optimizer sgd]", "[optimizer s gd]"), "a space inside the name");
    expect_error(replace("[optimizer sgd]", "[Optimizer sgd]"), "a section kind that is not lowercase letters");
    expect_error(replace("[optimizer sgd]", "[optimizer sgd] x"), ":10: section header '[optimizer sgd] x': text after ']'");
    expect_error(replace("[optimizer sgd]", "[optimizer ..]"), "got '..': starts with '.'"); /* names.c */
    expect_error(replace("[optimizer sgd]", "[]"), "an empty section name");
    expect_error(replace("[optimizer sgd]", "[optimizer sgd"), ":10: '[optimizer sgd': expected a section header");
    expect_error(replace("[optimizer sgd]", "[optimizer abcdefghijabcdefghijabcdefghijabcdefghij]"), "longer than 49 characters");
    expect_error(replace("[optimizer adam]\n", "[optimizer adam]\n[optimizer adam]\n"),
                 ":15: section [optimizer adam] appears twice (first at line 14)");
    /* inih would read an indented line as more of the previous value */
    expect_error(replace("lr = 0.01", "  lr = 0.01"), ":16: indented line 'lr = 0.01'");
    expect_error(replace("[experiment e]", "  [experiment e]"), ":18: indented line '[experiment e]'");
    expect_error(replace("seed = 7", "seed: 7"), ":3: 'seed: 7': expected KEY = VALUE ('=', not ':')");
    expect_error(replace("seed = 7", "= 7"), ":3: '= 7': expected KEY = VALUE, found no key");
    expect_error(replace("seed = 7", "seed ;= 7"), "(a ';' comment starts before any '=')");
    expect_error(replace("seed = 7", "seed = 7\rruns = 3"), ":3: a carriage return inside the line");
    expect_error(replace("seed = 7", "seed = \0337"), ":3: control byte 0x1B");
    expect_error(replace("seed = 7", "seed = 7\xff"), ":3: byte 9 is not valid UTF-8");
    expect_error(replace("seed = 7", "seed = 7\xc0\xaf"), ":3: byte 9 is not valid UTF-8"); /* overlong '/' */
    expect_error(replace("[suite]", "\xEF\xBB\xBF\xEF\xBB\xBF[suite]"), ":1: "); /* a BOM twice */

    /* Accepted: comments after a header, tabs around keys and values, a
     * BOM at the start, CR LF line ends, UTF-8 text in values. */
    struct suite s;
    if (expect_good(replace("[optimizer sgd]", "[optimizer sgd] ; the baseline"), &s) == 0)
        l2l_suite_free(&s);
    if (expect_good(replace("seed = 7", "seed\t=\t7\t"), &s) == 0) {
        CU_ASSERT_EQUAL(s.seed, 7);
        l2l_suite_free(&s);
    }
    if (expect_good(replace("[suite]", "\xEF\xBB\xBF[suite]"), &s) == 0) {
        CU_ASSERT_EQUAL(s.seed, 7); /* the [suite] section was read, not skipped */
        l2l_suite_free(&s);
    }
    char crlf[4096], *o = crlf;
    for (const char *p = GOOD; *p; p++) {
        if (*p == '\n')
            *o++ = '\r';
        *o++ = *p;
    }
    *o = 0;
    if (expect_good(crlf, &s) == 0) {
        CU_ASSERT_EQUAL(s.seed, 7);
        CU_ASSERT_EQUAL(s.optimizers[0].n_grid, 3);
        l2l_suite_free(&s);
    }
    if (expect_good(replace("name = t", "name = t\ndescription = φ learned, 5 µs"), &s) == 0) {
        CU_ASSERT_STRING_EQUAL(s.description, "φ learned, 5 µs");
        l2l_suite_free(&s);
    }
}

/* Every number is exactly what its type says, or refused (class 5). */
static void test_strict_numbers(void)
{
    static const char *const bad_ints[] = {"1e3", "3.0", "0x10", "+5", "5x", "3junk", "nan", "inf",
                                           "99999999999999999999", "-", "", "5 5", "٣"};
    for (size_t k = 0; k < sizeof bad_ints / sizeof *bad_ints; k++) {
        char to[64], want[128];
        snprintf(to, sizeof to, "steps = %s", bad_ints[k]);
        snprintf(want, sizeof want, ":21: [experiment e] steps: expected a whole number in [1, 10000000], got '%s'",
                 bad_ints[k]);
        expect_error(replace("steps = 5", to), want);
    }
    static const char *const bad_reals[] = {"0x10", "0x1p-3", "3junk", "nan", "-nan", "inf", "infinity",
                                            "1e999", "1e-400", "1e", "1e+", ".", "-", "1..2", "1,", "0.1 x"};
    for (size_t k = 0; k < sizeof bad_reals / sizeof *bad_reals; k++) {
        char to[64], want[128];
        snprintf(to, sizeof to, "lr = %s", bad_reals[k]);
        snprintf(want, sizeof want, ":16: [optimizer adam] lr: expected ");
        expect_error(replace("lr = 0.01", to), want);
    }
    static const char *const bad_grids[] = {
        "logspace(0.1, 1, 3junk", "logspace(0.1,1,3)x", "logspace(0.1, 1, 3", "logspace(0.1, 1, 3.0)",
        "logspace(0x1, 2, 3)", "logspacex(0.1, 1, 3)", "logspace(0.1, 1, 3) )", "logspace(0.1, 1, 3, 4)",
        "logspace(0.1, 1, )", "logspace(0.1 1 3)", "logspace(nan, 1, 3)", "logspace(0.1, 1e999, 3)",
        "0.1, 3junk", "0.1,", ",0.1", "0.1,,0.2", "0.1, nan", "0.1, 0x2"};
    for (size_t k = 0; k < sizeof bad_grids / sizeof *bad_grids; k++) {
        char to[64];
        snprintf(to, sizeof to, "lr = %s", bad_grids[k]);
        expect_error(replace("lr = logspace(0.001, 0.1, 3)", to), ":12: [optimizer sgd] lr: ");
    }
    /* Accepted spellings: the same grid with other spaces, reals in every form. */
    struct suite s;
    if (expect_good(replace("lr = logspace(0.001, 0.1, 3)", "lr = logspace ( 1e-3 ,0.1,3 )"), &s) == 0) {
        CU_ASSERT_EQUAL(s.optimizers[0].n_grid, 3);
        CU_ASSERT_DOUBLE_EQUAL(s.optimizers[0].grid[1], 0.01, 1e-12);
        l2l_suite_free(&s);
    }
    if (expect_good(replace("lr = 0.01", "lr = .5"), &s) == 0)
        l2l_suite_free(&s);
    if (expect_good(replace("lr = 0.01", "lr = 5."), &s) == 0)
        l2l_suite_free(&s);
    if (expect_good(replace("lr = 0.01", "lr = 1E-2"), &s) == 0)
        l2l_suite_free(&s);
    if (expect_good(replace("lr = 0.01", "lr = 0e-999"), &s) == 0)
        l2l_suite_free(&s);
    if (expect_good(replace("seed = 7", "seed = 007"), &s) == 0) {
        CU_ASSERT_EQUAL(s.seed, 7);
        l2l_suite_free(&s);
    }
}

/* Many keys and sections: every one is read and checked (the reader is
 * linear; the time is measured in the commit, not tested). 10,000
 * sections, 1,000 under L2L_TEST_SMALL (valgrind). */
static void test_many_keys(void)
{
    const char *small = getenv("L2L_TEST_SMALL");
    int many = small && !strcmp(small, "1") ? 1000 : 10000;
    size_t cap = 4u << 20, n = 0;
    char *text = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    n += (size_t)snprintf(text + n, cap - n, "[optimizee q]\nplugin = quadratic\ndim = 3\nbatch = 2\n");
    for (int k = 0; k < many; k++)
        n += (size_t)snprintf(text + n, cap - n, "[optimizer s%d]\nplugin = sgd\nlr = 0.01\nmomentum = 0.5\nnesterov = false\n", k);
    n += (size_t)snprintf(text + n, cap - n, "[experiment e]\noptimizee = q\noptimizers = s0, s%d\nsteps = 5\n", many - 1);
    struct suite s;
    if (expect_good(text, &s) == 0) {
        CU_ASSERT_EQUAL(s.n_optimizers, many);
        CU_ASSERT_EQUAL(s.experiments[0].optimizers[1], many - 1);
        l2l_suite_free(&s);
    }
    /* one duplicate key deep inside: found, at its line (4 + 5 many + 4
     * lines before its section) */
    n += (size_t)snprintf(text + n, cap - n, "[optimizer t]\nplugin = sgd\nlr = 0.1\nlr = 0.2\n");
    char want[128];
    snprintf(want, sizeof want, ":%d: [optimizer t] lr: duplicate key (first set at line %d)", 5 * many + 12, 5 * many + 11);
    expect_error(text, want);
    free(text);
}

static void test_binary_and_long_lines(void)
{
    char longline[600];
    memset(longline, 'a', sizeof longline);
    memcpy(longline, "[suite]\nname = ", 15);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = 0;
    expect_error(longline, ":2: line longer than");
    char bin[64] = "[suite]\nna\0me = x\n";
    struct suite s;
    char path[64] = "/tmp/l2l-test-suite-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_EQUAL((long)write(fd, bin, 20), 20);
    close(fd);
    FILE *tmp;
    int saved = capture_begin(&tmp);
    int rc = l2l_suite_load(path, -1, &s);
    char *msg = capture_end(tmp, saved);
    CU_ASSERT_EQUAL(rc, L2L_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, ":2: a NUL byte"));
    free(msg);
    unlink(path);
}

static void test_missing_file(void)
{
    struct suite s;
    FILE *tmp;
    int saved = capture_begin(&tmp);
    int rc = l2l_suite_load("/nonexistent/suite.ini", -1, &s);
    char *msg = capture_end(tmp, saved);
    CU_ASSERT(rc < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "/nonexistent/suite.ini: cannot open"));
    free(msg);
}

int main(void)
{
    static const struct l2l_test tests[] = {
        {"a good suite loads with every value", test_good_suite},
        {"every mistake names FILE:LINE", test_errors},
        {"binary garbage and over-long lines", test_binary_and_long_lines},
        {"section headers: one spelling, read alike by the scan and inih", test_section_spellings},
        {"numbers: exactly what their type says", test_strict_numbers},
        {"10,000 sections, 50,000 keys", test_many_keys},
        {"a missing suite file", test_missing_file},
        {NULL, NULL},
    };
    return l2l_test_main("suite", tests);
}
