/* lstm_cpu.h: whether the AVX2+FMA kernels (lstm_gemm.c, lstm_gates.c) are
 * compiled in, and whether this CPU runs them, by features, not model
 * ("arch=haswell" would miss AMD). */
#ifndef L2L_LSTM_CPU_H
#define L2L_LSTM_CPU_H
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define LSTM_HAVE_AVX2 1
static inline int lstm_have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif
#endif
