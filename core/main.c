/* main.c: the `l2l` command line; dispatches to the subcommands. Only
 * main() exits: everything below returns error codes. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "log.h"

/* OpenMP workers' spin between parallel regions (see main). */
#define L2L_GOMP_SPINCOUNT "3000"

/* Whether /proc/self/exe is this program as argv[0] names it: not so
 * under valgrind or `ld.so ./l2l`, where it is the tool or the loader. */
static int self_is_argv0(const char *argv0)
{
    if (!argv0)
        return 0;
    if (strchr(argv0, '/')) {
        struct stat a, b;
        return stat("/proc/self/exe", &a) == 0 && stat(argv0, &b) == 0 &&
               a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    }
    char path[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
    if (len <= 0)
        return 0;
    path[len] = '\0';
    const char *base = strrchr(path, '/');
    return strcmp(base ? base + 1 : path, argv0) == 0;
}

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
          "  checkpoint show PATH...   what a checkpoint holds: options, finished or not, cost\n"
          "  checkpoint upgrade SUITE [--log OPTIMIZER=META.csv | --seconds OPTIMIZER=S]...\n"
          "                            re-save a suite's format 1 checkpoints as format 2\n"
          "  compare OLD_DIR NEW_DIR [--tolerance T]\n"
          "                            exit 1 when an optimizer got worse (a regression gate)\n"
          "  help                      this text\n", f);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define L2L_HAS_ASAN 1
#endif
#endif
#ifndef L2L_HAS_ASAN
#define L2L_HAS_ASAN 0
#endif

/* Set when main returns: an exit() before that came from a library. */
static int main_returned;

/* OpenBLAS, out of memory, prints "Program is Terminated" on stdout and
 * calls exit(1): say so on stderr. _exit, because its own shutdown then
 * joins a thread that retries the allocation for ever. */
static void library_exit(void)
{
    if (main_returned)
        return;
    fflush(stdout);
    fputs("l2l: out of memory (a library ended the program; OpenBLAS does so when an allocation "
          "fails)\n", stderr);
    _exit(L2L_EXIT_NOMEM);
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
    atexit(library_exit);
    int status = run(argc, argv);
    main_returned = 1;
#if !defined(__SANITIZE_ADDRESS__) && !L2L_HAS_ASAN
    if (status != 0) {
        /* Said already; skip the libraries' shutdown, which waits for ever
         * for an OpenBLAS thread stuck retrying an allocation after memory
         * ran out. (Not under ASan, whose leak check runs at exit.) */
        fflush(NULL);
        _exit(status);
    }
#endif
    return status;
}

static int run(int argc, char **argv)
{
    /* libgomp reads its environment when it loads, before main. Its
     * workers waiting between parallel regions: spinning long (libgomp's
     * default, 300,000 rounds) against OpenBLAS threads or other processes
     * made meta-training 5-15x slower on a busy machine, and not spinning
     * (OMP_WAIT_POLICY=passive) sends every region's start through the
     * kernel: 27 % slower meta-training at n = 1,280 on an idle machine. A
     * short spin, GOMP_SPINCOUNT=3000, kept the idle speed and was no
     * slower than passive beside two busy processes (docs/performance.md).
     * So unless the user chose a policy or a count, start again with it
     * (when it is we who would start again: under valgrind /proc/self/exe
     * is valgrind's tool). */
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT") && self_is_argv0(argv[0]) &&
        setenv("GOMP_SPINCOUNT", L2L_GOMP_SPINCOUNT, 1) == 0)
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
