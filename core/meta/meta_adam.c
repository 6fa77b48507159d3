/* meta_adam.c: Adam on φ (see meta_adam.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "meta_adam.h"

int l2l_adam_init(struct l2l_adam *a, size_t n)
{
    a->n = n;
    a->t = 0;
    a->m = calloc(n ? n : 1, sizeof(double));
    a->v = calloc(n ? n : 1, sizeof(double));
    if (!a->m || !a->v) {
        l2l_adam_free(a);
        return -1;
    }
    return 0;
}

void l2l_adam_free(struct l2l_adam *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}

void l2l_adam_reset(struct l2l_adam *a)
{
    memset(a->m, 0, sizeof(double) * a->n);
    memset(a->v, 0, sizeof(double) * a->n);
    a->t = 0;
}

void l2l_adam_step(struct l2l_adam *a, float *phi, const float *dphi, double lr,
                   double beta1, double beta2, double eps)
{
    a->t++;
    double c1 = 1.0 - pow(beta1, (double)a->t), c2 = 1.0 - pow(beta2, (double)a->t);
    for (size_t k = 0; k < a->n; k++) {
        double g = dphi[k];
        a->m[k] = beta1 * a->m[k] + (1.0 - beta1) * g;     /* m = β1 m + (1−β1) g */
        a->v[k] = beta2 * a->v[k] + (1.0 - beta2) * g * g; /* v = β2 v + (1−β2) g² */
        double mh = a->m[k] / c1, vh = a->v[k] / c2;        /* bias correction */
        phi[k] = (float)(phi[k] - lr * mh / (sqrt(vh) + eps)); /* φ −= lr m̂/(√v̂ + ε) */
    }
}
