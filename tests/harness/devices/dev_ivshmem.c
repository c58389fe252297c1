/*
 * The ivshmem device model (see dev_ivshmem.h).  Facts from QEMU
 * docs/specs/ivshmem-spec.rst: BAR0 = IntrMask (0), IntrStatus (4, read
 * clears), IVPosition (8), Doorbell (12, peer << 16 | vector); revision 1
 * since QEMU 2.6, revision 0 devices may read IVPosition -1 and use
 * IntrStatus/IntrMask for INTx.
 */
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "dev_ivshmem.h"
#include "kernel.h"
#include "pnp.h"
#include "ram.h"

#define BAR0 0xfe100000ull
#define BAR1 0xfe101000ull

static uint64_t reg_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    struct vw_ivshmem *dev = opaque;
    (void)vm;
    if (dev->removed)
        return ~0ull;
    if (size != 4)
        return 0;
    switch (offset) {
    case 0:
        return dev->intr_mask;
    case 4: {
        uint32_t status = dev->intr_status;
        dev->intr_status = 0;
        return status;
    }
    case 8:
        return (uint32_t)dev->position;
    }
    return 0;
}

static void reg_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct vw_ivshmem *dev = opaque;
    if (dev->removed || size != 4)
        return;
    if (offset == 0) {
        dev->intr_mask = (uint32_t)value;
    } else if (offset == 12) {
        vw_log(vm, "ivshmem: doorbell peer %u vector %u", (unsigned)(value >> 16),
               (unsigned)(value & 0xffff));
        if (dev->doorbell_count < sizeof(dev->doorbells) / sizeof(dev->doorbells[0]))
            dev->doorbells[dev->doorbell_count++] = (uint32_t)value;
    }
}

static uint64_t msix_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    (void)vm, (void)opaque, (void)offset, (void)size;
    return 0;
}

static void msix_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)vm, (void)opaque, (void)offset, (void)value, (void)size;
}

static const struct vw_device_ops reg_ops = {reg_read, reg_write};
static const struct vw_device_ops msix_ops = {msix_read, msix_write};

static uint32_t cfg_read(struct vm *vm, void *opaque, uint32_t off, unsigned size)
{
    struct vw_ivshmem *dev = opaque;
    (void)vm;
    uint32_t v = 0;
    if (dev->removed)
        return 0xffffffffu;
    if (off < sizeof(dev->config) && size <= sizeof(dev->config) - off)
        memcpy(&v, dev->config + off, size);
    return v;
}

static void cfg_write(struct vm *vm, void *opaque, uint32_t off, uint32_t value, unsigned size)
{
    (void)vm, (void)opaque, (void)off, (void)value, (void)size;
}

static const struct vw_pci_ops pci_ops = {cfg_read, cfg_write};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void build_config(struct vw_ivshmem *dev)
{
    uint8_t *c = dev->config;
    put32(c + 0x00, 0x11101af4u);                 /* device 1110, vendor 1af4 */
    put32(c + 0x08, 0x05000000u | dev->revision); /* class: RAM memory */
    put32(c + 0x10, (uint32_t)BAR0);
    if (dev->vectors)
        put32(c + 0x14, (uint32_t)BAR1);
    put32(c + 0x18, (uint32_t)dev->shm_pa | 0xc); /* 64-bit, prefetchable */
    put32(c + 0x1c, (uint32_t)(dev->shm_pa >> 32));
    put32(c + 0x2c, 0x11001af4u); /* subsystem 1100, vendor 1af4 */
}

struct vw_ivshmem *vw_ivshmem_create(struct vm *vm, const struct vw_ivshmem_config *cfg)
{
    struct vw_ivshmem *dev = calloc(1, sizeof(*dev));
    if (dev == NULL) {
        vw_fail(vm, "out of memory");
        return NULL;
    }
    vw_kernel_keep(vm, dev);
    dev->line = cfg->line;
    dev->vectors = cfg->line ? 0 : cfg->vectors;
    dev->revision = cfg->line || cfg->position < 0 ? 0 : 1;
    dev->position = cfg->position;
    dev->shm_len = cfg->shm_len;
    dev->shm_pa = vw_ram_reserve(vm, cfg->shm_len);
    dev->shm = vw_ram_host(vm, dev->shm_pa, cfg->shm_len);
    if (dev->shm == NULL) {
        vw_fail(vm, "ivshmem: no RAM for %llu bytes of shared memory",
                (unsigned long long)cfg->shm_len);
        return NULL;
    }
    build_config(dev);

    struct vw_resource res[4];
    unsigned n = 0;
    vw_bus_add_memory(vm, BAR0, 0x1000, &reg_ops, dev);
    res[n++] = (struct vw_resource){VW_RES_MEMORY, BAR0, 0x100, 0};
    if (dev->vectors) {
        vw_bus_add_memory(vm, BAR1, 0x1000, &msix_ops, dev);
        res[n++] = (struct vw_resource){VW_RES_MEMORY, BAR1, 0x1000, 0};
    }
    vw_bus_add_ram(vm, dev->shm_pa, dev->shm_len);
    res[n++] = (struct vw_resource){VW_RES_MEMORY, dev->shm_pa, dev->shm_len, 0};
    if (dev->vectors || dev->line)
        res[n++] = (struct vw_resource){VW_RES_INTERRUPT, 11, dev->vectors, 0};
    dev->pdo = vw_pdo_create(vm, VW_PCI_BUS, res, n);
    vw_pdo_set_pci(vm, dev->pdo, &pci_ops, dev);
    return dev;
}

void vw_ivshmem_interrupt(struct vm *vm, struct vw_ivshmem *dev, unsigned vector)
{
    if (dev->line) {
        dev->intr_status |= 1;
        if (dev->intr_mask & 1)
            vw_intr_raise(vm, dev->pdo, 0);
        return;
    }
    if (vector < dev->vectors)
        vw_intr_raise(vm, dev->pdo, vector);
}
