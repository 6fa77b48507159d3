/* conv.c: the `conv` optimizee, a small convolutional classifier on an IDX
 * image data set (Fashion-MNIST by default), standing in for the paper's
 * CIFAR-10 experiment (section 3.3) with the reference code's network:
 * three convolutions of 16 channels, 5x5, stride 1, SAME padding, each
 * followed by batch norm, ReLU and 2x2 max pooling of stride 2; a fully
 * connected layer of 32 units with batch norm and ReLU; a softmax output;
 * every weight and bias N(0, 0.01^2), batch-norm offsets 0 (scales 1);
 * minibatches of 128. See docs/conv.md.
 *
 * Family = the data (optionally a subset of its labels, relabelled), loaded
 * once. Problem = one network: θ0, its minibatch stream, a workspace.
 *
 * Batch norm normalizes with the statistics of the minibatch it is given,
 * in training and in evaluate() alike: evaluate() runs the test examples in
 * chunks of `batch`, each normalized by its own statistics (as the
 * reference code, which has no running averages in its problems). So the
 * held-out loss depends only on θ and the test set, never on the history
 * of a trajectory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2l/plugin.h"
#include "conv_net.h"
#include "data_path.h"
#include "idx.h"
#include "minibatch.h"

enum { O_CHANNELS, O_KERNEL, O_STRIDE, O_PADDING, O_POOL, O_POOL_STRIDE, O_HIDDEN, O_BN,
       O_BN_SCALE, O_BN_EPS, O_ACT, O_TRI, O_TRL, O_TEI, O_TEL, O_LABELS, O_BATCH,
       O_SAMPLING, O_INIT, O_INIT_STD, O_EVAL, O_SYNTH };

static const struct l2l_option conv_options[] = {
    [O_CHANNELS] = { "channels", L2L_OPT_LIST, "16,16,16", 1, 1024, NULL,
                     "output channels of each convolution, input to output (at most 8)" },
    [O_KERNEL] = { "kernel", L2L_OPT_INT, "5", 1, 15, NULL,
                   "side of every convolution's square kernel" },
    [O_STRIDE] = { "stride", L2L_OPT_INT, "1", 1, 8, NULL, "stride of every convolution" },
    [O_PADDING] = { "padding", L2L_OPT_STRING, "same", 0, 0, "same|valid",
                    "of convolutions and pooling: same (output ceil(in/stride)) or valid (no padding)" },
    [O_POOL] = { "pool", L2L_OPT_INT, "2", 1, 8, NULL,
                 "max-pooling window after each convolution's activation (1 = no pooling)" },
    [O_POOL_STRIDE] = { "pool_stride", L2L_OPT_INT, "2", 1, 8, NULL, "stride of max pooling" },
    [O_HIDDEN] = { "hidden", L2L_OPT_LIST, "32", 0, 4096, NULL,
                   "fully connected hidden layer sizes before the output (at most 8; 0 = none)" },
    [O_BN] = { "batch_norm", L2L_OPT_BOOL, "true", 0, 0, NULL,
               "batch norm after every convolution and hidden layer, with the minibatch's statistics" },
    [O_BN_SCALE] = { "bn_scale", L2L_OPT_BOOL, "false", 0, 0, NULL,
                     "batch norm learns a scale γ besides its offset β (the reference code: offset only)" },
    [O_BN_EPS] = { "bn_eps", L2L_OPT_REAL, "0.001", 1e-12, 1, NULL,
                   "ε of batch norm, (z − μ)/sqrt(σ² + ε) (Sonnet's default 0.001)" },
    [O_ACT] = { "activation", L2L_OPT_STRING, "relu", 0, 0, "relu|tanh|sigmoid",
                "activation of convolutions and hidden layers" },
    [O_TRI] = { "train_images", L2L_OPT_STRING, "data/fashion-mnist/train-images-idx3-ubyte", 0, 0, NULL,
                "IDX images for training (.gz also tried; relative paths also under the source tree)" },
    [O_TRL] = { "train_labels", L2L_OPT_STRING, "data/fashion-mnist/train-labels-idx1-ubyte", 0, 0, NULL,
                "IDX labels for training" },
    [O_TEI] = { "test_images", L2L_OPT_STRING, "data/fashion-mnist/t10k-images-idx3-ubyte", 0, 0, NULL,
                "IDX images held out for evaluate()" },
    [O_TEL] = { "test_labels", L2L_OPT_STRING, "data/fashion-mnist/t10k-labels-idx1-ubyte", 0, 0, NULL,
                "IDX labels held out for evaluate()" },
    [O_LABELS] = { "labels", L2L_OPT_LIST, "0,1,2,3,4,5,6,7,8,9", 0, 255, NULL,
                   "labels kept, relabelled 0..k-1 in this order (others dropped); k outputs" },
    [O_BATCH] = { "batch", L2L_OPT_INT, "128", 1, 65536, NULL,
                  "training examples per loss_grad call (and per evaluation chunk)" },
    [O_SAMPLING] = MINIBATCH_SAMPLING_OPTION,
    [O_INIT] = { "init", L2L_OPT_STRING, "normal", 0, 0, "normal|xavier",
                 "θ0: weights and biases N(0, init_std^2) (reference code); or weights "
                 "N(0, 2/(fan_in+fan_out)), biases 0" },
    [O_INIT_STD] = { "init_std", L2L_OPT_REAL, "0.01", 0, 10, NULL,
                     "standard deviation of init=normal (0.01 in the reference code)" },
    [O_EVAL] = { "eval_samples", L2L_OPT_INT, "0", 0, 100000000, NULL,
                 "test examples used by evaluate() (the first ones kept); 0 = all of them" },
    [O_SYNTH] = { "synthetic", L2L_OPT_INT, "0", 0, 1000000, NULL,
                  "when > 0: this many 28x28 images of noise, labels 0-9 (and a quarter as many test images) instead of the data files, for timing (l2l bench)" },
    { NULL, 0, NULL, 0, 0, NULL, NULL }
};

#define MAX_GROUPS (4 * (CONV_MAX_CONV + CONV_MAX_HIDDEN) + 2)

struct family {
    struct conv_shape shape;
    struct idx_set train, test;
    int batch, shuffle, xavier;
    double init_std;
    long eval_n;
    int n_groups;
    struct l2l_group groups[MAX_GROUPS];
    char names[MAX_GROUPS][16];
};

struct problem {
    const struct family *fam;
    struct minibatch mb;
    struct conv_work work;
    struct conv_rwork rwork; /* allocated by the first hvp */
};

