/* numbers.h: strict number parsing for everything the core reads from a
 * user (suite values, command-line flags) or from its own files (CSV).
 * The whole text must be the number: no spaces, no trailing text, no hex,
 * no inf or nan, nothing out of range. */
#ifndef L2L_NUMBERS_H
#define L2L_NUMBERS_H

/* A whole number: an optional '-' and decimal digits ("42", "-3"); not
 * "+3", "3.0", "1e3", "0x10", " 3". Returns 0, or -1 (not such a number,
 * or outside [lo, hi]). */
int l2l_parse_int(const char *text, long long lo, long long hi, long long *out);
/* A finite decimal real: [-+]digits[.digits][e[-+]digits] (".5" and "5."
 * too). Not "inf", "nan", "0x1p3", "1e999" (overflow) or "1e-400" (a
 * non-zero number that rounds to 0). Returns 0 or -1. */
int l2l_parse_real(const char *text, double *out);
/* Length of the longest prefix of text in the grammar of l2l_parse_real
 * (0 when none), for parsers that read a real inside a longer text. */
int l2l_real_span(const char *text);
#endif
