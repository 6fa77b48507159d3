/* test_optimizers.c: the hand-designed optimizer plugins (sgd, nag,
 * rmsprop, adam) follow torch.optim's update rules. Each built plugin is
 * loaded and run for several steps; θ is compared with closed forms worked
 * out by hand and with the torch.optim formulas re-implemented here in
 * double precision, independently of the plugins; lbfgs against L-BFGS in
 * double and steps worked by hand. Also: reset() gives a
 * fresh trajectory, option errors name the range, non-finite gradients
 * propagate, and any vector lane or thread count gives the same bits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "test_main.h"
#include "options.h"
#include "plugin_loader.h"

#define N 5
#define STEPS 6
#define TOL 1e-6 /* float32 state vs the double reference, θ of order 1: the
                     * largest maxdiff measured is 2.4e-7 */

static const float theta0[N] = {0.5f, -1.25f, 2.0f, -0.125f, 1.0f};
/* ∇ at step t (rows), chosen so every rule is exercised: sign changes,
 * large then small (AMSGrad's max matters), zero (only weight decay
 * moves θ), tiny (ε matters), constant. */
static const float G[STEPS][N] = {
    {1.0f, 4.0f, 0, 1e-3f, -0.3f},  {-0.5f, 3.0f, 0, -2e-3f, -0.3f},
    {0.25f, 0.1f, 0, 5e-4f, -0.3f}, {2.0f, 0.05f, 0, 1e-3f, -0.3f},
    {-1.5f, 0.02f, 0, 0, -0.3f},    {0.75f, 0.01f, 0, -1e-3f, -0.3f}};

/* ------------------------------------------------------------ helpers */

struct opt {
    struct l2l_plugin p;
    struct l2l_value v[16];
    const struct l2l_optimizer_ops *ops;
    void *self;
};

/* Loads optimizer `name`, sets "key=value key=value ..." over the
 * defaults and creates it for n parameters (one group, which the plugins
 * ignore). On failure returns < 0 with err set and holds nothing. */
static int opt_open(struct opt *o, const char *name, const char *settings, size_t n,
                    char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (l2l_plugin_open(L2L_OPTIMIZER, name, &o->p, err, errlen) < 0)
        return -1;
    o->ops = o->p.u.opt;
    int rc = l2l_options_count(o->ops->options) <= 16 ? 0 : -1;
    if (rc == 0)
        rc = l2l_options_defaults(o->ops->options, o->v, err, errlen);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", settings);
    char *save = NULL;
    for (char *kv = strtok_r(buf, " ", &save); rc == 0 && kv; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        CU_ASSERT_FATAL(eq != NULL);
        *eq = 0;
        rc = l2l_options_set(o->ops->options, o->v, kv, eq + 1, err, errlen);
    }
    struct l2l_group all = {"all", 0, n};
    if (rc == 0 && !(o->self = o->ops->create(o->v, n, &all, 1, err, errlen)))
        rc = -1;
    if (rc < 0) {
        l2l_values_clear(o->ops->options, o->v);
        l2l_plugin_close(&o->p);
    }
    return rc;
}

static void opt_close(struct opt *o)
{
    o->ops->destroy(o->self);
    l2l_values_clear(o->ops->options, o->v);
    l2l_plugin_close(&o->p);
}

/* θ ← θ0, then `steps` steps of the gradient table (or of grad[k] when not NULL). */
static void opt_run(struct opt *o, float *th, int steps, const float *grad)
{
    memcpy(th, theta0, sizeof theta0);
    for (int t = 0; t < steps; t++)
        CU_ASSERT(o->ops->step(o->self, th, grad ? grad : G[t]) == 0);
}

/* θ after STEPS steps of a fresh optimizer; fails the test if it cannot be made. */
static void plugin_traj(const char *name, const char *settings, float *th)
{
    struct opt o;
    char err[L2L_ERRLEN] = "";
    int rc = opt_open(&o, name, settings, N, err, sizeof err);
    if (rc < 0)
        printf("  %s %s: %s\n", name, settings, err);
    CU_ASSERT_FATAL(rc == 0);
    opt_run(&o, th, STEPS, NULL);
    opt_close(&o);
}

