/* suite_grid.c: the grid of a tuned option, "logspace(LO, HI, N)" or
 * "a, b, c" (suite_load.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "numbers.h"
#include "options.h"
#include "suite_load.h"

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* "logspace(LO, HI, N)", read to its closing parenthesis and no further:
 * LO and HI decimal reals, N digits, spaces allowed around each. */
static int parse_logspace(const char *text, double *lo, double *hi, long long *count)
{
    char num[64];
    const char *p = skip_spaces(text + 8);
    if (*p++ != '(')
        return -1;
    double *ends[2] = {lo, hi};
    for (int k = 0; k < 3; k++) {
        p = skip_spaces(p);
        size_t n = k < 2 ? (size_t)l2l_real_span(p) : strspn(p, "0123456789");
        if (n == 0 || n >= sizeof num)
            return -1;
        memcpy(num, p, n);
        num[n] = 0;
        if (k < 2 ? l2l_parse_real(num, ends[k]) : l2l_parse_int(num, 0, 1000000, count))
            return -1;
        p = skip_spaces(p + n);
        if (*p++ != (k < 2 ? ',' : ')'))
            return -1;
    }
    return *skip_spaces(p) ? -1 : 0;
}

/* Parses "logspace(LO, HI, N)" or "a, b, c" into a grid; 0 when text is a
 * single value (not a grid), 1 for a grid, -1 for a malformed one. */
int suite_parse_grid(const char *text, double *grid, int *n, char *err, size_t errlen)
{
    double lo, hi;
    long long count;
    if (!strncmp(text, "logspace", 8)) {
        if (parse_logspace(text, &lo, &hi, &count) < 0 || !(lo > 0) || !(hi > lo) || !isfinite(hi) ||
            count < 2 || count > L2L_MAX_GRID) {
            l2l_fmt(err, errlen, "expected logspace(LO, HI, N) with 0 < LO < HI (decimal reals), "
                    "a whole 2 <= N <= %d and nothing after ')', got '%s'", L2L_MAX_GRID, text);
            return -1;
        }
        for (int k = 0; k < count; k++)
            grid[k] = lo * pow(hi / lo, (double)k / (double)(count - 1));
        *n = (int)count;
        return 1;
    }
    if (!strchr(text, ','))
        return 0;
    struct l2l_option row = {"grid", L2L_OPT_LIST, NULL, -INFINITY, INFINITY, NULL, NULL};
    struct l2l_value v = {0};
    if (l2l_option_parse(&row, text, &v, err, errlen) < 0)
        return -1;
    free((char *)v.s);
    if (v.n > L2L_MAX_GRID) {
        l2l_fmt(err, errlen, "at most %d grid values", L2L_MAX_GRID);
        return -1;
    }
    memcpy(grid, v.list, sizeof(double) * (size_t)v.n);
    *n = v.n;
    return 1;
}
