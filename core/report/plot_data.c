/* plot_data.c: the statistics behind the figures, written as derived CSV
 * files beside the gnuplot scripts (figures/data/) so that a restyled
 * script plots exactly what the report shows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "plot_data.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void pr_sort(double *x, long n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
}

void pr_safe_name(const char *src, char *dst, size_t len)
{
    size_t k = 0;
    for (; src[k] && k + 1 < len; k++) {
        char ch = src[k];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '_' || ch == '-' || ch == '+';
        dst[k] = ok && !(k == 0 && ch == '.') ? ch : '_';
    }
    dst[k] = 0;
}

void pr_put_num(FILE *f, double x)
{
    if (isnan(x))
        fputs("nan", f);
    else if (isinf(x))
        fputs(x > 0 ? "inf" : "-inf", f);
    else
        fprintf(f, "%.9g", x);
}

/* Widens [*lo, *hi] to include the finite x. */
static void extend(double x, double *lo, double *hi, int *logy)
{
    if (!isfinite(x))
        return;
    if (x <= 0)
        *logy = 0;
    if (x < *lo)
        *lo = x;
    if (x > *hi)
        *hi = x;
}

int pr_write_convergence(const struct pr_results *r, int e, const char *datadir,
                         struct pr_conv_info *info)
{
    const struct pr_exp *x = &r->exp[e];
    char safe[PR_NAME], name[PR_NAME + 32];
    pr_safe_name(x->name, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "convergence_%s.csv", safe);
    double *v = malloc(sizeof(double) * (size_t)x->runs);
    if (!v)
        return L2L_ENOMEM;
    memset(info, 0, sizeof *info);
    info->ylo = INFINITY;
    info->yhi = -INFINITY;
    info->logy = 1;
    for (int o = 0; o < r->n_opt; o++) {
        const struct pr_series *s = pr_series_at(r, e, o);
        for (long k = 0; k < s->runs; k++) {
            info->runs[o] += s->seen[k];
            info->diverged[o] += s->seen[k] && isinf(s->loss[k * (s->steps + 1) + s->steps]);
        }
    }
    struct atomic_file a;
    if (l2l_afile_open(&a, datadir, name) < 0) {
        free(v);
        return L2L_EIO;
    }
    fputs("step", a.f);
    for (int o = 0; o < r->n_opt; o++)
        if (info->runs[o])
            fprintf(a.f, ",%s_median,%s_q1,%s_q3,%s_finite", r->opt[o].name, r->opt[o].name,
                    r->opt[o].name, r->opt[o].name);
    fputc('\n', a.f);
    for (long t = 0; t <= x->steps; t++) {
        fprintf(a.f, "%ld", t);
        for (int o = 0; o < r->n_opt; o++) {
            if (!info->runs[o])
                continue;
            const struct pr_series *s = pr_series_at(r, e, o);
            long n = 0, finite = 0;
            /* Every run that reached step t or diverged before it; a run
             * with no row at t (a short file) is left out, not guessed. */
            for (long k = 0; k < s->runs; k++) {
                double l = s->loss[k * (s->steps + 1) + t];
                if (!s->seen[k] || isnan(l))
                    continue;
                v[n++] = l;
                finite += isfinite(l);
            }
            pr_sort(v, n);
            double q[3] = {l2l_quantile(v, n, 0.5), l2l_quantile(v, n, 0.25), l2l_quantile(v, n, 0.75)};
            for (int j = 0; j < 3; j++) {
                fputc(',', a.f);
                pr_put_num(a.f, q[j]);
                extend(q[j], &info->ylo, &info->yhi, &info->logy);
            }
            fprintf(a.f, ",%ld", finite);
        }
        fputc('\n', a.f);
    }
    free(v);
    return l2l_afile_commit(&a);
}

int pr_write_tuning(const struct pr_results *r, int e, const char *datadir)
{
    int rows = 0;
    for (int k = 0; k < r->n_tune; k++)
        rows += r->tune[k].exp == e;
    if (!rows)
        return 0;
    char safe[PR_NAME], name[PR_NAME + 32];
    pr_safe_name(r->exp[e].name, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "tuning_%s.csv", safe);
    struct atomic_file a;
    if (l2l_afile_open(&a, datadir, name) < 0)
        return L2L_EIO;
    fputs("optimizer,param,value,mean_final_loss,diverged_runs,chosen\n", a.f);
    /* Optimizers in suite order, each grid sorted by value for the lines. */
    for (int o = 0; o < r->n_opt; o++) {
        double last = -INFINITY;
        while (1) {
            int best = -1;
            for (int k = 0; k < r->n_tune; k++) {
                const struct pr_tune *t = &r->tune[k];
                if (t->exp == e && t->opt == o && t->value > last &&
                    (best < 0 || t->value < r->tune[best].value))
                    best = k;
            }
            if (best < 0)
                break;
            const struct pr_tune *t = &r->tune[best];
            fprintf(a.f, "%s,%s,", r->opt[o].name, t->param);
            pr_put_num(a.f, t->value);
            fputc(',', a.f);
            pr_put_num(a.f, t->mean_final_loss);
            fprintf(a.f, ",%ld,%d\n", t->diverged_runs, t->chosen);
            last = t->value;
        }
    }
    int rc = l2l_afile_commit(&a);
    return rc < 0 ? rc : rows;
}

int pr_write_accuracy(const struct pr_results *r, int e, const char *datadir)
{
    const struct pr_exp *x = &r->exp[e];
    double *v = malloc(sizeof(double) * (size_t)x->runs);
    if (!v)
        return L2L_ENOMEM;
    int any = 0;
    for (int o = 0; o < r->n_opt; o++) {
        const struct pr_series *s = pr_series_at(r, e, o);
        for (long k = 0; k < s->runs; k++)
            any |= !isnan(s->accuracy[k]);
    }
    if (!any) {
        free(v);
        return 0;
    }
    char safe[PR_NAME], name[PR_NAME + 32];
    pr_safe_name(x->name, safe, sizeof safe);
    l2l_fmt(name, sizeof name, "accuracy_%s.csv", safe);
    struct atomic_file a;
    if (l2l_afile_open(&a, datadir, name) < 0) {
        free(v);
        return L2L_EIO;
    }
    fputs("position,optimizer,label,runs,min,q1,median,q3,max\n", a.f);
    int shown = 0;
    for (int o = 0; o < r->n_opt; o++) {
        const struct pr_series *s = pr_series_at(r, e, o);
        long n = 0;
        for (long k = 0; k < s->runs; k++)
            if (!isnan(s->accuracy[k]))
                v[n++] = s->accuracy[k];
        if (!n)
            continue;
        pr_sort(v, n);
        /* The axis label says when runs have no accuracy (diverged ones). */
        if (n < s->runs)
            fprintf(a.f, "%d,%s,%s (%ld of %ld runs),%ld", shown + 1, r->opt[o].name, r->opt[o].name,
                    n, s->runs, n);
        else
            fprintf(a.f, "%d,%s,%s,%ld", shown + 1, r->opt[o].name, r->opt[o].name, n);
        double q[5] = {v[0], l2l_quantile(v, n, 0.25), l2l_quantile(v, n, 0.5),
                       l2l_quantile(v, n, 0.75), v[n - 1]};
        for (int j = 0; j < 5; j++) {
            fputc(',', a.f);
            pr_put_num(a.f, q[j]);
        }
        fputc('\n', a.f);
        shown++;
    }
    free(v);
    int rc = l2l_afile_commit(&a);
    return rc < 0 ? rc : shown;
}
