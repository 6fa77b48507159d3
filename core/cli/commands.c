/* commands.c: the table of `l2l` subcommands, with the text of their
 * --help. The manual page (docs/l2l.1) says the same at length; the test
 * tests/robust/cli.sh checks that it names every command and option here. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"

#define COMMON_OPTIONS \
    "  -h, --help            this text\n" \
    "      --version         version, revision and build options\n"

#define RUN_OPTIONS \
    "  -o, --output DIR      results folder (default results/NAME, NAME from [suite])\n" \
    "      --seed N          seed instead of the suite's (every random stream derives from it)\n"

const struct l2l_command l2l_commands[] = {
    {"list", l2l_cmd_list, "", "plugins on the search path", NULL},
    {"describe", l2l_cmd_describe, "NAME", "a plugin's options: type, default, range, help", NULL},
    {"run", l2l_cmd_run, "SUITE.ini [-o DIR] [--seed N] [-j N] [--quiet] [--require-figures]",
     "meta-train what is missing, evaluate, write CSV, figures and report",
     RUN_OPTIONS
     "  -j, --jobs N          runs at once, in threads (1 to 64; default 1)\n"
     "  -q, --quiet           no progress messages\n"
     "      --require-figures exit 1 when gnuplot cannot draw the figures\n"},
    {"train", l2l_cmd_train, "SUITE.ini [-o DIR] [--seed N] [--quiet]",
     "meta-train the suite's learned optimizers (logs in DIR)",
     RUN_OPTIONS
     "  -q, --quiet           no progress messages\n"},
    {"plot", l2l_cmd_plot, "RESULTS_DIR|BENCH.csv [--require-figures] [-o OUT.png]",
     "figures and report again, from the CSV files alone",
     "      --require-figures exit 1 when gnuplot cannot draw the figures\n"
     "  -o OUT.png            the figure of a BENCH.csv (default: beside it)\n"},
    {"bench", l2l_cmd_bench, "[--file BENCH.ini] [-o FILE.csv] [--quick] [--sizes N,...] [--only SECTION,...] [--quiet]",
     "throughput against this machine's sgemm and memcpy",
     "      --file BENCH.ini  what to time (default: the shipped bench/default.ini)\n"
     "  -o, --output FILE.csv the rows as CSV (default results/bench/bench.csv)\n"
     "      --quick           smaller sizes and fewer repetitions\n"
     "      --sizes N,...     parameter counts to measure (default 1280,15910,1000000)\n"
     "      --only SECTION,...  among tape,memory,second,refs,learned,hand,fwdbwd,trajectory\n"
     "      --quiet           no progress messages\n"},
    {"checkpoint", l2l_cmd_checkpoint, "show PATH... | upgrade SUITE [--log OPTIMIZER=META.csv | --seconds OPTIMIZER=S]...",
     "what a checkpoint holds (options, finished or not, cost); re-save format 1 checkpoints as format 2",
     "  show PATH...          plugin, shape, the options that change the update, status, cost, note\n"
     "  upgrade SUITE         the suite's format 1 checkpoints as format 2, marked finished\n"
     "      --log OPTIMIZER=META.csv  the cost from that optimizer's meta-training log\n"
     "      --seconds OPTIMIZER=S     or its documented wall time\n"},
    {"compare", l2l_cmd_compare, "OLD_DIR NEW_DIR [--tolerance T]",
     "exit 1 when an optimizer got worse than in OLD_DIR (a regression gate)",
     "      --tolerance T     worse means the 95 % interval of NEW / OLD lies above 1 + T (default 0.05)\n"},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct l2l_command *l2l_command_find(const char *name)
{
    for (const struct l2l_command *c = l2l_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

void l2l_usage(FILE *f)
{
    fputs("usage: l2l COMMAND [ARGS]\n", f);
    for (const struct l2l_command *c = l2l_commands; c->name; c++) {
        char line[160];
        snprintf(line, sizeof line, "  %s %s", c->name, c->args);
        if (strlen(line) < 28)
            fprintf(f, "%-28s%s\n", line, c->summary);
        else
            fprintf(f, "%s\n%28s%s\n", line, "", c->summary);
    }
    fputs("  help [COMMAND]            this text, or a command's options\n"
          "  COMMAND --help            a command's options (also -h)\n"
          "  --version                 version, revision and build options\n"
          "Plugins: L2L_PLUGIN_PATH first, then the installed ones. Manual: man l2l.\n",
          f);
}

void l2l_command_help(const struct l2l_command *c, FILE *f)
{
    fprintf(f, "usage: l2l %s%s%s\n%s\n", c->name, c->args[0] ? " " : "", c->args, c->summary);
    fputs("options:\n", f);
    if (c->options)
        fputs(c->options, f);
    fputs(COMMON_OPTIONS, f);
}
