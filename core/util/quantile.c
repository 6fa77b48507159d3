/* quantile.c: quantiles by linear interpolation (quantile.h). */
#include <math.h>
#include "quantile.h"

double l2l_quantile(const double *x, long n, double q)
{
    if (n <= 0)
        return NAN;
    double pos = q * (double)(n - 1);
    long lo = (long)floor(pos);
    if (lo >= n - 1)
        return x[n - 1];
    double frac = pos - (double)lo;
    if (frac == 0)
        return x[lo];
    if (isinf(x[lo + 1]))
        return x[lo + 1];
    return x[lo] + frac * (x[lo + 1] - x[lo]);
}
