/* quantile.h: the quantiles of results (summary.csv) and of figures and
 * statistics (l2l plot, l2l compare), one definition for both. */
#ifndef L2L_QUANTILE_H
#define L2L_QUANTILE_H

/* Quantile q in [0,1] of sorted x[n], linear interpolation (numpy's
 * default); towards +inf it gives +inf, for n = 0 NAN. */
double l2l_quantile(const double *sorted, long n, double q);
#endif
