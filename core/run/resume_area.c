/* resume_area.c: the work area of an interrupted `l2l run` (resume_area.h).
 * One file per finished run, named by its place in the suite
 * (tune-E-J-G-R, eval-E-J-R), little-endian like the checkpoints:
 * "L2LTASK\0" | u32 version | u32 fingerprint CRC-32 | u32 tuning | u32 exp | u32 slot | i64 grid |
 * u64 run | u64 steps | i64 diverged_step | f64 final_loss | f64 eval_loss |
 * f64 eval_accuracy | f64 seconds | u64 n_loss | f64 loss[n_loss] | u32 CRC-32.
 * Doubles are kept bit for bit, so results rebuilt from these files are
 * byte-identical to an uninterrupted run's. Files are not fsynced: after a
 * crash a torn file fails its CRC and that run is simply redone. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atomic_file.h"
#include "bytes.h"
#include "config.h"
#include "revision.h"
#include "log.h"
#include "resume_area.h"
#include "plugin_loader.h"
#include "results.h"

#define TASK_MAGIC "L2LTASK"
#define TASK_VERSION 2u /* 2: the fingerprint's CRC-32 in every file */
#define FINGERPRINT "fingerprint"

char *l2l_run_fingerprint(const struct suite *s, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        l2l_fmt(err, errlen, "out of memory");
        return NULL;
    }
    fprintf(f, "; what decides the runs kept here (l2l run's work area)\nl2l = %s %s\n",
            PACKAGE_VERSION, L2L_GIT_REVISION);
    for (int k = 0; k < s->n_optimizers; k++)
        fprintf(f, "optimizer %s = %s %s\n", s->optimizers[k].name,
                l2l_plugin_name(&s->optimizers[k].plugin), l2l_plugin_version(&s->optimizers[k].plugin));
    for (int k = 0; k < s->n_optimizees; k++)
        fprintf(f, "optimizee %s = %s %s\n", s->optimizees[k].name,
                l2l_plugin_name(&s->optimizees[k].plugin), l2l_plugin_version(&s->optimizees[k].plugin));
    int rc = 0;
    for (int k = 0; k < s->n_optimizers && rc == 0; k++) {
        const struct suite_optimizer *o = &s->optimizers[k];
        if (!o->learned || !o->checkpoint)
            continue;
        unsigned char *data;
        size_t n;
        rc = l2l_read_file_magic(o->checkpoint, (size_t)1 << 32, "L2LCKPT", "an l2l-bench checkpoint",
                                 &data, &n, err, errlen);
        if (rc == 0) { /* a re-trained checkpoint changes every learned run */
            fprintf(f, "checkpoint %s = %s, %zu bytes, CRC-32 %08x\n", o->name, o->checkpoint, n,
                    (unsigned)l2l_crc32(data, n));
            free(data);
        }
    }
    l2l_suite_write(f, s);
    int bad = ferror(f);
    fclose(f);
    if (rc < 0 || bad) {
        if (bad)
            l2l_fmt(err, errlen, "out of memory");
        free(text);
        return NULL;
    }
    return text;
}

static void task_name(const struct l2l_task_key *k, char *buf, size_t len)
{
    if (k->tuning)
        l2l_fmt(buf, len, "tune-%d-%d-%d-%ld", k->exp, k->slot, k->grid, k->run);
    else if (k->horizon > 1)
        l2l_fmt(buf, len, "eval-%d-%d-%ld-h%ld", k->exp, k->slot, k->run, k->horizon);
    else
        l2l_fmt(buf, len, "eval-%d-%d-%ld", k->exp, k->slot, k->run);
}

static int is_task_file(const char *name)
{
    return (!strncmp(name, "tune-", 5) || !strncmp(name, "eval-", 5)) && !strchr(name, '.');
}

/* Removes every file of the area (all_files) or only its temporary files. */
static int clear_dir(const char *dir, int all_files)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : L2L_EIO;
    int rc = 0;
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (!all_files && !strstr(e->d_name, ".tmp"))
            continue;
        l2l_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) < 0) {
            l2l_error("l2l: cannot remove %s: %s", path, strerror(errno));
            rc = L2L_EIO;
        }
    }
    closedir(d);
    return rc;
}

