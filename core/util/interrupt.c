/* interrupt.c: SIGINT and SIGTERM as a flag (interrupt.h). */
#include <signal.h>
#include <string.h>
#include "interrupt.h"

static volatile sig_atomic_t flag;
static int depth;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
    (void)sig;
    flag = 1;
}

void l2l_interrupt_catch(void)
{
    if (depth++ > 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    flag = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

void l2l_interrupt_release(void)
{
    if (depth == 0 || --depth > 0)
        return;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

int l2l_interrupted(void) { return flag != 0; }
void l2l_interrupt_raise(void) { flag = 1; }
