/* fuzz_checkpoint.c: libFuzzer target for the checkpoint loader
 * (core/meta/checkpoint.c) and the meta-training state loader (core/meta/meta_state.c).
 * Both end with a CRC-32, which random mutation almost never matches, so
 * most modes first set the last four bytes to the CRC of the rest: the
 * fuzzer then reaches the field checks behind the checksum.
 * The first byte picks the mode:
 *   0: l2l_checkpoint_load as is          1: the same, CRC fixed
 *   2: l2l_checkpoint_note, CRC fixed     3: l2l_meta_state_load, CRC fixed
 * The optimizer is learned_sgd (tests/plugins/learned_sgd.c, linked in),
 * terms = 2: shape [2], two meta-parameters.
 * Properties besides ASan/UBSan: a refused file leaves φ untouched and
 * comes with a one-line message; an accepted one gives finite φ. */
#include <math.h>
#include "bytes.h"
#include "checkpoint.h"
#include "fuzz_common.h"
#include "log.h"
#include "meta_state.h"
#include "options.h"

extern const struct l2l_optimizer_ops l2l_optimizer; /* learned_sgd */

static struct l2l_value values[8];
static void *self;

static void setup(void)
{
    char err[L2L_ERRLEN];
    if (self)
        return;
    if (l2l_options_defaults(l2l_optimizer.options, values, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_checkpoint: %s\n", err);
        abort();
    }
    self = l2l_optimizer.create(values, 4, NULL, 0, err, sizeof err);
    if (!self)
        abort();
}

static const char *write_fixed(const uint8_t *data, size_t size, int fix_crc)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    if (fix_crc && size >= 4) {
        uint32_t crc = l2l_crc32(copy, size - 4);
        for (int b = 0; b < 4; b++)
            copy[size - 4 + b] = (uint8_t)(crc >> (8 * b));
    }
    const char *p = fuzz_write("ckpt", copy, size);
    free(copy);
    return p;
}

static void load_checkpoint(const char *p)
{
    char err[L2L_ERRLEN] = "";
    float *phi = l2l_optimizer.learned->meta(self);
    const float sentinel[2] = {1.25f, -0.5f};
    memcpy(phi, sentinel, sizeof sentinel);
    int rc = l2l_checkpoint_load(p, &l2l_optimizer, values, self, err, sizeof err);
    if (rc < 0) {
        fuzz_require_message("l2l_checkpoint_load", err);
        if (memcmp(phi, sentinel, sizeof sentinel) != 0) {
            fprintf(stderr, "l2l_checkpoint_load: refused (%s) but changed φ\n", err);
            abort();
        }
    } else if (!isfinite(phi[0]) || !isfinite(phi[1])) {
        fprintf(stderr, "l2l_checkpoint_load: accepted a non-finite φ\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    int mode = data[0] & 3;
    const char *p = write_fixed(data + 1, size - 1, mode != 0);
    char err[L2L_ERRLEN] = "";
    if (mode <= 1) {
        load_checkpoint(p);
    } else if (mode == 2) {
        char *note = NULL, *plugin = NULL;
        int rc = l2l_checkpoint_note(p, &note, &plugin, err, sizeof err);
        if (rc < 0 && (note || plugin))
            abort();
        if (rc < 0)
            fuzz_require_message("l2l_checkpoint_note", err);
        else if (!note || !plugin)
            abort();
        free(note);
        free(plugin);
    } else {
        struct l2l_meta_state st;
        if (l2l_meta_state_init(&st, 2, 0.001) < 0)
            abort();
        int rc = l2l_meta_state_load(p, "fuzz job", &st, err, sizeof err);
        if (rc < 0)
            fuzz_require_message("l2l_meta_state_load", err);
        l2l_meta_state_free(&st);
    }
    return 0;
}
