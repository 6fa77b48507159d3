/* stats_write.c: the comparison files of a results directory, computed
 * from its CSV files, manifest.ini and suite.ini alone (so `l2l plot`
 * redoes them bit for bit): comparisons.csv, targets.csv, profiles.csv,
 * profile_scores.csv, budget.csv, and timing_targets.csv, the one holding
 * measured times. The bootstrap streams derive from the suite seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "log.h"
#include "plot_csv.h"
#include "report.h" /* report_manifest_get */
#include "seeds.h"
#include "stats_judge.h"
#include "stats_write.h"

#define ST_MAX_STEPS 32
#define ST_TAU_MAX 4.0

/* What the suite says about an experiment's comparisons. */
struct st_conf {
    int ref;                       /* optimizer index, or -1: none */
    double target;                 /* NAN: none */
    long step[ST_MAX_STEPS];
    int n_step;
    long tune_runs, tune_steps;    /* for the cost of a step (0: unknown) */
};

static int in_exp(const struct pr_results *r, int e, int o)
{
    for (int k = 0; k < r->n_sum; k++)
        if (r->sum[k].exp == e && r->sum[k].opt == o)
            return k;
    return -1;
}

static void add_step(struct st_conf *c, long t)
{
    for (int k = 0; k < c->n_step; k++)
        if (c->step[k] == t)
            return;
    if (c->n_step == ST_MAX_STEPS)
        return;
    int k = c->n_step++;
    while (k > 0 && c->step[k - 1] > t) {
        c->step[k] = c->step[k - 1];
        k--;
    }
    c->step[k] = t;
}

/* The experiment's keys from suite.ini (written only when set), checked
 * again here since a results directory may have been edited. */
static int read_conf(const struct pr_results *r, const char *suite, int e, struct st_conf *c)
{
    const struct pr_exp *x = &r->exp[e];
    char sec[PR_NAME + 16], v[1024], *end;
    l2l_fmt(sec, sizeof sec, "experiment %s", x->name);
    memset(c, 0, sizeof *c);
    c->ref = -1;
    c->target = NAN;
    static const int pct[] = {10, 50, 100};
    for (int k = 0; k < 3 && x->steps > 0; k++)
        add_step(c, (x->steps * pct[k] + 50) / 100 > 0 ? (x->steps * pct[k] + 50) / 100 : 1);
    report_manifest_get(suite, sec, "report_steps", v, sizeof v);
    for (char *p = v; *p; ) {
        long t = strtol(p, &end, 10);
        if (end == p || t < 0 || t > x->steps) {
            l2l_error("%s/suite.ini: [%s] report_steps: '%s': expected steps from 0 to %ld, "
                      "comma-separated", r->dir, sec, v, x->steps);
            return L2L_EINPUT;
        }
        add_step(c, t);
        p = end + strspn(end, " ,");
    }
    report_manifest_get(suite, sec, "target", v, sizeof v);
    if (v[0]) {
        c->target = strtod(v, &end);
        if (*end || !isfinite(c->target)) {
            l2l_error("%s/suite.ini: [%s] target: '%s': expected a finite loss", r->dir, sec, v);
            return L2L_EINPUT;
        }
    }
    report_manifest_get(suite, sec, "tune_runs", v, sizeof v);
    c->tune_runs = strtol(v, NULL, 10);
    report_manifest_get(suite, sec, "tune_steps", v, sizeof v);
    c->tune_steps = strtol(v, NULL, 10);
    report_manifest_get(suite, sec, "reference", v, sizeof v);
    if (v[0]) {
        for (int o = 0; o < r->n_opt; o++)
            if (!strcmp(r->opt[o].name, v) && in_exp(r, e, o) >= 0)
                c->ref = o;
        if (c->ref < 0) {
            l2l_error("%s/suite.ini: [%s] reference: '%s' is not an optimizer of the experiment",
                      r->dir, sec, v);
            return L2L_EINPUT;
        }
        return 0;
    }
    /* By default the hand-designed optimizer with the lowest median final loss. */
    double best = INFINITY;
    for (int k = 0; k < r->n_sum; k++) {
        const struct pr_summary *s = &r->sum[k];
        if (s->exp == e && !r->opt[s->opt].learned && s->final_median < best) {
            best = s->final_median;
            c->ref = s->opt;
        }
    }
    return 0;
}

