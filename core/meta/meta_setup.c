/* meta_setup.c: a meta-training's set-up: the option table (and the
 * config read from it), the checks of a job, the one-line description a
 * .state file is resumed by, and the trainer's objects, buffers and state
 * (loaded from .state or fresh). The loop that uses them is meta_train.c. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bytes.h"
#include "log.h"
#include "meta_train_internal.h"
#include "options.h"
#include "seeds.h"

enum { M_EPOCHS, M_STEPS, M_UNROLL, M_PROBLEMS, M_LR, M_BETA1, M_BETA2, M_EPS, M_CLIP,
       M_VALID_EVERY, M_VALID_PROBLEMS, M_VALID_LOSS, M_KEEP,
       M_SECOND_ORDER, M_COUNT };

const struct l2l_option l2l_meta_options[] = {
    [M_EPOCHS] = {"epochs", L2L_OPT_INT, "100", 1, 1e9, NULL, "meta-training epochs (one trajectory on fresh problems each)"},
    [M_STEPS] = {"steps", L2L_OPT_INT, "100", 1, 1e7, NULL, "T: optimizee steps per trajectory"},
    [M_UNROLL] = {"unroll", L2L_OPT_INT, "20", 1, 1e5, NULL, "U: steps per truncated-BPTT unroll (one meta-step each)"},
    [M_PROBLEMS] = {"problems", L2L_OPT_INT, "1", 1, 4096, NULL, "optimizee instances per meta-step (meta-gradient averaged)"},
    [M_LR] = {"meta_lr", L2L_OPT_REAL, "0.001", 1e-9, 10, NULL, "Adam learning rate on φ"},
    [M_BETA1] = {"beta1", L2L_OPT_REAL, "0.9", 0, 0.9999, NULL, "Adam first-moment decay"},
    [M_BETA2] = {"beta2", L2L_OPT_REAL, "0.999", 0, 0.99999999, NULL, "Adam second-moment decay"},
    [M_EPS] = {"eps", L2L_OPT_REAL, "1e-8", 1e-30, 1, NULL, "Adam epsilon"},
    [M_CLIP] = {"clip", L2L_OPT_REAL, "0", 0, 1e30, NULL, "clip the meta-gradient to this L2 norm; 0 = off"},
    [M_VALID_EVERY] = {"valid_every", L2L_OPT_INT, "10", 1, 1e9, NULL, "K: validate (and save the training state) every K epochs"},
    [M_VALID_PROBLEMS] = {"valid_problems", L2L_OPT_INT, "16", 1, 1e6, NULL, "held-out problems per validation"},
    [M_VALID_LOSS] = {"valid_loss", L2L_OPT_STRING, "mean", 0, 0, "mean|final|last_unroll",
     "mean: mean f over steps 1..T (the meta-objective); final: f at step T (the paper); "
     "last_unroll: mean f over the last unroll (the reference code)"},
    [M_KEEP] = {"keep", L2L_OPT_STRING, "best", 0, 0, "best|last",
     "φ the checkpoint keeps when training ends: best = the lowest validation loss (the paper); "
     "last = the φ of the last epoch"},
    [M_SECOND_ORDER] = {"second_order", L2L_OPT_BOOL, "false", 0, 1, NULL,
     "follow ∇_t = ∇f(θ_t) in the meta-gradient (Hessian-vector products; needs the optimizer's "
     "backward_step and the optimizee's hvp); false: ∇_t a constant (the paper)"},
    [M_COUNT] = {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const char *const valid_names[] = {"mean", "final", "last_unroll"};

void l2l_meta_config_from_values(const struct l2l_value *v, struct l2l_meta_config *cfg)
{
    cfg->epochs = v[M_EPOCHS].i;
    cfg->steps = v[M_STEPS].i;
    cfg->unroll = v[M_UNROLL].i;
    cfg->problems = v[M_PROBLEMS].i;
    cfg->lr = v[M_LR].r;
    cfg->beta1 = v[M_BETA1].r;
    cfg->beta2 = v[M_BETA2].r;
    cfg->eps = v[M_EPS].r;
    cfg->clip = v[M_CLIP].r;
    cfg->valid_every = v[M_VALID_EVERY].i;
    cfg->valid_problems = v[M_VALID_PROBLEMS].i;
    const char *vl = v[M_VALID_LOSS].s;
    cfg->valid_loss = !vl || strcmp(vl, "mean") == 0 ? L2L_VALID_MEAN
                      : strcmp(vl, "final") == 0    ? L2L_VALID_FINAL
                                                    : L2L_VALID_LAST_UNROLL;
    cfg->keep_last = v[M_KEEP].s && strcmp(v[M_KEEP].s, "last") == 0;
    cfg->second_order = (int)v[M_SECOND_ORDER].i;
}

/* The job in one line: a .state file is only resumed by the same job. */
static void describe_job(struct meta_trainer *tr)
{
    const struct l2l_meta_job *j = tr->job;
    const struct l2l_meta_config *c = tr->cfg;
    char opts[2048];
    l2l_values_format(j->opt->options, j->opt_values, opts, sizeof opts);
    l2l_fmt(tr->job_desc, sizeof tr->job_desc,
            "optimizer=%s (%s); optimizee=%s; trained_on=%s; seed=%llu; steps=%ld; unroll=%ld; "
            "problems=%ld; meta_lr=%.9g; beta1=%.9g; beta2=%.9g; eps=%.9g; clip=%.9g; "
            "valid_every=%ld; valid_problems=%ld; valid_loss=%s; keep=%s",
            j->opt->name, opts, j->obj->name, j->trained_on ? j->trained_on : "",
            (unsigned long long)j->seed, c->steps, c->unroll, c->problems, c->lr, c->beta1, c->beta2,
            c->eps, c->clip, c->valid_every, c->valid_problems, valid_names[c->valid_loss],
            c->keep_last ? "last" : "best");
    /* only when set: first-order jobs keep the description (and the
     * .state files and checkpoint notes) they had before the key */
    if (c->second_order) {
        size_t len = strlen(tr->job_desc);
        l2l_fmt(tr->job_desc + len, sizeof tr->job_desc - len, "; second_order=true");
    }
    /* likewise the sets, only when not the one set `all` */
    if (j->sets && !l2l_sets_default(j->sets)) {
        char sets[1024];
        size_t len = strlen(tr->job_desc);
        l2l_sets_describe(j->sets, sets, sizeof sets);
        l2l_fmt(tr->job_desc + len, sizeof tr->job_desc - len, "; sets=%s", sets);
    }
}

