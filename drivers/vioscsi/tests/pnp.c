/*
 * PnP and power as StorPort drives them (port/storport: removal.c,
 * stopped.c), on the in-process target: a surprise removal with writes
 * the target never answers (each ends once; with ScsiAdapterSurpriseRemoval
 * claimed, not one register access after it), the PnP remove of one disk
 * of two (StorQueryCapabilities, StorRemoveDevice to LUN 1) while LUN 0
 * keeps working, and D3 -> D0 with writes in flight (no register access
 * between ScsiStopAdapter and the restart; the data is there after it).
 * On four queues StorPort starts writes on CPUs 1-3 between the unplug and
 * HwAdapterControl(ScsiAdapterSurpriseRemoval); their notifies are not held
 * against the miniport (the count starts at that call, its first notice).
 */
#include "vioscsi_test.h"

#define PNP_SRB_INVALID  0x06
#define PNP_SRB_BAD_FUNC 0x22

/* A PnP SRB's answer: final, and SUCCESS or "not handled". */
static void pnp_answer(struct vm *vm, const struct vw_stor_result *r, const char *what)
{
    uint8_t s = r->srb_status & SRB_STATUS_MASK;
    VW_EXPECT(vm, s == SRB_STATUS_SUCCESS || s == PNP_SRB_INVALID || s == PNP_SRB_BAD_FUNC,
              "%s: SRB status 0x%02x", what, r->srb_status);
}

/* Six writes the target loses, the function unplugged, the removal;
 * CONTROL: the miniport must have claimed ScsiAdapterSurpriseRemoval. */
static void surprise_run(struct vm *vm, uint16_t queues, bool control)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.num_queues = queues;
    vw_cpus_set(vm, queues);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.lose_every = 1});
    if (!vw_stor_submit_writes(vm, 6, 300, 0x11))
        goto out;
    vw_run_for(vm, SC_SECOND / 1000);
    vw_virtio_unplug(h.scsi->dev);
    struct vw_stor_result res[8];
    unsigned n = 0;
    if (!vw_stor_surprise_remove(vm, res, 8, &n))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, n == 6, "%u results of 6 writes", n);
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) != 0, "write %u ended PENDING", i);
    if (control)
        VW_EXPECT(vm, st.control_surprise == 1 && st.removed_accesses == 0,
                  "%u ScsiAdapterSurpriseRemoval (1 expected: vioscsi must claim it), %u "
                  "register accesses to the gone function (0)",
                  st.control_surprise, st.removed_accesses);
    if (vm->failed || !vw_stor_remove(vm))
        goto out;
    h.started = false;
    vw_driver_unload(vm);
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", pnp_surprise_removal_in_flight, NULL)
{
    surprise_run(vm, 1, false);
}

VW_SCENARIO("vioscsi", pnp_surprise_removal_control, NULL)
{
    surprise_run(vm, 1, true);
}

VW_SCENARIO("vioscsi", pnp_surprise_removal_control_four_queues, NULL)
{
    surprise_run(vm, 4, true);
}

/* Two LUNs; LUN 1's PDO asks its capabilities and is removed; LUN 0's
 * writes before and after are on its disk. */
VW_SCENARIO("vioscsi", pnp_remove_disk, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.luns = 2;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    struct vw_stor_caps caps;
    struct vw_stor_result r;
    vw_stor_address(vm, 0, 1);
    if (!vw_stor_query_capabilities(vm, &caps, &r))
        goto out;
    pnp_answer(vm, &r, "StorQueryCapabilities");
    if (!vw_stor_remove_lun(vm, &r))
        goto out;
    pnp_answer(vm, &r, "StorRemoveDevice");
    uint8_t cdb[16], buf[4096];
    sc_fill(buf, sizeof(buf), 0, 0, 64, 2);
    sc_rw16(cdb, true, 64, 8);
    if (!sc_ok(vm, 0, 0, cdb, 16, buf, sizeof(buf), false, "WRITE to LUN 0 after LUN 1 went"))
        goto out;
    uint64_t blocks;
    uint8_t *disk = mem_target_disk(h.mem, 0, 0, &blocks);
    VW_EXPECT(vm, disk != NULL && memcmp(disk + 64 * SC_BLOCK, buf, sizeof(buf)) == 0,
              "LUN 0's write is not on its disk");
out:
    sc_finish(vm, &h);
}

