/*
 * A hostile device: every malicious behaviour of the model, now and then
 * (seeded), over many reads.  Whatever it does, a read either returns bytes
 * the device really wrote or fails with a clean status; nothing outside the
 * buffers is touched (any fault fails the run) and unload finds no leak.
 * Devices that break the start-up (MSI-X vectors that do not stick,
 * NEEDS_RESET at DRIVER_OK) make START fail cleanly.
 */
#include "viorng_test.h"

static bool clean_error(uint32_t status)
{
    return status == VW_STATUS_DEVICE_PROTOCOL_ERROR || status == VW_STATUS_IO_TIMEOUT ||
           status == VW_STATUS_DEVICE_NOT_READY;
}

static void hostile_reads(struct vm *vm, uint64_t features, uint32_t evil)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, features);
    if (!viorng_start(vm, dev))
        return;
    unsigned ok = 0, failed = 0;
    for (uint32_t i = 0; i < 40 && !vm->failed; i++) {
        struct vmodel_behaviour b = {.evil = evil, .evil_rate = 3, .out_of_order = true};
        vmodel_set_behaviour(dev->model, &b);
        uint8_t buf[512];
        uint64_t info = 0;
        uint32_t len = 1 + i * 37 % 500, before = dev->produced_len;
        uint32_t status = vw_ioctl(vm, dev->pdo, VIORNG_IOCTL_READ, NULL, 0, buf, len, &info);
        if (status == 0) {
            ok++;
            VW_EXPECT(vm, info <= len && dev->produced_len - before >= info,
                      "read %u: %llu bytes of %u", i, (unsigned long long)info, len);
            VW_EXPECT(vm, memcmp(buf, dev->produced + before, info) == 0,
                      "read %u returned bytes the device did not write for it", i);
        } else {
            failed++;
            VW_EXPECT(vm, clean_error(status) && info == 0, "read %u: status 0x%08x, %llu bytes", i,
                      status, (unsigned long long)info);
        }
    }
    vw_log(vm, "hostile device 0x%x: %u reads served, %u failed cleanly", evil, ok, failed);
    struct vmodel_behaviour good = {0};
    vmodel_set_behaviour(dev->model, &good);
    viorng_read_expect(vm, dev, 64); /* and it recovers */
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", hostile_split_ring, NULL)
{
    hostile_reads(vm, 0,
                  VMODEL_EVIL_BAD_ID | VMODEL_EVIL_IDLE_ID | VMODEL_EVIL_DOUBLE |
                      VMODEL_EVIL_BAD_LEN | VMODEL_EVIL_IDX_JUMP);
}

VW_SCENARIO("viorng", hostile_packed_ring, NULL)
{
    hostile_reads(vm, F_RING_PACKED,
                  VMODEL_EVIL_BAD_ID | VMODEL_EVIL_IDLE_ID | VMODEL_EVIL_DOUBLE |
                      VMODEL_EVIL_BAD_LEN | VMODEL_EVIL_WRAP);
}

static void hostile_start(struct vm *vm, uint32_t evil)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (dev == NULL || !vw_driver_load(vm, "viorng") || !vw_add_device(vm, dev->pdo))
        return;
    struct vmodel_behaviour b = {.evil = evil};
    vmodel_set_behaviour(dev->model, &b);
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status != 0, "START on a device that breaks start-up succeeded");
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

VW_SCENARIO("viorng", hostile_msix_vectors, NULL)
{
    hostile_start(vm, VMODEL_EVIL_MSIX);
}

VW_SCENARIO("viorng", hostile_needs_reset, NULL)
{
    hostile_start(vm, VMODEL_EVIL_NEEDS_RESET);
}
