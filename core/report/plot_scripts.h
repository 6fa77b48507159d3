/* plot_scripts.h: the tuning, accuracy and meta-training figures
 * (plot_scripts.c); their script frame is gnuplot_frame.h. */
#ifndef L2L_PLOT_SCRIPTS_H
#define L2L_PLOT_SCRIPTS_H
#include <stdio.h>
#include "gnuplot_frame.h"
#include "plot_data.h"

int ps_tuning(const struct pr_results *r, int e, const char *figdir, const char *name);
int ps_accuracy(const struct pr_results *r, int e, const char *figdir, const char *name);
int ps_meta(const struct pr_results *r, int o, const char *figdir, const char *name);
#endif
