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
    expect_error("[suite\nname = t\n", ":1: syntax error");
    expect_error("x = 1\n[experiment e]\n", ":1: key 'x' outside any section");
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
        {"a missing suite file", test_missing_file},
        {NULL, NULL},
    };
    return l2l_test_main("suite", tests);
}
