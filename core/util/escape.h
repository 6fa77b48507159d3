/* escape.h: free text (titles, descriptions, captions, hyperparameters,
 * anything read from a suite, a results directory or a plugin) written
 * into a file of another language, kept as written and escaped by the one
 * function of that language. Names (names.h) go through them too where
 * they are written inside a string of that language. */
#ifndef L2L_ESCAPE_H
#define L2L_ESCAPE_H
#include <stdio.h>

/* A gnuplot string expression showing s: single-quoted, in which gnuplot
 * substitutes neither backquotes nor macros, nor reads backslashes. A
 * quote or a control character (a newline: a line break in a title) is
 * joined as a double-quoted octal escape, 'it'."\047".'s',
 * 'a'."\012".'b', a constant with nothing to substitute: a control
 * character cannot stand on a script line, and gnuplot 5.4 misreads both
 * doubled quotes and, in its macro expander, a quote between "...". */
void l2l_esc_gnuplot(FILE *f, const char *s);
/* s for a gnuplot comment line (after '#'): a newline would end the
 * comment and start a command, so control characters become '?'. */
void l2l_esc_comment(FILE *f, const char *s);
/* HTML text or a double- or single-quoted attribute value: & < > " '. */
void l2l_esc_html(FILE *f, const char *s);
/* Markdown inline text (a table cell, a heading, a paragraph): every
 * ASCII punctuation character that Markdown or GitHub's tables give a
 * meaning is backslash-escaped; a newline (or other control character)
 * would end the cell or heading and becomes a space. */
void l2l_esc_md(FILE *f, const char *s);
/* A Markdown fenced code block holding text verbatim: the fence is one
 * backtick longer than the longest run of backticks in text (at least 3),
 * so no line of text can close it. */
void l2l_esc_md_code(FILE *f, const char *info, const char *text);
/* An RFC 4180 CSV field: as is, or between double quotes (a quote
 * doubled) when it holds a comma, a quote, CR or LF. */
void l2l_esc_csv(FILE *f, const char *s);
/* The same, always between quotes (a column that was always quoted). */
void l2l_esc_csv_quoted(FILE *f, const char *s);
#endif
