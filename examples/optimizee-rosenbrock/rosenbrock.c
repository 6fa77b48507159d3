/* rosenbrock.c: a complete l2l-bench optimizee plugin, built outside the
 * l2l-bench tree against the installed header only. Copy this folder to
 * start your own (see README.md here and docs/writing-an-optimizee.md).
 *
 * The problem: the d-dimensional Rosenbrock function
 *
 *     f(x) = Σ_{i=0}^{d−2} [ 100 (x_{i+1} − x_i²)² + (1 − x_i)² ]
 *
 * with its minimum f = 0 at x = (1, …, 1) and a long curved valley that
 * punishes plain gradient descent. Each problem starts from a random
 * x0 ~ N(0, init_std²); the function itself has no random data.
 *
 * The rules a plugin lives by:
 *  - include <l2l/plugin.h> and nothing else from l2l-bench;
 *  - export exactly one symbol, `l2l_optimizee` (everything else static);
 *  - draw every random number from the struct l2l_rng the core passes in;
 *  - return 0 or a negative value, writing a one-line message into err. */
#include <l2l/plugin.h>
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ options */

/* The option table: the core parses, range-checks and fills the values
 * before open() is called, and `l2l describe rosenbrock` prints it. Row k
 * of the table is values[k] in open(), hence the enum. */
enum { OPT_DIM, OPT_INIT_STD };

static const struct l2l_option options[] = {
    [OPT_DIM] = {"dim", L2L_OPT_INT, "2", 2, 100000, NULL,
                 "number of coordinates d of x (at least 2)"},
    [OPT_INIT_STD] = {"init_std", L2L_OPT_REAL, "1", 0, 100, NULL,
                      "x0 ~ N(0, init_std²) per coordinate"},
    {NULL, 0, NULL, 0, 0, NULL, NULL}, /* end of the table */
};

/* ------------------------------------------------------------- family */

/* The family: what every problem shares, made once from the options. The
 * core only reads it after open(), possibly from several threads. */
struct family {
    size_t d;
    double init_std;
    struct l2l_group group; /* one group "x" covering all of θ */
};

static void *fam_open(const struct l2l_value *opts, char *err, size_t errlen)
{
    struct family *f = malloc(sizeof *f);
    if (!f) {
        snprintf(err, errlen, "rosenbrock: out of memory");
        return NULL;
    }
    f->d = (size_t)opts[OPT_DIM].i;     /* INT values are in .i */
    f->init_std = opts[OPT_INIT_STD].r; /* REAL values are in .r */
    f->group.name = "x";
    f->group.offset = 0;
    f->group.count = f->d;
    return f;
}

static void fam_close(void *family)
{
    free(family);
}

static size_t fam_n_params(const void *family)
{
    return ((const struct family *)family)->d;
}

/* Groups let an optimizer treat slices of θ differently (e.g. one LSTM
 * per layer). *groups points into the family: the core does not free it. */
static int fam_groups(const void *family, const struct l2l_group **groups)
{
    *groups = &((const struct family *)family)->group;
    return 1;
}

/* ------------------------------------------------------------ problem */

/* One problem instance. Rosenbrock needs no data, but the core still
 * wants a non-NULL handle, and the size is handy in loss_grad. */
struct problem {
    size_t d;
};

static void *prob_new(const void *family, struct l2l_rng *rng, float *theta0,
                      char *err, size_t errlen)
{
    const struct family *f = family;
    struct problem *p = malloc(sizeof *p);
    if (!p) {
        snprintf(err, errlen, "rosenbrock: out of memory");
        return NULL;
    }
    p->d = f->d;
    /* θ0 (d): the core owns the array, we fill it. */
    for (size_t i = 0; i < f->d; i++)
        theta0[i] = (float)(f->init_std * l2l_rng_normal(rng));
    return p;
}

static void prob_free(void *problem)
{
    free(problem);
}

/* f and ∇f at θ (d). grad may be NULL: loss only.
 *   a_i = x_{i+1} − x_i²,  b_i = 1 − x_i           (i = 0 … d−2)
 *   f   = Σ 100 a_i² + b_i²
 *   ∂f/∂x_i     += −400 x_i a_i − 2 b_i           (from term i)
 *   ∂f/∂x_{i+1} += 200 a_i                        (from term i)
 * Sums in double, stored as float32 as the ABI wants. Called hundreds of
 * thousands of times in meta-training: no allocation here. */
static int prob_loss_grad(void *problem, const float *theta, double *loss, float *grad)
{
    const struct problem *p = problem;
    double f = 0, carry = 0; /* carry: 200 a_{i−1}, the part of ∂f/∂x_i from term i−1 */
    for (size_t i = 0; i + 1 < p->d; i++) {
        double x = theta[i], a = (double)theta[i + 1] - x * x, b = 1 - x;
        f += 100 * a * a + b * b;
        if (grad)
            grad[i] = (float)(carry - 400 * x * a - 2 * b);
        carry = 200 * a;
    }
    if (grad)
        grad[p->d - 1] = (float)carry;
    *loss = f;
    return 0;
}

/* ------------------------------------------------------------- vtable */

/* The one exported symbol. The core checks abi_version and that every
 * "Required." hook is set before calling anything. */
const struct l2l_optimizee_ops l2l_optimizee = {
    .abi_version = L2L_ABI_VERSION,
    .name = "rosenbrock", /* must match the file name rosenbrock.so */
    .version = "1.0",
    .description = "d-dimensional Rosenbrock function (worked example of an external plugin)",
    .options = options,
    .open = fam_open,
    .close = fam_close,
    .n_params = fam_n_params,
    .groups = fam_groups,
    .problem_new = prob_new,
    .problem_free = prob_free,
    .loss_grad = prob_loss_grad,
    /* Not required: without evaluate the core reports the training loss,
     * which is exact here (no minibatches, no test set). */
    .evaluate = NULL,
};
