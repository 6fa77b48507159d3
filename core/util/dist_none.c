/* dist_none.c: dist.h for a build without MPI: one process, rank 0 of 1.
 * The point-to-point calls are never made with one rank. */
#include "dist.h"
#include "log.h"

int l2l_dist_init(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }
void l2l_dist_finalize(int *status) { (void)status; }
int l2l_dist_rank(void) { return 0; }
int l2l_dist_size(void) { return 1; }
int l2l_dist_agree(int rc) { return rc; }

int l2l_dist_world(struct l2l_dist_group *g)
{
    g->rank = 0;
    g->size = 1;
    g->comm = NULL;
    return 0;
}

int l2l_dist_split(int color, struct l2l_dist_group *g) { (void)color; return l2l_dist_world(g); }
void l2l_dist_group_free(struct l2l_dist_group *g) { (void)g; }

int l2l_dist_allgather(const struct l2l_dist_group *g, void *buf, long n, size_t item)
{
    (void)g; (void)buf; (void)n; (void)item;
    return 0;
}

int l2l_dist_max(const struct l2l_dist_group *g, int *v, int count) { (void)g; (void)v; (void)count; return 0; }
int l2l_dist_sum(const struct l2l_dist_group *g, double *v, int count) { (void)g; (void)v; (void)count; return 0; }

int l2l_dist_bcast(const struct l2l_dist_group *g, void *buf, size_t bytes, int root)
{
    (void)g; (void)buf; (void)bytes; (void)root;
    return 0;
}

int l2l_dist_send(int to, int tag, const void *buf, size_t len)
{
    (void)to; (void)tag; (void)buf; (void)len;
    return L2L_EIO;
}

int l2l_dist_recv(int from, int tag, void **buf, size_t *cap, size_t *len, int *src)
{
    (void)from; (void)tag; (void)buf; (void)cap; (void)len; (void)src;
    return L2L_EIO;
}

int l2l_dist_poll(int tag, int *src) { (void)tag; (void)src; return 0; }
int l2l_dist_threads_ok(void) { return 1; }