/* D3 -> D0 with writes in flight: drained, stopped, restarted, the
 * writes and new I/O right. */
static void d3_run(struct vm *vm, uint16_t queues)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.num_queues = queues;
    vw_cpus_set(vm, queues);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    if (!vw_stor_submit_writes(vm, 8, 600, 0x3a) || !vw_stor_power(vm, false) ||
        !vw_stor_power(vm, true))
        goto out;
    vw_stor_submit_from(vm, 0);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.control_stop == 1 && st.control_restart == 1 && st.stopped_accesses == 0,
              "stop %u, restart %u, accesses while stopped %u", st.control_stop, st.control_restart,
              st.stopped_accesses);
    uint8_t cdb[16], before[8 * SC_BLOCK], out[4096], back[4096];
    sc_rw16(cdb, false, 600, 8);
    if (!sc_ok(vm, 0, 0, cdb, 16, before, sizeof(before), true, "READ of the writes before D3"))
        goto out;
    for (unsigned i = 0; i < sizeof(before) && !vm->failed; i++)
        VW_EXPECT(vm, before[i] == 0x3a, "byte %u of the writes before D3: 0x%02x", i, before[i]);
    sc_fill(out, sizeof(out), 0, 0, 800, 5);
    sc_rw16(cdb, true, 800, 8);
    if (!sc_ok(vm, 0, 0, cdb, 16, out, sizeof(out), false, "WRITE after D0"))
        goto out;
    sc_rw16(cdb, false, 800, 8);
    if (sc_ok(vm, 0, 0, cdb, 16, back, sizeof(back), true, "READ after D0"))
        VW_EXPECT(vm, memcmp(out, back, sizeof(out)) == 0, "the write after D0 reads back wrong");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", pnp_d3_d0_under_io, NULL)
{
    d3_run(vm, 1);
}

VW_SCENARIO("vioscsi", pnp_d3_d0_under_io_four_queues, NULL)
{
    d3_run(vm, 4);
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
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.reset_delay = slow;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    uint64_t t0 = vm->k->interrupt_time;
    if (!vw_stor_power(vm, false))
        goto out;
    uint64_t t1 = vm->k->interrupt_time;
    bool up = vw_stor_power(vm, true);
    uint64_t t2 = vm->k->interrupt_time;
    VW_EXPECT(vm, t1 - t0 < SC_SECOND / 1000 && t2 - t1 < SC_SECOND / 1000,
              "device %u reads slow to reset: the stop took %llu us, the restart %llu us", slow,
              (unsigned long long)((t1 - t0) / 10), (unsigned long long)((t2 - t1) / 10));
    VW_EXPECT(vm, up, "the restart of a device %u reads slow to reset failed", slow);
    if (slow != ~0u) {
        sc_works(vm, &h, 31, 7, "D0");
    } else {
        struct vw_stor_result r;
        uint8_t cdb[16], buf[SC_BLOCK] = {0};
        sc_rw16(cdb, true, 31, 1);
        if (sc_scsi(vm, 0, 0, cdb, 16, buf, SC_BLOCK, false, &r))
            VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE,
                      "a write after the failed restart: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm, vmodel_status(h.scsi->dev->model) & 0x80,
                  "device status 0x%02x: FAILED not set", vmodel_status(h.scsi->dev->model));
    }
out:
    if (h.scsi)
        vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", pnp_d3_d0_slow_reset, NULL)
{
    d3_slow_reset(vm, 6);
}

VW_SCENARIO("vioscsi", pnp_d3_d0_slow_reset_timer, NULL)
{
    d3_slow_reset(vm, 30);
}

VW_SCENARIO("vioscsi", pnp_d3_d0_never_resets, NULL)
{
    d3_slow_reset(vm, ~0u);
}
