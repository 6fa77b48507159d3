/* out_dir.c: the output directory, claimed before any work (out_dir.h). */
#define _DEFAULT_SOURCE /* realpath(path, NULL) */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atomic_file.h"
#include "bytes.h"
#include "log.h"
#include "options.h" /* l2l_value_names_file */
#include "out_dir.h"
#include "results.h"

/* Every file `l2l run` writes at the top of OUT (meta_NAME.csv and its
 * .meta_NAME.source aside); and the folders whose files it rewrites. */
static const char *const out_files[] = {
    "experiments.csv", "optimizers.csv", "curves.csv", "runs.csv", "tuning.csv", "timing.csv",
    "manifest.ini", "suite.ini", "summary.csv", "index.html", "report.md", ".lock", NULL};
static const char *const out_dirs[] = {"figures", "figures/data", ".partial", NULL};

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int has_affix(const char *name, const char *prefix, const char *suffix)
{
    size_t n = strlen(name), p = strlen(prefix), s = strlen(suffix);
    return n > p + s && !strncmp(name, prefix, p) && !strcmp(name + n - s, suffix);
}

/* A name at the top of OUT that the run writes or removes. */
static int is_output_name(const char *name)
{
    for (int k = 0; out_files[k]; k++)
        if (!strcmp(name, out_files[k]))
            return 1;
    return has_affix(name, "meta_", ".csv") || has_affix(name, ".meta_", ".source");
}

/* The output of OUT that input `path` is (written to out_path), or 0. */
static int clashes(const char *out, const struct stat *ost, const char *path, char *out_path,
                   size_t len)
{
    struct stat in;
    char *real = realpath(path, NULL);
    if (!real || stat(real, &in) != 0) {
        free(real);
        return 0;
    }
    char *slash = strrchr(real, '/');
    const char *base = slash + 1;
    *slash = 0;
    struct stat dst, st;
    int hit = 0;
    if (stat(real[0] ? real : "/", &dst) == 0) {
        if (same_file(&dst, ost) && is_output_name(base)) {
            l2l_fmt(out_path, len, "%s/%s", out, base);
            hit = 1;
        }
        for (int k = 0; !hit && out_dirs[k]; k++) {
            char sub[4200];
            l2l_fmt(sub, sizeof sub, "%s/%s", out, out_dirs[k]);
            if (stat(sub, &st) == 0 && same_file(&st, &dst)) {
                l2l_fmt(out_path, len, "%s/%s", sub, base);
                hit = 1;
            }
        }
    }
    /* another name of the same file (a hard link) */
    for (int k = 0; !hit && out_files[k]; k++) {
        char o[4200];
        l2l_fmt(o, sizeof o, "%s/%s", out, out_files[k]);
        if (stat(o, &st) == 0 && same_file(&st, &in)) {
            l2l_fmt(out_path, len, "%s", o);
            hit = 1;
        }
    }
    free(real);
    return hit;
}

static int refuse(const char *out_path, const char *what, const char *path)
{
    l2l_error("l2l: the output %s would replace %s %s: choose another output directory (-o)",
              out_path, what, path);
    return L2L_EINPUT;
}

/* Inputs of the suite that are files in OUT under an output's name. */
static int check_inputs(const struct suite *s, const char *out)
{
    struct stat ost;
    if (stat(out, &ost) != 0)
        return 0; /* OUT is still to be made: nothing of it can be an input */
    char hit[8400], what[512];
    if (clashes(out, &ost, s->path, hit, sizeof hit))
        return refuse(hit, "the suite file", s->path);
    for (int k = 0; k < s->n_optimizers; k++) {
        const struct suite_optimizer *o = &s->optimizers[k];
        if (o->learned && o->checkpoint && clashes(out, &ost, o->checkpoint, hit, sizeof hit)) {
            l2l_fmt(what, sizeof what, "the checkpoint of [optimizer %s],", o->name);
            return refuse(hit, what, o->checkpoint);
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        int n = pass ? s->n_optimizers : s->n_optimizees;
        for (int k = 0; k < n; k++) {
            const struct l2l_plugin *p = pass ? &s->optimizers[k].plugin : &s->optimizees[k].plugin;
            const struct l2l_value *v = pass ? s->optimizers[k].values : s->optimizees[k].values;
            const struct l2l_option *t = l2l_plugin_options(p);
            for (int j = 0; t && v && t[j].name; j++)
                if (l2l_value_names_file(&t[j], &v[j]) &&
                    clashes(out, &ost, v[j].s, hit, sizeof hit)) {
                    l2l_fmt(what, sizeof what, "the file of [%s %s] %s,",
                            pass ? "optimizer" : "optimizee",
                            pass ? s->optimizers[k].name : s->optimizees[k].name, t[j].name);
                    return refuse(hit, what, v[j].s);
                }
        }
    }
    return 0;
}

/* Removes what a killed writer left in dir: our temporary files; and the
 * files matching `match` when it is given. */
static int sweep(const char *dir, int (*match)(const char *name, void *ctx), void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* ours, and the fixed .NAME.tmp of versions before atomic_file.c */
        int temp = l2l_is_temp_name(e->d_name) || has_affix(e->d_name, ".", ".tmp");
        if (!temp && !(match && match(e->d_name, ctx)))
            continue;
        char path[4400];
        l2l_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) < 0 && errno != ENOENT) {
            l2l_error("l2l: cannot remove %s: %s", path, strerror(errno));
            rc = L2L_EIO;
        }
    }
    closedir(d);
    return rc;
}

