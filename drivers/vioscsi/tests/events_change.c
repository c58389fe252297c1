/*
 * Events past one LUN (virtio 1.2 5.6.6.3): a capacity change on tgt
 * (the LUN made again on a file twice the size) told by PARAM_CHANGE
 * (ASC/ASCQ 2A/09, CAPACITY DATA HAS CHANGED) makes vioscsi tell StorPort,
 * whose rescan reads the new capacity from tgt (a READ CAPACITY the
 * device sees after the event); without F_CHANGE offered the device
 * raises nothing and nothing is re-read.  A whole target with 3 LUNs
 * removed (3 TRANSPORT_RESET REMOVED) and added again (3 RESCAN): StorPort
 * is told each time; the emptied target lists no LUN and each of its
 * LUNs is a selection time-out or LOGICAL UNIT NOT SUPPORTED (SPC-4
 * 4.5.6; the in-process target answers for the target); back, it lists its 3 LUNs
 * and reads as disks of the new size; on tgt, all disks of a target
 * deleted and made again with tgtadm alike.  More LUNs added than event
 * buffers posted: EVENTS_MISSED, and the rescan it leads to finds them all.
 */
#include "vioscsi_test.h"

#define EC_SMALL (4u << 20)
#define EC_BIG   (8u << 20)

/* tgt's 0:1 grown from 4 to 8 MiB (deleted and made again on its file,
 * grown), its unit attention taken, then PARAM_CHANGE 2A/09 raised when
 * CHANGE is offered: the rescan StorPort runs at 0:1 reads 8 MiB */
