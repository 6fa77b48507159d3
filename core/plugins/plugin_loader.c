/* plugin_loader.c: dlopen plugins, refuse a wrong ABI or missing hooks
 * before any hook is called. */
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
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
#define KIND_BIT(k) (1u << (k))

/* One folder of the search path and the kinds of plugin looked for in it:
 * the user's folders hold either kind, the built-in ones one each. */
struct search_dir {
    char *path;
    unsigned kinds;
    int user; /* from L2L_PLUGIN_PATH */
};

static const char *kind_dir(enum l2l_kind kind)
{
    return kind == L2L_OPTIMIZER ? "optimizers" : "optimizees";
}

static const char *kind_name(enum l2l_kind kind)
{
    return kind == L2L_OPTIMIZER ? "optimizer" : "optimizee";
}

/* Whether this process is the installed `l2l` ($(bindir)/l2l): then the
 * build tree, which may be gone or newer, is not searched. Tests, tools
 * and an l2l run from its build tree (or under valgrind) are not. */
int l2l_running_installed(void)
{
    struct stat self, inst;
    return stat("/proc/self/exe", &self) == 0 && stat(L2L_BINDIR "/l2l", &inst) == 0 &&
           self.st_dev == inst.st_dev && self.st_ino == inst.st_ino;
}

static int add_dir(struct search_dir *d, int n, int max, const char *path, unsigned kinds, int user)
{
    if (n >= max)
        return n;
    d[n].path = strdup(path);
    d[n].kinds = kinds;
    d[n].user = user;
    return d[n].path ? n + 1 : -1;
}

static void free_dirs(struct search_dir *d, int n)
{
    for (int k = 0; k < n; k++)
        free(d[k].path);
}

/* The search path, in order: each folder of $L2L_PLUGIN_PATH (both kinds),
 * then, when not running installed, the build tree, then $(pkglibdir).
 * The user's folders come first so that a plugin there can shadow a
 * built-in one (announced). Returns the count, or 0 out of memory. */
static int search_dirs(struct search_dir *d, int max)
{
    int n = 0;
    char buf[4096];
    const char *env = getenv("L2L_PLUGIN_PATH");
    while (env && *env && n >= 0) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        if (len > 0 && len < sizeof buf) {
            memcpy(buf, env, len);
            buf[len] = 0;
            n = add_dir(d, n, max, buf, KIND_BIT(L2L_OPTIMIZER) | KIND_BIT(L2L_OPTIMIZEE), 1);
        }
        env += len + (colon != NULL);
    }
    for (int kind = L2L_OPTIMIZER; kind <= L2L_OPTIMIZEE && n >= 0; kind++)
        if (!l2l_running_installed()) {
            l2l_fmt(buf, sizeof buf, "%s/%s/.libs", L2L_BUILD_PLUGIN_DIR, kind_dir(kind));
            n = add_dir(d, n, max, buf, KIND_BIT(kind), 0);
        }
    for (int kind = L2L_OPTIMIZER; kind <= L2L_OPTIMIZEE && n >= 0; kind++) {
        l2l_fmt(buf, sizeof buf, "%s/%s", L2L_PKGLIBDIR, kind_dir(kind));
        n = add_dir(d, n, max, buf, KIND_BIT(kind), 0);
    }
    if (n < 0) { /* strdup failed: drop everything */
        for (int k = 0; k < max && d[k].path; k++)
            free(d[k].path);
        return 0;
    }
    return n;
}

