/* stats.h: the statistics of comparisons between optimizers (formulas in
 * README "Reading comparisons"): paired ratios with a bootstrap interval,
 * win rates with a Wilson interval and the Wilcoxon signed-rank test
 * (stats_paired.c); time to target and performance profiles
 * (stats_profile.c); the expected best of k of N tuning values
 * (stats_budget.c). Pure functions over arrays: the results files are
 * read and written elsewhere (stats_write.c). Φ, Φ⁻¹ and log-binomials
 * come from GSL. */
#ifndef L2L_STATS_H
#define L2L_STATS_H
#include "l2l/plugin.h" /* struct l2l_rng */

#define ST_BOOTSTRAP 10000        /* resamples per interval */
#define ST_EXACT_MAX 50           /* exact Wilcoxon up to this many nonzero differences */

/* Percentile bootstrap interval at `level` (0.95) of the mean of x[0..n):
 * B resamples of n values with replacement drawn from rng, the means
 * sorted, their (1-level)/2 and (1+level)/2 quantiles (interpolated as
 * l2l_quantile). n = 0 gives NAN, NAN. Returns 0 or L2L_ENOMEM. */
int st_bootstrap_mean(const double *x, long n, long B, double level, struct l2l_rng *rng,
                      double *lo, double *hi);

/* Wilson score interval of a proportion wins / n (wins may end in .5 for
 * ties counted half) at normal quantile z. n = 0 gives 0, 1. */
void st_wilson(double wins, long n, double z, double *lo, double *hi);

/* Wilcoxon signed-rank test of d[0..n) (±inf allowed, NaN not): zeros
 * dropped, |d| ranked with average ranks for ties. Exact two-sided p when
 * at most ST_EXACT_MAX nonzero values and no ties, else the normal
 * approximation with tie correction. *wplus: the rank sum of positive d;
 * *exact: 1 when exact. No nonzero value gives p = 1. Returns p, or NAN
 * when out of memory. */
double st_wilcoxon(const double *d, long n, double *wplus, int *exact);

/* One optimizer against a reference, run by run. */
struct st_paired {
    long runs;          /* pairs compared: both present, not both diverged */
    long both_diverged; /* pairs dropped */
    long left_out;      /* pairs of `runs` left out of the ratio (a side diverged, or a loss <= 0) */
    double ratio, ratio_lo, ratio_hi; /* exp(mean log(f / f_ref)) and its bootstrap interval */
    double wins;        /* pairs where f < f_ref, ties counted half */
    double win_rate, win_lo, win_hi;
    double p_value, w_plus;
    int exact;
};

/* f and f_ref: the losses of runs 0..n-1 (NAN: run missing, skipped; +inf:
 * diverged). Bootstrap of B resamples from rng. Returns 0 or L2L_ENOMEM. */
int st_paired(const double *f, const double *f_ref, long n, long B, struct l2l_rng *rng,
              struct st_paired *out);

/* First t in [0, steps] with curve[t] <= target, or -1 when never. */
long st_time_to_target(const double *curve, long steps, double target);

/* Performance profile (Dolan and Moré 2002) over P problems and S solvers:
 * t[p*S + s] the steps solver s took on problem p (< 0: never). ratio[p*S
 * + s] receives t / min over solvers of t (+inf when never, NAN when no
 * solver reached it). */
void st_profile_ratios(const double *t, int P, int S, double *ratio);
/* ρ_s(τ): the fraction of the P problems with ratio <= tau. */
double st_profile_at(const double *ratio, int P, int S, int s, double tau);
/* AlgoPerf's score: (1 / (tau_max - 1)) ∫_1^tau_max ρ_s(τ) dτ, exactly. */
double st_profile_score(const double *ratio, int P, int S, int s, double tau_max);

/* Expected best of k values drawn without replacement from the N values
 * of L (+inf: diverged), for k = 1..N into E[0..N): sorted ascending,
 * E_k = Σ_i L_(i) C(N-i, k-1) / C(N, k) (+inf when k is at most the number
 * of infinite values). Returns 0 or L2L_ENOMEM. */
int st_expected_best(const double *L, int N, double *E);
/* Break-even of a learned optimizer (stats_cost.c): uses of it, trainings
 * of one optimizee, that repay meta-training of `meta` CPU-seconds, each
 * saving s = t_ref c_ref − t_learned c_learned (steps to target times CPU
 * seconds per step; *savings receives s). meta / s when s > 0; +inf
 * (never) when s <= 0 or t_learned < 0 (never reaches the target); NAN
 * when unknown (t_ref < 0, or a cost NAN). */
double st_break_even(double meta, long t_ref, double c_ref, long t_learned, double c_learned,
                     double *savings);
#endif
