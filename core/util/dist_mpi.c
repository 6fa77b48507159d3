/* dist_mpi.c: dist.h on MPI (Open MPI). Every wait is a test-and-sleep
 * loop, not MPI's busy poll: ranks oversubscribed on few cores (tests, a
 * laptop) would otherwise take turns burning a core while waiting. A rank
 * that dies is Open MPI's business: mpirun then ends the job, naming the
 * rank (docs/scale-out.md says what was measured). */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dist.h"
#include "log.h"

static int started;      /* MPI_Init was called by us */
static int world_rank, world_size = 1, threads_ok = 1;

/* A launcher's environment: mpirun (Open MPI), or PMI/PMIx (srun, Hydra). */
static int launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    const char *force = getenv("L2L_MPI");
    if (force && force[0])
        return strcmp(force, "0") != 0;
    for (size_t k = 0; k < sizeof vars / sizeof *vars; k++)
        if (getenv(vars[k]))
            return 1;
    return 0;
}

int l2l_dist_init(int *argc, char ***argv)
{
    if (started || !launched())
        return 0;
    int provided = MPI_THREAD_SINGLE;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
        l2l_error("l2l: MPI_Init_thread failed");
        return L2L_EIO;
    }
    started = 1;
    threads_ok = provided >= MPI_THREAD_SERIALIZED;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    /* Rank 0 speaks; the others' messages wait for l2l_dist_finalize. */
    if (world_size > 1)
        l2l_log_mode(world_rank == 0 ? L2L_LOG_REMEMBER : L2L_LOG_HOLD);
    return 0;
}

int l2l_dist_rank(void) { return world_rank; }
int l2l_dist_size(void) { return world_size; }
int l2l_dist_threads_ok(void) { return threads_ok; }

