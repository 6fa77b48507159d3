/* meta_adam.h: Adam (Kingma & Ba 2015) on the meta-parameters φ, with
 * moments in double so long trainings do not lose small updates. */
#ifndef L2L_META_ADAM_H
#define L2L_META_ADAM_H
#include <stddef.h>

struct l2l_adam {
    size_t n;
    double *m, *v; /* (n) first and second moments, owned */
    long t;        /* steps taken (for the bias correction) */
};

int l2l_adam_init(struct l2l_adam *a, size_t n);
void l2l_adam_free(struct l2l_adam *a);
/* Forgets the moments (t = 0). */
void l2l_adam_reset(struct l2l_adam *a);
/* One bias-corrected step of φ (n) against gradient dphi (n). */
void l2l_adam_step(struct l2l_adam *a, float *phi, const float *dphi, double lr,
                   double beta1, double beta2, double eps);
#endif
