/* test_mlp.c: the `mlp` optimizee on a tiny synthetic IDX data set written
 * by the test (no downloaded data): parameter count and groups of the
 * paper's 784-20-10 net; loss, gradient and evaluation against a double
 * precision reference and central finite differences, for sigmoid, ReLU,
 * tanh and two hidden layers; finite differences of the plugin's own loss
 * on the same minibatch (problem re-created from the same seed); epoch
 * sampling; and the errors of open(). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_main.h"
#include "hvp_check.h"

#define NTR 12 /* training images */
#define NTE 7  /* test images */
#define SIDE 3
#define CLASSES 3
#define IDX_FIXTURE_TEST_LABEL(k) (((k) * 2) % CLASSES)
#define IDX_FIXTURE_OPTIONS "classes=3"
#define IDX_FIXTURE_PLUGIN "mlp"
#include "idx_fixture.h"

/* ---- double-precision reference of the network, from θ's documented layout */
struct ref { int L, w[6], act; };

static double ref_loss(const struct ref *n, const double *th, const uint8_t *x, const uint8_t *y,
                       int B, long *correct)
{
    double total = 0, a[2][64];
    long right = 0;
    for (int e = 0; e < B; e++) {
        for (int k = 0; k < DIM; k++)
            a[0][k] = x[e * DIM + k] / 255.0;
        const double *p = th;
        int cur = 0;
        for (int l = 1; l <= n->L; l++) {
            int nin = n->w[l - 1], nout = n->w[l];
            const double *W = p, *b = p + nin * nout;
            p = b + nout;
            for (int j = 0; j < nout; j++) {
                double z = b[j];
                for (int i = 0; i < nin; i++)
                    z += a[cur][i] * W[i * nout + j];
                if (l < n->L)
                    z = n->act == 0 ? 1 / (1 + exp(-z)) : n->act == 1 ? (z > 0 ? z : 0) : tanh(z);
                a[1 - cur][j] = z;
            }
            cur = 1 - cur;
        }
        int C = n->w[n->L], arg = 0;
        double m = a[cur][0], s = 0;
        for (int j = 1; j < C; j++)
            if (a[cur][j] > a[cur][arg])
                m = a[cur][arg = j];
        for (int j = 0; j < C; j++)
            s += exp(a[cur][j] - m);
        total += m + log(s) - a[cur][y[e]];
        right += arg == y[e];
    }
    if (correct)
        *correct = right;
    return total / B;
}

