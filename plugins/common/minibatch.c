/* minibatch.c: drawing and replaying the training minibatches of the mlp
 * and conv optimizees (minibatch.h). The draws from the minibatch stream
 * are part of every result: their order must not change. */
#include "minibatch.h"

#include <stdlib.h>
#include <string.h>

static void reshuffle(struct l2l_rng *r, size_t *p, size_t n)
{
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)l2l_rng_below(r, i), t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
}

int minibatch_init(struct minibatch *m, const struct idx_set *set, int batch, int shuffle,
                   struct l2l_rng *rng)
{
    memset(m, 0, sizeof *m);
    m->set = set;
    m->batch = batch;
    m->shuffle = shuffle;
    l2l_rng_split(rng, &m->rng);
    m->x = malloc((size_t)batch * set->dim * sizeof *m->x);
    m->y = malloc((size_t)batch);
    m->hist = malloc((size_t)batch * sizeof *m->hist);
    m->depth = 1;
    if (!m->x || !m->y || !m->hist)
        return -1;
    if (shuffle) {
        if (!(m->perm = malloc(set->n * sizeof *m->perm)))
            return -1;
        for (size_t i = 0; i < set->n; i++)
            m->perm[i] = i;
        reshuffle(&m->rng, m->perm, set->n);
    }
    return 0;
}

void minibatch_free(struct minibatch *m)
{
    free(m->hist);
    free(m->perm);
    free(m->x);
    free(m->y);
    m->hist = m->perm = NULL;
    m->x = NULL;
    m->y = NULL;
}

/* Copies example k of the training set into row i of the minibatch. */
static void put_example(struct minibatch *m, int i, size_t k)
{
    const size_t dim = m->set->dim;
    memcpy(m->x + (size_t)i * dim, m->set->images + k * dim, dim * sizeof *m->x);
    m->y[i] = m->set->labels[k];
}

void minibatch_draw(struct minibatch *m)
{
    const size_t n = m->set->n;
    size_t *rec = m->hist + (size_t)(m->calls++ % m->depth) * (size_t)m->batch;
    for (int i = 0; i < m->batch; i++) {
        size_t k;
        if (m->shuffle) {
            if (m->pos == n) { /* a new epoch */
                reshuffle(&m->rng, m->perm, n);
                m->pos = 0;
            }
            k = m->perm[m->pos++];
        } else {
            k = (size_t)l2l_rng_below(&m->rng, n);
        }
        rec[i] = k;
        put_example(m, i, k);
    }
}

int minibatch_replay_depth(struct minibatch *m, int depth)
{
    if (depth < 1)
        depth = 1;
    size_t *h = realloc(m->hist, (size_t)depth * (size_t)m->batch * sizeof *h);
    if (!h)
        return -1;
    m->hist = h;
    m->depth = depth;
    m->calls = 0;
    return 0;
}

int minibatch_replay(struct minibatch *m, int ago)
{
    if (ago < 0 || ago >= m->depth || ago >= m->calls)
        return -1;
    const size_t *rec = m->hist + (size_t)((m->calls - 1 - ago) % m->depth) * (size_t)m->batch;
    for (int i = 0; i < m->batch; i++)
        put_example(m, i, rec[i]);
    return 0;
}
