/* cmd_checkpoint.c: `l2l checkpoint show PATH...` (what a checkpoint holds:
 * plugin, shape, the options that change its update, whether its training
 * finished, what it cost, what it was trained on) and `l2l checkpoint
 * upgrade SUITE [--log NAME=META.csv | --seconds NAME=S]...` (format 1
 * checkpoints of a suite's learned optimizers re-saved as format 2, marked
 * finished, their cost from the meta-training log or a documented wall
 * time). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bytes.h"
#include "checkpoint.h"
#include "checkpoint_v1.h"
#include "commands.h"
#include "log.h"
#include "options.h"
#include "suite.h"

static void print_number(const char *label, double x, const char *unit)
{
    if (isnan(x))
        printf("  %s: unknown\n", label);
    else
        printf("  %s: %.1f %s\n", label, x, unit);
}

static int show(const char *path)
{
    struct l2l_checkpoint c;
    char err[L2L_ERRLEN];
    if (l2l_checkpoint_read(path, &c, err, sizeof err) < 0) {
        l2l_error("l2l checkpoint: %s", err);
        return L2L_EXIT_BADINPUT;
    }
    const struct l2l_ckpt_status *st = &c.status;
    printf("%s: plugin %s, checkpoint format 2\n", path, c.plugin);
    printf("  training: %s, epoch %lld of %lld; keeps the %s φ (best validation loss %.9g at epoch %lld)\n",
           st->finished ? "finished" : "NOT finished", (long long)st->epochs_done,
           (long long)st->epochs_planned, st->keep_last ? "last" : "best", st->best_loss,
           (long long)st->best_epoch);
    printf("  shape words:");
    for (uint32_t k = 0; k < c.n_shape; k++)
        printf(" %u", c.shape[k]);
    printf("\n  options that change the update:");
    for (uint32_t k = 0; k < c.n_opts; k++)
        printf("%s %s = %s", k ? ";" : "", c.opt_key[k], c.opt_val[k]);
    printf("\n");
    /* the CRC names φ's bits, so two trainings can be compared at a glance */
    for (uint32_t s = 0; s < c.n_sets; s++)
        printf("  set %s (groups %s): %llu meta-parameters, CRC-32 of φ %08x\n", c.sets[s].name,
               c.sets[s].groups, (unsigned long long)c.sets[s].n_meta,
               (unsigned)l2l_crc32(c.sets[s].phi, sizeof(float) * (size_t)c.sets[s].n_meta));
    print_number("meta-training wall time", c.cost.wall_seconds, "s");
    print_number("meta-training CPU time", c.cost.cpu_seconds, "s");
    printf("  optimizee trajectories: %llu (%llu steps)\n", (unsigned long long)c.cost.trajectories,
           (unsigned long long)c.cost.steps);
    printf("  trained as: %s\n", c.note);
    l2l_checkpoint_clear(&c);
    return 0;
}

/* The wall time and last epoch of a meta-training log (meta_NAME.csv:
 * epoch,...,seconds). Returns < 0 when it cannot be read. */
static int log_cost(const char *path, double *seconds, long *epochs)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int rows = 0;
    *seconds = 0;
    *epochs = -1;
    if (!fgets(line, sizeof line, f) || strncmp(line, "epoch,", 6) != 0) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *last = strrchr(line, ',');
        char *end;
        long e = strtol(line, &end, 10);
        double s = last ? strtod(last + 1, &end) : NAN;
        if (!last || !isfinite(s) || e < 0) {
            fclose(f);
            return -1;
        }
        *seconds += s;
        *epochs = e;
        rows++;
    }
    fclose(f);
    return rows ? 0 : -1;
}

/* "best validation loss X at epoch E" at the end of a format 1 note. */
static void note_best(const char *note, double *loss, long *epoch)
{
    const char *p = strstr(note, "best validation loss ");
    *loss = NAN;
    *epoch = -1;
    if (p && sscanf(p, "best validation loss %lf at epoch %ld", loss, epoch) != 2) {
        *loss = NAN;
        *epoch = -1;
    }
}

