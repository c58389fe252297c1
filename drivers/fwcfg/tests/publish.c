/* START publishes the note: the host format is read first, then one write
 * of { ELF, size, paddr } points at the crash-dump header in guest RAM.
 * REMOVE withdraws it (guest_format NONE) before the buffer goes. */
#include "fwcfg_test.h"

VW_SCENARIO("fwcfg", publish, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, QEMU_FWCFG_NORMAL, 0);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, dev->regs.vmcoreinfo_reads == 1, "host format read %u times, expected once",
              dev->regs.vmcoreinfo_reads);
    VW_EXPECT(vm, dev->regs.vmcoreinfo_writes == 1, "%u writes to etc/vmcoreinfo, expected one",
              dev->regs.vmcoreinfo_writes);
    VW_EXPECT(vm, dev->regs.dma_refused == 0, "%u DMA operations outside the common buffers",
              dev->regs.dma_refused);
    fwcfg_expect_published(vm, dev);
    fwcfg_remove_and_unload(vm, dev, false);
    VW_EXPECT(vm,
              dev->regs.vmcoreinfo_writes == 2 && qemu_fwcfg_guest_format(&dev->regs) == 0 &&
                  qemu_fwcfg_note_paddr(&dev->regs) == 0,
              "not withdrawn at REMOVE (%u writes, guest_format %u)", dev->regs.vmcoreinfo_writes,
              qemu_fwcfg_guest_format(&dev->regs));
}

/* QEMU without -device vmcoreinfo: the device starts and does nothing. */
VW_SCENARIO("fwcfg", no_vmcoreinfo, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, QEMU_FWCFG_NO_VMCOREINFO, 0);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, dev->regs.dma_ops == 0, "%u DMA operations without etc/vmcoreinfo",
              dev->regs.dma_ops);
    fwcfg_remove_and_unload(vm, dev, false);
    VW_EXPECT(vm, dev->regs.dma_ops == 0, "%u DMA operations at removal", dev->regs.dma_ops);
}

/* A host that does not offer the ELF format gets nothing written. */
VW_SCENARIO("fwcfg", host_not_elf, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, QEMU_FWCFG_HOST_NOT_ELF, 0);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, dev->regs.vmcoreinfo_reads == 1 && dev->regs.vmcoreinfo_writes == 0,
              "host format read %u times, %u writes", dev->regs.vmcoreinfo_reads,
              dev->regs.vmcoreinfo_writes);
    fwcfg_remove_and_unload(vm, dev, false);
    VW_EXPECT(vm, dev->regs.vmcoreinfo_writes == 0, "%u writes at removal",
              dev->regs.vmcoreinfo_writes);
}
