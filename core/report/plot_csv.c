/* plot_csv.c: the CSV reader of `l2l plot` (see plot_csv.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "infile.h"
#include "l2l/plugin.h"
#include "log.h"
#include "names.h"
#include "numbers.h"
#include "plot_csv.h"

/* Splits buf in place into fields; "..." quotes a field, "" inside quotes
 * is one quote. Returns the count, or -1 for an unterminated quote or too
 * many fields. */
static int split(char *buf, char **field)
{
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n == CSV_MAX_COLS)
            return -1;
        if (*p == '"') {
            char *out = ++p;
            field[n++] = out;
            for (;;) {
                if (*p == 0)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            *out = 0;
            if (*p != ',' && *p != 0)
                return -1;
        } else {
            field[n++] = p;
            p += strcspn(p, ",");
        }
        if (*p == 0)
            return n;
        *p++ = 0;
    }
}

/* Whether s ends inside a quoted field: a record goes on over the next
 * line (RFC 4180; a doubled quote toggles twice). */
static int open_quote(const char *s)
{
    int in = 0;
    for (; *s; s++)
        in ^= *s == '"';
    return in;
}

/* Reads one line without its end; 1, 0 at the end, < 0 on error. */
static int read_line(struct csv *c)
{
    ssize_t len = getline(&c->buf, &c->cap, c->f);
    if (len < 0) {
        if (ferror(c->f)) {
            l2l_error("l2l: cannot read %s: %s", c->path, strerror(errno));
            return L2L_EIO;
        }
        return 0;
    }
    c->phys++;
    /* the line's end, LF or CRLF (kept inside a quoted field: see append) */
    c->cr = 0;
    if (len > 0 && c->buf[len - 1] == '\n')
        c->buf[--len] = 0;
    if (len > 0 && c->buf[len - 1] == '\r') {
        c->buf[--len] = 0;
        c->cr = 1;
    }
    if ((size_t)len != strlen(c->buf)) {
        l2l_error("%s:%ld: NUL byte in a CSV line", c->path, c->phys);
        return L2L_EINPUT;
    }
    return 1;
}

int csv_open(struct csv *c, const char *dir, const char *name, const char *const *cols, int *idx)
{
    memset(c, 0, sizeof *c);
    l2l_fmt(c->path, sizeof c->path, "%s/%s", dir, name);
    char why[L2L_ERRLEN];
    int rc = l2l_fopen_input(c->path, &c->f, NULL, why, sizeof why);
    if (rc < 0) {
        if (rc == L2L_EIO) {
            l2l_error("l2l: cannot open %s: %s (is %s a results directory written by `l2l run`?)",
                      c->path, strerror(errno), dir);
            return errno == ENOENT ? L2L_EINPUT : L2L_EIO;
        }
        l2l_error("l2l: %s (is %s a results directory written by `l2l run`?)", why, dir);
        return rc;
    }
    int r = read_line(c);
    c->line = c->phys;
    if (r == 0) {
        l2l_error("%s: empty file: expected a header line", c->path);
        r = L2L_EINPUT;
    }
    if (r < 0)
        goto fail;
    c->header_buf = strdup(c->buf);
    if (!c->header_buf) {
        r = L2L_ENOMEM;
        goto fail;
    }
    c->n_header = split(c->header_buf, c->header);
    if (c->n_header < 0) {
        l2l_error("%s:1: bad header (unterminated quote or over %d columns)", c->path, CSV_MAX_COLS);
        r = L2L_EINPUT;
        goto fail;
    }
    for (int k = 0; cols[k]; k++) {
        int optional = cols[k][0] == '?';
        const char *want = cols[k] + optional;
        idx[k] = -1;
        for (int j = 0; j < c->n_header; j++)
            if (!strcmp(c->header[j], want))
                idx[k] = j;
        if (idx[k] < 0 && !optional) {
            l2l_error("%s:1: bad header: no column '%s' (header is '%s')", c->path, want, c->buf);
            r = L2L_EINPUT;
            goto fail;
        }
    }
    return 0;
fail:
    csv_close(c);
    return r;
}

/* Appends the line just read to the record, after the end of the line
 * before (newline: 1 for "\n", 2 for "\r\n"). */
