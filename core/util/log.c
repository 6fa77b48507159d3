/* log.c: messages on stderr; errors and warnings always, information unless quiet.
 * Under MPI (log.h's l2l_log_mode) each rank remembers what it said, and
 * ranks but 0 hold their messages until the end, when each is printed
 * unless a lower rank said the same: N ranks reading one bad suite say so
 * once, not N times. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "log.h"

static int quiet;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int mode = L2L_LOG_PRINT;
static uint64_t said[L2L_LOG_KEPT]; /* hashes of the errors and warnings said or held */
static int n_said;
static char held[16384];            /* held lines, each ending in '\n' */
static size_t held_len;

/* FNV-1a, never 0 (0 marks an empty slot in the exchanged arrays). */
static uint64_t hash_line(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t k = 0; k < n; k++)
        h = (h ^ (unsigned char)p[k]) * 1099511628211ULL;
    return h ? h : 1;
}

/* One write per line, so that lines of ranks sharing a terminal do not
 * interleave. Under a mode but PRINT, remembered or held (see above). */
static void emit(const char *line, size_t n, int remember)
{
    pthread_mutex_lock(&mu);
    if (remember && mode != L2L_LOG_PRINT) {
        if (n_said < L2L_LOG_KEPT)
            said[n_said++] = hash_line(line, n);
        if (mode == L2L_LOG_HOLD && held_len + n < sizeof held) {
            memcpy(held + held_len, line, n);
            held_len += n;
            pthread_mutex_unlock(&mu);
            return;
        }
    }
    fwrite(line, 1, n, stderr);
    pthread_mutex_unlock(&mu);
}

void l2l_log_mode(int m)
{
    pthread_mutex_lock(&mu);
    mode = m;
    pthread_mutex_unlock(&mu);
}

int l2l_log_said(uint64_t *h)
{
    pthread_mutex_lock(&mu);
    memset(h, 0, sizeof said);
    memcpy(h, said, (size_t)n_said * sizeof *said);
    int n = n_said;
    pthread_mutex_unlock(&mu);
    return n;
}

void l2l_log_release(const uint64_t *lower, size_t n_lower)
{
    pthread_mutex_lock(&mu);
    for (size_t at = 0; at < held_len;) {
        const char *line = held + at;
        size_t n = (size_t)((const char *)memchr(line, '\n', held_len - at) - line) + 1;
        uint64_t h = hash_line(line, n);
        size_t k = 0;
        while (k < n_lower && lower[k] != h)
            k++;
        if (k == n_lower)
            fwrite(line, 1, n, stderr);
        at += n;
    }
    held_len = 0;
    mode = L2L_LOG_PRINT;
    pthread_mutex_unlock(&mu);
}

void l2l_set_quiet(int q) { quiet = q; }

/* Messages may quote bytes from a corrupt file (a plugin name in a
 * checkpoint, a job in a .state file): control characters are shown as
 * '?', so every message stays one line and cannot drive the terminal. */
static void vsay(const char *tag, int remember, const char *fmt, va_list ap)
{
    char buf[4200];
    size_t t = strlen(tag), cap = 4096;
    memcpy(buf, tag, t);
    int n = vsnprintf(buf + t, cap, fmt, ap);
    if (n < 0)
        n = 0;
    size_t len = t + ((size_t)n < cap ? (size_t)n : cap - 1);
    for (char *p = buf + t; p < buf + len; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
            *p = '?';
    if ((size_t)n >= cap) {
        memcpy(buf + len, "...", 3);
        len += 3;
    }
    buf[len++] = '\n';
    emit(buf, len, remember);
}

void l2l_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("", 1, fmt, ap);
    va_end(ap);
}

void l2l_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("warning: ", 1, fmt, ap);
    va_end(ap);
}

void l2l_info(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsay("", 0, fmt, ap);
    va_end(ap);
}

void l2l_fmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}
