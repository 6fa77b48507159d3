/* cmd_plugins.c: `l2l list` and `l2l describe NAME`. */
#include <stdio.h>
#include "commands.h"
#include "log.h"
#include "options.h"
#include "plugin_loader.h"

int l2l_cmd_list(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        l2l_error("l2l list: takes no arguments");
        return L2L_EXIT_BADINPUT;
    }
    l2l_plugin_list(stdout);
    return 0;
}

int l2l_cmd_describe(int argc, char **argv)
{
    if (argc != 2) {
        l2l_error("l2l describe: expected one plugin name (see `l2l list`)");
        return L2L_EXIT_BADINPUT;
    }
    struct l2l_plugin p;
    char err[L2L_ERRLEN];
    if (l2l_plugin_open_any(argv[1], &p, err, sizeof err) < 0) {
        l2l_error("l2l describe: %s", err);
        return L2L_EXIT_BADINPUT;
    }
    printf("%s %s (%s plugin, %s)\n  %s\n", l2l_plugin_name(&p), l2l_plugin_version(&p),
           p.kind == L2L_OPTIMIZER ? "optimizer" : "optimizee", p.path,
           l2l_plugin_description(&p));
    if (p.kind == L2L_OPTIMIZER && p.u.opt->tunable)
        printf("  tunable: %s (give a list or logspace(LO, HI, N) in a suite to tune it)\n",
               p.u.opt->tunable);
    if (p.kind == L2L_OPTIMIZER && p.u.opt->learned)
        printf("  learned: meta-trained by `l2l train`; also takes the meta-training keys (see README)\n");
    l2l_options_print(stdout, l2l_plugin_options(&p));
    l2l_plugin_close(&p);
    return 0;
}
