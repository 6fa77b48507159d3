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

/* p[0..8) += the 8 columns of cnt rows of x (stride ld), in row order. */
static void add_rows8(double *p, const float *x, size_t ld, size_t cnt)
{
    double s0 = p[0], s1 = p[1], s2 = p[2], s3 = p[3], s4 = p[4], s5 = p[5], s6 = p[6],
           s7 = p[7];
    for (size_t i = 0; i < cnt; i++, x += ld) {
        s0 += (double)x[0], s1 += (double)x[1], s2 += (double)x[2], s3 += (double)x[3];
        s4 += (double)x[4], s5 += (double)x[5], s6 += (double)x[6], s7 += (double)x[7];
    }
    p[0] = s0, p[1] = s1, p[2] = s2, p[3] = s3, p[4] = s4, p[5] = s5, p[6] = s6, p[7] = s7;
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
        /* the sums in registers (through memory they would wait on each
         * other's stores), eight columns in one loop: each column is a
         * chain of dependent adds in row order, and eight chains side by
         * side go at the adders' rate instead of their latency */
        for (size_t u = 0; u < m; u += 8) {
            size_t w = m - u < 8 ? m - u : 8;
            if (w == 8) {
                add_rows8(p + u, x + u, ld, cnt);
            } else if (u + 8 <= ld) { /* 8 columns read, still inside the row; w kept */
                double s8[8] = {0};
                memcpy(s8, p + u, sizeof(double) * w);
                add_rows8(s8, x + u, ld, cnt);
                memcpy(p + u, s8, sizeof(double) * w);
            } else {
                for (size_t v = u; v < m; v++) {
                    double s0 = p[v];
                    for (size_t i = 0; i < cnt; i++)
                        s0 += (double)x[i * ld + v];
                    p[v] = s0;
                }
            }
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
