/* plot_scripts.h: the tuning, accuracy and meta-training figures
 * (plot_scripts.c) and the script frame they share with the convergence
 * figures (plot_gnuplot.c). */
#ifndef L2L_PLOT_SCRIPTS_H
#define L2L_PLOT_SCRIPTS_H
#include <stdio.h>
#include "plot_data.h"

/* Opens figures/<name>.gp (temporary name until closed) and writes the
 * shared preamble: data format, one line style per optimizer, and the
 * loop that draws the body once as PNG and once as SVG. */
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
