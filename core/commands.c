/* commands.c: the table of `l2l` subcommands. */
#include <stddef.h>
#include "commands.h"

const struct l2l_command l2l_commands[] = {
    {"list", l2l_cmd_list},
    {"describe", l2l_cmd_describe},
    {NULL, NULL},
};
