/* lstm_mem.h: allocation of the LSTM's per-coordinate buffers (state,
 * tape, gradients of the state: hundreds of MB at n = 10^6). */
#ifndef L2L_LSTM_MEM_H
#define L2L_LSTM_MEM_H
#include <stddef.h>

/* bytes (uninitialised), or NULL; release with free(). Buffers of 4 MiB
 * or more are aligned to 2 MiB and advised as transparent huge pages. */
void *lstm_big_alloc(size_t bytes);
#endif
