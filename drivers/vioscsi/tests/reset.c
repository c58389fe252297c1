/*
 * vioscsi's resets against StorPort's three tiers
 * (storage/multi-tier-reset-in-storport): a LUN reset SRB and a device
 * reset SRB are asynchronous, answered by a TMF (LOGICAL UNIT RESET, I_T
 * NEXUS RESET: virtio 1.2 5.6.6.2) that vioscsi's StorPort timer ends in a
 * device reset when the device never answers it; the bus reset
 * (HwStorResetBus) is the synchronous tier: everything HwStartIo took is
 * completed before it returns (storport/nc-storport-hw_reset_bus), by a
 * device reset when anything is still at the device, never by waiting for
 * the device at DISPATCH_LEVEL.  Every request completes exactly once
 * (StorPort's checker fails a second completion or one after the reset
 * that returned it) and the device works after.
 */
#include "vioscsi_test.h"

/* A device reset SRB (tier 2) with 4 writes at 0:0 lost by the target:
 * HwStartIo posts an I_T NEXUS RESET and returns; TMF_NEVER says whether
 * the device answers it.  Answered: the SRB SUCCESS within a few ms of
 * virtual time; no device reset when the device uses the answer after the
 * aborted writes' entries (the default, as SAM-5 and QEMU), one when it
 * uses the answer first and keeps the writes 1 ms more (ANSWER_FIRST, legal
 * for virtio 1.2, which orders no queue against another: vioscsi holds
 * them, as in reset_lun_srb_requests_held).  Never answered: vioscsi's timer (1.5 s
 * periods) resets the device 1.5 to 3 s later, which completes the SRB
 * (SUCCESS) and each write (BUS_RESET) once.  Neither calls HwResetBus. */
static void device_srb_case(struct vm *vm, bool tmf_never, bool answer_first)
{
    struct sc_opts o;
    struct sc_host h;
    struct sc_before b;
    sc_defaults(&o);
    o.timeout_s = 10;
    o.tmf_answer_first = answer_first;
    if (!sc_held_writes(vm, &h, &o,
                        &(struct mem_target_faults){.lose_every = 1, .tmf_never = tmf_never}, 0,
                        500, 0x3c, &b))
        goto out;
    uint64_t tmfs = vmodel_scsi_stats(h.scsi->model)->tmfs; /* the writes sent none */
    struct vw_stor_result r;
    uint64_t t0 = vm->k->interrupt_time;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_DEVICE, &r) && !vm->failed) {
        uint64_t took = vm->k->interrupt_time - t0;
        uint32_t dev_resets = vmodel_reset_count(h.scsi->dev->model) - b.resets;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "RESET_DEVICE (TMF %s): SRB 0x%02x", tmf_never ? "never answered" : "answered",
                  r.srb_status);
        VW_EXPECT(vm, vmodel_scsi_stats(h.scsi->model)->tmfs > tmfs,
                  "RESET_DEVICE: no TMF reached the device");
        /* The target's requests end before its reset SRB does */
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5,
                  "RESET_DEVICE completed with %u of the 4 writes completed",
                  sc_completed(vm) - b.completed - 1);
        if (tmf_never) {
            VW_EXPECT(vm, took >= 3 * SC_SECOND / 2 && took <= 3 * SC_SECOND + SC_SECOND / 10,
                      "the unanswered I_T NEXUS RESET ended after %llu ms of virtual time "
                      "(1500-3100 expected)",
                      (unsigned long long)(took / 10000));
            VW_EXPECT(vm, dev_resets >= 1, "the TMF was never answered, yet no device reset");
        } else {
            VW_EXPECT(vm, took < SC_SECOND / 100,
                      "the answered I_T NEXUS RESET took %llu us of virtual time",
                      (unsigned long long)(took / 10));
            VW_EXPECT(vm, dev_resets == (answer_first ? 1u : 0u),
                      "the I_T NEXUS RESET was answered (%s the writes' entries), yet %u device "
                      "resets",
                      answer_first ? "before" : "after", dev_resets);
        }
        vw_sched_settle(vm);
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5, "%u of 4 writes and the reset completed",
                  sc_completed(vm) - b.completed);
        VW_EXPECT(vm, sc_bus_resets(vm) == b.bus_resets,
                  "%u bus resets: StorPort's time-out ended them",
                  sc_bus_resets(vm) - b.bus_resets);
    }
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    sc_works(vm, &h, 17, 4, "the reset");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", reset_device_srb_tmf_answered, NULL)
{
    device_srb_case(vm, false, false);
}