/* Where an upgraded checkpoint's cost comes from: a meta-training log, or
 * a documented wall time (seconds > 0), or nothing (unknown). */
struct cost_source {
    const char *optimizer, *log;
    double seconds;
};

static int upgrade_one(const struct suite *s, const struct suite_optimizer *o, const struct cost_source *src)
{
    const char *log = src ? src->log : NULL;
    int given = src && !src->log;
    char err[L2L_ERRLEN], buf[4096], state[4096], opts[2048], head[2560];
    struct l2l_checkpoint c, want;
    memset(&want, 0, sizeof want);
    if (l2l_checkpoint_read_v1(o->checkpoint, &c, err, sizeof err) < 0) {
        l2l_error("l2l checkpoint upgrade: %s", err);
        return L2L_EXIT_BADINPUT;
    }
    int rc = L2L_EXIT_BADINPUT;
    const struct l2l_optimizer_ops *opt = o->plugin.u.opt;
    const struct l2l_group all = {"all", 0, 1};
    void *self = opt->create(o->values, 1, &all, 1, err, sizeof err);
    l2l_fmt(state, sizeof state, "%s.state", o->checkpoint);
    /* the note of format 1 begins with the options it was trained with */
    l2l_values_format(opt->options, o->values, opts, sizeof opts);
    l2l_fmt(head, sizeof head, "optimizer=%s (%s);", opt->name, opts);
    if (!self) {
        l2l_error("%s:%d: [optimizer %s] %s", s->path, o->line, o->name, err);
    } else if (access(state, F_OK) == 0) {
        l2l_error("l2l checkpoint upgrade: %s: its training is not finished (%s is there): "
                  "finish it with `l2l train`, or delete both", o->checkpoint, state);
    } else if (strncmp(c.note, head, strlen(head)) != 0) {
        l2l_error("l2l checkpoint upgrade: %s was not trained with the options of [optimizer %s] in %s "
                  "(its note begins '%.200s', expected '%.200s')", o->checkpoint, o->name, s->path, c.note,
                  head);
    } else if (l2l_checkpoint_identify(&want, opt, o->values, self, buf, sizeof buf, err, sizeof err) < 0) {
        l2l_error("l2l checkpoint upgrade: %s", err);
    } else {
        /* the options were checked against the note above: recorded as the suite's */
        c.n_opts = want.n_opts;
        for (uint32_t k = 0; k < want.n_opts; k++) {
            c.opt_key[k] = want.opt_key[k];
            c.opt_val[k] = want.opt_val[k];
        }
        if (l2l_checkpoint_match(o->checkpoint, &c, &want, opt->learned->shape_names, err, sizeof err) < 0 ||
            c.sets[0].n_meta != opt->learned->n_meta(self)) {
            l2l_error("l2l checkpoint upgrade: %s", err[0] ? err : "φ has another size than the suite's");
            goto out;
        }
        double loss, seconds = NAN;
        long best, epochs = -1;
        note_best(c.note, &loss, &best);
        if (log && log_cost(log, &seconds, &epochs) < 0) {
            l2l_error("l2l checkpoint upgrade: %s: not a meta-training log (epoch,...,seconds)", log);
            goto out;
        }
        if (given) /* --seconds: the documented wall time */
            seconds = src->seconds;
        c.sets[0].name = "all";
        c.sets[0].groups = "*";
        c.status = (struct l2l_ckpt_status){.finished = 1, .keep_last = 0,
                                            .epochs_done = epochs >= 0 ? epochs : o->meta.epochs,
                                            .epochs_planned = epochs > o->meta.epochs ? epochs : o->meta.epochs,
                                            .best_epoch = best,
                                            .best_loss = loss};
        c.cost = (struct l2l_ckpt_cost){.wall_seconds = seconds, .cpu_seconds = NAN};
        epochs = (long)c.status.epochs_done;
        {   /* validations at epoch 0, every valid_every epochs, and the last */
            long valids = epochs / o->meta.valid_every + 1 + (epochs % o->meta.valid_every != 0);
            c.cost.trajectories = (uint64_t)epochs * (uint64_t)o->meta.problems +
                                  (uint64_t)valids * (uint64_t)o->meta.valid_problems;
            c.cost.steps = c.cost.trajectories * (uint64_t)o->meta.steps;
        }
        if (l2l_checkpoint_write(o->checkpoint, &c, err, sizeof err) < 0) {
            l2l_error("l2l checkpoint upgrade: %s", err);
            rc = 1;
        } else {
            printf("%s: format 1 -> 2, finished, %ld epochs%s\n", o->checkpoint, (long)c.status.epochs_done,
                   given ? " (wall time as given)" : log ? " (cost from the log)" : " (cost unknown)");
            rc = 0;
        }
    }
out:
    /* borrowed strings: not c's to free */
    c.n_opts = 0;
    if (c.sets)
        c.sets[0].name = c.sets[0].groups = NULL;
    if (self)
        opt->destroy(self);
    l2l_checkpoint_clear(&c);
    return rc;
}

