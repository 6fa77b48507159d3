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
                    size_t n, size_t block, int m)
{
    memset(gm, 0, sizeof *gm);
    gm->groups = groups;
    gm->n_groups = n_groups;
    gm->m = m;
    gm->block = block;
    gm->nblock = (n + block - 1) / block;
    gm->seg0 = malloc(sizeof(size_t) * (gm->nblock + 1));
    gm->g0 = malloc(sizeof(int) * (gm->nblock ? gm->nblock : 1));
    gm->mean = calloc((size_t)n_groups * (size_t)m, sizeof(float));
    if (!gm->seg0 || !gm->g0 || !gm->mean)
        goto oom;
    size_t nseg = 0;
    int g = 0;
    for (size_t c = 0; c < gm->nblock; c++) {
        size_t last = (c + 1) * block < n ? (c + 1) * block - 1 : n - 1;
        gm->g0[c] = g = group_of(gm, c * block, g);
        gm->seg0[c] = nseg;
        nseg += (size_t)(group_of(gm, last, g) - g + 1);
    }
    gm->seg0[gm->nblock] = nseg;
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

/* The run of rows [r, e) in the group of row r: its length, the group in *g. */
static size_t run_of(const struct lstm_gmean *gm, size_t r, size_t e, int *g)
{
    *g = group_of(gm, r, gm->g0[r / gm->block]);
    size_t end = group_end(&gm->groups[*g]);
    return (end < e ? end : e) - r;
}

void lstm_gmean_add(struct lstm_gmean *gm, const float *X, size_t ld, size_t k0, size_t rows)
{
    size_t c = k0 / gm->block, m = (size_t)gm->m;
    double *part = gm->part + gm->seg0[c] * m;
    if (k0 % gm->block == 0)
        memset(part, 0, sizeof(double) * (gm->seg0[c + 1] - gm->seg0[c]) * m);
    for (size_t r = k0, e = k0 + rows, cnt; r < e; r += cnt) {
        int g;
        cnt = run_of(gm, r, e, &g);
        double *p = part + (size_t)(g - gm->g0[c]) * m;
        const float *x = X + (r - k0) * ld;
        size_t u = 0;
        /* four columns at a time in registers (row order kept per column):
         * the sums through memory would wait on each other's stores */
        for (; u + 4 <= m; u += 4) {
            double s0 = p[u], s1 = p[u + 1], s2 = p[u + 2], s3 = p[u + 3];
            for (size_t i = 0; i < cnt; i++) {
                const float *xi = x + i * ld + u;
                s0 += (double)xi[0];
                s1 += (double)xi[1];
                s2 += (double)xi[2];
                s3 += (double)xi[3];
            }
            p[u] = s0, p[u + 1] = s1, p[u + 2] = s2, p[u + 3] = s3;
        }
        for (; u < m; u++) {
            double s0 = p[u];
            for (size_t i = 0; i < cnt; i++)
                s0 += (double)x[i * ld + u];
            p[u] = s0;
        }
    }
}

void lstm_gmean_finish(struct lstm_gmean *gm)
{
    size_t m = (size_t)gm->m;
    for (int g = 0; g < gm->n_groups; g++) {
        const struct l2l_group *gr = &gm->groups[g];
        if (!gr->count)
            continue;
        size_t c0 = gr->offset / gm->block, c1 = (group_end(gr) - 1) / gm->block;
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
    for (size_t r = k0, e = k0 + rows, cnt; r < e; r += cnt) {
        int g;
        cnt = run_of(gm, r, e, &g);
        const float *restrict mean = gm->mean + (size_t)g * m;
        float *restrict x = X + (r - k0) * ld;
        for (size_t i = 0; i < cnt; i++, x += ld)
            for (size_t u = 0; u < m; u++)
                x[u] = mean[u];
    }
}
