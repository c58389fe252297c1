/*
 * QEMU's pvpanic device on the machine, around its register
 * (tests/models/qemu/pvpanic): both forms, ACPI QEMU0001 (I/O port 0x505;
 * on arm64, which has no port space, a memory resource) and PCI 1B36:0011
 * (BAR0 memory).  Every access is logged.
 */
#pragma once
#include "qemu/pvpanic.h"
#include "vm.h"

struct vw_pvpanic {
    struct qemu_pvpanic reg; /* supported events, bytes written */
    gva_t pdo;
};

struct vw_pvpanic *vw_pvpanic_acpi(struct vm *vm, uint8_t supported);
struct vw_pvpanic *vw_pvpanic_pci(struct vm *vm, uint8_t supported);
