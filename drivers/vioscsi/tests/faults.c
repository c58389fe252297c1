/*
 * Faults only the in-process target can show, and what vioscsi must do
 * about them: task management for the reset SRBs (virtio 1.2 5.6.6.2:
 * LOGICAL UNIT RESET, I_T NEXUS RESET), a device reset when a TMF never
 * completes or when StorPort's bus reset finds requests at the device
 * (more in reset.c), and every request completed exactly once (StorPort's checker fails a second
 * completion or one after the reset returned it), within a bounded
 * virtual time.  Also a BUSY storm, fewer MSI-X messages than queues, and
 * the crash-dump copy while the crashed instance had writes outstanding.
 */
#include "vioscsi_test.h"

/* Lost responses ended by the class driver's LUN reset (a LOGICAL UNIT
 * RESET TMF): each write completes once, the reset succeeds.  By default
 * the device uses the TMF's answer after the aborted writes' entries (as
 * SAM-5 and QEMU), so vioscsi holds nothing once answered: no device reset.
 * ANSWER_FIRST: the other order, legal for virtio 1.2, which orders no
 * queue against another: the answer comes while vioscsi still holds the
 * writes (the device keeps them 1 ms more), so, as in
 * reset_lun_srb_requests_held, one device reset ends them, each once. */
static void lun_reset_case(struct vm *vm, bool answer_first)
{
    struct sc_opts o;
    struct sc_host h;
    struct sc_before b;
    sc_defaults(&o);
    o.tmf_answer_first = answer_first;
    if (!sc_held_writes(vm, &h, &o, &(struct mem_target_faults){.lose_every = 1}, 0, 100, 0x5a, &b))
        goto out;
    struct vw_stor_result r;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) && !vm->failed) {
        const struct vmodel_scsi_stats *st = vmodel_scsi_stats(h.scsi->model);
        uint32_t dev_resets = vmodel_reset_count(h.scsi->dev->model) - b.resets;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "RESET_LOGICAL_UNIT: SRB 0x%02x", r.srb_status);
        /* The LU's requests end before its reset SRB does */
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5,
                  "RESET_LOGICAL_UNIT completed with %u of the 4 writes completed",
                  sc_completed(vm) - b.completed - 1);
        if (answer_first)
            VW_EXPECT(vm, st->tmf_answer_first == 4 && dev_resets == 1,
                      "LUN reset answered first: %llu writes used after it, %u device resets",
                      (unsigned long long)st->tmf_answer_first, dev_resets);
        else
            VW_EXPECT(vm, st->tmfs >= 1 && st->tmf_after_ended >= 1 && dev_resets == 0,
                      "LUN reset: %llu TMFs (%llu answered after the writes), %u device resets",
                      (unsigned long long)st->tmfs, (unsigned long long)st->tmf_after_ended,
                      dev_resets);
        vw_sched_settle(vm);
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5, "%u of 4 writes and the reset completed",
                  sc_completed(vm) - b.completed);
    }
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    sc_works(vm, &h, 7, 3, "the fault");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", fault_lost_response_lun_reset, NULL)
{
    lun_reset_case(vm, false);
}

VW_SCENARIO("vioscsi", fault_lost_response_lun_reset_answer_first, NULL)
{
    lun_reset_case(vm, true);
}

/* A response that never comes from a target that rejects every TMF: the
 * LUN and target reset SRBs StorPort sends first fail
 * (storage/multi-tier-reset-in-storport), so the time-out reaches
 * HwResetBus, which cannot wait for a TMF at DISPATCH_LEVEL and must
 * complete the command before it returns (storport/nc-storport-hw_reset_bus):
 * the device is reset and the command ends BUS_RESET, once; the device
 * works after */
