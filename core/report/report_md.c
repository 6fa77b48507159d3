/* report_md.c: report.md, the summary table and the figures as PNG links,
 * for reading the results in a repository browser. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "escape.h"
#include "log.h"
#include "report.h"

static void md_iqr(FILE *f, double med, double q1, double q3, int bold)
{
    char t[3][32];
    report_iqr(med, q1, q3, t);
    if (isnan(med))
        fputs(" – |", f);
    else
        fprintf(f, " %s%s%s [%s, %s] |", bold ? "**" : "", t[0], bold ? "**" : "", t[1], t[2]);
}

static void md_row(FILE *f, const struct pr_results *r, int k, const char *w)
{
    const struct pr_summary *s = &r->sum[k];
    fputs("| ", f);
    l2l_esc_md(f, r->exp[s->exp].name);
    fputs(" | ", f);
    l2l_esc_md(f, r->opt[s->opt].name);
    fputs(" |", f);
    md_iqr(f, s->final_median, s->final_q1, s->final_q3, report_is_best(r, k));
    md_iqr(f, s->acc_median, s->acc_q1, s->acc_q3, 0);
    fprintf(f, " %ld of %ld | ", s->diverged, s->runs);
    l2l_esc_md(f, s->hyper);
    fprintf(f, "%s | %s |\n", s->tuned ? " (tuned)" : "", w);
}

static void md_head(FILE *f, const char *title)
{
    fputs("\n### ", f);
    l2l_esc_md(f, title);
    fputs("\n", f);
}

/* ctx: the count of figures not rendered. */
static void md_figure(FILE *f, const struct pr_results *r, const struct pg_figure *g, int k, void *ctx)
{
    (void)r;
    (void)k;
    *(int *)ctx += !g->rendered;
    fprintf(f, "\n![%s](figures/%s.png)\n\n", g->name, g->name);
    l2l_esc_md(f, g->caption);
    fprintf(f, " ([SVG](figures/%s.svg), [gnuplot script](figures/%s.gp))\n", g->name, g->name);
}

int report_write_md(const struct pr_results *r, const struct pg_list *figs, report_part_fn *part)
{
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "report.md") < 0)
        return L2L_EIO;
    FILE *f = a.f;
    char name[256], seed[64], rev[128];
    report_manifest_get(r->manifest, "suite", "name", name, sizeof name);
    report_manifest_get(r->manifest, "suite", "seed", seed, sizeof seed);
    report_manifest_get(r->manifest, "l2l", "revision", rev, sizeof rev);
    fputs("# l2l-bench results: ", f);
    l2l_esc_md(f, name[0] ? name : "results");
    /* manifest.ini comes with the results directory: its values are free text */
    fputs("\n\nSeed ", f);
    l2l_esc_md(f, seed[0] ? seed : "unknown");
    fputs(", revision ", f);
    l2l_esc_md(f, rev[0] ? rev : "unknown");
    fprintf(f, "; %d experiments, %d optimizers. The page with every figure "
               "inline is [index.html](index.html); data in [summary.csv](summary.csv).\n\n"
               "## Summary\n\n| experiment | optimizer | final loss: median [Q1, Q3] | "
               "test accuracy: median [Q1, Q3] | diverged | hyperparameters | wall time (s) |\n"
               "|---|---|---|---|---|---|---|\n",
            r->n_exp, r->n_opt);
    report_rows(f, r, md_row);
    fputs("\nFinal loss: training loss at the last step of each evaluation run (a diverged run "
          "counts as +inf). Bold: the lowest median of its experiment.\n", f);
    if (part)
        part(f, r, l2l_esc_md, 0);
    fputs("\n## Figures\n", f);
    int missing = 0;
    report_figures(f, r, figs, md_head, md_figure, &missing);
    if (missing)
        fputs("\nSome figures were not rendered (gnuplot was not found or failed): install gnuplot "
              "and run `l2l plot` on this directory.\n", f);
    fputs("\n## Manifest\n\n", f);
    l2l_esc_md_code(f, "ini", r->manifest ? r->manifest : "(manifest.ini missing)\n");
    return l2l_afile_commit(&a);
}
