/* quadratic_file.c: reads explicit quadratic problems (B blocks of W, y,
 * θ0) from a text file, so that a published or hand-made case, batched or
 * not, replays exactly.
 *
 * Format (line-oriented; '#' starts a comment that runs to the end of the
 * line; blank lines are ignored; numbers are decimal reals,
 * [-+]digits[.digits][e[-+]digits], separated by spaces or tabs; D and B
 * are digits only). Version 2:
 *
 *     quadratic 2              # magic and format version: the first line
 *     dim 2                    # D, in [1, 4096]
 *     batch 2                  # B, in [1, 1048576], B·D² at most 2^28
 *     W 1 2                    # block 1: row 1 of W_1, 'W' and D numbers
 *     W 3 4                    # ... D rows in all, in order
 *     y 1 1                    # 'y' and D numbers
 *     theta0 1 -1              # 'theta0' and D numbers: θ0 of the block
 *     W 2 0                    # block 2: the same four kinds of line
 *     W 0 2
 *     y 1 0
 *     theta0 0 0
 *
 * The problem is f(θ) = (1/B) Σ_b ||W_b θ_b − y_b||², as the plugin draws
 * them. Version 1 is version 2 without the batch line (B = 1): files
 * written for it still read. Nothing may follow the last theta0. Every
 * number must be finite in float32. Errors name FILE:LINE and what was
 * expected there; a file that ends early names its last line. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input_file.h"
#include "quadratic.h"

#define QUAD_FILE_MAXDIM 4096
#define QUAD_FILE_MAXBATCH (1 << 20)
#define QUAD_FILE_MAXW ((size_t)1 << 28) /* B·D² floats: 1 GiB, as the plugin's limit */
/* B·D² numbers of W and 2·B·D of y and θ0 (at most B·D² too), at most 64
 * characters each: larger is not a problem file. */
#define QUAD_FILE_MAXBYTES ((off_t)64 * 2 * (off_t)QUAD_FILE_MAXW)

/* Where the reader is: what the next non-blank line must be. */
enum stage { ST_MAGIC, ST_DIM, ST_BATCH, ST_W, ST_Y, ST_THETA0, ST_DONE };

struct reader {
    const char *path;
    long line;
    enum stage stage;
    int version;         /* 1 or 2, from the magic line */
    int block;           /* the block being read, from 0 */
    int row;             /* ST_W: rows of W read so far */
    struct quad_file *f;
    char *err;
    size_t errlen;
};

/* Writes "what the reader expects now" into buf, for error messages. */
static const char *expected(const struct reader *r, char *buf, size_t len)
{
    int d = r->f->d;
    char of[48] = "";
    if (r->f->B > 1)
        snprintf(of, sizeof of, " of block %d of %d", r->block + 1, r->f->B);
    switch (r->stage) {
    case ST_MAGIC: snprintf(buf, len, "'quadratic 2' (magic and format version; 1 also read)"); break;
    case ST_DIM: snprintf(buf, len, "'dim D' with D a whole number in [1, %d]", QUAD_FILE_MAXDIM); break;
    case ST_BATCH: snprintf(buf, len, "'batch B' with B a whole number in [1, %d]", QUAD_FILE_MAXBATCH); break;
    case ST_W: snprintf(buf, len, "row %d of %d of W%s ('W' and %d numbers)", r->row + 1, d, of, d); break;
    case ST_Y: snprintf(buf, len, "'y'%s and %d numbers", of, d); break;
    case ST_THETA0: snprintf(buf, len, "'theta0'%s and %d numbers", of, d); break;
    case ST_DONE: snprintf(buf, len, "nothing (the problem is complete after the last theta0)"); break;
    }
    return buf;
}

/* Writes "quadratic: FILE:LINE: <message>" into the caller's err. */
__attribute__((format(printf, 2, 3)))
static int fail(struct reader *r, const char *fmt, ...)
{
    char msg[L2L_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "quadratic: %s:%ld: %s", r->path, r->line, msg);
    return -1;
}

/* Splits s in place into whitespace-separated tokens; returns the count
 * (at most max; one more than max means "too many"). */
