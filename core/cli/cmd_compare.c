/* cmd_compare.c: `l2l compare OLD_DIR NEW_DIR [--tolerance T]`, a
 * regression gate over two results directories, as diff(1) exits: 0 when
 * no optimizer of NEW is worse than in OLD beyond the tolerance
 * (improvements are listed), 1 with a table of what got worse, 2 on bad
 * input. It reads only the results files.
 *
 * Per experiment and optimizer found in both, the final loss of runs.csv
 * and the loss of curves.csv at 10, 50 and 100 % of the steps give the
 * geometric-mean ratio NEW / OLD with a 95 % percentile bootstrap
 * interval: paired run by run when the manifests say the problems are the
 * same (same seed, same optimizee plugin and version, same runs and
 * steps), otherwise each side resampled on its own. Worse: the whole
 * interval above 1 + T, or more diverged runs than before. Default T =
 * 0.05: a change must be shown, at 95 %, to cost more than 5 %; on the
 * same machine an unchanged build gives ratio 1 exactly, and what a
 * different BLAS or compiler moves (last bits, amplified over 100 steps)
 * stays inside it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "log.h"
#include "plot_csv.h"
#include "plot_data.h"
#include "report.h"
#include "seeds.h"
#include "stats.h"

#define COMPARE_USAGE "usage: l2l compare OLD_DIR NEW_DIR [--tolerance T]"
#define DEFAULT_TOLERANCE 0.05

struct side {
    struct pr_results r;
    double *final;           /* (n_exp, n_opt, runs of the experiment): runs.csv final_loss */
    long *offset;            /* (n_exp * n_opt) into final */
};

static int load_final(struct side *s)
{
    struct pr_results *r = &s->r;
    size_t total = 0;
    s->offset = malloc(sizeof *s->offset * (size_t)(r->n_exp * r->n_opt));
    if (!s->offset)
        return L2L_ENOMEM;
    for (int e = 0; e < r->n_exp; e++)
        for (int o = 0; o < r->n_opt; o++) {
            s->offset[e * r->n_opt + o] = (long)total;
            total += (size_t)r->exp[e].runs;
        }
    s->final = malloc(sizeof *s->final * (total ? total : 1));
    if (!s->final)
        return L2L_ENOMEM;
    for (size_t k = 0; k < total; k++)
        s->final[k] = NAN;
    static const char *const cols[] = {"experiment", "optimizer", "run", "final_loss", NULL};
    int ix[4], rc;
    struct csv c;
    if ((rc = csv_open(&c, r->dir, "runs.csv", cols, ix)) < 0)
        return rc;
    while ((rc = csv_next(&c)) > 0) {
        int e = -1, o = -1;
        long run;
        double f;
        for (int k = 0; k < r->n_exp; k++)
            e = strcmp(r->exp[k].name, csv_str(&c, ix[0])) ? e : k;
        for (int k = 0; k < r->n_opt; k++)
            o = strcmp(r->opt[k].name, csv_str(&c, ix[1])) ? o : k;
        if ((rc = csv_long(&c, ix[2], 0, &run)) < 0 || (rc = csv_num(&c, ix[3], 0, &f)) < 0)
            break;
        if (e < 0 || o < 0 || run >= r->exp[e].runs) { /* pr_load checked these already */
            l2l_error("%s:%ld: unknown experiment, optimizer or run", c.path, c.line);
            rc = L2L_EINPUT;
            break;
        }
        s->final[s->offset[e * r->n_opt + o] + run] = isnan(f) ? INFINITY : f;
    }
    csv_close(&c);
    return rc;
}

/* Index of name in an array of structs whose first member is the name
 * (struct pr_exp, struct pr_opt), or -1. */
static int find(const char *name, const void *base, size_t stride, int n)
{
    for (int k = 0; k < n; k++)
        if (!strcmp((const char *)base + stride * (size_t)k, name))
            return k;
    return -1;
}

static int has_row(const struct pr_results *r, int e, int o)
{
    for (int k = 0; k < r->n_sum; k++)
        if (r->sum[k].exp == e && r->sum[k].opt == o)
            return 1;
    return 0;
}

/* Same problems: same seed, same optimizee plugin and version, same runs
 * and steps. */