VW_SCENARIO("vioscsi", reset_device_srb_tmf_answered_first, NULL)
{
    device_srb_case(vm, false, true);
}

VW_SCENARIO("vioscsi", reset_device_srb_tmf_never_timer, NULL)
{
    device_srb_case(vm, true, false);
}

/* A lost READ whose TMFs the device rejects: StorPort's LUN and target
 * reset SRBs fail (storage/multi-tier-reset-in-storport) and its time-out
 * (2 s) reaches HwResetBus, which resets the device at once and completes the
 * READ BUS_RESET before it returns.  HwResetBus waits for nothing: the READ
 * ends within 2 ms of virtual time after its 2 s time-out (StorPort's only
 * clock here moves with the miniport's stalls; a driver that polls the
 * queues for an answer moves it by its whole wait, 500 ms before).  The
 * device is reset; it works after. */
VW_SCENARIO("vioscsi", reset_bus_never_waits, NULL)
{
    struct sc_host h;
    if (!sc_start_mem_2s(vm, &h))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    unsigned bus0 = sc_bus_resets(vm);
    struct vw_stor_result r;
    uint64_t took;
    if (sc_lost_read(vm, &h, false, true, &r, &took)) {
        uint32_t dev_resets = vmodel_reset_count(h.scsi->dev->model) - resets;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_BUS_RESET,
                  "lost READ after HwResetBus: SRB 0x%02x, want BUS_RESET", r.srb_status);
        VW_EXPECT(vm, sc_bus_resets(vm) - bus0 == 1 && dev_resets >= 1,
                  "%u bus resets (want 1), %u device resets", sc_bus_resets(vm) - bus0, dev_resets);
        VW_EXPECT(vm, took >= 2 * SC_SECOND && took < 2 * SC_SECOND + SC_SECOND / 500,
                  "the lost READ ended after %llu us of virtual time (its time-out 2 s, "
                  "HwResetBus must not wait)",
                  (unsigned long long)(took / 10));
    }
    vw_sched_settle(vm);
    sc_works(vm, &h, 19, 4, "the reset");
out:
    sc_finish(vm, &h);
}

/* A LUN reset SRB (tier 1) whose TMF the device never answers, and 4 lost
 * writes whose StorPort time-out (2 s) may come before vioscsi's timer (1.5
 * to 3 s): StorPort's own LUN reset SRB (the first tier,
 * storage/multi-tier-reset-in-storport; its TMF never answered either)
 * waits with it, and the timer's device reset completes both reset SRBs
 * (SUCCESS) and each write (BUS_RESET) once, before the LUN reset's own
 * time-out (2 s more), so HwResetBus is never called; the timer, when it
 * comes again, finds no TMF left and resets nothing more. */
VW_SCENARIO("vioscsi", reset_timeout_during_lun_reset, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    struct sc_before b;
    sc_defaults(&o);
    o.timeout_s = 2;
    if (!sc_held_writes(vm, &h, &o, &(struct mem_target_faults){.lose_every = 1, .tmf_never = true},
                        0, 600, 0x4d, &b))
        goto out;
    struct vw_stor_result r;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) && !vm->failed) {
        uint32_t after = vmodel_reset_count(h.scsi->dev->model);
        struct vw_stor_stats st;
        vw_stor_stats(vm, &st);
        unsigned srbs = st.lun_resets + st.target_resets;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "RESET_LOGICAL_UNIT ended by the timer's device reset: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm,
                  after > b.resets && sc_bus_resets(vm) == b.bus_resets &&
                      (st.timeouts == 0 || st.last_tier == VW_STOR_TIER_LUN),
                  "%u bus resets, %u device resets, %u time-outs (last tier %u): the timer's "
                  "device reset should end them",
                  sc_bus_resets(vm) - b.bus_resets, after - b.resets, st.timeouts, st.last_tier);
        /* Past the timer's last period: it must find nothing to reset */
        vw_run_for(vm, 4 * SC_SECOND);
        vw_sched_settle(vm);
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5 + srbs,
                  "%u of 4 writes, the reset and StorPort's %u reset SRBs completed",
                  sc_completed(vm) - b.completed, srbs);
        VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) == after,
                  "the TMF timer reset the device again after its reset");
    }
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    sc_works(vm, &h, 21, 4, "the reset");
out:
    sc_finish(vm, &h);
}

