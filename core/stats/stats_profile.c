/* stats_profile.c: time to target and performance profiles (Dolan and
 * Moré 2002, as AlgoPerf scores them: Dahl et al. 2023, section 4.2). */
#include <math.h>
#include "stats.h"

long st_time_to_target(const double *curve, long steps, double target)
{
    for (long t = 0; t <= steps; t++)
        if (curve[t] <= target)
            return t;
    return -1;
}

/* r_{p,s} = t_{p,s} / min_s t_{p,s}. A target reached at step 0 (the
 * start is already below it) counts as one step, so ratios stay finite. */
void st_profile_ratios(const double *t, int P, int S, double *ratio)
{
    for (int p = 0; p < P; p++) {
        double best = INFINITY;
        for (int s = 0; s < S; s++)
            if (t[p * S + s] >= 0)
                best = fmin(best, fmax(t[p * S + s], 1));
        for (int s = 0; s < S; s++) {
            double ts = t[p * S + s];
            ratio[p * S + s] = isinf(best) ? NAN : ts < 0 ? INFINITY : fmax(ts, 1) / best;
        }
    }
}

/* ρ_s(τ) = |{p : r_{p,s} <= τ}| / |P|; a problem nobody solved counts
 * against everyone. */
double st_profile_at(const double *ratio, int P, int S, int s, double tau)
{
    int n = 0;
    for (int p = 0; p < P; p++)
        n += ratio[p * S + s] <= tau;
    return P ? (double)n / P : NAN;
}

/* ρ_s is a sum of steps [r_p <= τ], each contributing tau_max - r_p to
 * the integral over [1, tau_max] when r_p < tau_max (r_p >= 1). */
double st_profile_score(const double *ratio, int P, int S, int s, double tau_max)
{
    double sum = 0;
    for (int p = 0; p < P; p++) {
        double r = ratio[p * S + s];
        if (r < tau_max)
            sum += tau_max - fmax(r, 1);
    }
    return P ? sum / (P * (tau_max - 1)) : NAN;
}
