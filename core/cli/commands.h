/* commands.h: the subcommands of `l2l`; each returns the exit status. */
#ifndef L2L_COMMANDS_H
#define L2L_COMMANDS_H
#include <stdio.h>

struct l2l_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command's name */
    const char *args;    /* what follows the name in the usage line */
    const char *summary; /* one line for `l2l help` */
    const char *options; /* option lines for `l2l COMMAND --help`, or NULL */
};

/* Table ending with name NULL. */
extern const struct l2l_command l2l_commands[];
const struct l2l_command *l2l_command_find(const char *name);

/* `l2l help`: every command with its arguments. */
void l2l_usage(FILE *f);
/* `l2l COMMAND --help`: its usage line, summary and options. */
void l2l_command_help(const struct l2l_command *c, FILE *f);
/* `l2l --version`: version, revision, plugin ABI and build options. */
void l2l_version(FILE *f);

int l2l_cmd_list(int argc, char **argv);
int l2l_cmd_describe(int argc, char **argv);
int l2l_cmd_run(int argc, char **argv);
int l2l_cmd_train(int argc, char **argv);
int l2l_cmd_plot(int argc, char **argv);
int l2l_cmd_bench(int argc, char **argv);
int l2l_cmd_checkpoint(int argc, char **argv);
int l2l_cmd_compare(int argc, char **argv);
#endif
