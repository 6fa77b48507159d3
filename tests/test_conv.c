/* test_conv.c: the `conv` optimizee on tiny IDX data sets written by the
 * test. The plugin (float32) is checked against the same network built in
 * double (conv_net.c compiled with -DCONV_DOUBLE), and the double gradient
 * against central differences, group by group: convolution weights and
 * biases, batch-norm scales and offsets, fully connected and output
 * layers; likewise H·v (conv_hvp.c) against central differences of the
 * gradient, and the plugin's hvp on replayed minibatches. Also: the
 * reference network's size and groups, θ0, labels
 * subsets, evaluate(), the same bits for any thread count, open() errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "config.h"
#include "test_main.h"
#include "hvp_check.h"
#include "conv_net.h"
#if defined(HAVE_OPENBLAS_SET_NUM_THREADS)
#include <cblas.h>
#endif

#define NTR 12 /* training images */
#define NTE 7  /* test images */
#define SIDE 8
#define CLASSES 4
#define IDX_FIXTURE_TEST_LABEL(k) (((k) * 3) % CLASSES)
#define IDX_FIXTURE_OPTIONS "labels=0,1,2,3"
#define IDX_FIXTURE_PLUGIN "conv"
#include "idx_fixture.h"

/* llm.c-style maxdiff in double, over n values. */
static double dmaxdiff(const char *what, const double *a, const double *b, size_t n, double tol)
{
    double m = 0;
    for (size_t k = 0; k < n; k++) {
        double d = fabs(a[k] - b[k]);
        if (!(d <= m))
            m = d; /* NaN propagates */
    }
    printf("  %s: maxdiff %.3g (tolerance %.3g)\n", what, m, tol);
    return m;
}

/* The double network's loss on n examples (pixels / 255, labels y). */
static double dloss(const struct conv_shape *s, struct conv_work *w, const double *th,
                    const uint8_t *px, const uint8_t *y, int n, double *grad)
{
    double *x = malloc((size_t)n * DIM * sizeof *x);
    for (int k = 0; k < n * DIM; k++)
        x[k] = px[k] / 255.0;
    double l = conv_forward(s, w, th, x, y, n, NULL);
    if (grad)
        conv_backward(s, w, th, x, y, n, grad);
    free(x);
    return l;
}

/* H·v of the double network (conv_hvp.c) against central differences of
 * its gradient, (∇f(θ + h v) − ∇f(θ − h v)) / 2h, h = 1e-5, group by
 * group; then the plugin's hvp hook (float) against the double H·v (its
 * minibatch is the whole training set, reordered). */