/* A LUN reset SRB whose TMF the device answers while it still holds the
 * LU's 4 writes (their request queues hung for 3 s: taken, done by the
 * target, not given back): the LU's requests must end before the reset SRB
 * does (storage/multi-tier-reset-in-storport), and none may be completed
 * while the device owns it, so vioscsi resets the device, which ends each
 * write (BUS_RESET) once, then the SRB (SUCCESS): 5 completions when the
 * SRB returns, no HwResetBus.  SLOW: the device reads device_status
 * non-zero that many times after the reset's write of 0 (vmodel
 * reset_delay): HwStartIo's drain may not busy-wait that long
 * (storport/nf-storport-storportstallexecution: "less than a full
 * millisecond"), so after 8 reads StorPort is paused and vioscsi's timer
 * reads the status once per 1 ms period, then completes the writes and
 * the SRB: (SLOW - 8) ms or more of virtual time, under 100 ms; a quick
 * device within 10 ms. */
static void lun_srb_held_case(struct vm *vm, uint32_t slow)
{
    struct sc_opts o;
    struct sc_host h;
    struct sc_before b;
    sc_defaults(&o);
    o.timeout_s = 10;
    o.reset_delay = slow;
    if (!sc_held_writes(vm, &h, &o, NULL, 3 * SC_SECOND, 700, 0x6e, &b))
        goto out;
    struct vw_stor_result r;
    uint64_t t0 = vm->k->interrupt_time;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) && !vm->failed) {
        uint64_t took = vm->k->interrupt_time - t0;
        vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "RESET_LOGICAL_UNIT: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5,
                  "RESET_LOGICAL_UNIT completed with %u of the 4 held writes completed",
                  sc_completed(vm) - b.completed - 1);
        VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) - b.resets == 1,
                  "%u device resets (1: the device kept the LU's writes after its TMF)",
                  vmodel_reset_count(h.scsi->dev->model) - b.resets);
        if (slow == 0)
            VW_EXPECT(vm, took < SC_SECOND / 100, "RESET_LOGICAL_UNIT took %llu us of virtual time",
                      (unsigned long long)(took / 10));
        else
            VW_EXPECT(vm, took >= (slow - 8) * SC_SECOND / 1000 && took < SC_SECOND / 10,
                      "RESET_LOGICAL_UNIT on a device %u reads slow to reset took %llu us of "
                      "virtual time",
                      slow, (unsigned long long)(took / 10));
        vw_sched_settle(vm);
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5 && sc_bus_resets(vm) == b.bus_resets,
                  "%u completions (5), %u bus resets", sc_completed(vm) - b.completed,
                  sc_bus_resets(vm) - b.bus_resets);
    }
    vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
    sc_works(vm, &h, 23, 4, "the reset");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", reset_lun_srb_requests_held, NULL)
{
    lun_srb_held_case(vm, 0);
}

VW_SCENARIO("vioscsi", reset_lun_srb_held_slow_device, NULL)
{
    lun_srb_held_case(vm, 30);
}

/* A device reset SRB whose I_T NEXUS RESET is never answered, on a device
 * slow to reset (30 reads): vioscsi's TMF timer (1.5 s periods) starts the
 * device reset 1.5 to 3 s after, the same timer then polls device_status
 * once per 1 ms period, and only when it reads 0 are the 4 lost writes
 * (BUS_RESET) and then the SRB (SUCCESS) completed, each once; no
 * HwResetBus. */
