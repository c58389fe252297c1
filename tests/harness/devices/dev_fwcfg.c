/*
 * The fw_cfg device on the machine (see dev_fwcfg.h).
 */
#include <stdlib.h>
#include "bus.h"
#include "dev_fwcfg.h"
#include "kernel.h"
#include "pnp.h"
#include "ram.h"

#define PORT_BASE 0x510
#define PORT_LEN  0x0c
#define MMIO_BASE 0x09020000ull /* QEMU virt's fw_cfg */
#define MMIO_LEN  0x18

/* Whether PA..PA+LEN lies inside one of the driver's common buffers. */
static bool in_common_buffer(struct vw_fwcfg *dev, uint64_t pa, uint64_t len)
{
    for (unsigned i = 0; i < dev->dma_count; i++)
        if (pa >= dev->dma[i].pa && len <= dev->dma[i].len &&
            pa - dev->dma[i].pa <= dev->dma[i].len - len)
            return true;
    return false;
}

/* The model's DMA reaches guest RAM inside the common buffers only. */
static uint8_t *map(void *ctx, uint64_t pa, uint32_t len)
{
    struct vw_fwcfg *dev = ctx;
    return in_common_buffer(dev, pa, len) ? vw_ram_host(dev->vm, pa, len) : NULL;
}

/* The model's notes, in the scenario's log (host code). */
static void report(void *ctx, bool failure, const char *msg)
{
    struct vw_fwcfg *dev = ctx;
    if (failure)
        vw_fail(dev->vm, "fwcfg: %s", msg);
    else
        vw_log(dev->vm, "fwcfg: %s", msg);
}

/* The DMA adapter adds or removes a common buffer. */
static void dma_listener(struct vm *vm, void *opaque, uint64_t pa, uint64_t len, bool add)
{
    struct vw_fwcfg *dev = opaque;
    if (add && dev->dma_count == sizeof(dev->dma) / sizeof(dev->dma[0])) {
        vw_fail(vm, "harness: hard limit: fw_cfg tracks more than %u DMA regions", dev->dma_count);
        return;
    }
    if (add) {
        dev->dma[dev->dma_count].pa = pa;
        dev->dma[dev->dma_count++].len = len;
        return;
    }
    for (unsigned i = 0; i < dev->dma_count; i++)
        if (dev->dma[i].pa == pa) {
            dev->dma[i] = dev->dma[--dev->dma_count];
            return;
        }
}

/* Port accesses (x86, amd64), from the bus. */
static uint64_t port_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    (void)vm;
    return qemu_fwcfg_port_read(&dev->regs, offset, size);
}

/* See port_read. */
static void port_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    (void)vm;
    qemu_fwcfg_port_write(&dev->regs, offset, value, size);
}

/* Memory accesses (arm64), from the bus. */
static uint64_t mmio_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    (void)vm;
    return qemu_fwcfg_mmio_read(&dev->regs, offset, size);
}

/* See mmio_read. */
static void mmio_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    (void)vm;
    qemu_fwcfg_mmio_write(&dev->regs, offset, value, size);
}

static const struct vw_device_ops port_ops = {port_read, port_write};
static const struct vw_device_ops mmio_ops = {mmio_read, mmio_write};

struct vw_fwcfg *vw_fwcfg_create(struct vm *vm, enum qemu_fwcfg_mode mode)
{
    struct vw_fwcfg *dev = calloc(1, sizeof(*dev));
    if (dev == NULL) {
        vw_fail(vm, "out of memory");
        return NULL;
    }
    vw_kernel_keep(vm, dev);
    dev->vm = vm;
    qemu_fwcfg_init(&dev->regs, mode);
    dev->regs.map = map;
    dev->regs.map_ctx = dev;
    dev->regs.report = (struct model_report){report, dev};
    vw_dma_add_listener(vm, dma_listener, dev);

    struct vw_resource res;
    if (vm->arch == VW_ARM64) {
        vw_bus_add_memory(vm, MMIO_BASE, 0x1000, &mmio_ops, dev);
        res = (struct vw_resource){VW_RES_MEMORY, MMIO_BASE, MMIO_LEN, 0};
    } else {
        vw_bus_add_ports(vm, PORT_BASE, PORT_LEN, &port_ops, dev);
        res = (struct vw_resource){VW_RES_PORT, PORT_BASE, PORT_LEN, 0};
    }
    dev->pdo = vw_pdo_create(vm, VW_ACPI_BUS, &res, 1);
    return dev;
}
