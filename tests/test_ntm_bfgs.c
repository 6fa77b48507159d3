/* test_ntm_bfgs.c: the ntm-bfgs plugin against an independent
 * double-precision implementation written here from the equations of
 * docs/ntm-bfgs.md (one coordinate at a time, true tanh and σ, the memory
 * as an explicit list of write pairs), over enough steps that the window
 * drops old writes; step() against step_record(); the checkpoint's shape
 * words and update options; bad options refused. The meta-gradient is
 * checked against finite differences in tests/test_meta_grad.c. */
#include "test_lstm_common.h"
#include "test_main.h"

#define STEPS 7

struct nref {
    int L, H, D, gac, R, W, window, m0, per_group;
    double s, p, scale;
    size_t n;
    const struct l2l_group *groups;
    int n_groups;
    const float *phi;
    double *h, *c, *rd; /* (L, n, H), (L, n, H), (R, n) */
    double *pairs;      /* (steps, W, 2, n) every write since reset */
    int t;
};

static double sigm(double a) { return 1.0 / (1.0 + exp(-a)); }

/* The scope of coordinate k: [*off, *off + *cnt). */
static void scope_of(const struct nref *r, size_t k, size_t *off, size_t *cnt)
{
    *off = 0;
    *cnt = r->n;
    for (int g = 0; r->per_group && g < r->n_groups; g++)
        if (k >= r->groups[g].offset && k < r->groups[g].offset + r->groups[g].count) {
            *off = r->groups[g].offset;
            *cnt = r->groups[g].count;
        }
}

/* The first gac cells of h (n, H) ← their mean over each group. */
static void gac_mean(const struct nref *r, double *h)
{
    for (int g = 0; g < r->n_groups; g++)
        for (int u = 0; u < r->gac; u++) {
            double s = 0;
            size_t o = r->groups[g].offset, c = r->groups[g].count;
            for (size_t k = o; k < o + c; k++)
                s += h[k * (size_t)r->H + (size_t)u];
            for (size_t k = o; k < o + c; k++)
                h[k * (size_t)r->H + (size_t)u] = s / (double)c;
        }
}

/* M r for the coordinates of r's scopes: s·r + Σ_{writes in window} a (bᵀr)/N. */
static void mem_read(const struct nref *r, const double *v, double *out)
{
    size_t n = r->n;
    int first = r->window > 0 && r->t - r->window > 0 ? r->t - r->window : 0;
    for (size_t k = 0; k < n; k++) {
        size_t off, cnt;
        scope_of(r, k, &off, &cnt);
        double acc = r->m0 ? r->s * v[k] : 0;
        for (int j = first; j < r->t; j++)
            for (int w = 0; w < r->W; w++) {
                const double *a = r->pairs + ((size_t)j * r->W + w) * 2 * n, *b = a + n;
                double q = 0;
                for (size_t i = off; i < off + cnt; i++)
                    q += b[i] * v[i];
                acc += a[k] * q / (double)cnt;
            }
        out[k] = acc;
    }
}