static void check_net(const char *hidden, const char *act)
{
    printf("\n  hidden=%s activation=%s\n", hidden, act);
    struct l2l_value v[32];
    char err[256], extra[256];
    /* Epoch sampling with batch = the whole training set: every call sees
     * all of it, so the loss is deterministic and finite differences apply. */
    snprintf(extra, sizeof extra, "hidden=%s;activation=%s;init_std=0.5;batch=%d;sampling=shuffle",
             hidden, act, NTR);
    void *fam = open_family(extra, v, err, sizeof err);
    if (!fam)
        printf("  %s\n", err);
    CU_ASSERT_FATAL(fam != NULL);
    struct ref net = { 1, { DIM }, !strcmp(act, "sigmoid") ? 0 : !strcmp(act, "relu") ? 1 : 2 };
    const char *h = hidden;
    for (char *end; *h; h = *end ? end + 1 : end)
        net.w[net.L++] = (int)strtol(h, &end, 10);
    net.w[net.L] = CLASSES;
    size_t n = ops->n_params(fam), want = 0;
    for (int l = 1; l <= net.L; l++)
        want += (size_t)(net.w[l - 1] + 1) * net.w[l];
    CU_ASSERT_EQUAL_FATAL(n, want);

    struct l2l_rng rng;
    l2l_rng_seed(&rng, 42);
    float *th = malloc(n * sizeof *th), *g = malloc(n * sizeof *g), *fd = malloc(n * sizeof *fd);
    double *thd = calloc(n, sizeof *thd);
    CU_ASSERT_FATAL(th && g && fd && thd);
    void *p = ops->problem_new(fam, &rng, th, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    double loss;
    CU_ASSERT_EQUAL(ops->loss_grad(p, th, &loss, g), 0);

    for (size_t k = 0; k < n; k++)
        thd[k] = th[k];
    double lref = ref_loss(&net, thd, trx, try_, NTR, NULL);
    printf("  loss %.9f, reference %.9f: diff %.3g (tolerance 1e-5)\n", loss, lref, fabs(loss - lref));
    CU_ASSERT(fabs(loss - lref) < 1e-5);

    /* Central differences of the reference: (f(θ + h e_k) - f(θ - h e_k)) / 2h */
    const double hstep = 1e-6;
    double gmax = 0;
    for (size_t k = 0; k < n; k++) {
        double t = thd[k];
        thd[k] = t + hstep;
        double up = ref_loss(&net, thd, trx, try_, NTR, NULL);
        thd[k] = t - hstep;
        double dn = ref_loss(&net, thd, trx, try_, NTR, NULL);
        thd[k] = t;
        fd[k] = (float)((up - dn) / (2 * hstep));
        gmax = fmax(gmax, fabs(fd[k]));
    }
    printf("  largest |gradient| %.3g\n", gmax);
    CU_ASSERT(gmax > 1e-2); /* a gradient worth checking */
    CU_ASSERT(l2l_maxdiff("gradient vs central differences", g, fd, n, 1e-6) < 1e-6);

    /* evaluate() = the reference over the held-out set. */
    struct l2l_eval ev;
    long right;
    CU_ASSERT_EQUAL(ops->evaluate(p, th, &ev), 0);
    double eref = ref_loss(&net, thd, tex, tey, NTE, &right);
    printf("  test loss %.9f (reference %.9f), accuracy %.4f (reference %.4f)\n",
           ev.loss, eref, ev.accuracy, (double)right / NTE);
    CU_ASSERT(fabs(ev.loss - eref) < 1e-5);
    CU_ASSERT(fabs(ev.accuracy - (double)right / NTE) < 1e-12);

    ops->problem_free(p);
    free(th);
    free(g);
    free(fd);
    free(thd);
    close_family(fam, v);
}

static void test_grad_sigmoid(void) { check_net("4", "sigmoid"); }
static void test_grad_relu(void) { check_net("4", "relu"); }
static void test_grad_tanh(void) { check_net("4", "tanh"); }
static void test_grad_two_layers(void) { check_net("5,4", "sigmoid"); check_net("5,4", "relu"); }

/* Finite differences of the plugin's own float32 loss on random minibatches
 * with replacement: re-creating the problem from the same seed gives the
 * same θ0 and the same first minibatch. */
static void test_fd_same_minibatch(void)
{
    struct l2l_value v[32];
    char err[256];
    void *fam = open_family("hidden=4;activation=tanh;init_std=0.5;batch=5", v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    size_t n = ops->n_params(fam);
    float *th = malloc(n * sizeof *th), *th2 = malloc(n * sizeof *th2), *g = malloc(n * sizeof *g),
          *fd = malloc(n * sizeof *fd);
    struct l2l_rng r0, r;
    l2l_rng_seed(&r0, 1234);
    r = r0;
    void *p = ops->problem_new(fam, &r, th, err, sizeof err);
    double loss, loss2, loss3;
    ops->loss_grad(p, th, &loss, g);
    ops->loss_grad(p, th, &loss2, NULL);
    ops->problem_free(p);
    printf("\n  two minibatches at θ0: loss %.6f then %.6f\n", loss, loss2);
    CU_ASSERT(loss != loss2); /* a fresh minibatch each call */
    const float h = 1e-2f;
    for (size_t k = 0; k < n; k++) {
        double up, dn;
        float t = th[k];
        r = r0;
        p = ops->problem_new(fam, &r, th2, err, sizeof err);
        th[k] = t + h;
        ops->loss_grad(p, th, &up, NULL);
        ops->problem_free(p);
        r = r0;
        p = ops->problem_new(fam, &r, th2, err, sizeof err);
        th[k] = t - h;
        ops->loss_grad(p, th, &dn, NULL);
        ops->problem_free(p);
        th[k] = t;
        fd[k] = (float)((up - dn) / (2.0 * (double)h));
    }
    CU_ASSERT(l2l_maxdiff("same seed, same θ0", th, th2, n, 0) == 0);
    CU_ASSERT(l2l_maxdiff("gradient vs float32 central differences (h 1e-2)", g, fd, n, 1e-3) < 1e-3);
    r = r0;
    p = ops->problem_new(fam, &r, th2, err, sizeof err);
    ops->loss_grad(p, th, &loss3, NULL);
    ops->problem_free(p);
    CU_ASSERT(loss3 == loss); /* repeatable bit for bit */
    free(th);
    free(th2);
    free(g);
    free(fd);
    close_family(fam, v);
}

/* H·v of the minibatch `ago` calls back, against central differences of
 * the gradient on that minibatch: problems re-created from the same seed
 * draw the same minibatches, so skipping (2 − ago) calls gives it. */
struct replay { void *fam; struct l2l_rng r0; int skip; };

static int grad_on_replayed(void *ctx, const float *theta, float *grad)
{
    struct replay *c = ctx;
    char err[256];
    size_t n = ops->n_params(c->fam);
    float *th0 = malloc(n * sizeof *th0);
    struct l2l_rng r = c->r0;
    void *p = ops->problem_new(c->fam, &r, th0, err, sizeof err);
    double loss;
    int rc = p && th0 ? 0 : -1;
    for (int k = 0; rc == 0 && k < c->skip; k++)
        rc = ops->loss_grad(p, th0, &loss, NULL);
    if (rc == 0)
        rc = ops->loss_grad(p, theta, &loss, grad);
    ops->problem_free(p);
    free(th0);
    return rc;
}

static void check_hvp(const char *hidden, const char *act)
{
    struct l2l_value v[32];
    char err[256], opts[128];
    snprintf(opts, sizeof opts, "hidden=%s;activation=%s;init_std=0.5;batch=5", hidden, act);
    void *fam = open_family(opts, v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    CU_ASSERT_FATAL(ops->hvp && ops->replay_depth);
    size_t n = ops->n_params(fam);
    float *th = malloc(n * sizeof *th);
    struct replay c = {fam, {{0}}, 0};
    l2l_rng_seed(&c.r0, 99);
    struct l2l_rng r = c.r0, rv;
    l2l_rng_seed(&rv, 5);
    void *p = ops->problem_new(fam, &r, th, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT(ops->replay_depth(p, 3) == 0);
    double loss;
    for (int k = 0; k < 3; k++) /* three minibatches, all at θ0 */
        CU_ASSERT(ops->loss_grad(p, th, &loss, NULL) == 0);
    for (int ago = 0; ago < 3; ago++) {
        char what[96];
        snprintf(what, sizeof what, "%s %s ago %d: Hv vs central differences (h 3e-3)", hidden, act, ago);
        c.skip = 2 - ago;
        double e = l2l_check_hvp(what, ops, p, ago, th, n, 3e-3, &rv, grad_on_replayed, &c);
        CU_ASSERT(e < 2e-3);
    }
    float *hv = malloc(n * sizeof *hv);
    CU_ASSERT(ops->hvp(p, 3, th, th, hv) < 0); /* beyond the depth */
    free(hv);
    ops->problem_free(p);
    free(th);
    close_family(fam, v);
}

static void test_hvp_sigmoid(void) { check_hvp("4", "sigmoid"); }
static void test_hvp_relu(void) { check_hvp("4", "relu"); }
static void test_hvp_tanh(void) { check_hvp("4", "tanh"); }
static void test_hvp_layers(void)
{
    check_hvp("5,4", "sigmoid");
    check_hvp("5,4", "tanh");
    check_hvp("5,4,3", "relu");
}

/* sampling=shuffle: three minibatches of 4 are one epoch of the 12 images,
 * so their mean loss is the full-batch loss. Also eval_samples. */
static void test_epochs(void)
{
    struct l2l_value v[32];
    char err[256];
    void *fam = open_family("hidden=4;init_std=0.5;batch=4;sampling=shuffle;eval_samples=3", v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    size_t n = ops->n_params(fam);
    float *th = malloc(n * sizeof *th);
    double *thd = malloc(n * sizeof *thd);
    struct l2l_rng r;
    l2l_rng_seed(&r, 5);
    void *p = ops->problem_new(fam, &r, th, err, sizeof err);
    double l[3];
    for (int k = 0; k < 3; k++)
        ops->loss_grad(p, th, &l[k], NULL);
    for (size_t k = 0; k < n; k++)
        thd[k] = th[k];
    struct ref net = { 2, { DIM, 4, CLASSES }, 0 };
    double full = ref_loss(&net, thd, trx, try_, NTR, NULL);
    double mean = (l[0] + l[1] + l[2]) / 3;
    printf("\n  epoch of 3 minibatches: mean loss %.9f, full batch %.9f\n", mean, full);
    CU_ASSERT(fabs(mean - full) < 1e-5);
    struct l2l_eval ev;
    ops->evaluate(p, th, &ev);
    double e3 = ref_loss(&net, thd, tex, tey, 3, NULL);
    printf("  eval_samples=3: loss %.9f, reference %.9f\n", ev.loss, e3);
    CU_ASSERT(fabs(ev.loss - e3) < 1e-5);
    ops->problem_free(p);
    free(th);
    free(thd);
    close_family(fam, v);
}

/* The paper's network: 784-20-10 has 15,910 parameters in 4 groups. */
static void test_paper_shape(void)
{
    static uint8_t px[4 * 784];
    uint8_t lab[4] = { 0, 1, 2, 9 };
    uint32_t d[3] = { 4, 28, 28 }, dl = 4;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(idx_write(tmp("m-img"), 3, d, px, 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(idx_write(tmp("m-lab"), 1, &dl, lab, 0, err, sizeof err), 0);
    struct l2l_value v[32];
    char extra[512];
    snprintf(extra, sizeof extra, "classes=10;train_images=%s;train_labels=%s;test_images=%s;test_labels=%s",
             tmp("m-img"), tmp("m-lab"), tmp("m-img"), tmp("m-lab"));
    void *fam = open_family(extra, v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    CU_ASSERT_EQUAL(ops->n_params(fam), 15910);
    const struct l2l_group *g;
    CU_ASSERT_EQUAL_FATAL(ops->groups(fam, &g), 4);
    static const char *names[4] = { "w1", "b1", "w2", "b2" };
    static const size_t off[4] = { 0, 15680, 15700, 15900 }, cnt[4] = { 15680, 20, 200, 10 };
    for (int k = 0; k < 4; k++) {
        CU_ASSERT_STRING_EQUAL(g[k].name, names[k]);
        CU_ASSERT_EQUAL(g[k].offset, off[k]);
        CU_ASSERT_EQUAL(g[k].count, cnt[k]);
    }
    /* θ0 ~ N(0, 0.01^2) by default. */
    float *th = malloc(15910 * sizeof *th);
    struct l2l_rng r;
    l2l_rng_seed(&r, 3);
    void *p = ops->problem_new(fam, &r, th, err, sizeof err);
    double s = 0, s2 = 0;
    for (int k = 0; k < 15910; k++)
        s += th[k], s2 += (double)th[k] * th[k];
    double sd = sqrt(s2 / 15910 - (s / 15910) * (s / 15910));
    printf("\n  θ0: mean %.2e, std %.5f (expected 0.01)\n", s / 15910, sd);
    CU_ASSERT(fabs(sd - 0.01) < 0.0005 && fabs(s / 15910) < 0.0005);
    ops->problem_free(p);
    close_family(fam, v);

    /* init=xavier: W_l ~ N(0, 2 / (in + out)), biases 0. */
    char extra2[600];
    snprintf(extra2, sizeof extra2, "%s;init=xavier", extra);
    fam = open_family(extra2, v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    p = ops->problem_new(fam, &r, th, err, sizeof err);
    s2 = 0;
    for (int k = 0; k < 15680; k++)
        s2 += (double)th[k] * th[k];
    double bmax = 0;
    for (int k = 15680; k < 15700; k++)
        bmax = fmax(bmax, fabs(th[k]));
    printf("  xavier: w1 std %.5f (expected %.5f), largest |b1| %g\n", sqrt(s2 / 15680),
           sqrt(2.0 / 804), bmax);
    CU_ASSERT(fabs(sqrt(s2 / 15680) - sqrt(2.0 / 804)) < 0.002);
    CU_ASSERT(bmax == 0);
    ops->problem_free(p);
    free(th);
    close_family(fam, v);
}

static void expect_open_error(const char *extra, const char *want)
{
    struct l2l_value v[32];
    char err[256] = "";
    void *fam = open_family(extra, v, err, sizeof err);
    printf("  refused: %s\n", err);
    CU_ASSERT(fam == NULL);
    CU_ASSERT(strstr(err, want) != NULL);
    if (fam)
        close_family(fam, v);
}

static void test_open_errors(void)
{
    printf("\n");
    char extra[256];
    snprintf(extra, sizeof extra, "train_images=%s", tmp("nothing-here"));
    expect_open_error(extra, "run scripts/get-data");
    expect_open_error("eval_samples=8", "eval_samples 8: expected at most the 7 images");
    expect_open_error("hidden=2.5", "item 1 is 2.5, expected a whole number");
    expect_open_error("classes=2", "label 2 at index 2, expected a class in [0, 2)");
    expect_open_error("hidden=1,1,1,1,1,1,1,1,1", "9 layers, expected at most 8");
}

static const struct l2l_test tests[] = {
    { "784-20-10: 15,910 parameters, groups, θ0", test_paper_shape },
    { "sigmoid: loss, gradient, evaluate", test_grad_sigmoid },
    { "relu: loss, gradient, evaluate", test_grad_relu },
    { "tanh: loss, gradient, evaluate", test_grad_tanh },
    { "two hidden layers", test_grad_two_layers },
    { "finite differences on the same minibatch", test_fd_same_minibatch },
    { "epoch sampling and eval_samples", test_epochs },
    { "sigmoid: Hessian-vector product vs FD of the gradient, replayed minibatches", test_hvp_sigmoid },
    { "relu: Hessian-vector product", test_hvp_relu },
    { "tanh: Hessian-vector product", test_hvp_tanh },
    { "Hessian-vector product, two and three hidden layers", test_hvp_layers },
    { "open errors", test_open_errors },
    { NULL, NULL }
};

int main(void)
{
    return idx_fixture_main(tests);
}
