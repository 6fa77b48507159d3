/* results_extra.c: the judgment files of a results directory
 * (results_extra.h; columns in README, Results files). horizons.csv,
 * trace.csv, trace_pairs.csv and provenance.csv are deterministic like
 * the other CSV files; timing_cost.csv holds measured times. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "checkpoint.h"
#include "escape.h"
#include "log.h"
#include "options.h"
#include "plugin_loader.h"
#include "results.h"
#include "results_extra.h"
#include "trace.h"

static void num(FILE *f, double x)
{
    if (isnan(x))
        fputs("nan", f);
    else if (isinf(x))
        fputs(x > 0 ? "inf" : "-inf", f);
    else
        fprintf(f, "%.9g", x);
}

static const char *obj_name(const struct suite *s, const struct suite_experiment *x)
{
    return s->optimizees[x->optimizee].name;
}

static void write_horizons(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,horizon,steps,run,final_loss,diverged_step\n", f);
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        for (int j = 0; j < res[e].n; j++) {
            const struct opt_result *r = &res[e].opt[j];
            for (int h = 0; r->hruns && h < x->n_horizons; h++)
                for (long k = 0; k < x->runs; k++) {
                    const struct run_out *ro = &r->hruns[h * x->runs + k];
                    fprintf(f, "%s,%s,%s,%ld,%ld,%ld,", x->name, obj_name(s, x),
                            s->optimizers[r->optimizer].name, x->horizon[h], ro->steps, k);
                    num(f, ro->final_loss);
                    fputc(',', f);
                    if (ro->diverged_step >= 0)
                        fprintf(f, "%ld", ro->diverged_step);
                    fputc('\n', f);
                }
        }
    }
}

static void write_trace(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,step,loss,grad_norm,step_ratio,cosine,against\n", f);
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < res[e].n; j++) {
            const struct opt_result *r = &res[e].opt[j];
            const struct l2l_trace *tr = r->trace;
            for (long t = 0; tr && t < tr->done; t++) {
                fprintf(f, "%s,%s,%s,%ld", s->experiments[e].name, obj_name(s, &s->experiments[e]),
                        s->optimizers[r->optimizer].name, t);
                const double v[] = {tr->loss[t], tr->grad_norm[t], tr->ratio[t], tr->cosine[t],
                                    tr->against[t]};
                for (int c = 0; c < 5; c++) {
                    fputc(',', f);
                    num(f, v[c]);
                }
                fputc('\n', f);
            }
        }
}

static void write_trace_pairs(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,step,coordinate,grad,update\n", f);
    for (int e = 0; e < s->n_experiments; e++)
        for (int j = 0; j < res[e].n; j++) {
            const struct opt_result *r = &res[e].opt[j];
            const struct l2l_trace *tr = r->trace;
            for (long t = 0; tr && t < tr->done; t++)
                for (int k = 0; k < tr->n_sample; k++) {
                    fprintf(f, "%s,%s,%s,%ld,%zu,", s->experiments[e].name,
                            obj_name(s, &s->experiments[e]), s->optimizers[r->optimizer].name, t,
                            tr->sample[k]);
                    num(f, tr->pair_grad[t * tr->n_sample + k]);
                    fputc(',', f);
                    num(f, tr->pair_update[t * tr->n_sample + k]);
                    fputc('\n', f);
                }
        }
}

/* A field "KEY=VALUE" of the checkpoint's note ("k=v; k=v; ..."), or "". */
static void note_field(const char *note, const char *key, char *out, size_t len)
{
    size_t kl = strlen(key);
    out[0] = 0;
    for (const char *p = note; p && *p; ) {
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            size_t n = strcspn(p + kl + 1, ";");
            l2l_fmt(out, len, "%.*s", (int)n, p + kl + 1);
            return;
        }
        const char *semi = strchr(p, ';');
        p = semi ? semi + 1 + strspn(semi + 1, " ") : NULL;
    }
}