static int split(char *s, char **tok, int max)
{
    int n = 0;
    for (;;) {
        s += strspn(s, " \t\r\n");
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        tok[n++] = s;
        s += strcspn(s, " \t\r\n");
        if (*s)
            *s++ = 0;
    }
}

/* Parses the numbers of one 'W', 'y' or 'theta0' line into out (d). */
static int numbers(struct reader *r, char **tok, int n, const char *key, float *out)
{
    int d = r->f->d;
    char what[64], of[40] = "";
    if (r->f->B > 1)
        snprintf(of, sizeof of, " of block %d", r->block + 1);
    if (r->stage == ST_W)
        snprintf(what, sizeof what, "W row %d%s", r->row + 1, of);
    else
        snprintf(what, sizeof what, "%s%s", key, of);
    if (n > QUAD_FILE_MAXDIM)
        return fail(r, "%s: expected %d numbers, got more than %d", what, d, QUAD_FILE_MAXDIM);
    if (n != d)
        return fail(r, "%s: expected %d numbers, got %d", what, d, n);
    for (int k = 0; k < d; k++) {
        double x;
        if (input_parse_real(tok[k], &x) < 0)
            return fail(r, "%s: item %d '%.40s' is not a number (expected a finite decimal real)",
                        what, k + 1, tok[k]);
        /* 1e39 is a finite double but inf in float32. */
        if (!isfinite((float)x))
            return fail(r, "%s: item %d '%.40s' is not a finite float32 number", what, k + 1, tok[k]);
        out[k] = (float)x;
    }
    return 0;
}

/* Takes one non-blank line (comment already cut). */
static int take_line(struct reader *r, char *s)
{
    char exp[128], line[48];
    char *tok[QUAD_FILE_MAXDIM + 2];
    s += strspn(s, " \t");
    s[strcspn(s, "\r\n")] = 0;
    snprintf(line, sizeof line, "%s", s); /* the line as written, for messages */
    int n = split(s, tok, QUAD_FILE_MAXDIM + 1);
    if (r->stage == ST_MAGIC) {
        if (n == 2 && !strcmp(tok[0], "quadratic") && strcmp(tok[1], "1") && strcmp(tok[1], "2"))
            return fail(r, "format version '%.40s' not supported (this plugin reads versions 1 and 2)",
                        tok[1]);
        if (n != 2 || strcmp(tok[0], "quadratic"))
            return fail(r, "expected %s, got '%s'", expected(r, exp, sizeof exp), line);
        r->version = tok[1][0] - '0';
        r->stage = ST_DIM;
        return 0;
    }
    if (r->stage == ST_DIM || r->stage == ST_BATCH) {
        const char *word = r->stage == ST_DIM ? "dim" : "batch";
        long v = 0, max = r->stage == ST_DIM ? QUAD_FILE_MAXDIM : QUAD_FILE_MAXBATCH;
        if (n == 2 && tok[1][0] && strlen(tok[1]) <= 7 && !tok[1][strspn(tok[1], "0123456789")])
            v = strtol(tok[1], NULL, 10);
        if (n != 2 || strcmp(tok[0], word) || v < 1 || v > max)
            return fail(r, "expected %s, got '%s'", expected(r, exp, sizeof exp), line);
        if (r->stage == ST_DIM)
            r->f->d = (int)v;
        else
            r->f->B = (int)v;
        if (r->stage == ST_DIM && r->version == 2) {
            r->stage = ST_BATCH;
            return 0;
        }
        size_t dd = (size_t)r->f->d, B = (size_t)r->f->B;
        if (B * dd * dd > QUAD_FILE_MAXW)
            return fail(r, "batch %zu × dim %zu² = %zu weights, expected at most %zu", B, dd,
                        B * dd * dd, QUAD_FILE_MAXW);
        r->f->W = malloc(sizeof(float) * B * dd * dd);
        r->f->y = malloc(sizeof(float) * B * dd);
        r->f->theta0 = malloc(sizeof(float) * B * dd);
        if (!r->f->W || !r->f->y || !r->f->theta0)
            return fail(r, "out of memory for a problem of batch %zu × dim %zu", B, dd);
        r->stage = ST_W;
        return 0;
    }
    if (r->stage == ST_DONE)
        return fail(r, "unexpected '%.40s': expected %s", tok[0], expected(r, exp, sizeof exp));
    static const char *const key[] = {[ST_W] = "W", [ST_Y] = "y", [ST_THETA0] = "theta0"};
    const char *want = key[r->stage];
    if (strcmp(tok[0], want))
        return fail(r, "expected %s, got '%.40s'", expected(r, exp, sizeof exp), tok[0]);
    size_t d = (size_t)r->f->d, b = (size_t)r->block;
    float *out = r->stage == ST_W ? r->f->W + (b * d + (size_t)r->row) * d
               : r->stage == ST_Y ? r->f->y + b * d : r->f->theta0 + b * d;
    if (numbers(r, tok + 1, n - 1, want, out) < 0)
        return -1;
    if (r->stage == ST_W && ++r->row < r->f->d)
        return 0;
    if (r->stage == ST_THETA0 && ++r->block < r->f->B) {
        r->stage = ST_W;
        r->row = 0;
        return 0;
    }
    r->stage++;
    return 0;
}

