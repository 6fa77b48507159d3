/* test_main.h: the shared main() of the CUnit test programs. Each test
 * file defines `tests[]` (ending with {NULL, NULL}) and includes this
 * header once. L2L_TEST_ONLY=TEXT runs only the tests whose name contains
 * TEXT (to rerun one failing test, or to split a long program). */
#ifndef L2L_TEST_MAIN_H
#define L2L_TEST_MAIN_H
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct l2l_test { const char *name; void (*fn)(void); };

static int l2l_test_main(const char *suite_name, const struct l2l_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    CU_pSuite s = CU_add_suite(suite_name, NULL, NULL);
    const char *only = getenv("L2L_TEST_ONLY");
    for (const struct l2l_test *t = tests; s && t->name; t++)
        if (!only || strstr(t->name, only))
            CU_add_test(s, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    /* A program that ran nothing has proved nothing. */
    return (failed || run == 0) ? 1 : 0;
}

/* Prints and checks the largest absolute difference between two arrays,
 * llm.c style: "name: maxdiff 1.2e-07 (tolerance 1e-05)". */
static inline double l2l_maxdiff(const char *what, const float *a, const float *b,
                                 size_t n, double tol)
{
    double m = 0;
    for (size_t k = 0; k < n; k++) {
        double d = (double)a[k] - (double)b[k];
        if (d < 0) d = -d;
        if (!(d <= m)) m = d; /* NaN propagates */
    }
    printf("  %s: maxdiff %.3g (tolerance %.3g)\n", what, m, tol);
    return m;
}
#endif
