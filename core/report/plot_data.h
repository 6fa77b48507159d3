/* plot_data.h: a results directory read back into memory (plot_load.c)
 * and the statistics the figures show (plot_data.c). */
#ifndef L2L_PLOT_DATA_H
#define L2L_PLOT_DATA_H
#include <stdio.h>
#include "atomic_file.h"
#include "quantile.h"

#define PR_NAME 128

struct pr_exp {
    char name[PR_NAME], optimizee[PR_NAME], figure[PR_NAME], title[256];
    long steps, runs;
};

struct pr_opt {
    char name[PR_NAME], plugin[PR_NAME];
    int learned;
    int has_meta;            /* meta_<name>.csv exists and parsed */
    int meta_best;           /* ... and has a best_valid_loss column */
    double meta_lo, meta_hi; /* range of its finite losses */
    int meta_logy;           /* all of them > 0 */
};

/* One optimizer in one experiment: every evaluation run's curve. */
struct pr_series {
    long runs, steps;
    double *loss;            /* (runs, steps + 1); NAN: no row; +inf from divergence on */
    double *accuracy;        /* (runs) eval_accuracy, NAN when absent */
    int *seen;               /* (runs) 1 when the run has rows in curves.csv */
    /* Read back only to check the files against each other (plot_load.c): */
    long *next;              /* (runs) rows read from curves.csv = next step expected */
    long *runs_line;         /* (runs) the run's line in runs.csv, 0 when absent */
    long *diverged;          /* (runs) its diverged_step in runs.csv, -1 when none */
    double *final;           /* (runs) its final_loss in runs.csv, NAN when none */
    long n_listed;           /* runs in runs.csv */
    long summary_line;       /* its row in summary.csv, 0 when none */
};

struct pr_tune {
    int exp, opt;
    char param[PR_NAME];
    double value, mean_final_loss;
    long diverged_runs;
    int chosen;
};

struct pr_summary {
    int exp, opt;
    long runs, diverged;
    double final_median, final_q1, final_q3;
    double acc_median, acc_q1, acc_q3; /* NAN when not applicable */
    double wall;                       /* NAN when unknown */
    int tuned;
    char hyper[1024];
};

struct pr_results {
    char dir[4096];
    int n_exp, n_opt;
    struct pr_exp *exp;
    struct pr_opt *opt;
    struct pr_series *series;          /* (n_exp, n_opt) */
    int n_tune;
    struct pr_tune *tune;
    int n_sum;
    struct pr_summary *sum;
    char *manifest;                    /* manifest.ini as text, or NULL */
};

/* Reads and checks every CSV file of dir; errors name FILE:LINE. */
int pr_load(const char *dir, struct pr_results *r);
void pr_free(struct pr_results *r);
struct pr_series *pr_series_at(const struct pr_results *r, int e, int o);

/* Sorts ascending, +inf after finite values (for l2l_quantile of
 * quantile.h, the same quantiles as summary.csv: interpolating towards
 * +inf gives +inf). */
void pr_sort(double *x, long n);

/* What a convergence panel needs besides its CSV. */
struct pr_conv_info {
    double ylo, yhi;         /* range of the finite statistics */
    int logy;                /* all statistics > 0 */
    long runs[64], diverged[64]; /* per optimizer; runs = 0: no data */
};

/* Derived data, each written under a temporary name and renamed:
 * figures/data/convergence_<exp>.csv: step, then per optimizer with data
 *   <opt>_median,<opt>_q1,<opt>_q3,<opt>_finite over all runs of that
 *   step, a diverged run counting as +inf from its divergence on;
 * figures/data/tuning_<exp>.csv: the experiment's rows of tuning.csv;
 * figures/data/accuracy_<exp>.csv: position,optimizer,label,runs,min,q1,median,q3,max
 * (position 1.. along the x axis, optimizers in suite order). */
int pr_write_convergence(const struct pr_results *r, int e, const char *datadir,
                         struct pr_conv_info *info);
/* Returns the number of rows written (0: nothing tuned, no file). */
int pr_write_tuning(const struct pr_results *r, int e, const char *datadir);
/* Returns the number of optimizers with an accuracy (0: no file). */
int pr_write_accuracy(const struct pr_results *r, int e, const char *datadir);

/* Replaces characters other than [A-Za-z0-9._+-] (and a leading '.') by
 * '_' for file names: the identity on names, which pr_load checks
 * (names.h); a last guard, not a way to admit other names. */
void pr_safe_name(const char *src, char *dst, size_t len);

/* %.9g with nan/inf spelled as the results files spell them. */
void pr_put_num(FILE *f, double x);
#endif
