/*
 * The ivshmem registers and configuration space (see ivshmem.h).
 */
#include <string.h>
#include "ivshmem.h"

/* Store V little-endian at P. */
static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

void qemu_ivshmem_init(struct qemu_ivshmem *d, unsigned vectors, bool line, int32_t position,
                       uint32_t bar0, uint32_t bar1, uint64_t shm_pa)
{
    d->line = line;
    d->vectors = line ? 0 : vectors;
    d->revision = line || position < 0 ? 0 : 1;
    d->position = position;
    uint8_t *c = d->config;
    put32(c + 0x00, 0x11101af4u);               /* device 1110, vendor 1af4 */
    put32(c + 0x08, 0x05000000u | d->revision); /* class: RAM memory */
    put32(c + 0x10, bar0);
    if (d->vectors)
        put32(c + 0x14, bar1);
    put32(c + 0x18, (uint32_t)shm_pa | 0xc); /* 64-bit, prefetchable */
    put32(c + 0x1c, (uint32_t)(shm_pa >> 32));
    put32(c + 0x2c, 0x11001af4u); /* subsystem 1100, vendor 1af4 */
}

uint64_t qemu_ivshmem_reg_read(struct qemu_ivshmem *d, uint64_t offset, unsigned size)
{
    if (d->removed)
        return ~0ull;
    if (size != 4)
        return 0;
    switch (offset) {
    case 0:
        return d->intr_mask;
    case 4: {
        uint32_t status = d->intr_status;
        d->intr_status = 0;
        return status;
    }
    case 8:
        return (uint32_t)d->position;
    }
    return 0;
}

void qemu_ivshmem_reg_write(struct qemu_ivshmem *d, uint64_t offset, uint64_t value, unsigned size)
{
    if (d->removed || size != 4)
        return;
    if (offset == 0)
        d->intr_mask = (uint32_t)value;
    else if (offset == 12 && d->doorbell_count < sizeof(d->doorbells) / sizeof(d->doorbells[0]))
        d->doorbells[d->doorbell_count++] = (uint32_t)value;
}

uint32_t qemu_ivshmem_cfg_read(const struct qemu_ivshmem *d, uint32_t off, unsigned size)
{
    uint32_t v = 0;
    if (d->removed)
        return 0xffffffffu;
    if (off < sizeof(d->config) && size <= sizeof(d->config) - off)
        memcpy(&v, d->config + off, size);
    return v;
}

int qemu_ivshmem_ring(struct qemu_ivshmem *d, unsigned vector)
{
    if (d->line) {
        d->intr_status |= 1;
        return d->intr_mask & 1 ? 0 : -1;
    }
    return vector < d->vectors ? (int)vector : -1;
}