static int same_problems(const struct side *a, int ea, const struct side *b, int eb)
{
    char x[256], y[256];
    report_manifest_get(a->r.manifest, "suite", "seed", x, sizeof x);
    report_manifest_get(b->r.manifest, "suite", "seed", y, sizeof y);
    if (!x[0] || strcmp(x, y))
        return 0;
    report_manifest_get(a->r.manifest, "plugins", a->r.exp[ea].optimizee, x, sizeof x);
    report_manifest_get(b->r.manifest, "plugins", b->r.exp[eb].optimizee, y, sizeof y);
    return x[0] && !strcmp(x, y) && a->r.exp[ea].runs == b->r.exp[eb].runs &&
           a->r.exp[ea].steps == b->r.exp[eb].steps;
}

/* Unpaired: exp(mean log new - mean log old) over the finite positive
 * losses, each side resampled on its own. */
static int unpaired(const double *nw, long nn, const double *old, long no, struct l2l_rng *rng,
                    double *ratio, double *lo, double *hi)
{
    long B = ST_BOOTSTRAP;
    double *la = malloc(sizeof *la * (size_t)(nn + no + 1)), *diff = malloc(sizeof *diff * (size_t)B);
    if (!la || !diff) {
        free(la);
        free(diff);
        return L2L_ENOMEM;
    }
    long na = 0, nb = 0;
    for (long k = 0; k < nn; k++)
        if (isfinite(nw[k]) && nw[k] > 0)
            la[na++] = log(nw[k]);
    double *lb = la + na;
    for (long k = 0; k < no; k++)
        if (isfinite(old[k]) && old[k] > 0)
            lb[nb++] = log(old[k]);
    *ratio = *lo = *hi = NAN;
    if (na && nb) {
        double ma = 0, mb = 0;
        for (long k = 0; k < na; k++)
            ma += la[k] / (double)na;
        for (long k = 0; k < nb; k++)
            mb += lb[k] / (double)nb;
        *ratio = exp(ma - mb);
        for (long b = 0; b < B; b++) {
            double sa = 0, sb = 0;
            for (long k = 0; k < na; k++)
                sa += la[l2l_rng_below(rng, (uint64_t)na)];
            for (long k = 0; k < nb; k++)
                sb += lb[l2l_rng_below(rng, (uint64_t)nb)];
            diff[b] = sa / (double)na - sb / (double)nb;
        }
        pr_sort(diff, B);
        *lo = exp(l2l_quantile(diff, B, 0.025));
        *hi = exp(l2l_quantile(diff, B, 0.975));
    }
    free(la);
    free(diff);
    return 0;
}

static long diverged(const double *f, long n)
{
    long d = 0;
    for (long k = 0; k < n; k++)
        d += isinf(f[k]) && f[k] > 0;
    return d;
}

struct tally { int worse, better, same; };

/* One measure (final loss, or the loss at a step) of one optimizer. */
static int judge(const char *exp, const char *opt, const char *what, const double *old, long no,
                 const double *nw, long nn, int paired, double tol, struct l2l_rng *rng,
                 struct tally *t)
{
    double ratio, lo, hi;
    if (paired) {
        struct st_paired p;
        if (st_paired(nw, old, nn, ST_BOOTSTRAP, rng, &p) < 0)
            return L2L_ENOMEM;
        ratio = p.ratio, lo = p.ratio_lo, hi = p.ratio_hi;
    } else if (unpaired(nw, nn, old, no, rng, &ratio, &lo, &hi) < 0)
        return L2L_ENOMEM;
    long dold = diverged(old, no), dnew = diverged(nw, nn);
    int worse = dnew > dold || lo > 1 + tol, better = !worse && (dnew < dold || hi < 1 / (1 + tol));
    if (worse || better)
        printf("%-6s  %-16s %-12s %-12s %8.4g  [%.4g, %.4g]  %ld -> %ld\n", worse ? "WORSE" : "better",
               exp, opt, what, ratio, lo, hi, dold, dnew);
    t->worse += worse;
    t->better += better;
    t->same += !worse && !better;
    return 0;
}

