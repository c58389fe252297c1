/*
 * What scenarios drive: the parts of the I/O and PnP managers that load a
 * driver, build device stacks on PDOs with resources, send PnP IRPs, crash
 * the machine, and unload the driver with leak checks.
 */
#pragma once
#include "vm.h"

#define VW_IRP_MN_START_DEVICE         0x00
#define VW_IRP_MN_QUERY_REMOVE_DEVICE  0x01
#define VW_IRP_MN_REMOVE_DEVICE        0x02
#define VW_IRP_MN_CANCEL_REMOVE_DEVICE 0x03
#define VW_IRP_MN_STOP_DEVICE          0x04
#define VW_IRP_MN_QUERY_STOP_DEVICE    0x05
#define VW_IRP_MN_SURPRISE_REMOVAL     0x17

enum vw_resource_type { VW_RES_PORT = 1, VW_RES_MEMORY = 3 };
enum vw_interface { VW_ISA = 1, VW_PCI_BUS = 5, VW_ACPI_BUS = 17 };

struct vw_resource {
    enum vw_resource_type type;
    uint64_t start, len;
};

/* Load NAME (out/<arch>/NAME/NAME.sys, else build/<arch>/testdrv/NAME/) and
 * run its DriverEntry; true when it returned a success status. */
bool vw_driver_load(struct vm *vm, const char *name);
/* A PDO of the bus driver owning RESOURCES (raw = translated). */
gva_t vw_pdo_create(struct vm *vm, enum vw_interface bus, const struct vw_resource *res,
                    unsigned count);
/* Call the driver's AddDevice for PDO; true on success. */
bool vw_add_device(struct vm *vm, gva_t pdo);
/* Send a PnP IRP to the top of PDO's stack; returns its final status. */
uint32_t vw_pnp(struct vm *vm, gva_t pdo, uint8_t minor);
/* Send a power IRP (IRP_MN_SET_POWER, device power state STATE). */
uint32_t vw_power_set_device(struct vm *vm, gva_t pdo, unsigned state);
/* Crash: run the registered bug-check callbacks at HIGH_LEVEL. */
void vw_crash(struct vm *vm, uint32_t code, bool dump_enabled);
/* Unload: the driver must have no device left; then DriverUnload, then the
 * leak checks (pool, mappings, callback registrations). */
bool vw_driver_unload(struct vm *vm);

/* __stack_chk_guard: its initial value in the image and its value now. */
bool vw_stack_guard(struct vm *vm, uint64_t *initial, uint64_t *now);
