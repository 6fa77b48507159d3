/* test_meta_train.c: short meta-trainings of learned_sgd on the linear
 * optimizee with a quadratic term: the validation loss goes down; two runs
 * give byte-identical checkpoints and logs (the seconds column aside); a run
 * interrupted and resumed ends exactly where an uninterrupted one does; a
 * different job refuses the .state file; a diverging run says so.
 * L2L_TEST_SMALL=1 (set by .ci/sanitize for valgrind, where the LSTM runs
 * about 200 times slower) meta-trains the LSTM for 4 epochs of 20 steps
 * instead of 12 of 40; the same properties are asserted. */
#include <math.h>
#include <signal.h>
#include <time.h>
#include "checkpoint.h"
#include "meta_train.h"
#include "meta_unroll.h"
#include "seeds.h"
#include "test_meta_fixture.h"
#include "test_main.h"

static char *dir;

struct setup {
    struct fx_plugin o, f;
    void *family;
    struct l2l_meta_job job;
    char ckpt[600], log[600];
};

static int setup_sig(struct setup *s, const char *tag, const char *lr, long epochs, const char *sig)
{
    const char *kv[] = {"terms=2", lr, NULL}, *lin[] = {"n=10", "quad=1", sig, NULL};
    memset(s, 0, sizeof *s);
    if (fx_open(&s->o, L2L_OPTIMIZER, LSGD_PATH, kv) < 0 || fx_open(&s->f, L2L_OPTIMIZEE, LINEAR_PATH, lin) < 0)
        return -1;
    char err[L2L_ERRLEN];
    s->family = s->f.p.u.obj->open(s->f.v, err, sizeof err);
    if (!s->family)
        return -1;
    snprintf(s->ckpt, sizeof s->ckpt, "%s/%s.l2l", dir, tag);
    snprintf(s->log, sizeof s->log, "%s/%s.csv", dir, tag);
    struct l2l_value mv[16];
    if (l2l_options_defaults(l2l_meta_options, mv, err, sizeof err) < 0)
        return -1;
    struct l2l_meta_config cfg;
    l2l_meta_config_from_values(mv, &cfg);
    l2l_values_clear(l2l_meta_options, mv);
    cfg.epochs = epochs;
    cfg.steps = 22; /* unrolls of 5, 5, 5, 5, 2 */
    cfg.unroll = 5;
    cfg.problems = 2;
    cfg.lr = 0.05;
    cfg.valid_every = 4;
    cfg.valid_problems = 8;
    s->job = (struct l2l_meta_job){
        .name = tag, .opt = s->o.p.u.opt, .opt_values = s->o.v, .obj = s->f.p.u.obj,
        .family = s->family, .trained_on = "test: linear n=10 quad=1", .cfg = cfg, .seed = 11,
        .checkpoint_path = s->ckpt, .log_csv_path = s->log, .progress = 0,
    };
    return 0;
}

static int setup(struct setup *s, const char *tag, const char *lr, long epochs)
{
    return setup_sig(s, tag, lr, epochs, NULL);
}

/* job.stop_in_epoch: the training stops in epoch *arg as if SIGINT came. */
static int stop_at_epoch(void *arg, long epoch)
{
    return epoch == *(const long *)arg;
}

static void teardown(struct setup *s)
{
    if (s->family)
        s->f.p.u.obj->close(s->family);
    fx_close(&s->o);
    fx_close(&s->f);
}

/* The log without its last column (seconds), for comparisons. */
static char *log_without_seconds(const char *path)
{
    size_t len;
    unsigned char *d = fx_slurp(path, &len);
    if (!d)
        return NULL;
    char *out = malloc(len + 1);
    size_t o = 0, line = 0;
    for (size_t k = 0; k <= len; k++)
        if (k == len || d[k] == '\n') {
            size_t cut = k;
            while (cut > line && d[cut - 1] != ',')
                cut--;
            memcpy(out + o, d + line, cut - line);
            o += cut - line;
            out[o++] = '\n';
            line = k + 1;
        }
    out[o] = 0;
    free(d);
    return out;
}

static int same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    unsigned char *da = fx_slurp(a, &la), *db = fx_slurp(b, &lb);
    int same = da && db && la == lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return same;
}

/* Two checkpoints hold the same training: every byte equal once the two
 * measured times of their cost (wall and CPU seconds, which differ from
 * run to run by nature) are zeroed; the rest of the cost (epochs,
 * trajectories, steps) and the status must agree. */
