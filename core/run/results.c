/* results.c: write a run's results as tidy CSV (byte-identical for the same
 * suite and seed: no times or dates in these files; wall time goes to
 * timing.csv) plus manifest.ini and suite.ini. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "revision.h"
#include "bytes.h"
#include "escape.h"
#include "log.h"
#include "results.h"
#include "results_extra.h"

int l2l_results_mkdir(const char *dir)
{
    char err[L2L_ERRLEN];
    int rc = l2l_mkdirs(dir, err, sizeof err);
    if (rc < 0)
        l2l_error("l2l: %s", err);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    /* NaN sorts last, after +inf. */
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* %.9g, with empty for NaN where `empty_nan` (not applicable). */
static void put_num(FILE *f, double x, int empty_nan)
{
    if (isnan(x) && empty_nan)
        return;
    if (isnan(x))
        fputs("nan", f);
    else if (isinf(x))
        fputs(x > 0 ? "inf" : "-inf", f);
    else
        fprintf(f, "%.9g", x);
}

#define FOR_EACH_RESULT(s, res, e, j, x, r, o)                                  \
    for (int e = 0; e < (s)->n_experiments; e++)                                \
        for (int j = 0; j < (res)[e].n; j++)                                    \
            for (const struct suite_experiment *x = &(s)->experiments[e]; x; x = NULL) \
                for (const struct opt_result *r = &(res)[e].opt[j]; r; r = NULL) \
                    for (const struct suite_optimizer *o = &(s)->optimizers[r->optimizer]; o; o = NULL)

static void write_curves(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,run,step,loss\n", f);
    FOR_EACH_RESULT(s, res, e, j, x, r, o) {
        const char *obj = s->optimizees[x->optimizee].name;
        for (long k = 0; k < r->n_runs; k++) {
            const struct run_out *ro = &r->runs[k];
            long last = ro->diverged_step >= 0 ? ro->diverged_step : ro->steps;
            for (long t = 0; t <= last; t++) {
                fprintf(f, "%s,%s,%s,%ld,%ld,", x->name, obj, o->name, k, t);
                put_num(f, ro->loss[t], 0);
                fputc('\n', f);
            }
        }
    }
}

static void write_runs(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,run,final_loss,eval_loss,eval_accuracy,diverged_step\n", f);
    FOR_EACH_RESULT(s, res, e, j, x, r, o) {
        for (long k = 0; k < r->n_runs; k++) {
            const struct run_out *ro = &r->runs[k];
            fprintf(f, "%s,%s,%s,%ld,", x->name, s->optimizees[x->optimizee].name, o->name, k);
            put_num(f, ro->final_loss, 0);
            fputc(',', f);
            put_num(f, ro->eval_loss, 1);
            fputc(',', f);
            put_num(f, ro->eval_accuracy, 1);
            fputc(',', f);
            if (ro->diverged_step >= 0)
                fprintf(f, "%ld", ro->diverged_step);
            fputc('\n', f);
        }
    }
}

static void write_tuning(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,param,value,mean_final_loss,diverged_runs,chosen\n", f);
    FOR_EACH_RESULT(s, res, e, j, x, r, o) {
        for (int g = 0; g < r->n_grid; g++) {
            fprintf(f, "%s,%s,%s,%s,", x->name, s->optimizees[x->optimizee].name, o->name,
                    o->plugin.u.opt->tunable);
            put_num(f, r->grid[g].value, 0);
            fputc(',', f);
            put_num(f, r->grid[g].mean_final_loss, 0);
            fprintf(f, ",%d,%d\n", r->grid[g].diverged_runs, g == r->chosen);
        }
    }
}

/* Sorted finite-or-inf values of one field over the runs; returns count. */
static long gather(const struct opt_result *r, int field, double *out)
{
    long n = 0;
    for (long k = 0; k < r->n_runs; k++) {
        const struct run_out *ro = &r->runs[k];
        double v = field == 0 ? ro->final_loss : field == 1 ? ro->eval_loss : ro->eval_accuracy;
        if (field == 0 || !isnan(v))
            out[n++] = v;
    }
    qsort(out, (size_t)n, sizeof *out, cmp_double);
    return n;
}

static int write_summary(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,runs,diverged,final_mean,final_median,final_q1,final_q3,"
          "eval_loss_median,eval_accuracy_median,eval_accuracy_q1,eval_accuracy_q3,tuned,hyperparameters\n", f);
    FOR_EACH_RESULT(s, res, e, j, x, r, o) {
        double *v = malloc(sizeof(double) * (size_t)(r->n_runs + 1));
        if (!v)
            return L2L_ENOMEM;
        long diverged = 0;
        double mean = 0;
        for (long k = 0; k < r->n_runs; k++) {
            diverged += r->runs[k].diverged_step >= 0;
            mean += r->runs[k].final_loss / (double)r->n_runs;
        }
        fprintf(f, "%s,%s,%s,%ld,%ld,", x->name, s->optimizees[x->optimizee].name, o->name,
                r->n_runs, diverged);
        put_num(f, mean, 0);
        long n = gather(r, 0, v);
        for (int q = 0; q < 3; q++) {
            fputc(',', f);
            put_num(f, l2l_quantile(v, n, q == 0 ? 0.5 : q == 1 ? 0.25 : 0.75), 0);
        }
        n = gather(r, 1, v);
        fputc(',', f);
        put_num(f, l2l_quantile(v, n, 0.5), 1);
        n = gather(r, 2, v);
        for (int q = 0; q < 3; q++) {
            fputc(',', f);
            put_num(f, l2l_quantile(v, n, q == 0 ? 0.5 : q == 1 ? 0.25 : 0.75), 1);
        }
        fprintf(f, ",%d,", r->tuned);
        l2l_esc_csv_quoted(f, r->hyper);
        fputc('\n', f);
        free(v);
    }
    return 0;
}

