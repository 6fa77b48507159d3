/* seeds.h: every random stream of a suite derives from the suite seed, a
 * purpose and indices, so streams are disjoint by construction and a run
 * repeats bit for bit whatever order (or thread) computes it. */
#ifndef L2L_SEEDS_H
#define L2L_SEEDS_H
#include <stdint.h>
#include "l2l/plugin.h"

/* Purposes: problems for evaluation, for tuning baselines, for meta-training,
 * for validating meta-training, the meta-parameters' initialisation, and
 * the bootstrap of the comparisons (stats_write.c), the traced coordinates
 * (runner_extra.c). */
enum l2l_purpose { L2L_SEED_EVAL = 1, L2L_SEED_TUNE = 2, L2L_SEED_TRAIN = 3,
                   L2L_SEED_VALID = 4, L2L_SEED_INIT = 5, L2L_SEED_STATS = 6,
                   L2L_SEED_TRACE = 7 };

static inline uint64_t l2l_seed_derive(uint64_t suite_seed, enum l2l_purpose purpose,
                                       uint64_t a, uint64_t b)
{
    uint64_t x = suite_seed;
    uint64_t h = l2l_splitmix64(&x);
    x = h ^ ((uint64_t)purpose * 0xd1b54a32d192ed03ULL);
    h = l2l_splitmix64(&x);
    x = h ^ (a * 0x8cb92ba72f3d8dd7ULL);
    h = l2l_splitmix64(&x);
    x = h ^ (b * 0xaef17502108ef2d9ULL);
    return l2l_splitmix64(&x);
}

static inline void l2l_rng_for(struct l2l_rng *r, uint64_t suite_seed,
                               enum l2l_purpose purpose, uint64_t a, uint64_t b)
{
    l2l_rng_seed(r, l2l_seed_derive(suite_seed, purpose, a, b));
}
#endif
