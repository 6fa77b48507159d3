/* plugin_loader.h: find plugins on the search path, dlopen them, check
 * the ABI version and the required hooks. */
#ifndef L2L_PLUGIN_LOADER_H
#define L2L_PLUGIN_LOADER_H
#include <stdio.h>
#include "l2l/plugin.h"

enum l2l_kind { L2L_OPTIMIZER, L2L_OPTIMIZEE };

struct l2l_plugin {
    enum l2l_kind kind;
    char *path;   /* the .so loaded */
    void *handle; /* dlopen handle, closed by l2l_plugin_close */
    union {
        const struct l2l_optimizer_ops *opt;
        const struct l2l_optimizee_ops *obj;
    } u;
};

/* Directories searched for kind, in order: each entry of $L2L_PLUGIN_PATH
 * (colon-separated; either kind), the build tree (only when this is not the
 * installed l2l), then $(pkglibdir)/KIND. A plugin on L2L_PLUGIN_PATH that
 * shadows a later one is announced on stderr when loaded. Returns the count
 * written into dirs (each malloc'd; free with l2l_plugin_dirs_free). */
int l2l_plugin_dirs(enum l2l_kind kind, char **dirs, int max);
void l2l_plugin_dirs_free(char **dirs, int n);

/* Loads NAME of the given kind from the search path, or from a path when
 * name contains '/'. On failure returns < 0 with a one-line message in err
 * naming the file and what is wrong. */
int l2l_plugin_open(enum l2l_kind kind, const char *name, struct l2l_plugin *p,
                    char *err, size_t errlen);
/* Loads NAME as an optimizer, else as an optimizee (`l2l describe`); err
 * gives the real reason when one is found but cannot be used. */
int l2l_plugin_open_any(const char *name, struct l2l_plugin *p, char *err, size_t errlen);
/* Loads a plugin from an explicit file (either kind). */
int l2l_plugin_open_file(const char *path, struct l2l_plugin *p, char *err, size_t errlen);
void l2l_plugin_close(struct l2l_plugin *p);
/* Whether this process is the installed `l2l` ($(bindir)/l2l), not one in
 * its build tree (or a test): then the build and source trees are not
 * searched (plugins here, the default bench file in bench_file.c). */
int l2l_running_installed(void);

/* Prints every plugin on the search path with its description, each under
 * its kind, and what it shadows. */
void l2l_plugin_list(FILE *f);

/* Options table, name, version and description, whatever the kind. */
const struct l2l_option *l2l_plugin_options(const struct l2l_plugin *p);
const char *l2l_plugin_name(const struct l2l_plugin *p);
const char *l2l_plugin_version(const struct l2l_plugin *p);
const char *l2l_plugin_description(const struct l2l_plugin *p);

/* The parameter groups of an optimizee family of n coordinates: its groups
 * hook's, or the one group `all` (written into *all, which the caller keeps
 * while it uses *groups) when it has no hook or the hook gives none.
 * Returns how many, at least 1. */
int l2l_optimizee_groups(const struct l2l_optimizee_ops *obj, const void *family, size_t n,
                         struct l2l_group *all, const struct l2l_group **groups);
#endif
