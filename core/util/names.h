/* names.h: the grammar of names. Sections, optimizers, optimizees,
 * experiments, figures, suites and plugins are named by the user (suite,
 * results CSV, checkpoint, command line) and become file names, CSV
 * column prefixes and gnuplot column selectors: so they are checked where
 * they are first read and refused when bad, never rewritten (two rewritten
 * names could map to one file). Free text (titles, descriptions) is not a
 * name: it is kept as written and escaped where written (escape.h). */
#ifndef L2L_NAMES_H
#define L2L_NAMES_H
#include <stddef.h>

#define L2L_NAME_MAX 64

/* A name is 1 to L2L_NAME_MAX characters of [A-Za-z0-9_.+-], the first a
 * letter, a digit or '_' (not '.', which hides a file and makes "." and
 * "..", nor '-' or '+', which read as an option or a spreadsheet formula).
 * Returns 0, or L2L_EINPUT with err set to "PREFIX expected a name (...),
 * got 'NAME': why", PREFIX formatted from fmt, NAME shown printable. */
int l2l_name_check(const char *s, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Whether s is a name (the same rule, no message). */
int l2l_name_ok(const char *s);

/* s made printable for a one-line message: control characters and
 * backslash as C escapes, bytes >= 0x80 kept (UTF-8), cut with "..." past
 * about 60 characters. Always terminated. */
void l2l_show(char *dst, size_t len, const char *s);
#endif
