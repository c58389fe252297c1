/*
 * viostor on a device whose reset takes effect late (vmodel reset_late):
 * after the driver writes 0 to device_status the device goes on using its
 * rings -- completing requests, writing their data and used entries,
 * raising interrupts -- until a read of device_status returns 0, as virtio
 * 1.2 4.1.4.3.2 allows ("the driver MUST wait for a read of device_status
 * to return 0 before reinitializing the device").  Until that read the
 * device's claims on the requests' buffers stand, so StorPort's check at
 * every completion (and at its own BUS_RESET after HwResetBus) fails a
 * request handed back while the device may still write it.
 */
#include "viostor_test.h"

#define RL_N VS_BATCH_N

/* RL_N writes the device takes and answers DUE after it took them; the
 * reset SRB FUNCTION sent at once, on a device that reads device_status
 * non-zero SLOW times after the write of 0 and keeps using its rings
 * meanwhile.  Each write ends once (SUCCESS from the device or BUS_RESET),
 * never while the device still owns it; the disk works after. */
static void late_reset_srb(struct vm *vm, unsigned function, uint16_t queues, uint64_t features,
                           uint32_t slow, uint64_t due)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = queues, .features = features, .timeout_s = 30};
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    if (!vs_rw_batch(vm, 300, 1, true, "before the reset"))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned before = st.completed, bus = st.resets;
    vw_virtio_delay(d.dev, -1, due, due, false);
    vmodel_set_behaviour(d.dev->model,
                         &(struct vmodel_behaviour){.reset_delay = slow, .reset_late = true});
    if (!vw_stor_submit_writes(vm, RL_N, 400, 0x6b))
        goto out;
    /* Only the writes the device took by now are due DUE after it took
     * them: those StorPort still holds (viostor paused it or answered
     * BUSY) start after the reset and are answered as usual.  The delay
     * is the queues' own, so the late-reset behaviour stays. */
    for (uint16_t q = 0; q < queues; q++)
        vmodel_queue_delay(d.dev->model, q, 0, 500);
    struct vw_stor_result r;
    if (!vw_stor_srb(vm, function, &r) || vm->failed)
        goto out;
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "reset SRB 0x%02x: SRB 0x%02x", function, r.srb_status);
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){0});
    vw_virtio_delay(d.dev, -1, 0, 500, false);
    vw_sched_settle(vm);
    vw_stor_stats(vm, &st);
    /* Writes StorPort started after the reset reach the device then */
    for (unsigned i = 0; i < 100 && st.completed - before < RL_N + 1 && !vm->failed; i++) {
        vw_run_for(vm, VS_SECOND / 1000);
        vw_stor_stats(vm, &st);
    }
    uint32_t at_device = 0;
    for (uint16_t q = 0; q < queues; q++)
        at_device += vmodel_pending(d.dev->model, q);
    uint64_t late = vmodel_stats(d.dev->model)->late_completions;
    vw_log(vm,
           "late reset (%u reads): %u completions, %llu used entries written after the write of "
           "0, %u HwResetBus, %u at the device, StorPort paused %u (%u pauses), max outstanding %u",
           slow, st.completed - before, (unsigned long long)late, st.resets - bus, at_device,
           vw_stor_paused(vm), st.pauses, st.max_outstanding);
    if (due < VS_SECOND)
        VW_EXPECT(vm, late >= 1, "no write completed inside the late reset's window");
    VW_EXPECT(vm, st.completed - before == RL_N + 1 && !vmodel_reset_pending(d.dev->model),
              "after the late reset: %u completions (%u: each write once and the SRB)",
              st.completed - before, RL_N + 1);
    if (!vm->failed && vs_rw_batch(vm, 300, 1, false, "after the reset"))
        vs_rw_batch(vm, 500, 2, true, "after the reset");
out:
    vs_finish(vm, &d);
}

/* 30 reads (viostor: 8 in HwStartIo, then its 1 ms timer), writes due 3 ms
 * after the device took them: they complete inside the reset's window. */
VW_SCENARIO("viostor", reset_late_lun_srb_1q_split, NULL)
{
    late_reset_srb(vm, SRB_FUNCTION_RESET_LU, 1, VS_F_DEFAULT, 30, 3 * VS_SECOND / 1000);
}

VW_SCENARIO("viostor", reset_late_device_srb_4q_packed, NULL)
{
    late_reset_srb(vm, SRB_FUNCTION_RESET_DEVICE, 4, VS_F_DEFAULT | VS_F_PACKED, 30,
                   3 * VS_SECOND / 1000);
}

/* The writes still due long after the reset ends (100 s): the device drops
 * them at the read of 0; viostor must not hand them back before it. */
VW_SCENARIO("viostor", reset_late_lun_srb_held, NULL)
{
    late_reset_srb(vm, SRB_FUNCTION_RESET_LU, 1, VS_F_DEFAULT, 30, 100 * VS_SECOND);
}
