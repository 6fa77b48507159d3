/* stats_paired.c: one optimizer against a reference on the same problems,
 * run by run: the geometric-mean ratio of losses with a percentile
 * bootstrap interval, the win rate with a Wilson interval, and the
 * Wilcoxon signed-rank test.
 *
 * Percentile rather than BCa (Efron 1987): with the 5 to 20 runs of our
 * suites the jackknife acceleration and the bias correction are estimated
 * from so few values that BCa's endpoints move more than they correct;
 * the statistic, a mean of logs, is close to symmetric, where the
 * percentile interval is already good (Efron and Tibshirani 1993, 13.3). */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "quantile.h"
#include "stats.h"

int st_bootstrap_mean(const double *x, long n, long B, double level, struct l2l_rng *rng,
                      double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n <= 0 || B <= 0)
        return 0;
    double *means = malloc(sizeof *means * (size_t)B);
    if (!means)
        return L2L_ENOMEM;
    for (long b = 0; b < B; b++) {
        double sum = 0;
        for (long k = 0; k < n; k++)
            sum += x[l2l_rng_below(rng, (uint64_t)n)];
        means[b] = sum / (double)n;
    }
    gsl_sort(means, 1, (size_t)B);
    *lo = l2l_quantile(means, B, (1 - level) / 2);
    *hi = l2l_quantile(means, B, (1 + level) / 2);
    free(means);
    return 0;
}

/* Wilson (1927); Newcombe (1998), method 3:
 * (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n). */
void st_wilson(double wins, long n, double z, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    double nn = (double)n, p = wins / nn, z2 = z * z;
    double centre = p + z2 / (2 * nn), half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    double den = 1 + z2 / nn;
    *lo = fmax(0, (centre - half) / den);
    *hi = fmin(1, (centre + half) / den);
}

static int cmp_abs(const void *a, const void *b)
{
    double x = fabs(*(const double *)a), y = fabs(*(const double *)b);
    return (x > y) - (x < y);
}

/* P(W+ <= w) and P(W+ >= w) under the null without ties: the number of
 * subsets of {1..n} with each rank sum, counted by dynamic programming
 * (exact in doubles: at most 2^50 < 2^53). */
static double exact_p(long n, double w)
{
    long max = n * (n + 1) / 2;
    double *c = calloc((size_t)max + 1, sizeof *c);
    if (!c)
        return NAN;
    c[0] = 1;
    for (long r = 1; r <= n; r++)
        for (long s = r * (r + 1) / 2; s >= r; s--)
            c[s] += c[s - r];
    double below = 0, above = 0, total = ldexp(1, (int)n);
    for (long s = 0; s <= max; s++) {
        if ((double)s <= w)
            below += c[s];
        if ((double)s >= w)
            above += c[s];
    }
    free(c);
    return fmin(1, 2 * fmin(below, above) / total);
}

double st_wilcoxon(const double *d, long n, double *wplus, int *exact)
{
    *wplus = 0;
    *exact = 1;
    double *a = malloc(sizeof *a * (size_t)(n > 0 ? n : 1));
    if (!a)
        return NAN;
    long m = 0;
    for (long k = 0; k < n; k++)
        if (d[k] != 0)
            a[m++] = d[k];
    if (m == 0) {
        free(a);
        return 1;
    }
    qsort(a, (size_t)m, sizeof *a, cmp_abs);
    /* Average ranks over runs of equal |d|; Σ(t³ - t) for the variance. */
    double ties = 0, w = 0;
    for (long i = 0; i < m; ) {
        long j = i;
        while (j + 1 < m && fabs(a[j + 1]) == fabs(a[i]))
            j++;
        double t = (double)(j - i + 1), rank = (double)(i + j + 2) / 2;
        ties += t * t * t - t;
        for (long k = i; k <= j; k++)
            if (a[k] > 0)
                w += rank;
        i = j + 1;
    }
    free(a);
    *wplus = w;
    if (m <= ST_EXACT_MAX && ties == 0)
        return exact_p(m, w);
    *exact = 0;
    double mm = (double)m;
    double mean = mm * (mm + 1) / 4;
    double var = mm * (mm + 1) * (2 * mm + 1) / 24 - ties / 48;
    double z = fabs(w - mean) / sqrt(var);
    return fmin(1, 2 * gsl_cdf_ugaussian_Q(z));
}

int st_paired(const double *f, const double *f_ref, long n, long B, struct l2l_rng *rng,
              struct st_paired *out)
{
    memset(out, 0, sizeof *out);
    double *d = malloc(sizeof *d * (size_t)(n > 0 ? n : 1));
    double *logs = malloc(sizeof *logs * (size_t)(n > 0 ? n : 1));
    if (!d || !logs) {
        free(d);
        free(logs);
        return L2L_ENOMEM;
    }
    long m = 0, nl = 0;
    for (long r = 0; r < n; r++) {
        double a = f[r], b = f_ref[r];
        if (isnan(a) || isnan(b))
            continue;
        if (isinf(a) && isinf(b) && a > 0 && b > 0) {
            out->both_diverged++;
            continue;
        }
        /* d = log f - log f_ref; a diverged side, or a loss <= 0 where the
         * log is undefined, keeps only its sign: it decides the win and
         * ranks beyond every finite difference, outside the ratio. */
        double x;
        if (a == b)
            x = 0;
        else if (isfinite(a) && isfinite(b) && a > 0 && b > 0)
            x = log(a) - log(b);
        else
            x = a < b ? -INFINITY : INFINITY;
        if (isfinite(x))
            logs[nl++] = x;
        else
            out->left_out++;
        d[m++] = x;
        out->wins += x < 0 ? 1 : x == 0 ? 0.5 : 0;
    }
    out->runs = m;
    int rc = 0;
    double mean = 0;
    for (long k = 0; k < nl; k++)
        mean += logs[k];
    out->ratio = nl ? exp(mean / (double)nl) : NAN;
    if ((rc = st_bootstrap_mean(logs, nl, B, 0.95, rng, &out->ratio_lo, &out->ratio_hi)) == 0) {
        out->ratio_lo = exp(out->ratio_lo);
        out->ratio_hi = exp(out->ratio_hi);
        out->win_rate = m ? out->wins / (double)m : NAN;
        st_wilson(out->wins, m, gsl_cdf_ugaussian_Pinv(0.975), &out->win_lo, &out->win_hi);
        out->p_value = st_wilcoxon(d, m, &out->w_plus, &out->exact);
        if (isnan(out->p_value) && m > 0)
            rc = L2L_ENOMEM;
    }
    free(d);
    free(logs);
    return rc;
}
