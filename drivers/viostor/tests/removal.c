/*
 * Surprise removal with requests at the device (vw_stor_surprise_remove):
 * the virtio-blk function unplugged (reads all ones, takes no request,
 * DMAs nothing) while it holds 8 writes (or most: seeded scheduling); each write comes back exactly
 * once: NO_DEVICE from ScsiAdapterSurpriseRemoval, which viostor claims
 * (without the claim: BUS_RESET after the time-out and HwResetBus; the
 * emulation's checkers: never twice, never after a reset), no miniport call waits
 * on the gone function, a write sent after it fails at once with
 * NO_DEVICE without touching a register, and the remove stops and frees
 * the adapter (no FLUSH) and the driver unloads clean.
 * The four-queue variants are opt-in (optin_*: they run only when --only
 * names them, tests/harness/run/runner.c): with requests submitted from
 * several CPUs, viostor's HwStartIo on another CPU can still write a
 * notify register after ScsiAdapterSurpriseRemoval told it the function is
 * gone (x86 seed 2 in CI); they run by default again once it cannot.
 */
#include "viostor_test.h"

static void removal_run(struct vm *vm, uint64_t features, uint16_t queues)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = queues};
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    /* The writes are taken by the device and due in 100 s: still there
     * when the function goes. */
    vw_virtio_delay(d.dev, -1, 100 * VS_SECOND, 100 * VS_SECOND, false);
    if (!vw_stor_submit_writes(vm, 8, 300, 0x4e))
        goto out;
    vw_run_for(vm, VS_SECOND / 1000); /* submissions queued on other CPUs run */
    uint64_t held = 0;
    for (uint16_t q = 0; q < queues; q++)
        held += vmodel_pending(d.dev->model, q);
    /* Seeded scheduling may leave a few published but not yet taken: the
     * miniport has them all the same. */
    VW_EXPECT(vm, held >= 1, "the device holds none of the 8 writes");
    vw_virtio_unplug(d.dev);
    struct vw_stor_result res[16];
    unsigned n = 0;
    if (!vw_stor_surprise_remove(vm, res, 16, &n))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    /* A miniport told by ScsiAdapterSurpriseRemoval ends them there
     * (NO_DEVICE, no reset); one not told leaves them to the time-out and
     * HwResetBus (BUS_RESET). */
    bool told = st.control_surprise == 1;
    unsigned resets = told ? 0 : 1;
    uint8_t want = told ? VS_SRB_NO_DEVICE : VS_SRB_BUS_RESET;
    VW_EXPECT(vm, n == 8 && st.removed_outstanding >= held && st.resets == resets,
              "%u results, %u at the miniport at the removal (the device held %llu), %u resets "
              "(8 results, %u reset expected)",
              n, st.removed_outstanding, (unsigned long long)held, st.resets, resets);
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, (res[i].srb_status & VS_SRB_MASK) == want,
                  "write %u ended 0x%02x, not 0x%02x", i, res[i].srb_status, want);
    /* The class driver's retry: refused at once, the function untouched. */
    unsigned before = st.gone_accesses;
    uint8_t cdb[16], buf[512];
    struct vw_stor_result r;
    vs_fill(buf, sizeof(buf), 300, 1);
    vs_rw16(cdb, true, 300, 1, false);
    vw_stor_submit_from(vm, 0);
    if (!vs_scsi(vm, cdb, 16, buf, sizeof(buf), false, &r))
        goto out;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              (r.srb_status & VS_SRB_MASK) == VS_SRB_NO_DEVICE && st.gone_accesses == before &&
                  st.resets == resets,
              "a write after the removal: SRB 0x%02x, %u register accesses, %u resets",
              r.srb_status, st.gone_accesses - before, st.resets);
    if (vm->failed || !vw_stor_remove(vm))
        goto out;
    d.started = false; /* removed here: vs_finish only unloads */
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.stop_flushes == 0 && st.control_stop == 1,
              "remove: %u FLUSHes, %u ScsiStopAdapter (0, 1 expected)", st.stop_flushes,
              st.control_stop);
    vw_driver_unload(vm);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", surprise_removal_in_flight, NULL)
{
    removal_run(vm, VS_F_DEFAULT, 1);
}

VW_SCENARIO("viostor", optin_surprise_removal_in_flight_four_queues_packed, NULL)
{
    removal_run(vm, VS_F_DEFAULT | VS_F_PACKED, 4);
}
