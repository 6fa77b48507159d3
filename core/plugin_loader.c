/* plugin_loader.c: dlopen plugins, refuse a wrong ABI or missing hooks
 * before any hook is called. */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "infile.h"
#include "log.h"
#include "options.h"
#include "names.h"
#include "plugin_loader.h"

#define MAX_DIRS 32

static const char *kind_dir(enum l2l_kind kind)
{
    return kind == L2L_OPTIMIZER ? "optimizers" : "optimizees";
}

int l2l_plugin_dirs(enum l2l_kind kind, char **dirs, int max)
{
    int n = 0;
    char buf[4096];
    l2l_fmt(buf, sizeof buf, "%s/%s/.libs", L2L_BUILD_PLUGIN_DIR, kind_dir(kind));
    if (n < max) dirs[n++] = strdup(buf);
    l2l_fmt(buf, sizeof buf, "%s/%s", L2L_PKGLIBDIR, kind_dir(kind));
    if (n < max) dirs[n++] = strdup(buf);
    const char *env = getenv("L2L_PLUGIN_PATH");
    while (env && *env && n < max) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        if (len > 0 && len < sizeof buf) {
            memcpy(buf, env, len);
            buf[len] = 0;
            dirs[n++] = strdup(buf);
        }
        env += len + (colon != NULL);
    }
    for (int k = 0; k < n; k++)
        if (!dirs[k]) { /* strdup failed: drop everything */
            l2l_plugin_dirs_free(dirs, n);
            return 0;
        }
    return n;
}

void l2l_plugin_dirs_free(char **dirs, int n)
{
    for (int k = 0; k < n; k++)
        free(dirs[k]);
}

static int missing(const char *path, const char *what, char *err, size_t errlen)
{
    l2l_fmt(err, errlen, "%s: no %s (a required member of the plugin vtable is NULL)", path, what);
    return L2L_EPLUGIN;
}

#define REQUIRE(ops, member, path) \
    do { if (!(ops)->member) return missing(path, #member, err, errlen); } while (0)

static int check_optimizer(const struct l2l_optimizer_ops *o, const char *path,
                           char *err, size_t errlen)
{
    REQUIRE(o, name, path); REQUIRE(o, version, path); REQUIRE(o, description, path);
    REQUIRE(o, options, path); REQUIRE(o, create, path); REQUIRE(o, destroy, path);
    REQUIRE(o, reset, path); REQUIRE(o, step, path);
    if (o->learned) {
        const struct l2l_learned_ops *l = o->learned;
        REQUIRE(l, n_meta, path); REQUIRE(l, meta, path); REQUIRE(l, meta_init, path);
        REQUIRE(l, shape, path); REQUIRE(l, shape_names, path); REQUIRE(l, tape_begin, path);
        REQUIRE(l, step_record, path); REQUIRE(l, backward, path);
    }
    return 0;
}

static int check_optimizee(const struct l2l_optimizee_ops *o, const char *path,
                           char *err, size_t errlen)
{
    REQUIRE(o, name, path); REQUIRE(o, version, path); REQUIRE(o, description, path);
    REQUIRE(o, options, path); REQUIRE(o, open, path); REQUIRE(o, close, path);
    REQUIRE(o, n_params, path); REQUIRE(o, problem_new, path);
    REQUIRE(o, problem_free, path); REQUIRE(o, loss_grad, path);
    return 0;
}

/* Letters, digits, '-', '_', '.', 1 to 63 of them: what a suite can name
 * and what goes into the results' CSV files and file names unchanged. */
static int tame(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > 63)
        return 0;
    for (; *n; n++)
        if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
              *n == '-' || *n == '_' || *n == '.'))
            return 0;
    return 1;
}

/* What the plugin declares and the results repeat (its name, version,
 * option names, defaults, tunable option), checked when it is loaded: a
 * plugin that could only fail once results are written is refused now. */
static int check_declared(const char *name, const char *version, const struct l2l_option *table,
                          const char *tunable, const char *path, char *err, size_t errlen)
{
    (void)version; /* checked by check_strings, with the name */
    int tunable_ok = tunable == NULL;
    for (int k = 0; table[k].name; k++) {
        const struct l2l_option *o = &table[k];
        if (!tame(o->name)) {
            l2l_fmt(err, errlen, "%s: plugin '%s': option name '%s': expected 1 to 63 letters, "
                    "digits, '-', '_' or '.'", path, name, o->name);
            return L2L_EPLUGIN;
        }
        struct l2l_value v;
        char why[L2L_ERRLEN];
        memset(&v, 0, sizeof v);
        if (o->def && l2l_option_parse(o, o->def, &v, why, sizeof why) < 0) {
            l2l_fmt(err, errlen, "%s: plugin '%s': default of option '%s': %s", path, name,
                    o->name, why);
            return L2L_EPLUGIN;
        }
        free((char *)v.s);
        if (tunable && !strcmp(tunable, o->name))
            tunable_ok = o->type == L2L_OPT_REAL;
    }
    if (!tunable_ok) {
        l2l_fmt(err, errlen, "%s: plugin '%s': tunable names '%s', expected one of its real options",
                path, name, tunable);
        return L2L_EPLUGIN;
    }
    return 0;
}

