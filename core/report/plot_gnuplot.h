/* plot_gnuplot.h: the gnuplot scripts of the figures (plot_gnuplot.c,
 * their frame in gnuplot_frame.h) and running gnuplot on them (gnuplot_run.c). */
#ifndef L2L_PLOT_GNUPLOT_H
#define L2L_PLOT_GNUPLOT_H
#include <stdio.h>
#include "gnuplot_frame.h"
#include "plot_data.h"

enum pg_kind { PG_CONVERGENCE, PG_GENERALIZATION, PG_TUNING, PG_ACCURACY, PG_META, PG_BENCH };

/* One figure: figures/<name>.gp renders <name>.png and <name>.svg. */
struct pg_figure {
    enum pg_kind kind;
    int index;               /* experiment, first experiment of the group, or optimizer */
    char name[PR_NAME + 32];
    char caption[512];
    int rendered;            /* both images written by gnuplot */
};

struct pg_list {
    int n, cap;
    struct pg_figure *fig;   /* owned */
};

/* Writes every script (and the derived data under figures/data) for r,
 * appending the figures to list. */
int pg_write_all(const struct pr_results *r, const char *figdir, const char *datadir,
                 struct pg_list *list);
void pg_list_free(struct pg_list *list);
/* Appends a figure (name and caption copied) to list; L2L_ENOMEM when it
 * cannot grow. */
int pg_list_add(struct pg_list *list, enum pg_kind kind, int index, const char *name,
                const char *caption);

/* Panel bodies shared by single figures and multiplot pages. */
/* A whole figure (key below, the title explains line, band and
 * divergence) or, with panel, one panel of a page (no key; the title
 * lists the divergences). */
void pg_convergence_panel(FILE *f, const struct pr_results *r, int e, const struct pr_conv_info *info,
                          int panel);

/* Path of gnuplot ($L2L_GNUPLOT, else `gnuplot` on PATH) into buf; 0 or
 * -1 when not found. */
int pg_find_gnuplot(char *buf, size_t len);
/* Runs `gnuplot script` with figdir as the working directory; on failure
 * returns L2L_EIO, printing gnuplot's last message when verbose (its whole
 * output stays in figures/NAME.log). */
int pg_run(const char *gnuplot, const char *figdir, const char *script, int verbose);
/* Renders every figure of list (figdir/NAME.gp into NAME.png and
 * NAME.svg), setting each one's `rendered`. Without gnuplot: a warning and
 * 0, or L2L_EINPUT when require; a figure that fails: L2L_EIO. The message
 * is printed and copied into err (empty when all is well). */
int pg_render_all(const struct pg_list *list, const char *figdir, int require, char *err,
                  size_t errlen);
#endif
