/*
 * QEMU's pvpanic device: one byte register; reads return the supported
 * events, writes report events.  Both forms: ACPI QEMU0001 (I/O port 0x505;
 * on arm64, which has no port space, a memory resource) and PCI 1B36:0011
 * (BAR0 memory).  Every byte written is logged.
 */
#pragma once
#include "vm.h"

#define VW_PVPANIC_PANICKED     0x01
#define VW_PVPANIC_CRASH_LOADED 0x02

struct vw_pvpanic {
    uint8_t supported;
    uint8_t written[64];
    unsigned write_count, read_count;
    gva_t pdo;
};

struct vw_pvpanic *vw_pvpanic_acpi(struct vm *vm, uint8_t supported);
struct vw_pvpanic *vw_pvpanic_pci(struct vm *vm, uint8_t supported);
/* How many times VALUE was written. */
unsigned vw_pvpanic_writes_of(const struct vw_pvpanic *dev, uint8_t value);