int l2l_plugin_dirs(enum l2l_kind kind, char **dirs, int max)
{
    struct search_dir d[MAX_DIRS] = {{0}};
    int nd = search_dirs(d, MAX_DIRS), n = 0;
    for (int k = 0; k < nd; k++) {
        if ((d[k].kinds & KIND_BIT(kind)) && n < max) {
            dirs[n++] = d[k].path;
            d[k].path = NULL;
        }
    }
    free_dirs(d, nd);
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

/* Says once per plugin that a folder of L2L_PLUGIN_PATH shadows a plugin
 * found later on the path, so that results are never silently made with
 * another plugin than the built-in one. */
static void announce_shadow(enum l2l_kind kind, const char *name, const char *path,
                            const char *shadowed)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char said[16][64];
    static int n_said;
    char key[64];
    l2l_fmt(key, sizeof key, "%d:%s", (int)kind, name);
    pthread_mutex_lock(&lock);
    int seen = 0;
    for (int k = 0; k < n_said && !seen; k++)
        seen = !strcmp(said[k], key);
    if (!seen && n_said < 16)
        memcpy(said[n_said++], key, sizeof key);
    pthread_mutex_unlock(&lock);
    if (!seen)
        l2l_warn("l2l: %s plugin '%s' from L2L_PLUGIN_PATH: %s (it shadows %s)", kind_name(kind),
                 name, path, shadowed);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The first NAME.so of kind on the search path (see search_dirs); a
 * NAME.so of the other kind in a user's folder is passed over. Returns 0
 * with p loaded, 1 when there is none (2 when only one of the other kind,
 * err saying so), < 0 with err when the one found cannot be used. */
static int find_open(enum l2l_kind kind, const char *name, struct l2l_plugin *p, char *err,
                     size_t errlen)
{
    struct search_dir d[MAX_DIRS] = {{0}};
    int nd = search_dirs(d, MAX_DIRS), rc = 1;
    char path[4096];
    for (int k = 0; k < nd && rc > 0; k++) {
        if (!(d[k].kinds & KIND_BIT(kind)))
            continue;
        l2l_fmt(path, sizeof path, "%s/%s.so", d[k].path, name);
        if (!file_exists(path))
            continue;
        int r = l2l_plugin_open_file(path, p, err, errlen);
        if (r < 0) {
            rc = r;
        } else if (p->kind != kind) { /* a user's folder holds both kinds */
            if (rc == 1)
                l2l_fmt(err, errlen, "%s: is an %s plugin, expected an %s", path,
                        kind_name(p->kind), kind_name(kind));
            rc = 2;
            l2l_plugin_close(p);
        } else {
            rc = 0;
            for (int j = k + 1; j < nd && d[k].user; j++) {
                char later[4096];
                l2l_fmt(later, sizeof later, "%s/%s.so", d[j].path, name);
                if ((d[j].kinds & KIND_BIT(kind)) && file_exists(later)) {
                    announce_shadow(kind, name, path, later);
                    break;
                }
            }
        }
    }
    free_dirs(d, nd);
    if (rc == 0 && strcmp(l2l_plugin_name(p), name)) {
        l2l_fmt(err, errlen, "%s: declares the name '%s', expected '%s'", p->path,
                l2l_plugin_name(p), name);
        l2l_plugin_close(p);
        return L2L_EPLUGIN;
    }
    return rc;
}

int l2l_plugin_open(enum l2l_kind kind, const char *name, struct l2l_plugin *p,
                    char *err, size_t errlen)
{
    if (strchr(name, '/')) {
        int rc = l2l_plugin_open_file(name, p, err, errlen);
        if (rc == 0 && p->kind != kind) {
            l2l_fmt(err, errlen, "%s: is an %s plugin, expected an %s", p->path,
                    kind_name(p->kind), kind_name(kind));
            l2l_plugin_close(p);
            return L2L_EPLUGIN;
        }
        return rc;
    }
    /* a plugin name is a file name on the search path: no "..", no spaces */
    if (l2l_name_check(name, err, errlen, "%s", "") < 0) {
        memset(p, 0, sizeof *p);
        return L2L_EPLUGIN;
    }
    int rc = find_open(kind, name, p, err, errlen);
    if (rc == 1)
        l2l_fmt(err, errlen, "no %s plugin '%s' on the search path (see `l2l list`; set L2L_PLUGIN_PATH for plugins elsewhere)",
                kind_name(kind), name);
    return rc > 0 ? L2L_EPLUGIN : rc;
}

int l2l_plugin_open_any(const char *name, struct l2l_plugin *p, char *err, size_t errlen)
{
    if (strchr(name, '/'))
        return l2l_plugin_open_file(name, p, err, errlen);
    if (l2l_name_check(name, err, errlen, "%s", "") < 0) {
        memset(p, 0, sizeof *p);
        return L2L_EPLUGIN;
    }
    int rc = find_open(L2L_OPTIMIZER, name, p, err, errlen);
    if (rc <= 0)
        return rc;
    rc = find_open(L2L_OPTIMIZEE, name, p, err, errlen);
    if (rc > 0)
        l2l_fmt(err, errlen, "no plugin '%s' on the search path, optimizer or optimizee (see `l2l list`; set L2L_PLUGIN_PATH for plugins elsewhere)",
                name);
    return rc > 0 ? L2L_EPLUGIN : rc;
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

/* One line of `l2l list`: the first NAME.so of a kind on the search path,
 * and the next one it shadows. Files on L2L_PLUGIN_PATH that do not load
 * have no kind (kind < 0). */
struct listed {
    int kind;
    char *name, *path, *shadows, *err;
};

static int listed_cmp(const void *a, const void *b)
{
    const struct listed *x = a, *y = b;
    return x->kind != y->kind ? x->kind - y->kind : strcmp(x->name, y->name);
}

/* Adds dir/file (a .so) to the list; returns < 0 out of memory. */
static int list_add(struct listed *l, int *n, int max, const struct search_dir *d,
                    const char *file)
{
    size_t len = strlen(file);
    char path[4096], err[L2L_ERRLEN] = "";
    l2l_fmt(path, sizeof path, "%s/%s", d->path, file);
    int kind = d->kinds == KIND_BIT(L2L_OPTIMIZER) ? L2L_OPTIMIZER
             : d->kinds == KIND_BIT(L2L_OPTIMIZEE) ? L2L_OPTIMIZEE : -1;
    if (kind < 0) { /* a user's folder: the file says which kind it is */
        struct l2l_plugin p;
        if (l2l_plugin_open_file(path, &p, err, sizeof err) == 0) {
            kind = (int)p.kind;
            l2l_plugin_close(&p);
        }
    }
    for (int j = 0; j < *n; j++)
        if (l[j].kind == kind && strlen(l[j].name) == len - 3 && !strncmp(l[j].name, file, len - 3)) {
            if (!l[j].shadows && !(l[j].shadows = strdup(path)))
                return L2L_ENOMEM;
            return 0;
        }
    if (*n >= max)
        return 0;
    struct listed *e = &l[(*n)++];
    e->kind = kind;
    e->name = strndup(file, len - 3);
    e->path = strdup(path);
    e->shadows = NULL;
    e->err = kind < 0 ? strdup(err) : NULL;
    return e->name && e->path && (kind >= 0 || e->err) ? 0 : L2L_ENOMEM;
}

static void list_print(FILE *f, const struct listed *e)
{
    if (e->err) {
        fprintf(f, "  %-12s (broken: %s)\n", e->name, e->err);
        return;
    }
    struct l2l_plugin p;
    char err[L2L_ERRLEN];
    int rc = l2l_plugin_open_file(e->path, &p, err, sizeof err);
    if (rc == 0 && strcmp(l2l_plugin_name(&p), e->name)) {
        l2l_fmt(err, sizeof err, "%s: declares the name '%s', expected '%s'", e->path,
                l2l_plugin_name(&p), e->name);
        l2l_plugin_close(&p);
        rc = L2L_EPLUGIN;
    }
    if (rc < 0) {
        fprintf(f, "  %-12s (broken: %s)\n", e->name, err);
        return;
    }
    fprintf(f, "  %-12s %s  (%s%s%s)\n", e->name, l2l_plugin_description(&p), e->path,
            e->shadows ? "; shadows " : "", e->shadows ? e->shadows : "");
    l2l_plugin_close(&p);
}

/* Every folder is read once; a user's folder lists each plugin under its
 * own kind. The first of each kind and name wins, as when loading. */
void l2l_plugin_list(FILE *f)
{
    struct search_dir d[MAX_DIRS] = {{0}};
    struct listed l[512];
    int nd = search_dirs(d, MAX_DIRS), n = 0, rc = 0;
    for (int k = 0; k < nd && rc == 0; k++) {
        DIR *dir = opendir(d[k].path);
        struct dirent *e;
        while (dir && rc == 0 && (e = readdir(dir))) {
            size_t len = strlen(e->d_name);
            if (len >= 4 && !strcmp(e->d_name + len - 3, ".so"))
                rc = list_add(l, &n, (int)(sizeof l / sizeof l[0]), &d[k], e->d_name);
        }
        if (dir)
            closedir(dir);
    }
    static const char *const heading[] = {"not loadable (on L2L_PLUGIN_PATH)", "optimizers", "optimizees"};
    if (rc < 0)
        l2l_error("l2l: out of memory listing the plugins");
    else
        qsort(l, (size_t)n, sizeof *l, listed_cmp);
    for (int kind = L2L_OPTIMIZER; kind <= L2L_OPTIMIZEE && rc == 0; kind++) {
        fprintf(f, "%s:\n", heading[kind + 1]);
        for (int j = 0; j < n; j++)
            if (l[j].kind == kind)
                list_print(f, &l[j]);
    }
    if (rc == 0 && n && l[0].kind < 0) {
        fprintf(f, "%s:\n", heading[0]);
        for (int j = 0; j < n && l[j].kind < 0; j++)
            list_print(f, &l[j]);
    }
    for (int j = 0; j < n; j++) {
        free(l[j].name);
        free(l[j].path);
        free(l[j].shadows);
        free(l[j].err);
    }
    free_dirs(d, nd);
}

int l2l_optimizee_groups(const struct l2l_optimizee_ops *obj, const void *family, size_t n,
                         struct l2l_group *all, const struct l2l_group **groups)
{
    *all = (struct l2l_group){"all", 0, n};
    *groups = NULL;
    int n_groups = obj->groups ? obj->groups(family, groups) : 0;
    if (n_groups <= 0) {
        *groups = all;
        n_groups = 1;
    }
    return n_groups;
}
