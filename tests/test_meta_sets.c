/* test_meta_sets.c: the composite of core/meta/meta_sets.c, by hand on
 * learned_sgd (terms = 1: g = −exp(φ0)·∇, one meta-parameter per set), whose update shows which set's φ
 * stepped which coordinate: groups a0 b1 a2 b3 of the linear optimizee
 * (two runs of θ each), sets `a` = a* and `rest` = *. Also: the one set
 * `all` goes straight to the plugin's object; a set that takes no group is
 * idle but keeps its φ; every φ is checkpointed and loaded by set. The
 * meta-gradient of two sets against finite differences is in
 * test_meta_grad.c. */
#include <math.h>
#include "checkpoint.h"
#include "meta_sets.h"
#include "test_meta_fixture.h"
#include "test_main.h"

#define N 8

struct fixture {
    struct fx_plugin o, f;
    void *fam;
    const struct l2l_group *groups;
    int n_groups;
    struct l2l_sets_ops so;
};

static void fixture_open(struct fixture *x)
{
    const char *kv[] = {"terms=1", NULL}, *lin[] = {"n=8", "groups=4", NULL};
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(fx_open(&x->o, L2L_OPTIMIZER, LSGD_PATH, kv) == 0);
    CU_ASSERT_FATAL(fx_open(&x->f, L2L_OPTIMIZEE, LINEAR_PATH, lin) == 0);
    x->fam = x->f.p.u.obj->open(x->f.v, err, sizeof err);
    CU_ASSERT_FATAL(x->fam != NULL);
    x->n_groups = x->f.p.u.obj->groups(x->fam, &x->groups);
    CU_ASSERT_FATAL(x->n_groups == 4);
    l2l_sets_ops_init(&x->so, x->o.p.u.opt);
}

static void fixture_close(struct fixture *x)
{
    x->f.p.u.obj->close(x->fam);
    fx_close(&x->o);
    fx_close(&x->f);
}

/* θ = 0, ∇ = 1: θ after one step is −exp(φ0 of the coordinate's set). */
static void step_ones(struct fixture *x, void *self, float *theta)
{
    float grad[N];
    for (int k = 0; k < N; k++) {
        theta[k] = 0;
        grad[k] = 1;
    }
    x->so.ops.reset(self);
    CU_ASSERT(x->so.ops.step(self, theta, grad) == 0);
}

static void test_routing(void)
{
    struct fixture x;
    fixture_open(&x);
    struct l2l_sets s = {0};
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(l2l_sets_add(&s, "a", "a*", err, sizeof err) == 0);
    CU_ASSERT_FATAL(l2l_sets_resolve(&s) == 0);
    CU_ASSERT_FATAL(s.n == 2 && !strcmp(s.name[1], "rest") && !strcmp(s.patterns[1], "*"));
    void *self = l2l_sets_create(x.o.p.u.opt, &s, x.o.v, N, x.groups, x.n_groups, err, sizeof err);
    CU_ASSERT_FATAL(self != NULL);
    CU_ASSERT(x.so.learned.n_meta(self) == 2); /* two φ of 1 */
    CU_ASSERT(l2l_sets_size(self, 0) == 4 && l2l_sets_size(self, 1) == 4);
    float *phi = x.so.learned.meta(self);
    phi[0] = logf(0.5f); /* set a */
    phi[1] = logf(0.25f); /* set rest */
    float theta[N];
    step_ones(&x, self, theta);
    /* a0 = θ[0..1], b1 = θ[2..3], a2 = θ[4..5], b3 = θ[6..7] */
    const float want[N] = {-0.5f, -0.5f, -0.25f, -0.25f, -0.5f, -0.5f, -0.25f, -0.25f};
    CU_ASSERT(l2l_maxdiff("update by set (a: 0.5, rest: 0.25)", theta, want, N, 1e-6) <= 1e-6);
    x.so.ops.destroy(self);
    l2l_sets_free(&s);
    fixture_close(&x);
}

static void test_default_passes_through(void)
{
    struct fixture x;
    fixture_open(&x);
    struct l2l_sets s = {0};
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(l2l_sets_resolve(&s) == 0);
    CU_ASSERT(s.n == 1 && l2l_sets_default(&s));
    void *self = l2l_sets_create(x.o.p.u.opt, &s, x.o.v, N, x.groups, x.n_groups, err, sizeof err);
    CU_ASSERT_FATAL(self != NULL);
    /* φ is the plugin object's own buffer: nothing copied, the same bits */
    CU_ASSERT(x.so.learned.meta(self) == x.o.p.u.opt->learned->meta(l2l_sets_member(self, 0)));
    CU_ASSERT(x.so.learned.n_meta(self) == 1);
    x.so.ops.destroy(self);
    l2l_sets_free(&s);
    fixture_close(&x);
}