static int load(const struct l2l_value *o, int io, int lo, struct idx_set *s,
                char *err, size_t errlen)
{
    char path[2][4096], msg[L2L_ERRLEN];
    for (int k = 0; k < 2; k++) {
        int key = k ? lo : io, srcdir;
        if (data_path_find(o[key].s, path[k], sizeof path[k], &srcdir) < 0) {
            snprintf(err, errlen, "conv: %s: %s not found (also tried %s.gz%s%s); run scripts/get-data "
                     "(or make data) to fetch Fashion-MNIST, or set %s", conv_options[key].name,
                     o[key].s, o[key].s, srcdir ? " and under " : "", srcdir ? data_path_srcdir() : "",
                     conv_options[key].name);
            return -1;
        }
    }
    if (idx_load_set(path[0], path[1], 256, s, msg, sizeof msg) < 0) {
        snprintf(err, errlen, "conv: %s", msg);
        return -1;
    }
    return 0;
}

/* Keeps the examples whose label is in map (map[label] = new label, or -1
 * to drop), in their order, relabelled. */
static void keep_labels(struct idx_set *s, const int *map, int k)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (map[s->labels[i]] < 0)
            continue;
        if (n != i)
            memcpy(s->images + n * s->dim, s->images + i * s->dim, s->dim * sizeof *s->images);
        s->labels[n++] = (uint8_t)map[s->labels[i]];
    }
    s->n = n;
    s->classes = k;
}

/* A whole number from a LIST item, or -1. */
static int whole(double v)
{
    return v == (int)v ? (int)v : -1;
}

static int list_ints(const struct l2l_value *v, const char *name, int max_items, int *out,
                     char *err, size_t errlen)
{
    if (v->n > max_items) {
        snprintf(err, errlen, "conv: %s '%s': %d items, expected at most %d", name, v->s, v->n, max_items);
        return -1;
    }
    for (int k = 0; k < v->n; k++)
        if ((out[k] = whole(v->list[k])) < 0) {
            snprintf(err, errlen, "conv: %s '%s': item %d is %g, expected a whole number",
                     name, v->s, k + 1, v->list[k]);
            return -1;
        }
    return v->n;
}

