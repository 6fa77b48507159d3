/* bench_traj.c: `l2l bench`'s meta-training trajectory, the unit that
 * bench/torch_reference.py times in PyTorch: the bench file's trajectory
 * optimizer ([bench] trajectory = NAME, the lstm with defaults in
 * bench/default.ini) on one instance of each optimizee whose section says
 * measure = trajectory, T = 100 steps cut into unrolls of U = 20, each
 * unroll followed by backward and one Adam step on φ (lr 0.001), ∇ a
 * constant input (no second derivatives), as the core's meta-trainer runs
 * an epoch (meta_unroll.h, meta_adam.h; without validation), with
 * OpenBLAS on one thread as l2l train runs every optimizee. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "blas_threads.h"
#include "bench.h"
#include "log.h"
#include "meta_adam.h"
#include "meta_unroll.h"

/* Times b->trajectories trajectories (after one warm-up) of the lstm on
 * the family of obj; adds rows median and best seconds per trajectory. */
static int time_trajectories(struct l2l_bench *b, const char *bench, struct l2l_bench_plugin *opt,
                             struct l2l_bench_plugin *obj, char *err, size_t errlen)
{
    const struct l2l_learned_ops *lo = NULL; /* the object's (meta_sets.h), after init */
    struct l2l_meta_inst in;
    struct l2l_adam adam = {0};
    char msg[L2L_ERRLEN] = "out of memory";
    int U = b->unroll, K = b->trajectories, T = b->traj_steps;
    double *secs = calloc((size_t)K + 1, sizeof(double)), loss = 0;
    float *dphi = NULL;
    int rc = l2l_meta_inst_init(&in, opt->p.u.opt, opt->v, obj->p.u.obj, obj->family, U, msg,
                                sizeof msg);
    if (rc == 0)
        lo = in.opt->learned;
    size_t nm = rc == 0 ? lo->n_meta(in.self) : 0;
    if (rc == 0 && (!secs || !(dphi = malloc(sizeof(float) * nm)) || l2l_adam_init(&adam, nm) < 0))
        rc = L2L_ENOMEM;
    if (rc == 0) {
        struct l2l_rng rng;
        l2l_rng_seed(&rng, 2016);
        lo->meta_init(in.self, &rng);
        for (int k = 0; k <= K && rc == 0; k++) { /* k = 0: warm-up */
            double t0 = l2l_bench_now();
            rc = l2l_meta_inst_start(&in, &rng, msg, sizeof msg);
            for (int t = 0; t < T && rc == 0; t += U) {
                int u = T - t < U ? T - t : U;
                memset(dphi, 0, sizeof(float) * nm);
                rc = l2l_meta_unroll(&in, u, 1.0, dphi, &loss, NULL, msg, sizeof msg);
                if (rc == 0) /* φ ← Adam(φ, dL/dφ), in the object's own φ */
                    l2l_adam_step(&adam, lo->meta(in.self), dphi, 0.001, 0.9, 0.999, 1e-8);
            }
            secs[k] = l2l_bench_now() - t0;
        }
    }
    if (rc < 0) {
        l2l_fmt(err, errlen, "l2l bench: %s trajectory: %s", bench, msg);
    } else if (!isfinite(loss)) {
        l2l_fmt(err, errlen, "l2l bench: %s trajectory: meta-loss %g, expected finite", bench, loss);
        rc = L2L_ENUM;
    } else {
        double med = l2l_bench_median(secs + 1, K); /* secs[1] is then the best */
        long long n = (long long)in.n;
        rc |= l2l_bench_add(b, bench, n, "seconds_median", med, "s");
        rc |= l2l_bench_add(b, bench, n, "seconds_best", secs[1], "s");
        rc |= l2l_bench_add(b, bench, n, "trajectories", K, "");
        rc |= l2l_bench_add(b, bench, n, "steps", T, "");
        rc |= l2l_bench_add(b, bench, n, "unroll", U, "steps");
        if (rc)
            rc = L2L_ENOMEM;
        l2l_bench_progress(b, "%s n=%lld: %.4f s per trajectory of %d steps (median of %d)", bench,
                           n, med, T, K);
    }
    l2l_adam_free(&adam);
    l2l_meta_inst_free(&in);
    free(dphi);
    free(secs);
    return rc;
}

int l2l_bench_trajectory(struct l2l_bench *b, const struct l2l_bench_entry *opt,
                         const struct l2l_bench_entry *obj, char *err, size_t errlen)
{
    if (b->trajectories <= 0)
        return 0;
    struct l2l_bench_plugin op, ob;
    int rc = l2l_bench_entry_open(&op, opt, NULL, err, errlen);
    if (rc < 0)
        return rc;
    char bench[80];
    l2l_fmt(bench, sizeof bench, "trajectory-%s", obj->name);
    int blas_threads = l2l_blas_one_thread();
    if ((rc = l2l_bench_entry_open(&ob, obj, NULL, err, errlen)) == 0) {
        rc = time_trajectories(b, bench, &op, &ob, err, errlen);
        l2l_bench_plugin_close(&ob);
    }
    l2l_blas_restore(blas_threads);
    l2l_bench_plugin_close(&op);
    return rc;
}
