/* bench_ref.c: the references of `l2l bench`, measured in the same run as
 * the plugins: cblas_sgemm (GFLOP/s; a large square product and the
 * layer shape the bench file gives) and memcpy (GB/s moved, read + written), with one thread and
 * with every OpenMP thread; and what the machine is doing (threads, load). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "config.h"
#include "bench.h"
#include "log.h"

int l2l_bench_machine(struct l2l_bench *b)
{
    int omp = 1, blas = -1;
#ifdef _OPENMP
    omp = omp_get_max_threads();
#endif
#ifdef HAVE_OPENBLAS_GET_NUM_THREADS
    blas = openblas_get_num_threads();
#endif
    double load = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = NAN;
        fclose(f);
    }
    /* how long idle OpenMP workers spin before they sleep (core/cli/main.c),
     * in libgomp's rounds: GOMP_SPINCOUNT, else 0 for OMP_WAIT_POLICY =
     * passive, 3e10 for active, libgomp's default 300,000 */
    const char *pol = getenv("OMP_WAIT_POLICY"), *spin = getenv("GOMP_SPINCOUNT");
    double spins = spin ? strtod(spin, NULL)
                   : pol && !strcasecmp(pol, "passive") ? 0
                   : pol && !strcasecmp(pol, "active") ? 3e10 : 300000;
    int rc = l2l_bench_add(b, "machine", 0, "threads_openmp", omp, "");
    rc |= l2l_bench_add(b, "machine", 0, "threads_blas", blas, "");
    rc |= l2l_bench_add(b, "machine", 0, "omp_spincount", spins, "");
    rc |= l2l_bench_add(b, "machine", 0, "load_1min", load, "");
    return rc ? L2L_ENOMEM : 0;
}

void l2l_bench_gemm_call(void *p)
{
    struct l2l_bench_gemm *g = p;
    if (g->transA) /* C (m, n) += Aᵀ B, A stored (k, m): the dW product */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g->m, g->n, g->k, 1.0f, g->A, g->m,
                    g->B, g->n, 1.0f, g->C, g->n);
    else /* C (m, n) = A (m, k) B (k, n): the gate pre-activations */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->m, g->n, g->k, 1.0f, g->A, g->k,
                    g->B, g->n, 0.0f, g->C, g->n);
}

int l2l_bench_gemm_open(struct l2l_bench_gemm *g, int m, int n, int k, int transA)
{
    *g = (struct l2l_bench_gemm){m, n, k, transA, NULL, NULL, NULL};
    g->A = malloc(sizeof(float) * (size_t)m * (size_t)k);
    g->B = malloc(sizeof(float) * (size_t)k * (size_t)n);
    g->C = calloc((size_t)m * (size_t)n, sizeof(float));
    if (!g->A || !g->B || !g->C) {
        l2l_bench_gemm_close(g);
        return L2L_ENOMEM;
    }
    for (size_t i = 0; i < (size_t)m * (size_t)k; i++)
        g->A[i] = 0.1f * (float)(i % 7) - 0.3f;
    for (size_t i = 0; i < (size_t)k * (size_t)n; i++)
        g->B[i] = 0.1f * (float)(i % 5) - 0.2f;
    return 0;
}

void l2l_bench_gemm_close(struct l2l_bench_gemm *g)
{
    free(g->A);
    free(g->B);
    free(g->C);
    g->A = g->B = g->C = NULL;
}

/* Adds a row `bench,label_n,gflops` for C (m, n) = op(A) B, 2 m n k FLOPs. */
static int bench_gemm(struct l2l_bench *b, const char *bench, long long label_n, int m, int n,
                      int k, int transA, char *err, size_t errlen)
{
    struct l2l_bench_gemm g;
    if (l2l_bench_gemm_open(&g, m, n, k, transA) < 0) {
        l2l_fmt(err, errlen, "l2l bench: out of memory for sgemm %d x %d x %d", m, n, k);
        return L2L_ENOMEM;
    }
    double s = l2l_bench_time(b, l2l_bench_gemm_call, &g);
    int rc = l2l_bench_add(b, bench, label_n, "gflops", 2.0 * m * n * (double)k / s * 1e-9,
                           "GFLOP/s");
    l2l_bench_progress(b, "%s %d x %d x %d: %.2f GFLOP/s", bench, m, n, k,
                       2.0 * m * n * (double)k / s * 1e-9);
    l2l_bench_gemm_close(&g);
    return rc;
}

struct copy_ctx {
    size_t n; /* floats */
    float *src, *dst;
    int threads;
};

static void copy_call(void *p)
{
    struct copy_ctx *c = p;
    if (c->threads == 1) {
        memcpy(c->dst, c->src, sizeof(float) * c->n);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel num_threads(c->threads)
    {
        /* each thread copies its contiguous share */
        size_t nt = (size_t)omp_get_num_threads(), id = (size_t)omp_get_thread_num();
        size_t lo = c->n * id / nt, hi = c->n * (id + 1) / nt;
        memcpy(c->dst + lo, c->src + lo, sizeof(float) * (hi - lo));
    }
#endif
}

/* Rows `copy,n,gbps` (every thread) and `copy-1t,n,gbps` for n floats;
 * bytes moved = 2·4n (read src, write dst). */
static int bench_copy(struct l2l_bench *b, size_t n, char *err, size_t errlen)
{
    struct copy_ctx c = {n, malloc(sizeof(float) * n), malloc(sizeof(float) * n), 1};
    int rc = 0;
    if (!c.src || !c.dst) {
        l2l_fmt(err, errlen, "l2l bench: out of memory for a copy of %zu floats", n);
        rc = L2L_ENOMEM;
    } else {
        for (size_t i = 0; i < n; i++)
            c.src[i] = (float)(i % 1000);
        memset(c.dst, 0, sizeof(float) * n);
        int all = 1;
#ifdef _OPENMP
        all = omp_get_max_threads();
#endif
        for (int pass = 0; pass < 2 && rc == 0; pass++) {
            c.threads = pass == 0 ? all : 1;
            if (pass == 1 && all == 1)
                break;
            double s = l2l_bench_time(b, copy_call, &c);
            double gbps = 8.0 * (double)n / s * 1e-9;
            rc = l2l_bench_add(b, pass == 0 ? "copy" : "copy-1t", (long long)n, "gbps", gbps, "GB/s");
            l2l_bench_progress(b, "memcpy %zu floats, %d thread(s): %.2f GB/s", n, c.threads, gbps);
        }
    }
    free(c.src);
    free(c.dst);
    return rc;
}

int l2l_bench_refs(struct l2l_bench *b, int gemm_k, int gemm_m, char *err, size_t errlen)
{
    int sq = b->sgemm_n;
    int rc = bench_gemm(b, "sgemm-square", sq, sq, sq, sq, 0, err, errlen);
    for (int i = 0; i < b->n_sizes && rc == 0 && gemm_k > 0; i++) {
        int n = (int)b->sizes[i];
        /* the bench file's layer shape (n, K) · (K, M) and its dW: for the
         * lstm's second layer K = 2H+1 = 41 rows [x, h, 1], M = 4H = 80 */
        rc = bench_gemm(b, "sgemm-layer-fwd", n, n, gemm_m, gemm_k, 0, err, errlen);
        if (rc == 0)
            rc = bench_gemm(b, "sgemm-layer-dw", n, gemm_k, gemm_m, n, 1, err, errlen);
    }
    if (rc == 0)
        rc = bench_copy(b, b->copy_large, err, errlen);
    for (int i = 0; i < b->n_sizes && rc == 0; i++)
        rc = bench_copy(b, b->sizes[i], err, errlen);
    return rc;
}
