/*
 * Reads through IOCTL_VIORNG_READ on every transport: modern (MSI-X and INTx,
 * split and packed rings), transitional and legacy (MSI-X and INTx).
 */
#include "viorng_test.h"

static void run(struct vm *vm, enum vmodel_transport t, bool msix, uint64_t features)
{
    struct vw_virtio *dev = viorng_device(vm, t, msix, features);
    if (!viorng_start(vm, dev))
        return;
    /* The ring ordering checker must be armed, on the right ring. */
    VW_EXPECT(vm, dev->watch[0].active && dev->watch[0].packed == !!(features & F_RING_PACKED),
              "ring ordering watch not armed for this ring format");
    viorng_read_expect(vm, dev, 16);
    viorng_read_expect(vm, dev, 4096);
    viorng_read_expect(vm, dev, 1);
    viorng_read_expect(vm, dev, 5000); /* more than one read: at most 4096 come back */
    VW_EXPECT(vm, vm->k->interrupts_delivered >= 4, "only %u interrupts delivered",
              vm->k->interrupts_delivered);
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", modern_msix_split, NULL)
{
    run(vm, VMODEL_MODERN, true, 0);
}

VW_SCENARIO("viorng", modern_intx_split, NULL)
{
    run(vm, VMODEL_MODERN, false, 0);
}

VW_SCENARIO("viorng", modern_msix_packed, NULL)
{
    run(vm, VMODEL_MODERN, true, F_RING_PACKED);
}

VW_SCENARIO("viorng", transitional_msix, NULL)
{
    run(vm, VMODEL_TRANSITIONAL, true, 0);
}

VW_SCENARIO("viorng", legacy_intx, NULL)
{
    run(vm, VMODEL_LEGACY, false, 0);
}

VW_SCENARIO("viorng", legacy_msix, NULL)
{
    run(vm, VMODEL_LEGACY, true, 0);
}

/* ReadFile (IRP_MJ_READ, buffered I/O) serves the same bytes as the IOCTL. */
VW_SCENARIO("viorng", readfile_path, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    uint8_t buf[300];
    uint64_t info = 0;
    uint32_t before = dev->produced_len;
    uint32_t status = vw_read_request(vm, dev->pdo, buf, sizeof(buf), &info);
    VW_EXPECT(vm, status == 0 && info > 0 && info <= sizeof(buf), "ReadFile: 0x%08x, %llu bytes",
              status, (unsigned long long)info);
    VW_EXPECT(vm, memcmp(buf, dev->produced + before, info) == 0,
              "ReadFile bytes differ from the device's entropy");
    viorng_finish(vm, dev);
}