/* Group "PREFIX.what" (PREFIX "conv1", "bn1", "fc1", "fcbn1", "out"). */
static void add_group(struct family *f, const char *prefix, const char *what, size_t off, size_t count)
{
    if (off == CONV_NONE)
        return;
    char *name = f->names[f->n_groups];
    snprintf(name, sizeof f->names[0], "%s.%s", prefix, what);
    f->groups[f->n_groups++] = (struct l2l_group){ name, off, count };
}

static void conv_close(void *family);

static void *conv_open(const struct l2l_value *o, char *err, size_t errlen)
{
    struct family *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "conv: out of memory");
        return NULL;
    }
    struct conv_spec sp = { 0 };
    int labels[L2L_LIST_MAX], map[256];
    int nl = list_ints(&o[O_LABELS], "labels", L2L_LIST_MAX, labels, err, errlen);
    if (nl < 0 || (sp.n_conv = list_ints(&o[O_CHANNELS], "channels", CONV_MAX_CONV, sp.channels, err, errlen)) < 0 ||
        (sp.n_hidden = list_ints(&o[O_HIDDEN], "hidden", CONV_MAX_HIDDEN, sp.hidden, err, errlen)) < 0)
        goto fail;
    if (sp.n_hidden == 1 && sp.hidden[0] == 0)
        sp.n_hidden = 0;
    for (int k = 0; k < sp.n_hidden; k++)
        if (sp.hidden[k] == 0) {
            snprintf(err, errlen, "conv: hidden '%s': a layer of 0 units (0 alone means no hidden layer)",
                     o[O_HIDDEN].s);
            goto fail;
        }
    for (int k = 0; k < 256; k++)
        map[k] = -1;
    for (int k = 0; k < nl; k++) {
        if (map[labels[k]] >= 0) {
            snprintf(err, errlen, "conv: labels '%s': %d appears twice, expected distinct labels",
                     o[O_LABELS].s, labels[k]);
            goto fail;
        }
        map[labels[k]] = k;
    }
    if (nl < 2) {
        snprintf(err, errlen, "conv: labels '%s': one label, expected at least 2 to classify", o[O_LABELS].s);
        goto fail;
    }
    f->batch = (int)o[O_BATCH].i;
    f->shuffle = !strcmp(o[O_SAMPLING].s, "shuffle");
    f->xavier = !strcmp(o[O_INIT].s, "xavier");
    f->init_std = o[O_INIT_STD].r;
    if (o[O_SYNTH].i > 0) {
        size_t n = (size_t)o[O_SYNTH].i;
        if (idx_synthetic_set(n, 28, 28, 10, 784, &f->train, err, errlen) < 0 ||
            idx_synthetic_set((n + 3) / 4, 28, 28, 10, 785, &f->test, err, errlen) < 0)
            goto fail;
    } else if (load(o, O_TRI, O_TRL, &f->train, err, errlen) < 0 ||
               load(o, O_TEI, O_TEL, &f->test, err, errlen) < 0)
        goto fail;
    if (f->test.dim != f->train.dim || f->test.rows != f->train.rows) {
        snprintf(err, errlen, "conv: test_images %s: images of %zux%zu, expected %zux%zu as in train_images",
                 o[O_TEI].s, f->test.rows, f->test.cols, f->train.rows, f->train.cols);
        goto fail;
    }
    keep_labels(&f->train, map, nl);
    keep_labels(&f->test, map, nl);
    if (f->train.n == 0 || f->test.n == 0) {
        snprintf(err, errlen, "conv: labels '%s': no %s example has one of these labels",
                 o[O_LABELS].s, f->train.n == 0 ? "training" : "test");
        goto fail;
    }
    f->eval_n = o[O_EVAL].i ? o[O_EVAL].i : (long)f->test.n;
    if ((size_t)f->eval_n > f->test.n) {
        snprintf(err, errlen, "conv: eval_samples %ld: expected at most the %zu test images kept "
                 "(of labels %s) or 0 = all", f->eval_n, f->test.n, o[O_LABELS].s);
        goto fail;
    }
    sp.in_c = 1;
    sp.in_h = (int)f->train.rows;
    sp.in_w = (int)f->train.cols;
    sp.kernel = (int)o[O_KERNEL].i;
    sp.stride = (int)o[O_STRIDE].i;
    sp.same = !strcmp(o[O_PADDING].s, "same");
    sp.pool = (int)o[O_POOL].i;
    sp.pool_stride = (int)o[O_POOL_STRIDE].i;
    sp.classes = nl;
    sp.batch_norm = (int)o[O_BN].i;
    sp.bn_scale = (int)o[O_BN_SCALE].i;
    sp.eps = o[O_BN_EPS].r;
    sp.act = !strcmp(o[O_ACT].s, "tanh") ? CONV_TANH : !strcmp(o[O_ACT].s, "sigmoid") ? CONV_SIGMOID : CONV_RELU;
    char msg[L2L_ERRLEN];
    if (conv_shape_init(&f->shape, &sp, msg, sizeof msg) < 0) {
        snprintf(err, errlen, "conv: %s", msg);
        goto fail;
    }
    /* Groups in θ's order: conv1.w conv1.b [bn1.gamma] [bn1.beta] ...
     * fc1.w fc1.b [fcbn1.gamma] [fcbn1.beta] ... out.w out.b */
    const struct conv_shape *s = &f->shape;
    char pre[2][8];
    for (int l = 0; l < s->n_conv; l++) {
        const struct conv_layer *L = &s->conv[l];
        snprintf(pre[0], sizeof pre[0], "conv%d", l + 1);
        snprintf(pre[1], sizeof pre[1], "bn%d", l + 1);
        add_group(f, pre[0], "w", L->p.w, L->p.b - L->p.w);
        add_group(f, pre[0], "b", L->p.b, (size_t)L->cout);
        add_group(f, pre[1], "gamma", L->p.gamma, (size_t)L->cout);
        add_group(f, pre[1], "beta", L->p.beta, (size_t)L->cout);
    }
    for (int j = 0; j < s->n_fc; j++) {
        const struct conv_fc *F = &s->fc[j];
        if (j == s->n_fc - 1)
            strcpy(pre[0], "out");
        else
            snprintf(pre[0], sizeof pre[0], "fc%d", j + 1);
        snprintf(pre[1], sizeof pre[1], "fcbn%d", j + 1);
        add_group(f, pre[0], "w", F->p.w, F->p.b - F->p.w);
        add_group(f, pre[0], "b", F->p.b, (size_t)F->nout);
        add_group(f, pre[1], "gamma", F->p.gamma, (size_t)F->nout);
        add_group(f, pre[1], "beta", F->p.beta, (size_t)F->nout);
    }
    return f;
