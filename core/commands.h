/* commands.h: the subcommands of `l2l`; each returns the exit status. */
#ifndef L2L_COMMANDS_H
#define L2L_COMMANDS_H

struct l2l_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command's name */
};

/* Table ending with name NULL. */
extern const struct l2l_command l2l_commands[];

int l2l_cmd_list(int argc, char **argv);
int l2l_cmd_describe(int argc, char **argv);
int l2l_cmd_run(int argc, char **argv);
int l2l_cmd_train(int argc, char **argv);
int l2l_cmd_plot(int argc, char **argv);
int l2l_cmd_bench(int argc, char **argv);
int l2l_cmd_checkpoint(int argc, char **argv);
int l2l_cmd_compare(int argc, char **argv);
#endif
