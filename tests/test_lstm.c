/* test_lstm.c: the forward pass of the `lstm` and `lstm-gac` plugins
 * against an independent double-precision implementation (several steps
 * with state, every preprocessing, 0/1/2 layers, GAC with groups), plus
 * meta_init determinism, shape words and option checks. */
#include "test_lstm_common.h"
#include "test_main.h"

/* Runs `steps` steps of the plugin (alternately step() and step_record())
 * and of the reference from the same φ; returns the largest difference of
 * the updates. */
static double forward_vs_ref(const char *name, const char *const *kv, int L, int H, int D,
                             int pre, double p, int gac, size_t n,
                             const struct l2l_group *groups, int n_groups, int steps)
{
    struct lstm_t o;
    if (lstm_t_open(&o, name, kv, n, groups, n_groups) < 0)
        return INFINITY;
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 1234);
    o.lo->meta_init(o.self, &rng);
    /* φ ×1.5 to drive gates away from their linear region */
    float *phi = o.lo->meta(o.self);
    for (size_t k = 0; k < o.lo->n_meta(o.self); k++)
        phi[k] *= 1.5f;
    o.ops->reset(o.self);
    struct ref_net r = {.L = L, .H = H, .D = D, .gac = gac, .pre = pre, .p = p, .scale = 1.0,
                        .groups = groups, .n_groups = n_groups, .phi = phi};
    ref_init(&r, n);
    float *g = malloc(sizeof(float) * n), *theta = calloc(n, sizeof(float));
    float *upd = malloc(sizeof(float) * n), *mine = malloc(sizeof(float) * n);
    double *want = malloc(sizeof(double) * n);
    float *wantf = malloc(sizeof(float) * n);
    double worst = 0;
    CU_ASSERT_FATAL(o.lo->tape_begin(o.self, steps) == 0);
    for (int t = 0; t < steps; t++) {
        lstm_t_grads(g, n, &rng);
        if (t % 2 == 0) { /* step(): the update is θ's change */
            memset(theta, 0, sizeof(float) * n);
            CU_ASSERT(o.ops->step(o.self, theta, g) == 0);
            memcpy(mine, theta, sizeof(float) * n);
        } else {
            CU_ASSERT(o.lo->step_record(o.self, 0, theta, g, upd) == 0);
            memcpy(mine, upd, sizeof(float) * n);
            o.lo->tape_begin(o.self, steps);
        }
        ref_step(&r, g, want);
        for (size_t k = 0; k < n; k++)
            wantf[k] = (float)want[k];
        char what[160];
        snprintf(what, sizeof what, "%s L=%d H=%d pre=%d gac=%d step %d", name, L, H, pre, gac, t);
        double d = l2l_maxdiff(what, mine, wantf, n, 2e-5);
        if (!(d <= worst))
            worst = d;
    }
    /* the update must not be trivially zero */
    double mag = 0;
    for (size_t k = 0; k < n; k++)
        mag += fabs(want[k]);
    CU_ASSERT(mag > 1e-3 * (double)n);
    free(g); free(theta); free(upd); free(mine); free(want); free(wantf);
    ref_free(&r);
    lstm_t_close(&o);
    return worst;
}

static void test_forward_lstm(void)
{
    static const char *pres[] = {"none", "logsign", "logsign-ref"};
    for (int L = 0; L <= 2; L++)
        for (int pi = 0; pi < 3; pi++) {
            char kl[32], kp[32];
            snprintf(kl, sizeof kl, "layers=%d", L);
            snprintf(kp, sizeof kp, "preprocess=%s", pres[pi]);
            const char *kv[] = {kl, kp, "hidden=7", "scale=1", "p=6", NULL};
            double d = forward_vs_ref("lstm", kv, L, 7, pi ? 2 : 1, pi, 6.0, 0, 37, NULL, 0, 6);
            CU_ASSERT(d <= 2e-5);
        }
    /* the defaults: 2 layers of 20, logsign p = 10, scale 0.1 */
    struct lstm_t o;
    CU_ASSERT_FATAL(lstm_t_open(&o, "lstm", NULL, 3, NULL, 0) == 0);
    uint32_t w[8];
    CU_ASSERT(o.lo->shape(o.self, w, 8) == 6);
    CU_ASSERT(w[2] == 2 && w[3] == 20 && w[4] == 2 && w[5] == 0);
    CU_ASSERT(o.values[5].r == 0.1 && o.values[4].r == 10.0);
    lstm_t_close(&o);
    const char *kv[] = {"scale=1", NULL};
    CU_ASSERT(forward_vs_ref("lstm", kv, 2, 20, 2, 1, 10.0, 0, 50, NULL, 0, 4) <= 2e-5);
    /* whole sub-blocks of 60 and chunks of 480 (lstm_net.h) with a partial
     * one at the end: the gates into planes (H = 20, 8) or rows (H = 7) */
    CU_ASSERT(forward_vs_ref("lstm", kv, 2, 20, 2, 1, 10.0, 0, 1000, NULL, 0, 3) <= 2e-5);
    const char *kv8[] = {"hidden=8", "scale=1", "p=6", NULL};
    CU_ASSERT(forward_vs_ref("lstm", kv8, 2, 8, 2, 1, 6.0, 0, 1000, NULL, 0, 3) <= 2e-5);
    const char *kv7[] = {"hidden=7", "layers=1", "preprocess=none", "scale=1", NULL};
    CU_ASSERT(forward_vs_ref("lstm", kv7, 1, 7, 1, 0, 10.0, 0, 1000, NULL, 0, 3) <= 2e-5);
}

