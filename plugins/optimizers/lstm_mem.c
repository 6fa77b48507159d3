/* lstm_mem.c: large buffers on transparent huge pages. The passes stream
 * the state and the tape through every page at every step; with 4 KiB
 * pages that is a TLB miss every 4 KiB of each of a dozen streams, and at
 * first touch a page fault for each. Where the kernel gives huge pages
 * only on request (THP "madvise", Debian's default), ask for them; where
 * it does not, this is an ordinary aligned allocation. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include <stdlib.h>
#include <sys/mman.h>
#include "lstm_mem.h"

#define HUGE_PAGE ((size_t)2 << 20)

void *lstm_big_alloc(size_t bytes)
{
    if (bytes < 2 * HUGE_PAGE)
        return malloc(bytes ? bytes : 1);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, bytes))
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, bytes / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE); /* advice only */
#endif
    return p;
}
