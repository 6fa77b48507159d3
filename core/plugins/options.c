/* options.c: option tables, declared once by each plugin, parsed and
 * validated here for every plugin alike. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "log.h"
#include "numbers.h"
#include "options.h"

int l2l_options_count(const struct l2l_option *table)
{
    int n = 0;
    while (table && table[n].name)
        n++;
    return n;
}

int l2l_options_find(const struct l2l_option *table, const char *name)
{
    for (int k = 0; table && table[k].name; k++)
        if (strcmp(table[k].name, name) == 0)
            return k;
    return -1;
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *l2l_options_suggest(const struct l2l_option *table, const char *name)
{
    const char *best = NULL;
    int best_d = 3; /* farther than two edits is no suggestion */
    for (int k = 0; table && table[k].name; k++) {
        int d = edit_distance(name, table[k].name);
        if (d < best_d) {
            best_d = d;
            best = table[k].name;
        }
    }
    return best;
}

/* Bounds of an INT row as integers (the table keeps them as doubles). */
static long long int_bound(double b)
{
    if (b <= -9.2e18)
        return LLONG_MIN;
    if (b >= 9.2e18)
        return LLONG_MAX;
    return (long long)b;
}

static int choice_ok(const char *choices, const char *s)
{
    size_t len = strlen(s);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && strncmp(p, s, n) == 0)
            return 1;
        p += n + (bar != NULL);
    }
    return 0;
}

static const char *type_name(enum l2l_opt_type t)
{
    switch (t) {
    case L2L_OPT_INT: return "int";
    case L2L_OPT_REAL: return "real";
    case L2L_OPT_BOOL: return "bool";
    case L2L_OPT_STRING: return "string";
    case L2L_OPT_LIST: return "list";
    }
    return "?";
}

int l2l_option_parse(const struct l2l_option *row, const char *text,
                     struct l2l_value *v, char *err, size_t errlen)
{
    struct l2l_value nv;
    memset(&nv, 0, sizeof nv);
    double x;
    long long ll;
    switch (row->type) {
    case L2L_OPT_INT:
        /* Digits only: "1e3", "3.0", "0x10" and " 3" are refused, not rounded. */
        if (l2l_parse_int(text, int_bound(row->min), int_bound(row->max), &ll) < 0) {
            /* %.0f: %g would print 2^53 - 1 as 9.0072e+15, not a bound one can type */
            l2l_fmt(err, errlen, "expected a whole number in [%.0f, %.0f], got '%s'",
                    row->min, row->max, text);
            return L2L_EINPUT;
        }
        nv.i = (long)ll;
        nv.r = (double)ll;
        break;
    case L2L_OPT_REAL:
        if (l2l_parse_real(text, &x) || x < row->min || x > row->max) {
            l2l_fmt(err, errlen, "expected a finite real in [%g, %g], got '%s'",
                    row->min, row->max, text);
            return L2L_EINPUT;
        }
        nv.r = x;
        break;
    case L2L_OPT_BOOL:
        if (!strcasecmp(text, "true") || !strcasecmp(text, "yes") || !strcmp(text, "1"))
            nv.i = 1;
        else if (!strcasecmp(text, "false") || !strcasecmp(text, "no") || !strcmp(text, "0"))
            nv.i = 0;
        else {
            l2l_fmt(err, errlen, "expected true or false, got '%s'", text);
            return L2L_EINPUT;
        }
        break;
    case L2L_OPT_STRING:
        if (row->choices && !choice_ok(row->choices, text)) {
            l2l_fmt(err, errlen, "expected one of %s, got '%s'", row->choices, text);
            return L2L_EINPUT;
        }
        break;
    case L2L_OPT_LIST: {
        /* Items split at every comma; spaces around an item are allowed, an
         * empty item ("1,,2", "1,") is not. */
        const char *p = text;
        char item[128];
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            while (n && (*p == ' ' || *p == '\t')) {
                p++;
                n--;
            }
            while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (nv.n == L2L_LIST_MAX) {
                l2l_fmt(err, errlen, "expected at most %d comma-separated items, got '%s'",
                        L2L_LIST_MAX, text);
                return L2L_EINPUT;
            }
            if (n >= sizeof item) {
                l2l_fmt(err, errlen, "expected comma-separated reals, got '%s' (item %d is %zu characters long)",
                        text, nv.n + 1, n);
                return L2L_EINPUT;
            }
            memcpy(item, p, n);
            item[n] = 0;
            if (!n) {
                l2l_fmt(err, errlen, "expected a comma-separated list of reals, got '%s' (item %d is empty)",
                        text, nv.n + 1);
                return L2L_EINPUT;
            }
            if (l2l_parse_real(item, &x) || x < row->min || x > row->max) {
                l2l_fmt(err, errlen, "expected comma-separated reals in [%g, %g], got '%s' (item %d: '%s')",
                        row->min, row->max, text, nv.n + 1, item);
                return L2L_EINPUT;
            }
            nv.list[nv.n++] = x;
            if (!comma)
                break;
            p = comma + 1;
        }
        break;
    }
    }
    nv.s = strdup(text);
    if (!nv.s) {
        l2l_fmt(err, errlen, "out of memory");
        return L2L_ENOMEM;
    }
    free((char *)v->s);
    *v = nv;
    return 0;
}

