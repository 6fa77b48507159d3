/* stats_budget.c: the expected best final loss when only k values of a
 * tuning grid of N are tried, chosen at random without replacement: the
 * fairness question hand-tuned baselines raise. Exact, over all subsets. */
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "stats.h"

/* Sorted L_(1) <= ... <= L_(N) (+inf last), the best of a k-subset is
 * L_(i) with probability C(N-i, k-1) / C(N, k): i is chosen and the other
 * k-1 come from the N-i above it. Binomials in log space (N up to a few
 * hundred); terms of probability zero are skipped, so +inf enters E_k
 * only when a subset of k can be all diverged. */
int st_expected_best(const double *L, int N, double *E)
{
    double *x = malloc(sizeof *x * (size_t)(N > 0 ? N : 1));
    if (!x)
        return L2L_ENOMEM;
    memcpy(x, L, sizeof *x * (size_t)N);
    gsl_sort(x, 1, (size_t)N);
    for (int k = 1; k <= N; k++) {
        double e = 0, lnk = gsl_sf_lnchoose((unsigned)N, (unsigned)k);
        for (int i = 1; i <= N - k + 1; i++) {
            double p = exp(gsl_sf_lnchoose((unsigned)(N - i), (unsigned)(k - 1)) - lnk);
            e += isinf(x[i - 1]) ? x[i - 1] : p * x[i - 1];
        }
        E[k - 1] = e;
    }
    free(x);
    return 0;
}