VW_SCENARIO("vioscsi", fault_timeout_reset_bus, NULL)
{
    struct sc_host h;
    if (!sc_start_mem_2s(vm, &h))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.lose_every = 1, .tmf_reject = true});
    uint8_t cdb[16], buf[SC_BLOCK];
    struct vw_stor_result r;
    uint64_t t0 = vm->k->interrupt_time;
    sc_rw16(cdb, false, 3, 1);
    if (sc_scsi(vm, 0, 0, cdb, 16, buf, SC_BLOCK, true, &r)) {
        struct vw_stor_stats st;
        vw_stor_stats(vm, &st);
        uint64_t took = vm->k->interrupt_time - t0;
        VW_EXPECT(vm,
                  st.resets >= 1 && st.last_tier == VW_STOR_TIER_BUS &&
                      (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_BUS_RESET,
                  "lost READ: %u bus resets (last tier %u), SRB 0x%02x, want BUS_RESET", st.resets,
                  st.last_tier, r.srb_status);
        VW_EXPECT(vm, took < 6 * SC_SECOND, "the lost READ ended after %llu ms of virtual time",
                  (unsigned long long)(took / 10000));
        VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) > resets,
                  "HwResetBus returned with the READ ended, yet the device was not reset");
    }
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    sc_works(vm, &h, 9, 3, "the fault");
out:
    sc_finish(vm, &h);
}

/* One response lost among 8 writes in flight (what an ABORT TASK would be
 * for, but StorPort sends no SRB_FUNCTION_ABORT_COMMAND:
 * srb/ns-srb-_storage_request_block): the other 7 complete GOOD and are
 * on the disk; the target rejects every TMF, so the LUN and target reset
 * SRBs fail and the lost one's time-out reaches HwResetBus, which resets
 * the device and ends it with BUS_RESET before it returns, as
 * storport/nc-storport-hw_reset_bus asks; 8 completions of writes in all
 * (and the 2 refused reset SRBs), and the target's late answer, released
 * after, completes nothing again */
VW_SCENARIO("vioscsi", fault_one_lost_among_eight, NULL)
{
    enum { N = 8 };
    struct sc_host h;
    if (!sc_start_mem_2s(vm, &h))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    static uint8_t cdbs[N][16], data[N][SC_BLOCK], *bufs[N];
    static unsigned lens[N];
    static uint32_t sizes[N];
    static bool in[N];
    static struct vw_stor_result res[N];
    for (unsigned i = 0; i < N; i++) {
        sc_rw16(cdbs[i], true, 400 + i, 1);
        sc_fill(data[i], SC_BLOCK, 0, 0, 400 + i, 6);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = SC_BLOCK, in[i] = false;
    }
    vw_stor_address(vm, 0, 0);
    /* Every 8th command the target takes is lost: one of these 8 */
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.lose_every = N, .tmf_reject = true});
    unsigned before = sc_completed(vm);
    if (!vw_stor_scsi_batch(vm, N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
        goto out;
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    vw_sched_settle(vm);
    unsigned ended = sc_completed(vm) - before, good = 0, reset = 0;
    mem_target_release_lost(h.mem);
    vw_sched_settle(vm);
    uint64_t blocks;
    uint8_t *disk = mem_target_disk(h.mem, 0, 0, &blocks);
    for (unsigned i = 0; i < N && !vm->failed; i++) {
        uint8_t st = res[i].srb_status & SRB_STATUS_MASK;
        if (st == SRB_STATUS_SUCCESS) {
            good++;
            VW_EXPECT(vm, memcmp(disk + (400 + i) * SC_BLOCK, data[i], SC_BLOCK) == 0,
                      "write %u completed GOOD but is not on the disk", i);
        } else {
            reset++;
            VW_EXPECT(vm, st == SRB_STATUS_BUS_RESET,
                      "the lost write %u ended 0x%02x, not BUS_RESET", i, st);
        }
    }
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, good == N - 1 && reset == 1, "%u GOOD and %u ended by the reset, want 7 and 1",
              good, reset);
    /* Every RequestComplete counts: the writes and the 2 reset SRBs. */
    unsigned srbs = st.lun_resets + st.target_resets;
    VW_EXPECT(vm,
              ended == N + srbs && sc_completed(vm) - before == N + srbs && srbs == 2 &&
                  st.resets >= 1,
              "%u completions of %u writes and %u reset SRBs (%u after the late answer), %u bus "
              "resets",
              ended, N, srbs, sc_completed(vm) - before, st.resets);
    VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) > resets,
              "HwResetBus ended the lost write without a device reset");
    sc_works(vm, &h, 13, 3, "the fault");
