/* quadratic.h: private structs of the `quadratic` optimizee, shared by
 * its source files and by tests/test_quadratic.c (which reads W and y of a
 * problem to check their distribution). Not part of the plugin ABI: the
 * core sees only the l2l_optimizee vtable. */
#ifndef L2L_QUADRATIC_H
#define L2L_QUADRATIC_H
#include <stddef.h>
#include "l2l/plugin.h"

/* Rows of the option table, in order (values[k] is row k). */
enum { QUAD_DIM, QUAD_BATCH, QUAD_DIST, QUAD_INIT_STD, QUAD_FILE, QUAD_NOPTS };

enum quad_dist { QUAD_UNIFORM, QUAD_NORMAL };

/* Explicit problems read from a text file: B blocks of dim d. */
struct quad_file {
    int d, B;
    float *W;      /* (B, d, d): W_b row-major at W + b·d·d */
    float *y;      /* (B, d) */
    float *theta0; /* (B, d) */
};

/* The family: options, plus the file's problem when `file` is set.
 * Read-only after open, so problems may be drawn from several threads. */
struct quad_family {
    int d, B;
    enum quad_dist dist;
    double init_std;
    struct quad_file *file; /* NULL: draw problems from the rng */
    struct l2l_group group; /* "theta": all of θ */
};

/* One problem: B independent blocks f_b(θ_b) = ||W_b θ_b − y_b||². */
struct quad_problem {
    int d, B;
    float *W;   /* (B, d, d): W_b row-major at W + b·d·d */
    float *Wt;  /* (B, d, d): W_bᵀ row-major, so loss_grad reads rows only */
    float *y;   /* (B, d) */
    double *r;  /* (2d) scratch: residual and gradient sums, so loss_grad
                 * never allocates */
};

/* Reads the text format documented in quadratic_file.c. Returns NULL with
 * a one-line "quadratic: FILE:LINE: ..." message in err on failure. The
 * caller owns the result (quad_file_free). */
struct quad_file *quad_file_read(const char *path, char *err, size_t errlen);
void quad_file_free(struct quad_file *f);
#endif
