/*
 * vioscsi's registry parameters under the existing driver's names
 * (Parameters\Device): PhysicalBreaks lowers the scatter/gather elements
 * per request, and StorPort is told breaks = elements - 1 and the
 * transfer they carry (storport/ns-storport-_port_configuration_information:
 * NumberOfPhysicalBreaks is the maximum number of elements minus one,
 * MaximumTransferLength the bytes), within what the device's seg_max
 * allows (virtio 1.2 5.6.4); a request of that size then goes through.
 */
#include <stdlib.h>
#include "vioscsi_test.h"

#define PAGE 4096u

/* PhysicalBreaks BREAKS (present unless NONE) on a device of SEG_MAX:
 * StorPort told WANT_BREAKS and WANT_BREAKS pages; a write of that many
 * bytes reaches the disk */
static void breaks_case(struct vm *vm, bool none, uint32_t breaks, uint32_t seg_max,
                        unsigned want_breaks)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.seg_max = seg_max;
    o.targets = 1;
    o.luns = 1;
    o.blocks = 8192;
    if (!none)
        vw_stor_registry_set(vm, true, "PhysicalBreaks", 4, &breaks, sizeof(breaks));
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.breaks == want_breaks && st.max_transfer == want_breaks * PAGE,
              "PhysicalBreaks %u, seg_max %u: StorPort told %u breaks and %u bytes, want %u and %u",
              breaks, seg_max, st.breaks, st.max_transfer, want_breaks, want_breaks * PAGE);
    uint32_t len = st.max_transfer;
    uint8_t *out = malloc(len), cdb[16];
    uint64_t blocks;
    sc_fill(out, len, 0, 0, 16, 9);
    sc_rw16(cdb, true, 16, len / SC_BLOCK);
    if (!vm->failed && sc_ok(vm, 0, 0, cdb, 16, out, len, false, "WRITE(16) of the max transfer")) {
        uint8_t *disk = mem_target_disk(h.mem, 0, 0, &blocks);
        VW_EXPECT(vm, memcmp(disk + 16 * SC_BLOCK, out, len) == 0,
                  "the %u-byte write is not on the disk", len);
    }
    free(out);
out:
    sc_finish(vm, &h);
}

/* Absent: seg_max 126 elements, 125 breaks */
VW_SCENARIO("vioscsi", registry_physical_breaks_absent, NULL)
{
    breaks_case(vm, true, 0, 126, 125);
}

VW_SCENARIO("vioscsi", registry_physical_breaks_small, NULL)
{
    breaks_case(vm, false, 16, 126, 16);
}

/* Large, within a device of 512 elements: 1 MiB transfers */
VW_SCENARIO("vioscsi", registry_physical_breaks_large, NULL)
{
    breaks_case(vm, false, 256, 512, 256);
}

/* More than seg_max allows: the device's limit */
VW_SCENARIO("vioscsi", registry_physical_breaks_above_seg_max, NULL)
{
    breaks_case(vm, false, 1000, 126, 125);
}

/* 0 leaves no page: two elements (one page, unaligned), one break */
VW_SCENARIO("vioscsi", registry_physical_breaks_zero, NULL)
{
    breaks_case(vm, false, 0, 126, 1);
}

/* Requests completed so far. */
static unsigned completed_now(struct vm *vm)
{
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    return st.completed;
}

/* VioscsiActionOnReset VALUE (Parameters\Device), a response lost and
 * every TMF rejected (so the LUN and target reset SRBs fail and the
 * time-out reaches its third tier, storage/multi-tier-reset-in-storport): the
 * time-out's HwResetBus resets the device and ends the command (BUS_RESET)
 * before it returns, the LUN works after, as with the value absent; LOGGED
 * the line the driver must print.  Then the backend answers after all (a
 * slow one, not a dead one): the device, reset, has nothing of the READ
 * left to give back, since HwResetBus must have completed it
 * (storport/nc-storport-hw_reset_bus: "A miniport driver is responsible
 * for completing SRBs received by HwStorStartIo ... during this routine"):
 * the late answer completes nothing (a second completion would also fail
 * the run in StorPort's checker). */
static void action_case(struct vm *vm, uint32_t value, const char *logged)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.timeout_s = 2;
    vw_stor_registry_set(vm, true, "VioscsiActionOnReset", 4, &value, sizeof(value));
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.lose_every = 1, .tmf_reject = true});
    uint8_t cdb[16], buf[SC_BLOCK], wr[SC_BLOCK];
    struct vw_stor_result r;
    sc_rw16(cdb, false, 3, 1);
    if (!sc_scsi(vm, 0, 0, cdb, 16, buf, SC_BLOCK, true, &r))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.resets >= 1 && (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS,
              "VioscsiActionOnReset %u, lost READ: %u bus resets, SRB 0x%02x", value, st.resets,
              r.srb_status);
    uint32_t dev_resets = vmodel_reset_count(h.scsi->dev->model) - resets;
    /* The late answer, if the device still held the READ, reaches the
     * driver before or while the next command runs */
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    vw_sched_settle(vm);
    unsigned ended = completed_now(vm);
    mem_target_release_lost(h.mem);
    vw_sched_settle(vm);
    unsigned late = completed_now(vm) - ended;
    sc_fill(wr, SC_BLOCK, 0, 0, 9, 3);
    sc_rw16(cdb, true, 9, 1);
    if (!vm->failed)
        sc_ok(vm, 0, 0, cdb, 16, wr, SC_BLOCK, false, "WRITE(16) after the bus reset");
    VW_EXPECT(vm, late == 0,
              "VioscsiActionOnReset %u: the late answer completed %u request(s) after HwResetBus",
              value, late);
    VW_EXPECT(vm, dev_resets >= 1, "VioscsiActionOnReset %u: HwResetBus without a device reset",
              value);
    if (logged != NULL)
        VW_EXPECT(vm, vm->log != NULL && strstr(vm->log, logged) != NULL,
                  "VioscsiActionOnReset %u: the driver did not log \"%s\"", value, logged);
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", registry_action_on_reset_0, NULL)
{
    action_case(vm, 0, NULL);
}

/* 1, upstream's "do nothing with the pending requests" on a reset, would
 * leave the READ with the device while StorPort ends it, and the late
 * answer would complete it a second time: HwResetBus ends it as with 0,
 * and the driver says so */
VW_SCENARIO("vioscsi", registry_action_on_reset_1, NULL)
{
    action_case(vm, 1, "VioscsiActionOnReset 1: HwResetBus still completes");
}

/* Neither 0, 1 nor 0xDEADDEAD: logged and read as 0 */
VW_SCENARIO("vioscsi", registry_action_on_reset_other_value, NULL)
{
    action_case(vm, 2, "VioscsiActionOnReset 0x2 is not 0, 1 or 0xDEADDEAD");
}
