/* plot_bench.c: `l2l plot BENCH.csv`: throughput against n from the CSV
 * of `l2l bench` (tidy rows benchmark,n,metric,value,unit). Every
 * benchmark with coord_steps_per_s rows (the learned optimizers'
 * evaluation and meta-training steps, the hand-designed optimizers' steps)
 * becomes one line, log-log: a cost linear in n is a flat line. The script
 * holds its data (gnuplot datablocks), so it renders again on its own. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "escape.h"
#include "log.h"
#include "plot.h"
#include "plot_bench.h"
#include "plot_csv.h"
#include "plot_gnuplot.h"
#include "plot_scripts.h"

#define PB_METRIC "coord_steps_per_s"

/* The series named name, added (empty) when new; NULL when full. */
static struct pb_series *series_of(struct pb_bench *b, const char *name)
{
    for (int k = 0; k < b->n_series; k++)
        if (!strcmp(b->s[k].name, name))
            return &b->s[k];
    if (b->n_series == PB_MAX_SERIES)
        return NULL;
    struct pb_series *s = &b->s[b->n_series++];
    memset(s, 0, sizeof *s);
    l2l_fmt(s->name, sizeof s->name, "%s", name);
    return s;
}

/* Adds (n, v) keeping the points sorted by n; a second value at the same
 * n is an error (one bench run per file). */
static int add_point(const struct csv *c, struct pb_series *s, long n, double v)
{
    int k = s->n;
    for (int j = 0; j < s->n; j++)
        if (s->at[j] == n) {
            l2l_error("%s:%ld: a second %s row for %s at n = %ld (one `l2l bench` run per file)",
                      c->path, c->line, PB_METRIC, s->name, n);
            return L2L_EINPUT;
        }
    if (s->n == PB_MAX_POINTS) {
        l2l_error("%s:%ld: over %d sizes n for %s", c->path, c->line, PB_MAX_POINTS, s->name);
        return L2L_EINPUT;
    }
    while (k > 0 && s->at[k - 1] > n) {
        s->at[k] = s->at[k - 1];
        s->value[k] = s->value[k - 1];
        k--;
    }
    s->at[k] = n;
    s->value[k] = v;
    s->n++;
    return 0;
}

/* The references and the machine's state, for the subtitle. */
static void note_reference(struct pb_bench *b, const char *bench, long n, const char *metric,
                           double v)
{
    if (!strcmp(bench, "sgemm-square") && !strcmp(metric, "gflops"))
        b->sgemm = v;
    else if ((!strcmp(bench, "copy") || !strcmp(bench, "copy-1t")) && n == 1L << 25 &&
             !strcmp(metric, "gbps") && !(v <= b->copy)) /* the faster, as bench does */
        b->copy = v;
    else if (!strcmp(bench, "machine") && !strcmp(metric, "load_1min"))
        b->load[0] = v;
    else if (!strcmp(bench, "machine") && !strcmp(metric, "load_1min_end"))
        b->load[1] = v;
}

static int load_rows(struct csv *c, const int *ix, struct pb_bench *b)
{
    int r;
    while ((r = csv_next(c)) > 0) {
        const char *bench = csv_str(c, ix[0]), *metric = csv_str(c, ix[2]);
        long n;
        double v;
        if ((r = csv_long(c, ix[1], 0, &n)) < 0 || (r = csv_num(c, ix[3], 0, &v)) < 0)
            return r;
        note_reference(b, bench, n, metric, v);
        if (strcmp(metric, PB_METRIC))
            continue;
        if (strlen(bench) >= sizeof b->s[0].name) {
            l2l_error("%s:%ld: benchmark name over %zu characters", c->path, c->line,
                      sizeof b->s[0].name - 1);
            return L2L_EINPUT;
        }
        struct pb_series *s = series_of(b, bench);
        if (!s) {
            l2l_error("%s:%ld: over %d benchmarks with %s rows", c->path, c->line, PB_MAX_SERIES,
                      PB_METRIC);
            return L2L_EINPUT;
        }
        if (n > 0 && v > 0 && isfinite(v)) /* a log-log plot has no place for others */
            if ((r = add_point(c, s, n, v)) < 0)
                return r;
    }
    return r;
}

int pb_load(const char *path, struct pb_bench *b)
{
    memset(b, 0, sizeof *b);
    b->sgemm = b->copy = b->load[0] = b->load[1] = NAN;
    l2l_fmt(b->path, sizeof b->path, "%s", path);
    if (access(path, R_OK) < 0) {
        l2l_error("l2l plot: cannot read %s: %s (write it with: l2l bench -o %s)", path,
                  strerror(errno), path);
        return L2L_EINPUT;
    }
    /* csv_open takes a directory and a name; dir "." with the whole path
     * as the name would name the file "./path" in messages. */
    char dir[4096];
    const char *slash = strrchr(path, '/');
    l2l_fmt(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash && slash == path)
        l2l_fmt(dir, sizeof dir, "/");
    static const char *const cols[] = {"benchmark", "n", "metric", "value", "unit", NULL};
    int ix[5];
    struct csv c;
    int rc = csv_open(&c, dir, slash ? slash + 1 : path, cols, ix);
    if (rc < 0) {
        l2l_error("l2l plot: %s is not the CSV of `l2l bench` (expected the header %s)", path,
                  "benchmark,n,metric,value,unit");
        return rc;
    }
    rc = load_rows(&c, ix, b);
    csv_close(&c);
    if (rc < 0)
        return rc;
    int points = 0;
    for (int k = 0; k < b->n_series; k++)
        points += b->s[k].n;
    if (points == 0) {
        l2l_error("l2l plot: %s has no %s rows with a value > 0 (run `l2l bench` with the lstm "
                  "or hand sections)", path, PB_METRIC);
        return L2L_EINPUT;
    }
    return 0;
}

