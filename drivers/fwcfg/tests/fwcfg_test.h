/*
 * Shared steps of the fwcfg scenarios.
 */
#pragma once
#include <string.h>
#include "dev_fwcfg.h"
#include "kernel.h"
#include "port/crashdump/crashdump.h"
#include "ram.h"
#include "scenario.h"

/* Device in MODE, driver loaded, device added, START answered with STATUS. */
static inline struct vw_fwcfg *fwcfg_start(struct vm *vm, enum qemu_fwcfg_mode mode,
                                           uint32_t expected)
{
    struct vw_fwcfg *dev = vw_fwcfg_create(vm, mode);
    if (dev == NULL || !vw_driver_load(vm, "fwcfg") || !vw_add_device(vm, dev->pdo))
        return NULL;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == expected, "START_DEVICE returned 0x%08x, expected 0x%08x", status,
              expected);
    return vm->failed ? NULL : dev;
}

/* etc/vmcoreinfo holds { ELF, size, paddr } and paddr holds the ELF note
 * "VMCOREINFO" whose contents are exactly the kernel's crash-dump header. */
static inline void fwcfg_expect_published(struct vm *vm, struct vw_fwcfg *dev)
{
    uint32_t header = vw_crash_dump_header_size(vm);
    uint32_t size = qemu_fwcfg_note_size(&dev->regs);
    uint64_t paddr = qemu_fwcfg_note_paddr(&dev->regs);

    VW_EXPECT(vm, qemu_fwcfg_guest_format(&dev->regs) == 1, "guest_format %u, expected ELF (1)",
              qemu_fwcfg_guest_format(&dev->regs));
    VW_EXPECT(vm, dev->regs.vmcoreinfo[0] == 1 && dev->regs.vmcoreinfo[1] == 0,
              "host_format overwritten with %u",
              dev->regs.vmcoreinfo[0] | dev->regs.vmcoreinfo[1] << 8);
    VW_EXPECT(vm, size == 12 + 12 + header, "note size %u, expected %u", size, 24 + header);
    VW_EXPECT(vm, paddr % 4 == 0, "note at 0x%llx is not 4-byte aligned",
              (unsigned long long)paddr);
    const uint8_t *note = vm->failed ? NULL : vw_ram_host(vm, paddr, size);
    VW_EXPECT(vm, note != NULL, "note at 0x%llx+%u is not guest RAM", (unsigned long long)paddr,
              size);
    if (vm->failed)
        return;
    uint32_t namesz, descsz, type;
    memcpy(&namesz, note, 4);
    memcpy(&descsz, note + 4, 4);
    memcpy(&type, note + 8, 4);
    VW_EXPECT(vm, namesz == 11 && descsz == header && type == 0,
              "note header namesz %u descsz %u type %u", namesz, descsz, type);
    VW_EXPECT(vm, memcmp(note + 12, "VMCOREINFO\0\0", 12) == 0, "note name is not VMCOREINFO");
    uint8_t expected[0x2000];
    vw_crash_dump_header(vm, expected);
    VW_EXPECT(vm, memcmp(note + 24, expected, header) == 0,
              "note contents differ from the kernel's crash-dump header");
}

/* QUERY_REMOVE (unless SURPRISED), REMOVE, unload with the leak checks. */
static inline void fwcfg_remove_and_unload(struct vm *vm, struct vw_fwcfg *dev, bool surprised)
{
    if (!surprised) {
        uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_REMOVE_DEVICE);
        VW_EXPECT(vm, status == 0, "QUERY_REMOVE failed: 0x%08x", status);
    }
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, status == 0, "REMOVE_DEVICE failed: 0x%08x", status);
    VW_EXPECT(vm, vw_driver_unload(vm), "unload failed");
}

/* A START that must fail with STATUS, touching no DMA and leaving nothing. */
static inline void fwcfg_expect_start_fails(struct vm *vm, enum qemu_fwcfg_mode mode,
                                            uint32_t status, unsigned max_dma_ops)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, mode, status);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, dev->regs.vmcoreinfo_writes == 0, "%u write(s) to etc/vmcoreinfo",
              dev->regs.vmcoreinfo_writes);
    VW_EXPECT(vm, dev->regs.dma_ops <= max_dma_ops, "%u DMA operations, at most %u expected",
              dev->regs.dma_ops, max_dma_ops);
    fwcfg_remove_and_unload(vm, dev, false);
}
