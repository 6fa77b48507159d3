/* options.h: parse and validate option values against a plugin's (or the
 * core's) option table; the same code parses defaults and user input. */
#ifndef L2L_OPTIONS_H
#define L2L_OPTIONS_H
#include <stdio.h>
#include "l2l/plugin.h"

/* Number of rows of a table ending with name NULL. */
int l2l_options_count(const struct l2l_option *table);
/* Index of the row called name, or -1. */
int l2l_options_find(const struct l2l_option *table, const char *name);
/* The row name closest to `name` by edit distance (for "did you mean"), or
 * NULL when nothing is close. */
const char *l2l_options_suggest(const struct l2l_option *table, const char *name);

/* Parses text for one row into *v. On error writes "what was expected"
 * into err (e.g. "expected a real in [0, 1], got '2'") and returns < 0. */
int l2l_option_parse(const struct l2l_option *row, const char *text,
                     struct l2l_value *v, char *err, size_t errlen);

/* Fills values[k] with row k's default. Rows without a default stay empty
 * (s == NULL). Returns < 0 with err set if a default does not parse. */
int l2l_options_defaults(const struct l2l_option *table, struct l2l_value *values,
                         char *err, size_t errlen);
/* Frees the strings the values hold (the array itself belongs to the caller). */
void l2l_values_clear(const struct l2l_option *table, struct l2l_value *values);

/* Sets option `name` from text (defaults must be filled first). */
int l2l_options_set(const struct l2l_option *table, struct l2l_value *values,
                    const char *name, const char *text, char *err, size_t errlen);

/* Prints the table for `l2l describe`. */
void l2l_options_print(FILE *f, const struct l2l_option *table);
/* The value of one row in one canonical text (integers in decimal, reals
 * with 17 significant digits, true/false, list items joined by ", "), so
 * that "0.1" and "1e-1" compare equal: checkpoints record it. */
void l2l_value_canon(const struct l2l_option *row, const struct l2l_value *v, char *buf, size_t len);
/* Writes "name=value; ..." of every option, for summaries and manifests. */
void l2l_values_format(const struct l2l_option *table, const struct l2l_value *values,
                       char *buf, size_t len);
/* The option is a value that may name a file (free text), and the value,
 * relative to the working directory, names one that exists. */
int l2l_value_names_file(const struct l2l_option *opt, const struct l2l_value *v);
#endif