static void nref_step(struct nref *r, const float *grad, double *upd)
{
    size_t n = r->n, H = (size_t)r->H;
    int in0 = r->D + r->R, O = 1 + r->R + 2 * r->W;
    double *x = calloc(n * (size_t)(in0 > r->H ? in0 : r->H), sizeof(double));
    double *y = calloc(n * (size_t)O, sizeof(double)), *hn = calloc(n * H, sizeof(double));
    struct ref_net pre = {.pre = 1, .p = r->p};
    for (size_t k = 0; k < n; k++) {
        ref_preprocess(&pre, grad[k], x + k * (size_t)in0);
        for (int j = 0; j < r->R; j++)
            x[k * (size_t)in0 + (size_t)(r->D + j)] = r->rd[(size_t)j * n + k];
    }
    const float *W = r->phi;
    int kx = in0;
    for (int l = 0; l < r->L; l++) {
        double *h = r->h + (size_t)l * n * H, *c = r->c + (size_t)l * n * H;
        int K = kx + r->H + 1;
        for (size_t k = 0; k < n; k++)
            for (size_t u = 0; u < H; u++) {
                double a[4];
                for (int g = 0; g < 4; g++) {
                    size_t col = (size_t)g * H + u;
                    double s = W[(size_t)(K - 1) * 4 * H + col];
                    for (int v = 0; v < kx; v++)
                        s += x[k * (size_t)kx + (size_t)v] * W[(size_t)v * 4 * H + col];
                    for (size_t v = 0; v < H; v++)
                        s += h[k * H + v] * W[((size_t)kx + v) * 4 * H + col];
                    a[g] = s;
                }
                double i = sigm(a[0]), j = tanh(a[1]), f = sigm(a[2] + 1), o = sigm(a[3]);
                c[k * H + u] = f * c[k * H + u] + i * j;
                hn[k * H + u] = tanh(c[k * H + u]) * o;
            }
        memcpy(h, hn, sizeof(double) * n * H);
        gac_mean(r, h);
        for (size_t q = 0; q < n * H; q++)
            x[q] = h[q];
        W += (size_t)K * 4 * H;
        kx = r->H;
    }
    for (size_t k = 0; k < n; k++)
        for (int o = 0; o < O; o++) {
            double s = W[H * (size_t)O + (size_t)o];
            for (size_t v = 0; v < H; v++)
                s += x[k * H + v] * W[v * (size_t)O + (size_t)o];
            y[k * (size_t)O + (size_t)o] = s;
        }
    double *v = calloc(n, sizeof(double));
    for (int j = 0; j < r->R; j++) {
        for (size_t k = 0; k < n; k++)
            v[k] = y[k * (size_t)O + 1 + (size_t)j];
        mem_read(r, v, r->rd + (size_t)j * n);
    }
    for (size_t k = 0; k < n; k++)
        upd[k] = r->scale * (y[k * (size_t)O] + r->rd[k]);
    for (int w = 0; w < r->W; w++)
        for (size_t k = 0; k < n; k++) {
            double *a = r->pairs + ((size_t)r->t * r->W + w) * 2 * n;
            a[k] = y[k * (size_t)O + 1 + (size_t)(r->R + 2 * w)];
            a[n + k] = y[k * (size_t)O + 2 + (size_t)(r->R + 2 * w)];
        }
    r->t++;
    free(x);
    free(y);
    free(hn);
    free(v);
}

static struct l2l_group two_groups[] = {{"w", 0, 5}, {"b", 5, 4}};

/* Plugin vs reference over STEPS steps on n = 9 coordinates in two groups. */
static void compare(const char *const *kv, struct nref proto, double tol)
{
    size_t n = 9;
    struct lstm_t o;
    CU_ASSERT_FATAL(lstm_t_open(&o, "ntm-bfgs", kv, n, two_groups, 2) == 0);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 11);
    o.lo->meta_init(o.self, &rng);
    /* larger outputs, so that the writes weigh in the update (a·bᵀr grows
     * as the cube) and a wrong memory cannot hide under the tolerance */
    size_t m = o.lo->n_meta(o.self), wo = (size_t)(proto.H + 1) * (size_t)(1 + proto.R + 2 * proto.W);
    for (size_t k = m - wo; k < m; k++)
        o.lo->meta(o.self)[k] *= 4.0f;
    struct nref r = proto;
    r.n = n;
    r.D = 2;
    r.groups = two_groups;
    r.n_groups = 2;
    r.phi = o.lo->meta(o.self);
    r.h = calloc((size_t)r.L * n * (size_t)r.H, sizeof(double));
    r.c = calloc((size_t)r.L * n * (size_t)r.H, sizeof(double));
    r.rd = calloc((size_t)r.R * n, sizeof(double));
    r.pairs = calloc((size_t)STEPS * (size_t)r.W * 2 * n, sizeof(double));
    CU_ASSERT_FATAL(o.lo->n_meta(o.self) > 0);
    o.ops->reset(o.self);
    float theta[9] = {0}, grad[9], before[9], got[STEPS * 9], want[STEPS * 9];
    double upd[9];
    for (int t = 0; t < STEPS; t++) {
        for (size_t k = 0; k < n; k++) /* magnitudes over both logsign branches */
            grad[k] = (float)((l2l_rng_uniform(&rng) - 0.5) * (k % 3 == 0 ? 1e-5 : 2.0));
        memcpy(before, theta, sizeof theta);
        CU_ASSERT_FATAL(o.ops->step(o.self, theta, grad) == 0);
        nref_step(&r, grad, upd);
        for (size_t k = 0; k < n; k++) {
            got[t * 9 + (int)k] = theta[k] - before[k];
            want[t * 9 + (int)k] = (float)upd[k];
        }
    }
    double scale = 0;
    for (int k = 0; k < STEPS * 9; k++)
        scale = fmax(scale, fabs(want[k]));
    CU_ASSERT(scale > 1e-3); /* not a trivially zero update */
    CU_ASSERT(l2l_maxdiff("ntm-bfgs updates vs double reference", got, want, STEPS * 9,
                          tol * scale) <= tol * scale);
    free(r.h);
    free(r.c);
    free(r.rd);
    free(r.pairs);
    lstm_t_close(&o);
}

