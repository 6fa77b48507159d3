/* mlp.c: the `mlp` optimizee, a fully connected classifier on an IDX image
 * data set (MNIST by default), as in the paper's MNIST experiments: 784
 * inputs, hidden layers (default one of 20 sigmoid units), 10 classes,
 * softmax cross-entropy on a fresh random minibatch at every loss_grad.
 *
 * Family = the data, loaded once at open() and read-only afterwards.
 * Problem = one network: θ0 drawn at problem_new, plus its own random
 * stream for the minibatches and a workspace (nothing allocated per call).
 *
 * Matching the reference code (deepmind/learning-to-learn, problems.py):
 * weights and biases start IID N(0, 0.01^2) (init=normal, init_std=0.01),
 * minibatches of 128 drawn uniformly with replacement (sampling=replace). */
#define _GNU_SOURCE /* dladdr: where this plugin was loaded from */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "l2l/plugin.h"
#include "idx.h"
#include "minibatch.h"
#include "mlp_net.h"

#ifndef L2L_SRCDIR
#define L2L_SRCDIR "."
#endif
#ifndef L2L_PKGLIBDIR
#define L2L_PKGLIBDIR "/nonexistent"
#endif
#ifndef L2L_PKGDATADIR
#define L2L_PKGDATADIR "/nonexistent"
#endif

#define EVAL_CHUNK 256 /* test examples per forward pass in evaluate() */

enum { O_HIDDEN, O_ACT, O_TRI, O_TRL, O_TEI, O_TEL, O_CLASSES, O_BATCH, O_SAMPLING,
       O_INIT, O_INIT_STD, O_EVAL, O_SYNTH };