VW_SCENARIO("vioscsi", reset_device_srb_tmf_never_slow_device, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    struct sc_before b;
    sc_defaults(&o);
    o.timeout_s = 10;
    o.reset_delay = 30;
    if (!sc_held_writes(vm, &h, &o, &(struct mem_target_faults){.lose_every = 1, .tmf_never = true},
                        0, 500, 0x3d, &b))
        goto out;
    uint32_t resets = b.resets;
    unsigned bus0 = b.bus_resets, before = b.completed;
    struct vw_stor_result r;
    uint64_t t0 = vm->k->interrupt_time;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_DEVICE, &r) && !vm->failed) {
        uint64_t took = vm->k->interrupt_time - t0;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "RESET_DEVICE ended by a slow device reset: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm, sc_completed(vm) - before == 5,
                  "RESET_DEVICE completed with %u of the 4 writes completed",
                  sc_completed(vm) - before - 1);
        VW_EXPECT(vm,
                  took >= 3 * SC_SECOND / 2 + 22 * SC_SECOND / 1000 &&
                      took <= 3 * SC_SECOND + SC_SECOND / 5,
                  "the unanswered I_T NEXUS RESET ended after %llu ms of virtual time "
                  "(1522-3200 expected)",
                  (unsigned long long)(took / 10000));
        VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) - resets == 1, "%u device resets (1)",
                  vmodel_reset_count(h.scsi->dev->model) - resets);
        vw_sched_settle(vm);
        VW_EXPECT(vm, sc_completed(vm) - before == 5 && sc_bus_resets(vm) == bus0,
                  "%u completions (5), %u bus resets", sc_completed(vm) - before,
                  sc_bus_resets(vm) - bus0);
    }
    vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    sc_works(vm, &h, 25, 4, "the reset");
out:
    sc_finish(vm, &h);
}

/* HwResetBus on a device slow to reset (30 reads; the reset TMFs rejected,
 * so StorPort's time-out reaches the third tier): HwResetBus may not wait
 * for the device (8 reads), and the device may use the rings until it reads
 * 0 (virtio 1.2 2.4.1), so the bus is not reset when it returns (FALSE) and
 * the lost READ stays at the miniport until vioscsi's timer sees the device
 * read 0: BUS_RESET 2 s (its time-out) + 15 to 100 ms after it was sent,
 * never before (lead decision, NOTICE 03:22); StorPort stays paused until
 * then; it works after. */
VW_SCENARIO("vioscsi", reset_bus_slow_device, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.timeout_s = 2;
    o.reset_delay = 30;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    unsigned bus0 = sc_bus_resets(vm);
    struct vw_stor_result r;
    uint64_t took;
    if (sc_lost_read(vm, &h, false, true, &r, &took)) {
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_BUS_RESET,
                  "lost READ after HwResetBus: SRB 0x%02x, want BUS_RESET", r.srb_status);
        VW_EXPECT(vm, sc_bus_resets(vm) - bus0 == 1, "%u bus resets (want 1)",
                  sc_bus_resets(vm) - bus0);
        VW_EXPECT(vm,
                  took >= 2 * SC_SECOND + 15 * SC_SECOND / 1000 &&
                      took < 2 * SC_SECOND + SC_SECOND / 10,
                  "the lost READ ended after %llu us of virtual time (its time-out 2 s, then "
                  "the device's 22 more reads, one per 1 ms period)",
                  (unsigned long long)(took / 10));
    }
    vw_sched_settle(vm);
    VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) - resets == 1, "%u device resets (1)",
              vmodel_reset_count(h.scsi->dev->model) - resets);
    vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
    sc_works(vm, &h, 27, 4, "the reset");
out:
    sc_finish(vm, &h);
}

/* A device that never reads 0 after the reset a LUN reset SRB needed (its
 * TMF answered, the LU's writes held): vioscsi's timer gives up after 100
 * periods, fails the device (FAILED) and the SRB (ERROR, StorPort goes on
 * to its next tier); the held writes are never completed by vioscsi (the
 * device may still own them) and a new request ends NO_DEVICE at once. */