/* Loss of every run at step t (NAN: no row). */
static void at_step(const struct pr_series *s, long t, double *out)
{
    for (long k = 0; k < s->runs; k++)
        out[k] = s->seen[k] ? s->loss[k * (s->steps + 1) + t] : NAN;
}

/* The median over runs at every step, as the convergence figure draws it. */
static void median_curve(const struct pr_series *s, double *tmp, double *curve)
{
    for (long t = 0; t <= s->steps; t++) {
        long n = 0;
        for (long k = 0; k < s->runs; k++) {
            double l = s->loss[k * (s->steps + 1) + t];
            if (s->seen[k] && !isnan(l))
                tmp[n++] = l;
        }
        pr_sort(tmp, n);
        curve[t] = l2l_quantile(tmp, n, 0.5);
    }
}

static void put_opt(FILE *f, double x)
{
    if (!isnan(x))
        pr_put_num(f, x);
}

static int write_comparisons(const struct pr_results *r, const struct st_conf *conf, uint64_t seed)
{
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "comparisons.csv") < 0)
        return L2L_EIO;
    FILE *f = a.f;
    fputs("experiment,optimizee,optimizer,reference,step,runs,ratio,ratio_lo,ratio_hi,win_rate,"
          "win_lo,win_hi,p_value,wins,left_out,both_diverged,w_plus,test\n", f);
    int rc = 0;
    for (int e = 0; e < r->n_exp && rc == 0; e++) {
        const struct st_conf *c = &conf[e];
        if (c->ref < 0)
            continue;
        const struct pr_series *sref = pr_series_at(r, e, c->ref);
        double *fa = malloc(sizeof *fa * (size_t)sref->runs), *fb = malloc(sizeof *fb * (size_t)sref->runs);
        if (!fa || !fb)
            rc = L2L_ENOMEM;
        for (int k = 0; k < r->n_sum && rc == 0; k++) {
            int o = r->sum[k].opt;
            if (r->sum[k].exp != e || o == c->ref)
                continue;
            const struct pr_series *s = pr_series_at(r, e, o);
            for (int j = 0; j < c->n_step && rc == 0; j++) {
                long t = c->step[j];
                at_step(s, t, fa);
                at_step(sref, t, fb);
                struct l2l_rng rng;
                l2l_rng_for(&rng, seed, L2L_SEED_STATS, (uint64_t)e, ((uint64_t)o << 32) | (uint64_t)t);
                struct st_paired p;
                if ((rc = st_paired(fa, fb, s->runs, ST_BOOTSTRAP, &rng, &p)) < 0)
                    break;
                fprintf(f, "%s,%s,%s,%s,%ld,%ld,", r->exp[e].name, r->exp[e].optimizee, r->opt[o].name,
                        r->opt[c->ref].name, t, p.runs);
                double v[] = {p.ratio, p.ratio_lo, p.ratio_hi, p.win_rate, p.win_lo, p.win_hi, p.p_value, p.wins};
                for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
                    put_opt(f, v[i]);
                    fputc(',', f);
                }
                fprintf(f, "%ld,%ld,", p.left_out, p.both_diverged);
                pr_put_num(f, p.w_plus);
                fprintf(f, ",%s\n", p.exact ? "exact" : "normal");
            }
        }
        free(fa);
        free(fb);
    }
    if (rc < 0) {
        l2l_afile_abort(&a);
        return rc;
    }
    return l2l_afile_commit(&a);
}

/* Time to target of every optimizer of every experiment: step[e * n_opt
 * + o] (-1: never or not in the experiment), target[e] (NAN: none). */
