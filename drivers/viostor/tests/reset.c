/*
 * viostor under StorPort's reset SRBs (storage/multi-tier-reset-in-storport:
 * a LUN reset, then a device reset, each an SRB to HwStartIo, before the
 * bus reset).  virtio-blk has no task management, so each is a device
 * reset: the miniport completes every request the LU had (BUS_RESET, once,
 * and only after the device was reset and owns none of them), then the
 * reset SRB itself (SUCCESS).  Checked under writes held by the device and
 * issued from every CPU, on 1 and 4 queues, split and packed: every write
 * the device held completed when the SRB returns (writes StorPort had not
 * yet started reach the device after it), each write once; nothing waited
 * for (no time-out, no HwResetBus, the SRB answered at once); the data
 * written before reads back as written (and is in the file); the disk
 * works after.
 */
#include "viostor_test.h"

#define RS_N VS_BATCH_N

/* FUNCTION (a LUN or device reset SRB) with RS_N writes held by the device;
 * SLOW: the device reads device_status non-zero that many times after the
 * reset's write of 0 (vmodel reset_delay). */
static void reset_srb_case(struct vm *vm, unsigned function, uint64_t features, uint16_t queues,
                           uint32_t slow)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = queues, .timeout_s = 30};
    const char *name =
        function == SRB_FUNCTION_RESET_DEVICE ? "RESET_DEVICE" : "RESET_LOGICAL_UNIT";
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    if (!vs_rw_batch(vm, 700, 1, true, "before the reset"))
        goto out;
    /* Taken by the device and due in 100 s: still there at the reset */
    vw_virtio_delay(d.dev, -1, 100 * VS_SECOND, 100 * VS_SECOND, false);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned before = st.completed, bus = st.resets;
    uint32_t resets = vmodel_reset_count(d.dev->model);
    if (!vw_stor_submit_writes(vm, RS_N, 800, 0x5a))
        goto out;
    /* Submissions queued on other CPUs run (at CPU 0's scheduling points:
     * by seed some only once the class layer waits for the reset SRB, and
     * then they reach the device after it); what reached the miniport, the
     * device has taken within 5 ms */
    unsigned held = 0;
    for (unsigned step = 0; step < 50 && held < RS_N; step++) {
        vw_run_for(vm, VS_SECOND / 10000);
        held = 0;
        for (uint16_t q = 0; q < queues; q++)
            held += vmodel_pending(d.dev->model, q);
    }
    VW_EXPECT(vm, held >= 1, "the device holds none of the %u writes", RS_N);
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.completed == before, "%u held writes completed before the reset",
              st.completed - before);
    struct vw_stor_result r;
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){.reset_delay = slow});
    uint64_t t0 = vm->k->interrupt_time;
    if (!vw_stor_srb(vm, function, &r) || vm->failed)
        goto out;
    uint64_t took = vm->k->interrupt_time - t0;
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){0});
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS, "%s: SRB 0x%02x", name,
              r.srb_status);
    /* The LU's requests before the reset SRB: all it held done when it is */
    VW_EXPECT(vm, st.completed - before >= held + 1,
              "%s completed with %u of the %u held writes completed", name,
              st.completed - before - 1, held);
    VW_EXPECT(vm, vmodel_reset_count(d.dev->model) - resets == 1, "%s: %u device resets (1)", name,
              vmodel_reset_count(d.dev->model) - resets);
    if (slow == 0)
        VW_EXPECT(vm, took < VS_SECOND / 100, "%s took %llu us of virtual time", name,
                  (unsigned long long)(took / 10));
    else /* 8 reads inside HwStartIo (700 us of stalls), then one per 1 ms timer period */
        VW_EXPECT(vm, took >= (slow - 8) * VS_SECOND / 1000 && took < VS_SECOND / 10,
                  "%s on a device %u reads slow to reset took %llu us of virtual time", name, slow,
                  (unsigned long long)(took / 10));
    vw_virtio_delay(d.dev, -1, 0, 500, false);
    vw_sched_settle(vm);
    if (vm->failed || !vs_rw_batch(vm, 700, 1, false, "after the reset"))
        goto out;
    static uint8_t file[512], want[512];
    for (unsigned i = 0; i < RS_N; i++) {
        vs_fill(want, 512, 700 + i, 1);
        VW_EXPECT(vm, vs_image_read(&d, 700 + i, file, 512) && memcmp(file, want, 512) == 0,
                  "LBA %u written before %s is not in the file", 700 + i, name);
    }
    if (!vs_rw_batch(vm, 900, 2, true, "after the reset") ||
        !vs_rw_batch(vm, 900, 2, false, "after the reset"))
        goto out;
    /* The writes still in StorPort's hands at the reset went to the
     * device after it: each of the 8 completed once, the reset SRB and the
     * three batches after it, no time-out */
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.completed - before == 4 * RS_N + 1 && st.resets == bus,
              "after %s: %u completions (%u), %u bus resets", name, st.completed - before,
              4 * RS_N + 1, st.resets - bus);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", reset_lun_srb_1q_split, NULL)
{
    reset_srb_case(vm, SRB_FUNCTION_RESET_LU, VS_F_DEFAULT, 1, 0);
}

VW_SCENARIO("viostor", reset_lun_srb_4q_packed, NULL)
{
    reset_srb_case(vm, SRB_FUNCTION_RESET_LU, VS_F_DEFAULT | VS_F_PACKED, 4, 0);
}

VW_SCENARIO("viostor", reset_device_srb_1q_packed, NULL)
{
    reset_srb_case(vm, SRB_FUNCTION_RESET_DEVICE, VS_F_DEFAULT | VS_F_PACKED, 1, 0);
}

