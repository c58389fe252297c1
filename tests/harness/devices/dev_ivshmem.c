/*
 * The ivshmem device on the machine (see dev_ivshmem.h).
 */
#include <stdlib.h>
#include "bus.h"
#include "dev_ivshmem.h"
#include "kernel.h"
#include "pnp.h"
#include "ram.h"

#define BAR0 0xfe100000ull
#define BAR1 0xfe101000ull

/* A BAR0 read (host code, from the bus). */
static uint64_t reg_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    struct vw_ivshmem *dev = opaque;
    (void)vm;
    return qemu_ivshmem_reg_read(&dev->regs, offset, size);
}

/* A BAR0 write; doorbells are logged (host code, from the bus). */
static void reg_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct vw_ivshmem *dev = opaque;
    if (offset == 12 && size == 4 && !dev->regs.removed)
        vw_log(vm, "ivshmem: doorbell peer %u vector %u", (unsigned)(value >> 16),
               (unsigned)(value & 0xffff));
    qemu_ivshmem_reg_write(&dev->regs, offset, value, size);
}

/* The MSI-X BAR: the table lives in the harness's interrupt model. */
static uint64_t msix_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    (void)vm, (void)opaque, (void)offset, (void)size;
    return 0;
}

/* Writes to the MSI-X BAR are ignored (see msix_read). */
static void msix_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)vm, (void)opaque, (void)offset, (void)value, (void)size;
}

static const struct vw_device_ops reg_ops = {reg_read, reg_write};
static const struct vw_device_ops msix_ops = {msix_read, msix_write};

/* A configuration-space read through the PCI bus interface. */
static uint32_t cfg_read(struct vm *vm, void *opaque, uint32_t off, unsigned size)
{
    struct vw_ivshmem *dev = opaque;
    (void)vm;
    return qemu_ivshmem_cfg_read(&dev->regs, off, size);
}

/* Configuration-space writes are ignored. */
static void cfg_write(struct vm *vm, void *opaque, uint32_t off, uint32_t value, unsigned size)
{
    (void)vm, (void)opaque, (void)off, (void)value, (void)size;
}

static const struct vw_pci_ops pci_ops = {cfg_read, cfg_write};

struct vw_ivshmem *vw_ivshmem_create(struct vm *vm, const struct vw_ivshmem_config *cfg)
{
    struct vw_ivshmem *dev = calloc(1, sizeof(*dev));
    if (dev == NULL) {
        vw_fail(vm, "out of memory");
        return NULL;
    }
    vw_kernel_keep(vm, dev);
    dev->shm_len = cfg->shm_len;
    dev->shm_pa = vw_ram_reserve(vm, cfg->shm_len);
    dev->shm = vw_ram_host(vm, dev->shm_pa, cfg->shm_len);
    if (dev->shm == NULL) {
        vw_fail(vm, "ivshmem: no RAM for %llu bytes of shared memory",
                (unsigned long long)cfg->shm_len);
        return NULL;
    }
    qemu_ivshmem_init(&dev->regs, cfg->vectors, cfg->line, cfg->position, (uint32_t)BAR0,
                      (uint32_t)BAR1, dev->shm_pa);

    struct vw_resource res[4];
    unsigned n = 0;
    vw_bus_add_memory(vm, BAR0, 0x1000, &reg_ops, dev);
    res[n++] = (struct vw_resource){VW_RES_MEMORY, BAR0, 0x100, 0};
    if (dev->regs.vectors) {
        vw_bus_add_memory(vm, BAR1, 0x1000, &msix_ops, dev);
        res[n++] = (struct vw_resource){VW_RES_MEMORY, BAR1, 0x1000, 0};
    }
    vw_bus_add_ram(vm, dev->shm_pa, dev->shm_len);
    res[n++] = (struct vw_resource){VW_RES_MEMORY, dev->shm_pa, dev->shm_len, 0};
    if (dev->regs.vectors || dev->regs.line)
        res[n++] = (struct vw_resource){VW_RES_INTERRUPT, 11, dev->regs.vectors, 0};
    dev->pdo = vw_pdo_create(vm, VW_PCI_BUS, res, n);
    vw_pdo_set_pci(vm, dev->pdo, &pci_ops, dev);
    return dev;
}

void vw_ivshmem_interrupt(struct vm *vm, struct vw_ivshmem *dev, unsigned vector)
{
    int message = qemu_ivshmem_ring(&dev->regs, vector);
    if (message >= 0)
        vw_intr_raise(vm, dev->pdo, (unsigned)message);
}
