/*
 * PnP and power as StorPort drives them (port/storport: removal.c,
 * stopped.c): a surprise removal under I/O with ScsiAdapterSurpriseRemoval
 * (the miniport must claim it and, once told, never touch the function),
 * the PnP remove of the disk (StorQueryCapabilities, then StorRemoveDevice
 * to the LUN) with I/O before it, and D3 -> D0 with writes in flight (no
 * register access between ScsiStopAdapter and the restart; the data is
 * there after it).
 * On four queues a write StorPort starts on another CPU inside
 * HwAdapterControl(ScsiAdapterSurpriseRemoval) ends NO_DEVICE without a
 * notify (viostor publishes Removed before its first call).  The count of
 * accesses held against the miniport starts at that call, its first notice;
 * writes StorPort starts between the unplug and the call are counted apart.
 */
#include "viostor_test.h"

#define PNP_SRB_INVALID  0x06 /* SRB_STATUS_INVALID_REQUEST: a PnP action not handled */
#define PNP_SRB_BAD_FUNC 0x22 /* SRB_STATUS_BAD_FUNCTION */

/* A PnP SRB's answer: final, and SUCCESS or "not handled". */
static void pnp_answer(struct vm *vm, const struct vw_stor_result *r, const char *what)
{
    uint8_t s = r->srb_status & SRB_STATUS_MASK;
    VW_EXPECT(vm, s == SRB_STATUS_SUCCESS || s == PNP_SRB_INVALID || s == PNP_SRB_BAD_FUNC,
              "%s: SRB status 0x%02x", what, r->srb_status);
}

/* Surprise removal with 8 writes at the device: StorSurpriseRemoval to
 * the LUN, ScsiAdapterSurpriseRemoval (claimed), the writes end once each
 * with NO_DEVICE and not one register access reaches the gone function. */
static void surprise_run(struct vm *vm, uint64_t features, uint16_t queues)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = queues};
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    vw_virtio_delay(d.dev, -1, 100 * VS_SECOND, 100 * VS_SECOND, false);
    if (!vw_stor_submit_writes(vm, 8, 300, 0x4e))
        goto out;
    vw_run_for(vm, VS_SECOND / 1000);
    vw_virtio_unplug(d.dev);
    struct vw_stor_result res[16];
    unsigned n = 0;
    if (!vw_stor_surprise_remove(vm, res, 16, &n))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.control_surprise == 1 && n == 8 && st.removed_accesses == 0,
              "%u ScsiAdapterSurpriseRemoval (1 expected: viostor must claim it), %u results "
              "(8), %u register accesses to the gone function (0)",
              st.control_surprise, n, st.removed_accesses);
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE,
                  "write %u ended 0x%02x, not NO_DEVICE", i, res[i].srb_status);
    if (vm->failed || !vw_stor_remove(vm))
        goto out;
    d.started = false;
    vw_driver_unload(vm);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", pnp_surprise_removal_control, NULL)
{
    surprise_run(vm, VS_F_DEFAULT, 1);
}

VW_SCENARIO("viostor", pnp_surprise_removal_control_four_queues, NULL)
{
    surprise_run(vm, VS_F_DEFAULT | VS_F_MQ, 4);
}

/* The disk's PDO asks its capabilities, takes writes, and is removed:
 * both PnP SRBs come back final; the writes are in the image. */
VW_SCENARIO("viostor", pnp_remove_disk, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT};
    if (!vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_caps caps;
    struct vw_stor_result r;
    if (!vw_stor_query_capabilities(vm, &caps, &r))
        goto out;
    pnp_answer(vm, &r, "StorQueryCapabilities");
    uint8_t cdb[16], buf[4096], file[4096];
    vs_fill(buf, sizeof(buf), 40, 3);
    vs_rw16(cdb, true, 40, 8, false);
    if (!vs_ok(vm, cdb, 16, buf, sizeof(buf), false, "WRITE before the disk's removal") ||
        !vw_stor_remove_lun(vm, &r))
        goto out;
    pnp_answer(vm, &r, "StorRemoveDevice");
    VW_EXPECT(vm, vs_image_read(&d, 40, file, sizeof(file)) && memcmp(file, buf, 4096) == 0,
              "the write before the disk's removal is not in the image");
out:
    vs_finish(vm, &d);
}

/* D3 -> D0 with 8 writes in flight from every CPU: they finish before
 * ScsiStopAdapter, nothing touches the function until the restart, and
 * both the writes and new I/O are right after it. */
