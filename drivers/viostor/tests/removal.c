/*
 * Surprise removal with requests at the device (vw_stor_surprise_remove):
 * the virtio-blk function unplugged (reads all ones, takes no request,
 * DMAs nothing) while it holds 8 writes (or most: seeded scheduling); each write comes back exactly
 * once: NO_DEVICE from ScsiAdapterSurpriseRemoval, which viostor claims
 * (without the claim: BUS_RESET after the time-out and StorPort's reset
 * tiers, storage/multi-tier-reset-in-storport; the
 * emulation's checkers: never twice, never after a reset), no miniport call waits
 * on the gone function, a write sent after it fails at once with
 * NO_DEVICE without touching a register, and the remove stops and frees
 * the adapter (no FLUSH) and the driver unloads clean.
 * On four queues StorPort may start a write on another CPU while
 * HwAdapterControl(ScsiAdapterSurpriseRemoval) runs: viostor publishes
 * Removed before its first call, so that write ends NO_DEVICE and
 * notifies nothing (x86 seeds 0-29: 14 failures without it, none with it).
 */
#include "viostor_test.h"

/* The class driver's retry after the removal: refused at once with
 * NO_DEVICE, the function untouched, TIMEOUTS time-outs in all; false when
 * the run failed. */
static bool retry_refused(struct vm *vm, unsigned timeouts)
{
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned before = st.gone_accesses;
    uint8_t cdb[16], buf[512];
    struct vw_stor_result r;
    vs_fill(buf, sizeof(buf), 300, 1);
    vs_rw16(cdb, true, 300, 1, false);
    vw_stor_submit_from(vm, 0);
    if (!vs_scsi(vm, cdb, 16, buf, sizeof(buf), false, &r))
        return false;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE &&
                  st.gone_accesses == before && st.timeouts == timeouts,
              "a write after the removal: SRB 0x%02x, %u register accesses, %u time-outs",
              r.srb_status, st.gone_accesses - before, st.timeouts);
    return !vm->failed;
}

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
     * (NO_DEVICE, no time-out); one not told leaves them to the time-out
     * and StorPort's reset tiers (BUS_RESET). */
    bool told = st.control_surprise == 1;
    unsigned timeouts = told ? 0 : 1;
    uint8_t want = told ? SRB_STATUS_NO_DEVICE : SRB_STATUS_BUS_RESET;
    VW_EXPECT(vm, n == 8 && st.removed_outstanding >= held && st.timeouts == timeouts,
              "%u results, %u at the miniport at the removal (the device held %llu), %u "
              "time-outs (8 results, %u time-out expected)",
              n, st.removed_outstanding, (unsigned long long)held, st.timeouts, timeouts);
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == want,
                  "write %u ended 0x%02x, not 0x%02x", i, res[i].srb_status, want);
    if (!retry_refused(vm, timeouts) || !vw_stor_remove(vm))
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

VW_SCENARIO("viostor", surprise_removal_in_flight_four_queues_packed, NULL)
{
    removal_run(vm, VS_F_DEFAULT | VS_F_PACKED, 4);
}

/* Removal amid completions: 16 writes from every CPU that the device
 * completes 10..80 us after taking them, the function unplugged 40 us in,
 * so by seed 0, 4, 8 or 12 of them are still at the device (the rest were
 * completed by the queues' DPCs).  Each write ends exactly once (the
 * emulation fails a second completion), those at the removal NO_DEVICE, no
 * miniport call touches the function after it is told (the emulation's
 * checker), and a write after it fails at once without a register access.
 * Not shown: a DPC draining inside HwAdapterControl (40 seeds: none did). */
static void removal_amid(struct vm *vm, uint64_t features)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = 4};
    struct vw_stor_stats st;
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_stats(vm, &st);
    unsigned before = st.completed, pnp = st.pnp_srbs;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    vw_virtio_delay(d.dev, -1, 100, 800, false);
    if (!vw_stor_submit_writes(vm, 16, 300, 0x6d))
        goto out;
    vw_run_for(vm, 400);
    vw_virtio_unplug(d.dev);
    struct vw_stor_result res[16];
    unsigned n = 0;
    if (!vw_stor_surprise_remove(vm, res, 16, &n))
        goto out;
    vw_stor_stats(vm, &st);
    /* completed counts the LUN's StorSurpriseRemoval SRB too */
    unsigned writes = st.completed - before - (st.pnp_srbs - pnp);
    VW_EXPECT(vm, st.control_surprise == 1 && writes == 16 && n <= 16,
              "%u ScsiAdapterSurpriseRemoval (1), %u of 16 writes completed, %u at the removal",
              st.control_surprise, writes, n);
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE,
                  "write %u at the removal ended 0x%02x, not NO_DEVICE", i, res[i].srb_status);
    if (!retry_refused(vm, 0) || !vw_stor_remove(vm))
        goto out;
    d.started = false;
    vw_driver_unload(vm);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", surprise_removal_amid_completions, NULL)
{
    removal_amid(vm, VS_F_DEFAULT);
}
