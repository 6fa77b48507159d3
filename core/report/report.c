/* report.c: index.html, one self-contained page: the summary table, every
 * figure as inline SVG (element ids prefixed per figure so that pages with
 * many gnuplot SVGs stay valid), and the manifest. No script, no network;
 * links to the PNGs, scripts and CSV files are relative. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "infile.h"
#include "l2l/plugin.h" /* L2L_ERRLEN */
#include "log.h"
#include "report.h"

void report_manifest_get(const char *text, const char *section, const char *key, char *out,
                         size_t len)
{
    out[0] = 0;
    if (!text)
        return;
    int in = 0;
    size_t klen = strlen(key);
    for (const char *p = text; *p; ) {
        size_t n = strcspn(p, "\n");
        const char *s = p + strspn(p, " \t");
        if (*s == '[') {
            const char *end = memchr(s, ']', n - (size_t)(s - p));
            in = end && (size_t)(end - s - 1) == strlen(section) && !strncmp(s + 1, section, strlen(section));
        } else if (in && !strncmp(s, key, klen) && strchr(" \t=", s[klen])) {
            const char *v = s + klen + strspn(s + klen, " \t");
            if (*v == '=') {
                v++;
                v += strspn(v, " \t");
                l2l_fmt(out, len, "%.*s", (int)(n - (size_t)(v - p)), v);
                return;
            }
        }
        p += n + (p[n] == '\n');
    }
}

void report_num(double x, char *out, size_t len)
{
    if (isnan(x))
        l2l_fmt(out, len, "–");
    else if (isinf(x))
        l2l_fmt(out, len, "%s", x > 0 ? "inf" : "-inf");
    else
        l2l_fmt(out, len, "%.4g", x);
}

int report_is_best(const struct pr_results *r, int k)
{
    const struct pr_summary *s = &r->sum[k];
    if (!isfinite(s->final_median))
        return 0;
    for (int j = 0; j < r->n_sum; j++)
        if (r->sum[j].exp == s->exp && r->sum[j].final_median < s->final_median)
            return 0;
    return 1;
}

int report_figure_rank(const struct pg_figure *g)
{
    return g->kind == PG_GENERALIZATION ? 1 : g->kind == PG_META ? 2 : 0;
}

void report_iqr(double med, double q1, double q3, char text[3][32])
{
    report_num(med, text[0], 32);
    report_num(q1, text[1], 32);
    report_num(q3, text[2], 32);
}

void report_rows(FILE *f, const struct pr_results *r,
                 void (*row)(FILE *f, const struct pr_results *r, int k, const char *wall))
{
    for (int e = 0; e < r->n_exp; e++)
        for (int k = 0; k < r->n_sum; k++) {
            if (r->sum[k].exp != e)
                continue;
            char w[32];
            report_num(r->sum[k].wall, w, sizeof w);
            row(f, r, k, w);
        }
}

void report_figures(FILE *f, const struct pr_results *r, const struct pg_list *figs,
                    void (*head)(FILE *f, const char *title),
                    void (*fig)(FILE *f, const struct pr_results *r, const struct pg_figure *g,
                                int k, void *ctx),
                    void *ctx)
{
    static const char *const heads[] = {NULL, "Generalization", "Meta-training"};
    for (int rank = 0; rank < 3; rank++)
        for (int e = 0; e < (rank ? 1 : r->n_exp); e++) {
            int shown = 0;
            for (int k = 0; k < figs->n; k++) {
                const struct pg_figure *g = &figs->fig[k];
                if (report_figure_rank(g) != rank || (rank == 0 && g->index != e))
                    continue;
                if (!shown++)
                    head(f, rank ? heads[rank] : r->exp[e].title[0] ? r->exp[e].title : r->exp[e].name);
                fig(f, r, g, k, ctx);
            }
        }
}

static void cell_iqr(FILE *f, double med, double q1, double q3, int bold)
{
    char t[3][32];
    report_iqr(med, q1, q3, t);
    if (isnan(med))
        fprintf(f, "<td>–</td>");
    else
        fprintf(f, "<td>%s%s%s <span class=\"iqr\">[%s, %s]</span></td>", bold ? "<b>" : "", t[0],
                bold ? "</b>" : "", t[1], t[2]);
}

static void summary_row(FILE *f, const struct pr_results *r, int k, const char *w)
{
    const struct pr_summary *s = &r->sum[k];
    fputs("<tr><td>", f);
    l2l_esc_html(f, r->exp[s->exp].name);
    fputs("</td><td>", f);
    l2l_esc_html(f, r->opt[s->opt].name);
    fputs("</td>", f);
    cell_iqr(f, s->final_median, s->final_q1, s->final_q3, report_is_best(r, k));
    cell_iqr(f, s->acc_median, s->acc_q1, s->acc_q3, 0);
    fprintf(f, "<td%s>%ld of %ld</td><td>", s->diverged ? " class=\"bad\"" : "", s->diverged,
            s->runs);
    l2l_esc_html(f, s->hyper);
    fprintf(f, "%s</td><td>%s</td></tr>\n", s->tuned ? " (tuned)" : "", w);
}

static void summary_table(FILE *f, const struct pr_results *r)
{
    fputs("<table>\n<tr><th>experiment</th><th>optimizer</th><th>final loss: median [Q1, Q3]</th>"
          "<th>test accuracy: median [Q1, Q3]</th><th>diverged</th><th>hyperparameters</th>"
          "<th>wall time (s)</th></tr>\n", f);
    report_rows(f, r, summary_row);
    fputs("</table>\n<p class=\"note\">Final loss: training loss at the last step of each "
          "evaluation run (a diverged run counts as +inf). Bold: the lowest median of its "
          "experiment. Hyperparameters: the values used, \"tuned\" when chosen from a grid.</p>\n", f);
}

