/* meta_train.c: meta-training of a learned optimizer plugin by truncated
 * BPTT (Andrychowicz et al. 2016): the epoch loop with resumption and
 * signals. The option table and the trainer's set-up are in
 * meta_setup.c, one epoch and validation in meta_epoch.c, one unroll in
 * meta_unroll.c, Adam in meta_adam.c, the state file in meta_state.c, the
 * log in meta_log.c. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "blas_threads.h"
#include "bytes.h"
#include "log.h"
#include "meta_log.h"
#include "meta_train_internal.h"

static void on_signal(int sig)
{
    (void)sig;
    meta_stop_requested = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the process (every thread), for the training's cost. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Epochs in a row without one finite meta-gradient (so φ never moved,
 * however often it was rolled back and meta_lr halved) after which a
 * training that never had a finite validation loss is given up. */
#define STUCK_EPOCHS (5 * MAX_BAD)

/* 1 when the last STUCK_EPOCHS epochs all skipped every meta-step (their
 * grad_norm is empty). */
static int stuck(const struct l2l_meta_state *st)
{
    long n = 0;
    for (long r = st->n_rows - 1; r >= 0 && st->rows[r].epoch >= 1 && isnan(st->rows[r].grad_norm); r--)
        n++;
    return n >= STUCK_EPOCHS;
}

/* SIGINT and SIGTERM ask the loop to stop after the current unroll
 * (meta_stop_requested); the caller's handlers are restored at the end. */
static void catch_signals(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
    sigemptyset(&sa.sa_mask);
    meta_stop_requested = 0;
    sigaction(SIGINT, &sa, old_int);
    sigaction(SIGTERM, &sa, old_term);
}

/* Epoch 0 of a fresh training: the initial φ validated, so the log shows
 * where training starts. */
static int validate_initial(struct meta_trainer *tr, int writer, char *err, size_t errlen)
{
    double t0 = now(), c0 = cpu_now(), v;
    int rc;
    if ((rc = meta_validate_and_save(tr, 0, &v, err, errlen)) < 0)
        return rc;
    tr->st.cpu_seconds += meta_cpu_all(tr, cpu_now() - c0);
    struct l2l_meta_row row = {0, NAN, v, tr->st.best_loss, tr->st.lr, NAN, now() - t0};
    if ((rc = l2l_meta_state_add_row(&tr->st, &row)) < 0 ||
        (writer && (rc = l2l_meta_state_save(tr->state_path, tr->job_desc, &tr->st, err, errlen)) < 0))
        return rc;
    if (tr->log)
        l2l_meta_log_row(tr->log, &row);
    return 0;
}

/* Interrupted in epoch e: the epoch is dropped, the state before it saved. */
static int save_interrupted(struct meta_trainer *tr, int writer, long e, char *err, size_t errlen)
{
    l2l_meta_state_copy(&tr->st, &tr->snap);
    int rc = writer ? l2l_meta_state_save(tr->state_path, tr->job_desc, &tr->st, err, errlen) : 0;
    if (rc == 0) {
        l2l_fmt(err, errlen, "interrupted in epoch %ld; state saved in %s, run again to resume",
                e, tr->state_path);
        rc = L2L_EINTR;
    }
    return rc;
}

/* Epoch e: trained, validated when due, its row into the state and the
 * log, the state saved when validated (*validated). 0, L2L_EINTR when
 * interrupted (state saved), or < 0. */
static int train_epoch(struct meta_trainer *tr, long e, int writer, struct l2l_meta_row *row,
                       int *validated, char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    double t0 = now(), c0 = cpu_now(), ml, gn, v = NAN;
    l2l_meta_state_copy(&tr->snap, &tr->st);
    int rc = meta_stop_agreed(tr) ? 1 : meta_run_epoch(tr, e, &ml, &gn, err, errlen);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return save_interrupted(tr, writer, e, err, errlen);
    tr->st.epoch = e;
    int validating = e % c->valid_every == 0 || e == c->epochs;
    if (validating && (rc = meta_validate_and_save(tr, e, &v, err, errlen)) < 0)
        return rc;
    tr->st.cpu_seconds += meta_cpu_all(tr, cpu_now() - c0);
    *row = (struct l2l_meta_row){e, ml, v, tr->st.best_loss, tr->st.lr, gn, now() - t0};
    if ((rc = l2l_meta_state_add_row(&tr->st, row)) < 0) {
        l2l_fmt(err, errlen, "%s: out of memory", tr->job->name);
        return rc;
    }
    if (validating && writer &&
        (rc = l2l_meta_state_save(tr->state_path, tr->job_desc, &tr->st, err, errlen)) < 0)
        return rc;
    if (tr->log)
        l2l_meta_log_row(tr->log, row);
    *validated = validating;
    return 0;
}

/* The progress line after epoch e (of those from `first` in this session):
 * the last validation loss, time elapsed and left. */
static void show_progress(struct meta_trainer *tr, long e, long first, const struct l2l_meta_row *row,
                          double last_valid, double t_start)
{
    const struct l2l_meta_config *c = tr->cfg;
    double el = now() - t_start;
    struct l2l_meta_row shown = *row;
    shown.valid_loss = last_valid;
    l2l_meta_progress(tr->job->name, e, c->epochs, &shown, tr->st.best_loss, el,
                      el / (double)(e - first + 1) * (double)(c->epochs - e));
    tr->progress_open = 1;
}

/* Stopped after epoch e: φ cannot move (stuck) and never had a finite
 * validation loss. */
