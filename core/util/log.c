/* log.c: messages on stderr; errors and warnings always, information unless quiet. */
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

static int quiet;

void l2l_set_quiet(int q) { quiet = q; }

/* Messages may quote bytes from a corrupt file (a plugin name in a
 * checkpoint, a job in a .state file): control characters are shown as
 * '?', so every message stays one line and cannot drive the terminal. */
static void vsay(const char *tag, const char *fmt, va_list ap)
{
    char buf[4096];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0)
        n = 0;
    for (char *p = buf; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
            *p = '?';
    fputs(tag, stderr);
    fputs(buf, stderr);
    if ((size_t)n >= sizeof buf)
        fputs("...", stderr);
    fputc('\n', stderr);
}

void l2l_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("", fmt, ap);
    va_end(ap);
}

void l2l_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay("warning: ", fmt, ap);
    va_end(ap);
}

void l2l_info(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsay("", fmt, ap);
    va_end(ap);
}

void l2l_fmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}
