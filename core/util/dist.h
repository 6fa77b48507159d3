/* dist.h: the few MPI operations l2l uses (docs/scale-out.md), behind an
 * interface that compiles to one-process stubs without MPI (dist_none.c)
 * and to Open MPI with it (dist_mpi.c). The rest of the core never
 * includes <mpi.h>.
 *
 * l2l calls MPI_Init only when a launcher started it (mpirun, srun with
 * PMI/PMIx) or L2L_MPI=1 asks: started alone it is one process of rank 0
 * among 1, exactly as a build without MPI, and does not pay the second
 * an Open MPI singleton takes to start here. */
#ifndef L2L_DIST_H
#define L2L_DIST_H
#include <stddef.h>

/* Starts MPI when launched under it. Returns 0, or L2L_EIO (said). */
int l2l_dist_init(int *argc, char ***argv);
/* Ends MPI when l2l_dist_init started it; nothing otherwise. *status is
 * this rank's exit status: the ranks agree on the worst one (a 0 becomes
 * it). A rank that failed waits 10 s for the others, then aborts the job
 * (they may be stuck in a collective it left), so no rank hangs; a rank
 * that succeeded waits for rank 0 to finish its figures. */
void l2l_dist_finalize(int *status);
/* This process's rank and the number of ranks (0 and 1 without MPI). */
int l2l_dist_rank(void);
int l2l_dist_size(void);

/* rc of rank 0, on every rank of the world (so that all take the branch
 * rank 0 took after something only it did, such as taking a lock). */
int l2l_dist_agree(int rc);

/* A set of ranks working on one thing (a meta-training job): the world or
 * a part of it. rank and size are this process's place in it. */
struct l2l_dist_group {
    int rank, size;
    void *comm;             /* owned: an MPI_Comm, NULL for one process */
};

/* The whole world; one process without MPI. Returns 0 or L2L_ENOMEM. */
int l2l_dist_world(struct l2l_dist_group *g);
/* The ranks of the world that give the same color, ranked as in the world
 * (collective over the world). Returns 0 or < 0. */
int l2l_dist_split(int color, struct l2l_dist_group *g);
void l2l_dist_group_free(struct l2l_dist_group *g);

/* Items [lo, hi) of n that rank r of g works on: contiguous blocks in rank
 * order, so a gather of blocks is the items in order. g NULL: all of them. */
static inline void l2l_dist_block(const struct l2l_dist_group *g, int r, long n, long *lo, long *hi)
{
    int size = g ? g->size : 1;
    *lo = (long)((long long)n * r / size);
    *hi = (long)((long long)n * (r + 1) / size);
}

/* Every rank of g has filled its block of buf (n items of `item` bytes);
 * afterwards every rank has all n. Collective; g NULL does nothing. */
int l2l_dist_allgather(const struct l2l_dist_group *g, void *buf, long n, size_t item);
/* v[0..count) ← the maximum over the ranks of g, element by element. */
int l2l_dist_max(const struct l2l_dist_group *g, int *v, int count);
/* v[0..count) ← the sum over the ranks of g (no result depends on its
 * order: costs in seconds only). */
int l2l_dist_sum(const struct l2l_dist_group *g, double *v, int count);
/* buf of rank `root` of g to every rank of g. */
int l2l_dist_bcast(const struct l2l_dist_group *g, void *buf, size_t bytes, int root);

/* Messages of the runner's work queue, between ranks of the world. A wait
 * sleeps between polls rather than spinning: ranks may share cores.
 * l2l_dist_recv fills *buf (grown as needed, owned by the caller) with a
 * message of `tag` from `from` (< 0: any rank), saying its length and
 * sender. Each returns 0 or L2L_EIO (said). */
int l2l_dist_send(int to, int tag, const void *buf, size_t len);
int l2l_dist_recv(int from, int tag, void **buf, size_t *cap, size_t *len, int *src);
/* 1 when a message of `tag` waits (*src its sender), else 0. */
int l2l_dist_poll(int tag, int *src);
/* MPI's thread level allows worker threads to send and receive, one at a
 * time (MPI_THREAD_SERIALIZED): 1, else 0. */
int l2l_dist_threads_ok(void);
#endif