/* Copies figures/<name>.svg from its <svg element on, prefixing ids and
 * references with "f<k>_". Returns 0, or -1 when the file is unreadable. */
static int inline_svg(FILE *out, const char *dir, const char *name, int k)
{
    char path[4096];
    l2l_fmt(path, sizeof path, "%s/figures/%s.svg", dir, name);
    FILE *f;
    char why[L2L_ERRLEN];
    if (l2l_fopen_input(path, &f, NULL, why, sizeof why) < 0) /* a FIFO would block */
        return -1;
    char *text = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 65536;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                return -1;
            }
            text = t;
        }
        size_t got = fread(text + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    text[n] = 0;
    const char *p = strstr(text, "<svg");
    if (!p) {
        free(text);
        return -1;
    }
    static const char *const refs[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
    int in_tag = 0; /* only inside <...>: a title's text is shown as written */
    while (*p) {
        size_t j, len = 0;
        in_tag = *p == '<' ? 1 : *p == '>' ? 0 : in_tag;
        for (j = 0; in_tag && j < sizeof refs / sizeof refs[0]; j++) {
            len = strlen(refs[j]);
            if (!strncmp(p, refs[j], len))
                break;
        }
        if (in_tag && j < sizeof refs / sizeof refs[0]) {
            fprintf(out, "%sf%d_", refs[j], k);
            p += len;
        } else {
            fputc(*p++, out);
        }
    }
    free(text);
    return 0;
}

static void figure_head(FILE *f, const char *title)
{
    fputs("<h3>", f);
    l2l_esc_html(f, title);
    fputs("</h3>\n", f);
}

static void figure(FILE *f, const struct pr_results *r, const struct pg_figure *g, int k, void *ctx)
{
    (void)ctx;
    fputs("<figure id=\"", f);
    l2l_esc_html(f, g->name);
    fputs("\">\n", f);
    if (!g->rendered || inline_svg(f, r->dir, g->name, k) < 0)
        fputs("<p class=\"bad\">Not rendered: gnuplot was not found or failed. Install "
              "gnuplot and run <code>l2l plot</code> on this directory.</p>\n", f);
    fputs("\n<figcaption>", f);
    l2l_esc_html(f, g->caption);
    /* figure names are names (names.h): nothing to escape in a URL */
    fprintf(f, " <a href=\"figures/%s.png\">PNG</a> · <a href=\"figures/%s.svg\">SVG</a> · "
               "<a href=\"figures/%s.gp\">gnuplot script</a></figcaption>\n</figure>\n",
            g->name, g->name, g->name);
}

int report_write_html(const struct pr_results *r, const struct pg_list *figs, report_part_fn *part)
{
    struct atomic_file a;
    if (l2l_afile_open(&a, r->dir, "index.html") < 0)
        return L2L_EIO;
    FILE *f = a.f;
    char name[256], seed[64], rev[128], ver[64];
    report_manifest_get(r->manifest, "suite", "name", name, sizeof name);
    report_manifest_get(r->manifest, "suite", "seed", seed, sizeof seed);
    report_manifest_get(r->manifest, "l2l", "revision", rev, sizeof rev);
    report_manifest_get(r->manifest, "l2l", "version", ver, sizeof ver);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>l2l-bench: ", f);
    l2l_esc_html(f, name[0] ? name : "results");
    fputs("</title>\n<style>\n"
          "body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }\n"
          "table { border-collapse: collapse; font-size: 0.9em; }\n"
          "th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }\n"
          "th { background: #f2f2f2; } .iqr { color: #666; } .bad { color: #b00; }\n"
          ".note { color: #555; font-size: 0.9em; } figure { margin: 1.5em 0; }\n"
          "figure svg { max-width: 100%; height: auto; } figcaption { color: #444; }\n"
          "pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }\n"
          "</style>\n</head>\n<body>\n<h1>l2l-bench results: ", f);
    l2l_esc_html(f, name[0] ? name : r->dir);
    fputs("</h1>\n<p>", f);
    if (seed[0]) {
        fputs("Seed ", f);
        l2l_esc_html(f, seed);
        fputs(". ", f);
    }
    if (ver[0] || rev[0]) {
        fputs("l2l-bench ", f);
        l2l_esc_html(f, ver);
        fputs(" (revision ", f);
        l2l_esc_html(f, rev[0] ? rev : "unknown");
        fputs("). ", f);
    }
    fprintf(f, "%d experiments, %d optimizers. Data: <a href=\"summary.csv\">summary.csv</a>, "
               "<a href=\"runs.csv\">runs.csv</a>, <a href=\"curves.csv\">curves.csv</a>, "
               "<a href=\"tuning.csv\">tuning.csv</a>; figure data in "
               "<a href=\"figures/data/\">figures/data/</a>.</p>\n<h2>Summary</h2>\n",
            r->n_exp, r->n_opt);
    summary_table(f, r);
    if (part)
        part(f, r, l2l_esc_html, 1);
    fputs("<h2>Figures</h2>\n", f);
    report_figures(f, r, figs, figure_head, figure, NULL);
    fputs("<h2>Manifest</h2>\n<pre>", f);
    l2l_esc_html(f, r->manifest ? r->manifest : "(manifest.ini missing)\n");
    fputs("</pre>\n</body>\n</html>\n", f);
    return l2l_afile_commit(&a);
}