int l2l_options_defaults(const struct l2l_option *table, struct l2l_value *values,
                         char *err, size_t errlen)
{
    int n = l2l_options_count(table);
    memset(values, 0, sizeof *values * (size_t)n);
    for (int k = 0; k < n; k++) {
        if (!table[k].def)
            continue;
        char why[L2L_ERRLEN];
        if (l2l_option_parse(&table[k], table[k].def, &values[k], why, sizeof why) < 0) {
            l2l_fmt(err, errlen, "default of option '%s': %s", table[k].name, why);
            l2l_values_clear(table, values);
            return L2L_EINPUT;
        }
    }
    return 0;
}

void l2l_values_clear(const struct l2l_option *table, struct l2l_value *values)
{
    int n = l2l_options_count(table);
    for (int k = 0; k < n; k++) {
        free((char *)values[k].s);
        values[k].s = NULL;
    }
}

int l2l_options_set(const struct l2l_option *table, struct l2l_value *values,
                    const char *name, const char *text, char *err, size_t errlen)
{
    int k = l2l_options_find(table, name);
    if (k < 0) {
        const char *hint = l2l_options_suggest(table, name);
        if (hint)
            l2l_fmt(err, errlen, "unknown option '%s' (did you mean '%s'?)", name, hint);
        else
            l2l_fmt(err, errlen, "unknown option '%s'", name);
        return L2L_EINPUT;
    }
    char why[L2L_ERRLEN];
    if (l2l_option_parse(&table[k], text, &values[k], why, sizeof why) < 0) {
        l2l_fmt(err, errlen, "%s: %s", name, why);
        return L2L_EINPUT;
    }
    return 0;
}

void l2l_options_print(FILE *f, const struct l2l_option *table)
{
    fprintf(f, "  %-14s %-7s %-12s %-22s %s\n", "option", "type", "default", "range", "help");
    for (int k = 0; table && table[k].name; k++) {
        const struct l2l_option *o = &table[k];
        char range[64] = "";
        if (o->type == L2L_OPT_INT || o->type == L2L_OPT_REAL || o->type == L2L_OPT_LIST)
            l2l_fmt(range, sizeof range, "[%g, %g]", o->min, o->max);
        else if (o->type == L2L_OPT_STRING && o->choices)
            l2l_fmt(range, sizeof range, "%s", o->choices);
        fprintf(f, "  %-14s %-7s %-12s %-22s %s\n", o->name, type_name(o->type),
                o->def ? o->def : "(required)", range, o->help ? o->help : "");
    }
}

void l2l_values_format(const struct l2l_option *table, const struct l2l_value *values,
                       char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; table && table[k].name && used < len; k++) {
        int w = snprintf(buf + used, len - used, "%s%s=%s", k ? " " : "", table[k].name,
                         values[k].s ? values[k].s : "");
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

void l2l_value_canon(const struct l2l_option *row, const struct l2l_value *v, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    switch (row->type) {
    case L2L_OPT_INT:
        snprintf(buf, len, "%ld", v->i);
        break;
    case L2L_OPT_BOOL:
        snprintf(buf, len, "%s", v->i ? "true" : "false");
        break;
    case L2L_OPT_REAL: /* the shortest text that reads back as the same double */
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(buf, len, "%.*g", digits, v->r);
            if (strtod(buf, NULL) == v->r)
                break;
        }
        break;
    case L2L_OPT_LIST:
        for (int k = 0; k < v->n && used < len; k++) {
            char item[32];
            struct l2l_value one = {.r = v->list[k]};
            struct l2l_option real = {.type = L2L_OPT_REAL};
            l2l_value_canon(&real, &one, item, sizeof item);
            int w = snprintf(buf + used, len - used, "%s%s", k ? ", " : "", item);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        break;
    default:
        snprintf(buf, len, "%s", v->s ? v->s : "");
        break;
    }
}

int l2l_value_names_file(const struct l2l_option *opt, const struct l2l_value *v)
{
    struct stat st;
    return opt->type == L2L_OPT_STRING && !opt->choices && v->s && v->s[0] &&
           stat(v->s, &st) == 0 && S_ISREG(st.st_mode);
}
