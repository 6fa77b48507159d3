/* gnuplot_frame.h: the frame every gnuplot script of the report shares
 * (gnuplot_frame.c): its header and PNG-then-SVG loop, colours, ranges,
 * tics and key. */
#ifndef L2L_GNUPLOT_FRAME_H
#define L2L_GNUPLOT_FRAME_H
#include <stdio.h>
#include "plot_data.h"

/* Opens figdir/<name>.gp (temporary name until closed) and writes its
 * header: what it draws, how to render it again (`cd where && gnuplot
 * name.gp`), where its data is, and the CSV data format. */
FILE *pg_script_start(struct atomic_file *a, const char *figdir, const char *where,
                      const char *name, const char *what, const char *data);
/* Opens the loop that draws the body once as PNG and once as SVG, at
 * width x height pixels, into name.png and name.svg. */
void pg_script_loop(FILE *f, const char *name, int width, int height);
/* pg_script_start for figures/<name>.gp, one line style per optimizer,
 * and pg_script_loop. */
FILE *pg_script_open(struct atomic_file *a, const struct pr_results *r, const char *figdir,
                     const char *name, const char *what, const char *data, int width, int height);
/* Ends the loop and renames the script into place. */
int pg_script_close(struct atomic_file *a);
/* Range [lo, hi] padded by `pad` of its width (of its decades when logy). */
void pg_range(double lo, double hi, int logy, double pad, double *plo, double *phi);

/* Okabe-Ito colour of the optimizer at suite position k. */
const char *pg_colour(int k);
/* The gnuplot string of name followed by suffix (a column or a file name;
 * strings go through l2l_esc_gnuplot of escape.h, never between "..."). */
void pg_col(FILE *f, const char *name, const char *suffix);

/* A key below the plot, in as many columns as fit in width pixels. */
void pg_key_below(FILE *f, int width, const char *const *labels, int n);
/* Labelled tics at 1-2-5 (or finer) steps on a log axis spanning few decades. */
void pg_log_tics(FILE *f, const char *axis, double lo, double hi);
/* The same with SI labels (100k, 1M, 1.5G) for rates spanning decades. */
void pg_log_tics_si(FILE *f, const char *axis, double lo, double hi);
#endif
