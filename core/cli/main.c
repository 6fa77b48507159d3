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

/* GNU's convention: --help and --version, on the program and on every
 * command, print to standard output and exit 0, whatever else is on the
 * line (up to a "--"). Returns 1 when one was found and answered. */
static int help_or_version(const struct l2l_command *c, int argc, char **argv)
{
    for (int k = 1; k < argc && strcmp(argv[k], "--"); k++) {
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            l2l_command_help(c, stdout);
            return 1;
        }
        if (!strcmp(argv[k], "--version")) {
            l2l_version(stdout);
            return 1;
        }
    }
    return 0;
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
        l2l_usage(stderr);
        return L2L_EXIT_BADINPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version")) {
        l2l_version(stdout);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        const struct l2l_command *c = argc > 2 ? l2l_command_find(argv[2]) : NULL;
        if (argc > 2 && !c) {
            l2l_error("l2l help: unknown command '%s' (try `l2l help`)", argv[2]);
            return L2L_EXIT_BADINPUT;
        }
        if (c)
            l2l_command_help(c, stdout);
        else
            l2l_usage(stdout);
        return 0;
    }
    const struct l2l_command *c = l2l_command_find(cmd);
    if (!c) {
        l2l_error("l2l: unknown command '%s' (try `l2l help`)", cmd);
        return L2L_EXIT_BADINPUT;
    }
    if (help_or_version(c, argc - 1, argv + 1))
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
    return c->run(argc - 1, argv + 1);
}