out:
    sc_finish(vm, &h);
}

/* A lost response and a target that would never answer a TMF: the
 * time-out's HwResetBus resets the device (it posts no TMF to wait for);
 * the command completes once, the device works after */
VW_SCENARIO("vioscsi", fault_tmf_never_device_reset, NULL)
{
    struct sc_host h;
    if (!sc_start_mem_2s(vm, &h))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    struct vw_stor_result r;
    uint64_t took;
    if (sc_lost_read(vm, &h, true, false, &r, &took)) {
        vw_sched_settle(vm);
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS,
                  "lost READ with TMFs never answered: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) > resets,
                  "the TMF was never answered, yet the device was not reset");
        VW_EXPECT(vm, took < 10 * SC_SECOND, "the reset path took %llu ms of virtual time",
                  (unsigned long long)(took / 10000));
    }
    /* Give the device time past the StorPort timer, then use it again */
    vw_sched_settle(vm);
    sc_works(vm, &h, 11, 3, "the fault");
out:
    sc_finish(vm, &h);
}

/* A BUSY storm: the class driver's retries get every write through */
VW_SCENARIO("vioscsi", fault_busy_storm, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    for (unsigned i = 0; i < 16 && !vm->failed; i++) {
        mem_target_set_faults(h.mem, &(struct mem_target_faults){.busy = 2});
        uint8_t out[SC_BLOCK], cdb[16];
        uint64_t blocks;
        sc_fill(out, SC_BLOCK, 0, 0, 200 + i, 5);
        sc_rw16(cdb, true, 200 + i, 1);
        if (!sc_ok(vm, 0, 0, cdb, 16, out, SC_BLOCK, false, "WRITE(16) in a BUSY storm"))
            break;
        uint8_t *disk = mem_target_disk(h.mem, 0, 0, &blocks);
        VW_EXPECT(vm, memcmp(disk + (200 + i) * SC_BLOCK, out, SC_BLOCK) == 0,
                  "LBA %u not written through the BUSY storm", 200 + i);
    }
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
out:
    sc_finish(vm, &h);
}

/* 4 request queues on 3 MSI-X messages: every queue kept, messages shared */
VW_SCENARIO("vioscsi", msix_fewer_messages_than_queues, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.msix_vectors = 3;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    /* The choice logged (3 messages: configuration, control and event
     * leave none of their own for the request queues) */
    char line[64];
    unsigned nq = vw_cpu_count(vm) < 4 ? vw_cpu_count(vm) : 4;
    snprintf(line, sizeof(line), "vioscsi: %u request queues on 3 message(s): ", nq);
    stor_expect_logged(vm, line, "shared");
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (uint64_t lba = 20; lba < 36 && !vm->failed; lba++)
        sc_works(vm, &h, lba, 3, "the fault");
    /* One request queue per CPU up to num_queues, each on one of the 3 messages */
    unsigned enabled = 0, want = vw_cpu_count(vm) < 4 ? vw_cpu_count(vm) : 4;
    for (unsigned q = VMODEL_SCSI_REQUESTQ; q < VMODEL_SCSI_REQUESTQ + 4; q++) {
        if (!vmodel_queue_enabled(h.scsi->dev->model, (uint16_t)q))
            continue;
        enabled++;
        uint16_t v = vw_virtio_queue_vector(h.scsi->dev, q);
        VW_EXPECT(vm, v < 3, "request queue %u on message %u of 3", q - VMODEL_SCSI_REQUESTQ, v);
    }
    VW_EXPECT(vm, enabled == want, "%u request queues in use with %u CPUs and 3 messages, want %u",
              enabled, vw_cpu_count(vm), want);
out:
    sc_finish(vm, &h);
}

/* The dump copy writes while the crashed instance had writes outstanding
 * (lost by the target: they never complete) */