static long count_tasks(const char *dir)
{
    DIR *d = opendir(dir);
    long n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += is_task_file(e->d_name);
    if (d)
        closedir(d);
    return n;
}

/* Writes data to dir/name atomically (atomic_file.h); not synced: a run
 * lost in a crash is redone. */
static int write_file(const char *dir, const char *name, const void *data, size_t len, char *err,
                      size_t errlen)
{
    char path[4400];
    l2l_fmt(path, sizeof path, "%s/%s", dir, name);
    return l2l_atomic_write(path, data, len, 0, err, errlen);
}

int l2l_partial_open(struct l2l_partial *w, const char *out_dir, const char *fp, long *kept)
{
    *kept = 0;
    l2l_fmt(w->dir, sizeof w->dir, "%s/.partial", out_dir);
    if (l2l_results_mkdir(w->dir) < 0)
        return L2L_EIO;
    char path[4400], err[L2L_ERRLEN];
    l2l_fmt(path, sizeof path, "%s/summary.csv", out_dir);
    if (unlink(path) < 0 && errno != ENOENT) {
        l2l_error("l2l: cannot remove the old %s: %s", path, strerror(errno));
        return L2L_EIO;
    }
    if (clear_dir(w->dir, 0) < 0) /* a writer stopped half-way */
        return L2L_EIO;
    l2l_fmt(path, sizeof path, "%s/%s", w->dir, FINGERPRINT);
    unsigned char *was = NULL;
    size_t len = 0;
    struct stat st;
    int same = stat(path, &st) == 0 &&
               l2l_read_file(path, (size_t)1 << 26, &was, &len, err, sizeof err) == 0 &&
               len == strlen(fp) && memcmp(was, fp, len) == 0;
    free(was);
    w->fp_crc = l2l_crc32(fp, strlen(fp));
    if (same) {
        *kept = count_tasks(w->dir);
        return 0;
    }
    long stale = count_tasks(w->dir);
    if (stale > 0)
        l2l_warn("l2l: %s: %ld kept runs are of another suite, seed, plugin, checkpoint or l2l "
                 "version: discarded", w->dir, stale);
    if (clear_dir(w->dir, 1) < 0)
        return L2L_EIO;
    if (write_file(w->dir, FINGERPRINT, fp, strlen(fp), err, sizeof err) < 0) {
        l2l_error("l2l: %s", err);
        return L2L_EIO;
    }
    return 0;
}

int l2l_partial_save(const struct l2l_partial *w, const struct l2l_task_key *key,
                     const struct run_out *out, double seconds, char *err, size_t errlen)
{
    struct l2l_obuf b = {0};
    long last = out->diverged_step >= 0 ? out->diverged_step : out->steps;
    uint64_t n_loss = out->loss ? (uint64_t)(last + 1) : 0;
    l2l_put_bytes(&b, TASK_MAGIC, 8);
    l2l_put_u32(&b, TASK_VERSION);
    l2l_put_u32(&b, w->fp_crc);
    l2l_put_u32(&b, (uint32_t)key->tuning);
    l2l_put_u32(&b, (uint32_t)key->exp);
    l2l_put_u32(&b, (uint32_t)key->slot);
    l2l_put_u64(&b, (uint64_t)(int64_t)key->grid);
    l2l_put_u64(&b, (uint64_t)key->run);
    l2l_put_u64(&b, (uint64_t)out->steps);
    l2l_put_u64(&b, (uint64_t)(int64_t)out->diverged_step);
    l2l_put_f64(&b, out->final_loss);
    l2l_put_f64(&b, out->eval_loss);
    l2l_put_f64(&b, out->eval_accuracy);
    l2l_put_f64(&b, seconds);
    l2l_put_u64(&b, n_loss);
    for (uint64_t t = 0; t < n_loss; t++)
        l2l_put_f64(&b, out->loss[t]);
    l2l_put_crc(&b);
    char name[128];
    task_name(key, name, sizeof name);
    int rc;
    if (b.failed) {
        l2l_fmt(err, errlen, "%s/%s: out of memory", w->dir, name);
        rc = L2L_ENOMEM;
    } else {
        rc = write_file(w->dir, name, b.data, b.len, err, errlen);
    }
    l2l_obuf_free(&b);
    return rc;
}

