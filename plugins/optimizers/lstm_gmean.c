/* lstm_gmean.c: fixed-order group means fused into the passes (see
 * lstm_gmean.h). */
#include <stdlib.h>
#include <string.h>
#include "lstm_gmean.h"

static size_t group_end(const struct l2l_group *g) { return g->offset + g->count; }

/* The group of row k, searching on from group g. */
static int group_of(const struct lstm_gmean *gm, size_t k, int g)
{
    while (g + 1 < gm->n_groups && k >= group_end(&gm->groups[g]))
        g++;
    return g;
}

int lstm_gmean_init(struct lstm_gmean *gm, const struct l2l_group *groups, int n_groups,
                    size_t n, size_t chunk, int m)
{
    memset(gm, 0, sizeof *gm);
    gm->groups = groups;
    gm->n_groups = n_groups;
    gm->m = m;
    gm->chunk = chunk;
    gm->nchunk = (n + chunk - 1) / chunk;
    gm->seg0 = malloc(sizeof(size_t) * (gm->nchunk + 1));
    gm->g0 = malloc(sizeof(int) * (gm->nchunk ? gm->nchunk : 1));
    gm->mean = calloc((size_t)n_groups * (size_t)m, sizeof(float));
    if (!gm->seg0 || !gm->g0 || !gm->mean)
        goto oom;
    size_t nseg = 0;
    int g = 0;
    for (size_t c = 0; c < gm->nchunk; c++) {
        size_t last = (c + 1) * chunk < n ? (c + 1) * chunk - 1 : n - 1;
        gm->g0[c] = g = group_of(gm, c * chunk, g);
        gm->seg0[c] = nseg;
        nseg += (size_t)(group_of(gm, last, g) - g + 1);
    }
    gm->seg0[gm->nchunk] = nseg;
    if (!(gm->part = calloc((nseg ? nseg : 1) * (size_t)m, sizeof(double))))
        goto oom;
    return 0;
oom:
    lstm_gmean_free(gm);
    return -1;
}

void lstm_gmean_free(struct lstm_gmean *gm)
{
    free(gm->seg0);
    free(gm->g0);
    free(gm->part);
    free(gm->mean);
    memset(gm, 0, sizeof *gm);
}

void lstm_gmean_add(struct lstm_gmean *gm, const float *X, size_t ld, size_t k0, size_t rows)
{
    size_t c = k0 / gm->chunk, m = (size_t)gm->m;
    double *part = gm->part + gm->seg0[c] * m;
    if (k0 % gm->chunk == 0)
        memset(part, 0, sizeof(double) * (gm->seg0[c + 1] - gm->seg0[c]) * m);
    int g = group_of(gm, k0, gm->g0[c]);
    for (size_t i = 0; i < rows; i++) {
        g = group_of(gm, k0 + i, g);
        double *p = part + (size_t)(g - gm->g0[c]) * m;
        const float *x = X + i * ld;
        for (size_t u = 0; u < m; u++)
            p[u] += (double)x[u];
    }
}

void lstm_gmean_finish(struct lstm_gmean *gm)
{
    size_t m = (size_t)gm->m;
    for (int g = 0; g < gm->n_groups; g++) {
        const struct l2l_group *gr = &gm->groups[g];
        if (!gr->count)
            continue;
        size_t c0 = gr->offset / gm->chunk, c1 = (group_end(gr) - 1) / gm->chunk;
        for (size_t u = 0; u < m; u++) {
            double s = 0;
            for (size_t c = c0; c <= c1; c++)
                s += gm->part[(gm->seg0[c] + (size_t)(g - gm->g0[c])) * m + u];
            gm->mean[(size_t)g * m + u] = (float)(s / (double)gr->count);
        }
    }
}

void lstm_gmean_apply(const struct lstm_gmean *gm, float *X, size_t ld, size_t k0, size_t rows)
{
    size_t m = (size_t)gm->m;
    int g = group_of(gm, k0, gm->g0[k0 / gm->chunk]);
    for (size_t i = 0; i < rows; i++) {
        g = group_of(gm, k0 + i, g);
        memcpy(X + i * ld, gm->mean + (size_t)g * m, sizeof(float) * m);
    }
}