static int compare_exp(const struct side *o, int eo, const struct side *n, int en, double tol,
                       uint64_t seed, struct tally *t)
{
    const struct pr_exp *xo = &o->r.exp[eo], *xn = &n->r.exp[en];
    int paired = same_problems(o, eo, n, en), rc = 0, compared = 0;
    double *a = malloc(sizeof *a * (size_t)xo->runs), *b = malloc(sizeof *b * (size_t)xn->runs);
    if (!a || !b)
        rc = L2L_ENOMEM;
    for (int on = 0; on < n->r.n_opt && rc == 0; on++) {
        int oo = find(n->r.opt[on].name, o->r.opt[0].name, sizeof o->r.opt[0], o->r.n_opt);
        if (oo < 0 || !has_row(&o->r, eo, oo) || !has_row(&n->r, en, on))
            continue;
        compared++;
        struct l2l_rng rng;
        l2l_rng_for(&rng, seed, L2L_SEED_STATS, (uint64_t)en, 0xc0ba5eULL + (uint64_t)on);
        const char *opt = n->r.opt[on].name;
        rc = judge(xn->name, opt, "final", o->final + o->offset[eo * o->r.n_opt + oo], xo->runs,
                   n->final + n->offset[en * n->r.n_opt + on], xn->runs, paired, tol, &rng, t);
        static const int pct[] = {10, 50, 100};
        for (int k = 0; k < 3 && rc == 0 && xo->steps == xn->steps; k++) {
            long step = (xn->steps * pct[k] + 50) / 100;
            const struct pr_series *so = pr_series_at(&o->r, eo, oo), *sn = pr_series_at(&n->r, en, on);
            for (long j = 0; j < xo->runs; j++)
                a[j] = so->seen[j] ? so->loss[j * (so->steps + 1) + step] : NAN;
            for (long j = 0; j < xn->runs; j++)
                b[j] = sn->seen[j] ? sn->loss[j * (sn->steps + 1) + step] : NAN;
            char what[64];
            l2l_fmt(what, sizeof what, "step %ld", step);
            rc = judge(xn->name, opt, what, a, xo->runs, b, xn->runs, paired, tol, &rng, t);
        }
    }
    free(a);
    free(b);
    if (rc == 0)
        l2l_info("l2l compare: %s: %d optimizers, %s", xn->name, compared,
                 paired ? "paired (same problems)" : "unpaired (the manifests differ)");
    return rc < 0 ? rc : compared;
}

static void side_free(struct side *s)
{
    free(s->final);
    free(s->offset);
    pr_free(&s->r);
}

int l2l_cmd_compare(int argc, char **argv)
{
    const char *dir[2] = {NULL, NULL};
    double tol = DEFAULT_TOLERANCE;
    int nd = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--tolerance") && k + 1 < argc) {
            char *end;
            const char *v = argv[++k];
            tol = strtod(v, &end);
            if (end == v || *end || !(tol >= 0 && tol < 10)) {
                l2l_error("l2l compare: --tolerance '%s': expected a number from 0 to 10 "
                          "(0.05: worse means the interval is above 1.05)", v);
                return L2L_EXIT_BADINPUT;
            }
        } else if (argv[k][0] == '-' || nd == 2) {
            l2l_error("l2l compare: unexpected argument '%s' (" COMPARE_USAGE ")", argv[k]);
            return L2L_EXIT_BADINPUT;
        } else
            dir[nd++] = argv[k];
    }
    if (nd != 2) {
        l2l_error("l2l compare: expected two results directories (" COMPARE_USAGE ")");
        return L2L_EXIT_BADINPUT;
    }
    struct side s[2];
    memset(s, 0, sizeof s);
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++)
        if ((rc = pr_load(dir[k], &s[k].r)) < 0 || (rc = load_final(&s[k])) < 0)
            l2l_error("l2l compare: cannot read the results in %s (see above)", dir[k]);
    struct tally t = {0, 0, 0};
    int experiments = 0;
    if (rc == 0) {
        char seed[64];
        report_manifest_get(s[1].r.manifest, "suite", "seed", seed, sizeof seed);
        printf("%-6s  %-16s %-12s %-12s %8s  %-18s  %s\n", "", "experiment", "optimizer", "measure",
               "new/old", "95 % interval", "diverged");
        for (int en = 0; en < s[1].r.n_exp && rc >= 0; en++) {
            int eo = find(s[1].r.exp[en].name, s[0].r.exp[0].name, sizeof s[0].r.exp[0], s[0].r.n_exp);
            if (eo < 0)
                continue;
            rc = compare_exp(&s[0], eo, &s[1], en, tol, strtoull(seed, NULL, 10), &t);
            experiments += rc > 0;
        }
        if (rc >= 0 && experiments == 0) {
            l2l_error("l2l compare: %s and %s share no optimizer of any experiment", dir[0], dir[1]);
            rc = L2L_EINPUT;
        }
    }
    for (int k = 0; k < 2; k++)
        side_free(&s[k]);
    if (rc < 0)
        return rc == L2L_EINPUT ? L2L_EXIT_BADINPUT : 1;
    printf("l2l compare: %d worse, %d better, %d unchanged within tolerance %g "
           "(worse: the 95 %% interval of new/old above %g, or more runs diverged)\n",
           t.worse, t.better, t.same, tol, 1 + tol);
    return t.worse ? 1 : 0;
}
