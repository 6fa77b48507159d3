/* test_lstm_threads.c: `lstm` and `lstm-gac` give the same bits whatever
 * the number of OpenMP threads: updates of plain and recorded steps and
 * dL/dφ of two unrolls (the second from the carried state, its backward
 * added onto the first's), on a number of coordinates spanning several
 * chunks of work and ending in a partial sub-block (lstm_net.h), with
 * parameter groups that do not start on a chunk. */
#include "test_lstm_common.h"
#include "test_main.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* Coordinates: several chunks of 480 and a partial sub-block of 60; with
 * L2L_TEST_SMALL=1 (valgrind) a whole chunk, then a whole and a partial
 * sub-block. */
static size_t N = 3 * 1024 + 2 * 64 + 37;
#define U 5

struct out {
    float *upd;  /* (2U + 1, N): a plain step, then two recorded unrolls */
    float *dphi; /* (n_meta) */
    size_t nm;
};

/* Everything from one object created and run with `threads` threads. */
static int run(const char *name, int threads, const float *grads, const float *dg,
               struct out *o)
{
    const size_t a = N > 2000 ? 1000 : 300; /* not on a chunk boundary */
    const struct l2l_group groups[] = {{"a", 0, a}, {"b", a, N - a}};
#ifdef _OPENMP
    omp_set_num_threads(threads); /* before create: it sizes its scratch by it */
    int got = 0;
#pragma omp parallel
#pragma omp single
    got = omp_get_num_threads();
    if (got != threads) { /* OMP_THREAD_LIMIT, OMP_DYNAMIC: nothing to compare */
        printf("  asked for %d OpenMP threads, a parallel region has %d\n", threads, got);
        return 1;
    }
#else
    (void)threads;
#endif
    struct lstm_t t;
    if (lstm_t_open(&t, name, NULL, N, groups, 2) < 0)
        return -1;
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 11);
    t.lo->meta_init(t.self, &rng);
    o->nm = t.lo->n_meta(t.self);
    o->upd = calloc((size_t)(2 * U + 1) * N, sizeof(float));
    o->dphi = calloc(o->nm, sizeof(float));
    int rc = o->upd && o->dphi ? 0 : -1;
    /* a plain step (θ ← θ + g), so the state carried in is not zero */
    if (rc == 0)
        rc = t.ops->step(t.self, o->upd, grads);
    for (int u = 0; u < 2 && rc == 0; u++) {
        rc = t.lo->tape_begin(t.self, U);
        for (int s = 0; s < U && rc == 0; s++)
            rc = t.lo->step_record(t.self, s, NULL, grads + (size_t)(u * U + s + 1) * N,
                                   o->upd + (size_t)(u * U + s + 1) * N);
        if (rc == 0)
            rc = t.lo->backward(t.self, dg, o->dphi);
    }
    lstm_t_close(&t);
    return rc;
}

/* Set when the OpenMP runtime gives a parallel region fewer threads than
 * asked: OMP_THREAD_LIMIT or OMP_DYNAMIC in the environment, or clang 14's
 * libomp under AddressSanitizer, which after a region of one thread and the
 * plugin's regions keeps giving one (seen in .ci/sanitize; gcc's libgomp,
 * used by the plain and valgrind builds, does not). Nothing can be compared
 * then: the program says so and exits 77, skipped, never passed. */
static int too_few_threads;

static void check(const char *name)
{
    float *grads = malloc(sizeof(float) * (2 * U + 1) * N), *dg = malloc(sizeof(float) * U * N);
    CU_ASSERT_FATAL(grads && dg);
    struct l2l_rng rng;
    l2l_rng_seed(&rng, 3);
    for (size_t k = 0; k < (size_t)(2 * U + 1) * N; k++) /* magnitudes e^−14..e^3, both signs */
        grads[k] = (float)((l2l_rng_uniform(&rng) < 0.5 ? -1 : 1) *
                           exp(-14.0 + 17.0 * l2l_rng_uniform(&rng)));
    for (size_t k = 0; k < (size_t)U * N; k++)
        dg[k] = (float)(l2l_rng_uniform(&rng) - 0.5);
    static const int threads[] = {1, 2, 3};
    struct out o[3];
    memset(o, 0, sizeof o);
    for (int r = 0; r < 3; r++) {
        int rc = run(name, threads[r], grads, dg, &o[r]);
        if (rc == 1) { /* the runtime would not give the threads: said above, the program exits 77 */
            too_few_threads = 1;
            for (int k = 0; k <= r; k++) {
                free(o[k].upd);
                free(o[k].dphi);
            }
            free(grads);
            free(dg);
            return;
        }
        CU_ASSERT_FATAL(rc == 0);
    }
    double mag = 0;
    for (size_t j = 0; j < o[0].nm; j++)
        mag = fmax(mag, fabs(o[0].dphi[j]));
    CU_ASSERT(mag > 1e-3); /* something was computed */
    for (int r = 1; r < 3; r++) {
        char what[96];
        snprintf(what, sizeof what, "%s: updates with %d threads vs 1", name, threads[r]);
        CU_ASSERT(l2l_maxdiff(what, o[0].upd, o[r].upd, (size_t)(2 * U + 1) * N, 0) == 0);
        CU_ASSERT(memcmp(o[0].upd, o[r].upd, sizeof(float) * (2 * U + 1) * N) == 0);
        snprintf(what, sizeof what, "%s: dphi with %d threads vs 1", name, threads[r]);
        CU_ASSERT(l2l_maxdiff(what, o[0].dphi, o[r].dphi, o[0].nm, 0) == 0);
        CU_ASSERT(memcmp(o[0].dphi, o[r].dphi, sizeof(float) * o[0].nm) == 0);
    }
    for (int r = 0; r < 3; r++) {
        free(o[r].upd);
        free(o[r].dphi);
    }
    free(grads);
    free(dg);
#ifdef _OPENMP
    omp_set_num_threads(omp_get_num_procs());
#endif
}

static void test_lstm(void) { check("lstm"); }
static void test_gac(void) { check("lstm-gac"); }

static const struct l2l_test tests[] = {
    {"lstm: same bits with 1, 2 and 3 threads", test_lstm},
    {"lstm-gac: same bits with 1, 2 and 3 threads", test_gac},
    {NULL, NULL}};

int main(void)
{
#ifndef _OPENMP
    /* Without OpenMP (configure found none, or --disable-openmp) every
     * "thread count" is one thread: the test would compare a run with
     * itself. Status 77: skipped, as automake reports it. */
    printf("test_lstm_threads: SKIP: built without OpenMP (configure reports no OpenMP flags)\n");
    return 77;
#endif
    const char *small = getenv("L2L_TEST_SMALL");
    if (small && strcmp(small, "1") == 0)
        N = 480 + 60 + 37;
    int rc = l2l_test_main("lstm_threads", tests);
    if (rc == 0 && too_few_threads) {
        printf("test_lstm_threads: SKIP: the OpenMP runtime did not give the threads asked for\n");
        return 77;
    }
    return rc;
}
