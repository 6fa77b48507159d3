/* lstm_options.c: option and shape handling shared by the LSTM-based
 * learned optimizers (lstm_options.h). */
#include "lstm_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lstm_pre lstm_pre_option(const char *value, int *inputs)
{
    *inputs = 2;
    if (!strcmp(value, "none")) {
        *inputs = 1;
        return LSTM_PRE_NONE;
    }
    return !strcmp(value, "logsign-ref") ? LSTM_PRE_LOGSIGN_REF : LSTM_PRE_LOGSIGN;
}

float *lstm_update_alloc(size_t n, const char *who, char *err, size_t errlen)
{
    float *u = calloc(n ? n : 1, sizeof(float));
    if (!u)
        snprintf(err, errlen, "%s: out of memory for %zu parameters", who, n);
    return u;
}

void lstm_update_apply(float *theta, const float *update, size_t n)
{
    for (size_t k = 0; k < n; k++)
        theta[k] += update[k];
}

int lstm_shape_copy(uint32_t *words, int max, const uint32_t *w, int n)
{
    int k = max < n ? max : n;
    if (k <= 0)
        return 0;
    memcpy(words, w, sizeof(uint32_t) * (size_t)k);
    return k;
}
