/* gnuplot_run.c: find gnuplot at run time and run it on each figure's
 * script, with the figures directory as its working directory (the
 * scripts use relative paths). fork + exec: the child only calls async-signal-safe
 * functions, so this is safe from the multi-threaded runner too. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "interrupt.h"
#include "infile.h"
#include "l2l/plugin.h" /* L2L_ERRLEN */
#include "log.h"
#include "plot_gnuplot.h"

int pg_find_gnuplot(char *buf, size_t len)
{
    const char *env = getenv("L2L_GNUPLOT");
    const char *want = env && *env ? env : "gnuplot";
    if (strchr(want, '/')) {
        l2l_fmt(buf, len, "%s", want);
        return access(buf, X_OK) == 0 ? 0 : -1;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        l2l_fmt(buf, len, "%.*s/%s", (int)n, n ? path : ".", want);
        if (access(buf, X_OK) == 0)
            return 0;
        path += n + (path[n] == ':');
    }
    return -1;
}

/* The last non-empty line of gnuplot's log, for the error message. */
static void last_line(const char *path, char *out, size_t len)
{
    out[0] = 0;
    FILE *f;
    char why[L2L_ERRLEN];
    if (l2l_fopen_input(path, &f, NULL, why, sizeof why) < 0)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[strspn(line, " \t^")])
            l2l_fmt(out, len, "%s", line);
    }
    fclose(f);
}

int pg_run(const char *gnuplot, const char *figdir, const char *script, int verbose)
{
    char log[4096]; /* kept on failure, beside the script */
    l2l_fmt(log, sizeof log, "%s/%.*s.log", figdir, (int)(strcspn(script, ".")), script);
    pid_t pid = fork();
    if (pid < 0) {
        l2l_error("l2l: cannot start %s: %s", gnuplot, strerror(errno));
        return L2L_EIO;
    }
    if (pid == 0) {
        /* A fresh file: whatever was at the log's name (a symlink planted
         * there) is removed, not followed. */
        unlink(log);
        int fd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0666);
        if (fd < 0 || chdir(figdir) < 0)
            _exit(126);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        char *const argv[] = {(char *)gnuplot, (char *)script, NULL};
        execv(gnuplot, argv);
        _exit(127);
    }
    int status, stopped = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            l2l_error("l2l: waiting for gnuplot: %s", strerror(errno));
            return L2L_EIO;
        }
        /* A SIGTERM sent to l2l alone: gnuplot is stopped too, not waited for. */
        if (l2l_interrupted() && !stopped++)
            kill(pid, SIGTERM);
    }
    if (l2l_interrupted()) { /* whatever gnuplot did: the caller cleans up */
        unlink(log);
        return L2L_EINTR;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        unlink(log);
        return 0;
    }
    if (!verbose)
        return L2L_EIO;
    char msg[512];
    last_line(log, msg, sizeof msg);
    if (WIFEXITED(status))
        l2l_error("l2l: gnuplot failed on %s/%s (exit %d): %s (full output in %s)", figdir, script,
                  WEXITSTATUS(status), msg[0] ? msg : "no message", log);
    else
        l2l_error("l2l: gnuplot killed by signal %d on %s/%s", WTERMSIG(status), figdir, script);
    return L2L_EIO;
}

/* Both images exist and are not empty. */
static int rendered(const char *figdir, const char *name)
{
    static const char *const ext[] = {"png", "svg"};
    for (int k = 0; k < 2; k++) {
        char path[4096];
        struct stat st;
        l2l_fmt(path, sizeof path, "%s/%s.%s", figdir, name, ext[k]);
        if (stat(path, &st) < 0 || st.st_size == 0) {
            l2l_error("l2l: gnuplot wrote no %s", path);
            return 0;
        }
    }
    return 1;
}

int pg_render_all(const struct pg_list *list, const char *figdir, int require, char *err,
                  size_t errlen)
{
    char gnuplot[4096];
    if (pg_find_gnuplot(gnuplot, sizeof gnuplot) < 0) {
        l2l_fmt(err, errlen, "l2l: gnuplot not found%s%s: figures skipped; install it with "
                "apt-get install gnuplot-nox, or set L2L_GNUPLOT",
                getenv("L2L_GNUPLOT") ? " at " : "", getenv("L2L_GNUPLOT") ? gnuplot : "");
        if (require) {
            l2l_error("%s (required by --require-figures)", err);
            return L2L_EINPUT;
        }
        l2l_warn("%s", err);
        err[0] = 0;
        return 0;
    }
    int failed = 0;
    for (int k = 0; k < list->n; k++) {
        struct pg_figure *g = &list->fig[k];
        char script[PR_NAME + 64];
        l2l_fmt(script, sizeof script, "%s.gp", g->name);
        /* No stale image may pass for this run's. */
        for (int j = 0; j < 2; j++) {
            char path[4096];
            l2l_fmt(path, sizeof path, "%s/%s.%s", figdir, g->name, j ? "svg" : "png");
            unlink(path);
        }
        /* The first failure is shown in full; the rest are counted, since
         * a broken gnuplot fails them all the same way. */
        int rc = pg_run(gnuplot, figdir, script, failed == 0);
        if (rc == L2L_EINTR || l2l_interrupted()) {
            /* Half-drawn images are no figures: gone, as the report will be. */
            for (int j = 0; j < 2; j++) {
                char path[4096];
                l2l_fmt(path, sizeof path, "%s/%s.%s", figdir, g->name, j ? "svg" : "png");
                unlink(path);
            }
            return L2L_EINTR;
        }
        if (rc == 0 && rendered(figdir, g->name))
            g->rendered = 1;
        else
            failed++;
    }
    if (!failed)
        return 0;
    l2l_fmt(err, errlen, "l2l: %d of %d figures failed to render with %s (logs in %s)", failed,
            list->n, gnuplot, figdir);
    l2l_error("%s", err);
    return L2L_EIO;
}