static int same_ckpt(const char *a, const char *b)
{
    struct l2l_checkpoint ca, cb;
    char err[L2L_ERRLEN], pa[700], pb[700];
    if (l2l_checkpoint_read(a, &ca, err, sizeof err) < 0)
        return 0;
    if (l2l_checkpoint_read(b, &cb, err, sizeof err) < 0) {
        l2l_checkpoint_clear(&ca);
        return 0;
    }
    int ok = isfinite(ca.cost.wall_seconds) && isfinite(cb.cost.cpu_seconds) && ca.cost.wall_seconds >= 0 &&
             cb.cost.cpu_seconds >= 0;
    ca.cost.wall_seconds = cb.cost.wall_seconds = ca.cost.cpu_seconds = cb.cost.cpu_seconds = 0;
    snprintf(pa, sizeof pa, "%s.cmp", a);
    snprintf(pb, sizeof pb, "%s.cmp", b);
    ok = ok && l2l_checkpoint_write(pa, &ca, err, sizeof err) == 0 &&
         l2l_checkpoint_write(pb, &cb, err, sizeof err) == 0 && same_file(pa, pb);
    unlink(pa);
    unlink(pb);
    l2l_checkpoint_clear(&ca);
    l2l_checkpoint_clear(&cb);
    return ok;
}