void quad_file_free(struct quad_file *f)
{
    if (!f)
        return;
    free(f->W);
    free(f->y);
    free(f->theta0);
    free(f);
}

struct quad_file *quad_file_read(const char *path, char *err, size_t errlen)
{
    struct reader r = {.path = path, .stage = ST_MAGIC, .err = err, .errlen = errlen};
    char why[L2L_ERRLEN];
    off_t size = 0;
    int fd = input_file_open(path, &size, why, sizeof why);
    if (fd < 0 && errno == ENOENT) /* the wording the tests and users know */
        snprintf(why, sizeof why, "cannot open %s: %s", path, strerror(ENOENT));
    if (fd >= 0 && size > QUAD_FILE_MAXBYTES) {
        snprintf(why, sizeof why, "%s: %lld bytes, more than the %lld the largest problem needs",
                 path, (long long)size, (long long)QUAD_FILE_MAXBYTES);
        close(fd);
        fd = -1;
    }
    FILE *in = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!in) {
        if (fd >= 0) {
            snprintf(why, sizeof why, "%s: out of memory", path);
            close(fd);
        }
        snprintf(err, errlen, "quadratic: %s (option file: expected a problem file like tests/data/quadratic-2x2.txt)",
                 why);
        return NULL;
    }
    r.f = calloc(1, sizeof *r.f);
    if (r.f)
        r.f->B = 1;
    char *buf = NULL;
    size_t cap = 0;
    int rc = r.f ? 0 : -1;
    if (!r.f)
        snprintf(err, errlen, "quadratic: %s: out of memory", path);
    /* getline: no line-length limit, so a long W row is never cut. */
    ssize_t len;
    while (rc == 0 && (len = getline(&buf, &cap, in)) >= 0) {
        r.line++;
        if ((size_t)len != strlen(buf)) /* a NUL would silently cut the line */
            rc = fail(&r, "unexpected NUL byte: not a text file");
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = 0;
        if (rc == 0 && buf[strspn(buf, " \t\r\n")])
            rc = take_line(&r, buf);
    }
    if (rc == 0 && ferror(in)) {
        /* e.g. a directory: fopen succeeds, the first read fails */
        snprintf(err, errlen, "quadratic: %s: cannot read after line %ld: %s", path, r.line,
                 strerror(errno));
        rc = -1;
    }
    if (rc == 0 && r.stage != ST_DONE) {
        char exp[128];
        if (r.line == 0) {
            r.line = 1;
            rc = fail(&r, "the file is empty, expected %s", expected(&r, exp, sizeof exp));
        } else {
            rc = fail(&r, "truncated: the file ends at line %ld, still expected %s", r.line,
                      expected(&r, exp, sizeof exp));
        }
    }
    free(buf);
    fclose(in);
    if (rc < 0) {
        quad_file_free(r.f);
        return NULL;
    }
    return r.f;
}
