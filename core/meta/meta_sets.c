/* meta_sets.c: one object of a learned optimizer per set of parameter
 * groups, driven as one optimizer (see meta_sets.h). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checkpoint.h"
#include "log.h"
#include "meta_sets.h"
#include "names.h"

/* ------------------------------------------------------------ the sets */

void l2l_sets_free(struct l2l_sets *s)
{
    for (int k = 0; k < s->n; k++) {
        free(s->name[k]);
        free(s->patterns[k]);
    }
    memset(s, 0, sizeof *s);
}

static int add_set(struct l2l_sets *s, const char *name, const char *patterns)
{
    if (s->n == L2L_MAX_SETS)
        return L2L_EINPUT;
    s->name[s->n] = strdup(name);
    s->patterns[s->n] = strdup(patterns);
    if (!s->name[s->n] || !s->patterns[s->n]) {
        free(s->name[s->n]);
        free(s->patterns[s->n]);
        return L2L_ENOMEM;
    }
    s->n++;
    return 0;
}

/* Calls fn on each comma-separated pattern of list, trimmed; stops at the
 * first non-zero return and returns it. */
static int each_pattern(const char *list, int (*fn)(const char *pat, void *arg), void *arg)
{
    char pat[256];
    for (const char *p = list; *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",");
        size_t m = n;
        while (m > 0 && (p[m - 1] == ' ' || p[m - 1] == '\t'))
            m--;
        if (m > 0 && m < sizeof pat) {
            memcpy(pat, p, m);
            pat[m] = 0;
            int rc = fn(pat, arg);
            if (rc)
                return rc;
        }
        p += n;
    }
    return 0;
}

static int is_star(const char *pat, void *arg)
{
    (void)arg;
    return strcmp(pat, "*") == 0;
}

static int matches(const char *pat, void *arg)
{
    return fnmatch(pat, (const char *)arg, 0) == 0;
}

static int count_pattern(const char *pat, void *arg)
{
    (void)pat;
    ++*(int *)arg;
    return 0;
}

int l2l_sets_add(struct l2l_sets *s, const char *name, const char *patterns, char *err, size_t errlen)
{
    if (l2l_name_check(name, err, errlen, "set.%s:", name) < 0)
        return L2L_EINPUT;
    int n = 0;
    each_pattern(patterns, count_pattern, &n);
    if (n == 0) {
        l2l_fmt(err, errlen, "set.%s: expected comma-separated patterns over parameter group names "
                "(e.g. conv*.w), got '%s'", name, patterns);
        return L2L_EINPUT;
    }
    for (int k = 0; k < s->n; k++) {
        if (!strcmp(s->name[k], name)) {
            l2l_fmt(err, errlen, "set.%s: a second set of that name", name);
            return L2L_EINPUT;
        }
        if (each_pattern(s->patterns[k], is_star, NULL)) {
            l2l_fmt(err, errlen, "set.%s comes after set.%s, whose pattern * takes every group: nothing "
                    "is left for it (put the catch-all set last)", name, s->name[k]);
            return L2L_EINPUT;
        }
    }
    if (s->n >= L2L_MAX_SETS - 1) {
        l2l_fmt(err, errlen, "set.%s: at most %d sets", name, L2L_MAX_SETS - 1);
        return L2L_EINPUT;
    }
    int rc = add_set(s, name, patterns);
    if (rc < 0)
        l2l_fmt(err, errlen, "out of memory");
    return rc;
}

int l2l_sets_resolve(struct l2l_sets *s)
{
    if (s->n == 0)
        return add_set(s, "all", "*");
    for (int k = 0; k < s->n; k++)
        if (each_pattern(s->patterns[k], is_star, NULL))
            return 0;
    int rc = add_set(s, "rest", "*");
    return rc == L2L_EINPUT ? 0 : rc; /* the suite refuses more sets than fit */
}

int l2l_sets_default(const struct l2l_sets *s)
{
    return s->n == 0 || (s->n == 1 && !strcmp(s->name[0], "all") && !strcmp(s->patterns[0], "*"));
}