VW_SCENARIO("vioscsi", reset_lun_srb_device_never_resets, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    struct sc_before b;
    o.timeout_s = 2;
    o.reset_delay = ~0u;
    if (!sc_held_writes(vm, &h, &o, NULL, 3 * SC_SECOND, 700, 0x6f, &b))
        goto out;
    unsigned before = b.completed;
    struct vw_stor_result r;
    uint64_t t0 = vm->k->interrupt_time;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) && !vm->failed) {
        uint64_t took = vm->k->interrupt_time - t0;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR,
                  "RESET_LOGICAL_UNIT on a device that never resets: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm, took >= SC_SECOND / 10 && took < SC_SECOND / 5,
                  "the reset gave up after %llu us of virtual time (100 ms of 1 ms periods)",
                  (unsigned long long)(took / 10));
        VW_EXPECT(vm, vmodel_status(h.scsi->dev->model) & 0x80,
                  "device status 0x%02x: FAILED not set", vmodel_status(h.scsi->dev->model));
        VW_EXPECT(vm, sc_completed(vm) - before == 1,
                  "%u completions when the reset SRB failed (only the SRB)",
                  sc_completed(vm) - before);
        uint8_t cdb[16], buf[SC_BLOCK] = {0};
        sc_rw16(cdb, true, 29, 1);
        if (sc_scsi(vm, 0, 0, cdb, 16, buf, SC_BLOCK, false, &r))
            VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE,
                      "a write to the failed adapter: SRB 0x%02x", r.srb_status);
    }
    vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
out:
    sc_finish(vm, &h);
}

/* A reset SRB while a reset is unfinished: D3 -> D0 on a device slow to
 * reset (30 reads of device_status: 8 inside ScsiRestartAdapter, then one
 * per 1 ms timer period) leaves the restart to vioscsi's timer, and the
 * class layer's LUN reset SRB comes before it is done (reset SRBs pass
 * StorPort's pause).  The device reset already resets every LU, so the SRB
 * waits for the same finish (SUCCESS once the device is back) and sends no
 * TMF of its own; no device reset after the restart's, no time-out, no
 * HwResetBus; the disk works after. */
VW_SCENARIO("vioscsi", reset_lun_srb_during_slow_restart, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    unsigned bus0 = sc_bus_resets(vm);
    vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){.reset_delay = 30});
    if (!vw_stor_power(vm, false) || !vw_stor_power(vm, true))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    uint64_t tmfs = vmodel_scsi_stats(h.scsi->model)->tmfs;
    vw_stor_address(vm, 0, 0);
    uint64_t t0 = vm->k->interrupt_time;
    struct vw_stor_result r;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) && !vm->failed) {
        uint64_t took = vm->k->interrupt_time - t0;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "RESET_LOGICAL_UNIT during a slow restart: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm,
                  vmodel_reset_count(h.scsi->dev->model) == resets &&
                      vmodel_scsi_stats(h.scsi->model)->tmfs == tmfs,
                  "%u device resets after the restart's, %llu TMFs (0: the SRB waits for its "
                  "finish)",
                  vmodel_reset_count(h.scsi->dev->model) - resets,
                  (unsigned long long)(vmodel_scsi_stats(h.scsi->model)->tmfs - tmfs));
        VW_EXPECT(vm, took >= 15 * SC_SECOND / 1000 && took < SC_SECOND / 10,
                  "the SRB ended after %llu us of virtual time (the restart's 22 reads left)",
                  (unsigned long long)(took / 10));
        VW_EXPECT(vm, sc_bus_resets(vm) == bus0, "%u HwResetBus calls", sc_bus_resets(vm) - bus0);
    }
    vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
    sc_works(vm, &h, 29, 4, "the restart");
out:
    if (h.scsi)
        vmodel_set_behaviour(h.scsi->dev->model, &(struct vmodel_behaviour){0});
    sc_finish(vm, &h);
}