/* Column col of the CSV row for epoch e (NAN when empty). */
static double log_value(const char *path, long e, int col)
{
    size_t len;
    char *d = (char *)fx_slurp(path, &len), *p = d;
    double v = NAN;
    while (d && p && p < d + len) {
        if (atol(p) == e && p[0] >= '0' && p[0] <= '9') {
            for (int c = 0; c < col && p; c++)
                p = strchr(p, ',') + 1;
            if (*p != ',' && *p != '\n')
                v = atof(p);
            break;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    free(d);
    return v;
}

/* Runs the trainer with nt threads for its trajectories. */
static int train_threads(const struct l2l_meta_job *job, int nt, char *err, size_t errlen)
{
    struct l2l_meta_job j = *job;
    j.threads = nt;
    return l2l_meta_train(&j, err, errlen);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void test_learns_and_repeats(void)
{
    struct setup a, b;
    CU_ASSERT_FATAL(setup(&a, "a", "lr=0.01", 40) == 0 && setup(&b, "b", "lr=0.01", 40) == 0);
    char err[L2L_ERRLEN] = "";
    double t0 = seconds();
    int rc = train_threads(&a.job, 2, err, sizeof err);
    double t = seconds() - t0;
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    /* epochs x problems training trajectories + 11 validations x 8 problems */
    printf("\n  40 epochs x 2 problems x 22 steps (+ 11 x 8 validation trajectories): %.3f s, "
           "%.2e s per training trajectory (upper bound)\n", t, t / 80);
    double v0 = log_value(a.log, 0, 2), best = log_value(a.log, 40, 3);
    printf("  validation loss: %.6g at epoch 0, best %.6g\n", v0, best);
    CU_ASSERT(isfinite(v0) && isfinite(best));
    CU_ASSERT(best < v0 - 1.0);
    /* φ moved the way it should: a larger step size than exp(φ0) = 0.01. */
    float phi[2] = {0, 0};
    struct fx_plugin o;
    const char *kv[] = {"terms=2", NULL};
    CU_ASSERT_FATAL(fx_open(&o, L2L_OPTIMIZER, LSGD_PATH, kv) == 0);
    void *self = o.p.u.opt->create(o.v, 1, NULL, 0, err, sizeof err);
    CU_ASSERT_FATAL(l2l_checkpoint_load(a.ckpt, o.p.u.opt, o.v, self, err, sizeof err) == 0);
    memcpy(phi, o.p.u.opt->learned->meta(self), sizeof phi);
    printf("  learned step size exp(phi0) = %.4g, momentum phi1 = %.4g\n", exp(phi[0]), phi[1]);
    CU_ASSERT(exp(phi[0]) > 0.05);
    o.p.u.opt->destroy(self);
    fx_close(&o);
    char state[700];
    snprintf(state, sizeof state, "%s.state", a.ckpt);
    CU_ASSERT(access(state, F_OK) != 0); /* removed on a clean finish */
    /* Marked finished, with its cost: 40 epochs x 2 problems + 11
     * validations x 8 problems = 168 trajectories of 22 steps. */
    struct l2l_checkpoint ck;
    CU_ASSERT_FATAL(l2l_checkpoint_read(a.ckpt, &ck, err, sizeof err) == 0);
    CU_ASSERT(ck.status.finished == 1 && ck.status.keep_last == 0);
    CU_ASSERT(ck.status.epochs_done == 40 && ck.status.epochs_planned == 40);
    CU_ASSERT(ck.cost.trajectories == 168 && ck.cost.steps == 168 * 22);
    CU_ASSERT(ck.cost.wall_seconds > 0 && ck.cost.cpu_seconds > 0);
    l2l_checkpoint_clear(&ck);

    /* The second run on one thread: instances and validation problems run
     * on threads, reduced in a fixed order, so the result must not change. */
    rc = train_threads(&b.job, 1, err, sizeof err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT(same_ckpt(a.ckpt, b.ckpt));
    char *la = log_without_seconds(a.log), *lb = log_without_seconds(b.log);
    CU_ASSERT(la && lb && strcmp(la, lb) == 0);
    CU_ASSERT(la && strncmp(la, "epoch,meta_loss,valid_loss,best_valid_loss,lr,grad_norm,\n0,,", 60) == 0);
    free(la);
    free(lb);
    teardown(&a);
    teardown(&b);
}

static void test_resume(void)
{
    struct setup a, b;
    CU_ASSERT_FATAL(setup(&a, "full", "lr=0.01", 14) == 0 && setup(&b, "cut", "lr=0.01", 14) == 0);
    char err[L2L_ERRLEN] = "", state[700];
    CU_ASSERT_FATAL(l2l_meta_train(&a.job, err, sizeof err) == 0);
    snprintf(state, sizeof state, "%s.state", b.ckpt);

    /* Interrupted in epoch 7 (validations at 4, 8, ...): epochs 1..6 kept. */
    long stop_epoch = 7;
    b.job.stop_in_epoch = stop_at_epoch;
    b.job.stop_arg = &stop_epoch;
    int rc = l2l_meta_train(&b.job, err, sizeof err);
    b.job.stop_in_epoch = NULL;
    printf("\n  interrupted: %s\n", err);
    CU_ASSERT_EQUAL(rc, -6 /* L2L_EINTR */);
    CU_ASSERT(access(state, F_OK) == 0);
    /* The checkpoint written so far says it is not finished, so nothing
     * evaluates it as trained. */
    struct l2l_checkpoint ck;
    CU_ASSERT_FATAL(l2l_checkpoint_read(b.ckpt, &ck, err, sizeof err) == 0);
    CU_ASSERT(ck.status.finished == 0 && ck.status.epochs_done == 4 && ck.status.epochs_planned == 14);
    l2l_checkpoint_clear(&ck);

    /* A corrupt state is refused (and left for the user to inspect). */
    size_t slen = 0;
    unsigned char *sdata = fx_slurp(state, &slen);
    CU_ASSERT_FATAL(sdata && slen > 100);
    sdata[slen / 2] ^= 0x10;
    CU_ASSERT_FATAL(fx_write(state, sdata, slen) == 0);
    rc = l2l_meta_train(&b.job, err, sizeof err);
    CU_ASSERT(rc < 0);
    ASSERT_MSG(err, "checksum mismatch: the training state is corrupt or truncated");
    CU_ASSERT_FATAL(fx_write(state, sdata, slen - 7) == 0);
    rc = l2l_meta_train(&b.job, err, sizeof err);
    CU_ASSERT(rc < 0);
    ASSERT_MSG(err, "corrupt or truncated");
    sdata[slen / 2] ^= 0x10;
    CU_ASSERT_FATAL(fx_write(state, sdata, slen) == 0);
    free(sdata);

    /* Another job must not resume from that state. */
    b.job.cfg.steps = 21;
    rc = l2l_meta_train(&b.job, err, sizeof err);
    CU_ASSERT(rc < 0);
    ASSERT_MSG(err, "'steps=22' there, 'steps=21' now");
    b.job.cfg.steps = 22;

    /* Interrupted again, then from an earlier resumed point: still exact. */
    stop_epoch = 11;
    b.job.stop_in_epoch = stop_at_epoch;
    rc = l2l_meta_train(&b.job, err, sizeof err);
    b.job.stop_in_epoch = NULL;
    CU_ASSERT_EQUAL(rc, -6);
    rc = l2l_meta_train(&b.job, err, sizeof err);
    if (rc < 0)
        printf("  %s\n", err);
    CU_ASSERT_FATAL(rc == 0);
    CU_ASSERT(access(state, F_OK) != 0);
    CU_ASSERT(same_ckpt(a.ckpt, b.ckpt));
    char *la = log_without_seconds(a.log), *lb = log_without_seconds(b.log);
    CU_ASSERT(la && lb && strcmp(la, lb) == 0);
    if (la && lb && strcmp(la, lb) != 0)
        printf("  uninterrupted log:\n%s\n  resumed log:\n%s\n", la, lb);
    free(la);
    free(lb);

    /* A real SIGINT at loss_grad call 610 of the family: 8 x 23 calls per
     * validation (epochs 0 and 4), 2 x 23 per epoch: 2·184 + 5·46 = 598
     * calls end epoch 5, so it lands in the first unroll of epoch 6. */
    struct setup c, d;
    struct sigaction before;
    sigaction(SIGINT, NULL, &before);
    CU_ASSERT_FATAL(setup_sig(&c, "sig", "lr=0.01", 14, "sigint_at=610") == 0);
    rc = l2l_meta_train(&c.job, err, sizeof err);
    printf("  after SIGINT: %s\n", err);
    CU_ASSERT_EQUAL(rc, -6);
    ASSERT_MSG(err, "interrupted in epoch 6");
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    /* The trainer's handler is gone: the one before is back (SIG_DFL, or
     * SIG_IGN when the tests run as a background job). */
    CU_ASSERT(now.sa_handler == before.sa_handler);
    CU_ASSERT_FATAL(setup(&d, "sig", "lr=0.01", 14) == 0);
    CU_ASSERT_FATAL(l2l_meta_train(&d.job, err, sizeof err) == 0);
    CU_ASSERT(same_ckpt(a.ckpt, d.ckpt));
    teardown(&c);
    teardown(&d);
    teardown(&a);
    teardown(&b);
}

static void test_diverges(void)
{
    struct setup s;
    CU_ASSERT_FATAL(setup(&s, "div", "lr=5", 6) == 0);
    s.job.cfg.steps = 200;
    s.job.cfg.unroll = 50;
    char err[L2L_ERRLEN] = "";
    int rc = l2l_meta_train(&s.job, err, sizeof err);
    printf("\n  %s\n", err);
    CU_ASSERT(rc < 0);
    ASSERT_MSG(err, "no validation gave a finite loss");
    CU_ASSERT(access(s.ckpt, F_OK) != 0);
    /* Three non-finite meta-gradients in a row halve the meta lr. */
    double lr3 = log_value(s.log, 3, 4), lr2 = log_value(s.log, 2, 4);
    printf("  meta lr at epoch 2: %g, at epoch 3: %g\n", lr2, lr3);
    CU_ASSERT(fabs(lr3 - lr2 / 2) < 1e-12);
    teardown(&s);
}

/* The checkpoint's folders are made when missing (a suite copied elsewhere
 * names checkpoints/ beside it); a file in the way is an error naming it,
 * and no checkpoint is written. */
static void test_checkpoint_folders(void)
{
    struct setup s;
    CU_ASSERT_FATAL(setup(&s, "fold", "lr=0.01", 2) == 0);
    snprintf(s.ckpt, sizeof s.ckpt, "%s/new/sub/fold.l2l", dir);
    char err[L2L_ERRLEN] = "";
    int rc = l2l_meta_train(&s.job, err, sizeof err);
    if (rc < 0)
        printf("\n  %s\n", err);
    CU_ASSERT(rc == 0);
    CU_ASSERT(access(s.ckpt, F_OK) == 0);
    char file[300];
    snprintf(file, sizeof file, "%s/afile", dir);
    FILE *f = fopen(file, "w");
    CU_ASSERT_FATAL(f != NULL);
    fclose(f);
    snprintf(s.ckpt, sizeof s.ckpt, "%s/afile/sub/fold.l2l", dir);
    rc = l2l_meta_train(&s.job, err, sizeof err);
    printf("\n  %s\n", err);
    CU_ASSERT(rc < 0);
    ASSERT_MSG(err, "cannot create directory");
    ASSERT_MSG(err, "afile/sub: Not a directory");
    CU_ASSERT(access(s.ckpt, F_OK) != 0);
    teardown(&s);
}

/* second_order = true: trains (learned_sgd on the linear+quad optimizee,
 * whose Hessian is q·diag(a)), the job line says so; without an hvp or a
 * backward_step it is refused before anything is written. */
static void test_second_order(void)
{
    struct setup s;
    CU_ASSERT_FATAL(setup(&s, "second", "lr=0.01", 4) == 0);
    s.job.cfg.second_order = 1;
    char err[L2L_ERRLEN] = "";
    int rc = l2l_meta_train(&s.job, err, sizeof err);
    if (rc < 0)
        printf("\n  %s\n", err);
    CU_ASSERT(rc == 0);
    CU_ASSERT(access(s.ckpt, F_OK) == 0);
    CU_ASSERT(log_value(s.log, 4, 2) < log_value(s.log, 0, 2)); /* it learns */
    struct l2l_optimizee_ops obj = *s.job.obj;
    obj.hvp = NULL;
    s.job.obj = &obj;
    snprintf(s.ckpt, sizeof s.ckpt, "%s/second-nohvp.l2l", dir);
    rc = l2l_meta_train(&s.job, err, sizeof err);
    printf("\n  %s\n", err);
    CU_ASSERT(rc == L2L_EINPUT);
    ASSERT_MSG(err, "second: second_order = true, but optimizee linear has no Hessian-vector product");
    CU_ASSERT(access(s.ckpt, F_OK) != 0);
    struct l2l_learned_ops l = *s.job.opt->learned;
    struct l2l_optimizer_ops opt = *s.job.opt;
    l.backward_step = NULL;
    opt.learned = &l;
    s.job.opt = &opt;
    s.job.obj = s.f.p.u.obj;
    rc = l2l_meta_train(&s.job, err, sizeof err);
    printf("  %s\n", err);
    CU_ASSERT(rc == L2L_EINPUT);
    ASSERT_MSG(err, "second: second_order = true, but optimizer learned_sgd has no backward_step");
    CU_ASSERT(access(s.ckpt, F_OK) != 0);
    teardown(&s);
}

/* Validation at epoch 0, recomputed here from its definition: the initial
 * φ (INIT stream), the held-out problems (VALID stream, index k), plain
 * step() for T steps; mean, final, and last-unroll mean of f. */
static void test_validation_definitions(void)
{
    struct setup s;
    CU_ASSERT_FATAL(setup(&s, "val", "lr=0.05", 1) == 0);
    const struct l2l_optimizer_ops *opt = s.o.p.u.opt;
    const struct l2l_optimizee_ops *obj = s.f.p.u.obj;
    const struct l2l_meta_config *c = &s.job.cfg; /* T = 22, U = 5: last unroll = steps 21, 22 */
    char err[L2L_ERRLEN] = "";
    size_t n = obj->n_params(s.family);
    float *theta = malloc(sizeof(float) * n), *grad = malloc(sizeof(float) * n);
    void *self = opt->create(s.o.v, n, NULL, 0, err, sizeof err);
    CU_ASSERT_FATAL(theta && grad && self);
    struct l2l_rng r;
    l2l_rng_for(&r, s.job.seed, L2L_SEED_INIT, 0, 0);
    opt->learned->meta_init(self, &r);
    double want[3] = {0, 0, 0};
    for (long k = 0; k < c->valid_problems; k++) {
        l2l_rng_for(&r, s.job.seed, L2L_SEED_VALID, (uint64_t)k, 0);
        void *p = obj->problem_new(s.family, &r, theta, err, sizeof err);
        CU_ASSERT_FATAL(p != NULL);
        opt->reset(self);
        double f, sum = 0, last = 0;
        obj->loss_grad(p, theta, &f, grad);
        for (long t = 1; t <= c->steps; t++) {
            opt->step(self, theta, grad);
            obj->loss_grad(p, theta, &f, grad);
            sum += f;
            if (t > 20)
                last += f;
        }
        want[0] += sum / c->steps / c->valid_problems;
        want[1] += f / c->valid_problems;
        want[2] += last / 2 / c->valid_problems;
        obj->problem_free(p);
    }
    const char *names[3] = {"mean", "final", "last_unroll"};
    for (int m = 0; m < 3; m++) {
        s.job.cfg.valid_loss = m;
        CU_ASSERT_FATAL(l2l_meta_train(&s.job, err, sizeof err) == 0);
        double got = log_value(s.log, 0, 2);
        printf("\n  valid_loss=%s: %.9g from the trainer, %.9g recomputed", names[m], got, want[m]);
        CU_ASSERT(fabs(got - want[m]) <= 1e-7 * fabs(want[m]));
        remove(s.ckpt);
    }
    printf("\n");
    CU_ASSERT(want[0] != want[1] && want[1] != want[2]);
    opt->destroy(self);
    free(theta);
    free(grad);
    teardown(&s);
}

/* The real plugins: lstm (quadratic settings) on a small `quadratic`; both
 * are build dependencies of this test (core/meta/meta.mk): missing is a failure. */
static void test_lstm_quadratic(void)
{
    const char *kv[] = {"preprocess=none", "scale=1", NULL}, *qkv[] = {"dim=10", "batch=8", NULL};
    struct fx_plugin o, f;
    CU_ASSERT_FATAL(fx_open(&o, L2L_OPTIMIZER, "lstm", kv) == 0);
    CU_ASSERT_FATAL(fx_open(&f, L2L_OPTIMIZEE, "quadratic", qkv) == 0);
    char err[L2L_ERRLEN] = "";
    void *fam = f.p.u.obj->open(f.v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    struct l2l_value mv[16];
    CU_ASSERT_FATAL(l2l_options_defaults(l2l_meta_options, mv, err, sizeof err) == 0);
    struct l2l_meta_config cfg;
    l2l_meta_config_from_values(mv, &cfg);
    l2l_values_clear(l2l_meta_options, mv);
    const char *small = getenv("L2L_TEST_SMALL");
    int is_small = small && *small && strcmp(small, "0");
    cfg.epochs = is_small ? 4 : 12;
    cfg.steps = is_small ? 20 : 40;
    cfg.unroll = 10;
    cfg.lr = 0.01;
    cfg.valid_every = 4;
    cfg.valid_problems = 4;
    char ck[2][600], lg[2][600];
    for (int r = 0; r < 2; r++) {
        snprintf(ck[r], sizeof ck[r], "%s/lstm%d.l2l", dir, r);
        snprintf(lg[r], sizeof lg[r], "%s/lstm%d.csv", dir, r);
        struct l2l_meta_job job = {
            .name = "lstm", .opt = o.p.u.opt, .opt_values = o.v, .obj = f.p.u.obj, .family = fam,
            .trained_on = "test: quadratic dim=10 batch=8", .cfg = cfg, .seed = 5,
            .checkpoint_path = ck[r], .log_csv_path = lg[r], .progress = 0,
        };
        double t0 = seconds();
        int rc = train_threads(&job, r == 0 ? 2 : 1, err, sizeof err);
        double t = seconds() - t0;
        if (rc < 0)
            printf("  %s\n", err);
        CU_ASSERT_FATAL(rc == 0);
        printf("\n  lstm on quadratic (80 parameters), %d thread(s): %ld epochs of %ld steps + validations x 4: %.3f s\n",
               r == 0 ? 2 : 1, cfg.epochs, cfg.steps, t);
    }
    double v0 = log_value(lg[0], 0, 2), best = log_value(lg[0], cfg.epochs, 3);
    printf("  validation loss: %.6g at epoch 0, best %.6g\n", v0, best);
    CU_ASSERT(isfinite(best) && best < 0.5 * v0);
    CU_ASSERT(same_ckpt(ck[0], ck[1]));
    char *la = log_without_seconds(lg[0]), *lb = log_without_seconds(lg[1]);
    CU_ASSERT(la && lb && strcmp(la, lb) == 0);
    free(la);
    free(lb);
    f.p.u.obj->close(fam);
    fx_close(&o);
    fx_close(&f);
}

static const struct l2l_test tests[] = {
    {"learned_sgd on linear+quad: validation loss goes down; runs repeat byte for byte", test_learns_and_repeats},
    {"interrupted and resumed = uninterrupted", test_resume},
    {"a diverging run is reported, meta lr halved", test_diverges},
    {"the checkpoint's folders made when missing, a file in the way refused", test_checkpoint_folders},
    {"validation loss: mean, final, last_unroll as defined", test_validation_definitions},
    {"second_order = true trains; refused without hvp or backward_step", test_second_order},
    {"lstm on quadratic: validation loss goes down; runs repeat byte for byte", test_lstm_quadratic},
    {NULL, NULL},
};

int main(void)
{
    l2l_set_quiet(1);
    dir = fx_tmpdir();
    if (!dir)
        return 99;
    int rc = l2l_test_main("meta_train", tests);
    fx_rmdir(dir);
    return rc;
}