fail:
    conv_close(f);
    return NULL;
}

static void conv_close(void *family)
{
    struct family *f = family;
    if (!f)
        return;
    idx_set_free(&f->train);
    idx_set_free(&f->test);
    free(f);
}

static size_t conv_n_params(const void *family)
{
    return ((const struct family *)family)->shape.n_params;
}

static int conv_groups(const void *family, const struct l2l_group **groups)
{
    const struct family *f = family;
    *groups = f->groups;
    return f->n_groups;
}

static double conv_flops_hook(const void *family)
{
    const struct family *f = family;
    return conv_flops(&f->shape, f->batch);
}

/* θ0 of one layer: weights N(0, std²) or Xavier, biases likewise or 0;
 * batch norm β = 0, γ = 1. */
static void init_layer(const struct family *f, struct l2l_rng *rng, float *theta,
                       const struct conv_params *p, size_t nw, size_t nb, double fan_in, double fan_out)
{
    double wstd = f->xavier ? sqrt(2.0 / (fan_in + fan_out)) : f->init_std;
    double bstd = f->xavier ? 0.0 : f->init_std;
    for (size_t k = 0; k < nw; k++)
        theta[p->w + k] = (float)(wstd * l2l_rng_normal(rng));
    for (size_t k = 0; k < nb; k++) {
        theta[p->b + k] = bstd > 0 ? (float)(bstd * l2l_rng_normal(rng)) : 0.0f;
        if (p->gamma != CONV_NONE)
            theta[p->gamma + k] = 1.0f;
        if (p->beta != CONV_NONE)
            theta[p->beta + k] = 0.0f;
    }
}

static void conv_problem_free(void *problem);

