/* meta_log.c: per-epoch CSV and progress line of meta-training (meta_log.h). */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "bytes.h"
#include "log.h"
#include "meta_log.h"

#define HEADER "epoch,meta_loss,valid_loss,best_valid_loss,lr,grad_norm,seconds\n"

/* "%.9g", or empty for NAN (a column that does not apply). */
static void num(char *buf, size_t len, double x)
{
    if (isnan(x))
        buf[0] = 0;
    else
        snprintf(buf, len, "%.9g", x);
}

static int format_row(char *buf, size_t len, const struct l2l_meta_row *r)
{
    char a[32], b[32], c[32], d[32], g[32];
    num(a, sizeof a, r->meta_loss);
    num(b, sizeof b, r->valid_loss);
    num(c, sizeof c, r->best_loss);
    num(d, sizeof d, r->lr);
    num(g, sizeof g, r->grad_norm);
    return snprintf(buf, len, "%ld,%s,%s,%s,%s,%s,%.3f\n", r->epoch, a, b, c, d, g, r->seconds);
}

FILE *l2l_meta_log_open(const char *path, const struct l2l_meta_state *s, char *err, size_t errlen)
{
    struct l2l_obuf b = {0};
    l2l_put_bytes(&b, HEADER, sizeof HEADER - 1);
    for (long k = 0; k < s->n_rows; k++) {
        char line[256];
        int w = format_row(line, sizeof line, &s->rows[k]);
        l2l_put_bytes(&b, line, (size_t)w);
    }
    int rc = b.failed ? L2L_ENOMEM : l2l_write_file_atomic(path, b.data, b.len, err, errlen);
    if (b.failed)
        l2l_fmt(err, errlen, "%s: out of memory", path);
    l2l_obuf_free(&b);
    if (rc < 0)
        return NULL;
    /* The file just renamed into place is ours: a symlink swapped in
     * since is not followed. */
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (!f && fd >= 0)
        close(fd);
    if (!f)
        l2l_fmt(err, errlen, "%s: cannot open for appending", path);
    return f;
}

void l2l_meta_log_row(FILE *f, const struct l2l_meta_row *row)
{
    char line[256];
    format_row(line, sizeof line, row);
    fputs(line, f);
    fflush(f);
}

static void hms(char *buf, size_t len, double s)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, len, "?");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void l2l_meta_progress(const char *name, long epoch, long epochs, const struct l2l_meta_row *row,
                       double best, double elapsed, double eta)
{
    char e[32], r[32];
    hms(e, sizeof e, elapsed);
    hms(r, sizeof r, eta);
    fprintf(stderr, "\r%s: epoch %ld/%ld  meta-loss %-10.4g valid %-10.4g best %-10.4g  %s elapsed, ETA %s  ",
            name, epoch, epochs, row->meta_loss, row->valid_loss, best, e, r);
    fflush(stderr);
}
