/* interrupt.h: SIGINT and SIGTERM turned into a flag that long work polls
 * (a trajectory at every step, the figures between gnuplot runs), so that
 * a command stops where it can clean up: exit 130 and nothing left that
 * looks complete. A command catches them for its whole length, from its
 * first output to its last; the runner, called alone (tests), catches them
 * for itself. */
#ifndef L2L_INTERRUPT_H
#define L2L_INTERRUPT_H

/* Installs the handler and clears the flag; nested calls are counted and
 * only the outermost installs. No SA_RESTART: a wait for a child process
 * returns EINTR, so the waiter can stop the child. */
void l2l_interrupt_catch(void);
/* Undoes one l2l_interrupt_catch; the outermost restores the handlers
 * there were before. */
void l2l_interrupt_release(void);
/* 1 once SIGINT or SIGTERM arrived (or l2l_interrupt_raise) since the
 * outermost l2l_interrupt_catch. */
int l2l_interrupted(void);
/* Sets the flag as a signal would (the runner's test hook). */
void l2l_interrupt_raise(void);
#endif