static const struct l2l_option mlp_options[] = {
    [O_HIDDEN] = { "hidden", L2L_OPT_LIST, "20", 1, 4096, NULL,
                   "hidden layer sizes, input to output (e.g. 40 or 20,20; at most 8 layers)" },
    [O_ACT] = { "activation", L2L_OPT_STRING, "sigmoid", 0, 0, "sigmoid|relu|tanh",
                "activation of the hidden layers" },
    [O_TRI] = { "train_images", L2L_OPT_STRING, "data/mnist/train-images-idx3-ubyte", 0, 0, NULL,
                "IDX images for training (.gz also tried; data/... also under L2L_DATA_DIR, ~/.local/share/l2l-bench/data, the installed data/)" },
    [O_TRL] = { "train_labels", L2L_OPT_STRING, "data/mnist/train-labels-idx1-ubyte", 0, 0, NULL,
                "IDX labels for training" },
    [O_TEI] = { "test_images", L2L_OPT_STRING, "data/mnist/t10k-images-idx3-ubyte", 0, 0, NULL,
                "IDX images held out for evaluate()" },
    [O_TEL] = { "test_labels", L2L_OPT_STRING, "data/mnist/t10k-labels-idx1-ubyte", 0, 0, NULL,
                "IDX labels held out for evaluate()" },
    [O_CLASSES] = { "classes", L2L_OPT_INT, "10", 2, 256, NULL,
                    "number of classes (labels must be below it)" },
    [O_BATCH] = { "batch", L2L_OPT_INT, "128", 1, 65536, NULL,
                  "training examples per loss_grad call" },
    [O_SAMPLING] = MINIBATCH_SAMPLING_OPTION,
    [O_INIT] = { "init", L2L_OPT_STRING, "normal", 0, 0, "normal|xavier",
                 "θ0: all N(0, init_std^2) (paper, reference code); or weights N(0, 2/(in+out)), biases 0" },
    [O_INIT_STD] = { "init_std", L2L_OPT_REAL, "0.01", 0, 10, NULL,
                     "standard deviation of init=normal (0.01 in the reference code)" },
    [O_EVAL] = { "eval_samples", L2L_OPT_INT, "0", 0, 100000000, NULL,
                 "test examples used by evaluate() (the first ones); 0 = the whole test set" },
    [O_SYNTH] = { "synthetic", L2L_OPT_INT, "0", 0, 1000000, NULL,
                  "when > 0: this many 28x28 images of noise (and a quarter as many test images) instead of the data files, for timing (l2l bench)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

struct family {
    struct mlp_shape shape;
    struct idx_set train, test;
    int batch, shuffle, xavier;
    double init_std;
    long eval_n;
    int n_groups;
    struct l2l_group groups[2 * MLP_MAX_LAYERS];
    char names[2 * MLP_MAX_LAYERS][8];
};

struct problem {
    const struct family *fam;
    struct minibatch mb;
    struct mlp_work work;
    struct mlp_rwork rwork; /* allocated by the first hvp */
};

/* Whether this plugin is the installed one ($(pkglibdir)): then the
 * source tree, which may be gone, is not searched for data. */
static int installed(void)
{
    extern const struct l2l_optimizee_ops l2l_optimizee;
    Dl_info info;
    size_t n = strlen(L2L_PKGLIBDIR);
    return dladdr(&l2l_optimizee, &info) && info.dli_fname &&
           !strncmp(info.dli_fname, L2L_PKGLIBDIR "/", n + 1);
}

/* The folders holding the data sets (mnist/, fashion-mnist/), in the order
 * searched for a relative path "data/...": $L2L_DATA_DIR, the source
 * tree's data/ (not when installed), the user's
 * ${XDG_DATA_HOME:-~/.local/share}/l2l-bench/data (where the installed
 * l2l-get-data puts them), $(pkgdatadir)/data. The same as scripts/get-data. */
static int data_dirs(char dirs[4][2048])
{
    int n = 0;
    const char *env = getenv("L2L_DATA_DIR"), *xdg = getenv("XDG_DATA_HOME"),
               *home = getenv("HOME");
    if (env && env[0])
        snprintf(dirs[n++], 2048, "%s", env);
    if (!installed())
        snprintf(dirs[n++], 2048, "%s/data", L2L_SRCDIR);
    if (xdg && xdg[0] == '/')
        snprintf(dirs[n++], 2048, "%s/l2l-bench/data", xdg);
    else if (home && home[0])
        snprintf(dirs[n++], 2048, "%s/.local/share/l2l-bench/data", home);
    snprintf(dirs[n++], 2048, "%s/data", L2L_PKGDATADIR);
    return n;
}

/* PATH or PATH.gz; for a relative PATH, first as given (from the working
 * folder), then "data/REST" in each data folder (see data_dirs). */
static int resolve(const char *key, const char *path, char *out, size_t len,
                   char *err, size_t errlen)
{
    char dirs[4][2048], tried[1024] = "";
    int nd = path[0] != '/' && !strncmp(path, "data/", 5) ? data_dirs(dirs) : 0;
    for (int k = -1; k < nd; k++) {
        for (int gz = 0; gz < 2; gz++) {
            if (k < 0)
                snprintf(out, len, "%s%s", path, gz ? ".gz" : "");
            else
                snprintf(out, len, "%s/%s%s", dirs[k], path + 5, gz ? ".gz" : "");
            if (access(out, R_OK) == 0)
                return 0;
        }
        if (k >= 0) {
            size_t used = strlen(tried);
            snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : " and in ", dirs[k]);
        }
    }
    snprintf(err, errlen, "mlp: %s: %s not found (also tried %s.gz%s); run scripts/get-data "
             "(or make data; l2l-get-data when installed) to fetch MNIST, or set %s",
             key, path, path, tried, key);
    return -1;
}

static int load(const struct l2l_value *o, int io, int lo, struct idx_set *s, int classes,
                char *err, size_t errlen)
{
    char ipath[4096], lpath[4096];
    if (resolve(mlp_options[io].name, o[io].s, ipath, sizeof ipath, err, errlen) < 0 ||
        resolve(mlp_options[lo].name, o[lo].s, lpath, sizeof lpath, err, errlen) < 0)
        return -1;
    char msg[L2L_ERRLEN];
    if (idx_load_set(ipath, lpath, classes, s, msg, sizeof msg) < 0) {
        snprintf(err, errlen, "mlp: %s", msg);
        return -1;
    }
    return 0;
}

static void mlp_close(void *family);

static void *mlp_open(const struct l2l_value *o, char *err, size_t errlen)
{
    struct family *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "mlp: out of memory");
        return NULL;
    }
    int hidden[MLP_MAX_HIDDEN], nh = o[O_HIDDEN].n;
    if (nh > MLP_MAX_HIDDEN) {
        snprintf(err, errlen, "mlp: hidden '%s': %d layers, expected at most %d",
                 o[O_HIDDEN].s, nh, MLP_MAX_HIDDEN);
        goto fail;
    }
    for (int k = 0; k < nh; k++) {
        hidden[k] = (int)o[O_HIDDEN].list[k];
        if (hidden[k] != o[O_HIDDEN].list[k]) {
            snprintf(err, errlen, "mlp: hidden '%s': item %d is %g, expected a whole number of units",
                     o[O_HIDDEN].s, k + 1, o[O_HIDDEN].list[k]);
            goto fail;
        }
    }
    const char *act = o[O_ACT].s;
    enum mlp_act a = !strcmp(act, "relu") ? MLP_RELU : !strcmp(act, "tanh") ? MLP_TANH : MLP_SIGMOID;
    int classes = (int)o[O_CLASSES].i;
    f->batch = (int)o[O_BATCH].i;
    f->shuffle = !strcmp(o[O_SAMPLING].s, "shuffle");
    f->xavier = !strcmp(o[O_INIT].s, "xavier");
    f->init_std = o[O_INIT_STD].r;
    if (o[O_SYNTH].i > 0) {
        size_t n = (size_t)o[O_SYNTH].i;
        if (idx_synthetic_set(n, 28, 28, classes, 784, &f->train, err, errlen) < 0 ||
            idx_synthetic_set((n + 3) / 4, 28, 28, classes, 785, &f->test, err, errlen) < 0)
            goto fail;
    } else if (load(o, O_TRI, O_TRL, &f->train, classes, err, errlen) < 0 ||
               load(o, O_TEI, O_TEL, &f->test, classes, err, errlen) < 0)
        goto fail;
    if (f->test.dim != f->train.dim) {
        snprintf(err, errlen, "mlp: test_images %s: images of %zux%zu, expected %zux%zu as in train_images",
                 o[O_TEI].s, f->test.rows, f->test.cols, f->train.rows, f->train.cols);
        goto fail;
    }
    f->eval_n = o[O_EVAL].i ? o[O_EVAL].i : (long)f->test.n;
    if ((size_t)f->eval_n > f->test.n) {
        snprintf(err, errlen, "mlp: eval_samples %ld: expected at most the %zu images of test_images %s (or 0 = all)",
                 f->eval_n, f->test.n, o[O_TEI].s);
        goto fail;
    }
    mlp_shape_init(&f->shape, (int)f->train.dim, hidden, nh, classes, a);
    /* One group per layer's weights and per layer's biases: w1, b1, w2, ... */
    for (int l = 1; l <= f->shape.layers; l++) {
        struct l2l_group *gw = &f->groups[f->n_groups], *gb = gw + 1;
        snprintf(f->names[f->n_groups], sizeof f->names[0], "w%d", l);
        snprintf(f->names[f->n_groups + 1], sizeof f->names[0], "b%d", l);
        gw->name = f->names[f->n_groups];
        gw->offset = f->shape.w_off[l];
        gw->count = f->shape.b_off[l] - f->shape.w_off[l];
        gb->name = f->names[f->n_groups + 1];
        gb->offset = f->shape.b_off[l];
        gb->count = (size_t)f->shape.width[l];
        f->n_groups += 2;
    }
    return f;