int meta_check_config(const struct l2l_meta_job *job, char *err, size_t errlen)
{
    const struct l2l_meta_config *c = &job->cfg;
    if (!job->opt->learned) {
        l2l_fmt(err, errlen, "%s: plugin %s is not a learned optimizer: nothing to meta-train",
                job->name, job->opt->name);
        return L2L_EINPUT;
    }
    if (c->epochs < 1 || c->steps < 1 || c->unroll < 1 || c->problems < 1 || c->valid_every < 1 ||
        c->valid_problems < 1 || !(c->lr > 0)) {
        l2l_fmt(err, errlen, "%s: meta-training needs epochs, steps, unroll, problems, valid_every, "
                "valid_problems >= 1 and meta_lr > 0", job->name);
        return L2L_EINPUT;
    }
    if (c->second_order && !job->opt->learned->backward_step) {
        l2l_fmt(err, errlen, "%s: second_order = true, but optimizer %s has no backward_step "
                "(set second_order = false)", job->name, job->opt->name);
        return L2L_EINPUT;
    }
    if (c->second_order && (!job->obj->hvp || !job->obj->replay_depth)) {
        l2l_fmt(err, errlen, "%s: second_order = true, but optimizee %s has no Hessian-vector "
                "product (hvp) (set second_order = false)", job->name, job->obj->name);
        return L2L_EINPUT;
    }
    if (!job->checkpoint_path || !job->checkpoint_path[0]) {
        l2l_fmt(err, errlen, "%s: no checkpoint path to write φ to", job->name);
        return L2L_EINPUT;
    }
    return 0;
}

void meta_trainer_free(struct meta_trainer *tr)
{
    for (long k = 0; tr->inst && k < tr->P; k++)
        l2l_meta_inst_free(&tr->inst[k]);
    free(tr->inst);
    for (int k = 0; tr->vinst && k < tr->nv; k++)
        l2l_meta_inst_free(&tr->vinst[k]);
    free(tr->vinst);
    free(tr->dphis);
    free(tr->vals);
    free(tr->rcs);
    free(tr->errs);
    l2l_meta_state_free(&tr->st);
    l2l_meta_state_free(&tr->snap);
    free(tr->dphi);
    free(tr->state_path);
    if (tr->log)
        fclose(tr->log);
}

