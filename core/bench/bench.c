/* bench.c: what every `l2l bench` measurement shares: the settings, the
 * table of tidy rows, the timer, RSS, and the CSV and readable outputs. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "atomic_file.h"
#include "bench.h"
#include "log.h"
#include "options.h"

void l2l_bench_init(struct l2l_bench *b, int quick)
{
    memset(b, 0, sizeof *b);
    /* Shared machines: the fastest of several short windows is the least
     * disturbed estimate of what the code can do. */
    b->min_seconds = quick ? 0.2 : 0.5;
    b->windows = quick ? 2 : 3;
    b->pairs = quick ? 3 : 5;
    static const size_t full[] = {1280, 15910, 1000000}, fast[] = {1280, 15910};
    b->n_sizes = quick ? 2 : 3;
    memcpy(b->sizes, quick ? fast : full, sizeof(size_t) * (size_t)b->n_sizes);
    b->unroll = 20;
    b->mem_n = quick ? 0 : 1000000;
    b->trajectories = quick ? 1 : 5;
    b->traj_steps = 100;
    b->verbose = 1;
    b->sgemm_n = 2048;
    b->copy_large = (size_t)1 << 25; /* 128 MiB each way, well past any cache */
    b->tape_n = 15910;
}

void l2l_bench_free(struct l2l_bench *b)
{
    free(b->rows);
    b->rows = NULL;
    b->n_rows = b->cap = 0;
}

int l2l_bench_add(struct l2l_bench *b, const char *bench, long long n, const char *metric,
                  double value, const char *unit)
{
    if (b->n_rows == b->cap) {
        int cap = b->cap ? 2 * b->cap : 64;
        struct l2l_bench_row *r = realloc(b->rows, sizeof *r * (size_t)cap);
        if (!r)
            return L2L_ENOMEM;
        b->rows = r;
        b->cap = cap;
    }
    struct l2l_bench_row *r = &b->rows[b->n_rows++];
    l2l_fmt(r->bench, sizeof r->bench, "%s", bench);
    r->n = n;
    l2l_fmt(r->metric, sizeof r->metric, "%s", metric);
    r->value = value;
    l2l_fmt(r->unit, sizeof r->unit, "%s", unit);
    return 0;
}

double l2l_bench_get(const struct l2l_bench *b, const char *bench, long long n,
                     const char *metric)
{
    for (int k = 0; k < b->n_rows; k++) {
        const struct l2l_bench_row *r = &b->rows[k];
        if (r->n == n && !strcmp(r->bench, bench) && !strcmp(r->metric, metric))
            return r->value;
    }
    return NAN;
}

double l2l_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per call of fn over one window of at least `seconds`. */
static double window(void (*fn)(void *ctx), void *ctx, double seconds)
{
    long calls = 0, batch = 1;
    double t, t0 = l2l_bench_now();
    for (;;) {
        for (long k = 0; k < batch; k++)
            fn(ctx);
        calls += batch;
        t = l2l_bench_now() - t0;
        if (t >= seconds)
            break;
        if (t < seconds / 16) /* few clock reads for fast calls */
            batch *= 2;
    }
    return t / (double)calls;
}