static void check_hvp(const struct conv_shape *s, struct conv_work *w, void *fam, void *p,
                      const double *thd, const struct l2l_group *g, int ng)
{
    size_t n = s->n_params;
    double *v = malloc(n * sizeof *v), *hv = malloc(n * sizeof *hv), *fd = malloc(n * sizeof *fd);
    double *tp = malloc(n * sizeof *tp), *gp = malloc(n * sizeof *gp), *gm = malloc(n * sizeof *gm);
    float *th = malloc(n * sizeof *th), *vf = malloc(n * sizeof *vf), *hf = malloc(n * sizeof *hf);
    float *hd32 = malloc(n * sizeof *hd32);
    struct conv_rwork r;
    CU_ASSERT_FATAL(v && hv && fd && tp && gp && gm && th && vf && hf && hd32);
    CU_ASSERT_FATAL(conv_rwork_alloc(&r, s, NTR) == 0);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 11);
    for (size_t k = 0; k < n; k++)
        v[k] = l2l_rng_normal(&rng);
    double *x = malloc(NTR * DIM * sizeof *x);
    for (int k = 0; k < NTR * DIM; k++)
        x[k] = trx[k] / 255.0;
    conv_hvp(s, w, &r, thd, v, x, try_, NTR, hv);
    free(x);
    const double h = 1e-5;
    for (size_t k = 0; k < n; k++)
        tp[k] = thd[k] + h * v[k];
    dloss(s, w, tp, trx, try_, NTR, gp);
    for (size_t k = 0; k < n; k++)
        tp[k] = thd[k] - h * v[k];
    dloss(s, w, tp, trx, try_, NTR, gm);
    double scale = 0;
    for (size_t k = 0; k < n; k++) {
        fd[k] = (gp[k] - gm[k]) / (2 * h);
        scale = fmax(scale, fabs(hv[k]));
    }
    printf("  H v: largest |Hv| %.3g\n", scale);
    for (int k = 0; k < ng; k++) {
        double hmax = 0;
        for (size_t i = g[k].offset; i < g[k].offset + g[k].count; i++)
            hmax = fmax(hmax, fabs(hv[i]));
        char what[96];
        snprintf(what, sizeof what, "%-11s (largest |Hv| %.2g) double H v vs central differences",
                 g[k].name, hmax);
        CU_ASSERT(dmaxdiff(what, hv + g[k].offset, fd + g[k].offset, g[k].count, 1e-7 * scale) <
                  1e-7 * scale);
        /* As for the gradient: a bias before batch norm has a zero row. */
        int cancelled = s->batch_norm && g[k].name[strlen(g[k].name) - 1] == 'b' &&
                        strncmp(g[k].name, "out", 3) != 0;
        CU_ASSERT(cancelled ? hmax < 1e-9 * scale : hmax > 1e-4 * scale);
    }
    /* The plugin's hook on its latest minibatch (all NTR examples). */
    for (size_t k = 0; k < n; k++) {
        th[k] = (float)thd[k];
        vf[k] = (float)v[k];
        hd32[k] = (float)hv[k];
    }
    CU_ASSERT_FATAL(ops->hvp != NULL && ops->replay_depth != NULL);
    (void)fam;
    CU_ASSERT_EQUAL(ops->hvp(p, 0, th, vf, hf), 0);
    CU_ASSERT(l2l_maxdiff("float32 plugin H v vs double", hf, hd32, n, 1e-4 * scale) < 1e-4 * scale);
    CU_ASSERT(ops->hvp(p, 1, th, vf, hf) < 0); /* only the latest is kept without replay_depth */
    conv_rwork_free(&r);
    free(v); free(hv); free(fd); free(tp); free(gp); free(gm);
    free(th); free(vf); free(hf); free(hd32);
}

/* One configuration: `extra` for the plugin, `sp` the same network for
 * conv_shape_init; `groups` the expected group names, space-separated. */