static void test_idle_set(void)
{
    struct fixture x;
    fixture_open(&x);
    struct l2l_sets s = {0};
    char err[L2L_ERRLEN];
    CU_ASSERT_FATAL(l2l_sets_add(&s, "conv", "conv*.w", err, sizeof err) == 0);
    CU_ASSERT_FATAL(l2l_sets_add(&s, "fc", "*", err, sizeof err) == 0);
    CU_ASSERT_FATAL(l2l_sets_resolve(&s) == 0 && s.n == 2); /* fc catches all: no rest */
    void *self = l2l_sets_create(x.o.p.u.opt, &s, x.o.v, N, x.groups, x.n_groups, err, sizeof err);
    CU_ASSERT_FATAL(self != NULL);
    CU_ASSERT(l2l_sets_size(self, 0) == 0 && l2l_sets_size(self, 1) == N);
    CU_ASSERT(x.so.learned.n_meta(self) == 2);
    float *phi = x.so.learned.meta(self);
    phi[0] = logf(0.5f); /* idle: its φ is kept, steps nothing */
    phi[1] = logf(0.125f);
    float theta[N];
    step_ones(&x, self, theta);
    for (int k = 0; k < N; k++)
        CU_ASSERT(fabsf(theta[k] + 0.125f) < 1e-6f);
    CU_ASSERT(phi[0] == logf(0.5f));
    x.so.ops.destroy(self);
    /* a set after a catch-all, a name twice, no pattern: refused */
    CU_ASSERT(l2l_sets_add(&s, "late", "x", err, sizeof err) == L2L_EINPUT);
    printf("\n  %s\n", err);
    l2l_sets_free(&s);
    CU_ASSERT(l2l_sets_add(&s, "w", " , ", err, sizeof err) == L2L_EINPUT);
    printf("  %s\n", err);
    CU_ASSERT(l2l_sets_add(&s, "w", "w*", err, sizeof err) == 0);
    CU_ASSERT(l2l_sets_add(&s, "w", "b*", err, sizeof err) == L2L_EINPUT);
    printf("  %s\n", err);
    l2l_sets_free(&s);
    fixture_close(&x);
}

/* φ of two sets written (as the meta-trainer does) and loaded by set. */
static void test_checkpoint_round_trip(void)
{
    struct fixture x;
    fixture_open(&x);
    struct l2l_sets s = {0}, other = {0};
    char err[L2L_ERRLEN], buf[1024], *dir = fx_tmpdir(), path[256];
    CU_ASSERT_FATAL(dir != NULL);
    snprintf(path, sizeof path, "%s/two.l2l", dir);
    CU_ASSERT_FATAL(l2l_sets_add(&s, "a", "a*", err, sizeof err) == 0 && l2l_sets_resolve(&s) == 0);
    void *self = l2l_sets_create(x.o.p.u.opt, &s, x.o.v, N, x.groups, x.n_groups, err, sizeof err);
    CU_ASSERT_FATAL(self != NULL);
    float *phi = x.so.learned.meta(self);
    for (int k = 0; k < 2; k++)
        phi[k] = 0.125f * (float)(k + 1);
    struct l2l_checkpoint ck;
    memset(&ck, 0, sizeof ck);
    CU_ASSERT_FATAL(l2l_checkpoint_identify(&ck, x.o.p.u.opt, x.o.v, l2l_sets_member(self, 0), buf, sizeof buf,
                                            err, sizeof err) == 0);
    struct l2l_ckpt_set cs[2] = {{s.name[0], s.patterns[0], 1, phi}, {s.name[1], s.patterns[1], 1, phi + 1}};
    ck.n_sets = 2;
    ck.sets = cs;
    ck.status.finished = 1;
    ck.status.best_epoch = -1;
    ck.note = "test";
    CU_ASSERT_FATAL(l2l_checkpoint_write(path, &ck, err, sizeof err) == 0);
    float *got = NULL;
    size_t m = 0;
    CU_ASSERT(l2l_sets_load(path, x.o.p.u.opt, &s, x.o.v, &got, &m, err, sizeof err) == 0);
    CU_ASSERT_FATAL(got != NULL && m == 2);
    CU_ASSERT(l2l_maxdiff("φ of both sets read back", got, phi, 2, 0) == 0);
    free(got);
    got = NULL;
    /* the one set `all` against it: refused, nothing returned */
    CU_ASSERT_FATAL(l2l_sets_resolve(&other) == 0);
    CU_ASSERT(l2l_sets_load(path, x.o.p.u.opt, &other, x.o.v, &got, &m, err, sizeof err) == L2L_EINPUT);
    printf("\n  %s\n", err);
    CU_ASSERT(got == NULL);
    CU_ASSERT(strstr(err, "2 sets of φ in the file (a (a*), rest (*)), 1 in the suite (all (*))") != NULL);
    x.so.ops.destroy(self);
    l2l_sets_free(&s);
    l2l_sets_free(&other);
    fx_rmdir(dir);
    fixture_close(&x);
}

static const struct l2l_test tests[] = {
    {"two sets: each set's φ steps its groups' coordinates (not contiguous)", test_routing},
    {"the one set all goes straight to the plugin's object", test_default_passes_through},
    {"a set that takes no group is idle and keeps its φ; bad sets refused", test_idle_set},
    {"two sets written and loaded by set; one set against them refused", test_checkpoint_round_trip},
    {NULL, NULL},
};

int main(void)
{
    l2l_set_quiet(1);
    return l2l_test_main("meta_sets", tests);
}
