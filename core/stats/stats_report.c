/* stats_report.c: the comparisons as sentences a reader can quote
 * ("lstm / nag at step 100: 0.87 [0.80, 0.95], wins 16 of 20, p = 0.003"),
 * read back from comparisons.csv and targets.csv, for index.html and
 * report.md alike. */
#include <math.h>
#include <string.h>
#include "log.h"
#include "plot_csv.h"
#include "stats_judge.h"
#include "stats_write.h"

#define NOTE "Each line: the geometric-mean ratio of the optimizer's loss to the reference's, " \
             "run by run on the same problems, with a 95 % percentile bootstrap interval (10,000 " \
             "paired resamples; below 1 is better); the runs it wins (ties count half); the " \
             "Wilcoxon signed-rank p-value (exact up to 50 runs without ties). Where the interval " \
             "includes 1 the difference is not resolved. Data: comparisons.csv, targets.csv."

static void open_list(FILE *f, int html, void (*esc)(FILE *, const char *), const char *exp,
                      const char *what)
{
    fputs(html ? "<h3>" : "\n### ", f);
    esc(f, exp);
    fprintf(f, "%s%s", what, html ? "</h3>\n<ul>\n" : "\n\n");
}

static void comparisons(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *),
                        int html)
{
    static const char *const cols[] = {"experiment", "optimizer", "reference", "step", "runs",
                                       "ratio", "ratio_lo", "ratio_hi", "wins", "p_value",
                                       "left_out", "both_diverged", NULL};
    int ix[12];
    struct csv c;
    if (csv_open(&c, r->dir, "comparisons.csv", cols, ix) < 0)
        return;
    char last[PR_NAME] = "";
    int open = 0;
    while (csv_next(&c) > 0) {
        double v[6];
        long step, runs, left, both;
        if (csv_long(&c, ix[3], 0, &step) < 0 || csv_long(&c, ix[4], 0, &runs) < 0 ||
            csv_long(&c, ix[10], 0, &left) < 0 || csv_long(&c, ix[11], 0, &both) < 0)
            break;
        for (int k = 0; k < 5; k++)
            if (csv_num(&c, ix[5 + k], 1, &v[k]) < 0)
                goto done;
        if (strcmp(last, csv_str(&c, ix[0]))) {
            if (open && html)
                fputs("</ul>\n", f);
            l2l_fmt(last, sizeof last, "%s", csv_str(&c, ix[0]));
            open_list(f, html, esc, last, "");
            open = 1;
        }
        fputs(html ? "<li>" : "- ", f);
        esc(f, csv_str(&c, ix[1]));
        fputs(" / ", f);
        esc(f, csv_str(&c, ix[2]));
        fprintf(f, " at step %ld: ", step);
        if (isnan(v[0]))
            fputs("no ratio (every pair has a divergence)", f);
        else
            fprintf(f, "%#.3g [%#.3g, %#.3g]", v[0], v[1], v[2]);
        fprintf(f, ", wins %g of %ld, p = %.2g", v[3], runs, v[4]);
        if (!isnan(v[0]) && v[1] <= 1 && v[2] >= 1)
            fputs(": not resolved (the interval includes 1)", f);
        char why[512];
        if (sj_transfer(r->dir, last, csv_str(&c, ix[1]), why, sizeof why)) {
            fputs(html ? " (<strong>transfer</strong>: " : " (**transfer**: ", f);
            esc(f, why);
            fputs(")", f);
        }
        if (left)
            fprintf(f, "; %ld pair%s with one side diverged left out of the ratio", left,
                    left > 1 ? "s" : "");
        if (both)
            fprintf(f, "; %ld pair%s where both diverged dropped", both, both > 1 ? "s" : "");
        fputs(html ? "</li>\n" : "\n", f);
    }
done:
    if (open && html)
        fputs("</ul>\n", f);
    csv_close(&c);
}

static void targets(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *), int html)
{
    static const char *const cols[] = {"experiment", "optimizer", "reference", "target", "step",
                                       "speedup", NULL};
    int ix[6];
    struct csv c;
    if (csv_open(&c, r->dir, "targets.csv", cols, ix) < 0)
        return;
    char last[PR_NAME] = "";
    while (csv_next(&c) > 0) {
        double target, speedup;
        long step;
        if (csv_num(&c, ix[3], 0, &target) < 0 || csv_long(&c, ix[4], 1, &step) < 0 ||
            csv_num(&c, ix[5], 1, &speedup) < 0)
            break;
        if (!last[0]) /* a heading only when some experiment has a target */
            fputs(html ? "<h3>Time to target</h3>\n" : "\n### Time to target\n", f);
        if (strcmp(last, csv_str(&c, ix[0]))) {
            fputs(last[0] ? (html ? ".</p>\n" : ".\n") : "", f);
            l2l_fmt(last, sizeof last, "%s", csv_str(&c, ix[0]));
            fputs(html ? "<p>" : "\n", f);
            esc(f, last);
            fprintf(f, ", steps of the median curve to %.4g", target);
            if (csv_str(&c, ix[2])[0]) {
                fputs(" (the median final loss of ", f);
                esc(f, csv_str(&c, ix[2]));
                fputs(")", f);
            }
            fputs(": ", f);
        } else
            fputs(", ", f);
        esc(f, csv_str(&c, ix[1]));
        if (step < 0)
            fputs(" never", f);
        else
            fprintf(f, " %ld (speedup %.3g)", step, speedup);
    }
    if (last[0])
        fputs(html ? ".</p>\n" : ".\n", f);
    csv_close(&c);
}

void st_report(FILE *f, const struct pr_results *r, void (*esc)(FILE *, const char *), int html)
{
    char path[4200];
    l2l_fmt(path, sizeof path, "%s/comparisons.csv", r->dir);
    FILE *probe = fopen(path, "r");
    if (!probe)
        return;
    fclose(probe);
    fputs(html ? "<h2>Comparisons</h2>\n<p class=\"note\">" NOTE "</p>\n" : "\n## Comparisons\n\n" NOTE "\n", f);
    comparisons(f, r, esc, html);
    targets(f, r, esc, html);
    sj_report(f, r, esc, html);
}