/* ------------------------------------------------ the reference rules */

enum rule { SGD, RMSPROP, ADAM };

/* Hyperparameters as torch.optim names them; the fields a rule does not use stay 0. */
struct ref {
    enum rule rule;
    double lr, wd;
    double mu, damp; int nesterov;  /* SGD; mu also RMSprop */
    double alpha, eps; int centered; /* RMSprop; eps also Adam */
    double b1, b2; int amsgrad;      /* Adam */
};

/* The torch.optim update rules, in double, from their documentation:
 *  SGD:     d = ∇ + λθ; b_1 = d, b_t = μ b + (1−τ) d; d = d + μ b (nesterov) or b; θ −= lr d
 *  RMSprop: v = αv + (1−α)d²; a = αa + (1−α)d; s = √(v − a²) or √v, + ε;
 *           with μ: b = μb + d/s, θ −= lr b; else θ −= lr d/s
 *  Adam:    m = β1 m + (1−β1) d; v = β2 v + (1−β2) d²; v̂max = max(v̂max, v);
 *           m̂ = m/(1−β1^t); v̂ = v (or v̂max)/(1−β2^t); θ −= lr m̂/(√v̂ + ε) */
static void ref_traj(const struct ref *r, double *th)
{
    double s1[N] = {0}, s2[N] = {0}, s3[N] = {0};
    for (int k = 0; k < N; k++)
        th[k] = theta0[k];
    for (int t = 1; t <= STEPS; t++) {
        for (int k = 0; k < N; k++) {
            double d = G[t - 1][k] + r->wd * th[k];
            if (r->rule == SGD) {
                if (r->mu != 0) {
                    s1[k] = t == 1 ? d : r->mu * s1[k] + (1 - r->damp) * d;
                    d = r->nesterov ? d + r->mu * s1[k] : s1[k];
                }
                th[k] -= r->lr * d;
            } else if (r->rule == RMSPROP) {
                s1[k] = r->alpha * s1[k] + (1 - r->alpha) * d * d;
                s2[k] = r->alpha * s2[k] + (1 - r->alpha) * d;
                double s = sqrt(r->centered ? s1[k] - s2[k] * s2[k] : s1[k]) + r->eps;
                s3[k] = r->mu * s3[k] + d / s;
                th[k] -= r->lr * (r->mu > 0 ? s3[k] : d / s);
            } else {
                s1[k] = r->b1 * s1[k] + (1 - r->b1) * d;
                s2[k] = r->b2 * s2[k] + (1 - r->b2) * d * d;
                s3[k] = r->amsgrad ? fmax(s3[k], s2[k]) : s2[k];
                double mhat = s1[k] / (1 - pow(r->b1, t)), vhat = s3[k] / (1 - pow(r->b2, t));
                th[k] -= r->lr * mhat / (sqrt(vhat) + r->eps);
            }
        }
    }
}

static void check_close(const char *what, const float *got, const double *want, double tol)
{
    float w[N];
    for (int k = 0; k < N; k++)
        w[k] = (float)want[k];
    double m = l2l_maxdiff(what, got, w, N, tol);
    CU_ASSERT(m <= tol);
}

/* -------------------------------------------------------------- tests */

/* Hand-worked closed forms for a constant gradient g over 3 steps:
 *   plain SGD:      θ3 = θ0 − 3 lr g
 *   momentum μ:     b = g, (1+μ)g, (1+μ+μ²)g  →  θ3 = θ0 − lr g (3 + 2μ + μ²)
 *   Nesterov μ:     d = (1+μ)g, (1+μ+μ²)g, (1+μ+μ²+μ³)g → θ3 = θ0 − lr g (3 + 3μ + 2μ² + μ³)
 *   decay only:     g = 0: θ3 = θ0 (1 − lr λ)³
 *   Adam:           m̂ = g, v̂ = g² each step → θ3 = θ0 − 3 lr g/(|g| + ε)
 *   RMSprop:        v_t = (1 − α^t) g² → θ3 = θ0 − Σ_t lr g/(√(1 − α^t)|g| + ε) */