/* Parses a task file into out; returns NULL or what is wrong with it. */
static const char *parse_task(const unsigned char *data, size_t len, uint32_t fp_crc,
                              const struct l2l_task_key *key, struct run_out *out, double *seconds)
{
    struct l2l_ibuf in = {data, len, 0, 0};
    char magic[8];
    uint32_t version = 0, crc = 0, tuning = 0, exp = 0, slot = 0;
    uint64_t grid = 0, run = 0, steps = 0, div = 0, n_loss = 0;
    if (l2l_get_bytes(&in, magic, 8) < 0 || memcmp(magic, TASK_MAGIC, 8) != 0)
        return "not a kept run: no L2LTASK magic";
    if (!l2l_crc_ok(data, len))
        return "checksum mismatch: cut short or corrupt";
    l2l_get_u32(&in, &version);
    if (version != TASK_VERSION)
        return "another format version";
    l2l_get_u32(&in, &crc);
    if (crc != fp_crc) /* the area's fingerprint is checked once; each file too */
        return "a run of another suite, seed, plugin, checkpoint or l2l version";
    l2l_get_u32(&in, &tuning);
    l2l_get_u32(&in, &exp);
    l2l_get_u32(&in, &slot);
    l2l_get_u64(&in, &grid);
    l2l_get_u64(&in, &run);
    l2l_get_u64(&in, &steps);
    if ((int)tuning != key->tuning || (int)exp != key->exp || (int)slot != key->slot ||
        (int64_t)grid != key->grid || (long)run != key->run || (long)steps != out->steps)
        return "it holds another run";
    l2l_get_u64(&in, &div);
    long d = (long)(int64_t)div;
    l2l_get_f64(&in, &out->final_loss);
    l2l_get_f64(&in, &out->eval_loss);
    l2l_get_f64(&in, &out->eval_accuracy);
    l2l_get_f64(&in, seconds);
    l2l_get_u64(&in, &n_loss);
    long last = d >= 0 ? d : out->steps;
    if (d < -1 || d > out->steps || n_loss != (out->loss ? (uint64_t)(last + 1) : 0))
        return "inconsistent sizes";
    out->diverged_step = d;
    for (uint64_t t = 0; t < n_loss; t++)
        l2l_get_f64(&in, &out->loss[t]);
    if (in.short_read || in.pos + 4 != len)
        return "inconsistent sizes";
    return NULL;
}

int l2l_partial_load(const struct l2l_partial *w, const struct l2l_task_key *key,
                     struct run_out *out, double *seconds)
{
    char name[128], path[4400], err[L2L_ERRLEN];
    task_name(key, name, sizeof name);
    l2l_fmt(path, sizeof path, "%s/%s", w->dir, name);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    unsigned char *data;
    size_t len;
    /* The layout above: 100 bytes of header, n_loss <= steps + 1 losses, a 4-byte CRC. */
    size_t most = 104 + 8 * ((size_t)out->steps + 1);
    if (l2l_read_file_magic(path, most, TASK_MAGIC, "a kept run", &data, &len, err, sizeof err) < 0) {
        l2l_warn("l2l: %s; that run is done again", err);
        return 0;
    }
    const char *why = parse_task(data, len, w->fp_crc, key, out, seconds);
    free(data);
    if (why) {
        l2l_warn("l2l: %s: unusable (%s); that run is done again", path, why);
        return 0;
    }
    return 1;
}

int l2l_partial_remove(const struct l2l_partial *w)
{
    if (clear_dir(w->dir, 1) < 0)
        return L2L_EIO;
    if (rmdir(w->dir) < 0 && errno != ENOENT) {
        l2l_error("l2l: cannot remove %s: %s", w->dir, strerror(errno));
        return L2L_EIO;
    }
    return 0;
}
