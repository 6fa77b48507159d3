/* mlp_net.c: MLP forward and backward (see mlp_net.h). The matrix
 * products go to BLAS (cblas_sgemm); the rest are loops over the batch. */
#include "mlp_net.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void mlp_shape_init(struct mlp_shape *s, int inputs, const int *hidden, int n_hidden,
                    int classes, enum mlp_act act)
{
    memset(s, 0, sizeof *s);
    s->layers = n_hidden + 1;
    s->act = act;
    s->width[0] = inputs;
    for (int l = 1; l <= n_hidden; l++)
        s->width[l] = hidden[l - 1];
    s->width[s->layers] = classes;
    size_t off = 0;
    for (int l = 1; l <= s->layers; l++) {
        s->w_off[l] = off;
        off += (size_t)s->width[l - 1] * (size_t)s->width[l];
        s->b_off[l] = off;
        off += (size_t)s->width[l];
    }
    s->n_params = off;
}

int mlp_work_alloc(struct mlp_work *w, const struct mlp_shape *s, int rows)
{
    memset(w, 0, sizeof *w);
    w->rows = rows;
    int maxw = 1;
    for (int l = 1; l <= s->layers; l++) {
        if (s->width[l] > maxw)
            maxw = s->width[l];
        if (!(w->a[l] = malloc((size_t)rows * (size_t)s->width[l] * sizeof(float))))
            goto fail;
    }
    for (int k = 0; k < 2; k++)
        if (!(w->d[k] = malloc((size_t)rows * (size_t)maxw * sizeof(float))))
            goto fail;
    return 0;
fail:
    mlp_work_free(w);
    return -1;
}

void mlp_work_free(struct mlp_work *w)
{
    for (int l = 0; l <= MLP_MAX_LAYERS; l++)
        free(w->a[l]);
    free(w->d[0]);
    free(w->d[1]);
    memset(w, 0, sizeof *w);
}

static void activate(enum mlp_act act, float *z, size_t n)
{
    switch (act) {
    case MLP_SIGMOID: /* a = 1 / (1 + e^-z) */
        for (size_t k = 0; k < n; k++)
            z[k] = 1.0f / (1.0f + expf(-z[k]));
        break;
    case MLP_RELU: /* a = max(z, 0) */
        for (size_t k = 0; k < n; k++)
            z[k] = z[k] > 0.0f ? z[k] : 0.0f;
        break;
    case MLP_TANH: /* a = tanh z */
        for (size_t k = 0; k < n; k++)
            z[k] = tanhf(z[k]);
        break;
    }
}

/* dz = da * f'(z), with f' written in terms of a = f(z). */
static void activate_backward(enum mlp_act act, float *da, const float *a, size_t n)
{
    switch (act) {
    case MLP_SIGMOID: /* σ' = a (1 - a) */
        for (size_t k = 0; k < n; k++)
            da[k] *= a[k] * (1.0f - a[k]);
        break;
    case MLP_RELU: /* 1 where a > 0 (0 at the kink) */
        for (size_t k = 0; k < n; k++)
            da[k] = a[k] > 0.0f ? da[k] : 0.0f;
        break;
    case MLP_TANH: /* tanh' = 1 - a^2 */
        for (size_t k = 0; k < n; k++)
            da[k] *= 1.0f - a[k] * a[k];
        break;
    }
}

double mlp_forward(const struct mlp_shape *s, struct mlp_work *w, const float *theta,
                   const float *x, const uint8_t *y, int B, long *correct)
{
    const int L = s->layers;
    for (int l = 1; l <= L; l++) {
        const int nin = s->width[l - 1], nout = s->width[l];
        const float *in = l == 1 ? x : w->a[l - 1];    /* (B, nin) */
        const float *W = theta + s->w_off[l];          /* (nin, nout) */
        const float *b = theta + s->b_off[l];          /* (nout) */
        float *z = w->a[l];                            /* (B, nout) */
        for (int i = 0; i < B; i++)                    /* z = b ... */
            memcpy(z + (size_t)i * nout, b, (size_t)nout * sizeof *z);
        /* ... + in W */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nout, nin,
                    1.0f, in, nin, W, nout, 1.0f, z, nout);
        if (l < L)
            activate(s->act, z, (size_t)B * (size_t)nout);
    }
    /* Softmax cross-entropy per example, in double for the sum:
     * loss_i = log Σ_j e^{z_ij} - z_{i,y_i};  p_ij = e^{z_ij - m_i} / Σ_k e^{z_ik - m_i} */
    const int C = s->width[L];
    double total = 0;
    long right = 0;
    for (int i = 0; i < B; i++) {
        float *z = w->a[L] + (size_t)i * C;
        int arg = 0;
        for (int j = 1; j < C; j++)
            if (z[j] > z[arg])
                arg = j;
        const float m = z[arg];
        double sum = 0;
        const double zy = z[y[i]];
        for (int j = 0; j < C; j++) {
            z[j] = expf(z[j] - m);
            sum += z[j];
        }
        const float inv = (float)(1.0 / sum);
        for (int j = 0; j < C; j++)
            z[j] *= inv;
        total += log(sum) + m - zy;
        right += arg == y[i];
    }
    if (correct)
        *correct = right;
    return total / B;
}

void mlp_backward(const struct mlp_shape *s, struct mlp_work *w, const float *theta,
                  const float *x, const uint8_t *y, int B, float *grad)
{
    const int L = s->layers, C = s->width[L];
    float *dz = w->d[0], *dprev = w->d[1];
    /* dL/dz_L = (p - onehot(y)) / B   (B, C) */
    const float invB = 1.0f / (float)B;
    for (int i = 0; i < B; i++) {
        const float *p = w->a[L] + (size_t)i * C;
        float *g = dz + (size_t)i * C;
        for (int j = 0; j < C; j++)
            g[j] = p[j] * invB;
        g[y[i]] -= invB;
    }
    /* Layers in reverse order of the forward pass. */
    for (int l = L; l >= 1; l--) {
        const int nin = s->width[l - 1], nout = s->width[l];
        const float *in = l == 1 ? x : w->a[l - 1];  /* (B, nin) */
        /* dW_l = in^T dz   (nin, nout) */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nin, nout, B,
                    1.0f, in, nin, dz, nout, 0.0f, grad + s->w_off[l], nout);
        /* db_l = Σ_i dz_i   (nout) */
        float *db = grad + s->b_off[l];
        memset(db, 0, (size_t)nout * sizeof *db);
        for (int i = 0; i < B; i++) {
            const float *g = dz + (size_t)i * nout;
            for (int j = 0; j < nout; j++)
                db[j] += g[j];
        }
        if (l == 1)
            break; /* no gradient wrt the data */
        /* da_{l-1} = dz W_l^T   (B, nin);  dz_{l-1} = da_{l-1} ⊙ f'(a_{l-1}) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, nin, nout,
                    1.0f, dz, nout, theta + s->w_off[l], nout, 0.0f, dprev, nin);
        activate_backward(s->act, dprev, w->a[l - 1], (size_t)B * (size_t)nin);
        float *t = dz;
        dz = dprev;
        dprev = t;
    }
}
