/*
 * QEMU's ivshmem PCI device (1AF4:1110), its registers and configuration
 * space alone (facts from QEMU docs/specs/ivshmem-spec.rst): BAR0 =
 * IntrMask (0), IntrStatus (4, read clears), IVPosition (8), Doorbell (12,
 * peer << 16 | vector); revision 1 since QEMU 2.6, revision 0 devices may
 * read IVPosition -1 and use IntrStatus/IntrMask for INTx.  A removed
 * device reads all ones and ignores writes.  The machine side (BARs, the
 * shared memory that is guest RAM, interrupts) is
 * tests/harness/devices/dev_ivshmem.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct qemu_ivshmem {
    uint8_t revision;
    unsigned vectors; /* MSI-X vectors; 0 = no interrupts (ivshmem-plain) */
    bool line;        /* revision 0 without MSI-X: the INTx line */
    int32_t position; /* IVPosition */
    bool removed;

    uint32_t intr_mask, intr_status;
    uint32_t doorbells[64];
    unsigned doorbell_count;

    uint8_t config[256];
};

/* A device with VECTORS MSI-X vectors (or an INTx LINE instead) at peer
 * POSITION; its configuration space names BAR0 and BAR1 (MSI-X, when it has
 * vectors) and the 64-bit shared-memory BAR2 at SHM_PA. */
void qemu_ivshmem_init(struct qemu_ivshmem *d, unsigned vectors, bool line, int32_t position,
                       uint32_t bar0, uint32_t bar1, uint64_t shm_pa);
/* A BAR0 read of SIZE bytes at OFFSET; a write of VALUE (the doorbell is
 * kept, the caller logs it). */
uint64_t qemu_ivshmem_reg_read(struct qemu_ivshmem *d, uint64_t offset, unsigned size);
void qemu_ivshmem_reg_write(struct qemu_ivshmem *d, uint64_t offset, uint64_t value, unsigned size);
/* A configuration-space read of SIZE bytes at OFF. */
uint32_t qemu_ivshmem_cfg_read(const struct qemu_ivshmem *d, uint32_t off, unsigned size);
/* A peer rings VECTOR: the message to raise, or -1 for none (a masked
 * line sets IntrStatus only; a vector the device lacks). */
int qemu_ivshmem_ring(struct qemu_ivshmem *d, unsigned vector);
