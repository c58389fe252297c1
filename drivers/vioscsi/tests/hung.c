/*
 * A hung target (issue 15's in-process faults: mem_target `hung`, nothing
 * it was given completes, commands or TMFs): 4 writes at 0:0 and 4 at 1:1
 * are taken by the device and never answered.  Their time-out starts
 * StorPort's reset tiers; every TMF vioscsi sends goes unanswered, so only
 * a device reset can give the writes back (virtio 1.2 2.4: after a reset
 * the buffers are the driver's again).  Each of the 8 ends once,
 * BUS_RESET (so the class driver sends it again), within a bounded
 * virtual time, and the device was reset.  Then the target wakes: the
 * ABORT TASK SETs the device sent its two LUNs after the reset end what it
 * held (logged: 2, no stale answer), nothing completes again, and both
 * LUNs work.
 */
#include "vioscsi_test.h"

#define HG_N 8

/* The 8 writes to 0:0 and 1:1 at LBA 500.. (pattern 7), sent at once to
 * a hung target; their results in RES, the virtual time until all ended
 * in *TOOK */
static bool hg_writes(struct vm *vm, struct sc_host *h, struct vw_stor_result *res, uint64_t *took)
{
    static uint8_t cdbs[HG_N][16], data[HG_N][SC_BLOCK], btl[HG_N][2], *bufs[HG_N];
    static unsigned lens[HG_N];
    static uint32_t sizes[HG_N];
    static bool in[HG_N];
    for (unsigned i = 0; i < HG_N; i++) {
        uint8_t tl = i < HG_N / 2 ? 0 : 1;
        btl[i][0] = btl[i][1] = tl;
        sc_rw16(cdbs[i], true, 500 + i, 1);
        sc_fill(data[i], SC_BLOCK, tl, tl, 500 + i, 7);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = SC_BLOCK, in[i] = false;
    }
    mem_target_set_faults(h->mem, &(struct mem_target_faults){.hung = true});
    uint64_t t0 = vm->k->interrupt_time;
    bool ok = vw_stor_scsi_batch_at(vm, HG_N, (const uint8_t(*)[2])btl, (const uint8_t(*)[16])cdbs,
                                    lens, bufs, sizes, in, res);
    *took = vm->k->interrupt_time - t0;
    return ok && !vm->failed;
}

VW_SCENARIO("vioscsi", fault_hung_target_reset_bounded, NULL)
{
    struct sc_host h;
    if (!sc_start_mem_2s(vm, &h))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    unsigned before = sc_completed(vm);
    static struct vw_stor_result res[HG_N];
    uint64_t took;
    if (!hg_writes(vm, &h, res, &took))
        goto out;
    vw_sched_settle(vm);
    unsigned ended = sc_completed(vm) - before, bus_reset = 0;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned srbs = st.lun_resets + st.target_resets;
    for (unsigned i = 0; i < HG_N; i++)
        bus_reset += (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_BUS_RESET;
    vw_log(vm,
           "hung target: 8 writes ended in %llu ms of virtual time, %u BUS_RESET, %u reset SRBs, "
           "%u bus resets, %u device resets",
           (unsigned long long)(took / 10000), bus_reset, srbs, st.resets,
           vmodel_reset_count(h.scsi->dev->model) - resets);
    VW_EXPECT(vm, bus_reset == HG_N, "%u of the 8 writes to a hung target ended BUS_RESET",
              bus_reset);
    VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) > resets,
              "the target answered no TMF, yet the device was not reset");
    VW_EXPECT(vm, took < 10 * SC_SECOND,
              "the reset path took %llu ms of virtual time (2 s time-out; want under 10 s)",
              (unsigned long long)(took / 10000));
    VW_EXPECT(vm, ended == HG_N + srbs, "%u completions for 8 writes and %u reset SRBs", ended,
              srbs);
    /* The target wakes: what it held is answered to a device that reset */
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    uint64_t stale = ms->stale;
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    vw_sched_settle(vm);
    sc_deliver(vm);
    vw_log(
        vm,
        "the target woke: %llu stale answers, %llu ABORT TASK SETs the device sent after its reset",
        (unsigned long long)(ms->stale - stale), (unsigned long long)ms->reset_aborts);
    VW_EXPECT(vm, sc_completed(vm) - before == ended,
              "the woken target's answers completed %u requests again",
              sc_completed(vm) - before - ended);
    sc_works(vm, &h, 14, 8, "a hung target");
    if (!vm->failed) {
        uint8_t cdb[16], out[SC_BLOCK], back[SC_BLOCK];
        sc_fill(out, SC_BLOCK, 1, 1, 501, 9);
        sc_rw16(cdb, true, 501, 1);
        if (sc_ok(vm, 1, 1, cdb, 16, out, SC_BLOCK, false, "WRITE(16) at 1:1 after the hang")) {
            sc_rw16(cdb, false, 501, 1);
            if (sc_ok(vm, 1, 1, cdb, 16, back, SC_BLOCK, true, "READ(16) at 1:1 after the hang"))
                VW_EXPECT(vm, memcmp(out, back, SC_BLOCK) == 0, "1:1 reads back wrong");
        }
    }
out:
    sc_finish(vm, &h);
}
