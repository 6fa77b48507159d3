/* checkpoint.h: φ of a learned optimizer in a versioned, portable file
 * (format in docs/checkpoint-format.md: magic, version, little-endian
 * throughout, CRC-32 at the end). */
#ifndef L2L_CHECKPOINT_H
#define L2L_CHECKPOINT_H
#include <stddef.h>
#include <stdint.h>
#include "l2l/plugin.h"

/* Writes φ of `self` (an object of plugin `opt`) with its shape words and
 * the note, under a temporary name renamed when complete. */
int l2l_checkpoint_save(const char *path, const struct l2l_optimizer_ops *opt, void *self,
                        const char *note, char *err, size_t errlen);
/* Reads path into φ of `self`; refuses a wrong magic, version, plugin name,
 * shape or a non-finite value with a message naming the file and what differs. */
int l2l_checkpoint_load(const char *path, const struct l2l_optimizer_ops *opt, void *self,
                        char *err, size_t errlen);
/* Reads the note (and the plugin name when plugin != NULL) of a checkpoint,
 * checking its structure and checksum; the caller frees the strings. */
int l2l_checkpoint_note(const char *path, char **note, char **plugin, char *err, size_t errlen);
#endif
