/* lock.h: advisory locks (flock) that keep two `l2l` processes from
 * writing the same output directory or meta-training the same checkpoint
 * at once. The lock file holds the holder's pid and command line, so the
 * refusal names the other process. The kernel drops a flock when its
 * holder exits, however it exits: a lock file left by a killed process
 * blocks nobody, and is taken over by the next taker. */
#ifndef L2L_LOCK_H
#define L2L_LOCK_H
#include <stddef.h>

struct l2l_lock {
    int fd;              /* -1 when not held */
    char path[4096];
};

/* Takes the lock file `path` (created when missing) without waiting.
 * Returns 0, L2L_EINPUT when another process holds it (err: "WHAT is in
 * use by another l2l (pid N: COMMAND)"), or L2L_EIO when it cannot be
 * created (err says why). `what` names the locked thing in err. */
int l2l_lock_take(struct l2l_lock *lk, const char *path, const char *what, char *err,
                  size_t errlen);
/* Removes the lock file and drops the lock; nothing when not held. */
void l2l_lock_release(struct l2l_lock *lk);
#endif
