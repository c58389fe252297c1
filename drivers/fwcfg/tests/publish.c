/* START publishes the note: the host format is read first, then one write
 * of { ELF, size, paddr } points at the crash-dump header in guest RAM.
 * REMOVE withdraws it (guest_format NONE) before the buffer goes. */
#include "fwcfg_test.h"

VW_SCENARIO("fwcfg", publish, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, VW_FWCFG_NORMAL, 0);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, dev->vmcoreinfo_reads == 1, "host format read %u times, expected once",
              dev->vmcoreinfo_reads);
    VW_EXPECT(vm, dev->vmcoreinfo_writes == 1, "%u writes to etc/vmcoreinfo, expected one",
              dev->vmcoreinfo_writes);
    VW_EXPECT(vm, dev->dma_refused == 0, "%u DMA operations outside the common buffers",
              dev->dma_refused);
    fwcfg_expect_published(vm, dev);
    fwcfg_remove_and_unload(vm, dev, false);
    VW_EXPECT(vm,
              dev->vmcoreinfo_writes == 2 && vw_fwcfg_guest_format(dev) == 0 &&
                  vw_fwcfg_note_paddr(dev) == 0,
              "not withdrawn at REMOVE (%u writes, guest_format %u)", dev->vmcoreinfo_writes,
              vw_fwcfg_guest_format(dev));
}

/* QEMU without -device vmcoreinfo: the device starts and does nothing. */
VW_SCENARIO("fwcfg", no_vmcoreinfo, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, VW_FWCFG_NO_VMCOREINFO, 0);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, dev->dma_ops == 0, "%u DMA operations without etc/vmcoreinfo", dev->dma_ops);
    fwcfg_remove_and_unload(vm, dev, false);
    VW_EXPECT(vm, dev->dma_ops == 0, "%u DMA operations at removal", dev->dma_ops);
}

/* A host that does not offer the ELF format gets nothing written. */
VW_SCENARIO("fwcfg", host_not_elf, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, VW_FWCFG_HOST_NOT_ELF, 0);
    if (dev == NULL)
        return;
    VW_EXPECT(vm, dev->vmcoreinfo_reads == 1 && dev->vmcoreinfo_writes == 0,
              "host format read %u times, %u writes", dev->vmcoreinfo_reads,
              dev->vmcoreinfo_writes);
    fwcfg_remove_and_unload(vm, dev, false);
    VW_EXPECT(vm, dev->vmcoreinfo_writes == 0, "%u writes at removal", dev->vmcoreinfo_writes);
}
