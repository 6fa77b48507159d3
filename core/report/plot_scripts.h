/* plot_scripts.h: the tuning, accuracy and meta-training figures
 * (plot_scripts.c) and the script frame they share with the convergence
 * figures (plot_gnuplot.c). */
#ifndef L2L_PLOT_SCRIPTS_H
#define L2L_PLOT_SCRIPTS_H
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

int ps_tuning(const struct pr_results *r, int e, const char *figdir, const char *name);
int ps_accuracy(const struct pr_results *r, int e, const char *figdir, const char *name);
int ps_meta(const struct pr_results *r, int o, const char *figdir, const char *name);
#endif