/* What .meta_NAME.source holds for a log of checkpoint ckpt as it is now
 * (malloc'd), or NULL when the checkpoint cannot be read. */
static char *meta_source(const char *ckpt)
{
    unsigned char *data;
    size_t n;
    char err[L2L_ERRLEN];
    if (l2l_read_file(ckpt, (size_t)1 << 34, &data, &n, err, sizeof err) < 0)
        return NULL;
    uint32_t crc = l2l_crc32(data, n);
    free(data);
    char *abs = l2l_abs_path(ckpt);
    char *text = NULL;
    size_t len = abs ? strlen(abs) + 96 : 0;
    if (abs && (text = malloc(len)))
        snprintf(text, len, "; the checkpoint meta_*.csv beside this file is the log of\n"
                 "checkpoint = %s\nbytes = %zu\ncrc32 = %08x\n", abs, n, (unsigned)crc);
    free(abs);
    return text;
}

int l2l_out_meta_stamp(const char *out, const char *name, const char *checkpoint)
{
    char path[4400], err[4400];
    char *text = meta_source(checkpoint);
    if (!text) {
        l2l_error("l2l: cannot read %s back after meta-training", checkpoint);
        return L2L_EIO;
    }
    l2l_fmt(path, sizeof path, "%s/.meta_%s.source", out, name);
    int rc = l2l_atomic_write(path, text, strlen(text), 1, err, sizeof err);
    if (rc < 0)
        l2l_error("l2l: %s", err);
    free(text);
    return rc;
}

struct stale_ctx {
    const struct suite *s;
    const char *out;
};

/* meta_NAME.csv (or its .meta_NAME.source) that is not the log of this
 * suite's checkpoint for [optimizer NAME] as it is now. */
static int stale_meta(const char *file, void *arg)
{
    const struct stale_ctx *c = arg;
    int log = has_affix(file, "meta_", ".csv");
    if (!log && !has_affix(file, ".meta_", ".source"))
        return 0;
    char name[1024];
    size_t skip = log ? 5 : 6, tail = log ? 4 : 7;
    l2l_fmt(name, sizeof name, "%.*s", (int)(strlen(file) - skip - tail), file + skip);
    const struct suite_optimizer *o = NULL;
    for (int k = 0; k < c->s->n_optimizers; k++)
        if (c->s->optimizers[k].learned && !strcmp(c->s->optimizers[k].name, name))
            o = &c->s->optimizers[k];
    if (!o || !o->checkpoint)
        return 1;
    char path[4400];
    l2l_fmt(path, sizeof path, "%s/.meta_%s.source", c->out, name);
    unsigned char *was = NULL;
    size_t len = 0;
    char err[L2L_ERRLEN];
    struct stat st;
    if (stat(path, &st) != 0 || l2l_read_file(path, 1 << 16, &was, &len, err, sizeof err) < 0)
        return 1;
    char *now = meta_source(o->checkpoint);
    int same = now && strlen(now) == len && !memcmp(now, was, len);
    free(now);
    free(was);
    if (!same && log)
        l2l_info("l2l: %s/%s removed: not the log of %s as it is now", c->out, file, o->checkpoint);
    return !same;
}

int l2l_out_claim(const struct suite *s, const char *out, struct l2l_lock *lk)
{
    lk->fd = -1;
    int rc = check_inputs(s, out);
    if (rc < 0)
        return rc;
    if ((rc = l2l_results_mkdir(out)) < 0)
        return rc;
    if ((rc = l2l_out_lock(out, lk)) < 0)
        return rc;
    struct stale_ctx c = {s, out};
    char sub[4400];
    rc = sweep(out, stale_meta, &c);
    for (int k = 0; rc == 0 && k < 2; k++) { /* .partial: resume_area.c's own */
        l2l_fmt(sub, sizeof sub, "%s/%s", out, out_dirs[k]);
        rc = sweep(sub, NULL, NULL);
    }
    if (rc < 0)
        l2l_lock_release(lk);
    return rc;
}

int l2l_out_lock(const char *dir, struct l2l_lock *lk)
{
    char path[4400], err[1500];
    l2l_fmt(path, sizeof path, "%s/.lock", dir);
    int rc = l2l_lock_take(lk, path, dir, err, sizeof err);
    if (rc == L2L_EINPUT)
        l2l_error("l2l: %s: wait for it to finish, or choose another output directory (-o)", err);
    else if (rc < 0)
        l2l_error("l2l: %s", err);
    return rc;
}

static int figure_file(const char *name, void *ctx)
{
    (void)ctx;
    return has_affix(name, "", ".gp") || has_affix(name, "", ".png") ||
           has_affix(name, "", ".svg") || has_affix(name, "", ".log");
}

static int data_file(const char *name, void *ctx)
{
    (void)ctx;
    return has_affix(name, "", ".csv");
}

int l2l_out_clear_figures(const char *dir)
{
    char sub[4400];
    l2l_fmt(sub, sizeof sub, "%s/figures", dir);
    int rc = sweep(sub, figure_file, NULL);
    l2l_fmt(sub, sizeof sub, "%s/figures/data", dir);
    if (rc == 0)
        rc = sweep(sub, data_file, NULL);
    return rc;
}
