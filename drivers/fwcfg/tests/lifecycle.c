/* STOP/START, D3/D0 and surprise removal. */
#include "fwcfg_test.h"

/* STOP withdraws, START publishes again into the new buffer. */
VW_SCENARIO("fwcfg", stop_restart, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, QEMU_FWCFG_NORMAL, 0);
    if (dev == NULL)
        return;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "QUERY_STOP failed: 0x%08x", status);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_STOP_DEVICE);
    VW_EXPECT(vm, status == 0, "STOP failed: 0x%08x", status);
    VW_EXPECT(vm, qemu_fwcfg_guest_format(&dev->regs) == 0 && dev->dma_count == 0,
              "after STOP: guest_format %u, %u common buffer(s) left",
              qemu_fwcfg_guest_format(&dev->regs), dev->dma_count);
    status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "second START failed: 0x%08x", status);
    VW_EXPECT(vm, dev->regs.vmcoreinfo_writes == 3,
              "%u writes, expected publish, withdraw, publish", dev->regs.vmcoreinfo_writes);
    fwcfg_expect_published(vm, dev);
    fwcfg_remove_and_unload(vm, dev, false);
}

/* Back in D0 after D3 (sleep, hibernation) the header is rebuilt and
 * published again. */
VW_SCENARIO("fwcfg", d3_d0, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, QEMU_FWCFG_NORMAL, 0);
    if (dev == NULL)
        return;
    uint32_t status = vw_power_set_system(vm, dev->pdo, 4 /* S3 */);
    VW_EXPECT(vm, status == 0, "S3 failed: 0x%08x", status);
    status = vw_power_set_system(vm, dev->pdo, 1 /* S0 */);
    VW_EXPECT(vm, status == 0, "S0 failed: 0x%08x", status);
    VW_EXPECT(vm, dev->regs.vmcoreinfo_writes == 2, "%u writes, expected a second publish at D0",
              dev->regs.vmcoreinfo_writes);
    fwcfg_expect_published(vm, dev);
    fwcfg_remove_and_unload(vm, dev, false);
}

/* The device is gone: nothing more is sent to it, the buffer is freed. */
VW_SCENARIO("fwcfg", surprise_removal, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, QEMU_FWCFG_NORMAL, 0);
    if (dev == NULL)
        return;
    unsigned ops = dev->regs.dma_ops;
    dev->regs.removed = true;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL);
    VW_EXPECT(vm, status == 0, "SURPRISE_REMOVAL failed: 0x%08x", status);
    VW_EXPECT(vm, dev->regs.dma_ops == ops, "%u DMA operation(s) after surprise removal",
              dev->regs.dma_ops - ops);
    VW_EXPECT(vm, dev->dma_count == 0, "%u common buffer(s) left after surprise removal",
              dev->dma_count);
    fwcfg_remove_and_unload(vm, dev, true);
}

/* A crash changes nothing: the host fills the bug-check fields itself, so
 * no callback touches the device and the note stays published. */
VW_SCENARIO("fwcfg", crash, NULL)
{
    struct vw_fwcfg *dev = fwcfg_start(vm, QEMU_FWCFG_NORMAL, 0);
    if (dev == NULL)
        return;
    unsigned ops = dev->regs.dma_ops;
    vw_crash(vm, 0xdeaddead, true);
    VW_EXPECT(vm, dev->regs.dma_ops == ops, "%u DMA operation(s) during the bug check",
              dev->regs.dma_ops - ops);
    fwcfg_expect_published(vm, dev);
    fwcfg_remove_and_unload(vm, dev, false);
}