static void test_closed_forms(void)
{
    const float g[N] = {1.0f, -2.0f, 0.5f, 0.25f, -0.125f};
    const double lr = 0.1, mu = 0.9, lam = 0.5, a = 0.99, eps = 1e-8;
    struct { const char *name, *settings; double factor; } lin[] = {
        {"sgd", "lr=0.1", 3},
        {"sgd", "lr=0.1 momentum=0.9", 3 + 2 * mu + mu * mu},
        {"sgd", "lr=0.1 momentum=0.9 nesterov=true", 3 + 3 * mu + 2 * mu * mu + mu * mu * mu},
        {"nag", "lr=0.1", 3 + 3 * mu + 2 * mu * mu + mu * mu * mu},
    };
    float th[N];
    double want[N];
    for (size_t c = 0; c < sizeof lin / sizeof *lin; c++) {
        struct opt o;
        char err[L2L_ERRLEN], what[96];
        CU_ASSERT_FATAL(opt_open(&o, lin[c].name, lin[c].settings, N, err, sizeof err) == 0);
        opt_run(&o, th, 3, g);
        opt_close(&o);
        for (int k = 0; k < N; k++)
            want[k] = theta0[k] - lr * g[k] * lin[c].factor;
        snprintf(what, sizeof what, "%s %s, closed form", lin[c].name, lin[c].settings);
        check_close(what, th, want, TOL);
    }
    const float zero[N] = {0};
    struct opt o;
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(opt_open(&o, "sgd", "lr=0.1 weight_decay=0.5", N, err, sizeof err) == 0);
    opt_run(&o, th, 3, zero);
    opt_close(&o);
    for (int k = 0; k < N; k++)
        want[k] = theta0[k] * pow(1 - lr * lam, 3);
    check_close("sgd weight decay only, closed form", th, want, TOL);

    CU_ASSERT_FATAL(opt_open(&o, "adam", "lr=0.1", N, err, sizeof err) == 0);
    opt_run(&o, th, 3, g);
    opt_close(&o);
    for (int k = 0; k < N; k++)
        want[k] = theta0[k] - 3 * lr * g[k] / (fabs(g[k]) + eps);
    check_close("adam constant gradient, closed form", th, want, TOL);

    CU_ASSERT_FATAL(opt_open(&o, "rmsprop", "lr=0.01", N, err, sizeof err) == 0);
    opt_run(&o, th, 3, g);
    opt_close(&o);
    for (int k = 0; k < N; k++) {
        want[k] = theta0[k];
        for (int t = 1; t <= 3; t++)
            want[k] -= 0.01 * g[k] / (sqrt(1 - pow(a, t)) * fabs(g[k]) + eps);
    }
    check_close("rmsprop constant gradient, closed form", th, want, TOL);
}

/* Varying gradients, STEPS steps, against the double reference. The
 * default cases spell out torch's defaults in the reference, so they also
 * check the plugins' defaults. */
