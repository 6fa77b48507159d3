/* main.c: the `l2l` command line; dispatches to the subcommands. Only
 * main() exits: everything below returns error codes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "commands.h"
#include "log.h"

static void usage(FILE *f)
{
    fputs("usage: l2l COMMAND [ARGS]\n"
          "  list                      plugins on the search path\n"
          "  describe NAME             a plugin's options table\n"
          "  run SUITE.ini [-o DIR] [--seed N] [-j N] [--quiet] [--require-figures]\n"
          "                            meta-train what is missing, evaluate, write CSV and figures\n"
          "  train SUITE.ini [-o DIR] [--seed N] [--quiet]\n"
          "                            meta-train the suite's learned optimizers\n"
          "  plot RESULTS_DIR|BENCH.csv [--require-figures] [-o OUT.png]\n"
          "                            render the figures again from the CSV files\n"
          "  bench [-o FILE.csv] [--quick] [--sizes N,...] [--only SECTION,...]\n"
          "                            throughput against this machine's sgemm and memcpy\n"
          "  help                      this text\n", f);
}

int main(int argc, char **argv)
{
    /* libgomp reads its environment when it loads, before main: idle
     * OpenMP workers spinning against OpenBLAS threads on a busy machine
     * made meta-training 5-15x slower (measured), so unless the user chose
     * a policy, start again with a passive one. */
    if (!getenv("OMP_WAIT_POLICY") && setenv("OMP_WAIT_POLICY", "passive", 1) == 0)
        execv("/proc/self/exe", argv); /* on failure, go on as we are */
    if (argc < 2) {
        usage(stderr);
        return L2L_EXIT_BADINPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    for (const struct l2l_command *c = l2l_commands; c->name; c++)
        if (!strcmp(c->name, cmd))
            return c->run(argc - 1, argv + 1);
    l2l_error("l2l: unknown command '%s' (try `l2l help`)", cmd);
    return L2L_EXIT_BADINPUT;
}
