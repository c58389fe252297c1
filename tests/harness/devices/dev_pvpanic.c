/*
 * The pvpanic device on the machine (see dev_pvpanic.h).
 */
#include <stdlib.h>
#include "bus.h"
#include "dev_pvpanic.h"
#include "kernel.h"
#include "pnp.h"

#define ACPI_PORT     0x505
#define ACPI_MMIO     0x09060000ull /* arm64 stand-in for the port */
#define PCI_BAR0      0xfe000000ull
#define PCI_BAR0_SIZE 0x1000ull

static uint64_t reg_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    struct vw_pvpanic *dev = opaque;
    (void)size;
    vw_log(vm, "pvpanic: read at +%u", (unsigned)offset);
    return qemu_pvpanic_read(&dev->reg, offset);
}

static void reg_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct vw_pvpanic *dev = opaque;
    vw_log(vm, "pvpanic: write 0x%02x (%u bytes) at +%u", (unsigned)value, size, (unsigned)offset);
    qemu_pvpanic_write(&dev->reg, offset, (uint8_t)value);
}

static const struct vw_device_ops ops = {reg_read, reg_write};

static struct vw_pvpanic *create(struct vm *vm, uint8_t supported)
{
    struct vw_pvpanic *dev = calloc(1, sizeof(*dev));
    if (dev == NULL) {
        vw_fail(vm, "out of memory");
        return NULL;
    }
    dev->reg.supported = supported;
    vw_kernel_keep(vm, dev);
    return dev;
}

struct vw_pvpanic *vw_pvpanic_acpi(struct vm *vm, uint8_t supported)
{
    struct vw_pvpanic *dev = create(vm, supported);
    if (dev == NULL)
        return NULL;
    struct vw_resource res;
    if (vm->arch == VW_ARM64) {
        vw_bus_add_memory(vm, ACPI_MMIO, 0x1000, &ops, dev);
        res = (struct vw_resource){VW_RES_MEMORY, ACPI_MMIO, 1, 0};
    } else {
        vw_bus_add_ports(vm, ACPI_PORT, 1, &ops, dev);
        res = (struct vw_resource){VW_RES_PORT, ACPI_PORT, 1, 0};
    }
    dev->pdo = vw_pdo_create(vm, VW_ACPI_BUS, &res, 1);
    return dev;
}

struct vw_pvpanic *vw_pvpanic_pci(struct vm *vm, uint8_t supported)
{
    struct vw_pvpanic *dev = create(vm, supported);
    if (dev == NULL)
        return NULL;
    vw_bus_add_memory(vm, PCI_BAR0, PCI_BAR0_SIZE, &ops, dev);
    struct vw_resource res = {VW_RES_MEMORY, PCI_BAR0, PCI_BAR0_SIZE, 0};
    dev->pdo = vw_pdo_create(vm, VW_PCI_BUS, &res, 1);
    return dev;
}
