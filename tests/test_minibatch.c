/* test_minibatch.c: the minibatches of the image optimizees
 * (plugins/common/minibatch.c): a shuffled epoch draws every example once;
 * replay rebuilds the minibatch drawn `ago` draws back, bit for bit, and
 * refuses one it does not keep; the draws are those of the reference
 * sequence (the seeded stream, Fisher-Yates), which every result depends on. */
#include <string.h>

#include "test_main.h"
#include "minibatch.h"

#define N 12

static float images[2 * N];
static uint8_t labels[N];
static struct idx_set set;

/* N 1x2 images, pixel values k and 100 + k, label k mod 5; *rng seeded. */
static void make_set(struct l2l_rng *rng, uint64_t seed)
{
    for (int k = 0; k < N; k++) {
        images[2 * k] = (float)k;
        images[2 * k + 1] = 100.0f + (float)k;
        labels[k] = (uint8_t)(k % 5);
    }
    set = (struct idx_set){ .n = N, .rows = 1, .cols = 2, .dim = 2, .classes = 5,
                            .images = images, .labels = labels };
    l2l_rng_seed(rng, seed);
}

/* The example index of row i, read back from its pixels. */
static int row(const struct minibatch *m, int i)
{
    int k = (int)m->x[2 * i];
    CU_ASSERT(m->x[2 * i + 1] == 100.0f + (float)k && m->y[i] == k % 5);
    return k;
}

static void test_shuffle_epoch(void)
{
    struct l2l_rng rng;
    make_set(&rng, 7);
    struct minibatch m;
    CU_ASSERT_FATAL(minibatch_init(&m, &set, 4, 1, &rng) == 0);
    for (int epoch = 0; epoch < 2; epoch++) {
        int seen[N] = { 0 };
        for (int b = 0; b < N / 4; b++) {
            minibatch_draw(&m);
            for (int i = 0; i < 4; i++)
                seen[row(&m, i)]++;
        }
        for (int k = 0; k < N; k++)
            CU_ASSERT(seen[k] == 1);
    }
    minibatch_free(&m);
}

/* With replacement: the indices are l2l_rng_below(stream, N) in order,
 * the stream split off the caller's rng by one draw. */
static void test_replace_sequence(void)
{
    struct l2l_rng rng, ref_rng, ref;
    make_set(&rng, 11);
    ref_rng = rng;
    l2l_rng_split(&ref_rng, &ref);
    struct minibatch m;
    CU_ASSERT_FATAL(minibatch_init(&m, &set, 3, 0, &rng) == 0);
    CU_ASSERT(l2l_rng_u64(&rng) == l2l_rng_u64(&ref_rng)); /* one draw taken */
    for (int b = 0; b < 4; b++) {
        minibatch_draw(&m);
        for (int i = 0; i < 3; i++)
            CU_ASSERT(row(&m, i) == (int)l2l_rng_below(&ref, N));
    }
    minibatch_free(&m);
}

static void test_replay(void)
{
    struct l2l_rng rng;
    make_set(&rng, 3);
    struct minibatch m;
    CU_ASSERT_FATAL(minibatch_init(&m, &set, 5, 0, &rng) == 0);
    CU_ASSERT(minibatch_replay(&m, 0) == -1); /* nothing drawn yet */
    minibatch_draw(&m);
    CU_ASSERT(minibatch_replay(&m, 0) == 0);
    CU_ASSERT(minibatch_replay(&m, 1) == -1); /* depth 1 by default */
    CU_ASSERT_FATAL(minibatch_replay_depth(&m, 3) == 0);
    CU_ASSERT(minibatch_replay(&m, 0) == -1); /* forgotten */
    float x[5][10];
    uint8_t y[5][5];
    for (int c = 0; c < 5; c++) {
        minibatch_draw(&m);
        memcpy(x[c], m.x, sizeof x[c]);
        memcpy(y[c], m.y, sizeof y[c]);
    }
    for (int ago = 0; ago < 3; ago++) {
        CU_ASSERT_FATAL(minibatch_replay(&m, ago) == 0);
        CU_ASSERT(!memcmp(m.x, x[4 - ago], sizeof x[0]) && !memcmp(m.y, y[4 - ago], sizeof y[0]));
    }
    CU_ASSERT(minibatch_replay(&m, 3) == -1);
    CU_ASSERT(minibatch_replay(&m, -1) == -1);
    minibatch_free(&m);
}

static const struct l2l_test tests[] = {
    { "a shuffled epoch draws every example once", test_shuffle_epoch },
    { "with replacement: the reference sequence of draws", test_replace_sequence },
    { "replay rebuilds the minibatch of ago draws back", test_replay },
    { NULL, NULL }
};

int main(void)
{
    return l2l_test_main("minibatch", tests);
}