static const struct nref BASE = {.L = 2, .H = 6, .gac = 2, .R = 2, .W = 2, .window = 3,
                                 .m0 = 1, .s = 0.5, .p = 10, .scale = 0.1};
#define BASE_KV "layers=2", "hidden=6", "gac=2", "read_heads=2", "write_heads=2", "m0_scale=0.5"

static void test_forward_window(void)
{
    const char *kv[] = {BASE_KV, "window=3", NULL};
    compare(kv, BASE, 2e-5);
}

static void test_forward_dense(void)
{
    const char *kv[] = {BASE_KV, "window=0", NULL};
    struct nref r = BASE;
    r.window = 0;
    compare(kv, r, 2e-5);
}

static void test_forward_group_zero(void)
{
    const char *kv[] = {BASE_KV, "window=2", "scope=group", "m0=zero", "layers=1", "gac=0",
                        "write_heads=3", "read_heads=1", NULL};
    struct nref r = BASE;
    r.window = 2;
    r.per_group = 1;
    r.m0 = 0;
    r.L = 1;
    r.gac = 0;
    r.W = 3;
    r.R = 1;
    compare(kv, r, 2e-5);
}

/* step() and step_record() give the same bits (the same reads in the same
 * order), across unrolls that carry the window. */
static void test_record_same_bits(void)
{
    const char *kv[] = {BASE_KV, "window=3", NULL};
    struct lstm_t a, b;
    CU_ASSERT_FATAL(lstm_t_open(&a, "ntm-bfgs", kv, 9, two_groups, 2) == 0);
    CU_ASSERT_FATAL(lstm_t_open(&b, "ntm-bfgs", kv, 9, two_groups, 2) == 0);
    struct l2l_rng r1, r2;
    l2l_rng_seed(&r1, 5);
    l2l_rng_seed(&r2, 5);
    a.lo->meta_init(a.self, &r1);
    b.lo->meta_init(b.self, &r2);
    float ta[9] = {0}, grad[9], u[9];
    int same = 1;
    for (int j = 0; j < 3; j++) {
        CU_ASSERT_FATAL(b.lo->tape_begin(b.self, 4) == 0);
        for (int t = 0; t < 4; t++) {
            for (int k = 0; k < 9; k++)
                grad[k] = (float)(l2l_rng_uniform(&r1) - 0.5);
            float before[9];
            memcpy(before, ta, sizeof ta);
            CU_ASSERT_FATAL(a.ops->step(a.self, ta, grad) == 0);
            CU_ASSERT_FATAL(b.lo->step_record(b.self, t, NULL, grad, u) == 0);
            for (int k = 0; k < 9; k++)
                same &= (before[k] + u[k]) == ta[k];
        }
    }
    CU_ASSERT(same);
    lstm_t_close(&a);
    lstm_t_close(&b);
}