static void *conv_problem_new(const void *family, struct l2l_rng *rng, float *theta0,
                              char *err, size_t errlen)
{
    const struct family *f = family;
    const struct conv_shape *s = &f->shape;
    struct problem *p = calloc(1, sizeof *p);
    if (!p)
        goto oom;
    p->fam = f;
    /* first the minibatch stream, then θ0 */
    if (minibatch_init(&p->mb, &f->train, f->batch, f->shuffle, rng) < 0 ||
        conv_work_alloc(&p->work, s, f->batch) < 0)
        goto oom;
    for (int l = 0; l < s->n_conv; l++) {
        const struct conv_layer *L = &s->conv[l];
        double kk = (double)L->k * L->k;
        init_layer(f, rng, theta0, &L->p, L->p.b - L->p.w, (size_t)L->cout, L->cin * kk, L->cout * kk);
    }
    for (int j = 0; j < s->n_fc; j++) {
        const struct conv_fc *F = &s->fc[j];
        init_layer(f, rng, theta0, &F->p, F->p.b - F->p.w, (size_t)F->nout, F->nin, F->nout);
    }
    return p;
oom:
    snprintf(err, errlen, "conv: out of memory for a problem (batch %d, %zu parameters)",
             f->batch, s->n_params);
    conv_problem_free(p);
    return NULL;
}

static void conv_problem_free(void *problem)
{
    struct problem *p = problem;
    if (!p)
        return;
    conv_work_free(&p->work);
    conv_rwork_free(&p->rwork);
    minibatch_free(&p->mb);
    free(p);
}

static int conv_loss_grad(void *problem, const float *theta, double *loss, float *grad)
{
    struct problem *p = problem;
    const struct family *f = p->fam;
    minibatch_draw(&p->mb);
    *loss = conv_forward(&f->shape, &p->work, theta, p->mb.x, p->mb.y, f->batch, NULL);
    if (grad)
        conv_backward(&f->shape, &p->work, theta, p->mb.x, p->mb.y, f->batch, grad);
    return 0;
}

static int conv_replay_depth(void *problem, int depth)
{
    return minibatch_replay_depth(&((struct problem *)problem)->mb, depth);
}

/* H·v on the minibatch of the call `ago` calls back, rebuilt in p->mb;
 * batch norm with that minibatch's statistics, as loss_grad. */
static int conv_hvp_hook(void *problem, int ago, const float *theta, const float *v, float *hv)
{
    struct problem *p = problem;
    const struct family *f = p->fam;
    if (minibatch_replay(&p->mb, ago) < 0 ||
        (!p->rwork.rows && conv_rwork_alloc(&p->rwork, &f->shape, f->batch) < 0))
        return -1;
    conv_hvp(&f->shape, &p->work, &p->rwork, theta, v, p->mb.x, p->mb.y, f->batch, hv);
    return 0;
}

/* Chunks of `batch` test examples, each normalized by its own statistics
 * (the last chunk may be smaller); the loss is the mean over examples. */
static int conv_evaluate(void *problem, const float *theta, struct l2l_eval *out)
{
    struct problem *p = problem;
    const struct family *f = p->fam;
    double total = 0;
    long right = 0;
    for (long i = 0; i < f->eval_n; i += f->batch) {
        int B = (int)(f->eval_n - i < f->batch ? f->eval_n - i : f->batch);
        long c = 0;
        total += B * conv_forward(&f->shape, &p->work, theta, f->test.images + (size_t)i * f->test.dim,
                                  f->test.labels + i, B, &c);
        right += c;
    }
    out->loss = total / (double)f->eval_n;
    out->accuracy = (double)right / (double)f->eval_n;
    return 0;
}

const struct l2l_optimizee_ops l2l_optimizee = {
    .abi_version = L2L_ABI_VERSION,
    .name = "conv",
    .version = "1.0",
    .description = "convolutional classifier (default 3x[conv 16 5x5, batch norm, ReLU, pool 2], "
                   "fc 32, softmax) on Fashion-MNIST-like IDX data",
    .options = conv_options,
    .open = conv_open,
    .close = conv_close,
    .n_params = conv_n_params,
    .groups = conv_groups,
    .problem_new = conv_problem_new,
    .problem_free = conv_problem_free,
    .loss_grad = conv_loss_grad,
    .evaluate = conv_evaluate,
    .flops = conv_flops_hook,
    .replay_depth = conv_replay_depth,
    .hvp = conv_hvp_hook,
};
