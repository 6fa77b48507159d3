/* bench_file.h: what `l2l bench` times, read from a bench file (INI, read
 * as strictly as a suite: core/ini_read.h), so that the core names no
 * plugin. bench/default.ini is the one shipped and used by default
 * (installed in $(pkgdatadir)/bench/); the file documents every key.
 *
 *   [bench]               gemm_shape = K, M: the sgemm of the layer shape,
 *                         (n x K)·(K x M) and its dW; trajectory = SECTION:
 *                         the learned optimizer of the trajectories
 *   [optimizer NAME]      a learned plugin: eval and meta-training steps,
 *                         tape, memory, second order; any other: step GB/s
 *   [optimizee NAME]      measure = fwdbwd, trajectory, unroll (the
 *                         optimizee of the tape, memory and second-order
 *                         unrolls, sized through size_option)
 * NAME labels the rows; `plugin` names the plugin (default NAME); every
 * other key is an option of the plugin, checked against its table. */
#ifndef L2L_BENCH_FILE_H
#define L2L_BENCH_FILE_H
#include "plugin_loader.h"

enum { L2L_BM_FWDBWD = 1, L2L_BM_TRAJECTORY = 2, L2L_BM_UNROLL = 4 };

struct l2l_bench_entry {
    char *name;        /* the section's NAME: the rows' label */
    char *plugin;
    enum l2l_kind kind;
    int learned;       /* optimizer with meta-training hooks */
    unsigned measures; /* optimizee: L2L_BM_* */
    char *size_option; /* unroll: the option that sets n (NULL otherwise) */
    char **sets;       /* "key=value" plugin options in file order, NULL-terminated */
};

struct l2l_bench_file {
    char *path;
    int gemm_k, gemm_m;
    int trajectory;    /* index of the optimizer of the trajectories, -1 = none */
    int unroll;        /* index of the unroll optimizee, -1 = none */
    struct l2l_bench_entry *e;
    int n;
};

/* The default file: $(pkgdatadir)/bench/default.ini for the installed l2l,
 * else the source tree's bench/default.ini. */
const char *l2l_bench_file_default(void);
/* Reads and checks path (every problem printed as PATH:LINE: ...; each
 * plugin loaded and its options set once). Returns 0, L2L_EINPUT,
 * L2L_ENOMEM or L2L_EIO; f is then freeable. */
int l2l_bench_file_read(const char *path, struct l2l_bench_file *f);
void l2l_bench_file_free(struct l2l_bench_file *f);
#endif
