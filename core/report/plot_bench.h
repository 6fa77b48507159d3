/* plot_bench.h: the bench CSV as `l2l plot` reads it (plot_bench.c):
 * coordinate-steps per second of each benchmark against n, and the
 * references measured in the same run. */
#ifndef L2L_PLOT_BENCH_H
#define L2L_PLOT_BENCH_H

#define PB_MAX_SERIES 32
#define PB_MAX_POINTS 64

/* One benchmark's coord_steps_per_s rows, sorted by n. */
struct pb_series {
    char name[64];
    int n;
    long at[PB_MAX_POINTS];      /* n, coordinates */
    double value[PB_MAX_POINTS]; /* coordinate-steps per second */
};

struct pb_bench {
    char path[4096];
    int n_series;                /* in order of first appearance */
    struct pb_series s[PB_MAX_SERIES];
    double sgemm, copy, load[2]; /* GFLOP/s, GB/s, 1-min load at start and end; NAN if absent */
};

/* Reads the CSV at path into *b. Errors name the file (and line):
 * L2L_EINPUT for a missing file, a wrong header, a bad row, a repeated
 * (benchmark, n) or no coord_steps_per_s value > 0. */
int pb_load(const char *path, struct pb_bench *b);
/* Writes figdir/name.gp drawing b (name.png and name.svg when run). */
int pb_write_script(const struct pb_bench *b, const char *figdir, const char *name);
#endif