double l2l_bench_time(const struct l2l_bench *b, void (*fn)(void *ctx), void *ctx)
{
    double t0 = l2l_bench_now();
    fn(ctx); /* warm-up: first touch of buffers, caches, thread start */
    double warm = l2l_bench_now() - t0, best = INFINITY;
    int windows = warm >= b->min_seconds ? 1 : b->windows;
    for (int w = 0; w < windows; w++) {
        double s = window(fn, ctx, b->min_seconds);
        if (s < best)
            best = s;
    }
    return best;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double l2l_bench_median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof x[0], cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

void l2l_bench_grad(float *grad, size_t n)
{
    for (size_t k = 0; k < n; k++)
        grad[k] = (float)((double)(k % 1000) - 500) * 1e-4f;
}

void l2l_bench_dg(float *dg, size_t len)
{
    for (size_t k = 0; k < len; k++)
        dg[k] = 1e-3f * (float)(k % 13);
}

void l2l_bench_unroll(const struct l2l_optimizer_ops *ops, void *self, int U, const float *theta,
                      const float *grad, float *upd, const float *dg, float *dphi)
{
    const struct l2l_learned_ops *lo = ops->learned;
    lo->tape_begin(self, U);
    for (int t = 0; t < U; t++)
        lo->step_record(self, t, theta, grad, upd);
    lo->backward(self, dg, dphi);
}

double l2l_bench_paired(const struct l2l_bench *b, int pairs, void (*fn)(void *ctx), void *ctx,
                        void (*ref)(void *ctx), void *rctx, double *lo, double *hi)
{
    double r[64];
    if (pairs > 64)
        pairs = 64;
    for (int i = 0; i < pairs; i++) {
        double sr = window(ref, rctx, b->min_seconds / 2);
        /* OpenBLAS's idle workers spin (sched_yield) for about 0.1 s after
         * a call; let them sleep before fn's window */
        nanosleep(&(struct timespec){0, 250000000}, NULL);
        r[i] = sr / window(fn, ctx, b->min_seconds / 2);
    }
    if (pairs <= 0) {
        *lo = *hi = NAN;
        return NAN;
    }
    double med = l2l_bench_median(r, pairs);
    *lo = r[0];
    *hi = r[pairs - 1];
    return med;
}

double l2l_bench_rss_now(void)
{
    /* /proc/self/statm: size resident ... in pages */
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0;
    int ok = f && fscanf(f, "%lu %lu", &size, &res) == 2;
    if (f)
        fclose(f);
    return ok ? (double)res * (double)sysconf(_SC_PAGESIZE) : NAN;
}

double l2l_bench_rss_peak(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return NAN;
    return (double)ru.ru_maxrss * 1024.0; /* Linux: kilobytes */
}

void l2l_bench_progress(const struct l2l_bench *b, const char *fmt, ...)
{
    if (!b->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("l2l bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int l2l_bench_write_csv(const struct l2l_bench *b, const char *path, char *err, size_t errlen)
{
    char *text = NULL, why[4200];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        l2l_fmt(err, errlen, "l2l bench: out of memory");
        return L2L_ENOMEM;
    }
    fprintf(f, "%s\n", L2L_BENCH_CSV_HEADER);
    for (int k = 0; k < b->n_rows; k++) {
        const struct l2l_bench_row *r = &b->rows[k];
        fprintf(f, "%s,%lld,%s,%.6g,%s\n", r->bench, r->n, r->metric, r->value, r->unit);
    }
    int rc = ferror(f) ? L2L_ENOMEM : 0;
    if (fclose(f) != 0)
        rc = L2L_ENOMEM;
    if (rc < 0)
        l2l_fmt(err, errlen, "l2l bench: out of memory");
    else if ((rc = l2l_atomic_write(path, text, len, 1, why, sizeof why)) < 0)
        l2l_fmt(err, errlen, "l2l bench: %s", why);
    free(text);
    return rc;
}

/* Length of the group name: bench up to its first '-' ("lstm" of
 * "lstm-gac-eval", "sgemm" of "sgemm-square"). */
static size_t group_len(const char *bench)
{
    const char *dash = strchr(bench, '-');
    return dash ? (size_t)(dash - bench) : strlen(bench);
}

void l2l_bench_print(const struct l2l_bench *b, FILE *f)
{
    fprintf(f, "%-26s %10s  %-26s %14s  %s\n", "benchmark", "n", "metric", "value", "unit");
    const char *last = "";
    for (int k = 0; k < b->n_rows; k++) {
        const struct l2l_bench_row *r = &b->rows[k];
        size_t g = group_len(r->bench);
        if (k > 0 && (g != group_len(last) || strncmp(r->bench, last, g)))
            fputc('\n', f); /* a blank line between groups (lstm, sgd, ...) */
        last = r->bench;
        char n[32] = "";
        if (r->n)
            l2l_fmt(n, sizeof n, "%lld", r->n);
        fprintf(f, "%-26s %10s  %-26s %14.4g  %s\n", r->bench, n, r->metric, r->value, r->unit);
    }
}

int l2l_bench_plugin_open(struct l2l_bench_plugin *bp, enum l2l_kind kind, const char *name,
                          const char *const *sets, char *err, size_t errlen)
{
    memset(bp, 0, sizeof *bp);
    char msg[L2L_ERRLEN];
    if (l2l_plugin_open(kind, name, &bp->p, msg, sizeof msg) < 0) {
        l2l_fmt(err, errlen, "l2l bench: %s", msg);
        return L2L_EPLUGIN;
    }
    bp->loaded = 1;
    const struct l2l_option *table = l2l_plugin_options(&bp->p);
    if (l2l_options_count(table) > L2L_BENCH_MAX_OPTS) {
        l2l_fmt(err, errlen, "l2l bench: %s has %d options, at most %d supported", name,
                l2l_options_count(table), L2L_BENCH_MAX_OPTS);
        l2l_bench_plugin_close(bp);
        return L2L_EPLUGIN;
    }
    if (l2l_options_defaults(table, bp->v, msg, sizeof msg) < 0) {
        l2l_fmt(err, errlen, "l2l bench: %s: %s", name, msg);
        l2l_bench_plugin_close(bp);
        return L2L_EPLUGIN;
    }
    bp->filled = 1;
    for (int k = 0; sets && sets[k]; k++) {
        char key[64];
        const char *eq = strchr(sets[k], '=');
        size_t len = eq ? (size_t)(eq - sets[k]) : 0;
        if (!eq || len >= sizeof key) {
            l2l_fmt(err, errlen, "l2l bench: setting '%s', expected key=value", sets[k]);
            l2l_bench_plugin_close(bp);
            return L2L_EINPUT;
        }
        memcpy(key, sets[k], len);
        key[len] = 0;
        if (l2l_options_set(table, bp->v, key, eq + 1, msg, sizeof msg) < 0) {
            l2l_fmt(err, errlen, "l2l bench: %s: %s: %s", name, key, msg);
            l2l_bench_plugin_close(bp);
            return L2L_EINPUT;
        }
    }
    if (kind == L2L_OPTIMIZEE) {
        bp->family = bp->p.u.obj->open(bp->v, msg, sizeof msg);
        if (!bp->family) {
            l2l_fmt(err, errlen, "l2l bench: %s", msg);
            l2l_bench_plugin_close(bp);
            return L2L_EPLUGIN;
        }
    }
    return 0;
}

void l2l_bench_plugin_close(struct l2l_bench_plugin *bp)
{
    if (bp->family)
        bp->p.u.obj->close(bp->family);
    if (bp->filled)
        l2l_values_clear(l2l_plugin_options(&bp->p), bp->v);
    if (bp->loaded)
        l2l_plugin_close(&bp->p);
    memset(bp, 0, sizeof *bp);
}

int l2l_bench_entry_open(struct l2l_bench_plugin *bp, const struct l2l_bench_entry *e,
                         const char *extra, char *err, size_t errlen)
{
    int n = 0;
    while (e->sets && e->sets[n])
        n++;
    const char **sets = calloc((size_t)n + 2, sizeof *sets);
    if (!sets) {
        l2l_fmt(err, errlen, "l2l bench: out of memory");
        return L2L_ENOMEM;
    }
    for (int k = 0; k < n; k++)
        sets[k] = e->sets[k];
    sets[n] = extra;
    int rc = l2l_bench_plugin_open(bp, e->kind, e->plugin, sets, err, errlen);
    free(sets);
    return rc;
}

int l2l_bench_unroll_size(const struct l2l_bench_entry *obj, size_t n, long long *value,
                          size_t *got, char *err, size_t errlen)
{
    char one[96];
    l2l_fmt(one, sizeof one, "%s=1", obj->size_option);
    struct l2l_bench_plugin bp;
    int rc = l2l_bench_entry_open(&bp, obj, one, err, errlen);
    if (rc < 0)
        return rc;
    size_t per = bp.p.u.obj->n_params(bp.family);
    l2l_bench_plugin_close(&bp);
    if (per == 0) {
        l2l_fmt(err, errlen, "l2l bench: [optimizee %s]: no parameters at %s", obj->name, one);
        return L2L_EPLUGIN;
    }
    *value = n / per ? (long long)(n / per) : 1;
    *got = (size_t)*value * per;
    return 0;
}

/* What a child sends back through its pipe. */
struct child_msg {
    int rc;
    double out[8];
    char err[L2L_ERRLEN];
};

int l2l_bench_in_child(int (*fn)(void *arg, double *out, char *err, size_t errlen), void *arg,
                       double *out, int nout, char *err, size_t errlen)
{
    int fd[2];
    if (nout > 8 || pipe(fd) < 0) {
        l2l_fmt(err, errlen, "l2l bench: cannot create a pipe: %s", strerror(errno));
        return L2L_EIO;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        l2l_fmt(err, errlen, "l2l bench: cannot fork: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return L2L_EIO;
    }
    if (pid == 0) {
        close(fd[0]);
        struct child_msg m;
        memset(&m, 0, sizeof m);
        m.rc = fn(arg, m.out, m.err, sizeof m.err);
        ssize_t w = write(fd[1], &m, sizeof m);
        _exit(w == (ssize_t)sizeof m ? 0 : 1);
    }
    close(fd[1]);
    struct child_msg m;
    size_t got = 0;
    while (got < sizeof m) {
        ssize_t r = read(fd[0], (char *)&m + got, sizeof m - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got < sizeof m) {
        if (WIFSIGNALED(status))
            l2l_fmt(err, errlen, "l2l bench: measuring child killed by signal %d%s",
                    WTERMSIG(status), WTERMSIG(status) == 9 ? " (out of memory?)" : "");
        else
            l2l_fmt(err, errlen, "l2l bench: measuring child exited with status %d, no result",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return L2L_EIO;
    }
    if (m.rc < 0) {
        l2l_fmt(err, errlen, "%s", m.err);
        return m.rc;
    }
    memcpy(out, m.out, sizeof(double) * (size_t)nout);
    return 0;
}
