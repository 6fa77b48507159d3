/* stats_frame.c: the name, data file and script of a figure of the
 * statistics (stats_figures.c, stats_judge_figures.c). */
#include "escape.h"
#include "gnuplot_frame.h"
#include "log.h"
#include "stats_frame.h"

FILE *sf_data_open(struct sf_frame *g, const char *prefix, const char *what, const char *datadir)
{
    char safe[PR_NAME];
    pr_safe_name(what, safe, sizeof safe);
    l2l_fmt(g->name, sizeof g->name, "%s_%s", prefix, safe);
    l2l_fmt(g->data, sizeof g->data, "%s.csv", g->name);
    return l2l_afile_open(&g->a, datadir, g->data) < 0 ? NULL : g->a.f;
}

FILE *sf_script_open(struct sf_frame *g, const struct pr_results *r, const char *figdir,
                     const char *what, int width, int height)
{
    if (l2l_afile_commit(&g->a) < 0)
        return NULL;
    l2l_fmt(g->data, sizeof g->data, "data/%s.csv", g->name);
    return pg_script_open(&g->a, r, figdir, g->name, what, g->data, width, height);
}

void sf_title(FILE *f, const char *title)
{
    fputs("set title ", f);
    l2l_esc_gnuplot(f, title);
}