static void test_shape_words(void)
{
    const char *kv[] = {"read_heads=2", "write_heads=4", "window=7", "m0=zero", NULL};
    struct lstm_t o;
    CU_ASSERT_FATAL(lstm_t_open(&o, "ntm-bfgs", kv, 9, NULL, 0) == 0);
    uint32_t w[16];
    int k = o.lo->shape(o.self, w, 16);
    CU_ASSERT_FATAL(k == 9);
    const char *const *names = o.lo->shape_names;
    uint32_t want[] = {2, 4, 7, 0};
    const char *wn[] = {"read_heads", "write_heads", "window", "m0"};
    for (int j = 0; j < 4; j++) {
        CU_ASSERT_STRING_EQUAL(names[5 + j], wn[j]);
        CU_ASSERT(w[5 + j] == want[j]);
    }
    int has_s = 0;
    for (const char *const *u = o.lo->update_options; *u; u++)
        has_s |= !strcmp(*u, "m0_scale") || 0;
    CU_ASSERT(has_s); /* s is not a shape word but must match on loading */
    lstm_t_close(&o);
}

/* Refused with a message that says what was expected. */
static void expect_refused(const char *const *kv, size_t n, const char *needle)
{
    char err[L2L_ERRLEN];
    struct l2l_plugin p;
    CU_ASSERT_FATAL(l2l_plugin_open(L2L_OPTIMIZER, "ntm-bfgs", &p, err, sizeof err) == 0);
    const struct l2l_optimizer_ops *ops = p.u.opt;
    struct l2l_value v[16];
    CU_ASSERT_FATAL(l2l_options_defaults(ops->options, v, err, sizeof err) == 0);
    int rc = 0;
    err[0] = 0;
    for (int k = 0; kv[k] && rc == 0; k++) {
        char key[64];
        const char *eq = strchr(kv[k], '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[k]), kv[k]);
        rc = l2l_options_set(ops->options, v, key, eq + 1, err, sizeof err);
    }
    void *self = NULL;
    if (rc == 0)
        self = ops->create(v, n, NULL, 0, err, sizeof err);
    printf("\n  refused: %s", err);
    CU_ASSERT(rc < 0 || self == NULL);
    CU_ASSERT(strstr(err, needle) != NULL);
    if (self)
        ops->destroy(self);
    l2l_values_clear(ops->options, v);
    l2l_plugin_close(&p);
}

static void test_bad_options(void)
{
    const char *dense[] = {"window=0", NULL};
    expect_refused(dense, 2049, "2048");
    const char *gac[] = {"hidden=4", "gac=5", NULL};
    expect_refused(gac, 10, "hidden");
    const char *r0[] = {"read_heads=0", NULL};
    expect_refused(r0, 10, "read_heads");
    const char *m0[] = {"m0=diag", NULL};
    expect_refused(m0, 10, "m0");
    const char *w[] = {"window=1001", NULL};
    expect_refused(w, 10, "window");
    /* the largest dense memory is accepted */
    struct lstm_t o;
    const char *ok[] = {"window=0", NULL};
    CU_ASSERT(lstm_t_open(&o, "ntm-bfgs", ok, 2048, NULL, 0) == 0);
    lstm_t_close(&o);
}

static const struct l2l_test tests[] = {
    {"forward vs double reference, window 3 (writes dropped)", test_forward_window},
    {"forward vs double reference, dense memory", test_forward_dense},
    {"forward vs double reference, memory per group, M_0 = 0, 1 layer", test_forward_group_zero},
    {"step() and step_record() give the same bits", test_record_same_bits},
    {"shape words: heads, window, M_0; m0_scale an update option", test_shape_words},
    {"bad options refused", test_bad_options},
    {NULL, NULL},
};

int main(void) { return l2l_test_main("ntm_bfgs", tests); }
