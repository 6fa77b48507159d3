/* lstm_options.h: the option and shape handling that the lstm, lstm-gac
 * (lstm_plugin.c) and ntm-bfgs (ntm_bfgs.c) plugins share: the same
 * `preprocess` option, an update buffer that step() adds to θ, and the
 * dims published as checkpoint shape words. Compiled into each of them
 * (lstm.mk, ntm_bfgs.mk), as lstm_kernels.c is. */
#ifndef L2L_LSTM_OPTIONS_H
#define L2L_LSTM_OPTIONS_H
#include <stddef.h>
#include <stdint.h>

#include "lstm_kernels.h"

/* The `preprocess` option ("none", "logsign", "logsign-ref"; the plugin's
 * option table admits no other): its preprocessing, and in *inputs the
 * inputs per coordinate it gives (1 for none, else 2). */
enum lstm_pre lstm_pre_option(const char *value, int *inputs);

/* The update buffer of step(): n floats (one when n = 0), zeroed. NULL
 * when out of memory, with "WHO: out of memory for N parameters" in err. */
float *lstm_update_alloc(size_t n, const char *who, char *err, size_t errlen);

/* θ ← θ + update, for the n coordinates. */
void lstm_update_apply(float *theta, const float *update, size_t n);

/* The shape hook's copy: the first min(max, n) words of w into words
 * (none when max ≤ 0); returns how many. */
int lstm_shape_copy(uint32_t *words, int max, const uint32_t *w, int n);
#endif