/* Objects, buffers, and the state: loaded from .state, or fresh (φ from
 * meta_init with the INIT stream). Sets *resumed. */
int meta_trainer_init(struct meta_trainer *tr, const struct l2l_meta_job *job, int *resumed,
                      char *err, size_t errlen)
{
    const struct l2l_meta_config *c = &job->cfg;
    tr->job = job;
    tr->cfg = c;
    tr->P = c->problems;
    size_t plen = strlen(job->checkpoint_path);
    tr->state_path = malloc(plen + 7);
    tr->inst = calloc((size_t)tr->P, sizeof *tr->inst);
    if (!tr->state_path || !tr->inst) {
        l2l_fmt(err, errlen, "%s: out of memory", job->name);
        return L2L_ENOMEM;
    }
    memcpy(tr->state_path, job->checkpoint_path, plen);
    memcpy(tr->state_path + plen, ".state", 7);
    int U = (int)c->unroll;
    for (long k = 0; k < tr->P; k++) {
        int rc = l2l_meta_inst_init_sets(&tr->inst[k], job->opt, job->sets, job->opt_values, job->obj,
                                         job->family, U, err, errlen);
        if (rc >= 0 && c->second_order)
            rc = l2l_meta_inst_second_order(&tr->inst[k], err, errlen);
        if (rc < 0)
            return rc;
    }
    tr->nv = meta_threads(job, c->valid_problems);
    long nmax = tr->P > c->valid_problems ? tr->P : c->valid_problems;
    long nerr = tr->P > tr->nv ? tr->P : tr->nv;
    tr->vinst = calloc((size_t)tr->nv, sizeof *tr->vinst);
    tr->vals = calloc((size_t)nmax, sizeof *tr->vals);
    tr->rcs = calloc(2 * (size_t)nmax, sizeof *tr->rcs);
    tr->errs = calloc((size_t)nerr, L2L_ERRLEN);
    if (!tr->vinst || !tr->vals || !tr->rcs || !tr->errs) {
        l2l_fmt(err, errlen, "%s: out of memory", job->name);
        return L2L_ENOMEM;
    }
    for (int k = 0; k < tr->nv; k++) {
        int rc = l2l_meta_inst_init_sets(&tr->vinst[k], job->opt, job->sets, job->opt_values, job->obj,
                                         job->family, 1, err, errlen);
        if (rc < 0)
            return rc;
    }
    int rc;
    tr->l = tr->inst[0].opt->learned; /* the sets' composite: φ is every set's, one after another */
    tr->n_meta = tr->l->n_meta(tr->inst[0].self);
    tr->dphi = calloc(tr->n_meta ? tr->n_meta : 1, sizeof(float));
    tr->dphis = calloc((tr->n_meta ? tr->n_meta : 1) * (size_t)tr->P, sizeof(float));
    if (!tr->dphi || !tr->dphis || l2l_meta_state_init(&tr->st, tr->n_meta, c->lr) < 0 ||
        l2l_meta_state_init(&tr->snap, tr->n_meta, c->lr) < 0) {
        l2l_fmt(err, errlen, "%s: out of memory for %zu meta-parameters", job->name, tr->n_meta);
        return L2L_ENOMEM;
    }
    describe_job(tr);
    *resumed = access(tr->state_path, F_OK) == 0;
    if (*resumed) {
        rc = l2l_meta_state_load(tr->state_path, tr->job_desc, &tr->st, err, errlen);
        if (rc < 0)
            return rc;
    } else {
        struct l2l_rng rng;
        l2l_rng_for(&rng, job->seed, L2L_SEED_INIT, 0, 0);
        tr->l->meta_init(tr->inst[0].self, &rng);
        memcpy(tr->st.phi, tr->l->meta(tr->inst[0].self), sizeof(float) * tr->n_meta);
        memcpy(tr->st.best_phi, tr->st.phi, sizeof(float) * tr->n_meta);
    }
    meta_spread_phi(tr);
    return 0;
}