/* The plugin's name and tunable go into file names, CSV columns and
 * scripts, its version into manifest.ini: a name must be a name (names.h),
 * the version one line. */
static int check_strings(const void *sym, enum l2l_kind kind, const char *path, char *err,
                         size_t errlen)
{
    const struct l2l_optimizer_ops *o = kind == L2L_OPTIMIZER ? sym : NULL;
    const struct l2l_optimizee_ops *b = kind == L2L_OPTIMIZEE ? sym : NULL;
    const char *name = o ? o->name : b->name, *version = o ? o->version : b->version;
    if (l2l_name_check(name, err, errlen, "%s: the vtable's name:", path) < 0)
        return L2L_EPLUGIN;
    if (o && o->tunable && l2l_name_check(o->tunable, err, errlen, "%s: tunable:", path) < 0)
        return L2L_EPLUGIN;
    for (const char *p = version; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            char shown[96];
            l2l_show(shown, sizeof shown, version);
            l2l_fmt(err, errlen, "%s: version '%s': expected one line of printable text", path, shown);
            return L2L_EPLUGIN;
        }
    return 0;
}

/* Whether path begins with the ELF magic; decides which hint to give
 * when dlopen fails (ldd only helps with a real shared object). */
static int has_elf_magic(const char *path)
{
    unsigned char m[4] = {0};
    FILE *f;
    char why[L2L_ERRLEN];
    if (l2l_fopen_input(path, &f, NULL, why, sizeof why) < 0)
        return 0;
    size_t got = fread(m, 1, sizeof m, f);
    fclose(f);
    return got == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
}

int l2l_plugin_open_file(const char *path, struct l2l_plugin *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    /* dlopen would wait forever on a FIFO: regular files only. */
    char why[L2L_ERRLEN];
    int fd = l2l_open_input(path, NULL, why, sizeof why);
    if (fd == L2L_EINPUT) {
        l2l_fmt(err, errlen, "cannot load plugin: %s (expected a shared object built against <l2l/plugin.h>)", why);
        return L2L_EPLUGIN;
    }
    if (fd >= 0)
        close(fd);
    /* NODELETE: a plugin that runs OpenMP (or BLAS) threads may leave idle
     * workers parked in its libraries; unmapping them under those threads
     * crashes. The symbols stay local; only the mapping outlives dlclose. */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!h) {
        /* dlerror names the file; the hint depends on why it failed */
        const char *why = dlerror();
        if (!has_elf_magic(path))
            l2l_fmt(err, errlen, "cannot load plugin: %s (expected a shared object built against <l2l/plugin.h>)",
                    why);
        else
            l2l_fmt(err, errlen, "cannot load plugin: %s (a missing dependency is the most common cause; try ldd %s)",
                    why, path);
        return L2L_EPLUGIN;
    }
    const int *abi = NULL;
    enum l2l_kind kind = L2L_OPTIMIZER;
    void *sym = dlsym(h, L2L_OPTIMIZER_SYMBOL);
    if (!sym) {
        sym = dlsym(h, L2L_OPTIMIZEE_SYMBOL);
        kind = L2L_OPTIMIZEE;
    }
    if (!sym) {
        l2l_fmt(err, errlen, "%s: exports neither '%s' nor '%s': not an l2l-bench plugin",
                path, L2L_OPTIMIZER_SYMBOL, L2L_OPTIMIZEE_SYMBOL);
        dlclose(h);
        return L2L_EPLUGIN;
    }
    abi = (const int *)sym; /* abi_version is the first member of both vtables */
    if (*abi != L2L_ABI_VERSION) {
        l2l_fmt(err, errlen, "%s: bad plugin ABI version %d (want %d): rebuild it against this l2l/plugin.h",
                path, *abi, L2L_ABI_VERSION);
        dlclose(h);
        return L2L_EPLUGIN;
    }
    int rc = kind == L2L_OPTIMIZER ? check_optimizer(sym, path, err, errlen)
                                   : check_optimizee(sym, path, err, errlen);
    if (rc == 0)
        rc = check_strings(sym, kind, path, err, errlen);
    if (rc == 0 && kind == L2L_OPTIMIZER) {
        const struct l2l_optimizer_ops *o = sym;
        rc = check_declared(o->name, o->version, o->options, o->tunable, path, err, errlen);
    } else if (rc == 0) {
        const struct l2l_optimizee_ops *o = sym;
        rc = check_declared(o->name, o->version, o->options, NULL, path, err, errlen);
    }
    if (rc < 0) {
        dlclose(h);
        return rc;
    }
    p->path = strdup(path);
    if (!p->path) {
        dlclose(h);
        l2l_fmt(err, errlen, "out of memory");
        return L2L_ENOMEM;
    }
    p->kind = kind;
    p->handle = h;
    if (kind == L2L_OPTIMIZER)
        p->u.opt = sym;
    else
        p->u.obj = sym;
    return 0;
}