static void check_net(const char *extra, struct conv_spec sp, const char *groups)
{
    printf("\n  %s\n", extra);
    struct l2l_value v[32];
    char err[256], opts[512];
    /* Epoch sampling with batch = the whole training set: every call sees
     * all of it (reordered, which batch norm and the mean do not see). */
    snprintf(opts, sizeof opts, "%s;init_std=0.3;batch=%d;sampling=shuffle", extra, NTR);
    void *fam = open_family(opts, v, err, sizeof err);
    if (!fam)
        printf("  %s\n", err);
    CU_ASSERT_FATAL(fam != NULL);
    sp.in_c = 1;
    sp.in_h = sp.in_w = SIDE;
    sp.classes = CLASSES;
    struct conv_shape s;
    struct conv_work w;
    CU_ASSERT_FATAL(conv_shape_init(&s, &sp, err, sizeof err) == 0);
    CU_ASSERT_FATAL(conv_work_alloc(&w, &s, NTR) == 0);
    size_t n = ops->n_params(fam);
    CU_ASSERT_EQUAL_FATAL(n, s.n_params);

    /* Groups: the expected names, in order, disjoint, covering θ. */
    const struct l2l_group *g;
    int ng = ops->groups(fam, &g);
    char names[512] = "";
    size_t next = 0;
    for (int k = 0; k < ng; k++) {
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? " " : "", g[k].name);
        CU_ASSERT_EQUAL(g[k].offset, next);
        CU_ASSERT(g[k].count > 0);
        next = g[k].offset + g[k].count;
    }
    CU_ASSERT_EQUAL(next, n);
    printf("  %zu parameters, groups: %s\n", n, names);
    CU_ASSERT_STRING_EQUAL(names, groups);

    struct l2l_rng rng;
    l2l_rng_seed(&rng, 42);
    float *th = malloc(n * sizeof *th), *gf = malloc(n * sizeof *gf), *gd32 = malloc(n * sizeof *gd32);
    double *thd = malloc(n * sizeof *thd), *gd = malloc(n * sizeof *gd), *fd = malloc(n * sizeof *fd);
    CU_ASSERT_FATAL(th && gf && gd32 && fd && thd && gd);
    void *p = ops->problem_new(fam, &rng, th, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL);
    /* Move θ off θ0 (β = 0, γ = 1 there) so every kind of parameter matters. */
    for (size_t k = 0; k < n; k++)
        th[k] += (float)(0.2 * l2l_rng_normal(&rng));
    double loss;
    CU_ASSERT_EQUAL(ops->loss_grad(p, th, &loss, gf), 0);
    for (size_t k = 0; k < n; k++)
        thd[k] = th[k];
    double ld = dloss(&s, &w, thd, trx, try_, NTR, gd);
    printf("  loss %.9f, double %.9f: diff %.3g (tolerance 1e-5)\n", loss, ld, fabs(loss - ld));
    CU_ASSERT(fabs(loss - ld) < 1e-5);
    for (size_t k = 0; k < n; k++)
        gd32[k] = (float)gd[k];
    CU_ASSERT(l2l_maxdiff("float32 plugin gradient vs double", gf, gd32, n, 2e-5) < 2e-5);

    /* Central differences of the double network, group by group:
     * (f(θ + h e_k) − f(θ − h e_k)) / 2h, h = 1e-5: truncation about
     * h² f'''/6, rounding about 1e-16/h, both well below the tolerance. */
    const double h = 1e-5;
    for (size_t k = 0; k < n; k++) {
        double t = thd[k];
        thd[k] = t + h;
        double up = dloss(&s, &w, thd, trx, try_, NTR, NULL);
        thd[k] = t - h;
        double dn = dloss(&s, &w, thd, trx, try_, NTR, NULL);
        thd[k] = t;
        fd[k] = (up - dn) / (2 * h);
    }
    for (int k = 0; k < ng; k++) {
        double gmax = 0;
        for (size_t i = g[k].offset; i < g[k].offset + g[k].count; i++)
            gmax = fmax(gmax, fabs(gd[i]));
        char what[96];
        snprintf(what, sizeof what, "%-11s (largest |g| %.2g) double gradient vs central differences",
                 g[k].name, gmax);
        CU_ASSERT(dmaxdiff(what, gd + g[k].offset, fd + g[k].offset, g[k].count, 1e-7) < 1e-7);
        /* Every group but a bias followed by batch norm (which the mean
         * subtraction cancels: its gradient is 0 up to rounding) has a
         * gradient worth checking. */
        int cancelled = s.batch_norm && g[k].name[strlen(g[k].name) - 1] == 'b' &&
                        strncmp(g[k].name, "out", 3) != 0;
        CU_ASSERT(cancelled ? gmax < 1e-12 : gmax > 1e-4);
    }

    check_hvp(&s, &w, fam, p, thd, g, ng);

    /* evaluate(): the test set in one chunk (7 < batch), its own statistics. */
    struct l2l_eval ev;
    long right = 0;
    CU_ASSERT_EQUAL(ops->evaluate(p, th, &ev), 0);
    double *x = malloc(NTE * DIM * sizeof *x);
    for (int k = 0; k < NTE * DIM; k++)
        x[k] = tex[k] / 255.0;
    double eref = conv_forward(&s, &w, thd, x, tey, NTE, &right);
    free(x);
    printf("  test loss %.9f (double %.9f), accuracy %.4f (double %.4f)\n",
           ev.loss, eref, ev.accuracy, (double)right / NTE);
    CU_ASSERT(fabs(ev.loss - eref) < 1e-5);
    CU_ASSERT(fabs(ev.accuracy - (double)right / NTE) < 1e-12);

    ops->problem_free(p);
    conv_work_free(&w);
    free(th);
    free(gf);
    free(gd32);
    free(fd);
    free(thd);
    free(gd);
    close_family(fam, v);
}