/* Whether experiment x is what o was trained on: the same optimizee (its
 * section when the suite trains o, its plugin and options compared when
 * another section; its name in the checkpoint's note when the suite does
 * not train o) and the same steps. why: what differs. */
static int in_distribution(const struct suite *s, const struct suite_experiment *x,
                           const struct suite_optimizer *o, const char *tname, const char *tplugin,
                           long tsteps, char *why, size_t len)
{
    const struct suite_optimizee *e = &s->optimizees[x->optimizee];
    why[0] = 0;
    if (strcmp(l2l_plugin_name(&e->plugin), tplugin) != 0) {
        l2l_fmt(why, len, "plugin %s, trained on %s", l2l_plugin_name(&e->plugin), tplugin);
        return 0;
    }
    if (o->train_on >= 0 && o->train_on != x->optimizee) {
        const struct suite_optimizee *t = &s->optimizees[o->train_on];
        const struct l2l_option *table = l2l_plugin_options(&e->plugin);
        for (int k = 0; table && table[k].name; k++) {
            char a[256], b[256];
            l2l_value_canon(&table[k], &e->values[k], a, sizeof a);
            l2l_value_canon(&table[k], &t->values[k], b, sizeof b);
            if (strcmp(a, b) != 0) {
                l2l_fmt(why, len, "%s = %s, trained on %s", table[k].name, a, b);
                return 0;
            }
        }
    } else if (o->train_on < 0 && strcmp(e->name, tname) != 0) {
        l2l_fmt(why, len, "optimizee %s, trained on %s", e->name, tname);
        return 0;
    }
    if (tsteps > 0 && tsteps != x->steps) {
        l2l_fmt(why, len, "%ld steps, trained on %ld", x->steps, tsteps);
        return 0;
    }
    return 1;
}

/* "suite S, optimizee N (plugin P), seed X" of trained_on=... */
static void parse_trained_on(const char *note, char *name, char *plugin, size_t len)
{
    char t[1024];
    note_field(note, "trained_on", t, sizeof t);
    const char *p = strstr(t, "optimizee ");
    name[0] = plugin[0] = 0;
    if (!p)
        return;
    p += strlen("optimizee ");
    l2l_fmt(name, len, "%.*s", (int)strcspn(p, " ,"), p);
    const char *q = strstr(p, "(plugin ");
    if (q)
        l2l_fmt(plugin, len, "%.*s", (int)strcspn(q + 8, ")"), q + 8);
}

static void write_provenance(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,trained_suite,trained_optimizee,trained_plugin,"
          "trained_steps,epochs,seed,distribution,differs\n", f);
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        for (int j = 0; j < res[e].n; j++) {
            const struct suite_optimizer *o = &s->optimizers[res[e].opt[j].optimizer];
            struct l2l_checkpoint c = {0};
            char err[L2L_ERRLEN], name[256], plugin[256], steps[64], seed[64], t[1024], suite[256];
            if (!o->learned || !o->checkpoint ||
                l2l_checkpoint_read(o->checkpoint, &c, err, sizeof err) < 0)
                continue;
            parse_trained_on(c.note, name, plugin, sizeof name);
            note_field(c.note, "trained_on", t, sizeof t);
            l2l_fmt(suite, sizeof suite, "%.*s", (int)strcspn(t + (strncmp(t, "suite ", 6) ? 0 : 6), ","),
                    t + (strncmp(t, "suite ", 6) ? 0 : 6));
            note_field(c.note, "steps", steps, sizeof steps);
            note_field(c.note, "seed", seed, sizeof seed);
            char why[512];
            int in = in_distribution(s, x, o, name, plugin, atol(steps), why, sizeof why);
            fprintf(f, "%s,%s,%s,", x->name, obj_name(s, x), o->name);
            l2l_esc_csv(f, suite); /* text from the file: quoted as needed */
            fprintf(f, ",");
            l2l_esc_csv(f, name);
            fputc(',', f);
            l2l_esc_csv(f, plugin);
            fprintf(f, ",%s,%lld,%s,%s,", steps, (long long)c.status.epochs_done, seed,
                    in ? "training" : "transfer");
            l2l_esc_csv(f, why);
            fputc('\n', f);
            l2l_checkpoint_clear(&c);
        }
    }
}

