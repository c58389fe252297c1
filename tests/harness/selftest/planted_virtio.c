/*
 * The virtio checkers (dev_virtio_check.c and the device model's own) must
 * flag each planted bug of badvirtio; byte 0 of the device configuration
 * picks the bug.
 */
#include "dev_virtio.h"
#include "scenario.h"

/* HOLD: the device takes requests and completes none for a second. */
static struct vw_virtio *run_mode_held(struct vm *vm, uint8_t mode, bool hold)
{
    uint64_t packed =
        mode == 6 || mode == 14 || mode == 20 || mode == 25 ? 1ull << 34 : 0; /* RING_PACKED */
    uint64_t event_idx = mode >= 10 && mode <= 12 ? 1ull << 29 : 0;
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = 4,
        .features = 1ull << 32 | packed | event_idx, /* VERSION_1 */
        .queues = 1,
        .queue_max = 16,
        .msix = true,
        .seed = 1,
        .device_cfg_len = 4,
    };
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    if (dev == NULL)
        return NULL;
    vmodel_set_device_cfg(dev->model, 0, &mode, 1);
    if (hold)
        vw_virtio_hang_queue(dev, 0, 10000000);
    if (vw_driver_load(vm, "badvirtio") && vw_add_device(vm, dev->pdo))
        vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    return dev;
}

static struct vw_virtio *run_mode(struct vm *vm, uint8_t mode)
{
    return run_mode_held(vm, mode, false);
}

VW_SCENARIO("harness", checker_virtio_status_order,
            "virtio: status DRIVER_OK set before FEATURES_OK")
{
    run_mode(vm, 1);
}

VW_SCENARIO("harness", checker_virtio_features, "driver accepted features not offered")
{
    run_mode(vm, 2);
}

VW_SCENARIO("harness", checker_virtio_avail_order, "before ring entry 0 was written")
{
    run_mode(vm, 3);
}

VW_SCENARIO("harness", checker_virtio_dma_bounds, "DMA outside guest memory")
{
    run_mode(vm, 4);
}

VW_SCENARIO("harness", checker_virtio_descriptor_loop, "descriptor loop")
{
    run_mode(vm, 5);
}

VW_SCENARIO("harness", checker_virtio_packed_order,
            "packed descriptor 0 made available before its address was written")
{
    run_mode(vm, 6);
}

/* The same driver without a bug (mode 0) passes: the checkers are quiet. */
VW_SCENARIO("harness", checker_virtio_clean, NULL)
{
    run_mode(vm, 0);
}

VW_SCENARIO("harness", checker_virtio_sg_after_put, "DMA outside guest memory")
{
    run_mode(vm, 7);
}

/* The counterpart: the same element while its list lives is DMA-able, and
 * the device really filled the buffer through it. */
VW_SCENARIO("harness", virtio_sg_live, NULL)
{
    struct vw_virtio *dev = run_mode(vm, 8);
    if (dev == NULL || vm->failed)
        return;
    const struct vmodel_stats *st = vmodel_stats(dev->model);
    VW_EXPECT(
        vm, st->requests == 1 && st->completions == 1 && st->errors == 0,
        "the device took %llu request(s), completed %llu, saw %llu error(s); expected 1, 1, 0",
        (unsigned long long)st->requests, (unsigned long long)st->completions,
        (unsigned long long)st->errors);
}

/* The device looks at a queue only after a notification (or while it is
 * still busy after one), and interrupts only as the driver asked: each
 * notification bug hangs, and the idle machine names it within the stall
 * limit of virtual time. */
static void run_idle(struct vm *vm, uint8_t mode)
{
    if (run_mode(vm, mode) != NULL && !vm->failed)
        vw_run_for(vm, 2 * VW_VIRTIO_STALL_LIMIT);
}

VW_SCENARIO("harness", checker_virtio_missing_kick, "never notified (missing kick")
{
    run_idle(vm, 9);
}

VW_SCENARIO("harness", checker_virtio_event_idx_kick,
            "published past avail_event 1 without a notification")
{
    run_idle(vm, 10);
}

VW_SCENARIO("harness", checker_virtio_lost_interrupt,
            "re-armed without re-checking the used ring, the interrupt is lost")
{
    run_idle(vm, 11);
}

/* The same flows done right pass: kicks as the event index says, the
 * re-check after re-arming. */
