/* log.h: one-line messages that begin with who speaks ("l2l: ..."). */
#ifndef L2L_LOG_H
#define L2L_LOG_H
#include <stddef.h>
#include <stdint.h>

/* Exit status for bad input (suite, arguments, plugin, data, checkpoint). */
#define L2L_EXIT_BADINPUT 2
/* Exit status when a plugin's hook failed while running (not bad input, not
 * a write error, which is 1). */
#define L2L_EXIT_PLUGIN 3
/* Exit status when memory ran out ("l2l: out of memory (...)" said first). */
#define L2L_EXIT_NOMEM 4

/* Error codes returned by core functions (always negative). */
enum { L2L_EINPUT = -2, L2L_ENOMEM = -3, L2L_EIO = -4, L2L_EPLUGIN = -5,
       L2L_EINTR = -6, L2L_ENUM = -7 };

void l2l_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void l2l_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void l2l_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Suppresses l2l_info (for tests and --quiet). */
void l2l_set_quiet(int quiet);
/* Under MPI (dist_mpi.c): PRINT as without it; REMEMBER (rank 0) prints
 * and keeps a hash of each error and warning; HOLD (the other ranks) keeps
 * the hash and the line, unprinted, for l2l_log_release. */
enum { L2L_LOG_PRINT, L2L_LOG_REMEMBER, L2L_LOG_HOLD };
#define L2L_LOG_KEPT 64
void l2l_log_mode(int mode);
/* h[0..L2L_LOG_KEPT) ← the hashes kept (the first L2L_LOG_KEPT errors and
 * warnings), 0 after them; returns how many were kept. */
int l2l_log_said(uint64_t *h);
/* Prints each held line whose hash is not in lower[0..n_lower) (what lower
 * ranks said), forgets them, and prints from then on (mode PRINT). */
void l2l_log_release(const uint64_t *lower, size_t n_lower);
/* snprintf into a fixed buffer, never overflowing, always terminated. */
void l2l_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