static void test_forward_gac(void)
{
    /* three groups, one of a single coordinate, one empty */
    struct l2l_group groups[] = {{"a", 0, 10}, {"b", 10, 1}, {"e", 11, 0}, {"c", 11, 26}};
    for (int L = 1; L <= 2; L++)
        for (int pi = 0; pi < 2; pi++) {
            char kl[32];
            snprintf(kl, sizeof kl, "layers=%d", L);
            const char *kv[] = {kl, pi ? "preprocess=logsign" : "preprocess=none", "hidden=6",
                                "gac=2", "scale=1", "p=6", NULL};
            double d = forward_vs_ref("lstm-gac", kv, L, 6, pi ? 2 : 1, pi, 6.0, 2, 37,
                                      groups, 4, 6);
            CU_ASSERT(d <= 2e-5);
        }
    /* no groups given: one group of all coordinates; and gac = hidden */
    const char *kv[] = {"hidden=5", "gac=5", "scale=1", NULL};
    CU_ASSERT(forward_vs_ref("lstm-gac", kv, 2, 5, 2, 1, 10.0, 5, 23, NULL, 0, 5) <= 2e-5);
    /* whole sub-blocks and chunks, groups across them, the default size */
    struct l2l_group big[] = {{"a", 0, 700}, {"b", 700, 1300}};
    const char *kvd[] = {"scale=1", NULL};
    CU_ASSERT(forward_vs_ref("lstm-gac", kvd, 2, 20, 2, 1, 10.0, 5, 2000, big, 2, 3) <= 2e-5);
}

/* The same seed gives the same φ, another seed another; init=zeros gives
 * zeros and zero updates; n_meta follows the layout. */
static void test_meta_init(void)
{
    struct lstm_t a, b, z;
    const char *kz[] = {"init=zeros", NULL};
    CU_ASSERT_FATAL(lstm_t_open(&a, "lstm", NULL, 5, NULL, 0) == 0);
    CU_ASSERT_FATAL(lstm_t_open(&b, "lstm", NULL, 9, NULL, 0) == 0);
    CU_ASSERT_FATAL(lstm_t_open(&z, "lstm", kz, 5, NULL, 0) == 0);
    size_t nm = a.lo->n_meta(a.self);
    CU_ASSERT(nm == (size_t)23 * 80 + 41 * 80 + 21);
    CU_ASSERT(b.lo->n_meta(b.self) == nm);
    struct l2l_rng r1, r2, r3;
    l2l_rng_seed(&r1, 77);
    l2l_rng_seed(&r2, 77);
    l2l_rng_seed(&r3, 78);
    a.lo->meta_init(a.self, &r1);
    b.lo->meta_init(b.self, &r2);
    z.lo->meta_init(z.self, &r3);
    const float *pa = a.lo->meta(a.self), *pb = b.lo->meta(b.self), *pz = z.lo->meta(z.self);
    CU_ASSERT(memcmp(pa, pb, sizeof(float) * nm) == 0);
    double sq = 0, mx = 0;
    for (size_t k = 0; k < 23 * 80; k++) { /* layer 0: std 1/√22, truncated at 2 std */
        sq += (double)pa[k] * pa[k];
        mx = fmax(mx, fabs(pa[k]));
    }
    double std = sqrt(sq / (23 * 80)), want = sqrt(0.7737) / sqrt(22.0); /* var of N(0,1) cut at ±2 */
    printf("  layer-0 std %.4f (expected %.4f), max |w| %.4f (bound %.4f)\n", std, want, mx,
           2 / sqrt(22.0));
    CU_ASSERT(fabs(std - want) < 0.1 * want);
    CU_ASSERT(mx <= 2 / sqrt(22.0) + 1e-6);
    b.lo->meta_init(b.self, &r3);
    CU_ASSERT(memcmp(pa, pb, sizeof(float) * nm) != 0);
    int zeros = 1;
    for (size_t k = 0; k < nm; k++)
        zeros &= pz[k] == 0.0f;
    CU_ASSERT(zeros);
    float theta[5] = {1, 2, 3, 4, 5}, grad[5] = {0.5f, -1, 1e-9f, 3, -2};
    z.ops->step(z.self, theta, grad);
    CU_ASSERT(theta[0] == 1 && theta[4] == 5);
    lstm_t_close(&a);
    lstm_t_close(&b);
    lstm_t_close(&z);
}