static int times_to_target(const struct pr_results *r, const struct st_conf *conf, double *target,
                           double *step)
{
    for (int e = 0; e < r->n_exp; e++) {
        const struct st_conf *c = &conf[e];
        target[e] = c->target;
        if (isnan(target[e]) && c->ref >= 0)
            target[e] = r->sum[in_exp(r, e, c->ref)].final_median;
        if (!isfinite(target[e])) /* a reference that mostly diverged sets no target */
            target[e] = NAN;
        const struct pr_exp *x = &r->exp[e];
        double *tmp = malloc(sizeof *tmp * (size_t)x->runs);
        double *curve = malloc(sizeof *curve * (size_t)(x->steps + 1));
        if (!tmp || !curve) {
            free(tmp);
            free(curve);
            return L2L_ENOMEM;
        }
        /* The reference's median curve ends at its median final loss, which
         * summary.csv gives to 9 digits: rounded down, it left the reference
         * short of its own target ("never") half the time. Reached is at or
         * below the larger of the two; the target written stays summary's. */
        double reach = target[e];
        if (isnan(c->target) && !isnan(target[e])) {
            median_curve(pr_series_at(r, e, c->ref), tmp, curve);
            if (isfinite(curve[x->steps]))
                reach = fmax(target[e], curve[x->steps]);
        }
        for (int o = 0; o < r->n_opt; o++) {
            step[e * r->n_opt + o] = -1;
            if (isnan(target[e]) || in_exp(r, e, o) < 0)
                continue;
            median_curve(pr_series_at(r, e, o), tmp, curve);
            step[e * r->n_opt + o] = (double)st_time_to_target(curve, x->steps, reach);
        }
        free(tmp);
        free(curve);
    }
    return 0;
}

static int write_targets(const struct pr_results *r, const struct st_conf *conf, const double *target,
                         const double *step)
{
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "targets.csv") < 0)
        return L2L_EIO;
    fputs("experiment,optimizee,optimizer,reference,target,step,speedup\n", a.f);
    for (int e = 0; e < r->n_exp; e++) {
        if (isnan(target[e]))
            continue;
        for (int k = 0; k < r->n_sum; k++) {
            int o = r->sum[k].opt;
            if (r->sum[k].exp != e)
                continue;
            double t = step[e * r->n_opt + o];
            fprintf(a.f, "%s,%s,%s,%s,", r->exp[e].name, r->exp[e].optimizee, r->opt[o].name,
                    conf[e].ref >= 0 ? r->opt[conf[e].ref].name : "");
            pr_put_num(a.f, target[e]);
            fputc(',', a.f);
            /* The speedup over the horizon T: T / the step (at least 1). */
            if (t >= 0)
                fprintf(a.f, "%.0f,%.9g", t, (double)r->exp[e].steps / fmax(t, 1));
            else
                fputc(',', a.f);
            fputc('\n', a.f);
        }
    }
    return l2l_afile_commit(&a);
}

/* Measured: seconds per optimizer step from timing.csv (its wall time
 * covers the evaluation runs and the tuning runs of every grid value). */
static int write_timing_targets(const struct pr_results *r, const struct st_conf *conf,
                                const double *target, const double *step)
{
    int any = 0;
    for (int k = 0; k < r->n_sum; k++)
        any |= !isnan(r->sum[k].wall);
    if (!any)
        return 0;
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "timing_targets.csv") < 0)
        return L2L_EIO;
    fputs("experiment,optimizee,optimizer,step,seconds_per_step,seconds_to_target\n", a.f);
    for (int k = 0; k < r->n_sum; k++) {
        const struct pr_summary *s = &r->sum[k];
        int e = s->exp, o = s->opt, grid = 0;
        if (isnan(target[e]) || isnan(s->wall))
            continue;
        for (int j = 0; j < r->n_tune; j++)
            grid += r->tune[j].exp == e && r->tune[j].opt == o;
        double steps = (double)r->exp[e].runs * (double)r->exp[e].steps +
                       (double)grid * (double)conf[e].tune_runs * (double)conf[e].tune_steps;
        double per = s->wall / fmax(steps, 1), t = step[e * r->n_opt + o];
        fprintf(a.f, "%s,%s,%s,", r->exp[e].name, r->exp[e].optimizee, r->opt[o].name);
        if (t >= 0)
            fprintf(a.f, "%.0f", t);
        fprintf(a.f, ",%.6g,", per);
        if (t >= 0)
            fprintf(a.f, "%.6g", per * t);
        fputc('\n', a.f);
    }
    return l2l_afile_commit(&a);
}