void l2l_sets_describe(const struct l2l_sets *s, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; k < s->n && used < len; k++) {
        int w = snprintf(buf + used, len - used, "%s%s:%s", k ? "|" : "", s->name[k], s->patterns[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ------------------------------------------------------- the composite */

struct range {
    size_t off, count; /* in the optimizee's θ */
};

struct member {
    void *self;                /* the plugin's object (owned) */
    size_t n;                  /* coordinates (0: idle, an object of 1 never stepped) */
    size_t n_meta, off;        /* its φ and where it sits in the composite's φ */
    int n_ranges;
    struct range *ranges;      /* (n_ranges) contiguous runs of its coordinates */
    struct l2l_group *groups;  /* (n_groups) rebased to the member's coordinates */
    float *theta, *grad, *upd; /* (n) gathered, or the update to scatter */
    float *dg;                 /* (cap, n) dL/dg of the recorded steps */
    int cap;
};

struct sets_obj {
    const struct l2l_optimizer_ops *plugin;
    int n_sets;
    int pass;                  /* one set over every coordinate in order: calls go straight through */
    size_t n, n_meta;
    float *phi;                /* (n_meta) the sets' φ one after another; NULL when pass */
    int recorded;              /* steps recorded since tape_begin */
    struct member m[L2L_MAX_SETS];
};

static void gather(const struct member *m, const float *src, float *dst)
{
    size_t j = 0;
    for (int r = 0; r < m->n_ranges; r++) {
        memcpy(dst + j, src + m->ranges[r].off, sizeof(float) * m->ranges[r].count);
        j += m->ranges[r].count;
    }
}

static void scatter(const struct member *m, const float *src, float *dst)
{
    size_t j = 0;
    for (int r = 0; r < m->n_ranges; r++) {
        memcpy(dst + m->ranges[r].off, src + j, sizeof(float) * m->ranges[r].count);
        j += m->ranges[r].count;
    }
}

/* φ of the composite into the members (written by the core between
 * unrolls and trajectories). */
static void push_phi(struct sets_obj *o)
{
    if (o->pass)
        return;
    const struct l2l_learned_ops *l = o->plugin->learned;
    for (int k = 0; k < o->n_sets; k++)
        memcpy(l->meta(o->m[k].self), o->phi + o->m[k].off, sizeof(float) * o->m[k].n_meta);
}

static void sets_destroy(void *self)
{
    struct sets_obj *o = self;
    if (!o)
        return;
    for (int k = 0; k < o->n_sets; k++) {
        struct member *m = &o->m[k];
        if (m->self)
            o->plugin->destroy(m->self);
        free(m->ranges);
        free(m->groups);
        free(m->theta);
        free(m->grad);
        free(m->upd);
        free(m->dg);
    }
    free(o->phi);
    free(o);
}

/* The set of s that takes a group: the first with a matching pattern. */
static int set_of(const struct l2l_sets *s, const char *group)
{
    for (int k = 0; k < s->n; k++)
        if (each_pattern(s->patterns[k], matches, (void *)group))
            return k;
    return -1;
}

static int member_init(struct sets_obj *o, int k, const struct l2l_sets *s, const struct l2l_value *values,
                       const struct l2l_group *groups, int n_groups, char *err, size_t errlen)
{
    struct member *m = &o->m[k];
    m->ranges = calloc((size_t)n_groups + 1, sizeof *m->ranges);
    m->groups = calloc((size_t)n_groups + 1, sizeof *m->groups);
    if (!m->ranges || !m->groups)
        goto nomem;
    int ng = 0;
    for (int g = 0; g < n_groups; g++) {
        if (set_of(s, groups[g].name ? groups[g].name : "") != k || groups[g].count == 0)
            continue;
        m->groups[ng++] = (struct l2l_group){groups[g].name, m->n, groups[g].count};
        struct range *last = m->n_ranges ? &m->ranges[m->n_ranges - 1] : NULL;
        if (last && last->off + last->count == groups[g].offset)
            last->count += groups[g].count;
        else
            m->ranges[m->n_ranges++] = (struct range){groups[g].offset, groups[g].count};
        m->n += groups[g].count;
    }
    const struct l2l_group idle = {s->name[k], 0, 1};
    char e[L2L_ERRLEN] = "";
    m->self = m->n ? o->plugin->create(values, m->n, m->groups, ng, e, sizeof e)
                   : o->plugin->create(values, 1, &idle, 1, e, sizeof e);
    if (!m->self) {
        l2l_fmt(err, errlen, "set %s: %s", s->name[k], e);
        return L2L_EPLUGIN;
    }
    m->n_meta = o->plugin->learned->n_meta(m->self);
    size_t n = m->n ? m->n : 1;
    m->theta = malloc(sizeof(float) * n);
    m->grad = malloc(sizeof(float) * n);
    m->upd = malloc(sizeof(float) * n);
    if (!m->theta || !m->grad || !m->upd)
        goto nomem;
    return 0;
nomem:
    l2l_fmt(err, errlen, "set %s: out of memory for %zu coordinates", s->name[k], m->n);
    return L2L_ENOMEM;
}

void *l2l_sets_create(const struct l2l_optimizer_ops *plugin, const struct l2l_sets *s,
                      const struct l2l_value *values, size_t n, const struct l2l_group *groups,
                      int n_groups, char *err, size_t errlen)
{
    const struct l2l_group all = {"all", 0, n};
    if (!groups || n_groups <= 0) {
        groups = &all;
        n_groups = 1;
    }
    if (!plugin->learned || s->n < 1 || s->n > L2L_MAX_SETS) {
        l2l_fmt(err, errlen, "%s: sets of φ need a learned optimizer and 1 to %d sets", plugin->name,
                L2L_MAX_SETS);
        return NULL;
    }
    struct sets_obj *o = calloc(1, sizeof *o);
    if (!o) {
        l2l_fmt(err, errlen, "out of memory");
        return NULL;
    }
    o->plugin = plugin;
    o->n = n;
    for (int k = 0; k < s->n; k++) {
        int rc = member_init(o, k, s, values, groups, n_groups, err, errlen);
        o->n_sets = k + 1;
        if (rc < 0) {
            sets_destroy(o);
            return NULL;
        }
        o->m[k].off = o->n_meta;
        o->n_meta += o->m[k].n_meta;
    }
    size_t covered = 0;
    for (int k = 0; k < o->n_sets; k++)
        covered += o->m[k].n;
    if (covered != n) { /* the suite's sets end with one that takes every group */
        l2l_fmt(err, errlen, "%s: the sets take %zu of %zu coordinates", plugin->name, covered, n);
        sets_destroy(o);
        return NULL;
    }
    o->pass = o->n_sets == 1 && o->m[0].n_ranges == 1 && o->m[0].ranges[0].off == 0 && o->m[0].n == n;
    if (!o->pass) {
        o->phi = calloc(o->n_meta ? o->n_meta : 1, sizeof(float));
        if (!o->phi) {
            l2l_fmt(err, errlen, "out of memory for %zu meta-parameters", o->n_meta);
            sets_destroy(o);
            return NULL;
        }
        for (int k = 0; k < o->n_sets; k++) /* each object's initial φ */
            memcpy(o->phi + o->m[k].off, plugin->learned->meta(o->m[k].self), sizeof(float) * o->m[k].n_meta);
    }
    return o;
}

void *l2l_sets_member(void *self, int k)
{
    struct sets_obj *o = self;
    return k >= 0 && k < o->n_sets ? o->m[k].self : NULL;
}

size_t l2l_sets_n_meta(const void *self, int k, size_t *offset)
{
    const struct sets_obj *o = self;
    if (offset)
        *offset = o->m[k].off;
    return o->m[k].n_meta;
}

size_t l2l_sets_size(const void *self, int k)
{
    const struct sets_obj *o = self;
    return o->m[k].n;
}

/* ------------------------------------------------- the vtable's hooks */

static void sets_reset(void *self)
{
    struct sets_obj *o = self;
    push_phi(o);
    for (int k = 0; k < o->n_sets; k++)
        o->plugin->reset(o->m[k].self);
}

static int sets_step(void *self, float *theta, const float *grad)
{
    struct sets_obj *o = self;
    if (o->pass)
        return o->plugin->step(o->m[0].self, theta, grad);
    for (int k = 0; k < o->n_sets; k++) {
        struct member *m = &o->m[k];
        if (!m->n)
            continue;
        gather(m, theta, m->theta);
        gather(m, grad, m->grad);
        int rc = o->plugin->step(m->self, m->theta, m->grad);
        if (rc < 0)
            return rc;
        scatter(m, m->theta, theta);
    }
    return 0;
}

static size_t sets_n_meta_all(const void *self)
{
    return ((const struct sets_obj *)self)->n_meta;
}

static float *sets_meta(void *self)
{
    struct sets_obj *o = self;
    return o->pass ? o->plugin->learned->meta(o->m[0].self) : o->phi;
}

/* Each set's φ from the one stream, set after set. */
static void sets_meta_init(void *self, struct l2l_rng *rng)
{
    struct sets_obj *o = self;
    const struct l2l_learned_ops *l = o->plugin->learned;
    for (int k = 0; k < o->n_sets; k++) {
        l->meta_init(o->m[k].self, rng);
        if (!o->pass)
            memcpy(o->phi + o->m[k].off, l->meta(o->m[k].self), sizeof(float) * o->m[k].n_meta);
    }
}

/* Every set has the same plugin options, hence the same shape words. */
static int sets_shape(const void *self, uint32_t *words, int max)
{
    const struct sets_obj *o = self;
    return o->plugin->learned->shape(o->m[0].self, words, max);
}

static int sets_tape_begin(void *self, int U)
{
    struct sets_obj *o = self;
    o->recorded = 0;
    if (o->pass)
        return o->plugin->learned->tape_begin(o->m[0].self, U);
    push_phi(o);
    for (int k = 0; k < o->n_sets; k++) {
        struct member *m = &o->m[k];
        if (!m->n)
            continue;
        if (U > m->cap) {
            float *dg = realloc(m->dg, sizeof(float) * m->n * (size_t)U);
            if (!dg)
                return L2L_ENOMEM;
            m->dg = dg;
            m->cap = U;
        }
        int rc = o->plugin->learned->tape_begin(m->self, U);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int sets_step_record(void *self, int t, const float *theta, const float *grad, float *update)
{
    struct sets_obj *o = self;
    if (t + 1 > o->recorded)
        o->recorded = t + 1;
    if (o->pass)
        return o->plugin->learned->step_record(o->m[0].self, t, theta, grad, update);
    for (int k = 0; k < o->n_sets; k++) {
        struct member *m = &o->m[k];
        if (!m->n)
            continue;
        gather(m, theta, m->theta);
        gather(m, grad, m->grad);
        int rc = o->plugin->learned->step_record(m->self, t, m->theta, m->grad, m->upd);
        if (rc < 0)
            return rc;
        scatter(m, m->upd, update);
    }
    return 0;
}

static int sets_backward(void *self, const float *dg, float *dphi)
{
    struct sets_obj *o = self;
    if (o->pass)
        return o->plugin->learned->backward(o->m[0].self, dg, dphi);
    for (int k = 0; k < o->n_sets; k++) {
        struct member *m = &o->m[k];
        if (!m->n) /* an idle set's φ has no effect: dφ += 0 */
            continue;
        for (int t = 0; t < o->recorded; t++)
            gather(m, dg + (size_t)t * o->n, m->dg + (size_t)t * m->n);
        int rc = o->plugin->learned->backward(m->self, m->dg, dphi + m->off);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int sets_backward_step(void *self, int t, const float *dg_t, float *dgrad, float *dphi)
{
    struct sets_obj *o = self;
    if (o->pass)
        return o->plugin->learned->backward_step(o->m[0].self, t, dg_t, dgrad, dphi);
    for (int k = 0; k < o->n_sets; k++) {
        struct member *m = &o->m[k];
        if (!m->n)
            continue;
        gather(m, dg_t, m->grad);
        int rc = o->plugin->learned->backward_step(m->self, t, m->grad, m->upd, dphi + m->off);
        if (rc < 0)
            return rc;
        scatter(m, m->upd, dgrad);
    }
    return 0;
}

static double sets_flops(const void *self, double *meta_step)
{
    const struct sets_obj *o = self;
    double f = 0, ms = 0;
    for (int k = 0; k < o->n_sets; k++) {
        double one = 0;
        if (!o->m[k].n)
            continue;
        f += o->plugin->flops(o->m[k].self, &one);
        ms += one;
    }
    if (meta_step)
        *meta_step = ms;
    return f;
}

static double sets_state_bytes(const void *self)
{
    const struct sets_obj *o = self;
    return o->plugin->state_bytes(o->m[0].self);
}

void l2l_sets_ops_init(struct l2l_sets_ops *so, const struct l2l_optimizer_ops *plugin)
{
    memset(so, 0, sizeof *so);
    so->ops = (struct l2l_optimizer_ops){
        .abi_version = plugin->abi_version, .name = plugin->name, .version = plugin->version,
        .description = plugin->description, .options = plugin->options, .tunable = plugin->tunable,
        .create = NULL, .destroy = sets_destroy, .reset = sets_reset, .step = sets_step,
        .learned = plugin->learned ? &so->learned : NULL,
        .flops = plugin->flops ? sets_flops : NULL,
        .state_bytes = plugin->state_bytes ? sets_state_bytes : NULL,
    };
    if (!plugin->learned)
        return;
    const struct l2l_learned_ops *l = plugin->learned;
    so->learned = (struct l2l_learned_ops){
        .n_meta = sets_n_meta_all, .meta = sets_meta, .meta_init = sets_meta_init, .shape = sets_shape,
        .shape_names = l->shape_names, .tape_begin = sets_tape_begin, .step_record = sets_step_record,
        .backward = sets_backward, .update_options = l->update_options,
        .backward_step = l->backward_step ? sets_backward_step : NULL,
    };
}

/* ------------------------------------------------------------- loading */

int l2l_sets_load(const char *path, const struct l2l_optimizer_ops *plugin, const struct l2l_sets *s,
                  const struct l2l_value *values, float **phi, size_t *n_meta, char *err, size_t errlen)
{
    /* An optimizee of one coordinate in a group no pattern but `*` takes:
     * every set gets its object, hence its size of φ, without data. */
    const struct l2l_group one = {"", 0, 1};
    struct l2l_sets_ops so;
    l2l_sets_ops_init(&so, plugin);
    *phi = NULL;
    void *self = l2l_sets_create(plugin, s, values, 1, &one, 1, err, errlen);
    if (!self)
        return L2L_EPLUGIN;
    struct l2l_ckpt_set want[L2L_MAX_SETS];
    float *all = so.learned.meta(self);
    for (int k = 0; k < s->n; k++) {
        size_t off, m = l2l_sets_n_meta(self, k, &off);
        want[k] = (struct l2l_ckpt_set){s->name[k], s->patterns[k], m, all + off};
    }
    *n_meta = so.learned.n_meta(self);
    int rc = l2l_checkpoint_load_sets(path, plugin, values, l2l_sets_member(self, 0), want, (uint32_t)s->n,
                                      err, errlen);
    if (rc == 0) {
        *phi = malloc(sizeof(float) * (*n_meta ? *n_meta : 1));
        if (*phi)
            memcpy(*phi, all, sizeof(float) * *n_meta);
        else {
            l2l_fmt(err, errlen, "out of memory for %zu meta-parameters", *n_meta);
            rc = L2L_ENOMEM;
        }
    }
    sets_destroy(self);
    return rc;
}