fail:
    mlp_close(f);
    return NULL;
}

static void mlp_close(void *family)
{
    struct family *f = family;
    if (!f)
        return;
    idx_set_free(&f->train);
    idx_set_free(&f->test);
    free(f);
}

static size_t mlp_n_params(const void *family)
{
    return ((const struct family *)family)->shape.n_params;
}

/* FLOPs of one loss_grad, matrix products only: 2·B·in·out per layer
 * forward, as many for its dW, and again for the delta of its input above
 * the first layer (784-20-10, B = 128: 8,181,760). */
static double mlp_flops(const void *family)
{
    const struct family *f = family;
    double flop = 0;
    for (int l = 1; l <= f->shape.layers; l++)
        flop += 2.0 * f->batch * f->shape.width[l - 1] * f->shape.width[l] * (l > 1 ? 3 : 2);
    return flop;
}

static int mlp_groups(const void *family, const struct l2l_group **groups)
{
    const struct family *f = family;
    *groups = f->groups;
    return f->n_groups;
}

static void mlp_problem_free(void *problem);

static void *mlp_problem_new(const void *family, struct l2l_rng *rng, float *theta0,
                             char *err, size_t errlen)
{
    const struct family *f = family;
    const struct mlp_shape *s = &f->shape;
    struct problem *p = calloc(1, sizeof *p);
    if (!p)
        goto oom;
    p->fam = f;
    int rows = f->batch > EVAL_CHUNK ? f->batch : EVAL_CHUNK;
    /* first the minibatch stream, then θ0 */
    if (minibatch_init(&p->mb, &f->train, f->batch, f->shuffle, rng) < 0 ||
        mlp_work_alloc(&p->work, s, rows) < 0)
        goto oom;
    for (int l = 1; l <= s->layers; l++) {
        size_t nw = s->b_off[l] - s->w_off[l];
        /* xavier: Var W = 2 / (fan_in + fan_out), b = 0; normal: all N(0, init_std^2) */
        double wstd = f->xavier ? sqrt(2.0 / (s->width[l - 1] + s->width[l])) : f->init_std;
        double bstd = f->xavier ? 0.0 : f->init_std;
        for (size_t k = 0; k < nw; k++)
            theta0[s->w_off[l] + k] = (float)(wstd * l2l_rng_normal(rng));
        for (int k = 0; k < s->width[l]; k++)
            theta0[s->b_off[l] + k] = bstd > 0 ? (float)(bstd * l2l_rng_normal(rng)) : 0.0f;
    }
    return p;
oom:
    snprintf(err, errlen, "mlp: out of memory for a problem (batch %d, %zu inputs)",
             f->batch, f->train.dim);
    mlp_problem_free(p);
    return NULL;
}

