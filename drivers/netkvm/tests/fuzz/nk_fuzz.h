/* nk_fuzz.h - the NetKVM fuzz body, linked into its libFuzzer binary
 * (fuzz_entry.c) and into the corpus replayer of check-netkvm-units
 * (fuzz_replay.c). */
#ifndef NK_FUZZ_H
#define NK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Parses, plans and hashes one input (see fuzz_csum.c); traps on an oracle failure. */
int nk_fuzz_csum(const uint8_t *data, size_t size);
/* The device's used length, num_buffers and virtio_net_hdr of one received
 * frame checked (see fuzz_rxhdr.c); traps on an oracle failure. */
int nk_fuzz_rxhdr(const uint8_t *data, size_t size);

#endif