VW_SCENARIO("viostor", reset_device_srb_4q_split, NULL)
{
    reset_srb_case(vm, SRB_FUNCTION_RESET_DEVICE, VS_F_DEFAULT, 4, 0);
}

/* A device slow to reset (30 reads of device_status before it reads 0, the
 * spec's wait before reinitialising: virtio 1.2 2.4.1): HwStartIo may not
 * busy-wait that long (storport/nf-storport-storportstallexecution: "less
 * than a full millisecond"; the emulation's stall rule holds every call to
 * 1 ms), so the reset SRB stays pending, StorPort is paused, and viostor's
 * timer reads the status once per 1 ms period, then completes the held
 * writes BUS_RESET, reinitialises and completes the SRB: 22 ms or more of
 * virtual time, the same outcome as a quick device. */
VW_SCENARIO("viostor", reset_lun_srb_slow_device, NULL)
{
    reset_srb_case(vm, SRB_FUNCTION_RESET_LU, VS_F_DEFAULT, 4, 30);
}

VW_SCENARIO("viostor", reset_device_srb_slow_device_packed, NULL)
{
    reset_srb_case(vm, SRB_FUNCTION_RESET_DEVICE, VS_F_DEFAULT | VS_F_PACKED, 1, 30);
}

/* A device that never reads 0 after the reset's write of 0: viostor's timer
 * gives up after 100 periods (the 100 ms the virtio core allows elsewhere),
 * fails the device (FAILED) and the reset SRB (ERROR, so StorPort goes on
 * to its next tier); the writes it held are never completed by viostor
 * (the device may still own them): the adapter answers NO_DEVICE at once,
 * and StorPort ends the writes after their time-out (here at the remove's
 * stop: HwResetBus, BUS_RESET from StorPort), each once. */
VW_SCENARIO("viostor", reset_lun_srb_device_never_resets, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.timeout_s = 2};
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_virtio_delay(d.dev, -1, 100 * VS_SECOND, 100 * VS_SECOND, false);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned before = st.completed;
    if (!vw_stor_submit_writes(vm, 4, 800, 0x5b))
        goto out;
    vw_run_for(vm, VS_SECOND / 1000);
    struct vw_stor_result r;
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){.reset_delay = ~0u});
    uint64_t t0 = vm->k->interrupt_time;
    if (!vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) || vm->failed)
        goto out;
    uint64_t took = vm->k->interrupt_time - t0;
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR,
              "RESET_LOGICAL_UNIT on a device that never resets: SRB 0x%02x", r.srb_status);
    VW_EXPECT(vm, took >= VS_SECOND / 10 && took < VS_SECOND / 5,
              "the reset gave up after %llu us of virtual time (100 ms of 1 ms periods)",
              (unsigned long long)(took / 10));
    VW_EXPECT(vm, vmodel_status(d.dev->model) & 0x80, "device status 0x%02x: FAILED not set",
              vmodel_status(d.dev->model));
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){0});
    uint8_t cdb[16], buf[512] = {0};
    vs_rw16(cdb, true, 900, 1, false);
    if (vs_scsi(vm, cdb, 16, buf, 512, false, &r))
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE,
                  "a write to the failed adapter: SRB 0x%02x", r.srb_status);
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.completed - before == 2,
              "%u completions before the held writes' time-out (the SRB and the write after)",
              st.completed - before);
out:
    vs_finish(vm, &d);
}

/* A reset SRB while a reset is unfinished: D3 -> D0 on a device slow to
 * reset (30 reads of device_status: 8 inside ScsiRestartAdapter, then one
 * per 1 ms timer period) leaves the restart to viostor's timer, and the
 * class layer's LUN reset SRB comes before it is done (reset SRBs pass
 * StorPort's pause).  The SRB waits for the same finish (SUCCESS once the
 * device read 0 and is back), with no device reset of its own after it
 * (the restart's reset is the LU's), and no time-out or HwResetBus; the
 * disk works after. */
VW_SCENARIO("viostor", reset_lun_srb_during_slow_restart, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned bus = st.resets, to0 = st.timeouts;
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){.reset_delay = 30});
    if (!vw_stor_power(vm, false) || !vw_stor_power(vm, true))
        goto out;
    uint32_t resets = vmodel_reset_count(d.dev->model);
    uint64_t t0 = vm->k->interrupt_time;
    struct vw_stor_result r;
    if (!vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) || vm->failed)
        goto out;
    uint64_t took = vm->k->interrupt_time - t0;
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){0});
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "RESET_LOGICAL_UNIT during a slow restart: SRB 0x%02x", r.srb_status);
    VW_EXPECT(vm, vmodel_reset_count(d.dev->model) == resets,
              "%u device resets after the restart's (0: the SRB waits for its finish)",
              vmodel_reset_count(d.dev->model) - resets);
    VW_EXPECT(vm, took >= 15 * VS_SECOND / 1000 && took < VS_SECOND / 10,
              "the SRB ended after %llu us of virtual time (the restart's 22 reads left)",
              (unsigned long long)(took / 10));
    VW_EXPECT(vm, st.resets == bus && st.timeouts == to0, "%u HwResetBus calls, %u time-outs",
              st.resets - bus, st.timeouts - to0);
    if (!vs_rw_batch(vm, 900, 3, true, "after the restart") ||
        !vs_rw_batch(vm, 900, 3, false, "after the restart"))
        goto out;
out:
    if (d.dev)
        vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){0});
    vs_finish(vm, &d);
}