static void test_trajectories(void)
{
    struct { const char *name, *settings; struct ref r; } cases[] = {
        {"sgd", "", {SGD, .lr = 0.01}},
        {"sgd", "lr=0.1 momentum=0.9 dampening=0.1 weight_decay=0.01",
         {SGD, .lr = 0.1, .mu = 0.9, .damp = 0.1, .wd = 0.01}},
        {"sgd", "lr=0.05 momentum=0.8 nesterov=true weight_decay=0.1",
         {SGD, .lr = 0.05, .mu = 0.8, .nesterov = 1, .wd = 0.1}},
        {"nag", "", {SGD, .lr = 0.01, .mu = 0.9, .nesterov = 1}},
        {"nag", "lr=0.02 momentum=0.5 weight_decay=0.2",
         {SGD, .lr = 0.02, .mu = 0.5, .nesterov = 1, .wd = 0.2}},
        {"rmsprop", "", {RMSPROP, .lr = 0.01, .alpha = 0.99, .eps = 1e-8}},
        {"rmsprop", "lr=0.05 alpha=0.9 momentum=0.7 weight_decay=0.05",
         {RMSPROP, .lr = 0.05, .alpha = 0.9, .eps = 1e-8, .mu = 0.7, .wd = 0.05}},
        {"rmsprop", "lr=0.02 centered=true momentum=0.5 eps=1e-3",
         {RMSPROP, .lr = 0.02, .alpha = 0.99, .eps = 1e-3, .mu = 0.5, .centered = 1}},
        {"rmsprop", "lr=0.01 centered=true alpha=0.9",
         {RMSPROP, .lr = 0.01, .alpha = 0.9, .eps = 1e-8, .centered = 1}},
        {"adam", "", {ADAM, .lr = 0.001, .b1 = 0.9, .b2 = 0.999, .eps = 1e-8}},
        {"adam", "lr=0.1 betas=0.8,0.95 weight_decay=0.1",
         {ADAM, .lr = 0.1, .b1 = 0.8, .b2 = 0.95, .eps = 1e-8, .wd = 0.1}},
        {"adam", "lr=0.05 amsgrad=true eps=1e-4 betas=0.5,0.6",
         {ADAM, .lr = 0.05, .b1 = 0.5, .b2 = 0.6, .eps = 1e-4, .amsgrad = 1}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        float th[N];
        double want[N];
        char what[128];
        plugin_traj(cases[c].name, cases[c].settings, th);
        ref_traj(&cases[c].r, want);
        snprintf(what, sizeof what, "%s %s, %d steps", cases[c].name,
                 *cases[c].settings ? cases[c].settings : "(defaults)", STEPS);
        check_close(what, th, want, TOL);
    }
    /* AMSGrad must differ from plain Adam here, or the case above proved nothing. */
    float a1[N], a2[N];
    plugin_traj("adam", "lr=0.05 eps=1e-4 betas=0.5,0.6", a1);
    plugin_traj("adam", "lr=0.05 amsgrad=true eps=1e-4 betas=0.5,0.6", a2);
    CU_ASSERT(fabsf(a1[1] - a2[1]) > 1e-3f);
}

/* nag is sgd with nesterov = true, bit for bit. */
static void test_nag_is_sgd_nesterov(void)
{
    float a[N], b[N];
    plugin_traj("nag", "lr=0.03 momentum=0.7 weight_decay=0.1", a);
    plugin_traj("sgd", "lr=0.03 momentum=0.7 weight_decay=0.1 nesterov=true", b);
    CU_ASSERT(memcmp(a, b, sizeof a) == 0);
}

/* reset() forgets the state: steps after reset() from θ0 repeat the fresh
 * trajectory bit for bit, while the same steps without reset() do not. */
static void test_reset(void)
{
    const char *cases[][2] = {{"sgd", "momentum=0.9"}, {"nag", ""},
                              {"rmsprop", "momentum=0.5 centered=true"},
                              {"adam", "amsgrad=true"}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        struct opt o;
        char err[L2L_ERRLEN];
        float fresh[N], again[N], cont[N];
        CU_ASSERT_FATAL(opt_open(&o, cases[c][0], cases[c][1], N, err, sizeof err) == 0);
        opt_run(&o, fresh, 3, NULL);
        opt_run(&o, cont, 3, NULL); /* no reset: state carries over */
        o.ops->reset(o.self);
        opt_run(&o, again, 3, NULL);
        opt_close(&o);
        double m = l2l_maxdiff(cases[c][0], again, fresh, N, 0);
        CU_ASSERT(m == 0);
        CU_ASSERT(memcmp(fresh, cont, sizeof fresh) != 0);
    }
}

static void expect_refused(const char *name, const char *settings, const char *want1,
                           const char *want2)
{
    struct opt o;
    char err[L2L_ERRLEN] = "";
    int rc = opt_open(&o, name, settings, N, err, sizeof err);
    printf("  %s %s -> %s\n", name, settings, err);
    CU_ASSERT(rc < 0);
    CU_ASSERT(strstr(err, want1) != NULL);
    CU_ASSERT(strstr(err, want2) != NULL);
    if (rc == 0)
        opt_close(&o);
}

static void test_option_errors(void)
{
    expect_refused("sgd", "lr=-1", "lr: expected a finite real in [0, 1000]", "'-1'");
    expect_refused("adam", "lr=nan", "lr:", "[0, 1000]");
    expect_refused("rmsprop", "alpha=1.5", "alpha:", "[0, 1], got '1.5'");
    expect_refused("sgd", "momentun=0.9", "unknown option 'momentun'", "did you mean 'momentum'");
    expect_refused("sgd", "nesterov=true", "sgd: nesterov = true needs momentum > 0", "momentum = 0");
    expect_refused("sgd", "momentum=0.9 dampening=0.1 nesterov=true", "sgd:", "dampening = 0.1");
    expect_refused("nag", "momentum=0", "nag: momentum must be in (0, 1]", "got 0");
    expect_refused("adam", "betas=0.9,1", "adam: betas must be two reals", "'0.9,1'");
    expect_refused("adam", "betas=0.9", "adam: betas", "'0.9'");
    expect_refused("adam", "betas=0.9,0.999,0.5", "adam: betas", "'0.9,0.999,0.5'");
    /* Every table: tunable "lr", a help line on each row, no learned hooks. */
    const char *names[] = {"sgd", "nag", "rmsprop", "adam"};
    for (int c = 0; c < 4; c++) {
        struct l2l_plugin p;
        char err[L2L_ERRLEN];
        CU_ASSERT_FATAL(l2l_plugin_open(L2L_OPTIMIZER, names[c], &p, err, sizeof err) == 0);
        const struct l2l_optimizer_ops *ops = p.u.opt;
        CU_ASSERT(ops->tunable && strcmp(ops->tunable, "lr") == 0);
        CU_ASSERT(ops->learned == NULL);
        for (const struct l2l_option *r = ops->options; r->name; r++)
            CU_ASSERT(r->help && *r->help && r->def);
        CU_ASSERT(ops->state_bytes != NULL);
        l2l_plugin_close(&p);
    }
}

/* NaN and inf gradients are not errors: step() returns 0, they reach θ,
 * and the other coordinates move exactly as without them. */
static void test_nonfinite(void)
{
    const char *names[] = {"sgd", "nag", "rmsprop", "adam"};
    const float bad[N] = {NAN, INFINITY, 0.5f, -1.0f, 2.0f}, ok[N] = {0, 0, 0.5f, -1.0f, 2.0f};
    for (int c = 0; c < 4; c++) {
        struct opt o;
        char err[L2L_ERRLEN];
        float tb[N], to[N];
        CU_ASSERT_FATAL(opt_open(&o, names[c], "weight_decay=0.1", N, err, sizeof err) == 0);
        opt_run(&o, tb, 3, bad);
        o.ops->reset(o.self);
        opt_run(&o, to, 3, ok);
        opt_close(&o);
        CU_ASSERT(isnan(tb[0]) && !isfinite(tb[1]));
        CU_ASSERT(memcmp(tb + 2, to + 2, sizeof(float) * (N - 2)) == 0);
    }
}

/* Each step is a vectorized loop with a scalar remainder: the same
 * coordinate gives the same bits wherever it falls. θ0 and the gradients
 * are tiled R times (n = 5R, odd, so every lane and the remainder are
 * hit) and each copy must equal the n = 5 trajectory, for every variant
 * of every rule (each has its own loop). */
static void test_lanes(void)
{
    enum { R = 13 };
    const char *cases[][2] = {
        {"sgd", "weight_decay=0.1"}, {"sgd", "momentum=0.9 dampening=0.1"},
        {"sgd", "momentum=0.8 nesterov=true"}, {"nag", "weight_decay=0.2"},
        {"rmsprop", "weight_decay=0.1"}, {"rmsprop", "momentum=0.5"},
        {"rmsprop", "centered=true"}, {"rmsprop", "centered=true momentum=0.5"},
        {"adam", "weight_decay=0.1"}, {"adam", "amsgrad=true betas=0.5,0.6"}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        float one[N], th[N * R], g[N * R];
        plugin_traj(cases[c][0], cases[c][1], one);
        struct opt o;
        char err[L2L_ERRLEN];
        CU_ASSERT_FATAL(opt_open(&o, cases[c][0], cases[c][1], N * R, err, sizeof err) == 0);
        for (int r = 0; r < R; r++)
            memcpy(th + r * N, theta0, sizeof theta0);
        for (int t = 0; t < STEPS; t++) {
            for (int r = 0; r < R; r++)
                memcpy(g + r * N, G[t], sizeof G[t]);
            CU_ASSERT(o.ops->step(o.self, th, g) == 0);
        }
        opt_close(&o);
        int differ = 0;
        for (int r = 0; r < R; r++)
            differ += memcmp(th + r * N, one, sizeof one) != 0;
        printf("  %s %s: %d of %d copies differ from n = %d\n", cases[c][0], cases[c][1], differ,
               R, N);
        CU_ASSERT(differ == 0);
    }
}

/* Large n runs on OpenMP threads; elementwise loops give the same bits for
 * 1 and 4 threads. */
static void test_threads(void)
{
#ifdef _OPENMP
    const size_t n = 100003;
    const char *cases[][2] = {{"sgd", "momentum=0.9 weight_decay=0.1"}, {"nag", ""},
                              {"rmsprop", "momentum=0.5 centered=true"},
                              {"adam", "amsgrad=true weight_decay=0.1"}};
    float *th[2], *g = malloc(n * sizeof *g);
    th[0] = malloc(n * sizeof(float));
    th[1] = malloc(n * sizeof(float));
    CU_ASSERT_FATAL(g && th[0] && th[1]);
    int saved = omp_get_max_threads();
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        for (int r = 0; r < 2; r++) {
            struct opt o;
            char err[L2L_ERRLEN];
            omp_set_num_threads(r ? 4 : 1);
            CU_ASSERT_FATAL(opt_open(&o, cases[c][0], cases[c][1], n, err, sizeof err) == 0);
            for (size_t k = 0; k < n; k++)
                th[r][k] = (float)sin(0.001 * (double)k);
            for (int t = 0; t < 3; t++) {
                for (size_t k = 0; k < n; k++)
                    g[k] = (float)cos(0.37 * (double)k + t) + 0.1f * th[r][k];
                CU_ASSERT(o.ops->step(o.self, th[r], g) == 0);
            }
            opt_close(&o);
        }
        printf("  %s: 1 vs 4 threads, n = %zu\n", cases[c][0], n);
        CU_ASSERT(memcmp(th[0], th[1], n * sizeof(float)) == 0);
    }
    omp_set_num_threads(saved);
    free(g);
    free(th[0]);
    free(th[1]);
#else
    printf("  built without OpenMP: nothing to compare\n");
#endif
}