/* Experiments with a target that optimizer o ran in. */
static int profiled(const struct pr_results *r, const double *target, int o)
{
    int n = 0;
    for (int e = 0; e < r->n_exp; e++)
        n += !isnan(target[e]) && in_exp(r, e, o) >= 0;
    return n;
}

/* profiles.csv: ρ of each optimizer at each of its breakpoints in [1, 4];
 * profile_scores.csv: its AlgoPerf score. */
static int write_profile_files(const struct pr_results *r, const double *target, const double *ratio,
                               int P)
{
    int S = r->n_opt;
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "profiles.csv") < 0)
        return L2L_EIO;
    fputs("optimizer,tau,fraction\n", a.f);
    for (int s = 0; s < S; s++) {
        if (!profiled(r, target, s))
            continue;
        double tau = 1;
        for (;;) {
            fprintf(a.f, "%s,", r->opt[s].name);
            pr_put_num(a.f, tau);
            fputc(',', a.f);
            pr_put_num(a.f, st_profile_at(ratio, P, S, s, tau));
            fputc('\n', a.f);
            /* The next breakpoint: the smallest ratio above tau, or 4. */
            double next = ST_TAU_MAX;
            for (int p = 0; p < P; p++) {
                double x = ratio[p * S + s];
                if (x > tau && x < next)
                    next = x;
            }
            if (tau >= ST_TAU_MAX)
                break;
            tau = next;
        }
    }
    if (l2l_afile_commit(&a) < 0 || l2l_afile_open(&a, r->dir, "profile_scores.csv") < 0)
        return L2L_EIO;
    fputs("optimizer,experiments,reached,score\n", a.f);
    for (int s = 0; s < S; s++) {
        int ran = profiled(r, target, s), reached = 0;
        for (int p = 0; p < P; p++)
            reached += ratio[p * S + s] <= ST_TAU_MAX;
        if (!ran)
            continue;
        fprintf(a.f, "%s,%d,%d,", r->opt[s].name, ran, reached);
        pr_put_num(a.f, st_profile_score(ratio, P, S, s, ST_TAU_MAX));
        fputc('\n', a.f);
    }
    return l2l_afile_commit(&a);
}

/* Across two or more experiments with a target: the ratios to the best
 * steps, their files and the profile figure. */
static int write_profiles(const struct pr_results *r, const double *target, const double *step,
                          const char *figdir, const char *datadir, struct pg_list *list)
{
    int P = 0, S = r->n_opt;
    for (int e = 0; e < r->n_exp; e++)
        P += !isnan(target[e]);
    if (P < 2)
        return 0;
    double *ratio = malloc(sizeof(double) * (size_t)(P * S));
    double *t = malloc(sizeof(double) * (size_t)(P * S));
    if (!ratio || !t) {
        free(t);
        free(ratio);
        return L2L_ENOMEM;
    }
    for (int e = 0, p = 0; e < r->n_exp; e++)
        if (!isnan(target[e]))
            memcpy(t + (p++) * S, step + e * S, sizeof(double) * (size_t)S);
    st_profile_ratios(t, P, S, ratio);
    free(t);
    int rc = write_profile_files(r, target, ratio, P);
    if (rc == 0)
        rc = sf_profile(r, target, ratio, P, figdir, datadir, list);
    free(ratio);
    return rc;
}