static void write_cost(FILE *f, const struct suite *s, const struct exp_result *res)
{
    fputs("experiment,optimizee,optimizer,params,tune_runs,tune_steps,tune_runs_measured,"
          "tune_cpu_seconds,eval_runs,eval_steps,eval_runs_measured,eval_cpu_seconds,"
          "step_ns_per_param,state_bytes_per_param,meta_epochs,meta_trajectories,meta_steps,"
          "meta_cpu_seconds,meta_wall_seconds\n", f);
    for (int e = 0; e < s->n_experiments; e++) {
        const struct suite_experiment *x = &s->experiments[e];
        for (int j = 0; j < res[e].n; j++) {
            const struct opt_result *r = &res[e].opt[j];
            const struct suite_optimizer *o = &s->optimizers[r->optimizer];
            fprintf(f, "%s,%s,%s,%ld,%ld,%ld,%ld,%.6f,%ld,%ld,%ld,%.6f,", x->name, obj_name(s, x),
                    o->name, r->n_params, (long)r->n_grid * x->tune_runs, x->tune_steps,
                    r->tune_measured, r->tune_cpu, x->runs, x->steps, r->eval_measured, r->eval_cpu);
            num(f, r->step_ns);
            fputc(',', f);
            num(f, r->state_bytes);
            struct l2l_checkpoint c = {0};
            char err[L2L_ERRLEN];
            if (o->learned && o->checkpoint &&
                l2l_checkpoint_read(o->checkpoint, &c, err, sizeof err) == 0) {
                fprintf(f, ",%lld,%llu,%llu,", (long long)c.status.epochs_done,
                        (unsigned long long)c.cost.trajectories, (unsigned long long)c.cost.steps);
                num(f, c.cost.cpu_seconds);
                fputc(',', f);
                num(f, c.cost.wall_seconds);
                fputc('\n', f);
                l2l_checkpoint_clear(&c);
            } else {
                fputs(",0,0,0,0,0\n", f);
            }
        }
    }
}

typedef void (*writer_fn)(FILE *, const struct suite *, const struct exp_result *);

/* Writes dir/name, or removes an earlier run's copy when `want` is 0. */
static int write_or_remove(const char *dir, const char *name, int want, writer_fn fn,
                           const struct suite *s, const struct exp_result *res)
{
    if (!want) {
        char path[4400];
        l2l_fmt(path, sizeof path, "%s/%s", dir, name);
        if (unlink(path) < 0 && errno != ENOENT) {
            l2l_error("l2l: cannot remove the old %s: %s", path, strerror(errno));
            return L2L_EIO;
        }
        return 0;
    }
    struct atomic_file a;
    if (l2l_afile_open(&a, dir, name) < 0)
        return L2L_EIO;
    fn(a.f, s, res);
    return l2l_afile_commit(&a);
}

int l2l_results_write_extra(const struct suite *s, const struct exp_result *res, const char *dir)
{
    int horizons = 0, trace = 0, learned = 0;
    for (int e = 0; e < s->n_experiments; e++) {
        horizons |= s->experiments[e].n_horizons > 0;
        trace |= s->experiments[e].trace;
        for (int j = 0; j < s->experiments[e].n_optimizers; j++)
            learned |= s->optimizers[s->experiments[e].optimizers[j]].learned;
    }
    if (write_or_remove(dir, "horizons.csv", horizons, write_horizons, s, res) < 0 ||
        write_or_remove(dir, "trace.csv", trace, write_trace, s, res) < 0 ||
        write_or_remove(dir, "trace_pairs.csv", trace, write_trace_pairs, s, res) < 0 ||
        write_or_remove(dir, "provenance.csv", learned, write_provenance, s, res) < 0 ||
        write_or_remove(dir, "timing_cost.csv", 1, write_cost, s, res) < 0)
        return L2L_EIO;
    return 0;
}
