/* runner.h: execute a validated suite: meta-train what is missing, tune
 * baselines, evaluate every optimizer on the same fresh problems. */
#ifndef L2L_RUNNER_H
#define L2L_RUNNER_H
#include "suite.h"

/* One trajectory: loss at steps 0..steps (training loss), and held-out
 * metrics of the final θ. */
struct run_out {
    double *loss;        /* (steps + 1); after divergence unused */
    long steps;
    long diverged_step;  /* first step with a non-finite loss, or -1 */
    double final_loss;   /* loss[steps], +inf when diverged */
    double eval_loss, eval_accuracy; /* NAN when not applicable */
    const char *failed_hook; /* "loss_grad" or "step" when one failed, else NULL */
    long failed_step;        /* ... at this step */
};

struct l2l_trace;

struct grid_point {
    double value;
    double mean_final_loss; /* +inf when any run diverged */
    int diverged_runs;
};

/* The results of one optimizer in one experiment. */
struct opt_result {
    int optimizer;       /* index into suite optimizers */
    int tuned;           /* a grid was searched */
    int n_grid;
    struct grid_point grid[L2L_MAX_GRID];
    int chosen;          /* index into grid */
    char hyper[1024];    /* "name=value ..." actually used */
    long n_runs;
    struct run_out *runs;
    double wall_seconds; /* tuning and evaluation, summed over its runs */
    /* Judgment (runner_extra.c, results_extra.c): CPU seconds of the tuning
     * and evaluation runs done by this process (runs kept from an
     * interrupted one are not measured), horizon runs, the trace. */
    double tune_cpu, eval_cpu;
    long tune_measured, eval_measured;
    struct run_out *hruns;        /* (n_horizons, n_runs), loss NULL; k = 1 copies runs */
    struct l2l_trace *trace;      /* NULL unless the experiment traces */
    struct run_out trace_out;     /* the traced run (loss NULL) */
    double step_ns, state_bytes;  /* probe: CPU ns of one step() per coordinate; NAN: unknown */
    long n_params;
};

struct exp_result {
    int n;
    struct opt_result *opt;
};

struct run_options {
    const char *out_dir;   /* results directory */
    int jobs;              /* worker threads for independent runs */
    int train_only;        /* `l2l train`: stop after meta-training */
    int quiet;
    int require_figures;
    int keep_work;         /* leave OUT/.partial for l2l_run_done (l2l run:
                            * the results are complete after the figures) */
    /* Asked after each finished run with how many runs this call has kept
     * in OUT/.partial; nonzero stops the run as SIGINT would (L2L_EINTR,
     * the kept runs stay). NULL: never. The tests interrupt runs so. */
    int (*stop_after_kept)(void *arg, long kept);
    void *stop_arg;
};

/* Runs the suite and writes the results directory. Every finished tuning
 * or evaluation run is kept in OUT/.partial/ (resume_area.h) until the results
 * are complete, so after an interruption (L2L_EINTR) the same call redoes
 * only the runs that had not finished, with byte-identical results.
 * Returns 0, or < 0 (L2L_EINPUT for bad input found late, such as a
 * refused checkpoint). */
int l2l_run_suite(struct suite *s, const struct run_options *ro);

/* Removes OUT/.partial once the results are complete (keep_work).
 * Returns 0 or L2L_EIO (said on stderr). */
int l2l_run_done(const char *out_dir);

/* One trajectory of `steps` steps of an optimizer object on a problem;
 * shared by the runner and the tests. Returns 0 (a divergence is recorded
 * in out), L2L_EINTR when SIGINT/SIGTERM arrived during l2l_run_suite, or
 * L2L_EPLUGIN when a hook failed (out->failed_hook and failed_step say
 * which and when; nothing is printed). */
int l2l_trajectory(const struct l2l_optimizee_ops *obj, void *problem, float *theta,
                   float *grad, size_t n, const struct l2l_optimizer_ops *opt, void *self,
                   long steps, struct run_out *out);
#endif