static void say_stuck(struct meta_trainer *tr, long e)
{
    if (tr->progress_open) {
        fputc('\n', stderr);
        tr->progress_open = 0;
    }
    l2l_warn("%s: %d epochs in a row without a finite meta-gradient and never a finite "
             "validation loss: φ cannot move; stopped after epoch %ld of %ld", tr->job->name,
             STUCK_EPOCHS, e, tr->cfg->epochs);
}

/* The epochs after the state's last, to the end (or until stuck): 0,
 * L2L_EINTR when interrupted (state saved), or < 0. */
static int run_epochs(struct meta_trainer *tr, int writer, int progress, double t_start,
                      char *err, size_t errlen)
{
    const struct l2l_meta_config *c = tr->cfg;
    double last_valid = tr->st.n_rows ? tr->st.rows[tr->st.n_rows - 1].valid_loss : NAN;
    long first = tr->st.epoch + 1;
    for (long e = first; e <= c->epochs; e++) {
        struct l2l_meta_row row;
        int validated = 0;
        int rc = train_epoch(tr, e, writer, &row, &validated, err, errlen);
        if (rc < 0)
            return rc;
        if (validated)
            last_valid = row.valid_loss;
        if (progress)
            show_progress(tr, e, first, &row, last_valid, t_start);
        if (tr->st.best_epoch < 0 && e < c->epochs && stuck(&tr->st)) {
            say_stuck(tr, e);
            break;
        }
    }
    return 0;
}

/* Training is over without one finite validation loss: a resume could
 * only repeat this failure, and a fixed suite (another job) would be
 * refused the state. Remove it, so the next run starts afresh; the log
 * keeps every epoch. Returns L2L_ENUM. */
static int give_up_diverged(struct meta_trainer *tr, int writer, char *err, size_t errlen)
{
    long n_valid = 0;
    for (long r = 0; r < tr->st.n_rows; r++)
        n_valid += !isnan(tr->st.rows[r].valid_loss);
    int gone = writer && unlink(tr->state_path) == 0;
    l2l_fmt(err, errlen, "%s: no validation gave a finite loss (%ld validations, epochs 0 to %ld): "
            "φ diverged; no checkpoint written%s; try a smaller initial step size, unroll or meta_lr, "
            "or set clip", tr->job->name, n_valid, tr->st.epoch,
            gone ? ", training state removed" : "");
    return L2L_ENUM;
}

/* Finished: the complete log written again (whatever was appended
 * before), the kept φ marked finished, then the state removed (a crash
 * between the two leaves a finished checkpoint and a stale state, which
 * the next run removes). */
static int finish(struct meta_trainer *tr, int writer, char *err, size_t errlen)
{
    if (tr->log) {
        fclose(tr->log);
        tr->log = l2l_meta_log_open(tr->job->log_csv_path, &tr->st, err, errlen);
        if (!tr->log)
            return L2L_EIO;
    }
    if (!writer)
        return 0;
    int rc = meta_checkpoint_save(tr, 1, err, errlen);
    if (rc < 0)
        return rc;
    if (unlink(tr->state_path) < 0) {
        l2l_fmt(err, errlen, "%s: cannot remove the finished training state", tr->state_path);
        return L2L_EIO;
    }
    return 0;
}

static int meta_train_body(const struct l2l_meta_job *job, char *err, size_t errlen)
{
    int rc = meta_check_config(job, err, errlen);
    if (rc < 0)
        return rc;
    /* a suite copied elsewhere names checkpoints/ beside it: made here */
    if ((rc = l2l_mkdir_parent(job->checkpoint_path, err, errlen)) < 0)
        return rc;
    struct meta_trainer tr;
    memset(&tr, 0, sizeof tr);
    int resumed = 0;
    struct sigaction old_int, old_term;
    catch_signals(&old_int, &old_term);
    int progress = job->progress && isatty(STDERR_FILENO);
    double t_start = now();

    if ((rc = meta_trainer_init(&tr, job, &resumed, err, errlen)) < 0)
        goto out;
    if (resumed)
        l2l_info("%s: resuming meta-training from %s after epoch %ld", job->name, tr.state_path, tr.st.epoch);
    int writer = meta_writer(&tr); /* one rank writes the files (meta_dist.c) */
    if (!writer)
        progress = 0;
    if (writer && job->log_csv_path && job->log_csv_path[0] &&
        !(tr.log = l2l_meta_log_open(job->log_csv_path, &tr.st, err, errlen))) {
        rc = L2L_EIO;
        goto out;
    }
    if (!resumed && (rc = validate_initial(&tr, writer, err, errlen)) < 0)
        goto out;
    if ((rc = run_epochs(&tr, writer, progress, t_start, err, errlen)) < 0)
        goto out;
    rc = tr.st.best_epoch < 0 ? give_up_diverged(&tr, writer, err, errlen)
                              : finish(&tr, writer, err, errlen);
out:
    if (tr.progress_open) /* end the progress line */
        fputc('\n', stderr);
    meta_trainer_free(&tr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

/* One BLAS thread while meta-training (blas_threads.h): the optimizee's
 * products (mlp) give the same bits on any machine, and the learned
 * optimizer's own OpenMP threads are the parallelism here. */
int l2l_meta_train(const struct l2l_meta_job *job, char *err, size_t errlen)
{
    int blas_threads = l2l_blas_one_thread();
    int rc = meta_train_body(job, err, errlen);
    l2l_blas_restore(blas_threads);
    return rc;
}