static void write_timing(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,wall_seconds\n", f);
    FOR_EACH_RESULT(s, res, e, j, x, r, o)
        fprintf(f, "%s,%s,%s,%.3f\n", x->name, s->optimizees[x->optimizee].name, o->name,
                r->wall_seconds);
}

static void write_experiments(FILE *f, const struct suite *s, const struct exp_result *res)
{
    (void)res;
    fputs("experiment,optimizee,steps,runs,figure,title\n", f);
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        fprintf(f, "%s,%s,%ld,%ld,%s,", x->name, s->optimizees[x->optimizee].name, x->steps,
                x->runs, x->figure);
        l2l_esc_csv(f, x->title); /* free text, kept as written (RFC 4180) */
        fputc('\n', f);
    }
}

static void write_optimizers(FILE *f, const struct suite *s, const struct exp_result *res)
{
    (void)res;
    fputs("optimizer,plugin,learned\n", f);
    for (int k = 0; k < s->n_optimizers; k++)
        fprintf(f, "%s,%s,%d\n", s->optimizers[k].name, l2l_plugin_name(&s->optimizers[k].plugin),
                s->optimizers[k].learned);
}

static void write_manifest(FILE *f, const struct suite *s, const struct exp_result *res)
{
    (void)res;
    fprintf(f, "; l2l-bench results manifest\n[suite]\nname = %s\nfile = %s\nseed = %llu\n"
               "description = %s\n\n[l2l]\nversion = %s\nrevision = %s\ncsv_schema = %d\n\n[plugins]\n",
            s->name, s->path, (unsigned long long)s->seed, s->description, PACKAGE_VERSION,
            L2L_GIT_REVISION, L2L_CSV_SCHEMA);
    for (int k = 0; k < s->n_optimizers; k++)
        fprintf(f, "%s = %s %s\n", s->optimizers[k].name, l2l_plugin_name(&s->optimizers[k].plugin),
                l2l_plugin_version(&s->optimizers[k].plugin));
    for (int k = 0; k < s->n_optimizees; k++)
        fprintf(f, "%s = %s %s\n", s->optimizees[k].name, l2l_plugin_name(&s->optimizees[k].plugin),
                l2l_plugin_version(&s->optimizees[k].plugin));
    fputs("\n[checkpoints]\n", f);
    for (int k = 0; k < s->n_optimizers; k++)
        if (s->optimizers[k].learned)
            fprintf(f, "%s = %s\n", s->optimizers[k].name, s->optimizers[k].checkpoint);
}

static void write_suite(FILE *f, const struct suite *s, const struct exp_result *res)
{
    (void)res;
    fputs("; the suite as run, every option with its value\n", f);
    l2l_suite_write(f, s);
}

typedef void (*writer_fn)(FILE *, const struct suite *, const struct exp_result *);

static int write_one(const char *dir, const char *name, writer_fn fn, const struct suite *s,
                     const struct exp_result *res)
{
    struct atomic_file a;
    if (l2l_afile_open(&a, dir, name) < 0)
        return L2L_EIO;
    fn(a.f, s, res);
    return l2l_afile_commit(&a);
}

int l2l_results_write(const struct suite *s, const struct exp_result *res, const char *dir)
{
    if (l2l_results_mkdir(dir) < 0)
        return L2L_EIO;
    /* summary.csv last: its presence says the directory is complete. */
    static const struct { const char *name; writer_fn fn; } files[] = {
        {"experiments.csv", write_experiments}, {"optimizers.csv", write_optimizers},
        {"curves.csv", write_curves}, {"runs.csv", write_runs}, {"tuning.csv", write_tuning},
        {"timing.csv", write_timing}, {"manifest.ini", write_manifest}, {"suite.ini", write_suite},
    };
    char stale[4096];
    l2l_fmt(stale, sizeof stale, "%s/summary.csv", dir);
    unlink(stale);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
        if (write_one(dir, files[k].name, files[k].fn, s, res) < 0)
            return L2L_EIO;
    if (l2l_results_write_extra(s, res, dir) < 0)
        return L2L_EIO;
    struct atomic_file a;
    if (l2l_afile_open(&a, dir, "summary.csv") < 0)
        return L2L_EIO;
    if (write_summary(a.f, s, res) < 0) {
        l2l_afile_abort(&a);
        l2l_error("l2l: out of memory (writing %s/summary.csv)", dir);
        return L2L_ENOMEM;
    }
    return l2l_afile_commit(&a);
}