int l2l_plugin_open(enum l2l_kind kind, const char *name, struct l2l_plugin *p,
                    char *err, size_t errlen)
{
    int rc;
    if (strchr(name, '/')) {
        rc = l2l_plugin_open_file(name, p, err, errlen);
    } else if (l2l_name_check(name, err, errlen, "%s", "") < 0) {
        /* a plugin name is a file name on the search path: no "..", no spaces */
        memset(p, 0, sizeof *p);
        return L2L_EPLUGIN;
    } else {
        char *dirs[MAX_DIRS];
        int nd = l2l_plugin_dirs(kind, dirs, MAX_DIRS);
        rc = 1;
        for (int k = 0; k < nd && rc > 0; k++) {
            char path[4096];
            struct stat st;
            l2l_fmt(path, sizeof path, "%s/%s.so", dirs[k], name);
            if (stat(path, &st) == 0)
                rc = l2l_plugin_open_file(path, p, err, errlen);
        }
        l2l_plugin_dirs_free(dirs, nd);
        if (rc > 0) {
            l2l_fmt(err, errlen, "no %s plugin '%s' on the search path (see `l2l list`; set L2L_PLUGIN_PATH for plugins elsewhere)",
                    kind == L2L_OPTIMIZER ? "optimizer" : "optimizee", name);
            return L2L_EPLUGIN;
        }
    }
    if (rc == 0 && p->kind != kind) {
        l2l_fmt(err, errlen, "%s: is an %s plugin, expected an %s", p->path,
                p->kind == L2L_OPTIMIZER ? "optimizer" : "optimizee",
                kind == L2L_OPTIMIZER ? "optimizer" : "optimizee");
        l2l_plugin_close(p);
        return L2L_EPLUGIN;
    }
    if (rc == 0 && strcmp(l2l_plugin_name(p), name) && !strchr(name, '/')) {
        l2l_fmt(err, errlen, "%s: declares the name '%s', expected '%s'", p->path,
                l2l_plugin_name(p), name);
        l2l_plugin_close(p);
        return L2L_EPLUGIN;
    }
    return rc;
}

void l2l_plugin_close(struct l2l_plugin *p)
{
    if (p->handle)
        dlclose(p->handle);
    free(p->path);
    memset(p, 0, sizeof *p);
}

const struct l2l_option *l2l_plugin_options(const struct l2l_plugin *p)
{
    return p->kind == L2L_OPTIMIZER ? p->u.opt->options : p->u.obj->options;
}
const char *l2l_plugin_name(const struct l2l_plugin *p)
{
    return p->kind == L2L_OPTIMIZER ? p->u.opt->name : p->u.obj->name;
}
const char *l2l_plugin_version(const struct l2l_plugin *p)
{
    return p->kind == L2L_OPTIMIZER ? p->u.opt->version : p->u.obj->version;
}
const char *l2l_plugin_description(const struct l2l_plugin *p)
{
    return p->kind == L2L_OPTIMIZER ? p->u.opt->description : p->u.obj->description;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists one kind: the first plugin of each name wins, as when loading. */
static void list_kind(FILE *f, enum l2l_kind kind)
{
    char *dirs[MAX_DIRS], *seen[256];
    int nd = l2l_plugin_dirs(kind, dirs, MAX_DIRS), ns = 0;
    for (int k = 0; k < nd; k++) {
        DIR *d = opendir(dirs[k]);
        struct dirent *e;
        while (d && (e = readdir(d)) && ns < 256) {
            size_t len = strlen(e->d_name);
            if (len < 4 || strcmp(e->d_name + len - 3, ".so"))
                continue;
            char *name = strndup(e->d_name, len - 3);
            int dup = 0;
            for (int j = 0; name && j < ns; j++)
                dup |= !strcmp(seen[j], name);
            if (!name || dup) {
                free(name);
                continue;
            }
            seen[ns++] = name;
        }
        if (d)
            closedir(d);
    }
    qsort(seen, (size_t)ns, sizeof *seen, name_cmp);
    fprintf(f, "%s:\n", kind == L2L_OPTIMIZER ? "optimizers" : "optimizees");
    for (int j = 0; j < ns; j++) {
        struct l2l_plugin p;
        char err[L2L_ERRLEN];
        if (l2l_plugin_open(kind, seen[j], &p, err, sizeof err) == 0) {
            fprintf(f, "  %-12s %s  (%s)\n", seen[j], l2l_plugin_description(&p), p.path);
            l2l_plugin_close(&p);
        } else {
            fprintf(f, "  %-12s (broken: %s)\n", seen[j], err);
        }
        free(seen[j]);
    }
    l2l_plugin_dirs_free(dirs, nd);
}

void l2l_plugin_list(FILE *f)
{
    list_kind(f, L2L_OPTIMIZER);
    list_kind(f, L2L_OPTIMIZEE);
}
