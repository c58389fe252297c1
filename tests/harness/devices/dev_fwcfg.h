/*
 * QEMU's fw_cfg device (ACPI QEMU0002) on the machine, around its registers
 * (tests/models/qemu/fwcfg): I/O ports 0x510-0x51b on x86/amd64, memory on
 * arm64.  DMA reaches guest RAM only inside the driver's common buffers,
 * which the DMA adapter announces.
 */
#pragma once
#include "qemu/fwcfg.h"
#include "vm.h"

struct vw_fwcfg {
    struct qemu_fwcfg regs; /* registers, items, what etc/vmcoreinfo got */
    gva_t pdo;
    struct vm *vm;

    /* The driver's common buffers, announced by the DMA adapter. */
    struct {
        uint64_t pa, len;
    } dma[16];
    unsigned dma_count;
};

struct vw_fwcfg *vw_fwcfg_create(struct vm *vm, enum qemu_fwcfg_mode mode);
