/*
 * fuzz.h - fuzz target bodies. Each is linked into its own libFuzzer binary
 * (fuzz_entry_*.c) and, all together, into the corpus replayer that
 * `make check` runs (fuzz_replay.c).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

/** Split ring consumer against a device that writes input-chosen values */
int fuzz_split_used(const uint8_t *data, size_t size);
/** Packed ring consumer, same */
int fuzz_packed_used(const uint8_t *data, size_t size);
/** The descriptor writer (virtqueue_req.h), same device, caller's bugs included */
int fuzz_req(const uint8_t *data, size_t size);
/** Capability walk, probe, negotiation and queue setup over an input config space */
int fuzz_pci_caps(const uint8_t *data, size_t size);

/** Trap when an oracle fails */
#define FUZZ_ASSERT(c)                                                                             \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

#endif /* FUZZ_H */