static struct conv_spec small_spec(void)
{
    struct conv_spec sp = { .n_conv = 2, .channels = { 3, 2 }, .kernel = 3, .stride = 1, .same = 1,
                            .pool = 2, .pool_stride = 2, .n_hidden = 1, .hidden = { 4 },
                            .batch_norm = 1, .bn_scale = 0, .eps = 1e-3, .act = CONV_RELU };
    return sp;
}

static void test_grad_bn_scale(void)
{
    struct conv_spec sp = small_spec();
    sp.bn_scale = 1;
    check_net("channels=3,2;kernel=3;hidden=4;bn_scale=true", sp,
              "conv1.w conv1.b bn1.gamma bn1.beta conv2.w conv2.b bn2.gamma bn2.beta "
              "fc1.w fc1.b fcbn1.gamma fcbn1.beta out.w out.b");
}

static void test_grad_bn_offset(void)
{
    struct conv_spec sp = small_spec();
    sp.act = CONV_TANH;
    sp.pool = 3;
    sp.stride = 2;
    check_net("channels=3,2;kernel=3;stride=2;hidden=4;activation=tanh;pool=3", sp,
              "conv1.w conv1.b bn1.beta conv2.w conv2.b bn2.beta fc1.w fc1.b fcbn1.beta out.w out.b");
}

static void test_grad_no_bn(void)
{
    struct conv_spec sp = small_spec();
    sp.batch_norm = 0;
    sp.act = CONV_SIGMOID;
    sp.same = 0;
    sp.stride = 2;
    sp.pool = 1;
    sp.n_hidden = 2;
    sp.hidden[1] = 3;
    sp.kernel = 2;
    check_net("channels=3,2;kernel=2;stride=2;padding=valid;pool=1;hidden=4,3;batch_norm=false;"
              "activation=sigmoid", sp,
              "conv1.w conv1.b conv2.w conv2.b fc1.w fc1.b fc2.w fc2.b out.w out.b");
}

static void test_grad_no_hidden(void)
{
    struct conv_spec sp = small_spec();
    sp.n_hidden = 0;
    sp.n_conv = 1;
    sp.pool_stride = 1;
    check_net("channels=3;kernel=3;hidden=0;pool_stride=1", sp, "conv1.w conv1.b bn1.beta out.w out.b");
}

/* labels=3,1: only those examples, 3 relabelled 0 and 1 relabelled 1; the
 * plugin's loss over them equals the double network's on the subset. */
