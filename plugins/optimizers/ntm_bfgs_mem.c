/* ntm_bfgs_mem.c: the external memory of NTM-BFGS (ntm_bfgs.h): reads
 * M r = s·r + D r + Σ_p a_p (b_pᵀ r)/N, their backward, and the writes
 * (a sliding window of write pairs, or a dense N×N part per scope). Inner
 * products over a scope are summed in double, in coordinate order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ntm_bfgs.h"

int ntm_mem_init(struct ntm_mem *m, size_t n, int W, int window, float s,
                 const struct l2l_group *groups, int n_groups, int per_group,
                 char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->W = W;
    m->window = window;
    m->s = s;
    m->nsc = per_group && n_groups > 0 ? n_groups : 1;
    if (!(m->sc = calloc((size_t)m->nsc, sizeof *m->sc)))
        goto oom;
    size_t dense = 0;
    for (int g = 0; g < m->nsc; g++) {
        struct ntm_scope *c = &m->sc[g];
        c->off = m->nsc > 1 ? groups[g].offset : 0;
        c->cnt = m->nsc > 1 ? groups[g].count : n;
        c->dense_off = dense;
        if (window == 0) {
            if (c->cnt > NTM_DENSE_MAX) {
                snprintf(err, errlen,
                         "ntm-bfgs: window = 0 (a dense memory) over %zu coordinates, expected at "
                         "most %d per memory scope; set window = 1..1000 (a sliding window of writes)",
                         c->cnt, NTM_DENSE_MAX);
                ntm_mem_free(m);
                return -1;
            }
            dense += c->cnt * c->cnt;
        }
    }
    if (window > 0 && W > 0 &&
        !(m->ring = malloc(sizeof(float) * (size_t)window * (size_t)W * 2 * (n ? n : 1))))
        goto oom;
    if (window == 0 && !(m->dense = calloc(dense ? dense : 1, sizeof(float))))
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "ntm-bfgs: out of memory for the memory of %zu coordinates", n);
    ntm_mem_free(m);
    return -1;
}

void ntm_mem_free(struct ntm_mem *m)
{
    free(m->sc);
    free(m->ring);
    free(m->dense);
    memset(m, 0, sizeof *m);
}

void ntm_mem_reset(struct ntm_mem *m)
{
    m->ring_len = m->ring_head = 0;
    if (m->dense) {
        size_t len = 0;
        for (int g = 0; g < m->nsc; g++)
            len += m->sc[g].cnt * m->sc[g].cnt;
        memset(m->dense, 0, sizeof(float) * len);
    }
}

static size_t slot_len(const struct ntm_mem *m) { return (size_t)m->W * 2 * m->n; }

int ntm_mem_ring_slots(const struct ntm_mem *m, const float **slots)
{
    for (int j = 0; j < m->ring_len; j++) {
        int pos = (m->ring_head - m->ring_len + j + m->window) % m->window;
        slots[j] = m->ring + (size_t)pos * slot_len(m);
    }
    return m->ring_len;
}

/* D_S += a bᵀ / N over scope S. */
static void fold(struct ntm_mem *m, const float *slot)
{
    for (int g = 0; g < m->nsc; g++) {
        const struct ntm_scope *c = &m->sc[g];
        float inv = 1.0f / (float)c->cnt, *D = m->dense + c->dense_off;
        for (int w = 0; w < m->W; w++) {
            const float *a = slot + (size_t)(2 * w) * m->n + c->off;
            const float *b = a + m->n;
            for (size_t i = 0; i < c->cnt; i++) {
                float ai = a[i] * inv, *Di = D + i * c->cnt;
                for (size_t j = 0; j < c->cnt; j++)
                    Di[j] += ai * b[j];
            }
        }
    }
}

void ntm_mem_push(struct ntm_mem *m, const float *slot)
{
    if (m->W == 0)
        return;
    if (m->window == 0) {
        fold(m, slot);
        return;
    }
    memcpy(m->ring + (size_t)m->ring_head * slot_len(m), slot, sizeof(float) * slot_len(m));
    m->ring_head = (m->ring_head + 1) % m->window;
    if (m->ring_len < m->window)
        m->ring_len++;
}

static double dot(const float *x, const float *y, size_t cnt)
{
    double s = 0;
    for (size_t k = 0; k < cnt; k++)
        s += (double)x[k] * y[k];
    return s;
}

void ntm_mem_read(const struct ntm_mem *m, const float *const *slots, int nslots,
                  const float *r, float *i)
{
    for (int g = 0; g < m->nsc; g++) {
        const struct ntm_scope *c = &m->sc[g];
        const float *rs = r + c->off;
        float *is = i + c->off;
        for (size_t k = 0; k < c->cnt; k++)
            is[k] = m->s * rs[k];
        if (m->dense) { /* i += D r */
            const float *D = m->dense + c->dense_off;
            for (size_t k = 0; k < c->cnt; k++)
                is[k] += (float)dot(D + k * c->cnt, rs, c->cnt);
        }
        for (int j = 0; j < nslots; j++)
            for (int w = 0; w < m->W; w++) {
                const float *a = slots[j] + (size_t)(2 * w) * m->n + c->off, *b = a + m->n;
                float q = (float)(dot(b, rs, c->cnt) / (double)c->cnt); /* bᵀr / N */
                for (size_t k = 0; k < c->cnt; k++)
                    is[k] += a[k] * q;
            }
    }
}

void ntm_mem_read_backward(const struct ntm_mem *m, const float *const *slots,
                           float *const *dslots, int nslots, const float *r,
                           const float *di, float *dr)
{
    for (int g = 0; g < m->nsc; g++) {
        const struct ntm_scope *c = &m->sc[g];
        const float *rs = r + c->off, *ds = di + c->off;
        float *drs = dr + c->off;
        for (size_t k = 0; k < c->cnt; k++)
            drs[k] += m->s * ds[k];
        if (m->dense) { /* dr += Dᵀ di */
            const float *D = m->dense + c->dense_off;
            for (size_t k = 0; k < c->cnt; k++) {
                float dk = ds[k];
                const float *Dk = D + k * c->cnt;
                for (size_t j = 0; j < c->cnt; j++)
                    drs[j] += Dk[j] * dk;
            }
        }
        for (int j = 0; j < nslots; j++)
            for (int w = 0; w < m->W; w++) {
                const float *a = slots[j] + (size_t)(2 * w) * m->n + c->off, *b = a + m->n;
                float q = (float)(dot(b, rs, c->cnt) / (double)c->cnt);  /* bᵀr / N */
                float e = (float)(dot(a, ds, c->cnt) / (double)c->cnt);  /* aᵀdi / N */
                for (size_t k = 0; k < c->cnt; k++)
                    drs[k] += b[k] * e;
                if (dslots && dslots[j]) {
                    float *da = dslots[j] + (size_t)(2 * w) * m->n + c->off, *db = da + m->n;
                    for (size_t k = 0; k < c->cnt; k++) {
                        da[k] += ds[k] * q;
                        db[k] += rs[k] * e;
                    }
                }
            }
    }
}