VW_SCENARIO("harness", checker_virtio_notifications_clean, NULL)
{
    struct vw_virtio *dev = run_mode(vm, 12);
    if (dev == NULL || vm->failed)
        return;
    vw_run_for(vm, 2 * VW_VIRTIO_STALL_LIMIT);
    const struct vmodel_stats *st = vmodel_stats(dev->model);
    VW_EXPECT(vm, st->completions == 3, "the device completed %llu request(s), expected 3",
              (unsigned long long)st->completions);
}

VW_SCENARIO("harness", checker_virtio_avail_entry_after_idx,
            "avail ring entry 0 written after avail->idx published it")
{
    run_mode(vm, 13);
}

VW_SCENARIO("harness", checker_virtio_packed_head_first,
            "packed head 0 made available before descriptor 1 of its chain")
{
    run_mode(vm, 14);
}

VW_SCENARIO("harness", checker_virtio_desc_after_idx,
            "descriptor 0 written after avail->idx published its chain")
{
    run_mode(vm, 15);
}

/* The barrier rules (dev_virtio_barrier.c): a write barrier before the
 * publication and a read barrier after used->idx are instructions on arm64
 * only (x86 is TSO: there the same driver is correct and passes). */
#define ARM64_ONLY VW_ARCH_BIT(VW_ARM64)
#define X86_ONLY   (VW_ARCH_BIT(VW_X86) | VW_ARCH_BIT(VW_AMD64))

VW_SCENARIO_ON("harness", checker_virtio_missing_wmb,
               "queue 0 avail->idx published with no store barrier since the last descriptor "
               "store (missing write barrier)",
               ARM64_ONLY)
{
    run_mode(vm, 19);
}

VW_SCENARIO_ON("harness", checker_virtio_missing_wmb_tso, NULL, X86_ONLY)
{
    run_mode(vm, 19);
}

VW_SCENARIO_ON("harness", checker_virtio_packed_missing_wmb,
               "queue 0 packed head published with no store barrier", ARM64_ONLY)
{
    run_mode(vm, 20);
}

VW_SCENARIO_ON("harness", checker_virtio_packed_missing_wmb_tso, NULL, X86_ONLY)
{
    run_mode(vm, 20);
}

VW_SCENARIO_ON("harness", checker_virtio_missing_rmb,
               "queue 0 used ring entry 0 read with no load barrier after reading used->idx",
               ARM64_ONLY)
{
    run_mode(vm, 21);
}

VW_SCENARIO_ON("harness", checker_virtio_missing_rmb_tso, NULL, X86_ONLY)
{
    run_mode(vm, 21);
}

/* Store -> load needs a full fence everywhere (x86 too). */
VW_SCENARIO("harness", checker_virtio_missing_mb,
            "queue 0 used->flags read after publishing with no full barrier between")
{
    run_mode(vm, 22);
}

VW_SCENARIO("harness", checker_virtio_avail_jump, "queue 0 avail->idx moved by 17 on a ring of 16")
{
    run_mode(vm, 23);
}

/* Ownership lasts until the device uses the buffer, not just until it
 * takes it. */
VW_SCENARIO("harness", checker_virtio_desc_in_flight,
            "descriptor 0 written after avail->idx published its chain")
{
    run_mode_held(vm, 24, true);
}

VW_SCENARIO("harness", checker_virtio_packed_desc_in_flight,
            "queue 0 packed descriptor 0 written while the device owns it")
{
    run_mode_held(vm, 25, true);
}

/* A device whose reset takes effect at the read of 0 (vmodel reset_late,
 * 5 reads): the driver writes 0, then ACKNOWLEDGE at once. */
VW_SCENARIO("harness", checker_virtio_reset_not_awaited,
            "written while the device's reset is still in progress")
{
    uint8_t mode = 26;
    struct vw_virtio_config cfg = {.transport = VMODEL_MODERN,
                                   .device_type = 4,
                                   .features = 1ull << 32,
                                   .queues = 1,
                                   .queue_max = 16,
                                   .msix = true,
                                   .seed = 1,
                                   .device_cfg_len = 4};
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    if (dev == NULL)
        return;
    vmodel_set_device_cfg(dev->model, 0, &mode, 1);
    vmodel_set_behaviour(dev->model,
                         &(struct vmodel_behaviour){.reset_delay = 5, .reset_late = true});
    if (vw_driver_load(vm, "badvirtio") && vw_add_device(vm, dev->pdo))
        vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
}