static void param_change_tgt(struct vm *vm, bool change, const struct vmodel_scsi_planted *p)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.plant = *p;
    o.targets = 1;
    o.luns = 1;
    if (!change)
        o.sc.features &= ~(1ull << VIRTIO_SCSI_F_CHANGE);
    uint8_t tur[6] = {0};
    if (!sc_start_tgt(vm, &h, &o) || !sc_ok(vm, 0, 1, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        goto out;
    bool has = (vmodel_driver_features(h.scsi->dev->model) >> VIRTIO_SCSI_F_CHANGE) & 1;
    VW_EXPECT(vm, has == change, "F_CHANGE %s, the driver %s it",
              change ? "offered" : "not offered", has ? "took" : "did not take");
    if (tgt_del_lun(&h.tgt, sc_tgt_tid(&h, 0), 1) != 0 ||
        tgt_add_lun(&h.tgt, sc_tgt_tid(&h, 0), 1, "t0l1.img", EC_BIG, 1) != 0) {
        vw_fail(vm, "tgt: %s", h.tgt.err);
        goto out;
    }
    for (int i = 0; i < 3 && !vm->failed; i++) /* the unit attentions of the LUN made again */
        sc_ok(vm, 0, 1, tur, 6, NULL, 0, false, "TEST UNIT READY after the resize");
    if (vm->failed)
        goto out;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    uint64_t events = ms->events, caps = ms->read_capacity;
    unsigned before = sc_bus_changes(vm);
    vmodel_scsi_param_change(h.scsi->model, 0, 1, 0x2a, 0x09);
    sc_deliver(vm);
    struct vw_stor_rescan rs;
    vw_stor_address(vm, 0, 1);
    if (!vw_stor_rescan(vm, &rs))
        goto out;
    vw_log(vm, "PARAM_CHANGE (CHANGE %s): %llu events, %u bus changes, rescan %s, %llu blocks",
           change ? "on" : "off", (unsigned long long)(ms->events - events),
           sc_bus_changes(vm) - before, rs.ran ? "ran" : "not run", (unsigned long long)rs.blocks);
    if (change) {
        VW_EXPECT(vm, ms->events - events == 1 && sc_bus_changes(vm) > before && rs.ran,
                  "PARAM_CHANGE: %llu events delivered, %u bus changes told StorPort",
                  (unsigned long long)(ms->events - events), sc_bus_changes(vm) - before);
        VW_EXPECT(vm,
                  !rs.ran || (ms->read_capacity > caps && rs.blocks == EC_BIG / SC_BLOCK &&
                              rs.block_size == SC_BLOCK),
                  "after PARAM_CHANGE: %llu READ CAPACITY at the device, %llu blocks of %u "
                  "(want %u)",
                  (unsigned long long)(ms->read_capacity - caps), (unsigned long long)rs.blocks,
                  rs.block_size, EC_BIG / SC_BLOCK);
    } else {
        VW_EXPECT(vm,
                  ms->events == events && sc_bus_changes(vm) == before && !rs.ran &&
                      ms->read_capacity == caps,
                  "no CHANGE: %llu events, %u bus changes, %llu READ CAPACITY",
                  (unsigned long long)(ms->events - events), sc_bus_changes(vm) - before,
                  (unsigned long long)(ms->read_capacity - caps));
    }
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", events_tgt_param_change_capacity, NULL)
{
    param_change_tgt(vm, true, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the resize is not signalled (the device drops its events) */
VW_SCENARIO("vioscsi", planted_events_tgt_param_change_dropped, "PARAM_CHANGE: 0 events delivered")
{
    param_change_tgt(vm, true, &(struct vmodel_scsi_planted){.drop_events = true});
}

VW_SCENARIO("vioscsi", events_tgt_no_change_feature, NULL)
{
    param_change_tgt(vm, false, &(struct vmodel_scsi_planted){0});
}

/* The LUNs REPORT LUNS lists at target T, or -1 and the SRB status in *SRB */
static int ec_luns(struct vm *vm, uint8_t t, uint8_t *srb)
{
    uint8_t cdb[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0}, r[512];
    struct vw_stor_result res;
    vw_stor_address(vm, t, 0);
    if (!vw_stor_scsi_retry(vm, cdb, 12, r, sizeof(r), true, 3, &res, NULL) || vm->failed)
        return -1;
    *srb = res.srb_status & SRB_STATUS_MASK;
    return *srb == SRB_STATUS_SUCCESS || (*srb == SRB_STATUS_DATA_OVERRUN && res.transferred >= 8)
               ? (int)(stor_be32(r) / 8)
               : -1;
}

/* Target 2 of 3 (3 LUNs each, in-process) removed, then added again */
VW_SCENARIO("vioscsi", events_mem_whole_target, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.targets = 3;
    o.luns = 3;
    o.blocks = 2048;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    for (int pass = 0; pass < 2 && !vm->failed; pass++) {
        bool add = pass == 1;
        sc_deliver(vm); /* the device takes the event buffers the driver posted */
        uint64_t events = ms->events;
        unsigned before = sc_bus_changes(vm);
        for (uint32_t l = 0; l < 3; l++)
            mem_target_set_lun(h.mem, 2, l, add ? 4096 : 0);
        int changes = vmodel_scsi_rescan(h.scsi->model);
        sc_deliver(vm);
        VW_EXPECT(vm, changes == 3 && ms->events - events == 3 && sc_bus_changes(vm) > before,
                  "target 2 %s: %d changes, %llu events, %u bus changes told StorPort",
                  add ? "added" : "removed", changes, (unsigned long long)(ms->events - events),
                  sc_bus_changes(vm) - before);
        uint8_t srb = 0;
        int n = vm->failed ? 0 : ec_luns(vm, 2, &srb);
        if (!add) {
            uint8_t tur[6] = {0};
            struct vw_stor_result r;
            VW_EXPECT(vm, n == 0, "removed target 2: REPORT LUNS lists %d (SRB 0x%02x), want 0", n,
                      srb);
            for (uint8_t l = 0; l < 3 && !vm->failed; l++)
                if (sc_scsi(vm, 2, l, tur, 6, NULL, 0, false, &r))
                    VW_EXPECT(vm,
                              (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SELECTION_TIMEOUT ||
                                  ((r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
                                   r.sense_valid && r.sense_key == 0x05 && r.asc == 0x25),
                              "removed 2:%u: TEST UNIT READY SRB 0x%02x, sense %x/%02x (want "
                              "SELECTION_TIMEOUT or LOGICAL UNIT NOT SUPPORTED)",
                              l, r.srb_status, r.sense_key, r.asc);
        } else
            VW_EXPECT(vm, n == 3, "target 2 back: REPORT LUNS lists %d (SRB 0x%02x), want 3", n,
                      srb);
        int m = vm->failed ? 0 : ec_luns(vm, 1, &srb);
        VW_EXPECT(vm, m == 3, "target 1 (untouched): REPORT LUNS lists %d, want 3", m);
    }
    for (uint8_t l = 0; l < 3 && !vm->failed; l++) {
        uint8_t tur[6] = {0};
        sc_ok(vm, 2, l, tur, 6, NULL, 0, false, "TEST UNIT READY");
        uint8_t cap[32], c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32};
        if (!vm->failed && sc_ok(vm, 2, l, c16, 16, cap, 32, true, "READ CAPACITY(16)"))
            VW_EXPECT(vm, stor_be64(cap) + 1 == 4096, "2:%u back: %llu blocks, want 4096", l,
                      (unsigned long long)(stor_be64(cap) + 1));
    }
    if (!vm->failed)
        sc_works(vm, &h, 7, 0x21, "target 2 removed and added");
out:
    sc_finish(vm, &h);
}

/* More LUNs added at once than the driver has event buffers posted: the
 * device raises RESCAN for those it has buffers for and EVENTS_MISSED on
 * the next buffer (virtio 1.2 5.6.6.3); vioscsi tells StorPort, whose
 * rescan at the target lists every LUN, the missed ones too.  (The
 * RESCANs delivered lead to a bus change as well: BusChangeDetected asks
 * one full rescan whatever the event, so the missed report's own is not
 * told apart here; events_mem_missed raises it after PARAM_CHANGEs.) */
VW_SCENARIO("vioscsi", events_mem_missed_full_rescan, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.targets = 2;
    o.luns = 1;
    o.blocks = 1024;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    sc_deliver(vm); /* the device takes the event buffers posted at the start */
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    unsigned posted = vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ);
    /* 15 new LUNs: with LUN 0, 16, fewer than the 256 the rescan's REPORT
     * LUNS has room for: an answer shorter than its allocation, the list */
    unsigned add = 15, before = sc_bus_changes(vm);
    if (posted + 1 > add) {
        vw_fail(vm, "%u event buffers posted: 15 new LUNs would not overflow them", posted);
        goto out;
    }
    for (uint32_t l = 1; l <= add; l++)
        mem_target_set_lun(h.mem, 1, l, 1024);
    int changes = vmodel_scsi_rescan(h.scsi->model);
    VW_EXPECT(vm, changes == (int)add && ms->events_missed >= 1,
              "%u LUNs added on %u event buffers: %d changes, %llu events missed", add, posted,
              changes, (unsigned long long)ms->events_missed);
    sc_deliver(vm);
    uint8_t tur[6] = {0};
    sc_ok(vm, 0, 0, tur, 6, NULL, 0, false, "TEST UNIT READY"); /* buffers come back */
    sc_deliver(vm);
    struct vw_stor_rescan rs;
    vw_stor_address(vm, 1, 0);
    if (vm->failed || !vw_stor_rescan(vm, &rs))
        goto out;
    vw_log(vm,
           "%u LUNs added on %u buffers: %llu events, %llu missed, %u bus changes; REPORT LUNS "
           "%s",
           add, posted, (unsigned long long)ms->events, (unsigned long long)ms->events_missed,
           sc_bus_changes(vm) - before, rs.underrun ? "an underrun" : "in full");
    VW_EXPECT(vm, ms->events == posted + 1,
              "%llu events delivered, want %u RESCAN + the missed report",
              (unsigned long long)ms->events, posted);
    VW_EXPECT(vm, sc_bus_changes(vm) > before && rs.ran && rs.report_luns && rs.luns == add + 1,
              "after EVENTS_MISSED: %u bus changes, rescan %s, REPORT LUNS %s %u LUNs (want %u)",
              sc_bus_changes(vm) - before, rs.ran ? "ran" : "not run",
              rs.report_luns ? "listed" : "failed,", rs.luns, add + 1);
out:
    sc_finish(vm, &h);
}

/* tgt: every disk of target 1 (LUNs 1-3) deleted with tgtadm, then made
 * again: 3 REMOVED, then 3 RESCAN, each time a bus change; REPORT LUNS at
 * target 1 lists only tgt's controller (LUN 0), then all 4, and a READ of
 * a deleted LUN ends ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED (05/25,
 * SPC-4 4.5.6, past the unit attention tgt reports first); target 0 keeps
 * its 4; a disk made again takes a write and reads it back */
static void target_disks(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.plant = *p;
    o.luns = 3;
    if (!sc_start_tgt(vm, &h, &o))
        goto out;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    for (int pass = 0; pass < 2 && !vm->failed; pass++) {
        bool add = pass == 1;
        sc_deliver(vm);
        uint64_t events = ms->events;
        unsigned before = sc_bus_changes(vm);
        for (int l = 1; l <= 3; l++) {
            char name[32];
            snprintf(name, sizeof(name), "t1l%d.img", l);
            if ((add ? tgt_add_lun(&h.tgt, sc_tgt_tid(&h, 1), l, name, SC_TGT_LUN_BYTES, 1)
                     : tgt_del_lun(&h.tgt, sc_tgt_tid(&h, 1), l)) != 0) {
                vw_fail(vm, "tgt: %s", h.tgt.err);
                goto out;
            }
        }
        int changes = vmodel_scsi_rescan(h.scsi->model);
        sc_deliver(vm);
        VW_EXPECT(vm, changes == 3 && ms->events - events == 3 && sc_bus_changes(vm) > before,
                  "target 1's disks %s: %d changes, %llu events, %u bus changes told StorPort",
                  add ? "made again" : "deleted", changes,
                  (unsigned long long)(ms->events - events), sc_bus_changes(vm) - before);
        uint8_t srb = 0;
        int n = vm->failed ? 0 : ec_luns(vm, 1, &srb);
        VW_EXPECT(vm, n == (add ? 4 : 1), "target 1: REPORT LUNS lists %d (SRB 0x%02x), want %d", n,
                  srb, add ? 4 : 1);
        int m = vm->failed ? 0 : ec_luns(vm, 0, &srb);
        VW_EXPECT(vm, m == 4, "target 0 (untouched): REPORT LUNS lists %d, want 4", m);
        if (!add && !vm->failed) {
            uint8_t cdb[16], buf[SC_BLOCK];
            struct vw_stor_result r = {0};
            sc_rw16(cdb, false, 0, 1);
            for (int i = 0; i < 3 && !vm->failed; i++) /* past the unit attention */
                if (!sc_scsi(vm, 1, 2, cdb, 16, buf, SC_BLOCK, true, &r) || r.sense_key != 0x06)
                    break;
            if (!vm->failed)
                VW_EXPECT(vm,
                          (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r.sense_valid &&
                              r.sense_key == 0x05 && r.asc == 0x25,
                          "READ of deleted 1:2: SRB 0x%02x, sense %x/%02x", r.srb_status,
                          r.sense_key, r.asc);
        }
    }
    sc_round_trip(vm, 1, 3, 9, 2, "target 1's disks were made again");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", events_tgt_target_disks, NULL)
{
    target_disks(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device drops the REMOVED events */
VW_SCENARIO("vioscsi", planted_events_tgt_target_disks_dropped,
            "target 1's disks deleted: 3 changes, 0 events")
{
    target_disks(vm, &(struct vmodel_scsi_planted){.drop_events = true});
}