/* Waits for r, sleeping 50 µs to 2 ms between tests. */
static int wait_for(MPI_Request *r, MPI_Status *st)
{
    long ns = 50000;
    for (;;) {
        int done = 0;
        if (MPI_Test(r, &done, st ? st : MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return L2L_EIO;
        if (done)
            return 0;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
        if (ns < 2000000)
            ns += ns / 4;
    }
}

static MPI_Comm comm_of(const struct l2l_dist_group *g)
{
    return *(const MPI_Comm *)g->comm;
}

int l2l_dist_world(struct l2l_dist_group *g)
{
    g->rank = world_rank;
    g->size = world_size;
    g->comm = NULL;
    if (!started)
        return 0;
    MPI_Comm *c = malloc(sizeof *c);
    if (!c)
        return L2L_ENOMEM;
    MPI_Comm_dup(MPI_COMM_WORLD, c);
    g->comm = c;
    return 0;
}

int l2l_dist_split(int color, struct l2l_dist_group *g)
{
    if (!started)
        return l2l_dist_world(g);
    MPI_Comm *c = malloc(sizeof *c);
    if (!c)
        return L2L_ENOMEM;
    if (MPI_Comm_split(MPI_COMM_WORLD, color, world_rank, c) != MPI_SUCCESS) {
        free(c);
        return L2L_EIO;
    }
    g->comm = c;
    MPI_Comm_rank(*c, &g->rank);
    MPI_Comm_size(*c, &g->size);
    return 0;
}

void l2l_dist_group_free(struct l2l_dist_group *g)
{
    if (g && g->comm) {
        MPI_Comm_free((MPI_Comm *)g->comm);
        free(g->comm);
        g->comm = NULL;
    }
}

int l2l_dist_allgather(const struct l2l_dist_group *g, void *buf, long n, size_t item)
{
    if (!g || !g->comm || g->size < 2)
        return 0;
    int *counts = malloc(2 * sizeof(int) * (size_t)g->size);
    if (!counts)
        return L2L_ENOMEM;
    int *displs = counts + g->size;
    for (int r = 0; r < g->size; r++) {
        long lo, hi;
        l2l_dist_block(g, r, n, &lo, &hi);
        counts[r] = (int)((size_t)(hi - lo) * item);
        displs[r] = (int)((size_t)lo * item);
    }
    MPI_Request req;
    int rc = MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs, MPI_BYTE,
                             comm_of(g), &req) == MPI_SUCCESS ? wait_for(&req, NULL) : L2L_EIO;
    free(counts);
    return rc;
}

int l2l_dist_max(const struct l2l_dist_group *g, int *v, int count)
{
    if (!g || !g->comm || g->size < 2)
        return 0;
    MPI_Request req;
    if (MPI_Iallreduce(MPI_IN_PLACE, v, count, MPI_INT, MPI_MAX, comm_of(g), &req) != MPI_SUCCESS)
        return L2L_EIO;
    return wait_for(&req, NULL);
}

int l2l_dist_sum(const struct l2l_dist_group *g, double *v, int count)
{
    if (!g || !g->comm || g->size < 2)
        return 0;
    MPI_Request req;
    if (MPI_Iallreduce(MPI_IN_PLACE, v, count, MPI_DOUBLE, MPI_SUM, comm_of(g), &req) != MPI_SUCCESS)
        return L2L_EIO;
    return wait_for(&req, NULL);
}

int l2l_dist_bcast(const struct l2l_dist_group *g, void *buf, size_t bytes, int root)
{
    if (!g || !g->comm || g->size < 2)
        return 0;
    MPI_Request req;
    if (MPI_Ibcast(buf, (int)bytes, MPI_BYTE, root, comm_of(g), &req) != MPI_SUCCESS)
        return L2L_EIO;
    return wait_for(&req, NULL);
}

int l2l_dist_agree(int rc)
{
    if (!started || world_size < 2)
        return rc;
    MPI_Request req;
    if (MPI_Ibcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS || wait_for(&req, NULL) < 0)
        return L2L_EIO;
    return rc;
}

int l2l_dist_send(int to, int tag, const void *buf, size_t len)
{
    MPI_Request req;
    if (MPI_Isend(buf, (int)len, MPI_BYTE, to, tag, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
        return L2L_EIO;
    return wait_for(&req, NULL);
}

int l2l_dist_poll(int tag, int *src)
{
    int flag = 0;
    MPI_Status st;
    if (MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS || !flag)
        return 0;
    *src = st.MPI_SOURCE;
    return 1;
}

int l2l_dist_recv(int from, int tag, void **buf, size_t *cap, size_t *len, int *src)
{
    MPI_Status st;
    int flag = 0;
    long ns = 50000;
    /* Probe first (politely), to size the buffer. */
    for (;;) {
        if (MPI_Iprobe(from < 0 ? MPI_ANY_SOURCE : from, tag, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
            return L2L_EIO;
        if (flag)
            break;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
        if (ns < 2000000)
            ns += ns / 4;
    }
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    if ((size_t)count > *cap || !*buf) {
        void *b = realloc(*buf, (size_t)count + 1);
        if (!b) {
            l2l_error("l2l: out of memory (a message of %d bytes from rank %d)", count, st.MPI_SOURCE);
            return L2L_ENOMEM;
        }
        *buf = b;
        *cap = (size_t)count + 1;
    }
    if (MPI_Recv(*buf, count, MPI_BYTE, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return L2L_EIO;
    *len = (size_t)count;
    if (src)
        *src = st.MPI_SOURCE;
    return 0;
}

/* Each rank prints what it held unless a lower rank said the same (every
 * rank got the same bad suite, the same corrupt checkpoint): so a message
 * is said once, by the lowest rank that has it, whatever the timing. All
 * ranks are here (past the agreement on the status): the gather is safe. */
static void release_messages(void)
{
    uint64_t mine[L2L_LOG_KEPT];
    l2l_log_said(mine);
    uint64_t *all = world_size > 1 ? malloc(sizeof mine * (size_t)world_size) : NULL;
    MPI_Request req;
    if (all && MPI_Iallgather(mine, L2L_LOG_KEPT, MPI_UINT64_T, all, L2L_LOG_KEPT, MPI_UINT64_T,
                              MPI_COMM_WORLD, &req) == MPI_SUCCESS && wait_for(&req, NULL) == 0)
        l2l_log_release(all, (size_t)world_rank * L2L_LOG_KEPT);
    else
        l2l_log_release(NULL, 0); /* out of memory: rather twice than never */
    free(all);
}

void l2l_dist_finalize(int *status)
{
    if (!started)
        return;
    int worst = *status;
    MPI_Request req;
    MPI_Iallreduce(MPI_IN_PLACE, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &req);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int done = 0;
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        /* A rank that ends well waits as long as rank 0 draws figures;
         * one that failed may have left the others in a collective. */
        if (*status != 0 && t.tv_sec - t0.tv_sec >= 10) {
            l2l_log_release(NULL, 0);
            l2l_error("l2l: rank %d of %d ends with status %d while other ranks still work: aborting "
                      "the job", world_rank, world_size, *status);
            MPI_Abort(MPI_COMM_WORLD, *status ? *status : 1);
        }
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    if (*status == 0 && worst != 0)
        *status = worst;
    release_messages();
    MPI_Finalize();
    started = 0;
}