/* "lstm-meta" → family "lstm", kind 2; "lstm-eval" → 1; "adam" → 0. */
static int split_kind(const char *name, char *family, size_t len)
{
    size_t n = strlen(name);
    int kind = n > 5 && !strcmp(name + n - 5, "-eval") ? 1
             : n > 5 && !strcmp(name + n - 5, "-meta") ? 2 : 0;
    l2l_fmt(family, len, "%.*s", (int)(kind ? n - 5 : n), name);
    return kind;
}

/* 1280 → "1,280" */
static void with_commas(long v, char *out, size_t len)
{
    char digits[32];
    l2l_fmt(digits, sizeof digits, "%ld", v);
    size_t nd = strlen(digits), o = 0;
    for (size_t k = 0; k < nd && o + 2 < len; k++) {
        if (k > 0 && (nd - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[k];
    }
    out[o] = 0;
}

/* x tics at the measured sizes when they are few, else gnuplot's. */
static void x_tics(FILE *f, const struct pb_bench *b)
{
    long at[PB_MAX_POINTS];
    int n = 0, many = 0;
    for (int k = 0; k < b->n_series && !many; k++)
        for (int j = 0; j < b->s[k].n && !many; j++) {
            int seen = 0;
            for (int i = 0; i < n; i++)
                seen |= at[i] == b->s[k].at[j];
            if (!seen && n == 8)
                many = 1;
            else if (!seen)
                at[n++] = b->s[k].at[j];
        }
    if (many) {
        fputs("set xtics autofreq\nset format x \"%.0s%c\"\n", f);
        return;
    }
    fputs("set xtics (", f);
    for (int i = 0; i < n; i++) {
        char label[40];
        with_commas(at[i], label, sizeof label);
        fprintf(f, "%s\"%s\" %ld", i ? ", " : "", label, at[i]);
    }
    fputs(")\n", f);
}

int pb_write_script(const struct pb_bench *b, const char *figdir, const char *name)
{
    char data[4200];
    l2l_fmt(data, sizeof data, "the datablocks below, from %s", b->path);
    struct atomic_file a;
    FILE *f = pg_script_start(&a, figdir, "<this file's directory>", name,
                              "throughput against n (coordinate-steps per second, log-log)", data);
    if (!f)
        return L2L_EIO;
    /* One colour per optimizer (Okabe-Ito, in order of appearance):
     * evaluation solid with circles, meta-training dashed with squares,
     * hand-designed steps solid with triangles. */
    char families[PB_MAX_SERIES][sizeof b->s[0].name];
    int n_fam = 0;
    double lo = INFINITY, hi = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
    char titles[PB_MAX_SERIES][sizeof b->s[0].name + 32];
    const char *labels[PB_MAX_SERIES];
    int n_labels = 0;
    for (int k = 0; k < b->n_series; k++) {
        const struct pb_series *s = &b->s[k];
        if (s->n == 0)
            continue;
        char fam[sizeof s->name];
        int kind = split_kind(s->name, fam, sizeof fam), c = 0;
        while (c < n_fam && strcmp(families[c], fam))
            c++;
        if (c == n_fam)
            l2l_fmt(families[n_fam++], sizeof families[0], "%s", fam);
        static const int pt[3] = {9, 7, 5};
        fprintf(f, "set style line %d lc rgb \"%s\" lw 2 dt %d pt %d ps 1.2  # ", k + 1,
                pg_colour(c), kind == 2 ? 2 : 1, pt[kind]);
        l2l_esc_comment(f, s->name);
        fputc('\n', f);
        l2l_fmt(titles[n_labels], sizeof titles[0], "%s%s", kind ? fam : s->name,
                kind == 1 ? " (evaluation)" : kind == 2 ? " (meta-training)" : " step");
        labels[n_labels] = titles[n_labels];
        n_labels++;
        /* the data, one block per series: n, coordinate-steps per second */
        fprintf(f, "$s%d << EOD\nn," PB_METRIC "\n", k + 1);
        for (int j = 0; j < s->n; j++) {
            fprintf(f, "%ld,%.9g\n", s->at[j], s->value[j]);
            lo = fmin(lo, s->value[j]);
            hi = fmax(hi, s->value[j]);
            xlo = fmin(xlo, (double)s->at[j]);
            xhi = fmax(xhi, (double)s->at[j]);
        }
        fputs("EOD\n", f);
    }
    pg_script_loop(f, name, 900, 620);
    char title[1024], refs[512] = "";
    size_t len = 0;
    if (isfinite(b->sgemm))
        len += (size_t)snprintf(refs + len, sizeof refs - len, "sgemm 2048³: %.1f GFLOP/s", b->sgemm);
    if (isfinite(b->copy) && len < sizeof refs)
        len += (size_t)snprintf(refs + len, sizeof refs - len, "%smemcpy 128 MiB: %.1f GB/s",
                                len ? ", " : "", b->copy);
    if (isfinite(b->load[0]) && len < sizeof refs)
        snprintf(refs + len, sizeof refs - len, "%sload %.1f at start, %.1f at end", len ? "; " : "",
                 b->load[0], b->load[1]);
    l2l_fmt(title, sizeof title, "Throughput against problem size n (l2l bench)\n"
            "a flat line is a cost linear in n%s%s", refs[0] ? "\nreferences in the same run: " : "", refs);
    fputs("set title ", f);
    l2l_esc_gnuplot(f, title);
    double ylo, yhi, xl, xh;
    pg_range(lo, hi, 1, 0.06, &ylo, &yhi);
    pg_range(xlo, xhi, 1, 0.06, &xl, &xh);
    fprintf(f, "\nset logscale xy\nset xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n"
               "set xlabel \"n, coordinates of the optimizee (log scale)\"\n"
               "set ylabel \"coordinate-steps per second (log scale)\"\n"
               "set mytics 10\n"
               "set grid xtics ytics mytics lc rgb \"#dddddd\", lc rgb \"#f0f0f0\"\n",
            xl, xh, ylo, yhi);
    pg_log_tics_si(f, "y", ylo, yhi);
    x_tics(f, b);
    pg_key_below(f, 900, labels, n_labels);
    fputs("plot \\\n", f);
    for (int k = 0, j = 0; k < b->n_series; k++) {
        if (b->s[k].n == 0)
            continue;
        fprintf(f, "%s  $s%d using \"n\":\"" PB_METRIC "\" with linespoints ls %d title ",
                j ? ", \\\n" : "", k + 1, k + 1);
        l2l_esc_gnuplot(f, labels[j++]);
    }
    fputc('\n', f);
    if (ferror(f)) {
        l2l_afile_abort(&a);
        return L2L_EIO;
    }
    return pg_script_close(&a);
}

/* "dir/name.png" (or without .png) → figdir "dir", name "name". */
static int split_out(const char *out, char *figdir, size_t dlen, char *name, size_t nlen)
{
    const char *slash = strrchr(out, '/'), *base = slash ? slash + 1 : out;
    size_t n = strlen(base);
    if (n > 4 && !strcmp(base + n - 4, ".png"))
        n -= 4;
    if (n == 0 || n >= nlen || strcspn(base, "\"'\\") < n) {
        l2l_error("l2l plot: bad output name '%s' (expected DIR/NAME.png, NAME without quotes)",
                  out);
        return L2L_EINPUT;
    }
    l2l_fmt(name, nlen, "%.*s", (int)n, base);
    if (!slash)
        l2l_fmt(figdir, dlen, ".");
    else
        l2l_fmt(figdir, dlen, "%.*s", slash == out ? 1 : (int)(slash - out), out);
    return 0;
}

int l2l_plot_bench(const char *csv, const char *out, int require_figures, char *err,
                   size_t errlen)
{
    char png[4200], figdir[4096];
    struct pg_list list = {0};
    struct pg_figure fig = {.kind = PG_BENCH};
    err[0] = 0;
    if (!out) { /* bench.csv → bench.png beside it */
        size_t n = strlen(csv);
        l2l_fmt(png, sizeof png, "%.*s.png", (int)(n > 4 && !strcmp(csv + n - 4, ".csv") ? n - 4 : n),
                csv);
        out = png;
    }
    int rc = split_out(out, figdir, sizeof figdir, fig.name, sizeof fig.name);
    struct pb_bench *b = rc < 0 ? NULL : malloc(sizeof *b);
    if (rc == 0 && !b)
        rc = L2L_ENOMEM;
    if (rc == 0)
        rc = pb_load(csv, b);
    if (rc == 0 && (rc = pb_write_script(b, figdir, fig.name)) < 0)
        l2l_error("l2l plot: cannot write %s/%s.gp", figdir, fig.name);
    if (rc == 0) {
        list.n = 1;
        list.fig = &fig;
        rc = pg_render_all(&list, figdir, require_figures, err, errlen);
        if (rc == 0)
            l2l_info("l2l plot: %s%s%s.%s from %s", strcmp(figdir, ".") ? figdir : "",
                     strcmp(figdir, ".") ? "/" : "", fig.name,
                     fig.rendered ? "png (and .svg, .gp)" : "gp (not rendered)", csv);
    }
    if (rc < 0 && !err[0])
        l2l_fmt(err, errlen, "l2l plot: cannot plot %s (see above)", csv);
    free(b);
    return rc;
}
