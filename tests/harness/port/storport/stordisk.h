/*
 * "stordisk": a harness-only PCI function for StorPort tests, a RAM disk
 * with a doorbell, per-message completion queues and MSI-X (or the INTx
 * line).  It is not virtio: viostor and the test miniport never share a
 * device model.  The register file, shared with testdrv/vwpcidisk.c (which
 * has its own copy of these numbers), and the request descriptor:
 *   BAR0 (memory, 4 KiB): 0x00 ID "VWSD", 0x04 sectors, 0x08/0x0c the
 *     descriptor's bus address (low, high), 0x10 doorbell (write: the
 *     completion message), 0x14 interrupt status (line: read clears),
 *     0x18 control (bit 0 enabled; 0 resets: requests in flight dropped),
 *     0x100 + 4 m: completion queue of message m (read pops a tag,
 *     0xffffffff when empty); MSI-X table at 0x800, PBA at 0xc00.
 *   BAR1 (I/O, 16 ports; arm64: translated to memory): 0 ID, 4 doorbell
 *     alias of the descriptor's low address (high 0).
 *   Descriptor (little endian): u32 op (1 read, 2 write, 3 flush), u32 tag,
 *     u64 lba, u32 sectors, u32 nsg, u32 status (device: 1 done, 2 error),
 *     u32 pad, then nsg (<= 8) of {u64 bus address, u32 length, u32 pad}.
 * Between the doorbell and the completion the device owns the descriptor
 * and every range it names (vw_dma_add_owner_check).
 */
#pragma once
#include <stdint.h>
#include "vm.h"

#define STORDISK_ID         0x44535756u /* "VWSD" */
#define STORDISK_MAX_SG     8
#define STORDISK_DESC_LEN   (32 + 16 * STORDISK_MAX_SG)
#define STORDISK_MAX_MSG    16
#define STORDISK_MAX_FLIGHT 64

struct vw_stordisk_config {
    uint32_t sectors;  /* 512-byte sectors (default 256) */
    unsigned messages; /* MSI-X messages (1..16), 0: the INTx line */
    uint64_t delay;    /* completion delay 0..DELAY (100 ns), seeded */
    uint32_t seed;
};

struct vw_stordisk_stats {
    unsigned doorbells, completed, errors, interrupts, max_in_flight, dropped_by_reset;
};

struct vw_stordisk;
struct vw_stordisk *vw_stordisk_create(struct vm *vm, const struct vw_stordisk_config *cfg);
gva_t vw_stordisk_pdo(const struct vw_stordisk *d);
/* The disk contents (sectors * 512 bytes). */
uint8_t *vw_stordisk_data(struct vw_stordisk *d);
void vw_stordisk_stats(const struct vw_stordisk *d, struct vw_stordisk_stats *out);
/* Hold every completion (a hung disk) until released with false or the
 * driver resets the device. */
void vw_stordisk_hold(struct vw_stordisk *d, bool hold);
/* Surprise removal: reads answer all ones, writes and doorbells are
 * dropped, nothing in flight completes or interrupts any more. */
void vw_stordisk_unplug(struct vw_stordisk *d);
