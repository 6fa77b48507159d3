/* plot.h: figures and report of a results directory (`l2l plot`, and the
 * end of `l2l run`), and the throughput figure of `l2l bench`'s CSV. */
#ifndef L2L_PLOT_H
#define L2L_PLOT_H
#include <stddef.h>

/* Reads dir's CSV files, writes dir/figures/data/NAME.csv (the plotted
 * statistics), dir/figures/NAME.gp, renders NAME.png and NAME.svg with
 * gnuplot ($L2L_GNUPLOT, else `gnuplot` on PATH), and writes
 * dir/index.html and dir/report.md. Without gnuplot the CSV files, scripts
 * and report are still written and one warning is printed; that is an
 * error only when require_figures. Returns 0, L2L_EINPUT (bad or missing
 * CSV, or no gnuplot when required) or another negative code; the message
 * is printed and also copied into err. */
int l2l_plot_results(const char *dir, int require_figures, char *err, size_t errlen);

/* Throughput against n from the CSV of `l2l bench` (plot_bench.c): writes
 * out (DIR/NAME.png; NULL: the CSV's path with .csv replaced by .png),
 * DIR/NAME.svg and DIR/NAME.gp, the script holding its data. Gnuplot and
 * return codes as l2l_plot_results; a missing or unreadable CSV, a header
 * other than bench's, a bad row or no coord_steps_per_s rows give
 * L2L_EINPUT with a message naming the file. */
int l2l_plot_bench(const char *csv, const char *out, int require_figures, char *err,
                   size_t errlen);
#endif