static int upgrade(int argc, char **argv)
{
    const char *suite_path = NULL;
    struct cost_source src[64];
    int n_src = 0;
    for (int k = 2; k < argc; k++) {
        int secs = !strcmp(argv[k], "--seconds"), is_log = !strcmp(argv[k], "--log");
        char *eq = (secs || is_log) && k + 1 < argc ? strchr(argv[k + 1], '=') : NULL, *end = NULL;
        if (eq && n_src < 64) {
            struct cost_source *c = &src[n_src++];
            *eq = 0;
            c->optimizer = argv[++k];
            c->log = is_log ? eq + 1 : NULL;
            c->seconds = secs ? strtod(eq + 1, &end) : NAN;
            if (secs && (*end || end == eq + 1 || !(c->seconds > 0))) {
                l2l_error("l2l checkpoint upgrade: --seconds %s=%s: expected a positive number of seconds",
                          c->optimizer, eq + 1);
                return L2L_EXIT_BADINPUT;
            }
        } else if (argv[k][0] != '-' && !suite_path) {
            suite_path = argv[k];
        } else {
            l2l_error("l2l checkpoint upgrade: unexpected '%s' (usage: l2l checkpoint upgrade SUITE "
                      "[--log OPTIMIZER=META.csv | --seconds OPTIMIZER=S]...)", argv[k]);
            return L2L_EXIT_BADINPUT;
        }
    }
    if (!suite_path) {
        l2l_error("l2l checkpoint upgrade: expected a suite file");
        return L2L_EXIT_BADINPUT;
    }
    struct suite s;
    if (l2l_suite_load(suite_path, -1, &s) < 0)
        return L2L_EXIT_BADINPUT;
    int rc = 0, done = 0;
    for (int k = 0; k < s.n_optimizers && rc == 0; k++) {
        const struct suite_optimizer *o = &s.optimizers[k];
        if (!o->learned || access(o->checkpoint, F_OK) != 0)
            continue;
        struct l2l_checkpoint c;
        char err[L2L_ERRLEN];
        if (l2l_checkpoint_read_v1(o->checkpoint, &c, err, sizeof err) < 0)
            continue; /* not format 1: nothing to do */
        l2l_checkpoint_clear(&c);
        const struct cost_source *from = NULL;
        for (int j = 0; j < n_src; j++)
            if (!strcmp(src[j].optimizer, o->name))
                from = &src[j];
        rc = upgrade_one(&s, o, from);
        done += rc == 0;
    }
    if (rc == 0 && !done)
        printf("%s: no format 1 checkpoint to upgrade\n", suite_path);
    l2l_suite_free(&s);
    return rc;
}

int l2l_cmd_checkpoint(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "show")) {
        int rc = 0;
        for (int k = 2; k < argc; k++)
            if (show(argv[k]) != 0)
                rc = L2L_EXIT_BADINPUT;
        return rc;
    }
    if (argc >= 2 && !strcmp(argv[1], "upgrade"))
        return upgrade(argc, argv);
    l2l_error("l2l checkpoint: expected `show PATH...` or `upgrade SUITE [--log OPTIMIZER=META.csv]...`");
    return L2L_EXIT_BADINPUT;
}
