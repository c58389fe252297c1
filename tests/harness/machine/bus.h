/*
 * The device side: devices claim I/O port ranges (x86/amd64) and physical
 * memory ranges (BARs, ACPI memory resources).  Port accesses arrive from
 * in/out instructions or the x86 READ/WRITE_PORT_* imports; memory accesses
 * from the MmMapIoSpace window (unicorn MMIO callbacks) or the x86
 * READ/WRITE_REGISTER_* imports.
 */
#pragma once
#include "vm.h"

struct vw_device_ops {
    uint64_t (*read)(struct vm *vm, void *dev, uint64_t offset, unsigned size);
    void (*write)(struct vm *vm, void *dev, uint64_t offset, uint64_t value, unsigned size);
};

void vw_bus_add_ports(struct vm *vm, uint16_t base, uint16_t len, const struct vw_device_ops *ops,
                      void *dev);
void vw_bus_add_memory(struct vm *vm, uint64_t phys, uint64_t len, const struct vw_device_ops *ops,
                       void *dev);

/* Memory that is RAM (a shared-memory BAR): PHYS..PHYS+LEN is guest RAM
 * from vw_ram_reserve; MmMapIoSpace maps it as plain memory, so the driver
 * can describe it with an MDL and map it again. */
void vw_bus_add_ram(struct vm *vm, uint64_t phys, uint64_t len);
/* The physical address behind VA in an MmMapIoSpace window over such RAM,
 * or ~0. */
uint64_t vw_bus_ram_window_pa(struct vm *vm, gva_t va);

uint64_t vw_bus_port_read(struct vm *vm, uint16_t port, unsigned size);
void vw_bus_port_write(struct vm *vm, uint16_t port, uint64_t value, unsigned size);

/* Map [phys, phys+len) at VA as unicorn MMIO; false if no device decodes it. */
bool vw_bus_map_mmio(struct vm *vm, gva_t va, uint64_t phys, uint64_t len);
void vw_bus_unmap_mmio(struct vm *vm, gva_t va);
/* Access through a VA of the MMIO window (x86 register imports). */
bool vw_bus_va_access(struct vm *vm, gva_t va, unsigned size, bool write, uint64_t *value);
void vw_bus_free(struct vm *vm);
/* A check a higher layer registers on every register access of the driver
 * (I/O ports and device memory, not RAM): it fails the run when the access
 * breaks one of its rules (NDIS: none while the adapter is in D3).  NULL: none. */
typedef void (*vw_bus_guard)(struct vm *vm, bool port, uint64_t addr, bool write);
void vw_bus_set_guard(struct vm *vm, vw_bus_guard fn);