/* ------------------------------------------------------------- lbfgs */

/* f(θ) = ½ θᵀAθ − bᵀθ on N coordinates, A symmetric positive definite
 * (tridiagonal 4, 1), so ∇ = Aθ − b. */
static void quad_grad(const double *th, double *g)
{
    static const double b[N] = {1, -2, 0.5, 3, -1};
    for (int i = 0; i < N; i++)
        g[i] = 4 * th[i] + (i > 0 ? th[i - 1] : 0) + (i + 1 < N ? th[i + 1] : 0) - b[i];
}

/* L-BFGS in double, written from Nocedal & Wright's Algorithm 7.4 apart
 * from the plugin: history m, step lr, pairs kept when sᵀy > 1e-10 yᵀy. */
static void lbfgs_reference(int m, double lr, int steps, double th[][N])
{
    double S[64][N], Y[64][N], rho[64], prev_t[N], prev_g[N], g[N], q[N], al[64];
    int count = 0;
    for (int i = 0; i < N; i++)
        th[0][i] = theta0[i];
    for (int t = 0; t < steps; t++) {
        quad_grad(th[t], g);
        if (t > 0) {
            double s[N], y[N], sy = 0, yy = 0;
            for (int i = 0; i < N; i++) {
                s[i] = th[t][i] - prev_t[i];
                y[i] = g[i] - prev_g[i];
                sy += s[i] * y[i];
                yy += y[i] * y[i];
            }
            if (sy > 1e-10 * yy) { /* newest last: shift out the oldest when full */
                if (count == m) {
                    memmove(S, S[1], sizeof(S[0]) * (size_t)(m - 1));
                    memmove(Y, Y[1], sizeof(Y[0]) * (size_t)(m - 1));
                    memmove(rho, rho + 1, sizeof(rho[0]) * (size_t)(m - 1));
                    count--;
                }
                memcpy(S[count], s, sizeof s);
                memcpy(Y[count], y, sizeof y);
                rho[count++] = 1 / sy;
            }
        }
        memcpy(q, g, sizeof q);
        for (int j = count - 1; j >= 0; j--) {
            double a = 0;
            for (int i = 0; i < N; i++)
                a += S[j][i] * q[i];
            al[j] = a *= rho[j];
            for (int i = 0; i < N; i++)
                q[i] -= a * Y[j][i];
        }
        double gamma = 1;
        if (count) {
            double yy = 0;
            for (int i = 0; i < N; i++)
                yy += Y[count - 1][i] * Y[count - 1][i];
            gamma = 1 / (rho[count - 1] * yy);
        }
        for (int i = 0; i < N; i++)
            q[i] *= gamma;
        for (int j = 0; j < count; j++) {
            double be = 0;
            for (int i = 0; i < N; i++)
                be += Y[j][i] * q[i];
            be *= rho[j];
            for (int i = 0; i < N; i++)
                q[i] += S[j][i] * (al[j] - be);
        }
        memcpy(prev_t, th[t], sizeof prev_t);
        memcpy(prev_g, g, sizeof prev_g);
        for (int i = 0; i < N; i++)
            th[t + 1][i] = th[t][i] - lr * q[i];
    }
}