static int append(struct csv *c, size_t *len, int newline)
{
    size_t add = strlen(c->buf) + (size_t)newline; /* newline: 0, 1 or 2 bytes */
    if (*len + add + 1 > CSV_MAX_RECORD) {
        l2l_error("%s:%ld: record over %d bytes (an unterminated quote?)", c->path, c->line,
                  CSV_MAX_RECORD);
        return L2L_EINPUT;
    }
    if (*len + add + 1 > c->rec_cap) {
        size_t cap = 2 * (*len + add + 1);
        char *p = realloc(c->rec, cap);
        if (!p)
            return L2L_ENOMEM;
        c->rec = p;
        c->rec_cap = cap;
    }
    if (newline == 2)
        c->rec[(*len)++] = '\r';
    if (newline)
        c->rec[(*len)++] = '\n';
    memcpy(c->rec + *len, c->buf, strlen(c->buf) + 1);
    *len += strlen(c->buf);
    return 0;
}

int csv_next(struct csv *c)
{
    int r;
    do {
        r = read_line(c);
        if (r <= 0)
            return r;
    } while (c->buf[0] == 0); /* blank lines (a trailing one) are not rows */
    c->line = c->phys; /* messages name the line where the record starts */
    size_t len = 0;
    if ((r = append(c, &len, 0)) < 0)
        return r;
    while (open_quote(c->rec)) {
        int cr = c->cr;
        if ((r = read_line(c)) < 0)
            return r;
        if (r == 0)
            break; /* split() reports the unterminated quote */
        if ((r = append(c, &len, cr ? 2 : 1)) < 0)
            return r;
    }
    c->n = split(c->rec, c->field);
    if (c->n < 0) {
        l2l_error("%s:%ld: unterminated quote or over %d fields", c->path, c->line, CSV_MAX_COLS);
        return L2L_EINPUT;
    }
    if (c->n != c->n_header) {
        l2l_error("%s:%ld: expected %d fields as in the header, found %d", c->path, c->line,
                  c->n_header, c->n);
        return L2L_EINPUT;
    }
    return 1;
}

const char *csv_str(const struct csv *c, int i)
{
    return i >= 0 && i < c->n ? c->field[i] : "";
}

int csv_num(const struct csv *c, int i, int allow_empty, double *out)
{
    const char *s = csv_str(c, i);
    if (*s == 0 && allow_empty) {
        *out = NAN;
        return 0;
    }
    /* What results.c writes: %.9g, or nan, inf, -inf. */
    double v;
    if (!strcmp(s, "nan"))
        v = NAN;
    else if (!strcmp(s, "inf") || !strcmp(s, "-inf"))
        v = s[0] == '-' ? -INFINITY : INFINITY;
    else if (l2l_parse_real(s, &v) < 0) {
        char shown[96];
        l2l_show(shown, sizeof shown, s);
        l2l_error("%s:%ld: column '%s': '%s' is not a number", c->path, c->line,
                  i >= 0 ? c->header[i] : "?", shown);
        return L2L_EINPUT;
    }
    *out = v;
    return 0;
}

int csv_long(const struct csv *c, int i, int allow_empty, long *out)
{
    const char *s = csv_str(c, i);
    if (*s == 0 && allow_empty) {
        *out = -1;
        return 0;
    }
    long long v;
    if (l2l_parse_int(s, 0, LONG_MAX, &v) < 0) {
        char shown[96];
        l2l_show(shown, sizeof shown, s);
        l2l_error("%s:%ld: column '%s': '%s' is not an integer >= 0", c->path, c->line,
                  i >= 0 ? c->header[i] : "?", shown);
        return L2L_EINPUT;
    }
    *out = (long)v;
    return 0;
}

int csv_copy(const struct csv *c, int i, char *dst, size_t len)
{
    const char *s = csv_str(c, i);
    if (strlen(s) >= len) {
        l2l_error("%s:%ld: column '%s': value over %zu characters", c->path, c->line,
                  i >= 0 ? c->header[i] : "?", len - 1);
        return L2L_EINPUT;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

void csv_close(struct csv *c)
{
    if (c->f)
        fclose(c->f);
    free(c->buf);
    free(c->rec);
    free(c->header_buf);
    memset(c, 0, sizeof *c);
}

int csv_name(const struct csv *c, int i, char *dst, size_t len)
{
    char err[sizeof c->path + 512];
    if (l2l_name_check(csv_str(c, i), err, sizeof err, "%s:%ld: column '%s':", c->path, c->line,
                       i >= 0 ? c->header[i] : "?") < 0) {
        l2l_error("%s", err);
        return L2L_EINPUT;
    }
    return csv_copy(c, i, dst, len);
}