static void d3_run(struct vm *vm, uint64_t features, uint16_t queues)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = queues};
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    vw_virtio_delay(d.dev, -1, VS_SECOND / 100, VS_SECOND / 50, false);
    if (!vw_stor_submit_writes(vm, 8, 600, 0x3a))
        goto out;
    vw_virtio_delay(d.dev, -1, 0, VW_VIRTIO_DELAY_MAX, false);
    if (!vw_stor_power(vm, false) || !vw_stor_power(vm, true))
        goto out;
    vw_stor_submit_from(vm, 0);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              st.drained_at_stop == 8 && st.control_stop == 1 && st.control_restart == 1 &&
                  st.stopped_accesses == 0,
              "drained %u (8), stop %u, restart %u, accesses while stopped %u", st.drained_at_stop,
              st.control_stop, st.control_restart, st.stopped_accesses);
    uint8_t cdb[16], before[8 * 512], out[4096], back[4096];
    vs_rw16(cdb, false, 600, 8, false);
    if (!vs_ok(vm, cdb, 16, before, sizeof(before), true, "READ of the writes from before D3"))
        goto out;
    for (unsigned i = 0; i < sizeof(before) && !vm->failed; i++)
        VW_EXPECT(vm, before[i] == 0x3a, "byte %u of the writes before D3: 0x%02x", i, before[i]);
    vs_fill(out, sizeof(out), 800, 5);
    vs_rw16(cdb, true, 800, 8, false);
    if (!vs_ok(vm, cdb, 16, out, sizeof(out), false, "WRITE after D0"))
        goto out;
    vs_rw16(cdb, false, 800, 8, false);
    if (vs_ok(vm, cdb, 16, back, sizeof(back), true, "READ after D0"))
        VW_EXPECT(vm, memcmp(out, back, sizeof(out)) == 0, "the write after D0 reads back wrong");
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", pnp_d3_d0_under_io, NULL)
{
    d3_run(vm, VS_F_DEFAULT, 1);
}

VW_SCENARIO("viostor", pnp_d3_d0_under_io_four_queues_packed, NULL)
{
    d3_run(vm, VS_F_DEFAULT | VS_F_MQ | VS_F_PACKED, 4);
}

/* D3 -> D0 on a device slow to reset (SLOW reads of device_status non-zero
 * after each write of 0, vmodel reset_delay; ~0: never): ScsiStopAdapter and
 * ScsiRestartAdapter run at DIRQL (storport/nc-storport-hw_adapter_control)
 * and may stall less than a full millisecond
 * (storport/nf-storport-storportstallexecution): each reads the status 8
 * times at most (700 us), so neither call moves virtual time by 1 ms.  A
 * device done within them (6 reads) is back when the restart returns; a
 * slower one (30) is brought up by the driver's timer (1 ms periods,
 * StorPort held off by BUSY and a pause meanwhile) and the first write
 * after the restart waits for it; one that never reads 0 is failed after
 * 100 periods (FAILED, the write NO_DEVICE). */
static void d3_slow_reset(struct vm *vm, uint32_t slow)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){.reset_delay = slow});
    uint64_t t0 = vm->k->interrupt_time;
    if (!vw_stor_power(vm, false))
        goto out;
    uint64_t t1 = vm->k->interrupt_time;
    bool up = vw_stor_power(vm, true);
    uint64_t t2 = vm->k->interrupt_time;
    VW_EXPECT(vm, t1 - t0 < VS_SECOND / 1000 && t2 - t1 < VS_SECOND / 1000,
              "device %u reads slow to reset: the stop took %llu us, the restart %llu us", slow,
              (unsigned long long)((t1 - t0) / 10), (unsigned long long)((t2 - t1) / 10));
    uint8_t cdb[16], out[512], back[512];
    vs_fill(out, sizeof(out), 810, 6);
    vs_rw16(cdb, true, 810, 1, false);
    VW_EXPECT(vm, up, "the restart of a device %u reads slow to reset failed", slow);
    if (slow != ~0u) {
        if (!vs_ok(vm, cdb, 16, out, sizeof(out), false, "WRITE after D0"))
            goto out;
        vs_rw16(cdb, false, 810, 1, false);
        if (vs_ok(vm, cdb, 16, back, sizeof(back), true, "READ after D0"))
            VW_EXPECT(vm, memcmp(out, back, sizeof(out)) == 0,
                      "the write after D0 reads back wrong");
    } else {
        struct vw_stor_result r;
        if (vs_scsi(vm, cdb, 16, out, sizeof(out), false, &r))
            VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE,
                      "a write after the failed restart: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm, vmodel_status(d.dev->model) & 0x80, "device status 0x%02x: FAILED not set",
                  vmodel_status(d.dev->model));
    }
out:
    if (d.dev)
        vmodel_set_behaviour(d.dev->model, &(struct vmodel_behaviour){0});
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", pnp_d3_d0_slow_reset, NULL)
{
    d3_slow_reset(vm, 6);
}

VW_SCENARIO("viostor", pnp_d3_d0_slow_reset_timer, NULL)
{
    d3_slow_reset(vm, 30);
}

VW_SCENARIO("viostor", pnp_d3_d0_never_resets, NULL)
{
    d3_slow_reset(vm, ~0u);
}
