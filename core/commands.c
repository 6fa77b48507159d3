/* commands.c: the table of `l2l` subcommands. */
#include <stddef.h>
#include "commands.h"

const struct l2l_command l2l_commands[] = {
    {"list", l2l_cmd_list},
    {"describe", l2l_cmd_describe},
    {"run", l2l_cmd_run},
    {"train", l2l_cmd_train},
    {"plot", l2l_cmd_plot},
    {"bench", l2l_cmd_bench},
    {"checkpoint", l2l_cmd_checkpoint},
    {"compare", l2l_cmd_compare},
    {NULL, NULL},
};
