/* names.c: the grammar of names (see names.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "log.h"
#include "names.h"

static int name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '+' || ch == '-';
}

/* NULL for a name, else why not. */
static const char *why_not(const char *s, char *buf, size_t len)
{
    size_t n = strlen(s);
    if (n == 0)
        return "empty";
    if (n > L2L_NAME_MAX) {
        l2l_fmt(buf, len, "%zu characters, over %d", n, L2L_NAME_MAX);
        return buf;
    }
    if (s[0] == '.' || s[0] == '-' || s[0] == '+') {
        l2l_fmt(buf, len, "starts with '%c'", s[0]);
        return buf;
    }
    for (const char *p = s; *p; p++)
        if (!name_char(*p)) {
            char one[8];
            char c1[2] = {*p, 0};
            l2l_show(one, sizeof one, c1);
            l2l_fmt(buf, len, *p == '\'' ? "\"%s\" is not allowed" : "'%s' is not allowed", one);
            return buf;
        }
    return NULL;
}

int l2l_name_ok(const char *s)
{
    char buf[64];
    return s && !why_not(s, buf, sizeof buf);
}

int l2l_name_check(const char *s, char *err, size_t errlen, const char *fmt, ...)
{
    char buf[64];
    const char *why = why_not(s ? s : "", buf, sizeof buf);
    if (!why)
        return 0;
    char prefix[512], shown[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    l2l_show(shown, sizeof shown, s ? s : "");
    l2l_fmt(err, errlen, "%s%sexpected a name (1 to %d letters, digits, '_', '.', '+' or '-', the "
            "first a letter, a digit or '_'), got '%s': %s", prefix, prefix[0] ? " " : "", L2L_NAME_MAX,
            shown, why);
    return L2L_EINPUT;
}

void l2l_show(char *dst, size_t len, const char *s)
{
    size_t o = 0;
    if (len == 0)
        return;
    for (; *s && o + 1 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[8] = "";
        if (ch == '\n')
            strcpy(esc, "\\n");
        else if (ch == '\r')
            strcpy(esc, "\\r");
        else if (ch == '\t')
            strcpy(esc, "\\t");
        else if (ch == '\\')
            strcpy(esc, "\\\\");
        else if (ch < 0x20 || ch == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", ch);
        size_t need = esc[0] ? strlen(esc) : 1;
        /* room for this and, when more follows, "..." */
        if (o + need + (s[1] ? 3 : 0) >= len || o >= 60) {
            if (o + 4 <= len)
                memcpy(dst + o, "...", 3), o += 3;
            break;
        }
        if (esc[0])
            memcpy(dst + o, esc, need);
        else
            dst[o] = (char)ch;
        o += need;
    }
    dst[o] = 0;
}