/* The plugin on the quadratic, its gradients computed from its own θ in
 * double, against the reference: history 3 so that the ring wraps over 9
 * steps; also history 1 and a step size other than 1. */
static void test_lbfgs_trajectory(void)
{
    const struct { const char *settings; int m; double lr; } cases[] = {
        {"history=3 lr=1", 3, 1.0}, {"history=1 lr=0.5", 1, 0.5}, {"history=10 lr=0.8", 10, 0.8}};
    for (int c = 0; c < 3; c++) {
        double ref[10][N], g[N], th_d[N];
        lbfgs_reference(cases[c].m, cases[c].lr, 9, ref);
        struct opt o;
        char err[L2L_ERRLEN] = "";
        CU_ASSERT_FATAL(opt_open(&o, "lbfgs", cases[c].settings, N, err, sizeof err) == 0);
        float th[N], gf[N];
        memcpy(th, theta0, sizeof th);
        double worst = 0;
        for (int t = 0; t < 9; t++) {
            for (int i = 0; i < N; i++)
                th_d[i] = th[i];
            quad_grad(th_d, g);
            for (int i = 0; i < N; i++)
                gf[i] = (float)g[i];
            CU_ASSERT(o.ops->step(o.self, th, gf) == 0);
            for (int i = 0; i < N; i++)
                worst = fmax(worst, fabs(th[i] - ref[t + 1][i]) / (1 + fabs(ref[t + 1][i])));
        }
        printf("\n  lbfgs %s: maxdiff %.2e against the double reference over 9 steps", cases[c].settings, worst);
        CU_ASSERT(worst < 1e-5);
        opt_close(&o);
    }
}