static void test_labels_subset(void)
{
    uint8_t sx[NTR * DIM], sy[NTR];
    int m = 0;
    for (int k = 0; k < NTR; k++)
        if (try_[k] == 3 || try_[k] == 1) {
            memcpy(sx + m * DIM, trx + k * DIM, DIM);
            sy[m++] = try_[k] == 3 ? 0 : 1;
        }
    struct l2l_value v[32];
    char err[256], opts[256];
    snprintf(opts, sizeof opts, "channels=2;kernel=3;hidden=3;labels=3,1;batch=%d;sampling=shuffle;init_std=0.3", m);
    void *fam = open_family(opts, v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    struct conv_spec sp = small_spec();
    sp.n_conv = 1;
    sp.channels[0] = 2;
    sp.hidden[0] = 3;
    sp.in_c = 1;
    sp.in_h = sp.in_w = SIDE;
    sp.classes = 2;
    struct conv_shape s;
    struct conv_work w;
    CU_ASSERT_FATAL(conv_shape_init(&s, &sp, err, sizeof err) == 0);
    CU_ASSERT_FATAL(conv_work_alloc(&w, &s, m) == 0);
    size_t n = ops->n_params(fam);
    CU_ASSERT_EQUAL_FATAL(n, s.n_params);
    float *th = malloc(n * sizeof *th);
    double *thd = malloc(n * sizeof *thd);
    struct l2l_rng r;
    l2l_rng_seed(&r, 9);
    void *p = ops->problem_new(fam, &r, th, err, sizeof err);
    double loss;
    ops->loss_grad(p, th, &loss, NULL);
    for (size_t k = 0; k < n; k++)
        thd[k] = th[k];
    double ld = dloss(&s, &w, thd, sx, sy, m, NULL);
    printf("\n  labels=3,1: %d training examples, 2 outputs; loss %.9f, double on the subset %.9f\n",
           m, loss, ld);
    CU_ASSERT_EQUAL(m, 6);
    CU_ASSERT(fabs(loss - ld) < 1e-5);
    ops->problem_free(p);
    conv_work_free(&w);
    free(th);
    free(thd);
    close_family(fam, v);
}

/* k OpenMP threads, OpenBLAS on one (as the core runs optimizees,
 * core/util/blas_threads.h; OpenBLAS's own results change with its thread
 * count). */
static void set_threads(int k)
{
#ifdef _OPENMP
    omp_set_num_threads(k);
#else
    (void)k;
#endif
#if defined(HAVE_OPENBLAS_SET_NUM_THREADS)
    openblas_set_num_threads(1);
#endif
}

/* The reference network on 28x28 images: 21,882 parameters, θ0 N(0, 0.01²)
 * with β = 0; and the same loss and gradient bits with 1, 2 and 3 threads. */
static void test_reference_net(void)
{
    enum { N = 32 };
    static uint8_t px[N * 784], lab[N];
    struct l2l_rng r;
    l2l_rng_seed(&r, 11);
    for (int k = 0; k < N * 784; k++)
        px[k] = (uint8_t)l2l_rng_below(&r, 256);
    for (int k = 0; k < N; k++)
        lab[k] = (uint8_t)(k % 10);
    uint32_t d[3] = { N, 28, 28 }, dl = N;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(idx_write(tmp("r-img"), 3, d, px, 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(idx_write(tmp("r-lab"), 1, &dl, lab, 0, err, sizeof err), 0);
    struct l2l_value v[32];
    char extra[512];
    snprintf(extra, sizeof extra, "labels=0,1,2,3,4,5,6,7,8,9;batch=%d;train_images=%s;train_labels=%s;"
             "test_images=%s;test_labels=%s", getenv("L2L_TEST_SMALL") ? 8 : N,
             tmp("r-img"), tmp("r-lab"), tmp("r-img"), tmp("r-lab"));
    void *fam = open_family(extra, v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    size_t n = ops->n_params(fam);
    const struct l2l_group *g;
    int ng = ops->groups(fam, &g);
    printf("\n  reference net: %zu parameters in %d groups (expected 21882 in 14)\n", n, ng);
    CU_ASSERT_EQUAL(n, 21882);
    CU_ASSERT_EQUAL(ng, 14);
    float *th = malloc(n * sizeof *th), *g1 = malloc(n * sizeof *g1), *g2 = malloc(n * sizeof *g2);
    l2l_rng_seed(&r, 3);
    void *p = ops->problem_new(fam, &r, th, err, sizeof err);
    double s = 0, s2 = 0, bmax = 0;
    size_t cnt = 0;
    for (int k = 0; k < ng; k++)
        for (size_t i = g[k].offset; i < g[k].offset + g[k].count; i++) {
            if (strstr(g[k].name, "beta")) {
                bmax = fmax(bmax, fabs(th[i]));
                continue;
            }
            s += th[i], s2 += (double)th[i] * th[i], cnt++;
        }
    double sd = sqrt(s2 / cnt - (s / cnt) * (s / cnt));
    printf("  θ0: weights and biases mean %.2e, std %.5f (expected 0.01); largest |β| %g\n",
           s / cnt, sd, bmax);
    CU_ASSERT(fabs(sd - 0.01) < 0.0005 && fabs(s / cnt) < 0.0005 && bmax == 0);
    ops->problem_free(p);
    /* The same problem with 1, 2 and 3 OpenMP threads. */
    double l1 = 0, l2;
    for (int t = 1; t <= 3; t++) {
        set_threads(t);
        l2l_rng_seed(&r, 3);
        p = ops->problem_new(fam, &r, th, err, sizeof err);
        for (size_t k = 0; k < n; k++)
            th[k] *= 30; /* away from the near-zero start */
        ops->loss_grad(p, th, t == 1 ? &l1 : &l2, t == 1 ? g1 : g2);
        ops->problem_free(p);
        if (t > 1) {
            printf("  loss with 1 thread %.17g, with %d %.17g\n", l1, t, l2);
            CU_ASSERT(l1 == l2);
            CU_ASSERT(l2l_maxdiff("gradient, 1 thread vs more", g1, g2, n, 0) == 0);
        }
    }
#ifdef _OPENMP
    omp_set_num_threads(omp_get_num_procs());
#endif
    free(th);
    free(g1);
    free(g2);
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
    expect_open_error("eval_samples=8", "eval_samples 8: expected at most the 7 test images");
    expect_open_error("labels=1,2,1", "1 appears twice");
    expect_open_error("labels=3", "expected at least 2");
    expect_open_error("labels=5,6", "no training example has one of these labels");
    expect_open_error("hidden=4,0", "a layer of 0 units");
    expect_open_error("channels=2.5", "item 1 is 2.5, expected a whole number");
    expect_open_error("channels=1,1,1,1,1,1,1,1,1", "9 items, expected at most 8");
    expect_open_error("padding=valid;kernel=9", "leaves no output");
}

/* The plugin's hvp on the minibatch `ago` calls back (replay_depth 3,
 * minibatches of 5 of the 12 images), against central differences of its
 * float gradient on that minibatch: problems re-created from the same seed
 * draw the same minibatches, so skipping (2 − ago) calls gives it. Without
 * pooling and with smooth activations: float32 differences need h = 3e-3,
 * over which a max pool's winner or a ReLU's side may change (the double
 * test above covers them with h = 1e-5). */
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

static void check_hvp_replay(const char *extra)
{
    struct l2l_value v[32];
    char err[256], opts[256];
    snprintf(opts, sizeof opts, "%s;init_std=0.3;batch=5", extra);
    void *fam = open_family(opts, v, err, sizeof err);
    CU_ASSERT_FATAL(fam != NULL);
    size_t n = ops->n_params(fam);
    float *th = malloc(n * sizeof *th), *hv = malloc(n * sizeof *hv);
    struct replay c = { fam, { { 0 } }, 0 };
    l2l_rng_seed(&c.r0, 99);
    struct l2l_rng r = c.r0, rv;
    l2l_rng_seed(&rv, 5);
    void *p = ops->problem_new(fam, &r, th, err, sizeof err);
    CU_ASSERT_FATAL(p != NULL && th && hv);
    CU_ASSERT(ops->replay_depth(p, 3) == 0);
    double loss;
    for (int k = 0; k < 3; k++) /* three minibatches, all at θ0 */
        CU_ASSERT(ops->loss_grad(p, th, &loss, NULL) == 0);
    for (int ago = 0; ago < 3; ago++) {
        char what[160];
        snprintf(what, sizeof what, "%s ago %d: Hv vs central differences (h 3e-3)", extra, ago);
        c.skip = 2 - ago;
        CU_ASSERT(l2l_check_hvp(what, ops, p, ago, th, n, 3e-3, &rv, grad_on_replayed, &c) < 5e-3);
    }
    CU_ASSERT(ops->hvp(p, 3, th, th, hv) < 0); /* beyond the depth */
    free(hv);
    ops->problem_free(p);
    free(th);
    close_family(fam, v);
}

static void test_hvp_replay(void)
{
    printf("\n");
    check_hvp_replay("channels=3,2;kernel=3;pool=1;hidden=4;batch_norm=false;activation=tanh");
    check_hvp_replay("channels=3,2;kernel=3;pool=1;hidden=4;bn_scale=true;activation=sigmoid");
}

static const struct l2l_test tests[] = {
    { "reference net: size, groups, θ0, same bits for 1, 2 and 3 threads", test_reference_net },
    { "batch norm with scale: gradient of every group", test_grad_bn_scale },
    { "batch norm offset only, tanh, stride 2, pool 3", test_grad_bn_offset },
    { "no batch norm, valid, stride 2, no pooling, sigmoid, 2 hidden", test_grad_no_bn },
    { "no hidden layer, overlapping pooling", test_grad_no_hidden },
    { "labels subset relabelled", test_labels_subset },
    { "H v of the minibatch replayed `ago` calls back", test_hvp_replay },
    { "open errors", test_open_errors },
    { NULL, NULL }
};

int main(void)
{
    return idx_fixture_main(tests);
}