VW_SCENARIO("vioscsi", dump_with_writes_outstanding, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.lose_every = 1});
    if (!vw_stor_submit_writes(vm, 6, 300, 0x11))
        goto out;
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    if (vw_stor_dump(vm, 40, 0xd7)) {
        uint64_t blocks;
        uint8_t *disk = mem_target_disk(h.mem, 0, 0, &blocks), want[SC_BLOCK];
        memset(want, 0xd7, sizeof(want));
        VW_EXPECT(vm, memcmp(disk + 40 * SC_BLOCK, want, SC_BLOCK) == 0,
                  "the dump's sector 40 is not on the disk");
    }
    /* The machine restarts after a dump: the function goes with it, before
     * StorPort frees the rings the dump copy left live. */
    vw_virtio_unplug(h.scsi->dev);
out:
    sc_finish(vm, &h);
}

/* VioscsiActionOnReset 0xDEADDEAD (Parameters\Device, as the existing
 * driver reads it): the bus reset of a lost response (every TMF rejected,
 * so StorPort's LUN and target reset SRBs fail and the time-out reaches
 * HwResetBus) bug-checks with that code, for a debugger to see the
 * device's state */
VW_SCENARIO("vioscsi", registry_action_on_reset_bugcheck, "driver raised bug check 0xdeaddead")
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.timeout_s = 2;
    uint32_t v = 0xdeaddead;
    vw_stor_registry_set(vm, true, "VioscsiActionOnReset", 4, &v, sizeof(v));
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.lose_every = 1, .tmf_reject = true});
    uint8_t cdb[16], buf[SC_BLOCK];
    struct vw_stor_result r;
    sc_rw16(cdb, false, 3, 1);
    sc_scsi(vm, 0, 0, cdb, 16, buf, SC_BLOCK, true, &r);
out:
    sc_finish(vm, &h);
}

/* A LUN reset SRB whose LOGICAL UNIT RESET the device never answers, with 4
 * writes lost at it: HwStartIo posts the TMF and returns (nothing waits at
 * DISPATCH_LEVEL); vioscsi's StorPort timer (1.5 s periods, RequestTimerCall)
 * resets the device between 1.5 and 3 s later, which completes the reset
 * SRB (SUCCESS: the device reset did what it asked) and each write
 * (BUS_RESET) exactly once; the device works after.  StorPort's own time-out
 * of the SRBs (10 s) is not what ends them. */
VW_SCENARIO("vioscsi", fault_lun_reset_tmf_never_timer, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    struct sc_before b;
    sc_defaults(&o);
    o.timeout_s = 10;
    if (!sc_held_writes(vm, &h, &o, &(struct mem_target_faults){.lose_every = 1, .tmf_never = true},
                        0, 200, 0x6b, &b))
        goto out;
    struct vw_stor_result r;
    uint64_t t0 = vm->k->interrupt_time;
    if (vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) && !vm->failed) {
        uint64_t took = vm->k->interrupt_time - t0;
        struct vw_stor_stats st;
        vw_stor_stats(vm, &st);
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "RESET_LOGICAL_UNIT with its TMF never answered: SRB 0x%02x", r.srb_status);
        VW_EXPECT(vm, took >= 3 * SC_SECOND / 2 && took <= 3 * SC_SECOND + SC_SECOND / 10,
                  "the unanswered TMF ended after %llu ms of virtual time (1500-3100 expected)",
                  (unsigned long long)(took / 10000));
        VW_EXPECT(vm,
                  vmodel_reset_count(h.scsi->dev->model) > b.resets && st.resets == b.bus_resets,
                  "%u device resets, %u bus resets (a reset by the timer, none by StorPort)",
                  vmodel_reset_count(h.scsi->dev->model) - b.resets, st.resets - b.bus_resets);
        vw_sched_settle(vm);
        VW_EXPECT(vm, sc_completed(vm) - b.completed == 5, "%u of 4 writes and the reset completed",
                  sc_completed(vm) - b.completed);
    }
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    sc_works(vm, &h, 13, 3, "the fault");
out:
    sc_finish(vm, &h);
}