/* lstm and lstm-gac checkpoints cannot be confused; options are checked. */
static void test_shape_and_options(void)
{
    struct lstm_t a, g, bad;
    const char *k0[] = {"gac=0", NULL}, *kbad[] = {"hidden=4", "gac=5", NULL};
    CU_ASSERT_FATAL(lstm_t_open(&a, "lstm", NULL, 4, NULL, 0) == 0);
    CU_ASSERT_FATAL(lstm_t_open(&g, "lstm-gac", k0, 4, NULL, 0) == 0);
    uint32_t wa[8], wg[8];
    int na = a.lo->shape(a.self, wa, 8), ng = g.lo->shape(g.self, wg, 8);
    CU_ASSERT(na == ng && na == 6);
    CU_ASSERT(memcmp(wa, wg, sizeof(uint32_t) * (size_t)na) != 0); /* variant differs */
    CU_ASSERT(wa[1] == 0 && wg[1] == 1);
    CU_ASSERT(!strcmp(a.lo->shape_names[1], "variant"));
    CU_ASSERT(a.lo->n_meta(a.self) == g.lo->n_meta(g.self));
    lstm_t_close(&a);
    lstm_t_close(&g);
    printf("  (an error is expected next)");
    CU_ASSERT(lstm_t_open(&bad, "lstm-gac", kbad, 4, NULL, 0) < 0);
    struct l2l_group gaps[] = {{"a", 0, 2}, {"b", 3, 1}};
    printf("  (an error is expected next)");
    CU_ASSERT(lstm_t_open(&bad, "lstm-gac", NULL, 4, gaps, 2) < 0);
}

/* The FLOP and state hooks against counts worked out by hand: the paper's
 * shape gives 10,282 FLOPs forward and 40,446 for a meta-training step per
 * coordinate; hidden = 40: 2·43·160 + 2·81·160 + 2·41 = 39,762 forward and
 * 39,762 + 2·39,762 + 2·40·160 + 2·80·160 = 157,686; layers = 0 (a linear
 * rule on 2 inputs): 6 and 18. State: h and c of each layer, the input
 * and the update, in floats. */
static void test_flops_and_state(void)
{
    const struct { const char *kv[3]; double fwd, meta, state; } cases[] = {
        {{NULL}, 10282, 40446, 4 * (2 * 2 * 20 + 3)},
        {{"hidden=40", NULL}, 39762, 157686, 4 * (2 * 2 * 40 + 3)},
        {{"layers=0", NULL}, 6, 18, 4 * 3},
    };
    for (int c = 0; c < 3; c++) {
        struct lstm_t a;
        CU_ASSERT_FATAL(lstm_t_open(&a, "lstm", cases[c].kv, 7, NULL, 0) == 0);
        double meta = -1, fwd = a.ops->flops(a.self, &meta);
        printf("\n  %s: %.0f and %.0f FLOPs per coordinate, %.0f state bytes", cases[c].kv[0] ? cases[c].kv[0] : "defaults",
               fwd / 7, meta / 7, a.ops->state_bytes(a.self));
        CU_ASSERT(fwd == 7 * cases[c].fwd && meta == 7 * cases[c].meta);
        CU_ASSERT(a.ops->state_bytes(a.self) == cases[c].state);
        lstm_t_close(&a);
    }
}

static const struct l2l_test tests[] = {
    {"forward of lstm vs a double reference", test_forward_lstm},
    {"forward of lstm-gac with groups vs a double reference", test_forward_gac},
    {"meta_init determinism, zeros", test_meta_init},
    {"shape words and option checks", test_shape_and_options},
    {"FLOP counts and state bytes by hand", test_flops_and_state},
    {NULL, NULL}};

int main(void) { return l2l_test_main("lstm", tests); }
