/* numbers.c: strict number parsing (numbers.h). The grammar is checked by
 * hand first, so strtod/strtoll only ever see text they read whole. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "numbers.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int l2l_parse_int(const char *text, long long lo, long long hi, long long *out)
{
    const char *p = text + (text[0] == '-');
    if (!*p)
        return -1;
    for (; *p; p++)
        if (!is_digit(*p))
            return -1;
    errno = 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (errno == ERANGE || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int l2l_real_span(const char *text)
{
    const char *p = text;
    if (*p == '-' || *p == '+')
        p++;
    int digits = 0;
    while (is_digit(*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (is_digit(*p)) {
            p++;
            digits++;
        }
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        if (*q == '-' || *q == '+')
            q++;
        if (is_digit(*q)) {
            while (is_digit(*q))
                q++;
            p = q;
        }
    }
    return (int)(p - text);
}

int l2l_parse_real(const char *text, double *out)
{
    int n = l2l_real_span(text);
    if (n == 0 || text[n])
        return -1;
    char *end;
    double x = strtod(text, &end);
    if (*end || !isfinite(x)) /* overflow gives inf */
        return -1;
    /* Underflow to zero ("1e-999") is refused; "0e-999" is zero. Subnormals
     * are kept (strtod's ERANGE for them is no reason to refuse). */
    if (x == 0)
        for (const char *p = text; p < text + n && *p != 'e' && *p != 'E'; p++)
            if (*p >= '1' && *p <= '9')
                return -1;
    *out = x;
    return 0;
}