static void mlp_problem_free(void *problem)
{
    struct problem *p = problem;
    if (!p)
        return;
    mlp_work_free(&p->work);
    mlp_rwork_free(&p->rwork);
    minibatch_free(&p->mb);
    free(p);
}

static int mlp_loss_grad(void *problem, const float *theta, double *loss, float *grad)
{
    struct problem *p = problem;
    const struct family *f = p->fam;
    minibatch_draw(&p->mb);
    *loss = mlp_forward(&f->shape, &p->work, theta, p->mb.x, p->mb.y, f->batch, NULL);
    if (grad)
        mlp_backward(&f->shape, &p->work, theta, p->mb.x, p->mb.y, f->batch, grad);
    return 0;
}

static int mlp_replay_depth(void *problem, int depth)
{
    return minibatch_replay_depth(&((struct problem *)problem)->mb, depth);
}

/* H·v on the minibatch of the call `ago` calls back, rebuilt in p->mb (the
 * latest minibatch is not needed after its loss_grad). */
static int mlp_hvp_hook(void *problem, int ago, const float *theta, const float *v, float *hv)
{
    struct problem *p = problem;
    const struct family *f = p->fam;
    if (minibatch_replay(&p->mb, ago) < 0 ||
        (!p->rwork.rows && mlp_rwork_alloc(&p->rwork, &f->shape, f->batch) < 0))
        return -1;
    mlp_hvp(&f->shape, &p->work, &p->rwork, theta, v, p->mb.x, p->mb.y, f->batch, hv);
    return 0;
}

static int mlp_evaluate(void *problem, const float *theta, struct l2l_eval *out)
{
    struct problem *p = problem;
    const struct family *f = p->fam;
    double total = 0;
    long right = 0;
    for (long i = 0; i < f->eval_n; i += EVAL_CHUNK) {
        int B = (int)(f->eval_n - i < EVAL_CHUNK ? f->eval_n - i : EVAL_CHUNK);
        long c = 0;
        total += B * mlp_forward(&f->shape, &p->work, theta, f->test.images + (size_t)i * f->test.dim,
                                 f->test.labels + i, B, &c);
        right += c;
    }
    out->loss = total / (double)f->eval_n;
    out->accuracy = (double)right / (double)f->eval_n;
    return 0;
}

const struct l2l_optimizee_ops l2l_optimizee = {
    .abi_version = L2L_ABI_VERSION,
    .name = "mlp",
    .version = "1.0",
    .description = "fully connected classifier (default 784-20-10 sigmoid) on MNIST-like IDX data, softmax cross-entropy",
    .options = mlp_options,
    .open = mlp_open,
    .close = mlp_close,
    .n_params = mlp_n_params,
    .groups = mlp_groups,
    .problem_new = mlp_problem_new,
    .problem_free = mlp_problem_free,
    .loss_grad = mlp_loss_grad,
    .evaluate = mlp_evaluate,
    .replay_depth = mlp_replay_depth,
    .hvp = mlp_hvp_hook,
    .flops = mlp_flops,
};
