/* stats_frame.h: what every figure of the statistics does around its own
 * data and script (stats_frame.c): its name, its data file in
 * figures/data/ and, once that is written, its gnuplot script. */
#ifndef L2L_STATS_FRAME_H
#define L2L_STATS_FRAME_H
#include <stdio.h>
#include "plot_data.h"

struct sf_frame {
    char name[PR_NAME + 32];  /* prefix_<what>, what made safe for a file name */
    char data[PR_NAME + 64];  /* <name>.csv, then data/<name>.csv as the script reads it */
    struct atomic_file a;     /* the data file, then the script */
};

/* Names the figure and opens datadir/<name>.csv (temporary name until
 * committed): its stream, or NULL (L2L_EIO, said). */
FILE *sf_data_open(struct sf_frame *g, const char *prefix, const char *what, const char *datadir);
/* Commits the data file and opens the script (pg_script_open of
 * gnuplot_frame.h): its stream, or NULL (L2L_EIO, said). */
FILE *sf_script_open(struct sf_frame *g, const struct pr_results *r, const char *figdir,
                     const char *what, int width, int height);
/* `set title` with the gnuplot string of title. */
void sf_title(FILE *f, const char *title);
#endif