/* Worked by hand: on f = θ² per coordinate (∇ = 2θ) with lr = 1, the first
 * step is a gradient step θ1 = θ0 − 2θ0 = −θ0, and the second uses
 * γ = sᵀy/yᵀy = ½, the exact inverse curvature: θ2 = θ1 − ½·2θ1 = 0. A pair with
 * sᵀy ≤ 0 (a gradient that grew against the step) is skipped: the step
 * after it is a plain gradient step again. */
static void test_lbfgs_by_hand(void)
{
    struct opt o;
    char err[L2L_ERRLEN] = "";
    CU_ASSERT_FATAL(opt_open(&o, "lbfgs", "lr=1", N, err, sizeof err) == 0);
    float th[N], g[N];
    memcpy(th, theta0, sizeof th);
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < N; i++)
            g[i] = 2 * th[i];
        CU_ASSERT(o.ops->step(o.self, th, g) == 0);
        for (int i = 0; i < N; i++)
            CU_ASSERT(t == 0 ? th[i] == -theta0[i] : th[i] == 0.0f);
    }
    opt_close(&o);
    CU_ASSERT_FATAL(opt_open(&o, "lbfgs", "lr=0.25", N, err, sizeof err) == 0);
    memcpy(th, theta0, sizeof th);
    for (int i = 0; i < N; i++)
        g[i] = 1;
    CU_ASSERT(o.ops->step(o.self, th, g) == 0); /* θ1 = θ0 − 0.25 */
    for (int i = 0; i < N; i++)
        g[i] = 0.5f;                            /* y = −0.5, s = −0.25: sᵀy > 0, kept */
    float before[N];
    memcpy(before, th, sizeof th);
    CU_ASSERT(o.ops->step(o.self, th, g) == 0); /* γ = 0.5: θ2 = θ1 − 0.25·0.5·0.5 */
    for (int i = 0; i < N; i++)
        CU_ASSERT(fabsf(th[i] - (before[i] - 0.0625f)) < 1e-7f);
    o.ops->reset(o.self);
    memcpy(th, theta0, sizeof th);
    for (int i = 0; i < N; i++)
        g[i] = 1;
    CU_ASSERT(o.ops->step(o.self, th, g) == 0);
    for (int i = 0; i < N; i++)
        g[i] = 3;                               /* y = 2, s = −0.25: sᵀy < 0, skipped */
    memcpy(before, th, sizeof th);
    CU_ASSERT(o.ops->step(o.self, th, g) == 0); /* γ = 1: θ2 = θ1 − 0.25·3 */
    for (int i = 0; i < N; i++)
        CU_ASSERT(th[i] == before[i] - 0.75f);
    CU_ASSERT(o.ops->state_bytes && o.ops->state_bytes(o.self) == 4.0 * (2 * 10 + 3));
    opt_close(&o);
    /* the hand-designed ones: their state buffers (adam: m, v; + v̂ with amsgrad) */
    const struct { const char *name, *settings; double bytes; } st[] = {
        {"sgd", "momentum=0", 0}, {"sgd", "momentum=0.9", 4}, {"nag", "momentum=0.9", 4},
        {"rmsprop", "centered=true momentum=0.5", 12}, {"adam", "amsgrad=false", 8}, {"adam", "amsgrad=true", 12}};
    for (int c = 0; c < 6; c++) {
        CU_ASSERT_FATAL(opt_open(&o, st[c].name, st[c].settings, N, err, sizeof err) == 0);
        CU_ASSERT(o.ops->state_bytes(o.self) == st[c].bytes);
        opt_close(&o);
    }
}

static const struct l2l_test tests[] = {
    {"closed forms worked by hand", test_closed_forms},
    {"trajectories vs torch.optim rules in double", test_trajectories},
    {"nag is sgd with nesterov", test_nag_is_sgd_nesterov},
    {"reset starts a fresh trajectory", test_reset},
    {"option errors name the range", test_option_errors},
    {"non-finite gradients propagate", test_nonfinite},
    {"same bits in every vector lane and the remainder", test_lanes},
    {"same bits for any thread count", test_threads},
    {"lbfgs: trajectories vs L-BFGS in double", test_lbfgs_trajectory},
    {"lbfgs: Newton step, skipped pair, by hand", test_lbfgs_by_hand},
    {NULL, NULL}};

int main(void)
{
    return l2l_test_main("optimizers", tests);
}
