/*
 * QEMU's ivshmem PCI device on the machine, around its registers
 * (tests/models/qemu/ivshmem): BAR0 registers, BAR1 for MSI-X
 * (ivshmem-doorbell), BAR2 shared memory that is guest RAM taken from the
 * top (vw_ram_reserve), so the driver's MDL and user mappings reach the
 * very bytes the scenario reads through dev->shm.  Doorbell writes are
 * logged; a peer's interrupt is raised with vw_ivshmem_interrupt.
 */
#pragma once
#include "qemu/ivshmem.h"
#include "vm.h"

struct vw_ivshmem {
    gva_t pdo;
    struct qemu_ivshmem regs; /* registers, doorbells rung, configuration space */
    uint64_t shm_pa, shm_len;
    uint8_t *shm; /* host view of the shared memory */
};

struct vw_ivshmem_config {
    uint64_t shm_len; /* bytes of shared memory (page multiple) */
    unsigned vectors; /* MSI-X vectors, 0 for none */
    bool line;        /* revision 0 with an INTx line instead of MSI-X */
    int32_t position; /* IVPosition: peer id, or -1 (revision 0 not ready) */
};

struct vw_ivshmem *vw_ivshmem_create(struct vm *vm, const struct vw_ivshmem_config *cfg);
/* A peer rings VECTOR of this VM. */
void vw_ivshmem_interrupt(struct vm *vm, struct vw_ivshmem *dev, unsigned vector);