/* Mean of the runs' final losses (+inf when one diverged). */
static double final_mean(const struct pr_series *s)
{
    double sum = 0;
    long n = 0;
    for (long k = 0; k < s->runs; k++) {
        double l = s->loss[k * (s->steps + 1) + s->steps];
        if (s->seen[k] && !isnan(l)) {
            sum += l;
            n++;
        }
    }
    return n ? sum / (double)n : NAN;
}

static int write_budget(const struct pr_results *r)
{
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "budget.csv") < 0)
        return L2L_EIO;
    fputs("experiment,optimizee,optimizer,source,k,grid_size,expected_best\n", a.f);
    double L[L2L_ST_MAX_GRID], E[L2L_ST_MAX_GRID];
    int rc = 0;
    for (int e = 0; e < r->n_exp && rc == 0; e++)
        for (int k = 0; k < r->n_sum && rc == 0; k++) {
            int o = r->sum[k].opt, N = 0;
            if (r->sum[k].exp != e)
                continue;
            const char *head[] = {r->exp[e].name, r->exp[e].optimizee, r->opt[o].name};
            if (r->opt[o].learned) {
                fprintf(a.f, "%s,%s,%s,evaluation,1,1,", head[0], head[1], head[2]);
                pr_put_num(a.f, final_mean(pr_series_at(r, e, o)));
                fputc('\n', a.f);
                continue;
            }
            for (int j = 0; j < r->n_tune && N < L2L_ST_MAX_GRID; j++)
                if (r->tune[j].exp == e && r->tune[j].opt == o)
                    L[N++] = isnan(r->tune[j].mean_final_loss) ? INFINITY : r->tune[j].mean_final_loss;
            if (N < 2 || (rc = st_expected_best(L, N, E)) < 0)
                continue;
            for (int i = 0; i < N; i++) {
                fprintf(a.f, "%s,%s,%s,tuning,%d,%d,", head[0], head[1], head[2], i + 1, N);
                pr_put_num(a.f, E[i]);
                fputc('\n', a.f);
            }
        }
    if (rc < 0) {
        l2l_afile_abort(&a);
        return rc;
    }
    return l2l_afile_commit(&a);
}

int st_write_all(const struct pr_results *r, const char *figdir, const char *datadir,
                 struct pg_list *list)
{
    char seedtext[64];
    report_manifest_get(r->manifest, "suite", "seed", seedtext, sizeof seedtext);
    uint64_t seed = strtoull(seedtext, NULL, 10);
    char path[4096];
    l2l_fmt(path, sizeof path, "%s/suite.ini", r->dir);
    char *suite, err[L2L_ERRLEN];
    int rrc = l2l_read_text(path, L2L_TEXT_MAX, &suite, err, sizeof err);
    if (rrc < 0) {
        l2l_error("%s", err); /* missing: every key takes its default */
        return rrc;
    }
    struct st_conf *conf = calloc((size_t)r->n_exp, sizeof *conf);
    double *target = malloc(sizeof *target * (size_t)r->n_exp);
    double *step = malloc(sizeof *step * (size_t)r->n_exp * (size_t)r->n_opt);
    int rc = conf && target && step ? 0 : L2L_ENOMEM;
    for (int e = 0; e < r->n_exp && rc == 0; e++)
        rc = read_conf(r, suite, e, &conf[e]);
    if (rc == 0 && (rc = write_comparisons(r, conf, seed)) == 0 &&
        (rc = times_to_target(r, conf, target, step)) == 0 &&
        (rc = write_targets(r, conf, target, step)) == 0 &&
        (rc = write_timing_targets(r, conf, target, step)) == 0 &&
        (rc = write_profiles(r, target, step, figdir, datadir, list)) == 0)
        rc = write_budget(r);
    for (int e = 0; e < r->n_exp && rc == 0; e++)
        rc = sf_budget(r, e, figdir, datadir, list);
    if (rc == 0)
        rc = sj_write_break_even(r); /* after targets.csv, which it reads */
    if (rc == 0)
        rc = sj_figures(r, figdir, datadir, list);
    free(suite);
    free(conf);
    free(target);
    free(step);
    return rc;
}
