/*
 * A whole iSCSI target added and removed at run time, against tgt: a
 * target made with tgtadm after the start (2 disks, LUNs 1 and 2 behind
 * tgt's controller LUN 0) is logged in to by the back end as virtio-scsi
 * target 2; the device raises TRANSPORT_RESET with RESCAN for each of its
 * LUNs (virtio 1.2 5.6.6.3.1), vioscsi tells StorPort, whose rescan at
 * target 2 lists the 3 LUNs and reads a disk there; a block written there
 * reaches tgt's backing file.  Then the back end logs out and the target
 * is deleted: REMOVED for each LUN, StorPort is told, and every LUN of
 * target 2 answers BAD_TARGET, which vioscsi completes as a selection
 * time-out (the device is gone: not retried).  Targets 0 and 1 keep
 * working throughout.  A target dropped with 8 writes at tgt (the run's
 * own tgtd, stopped): each ends once (ABORTED by the device, as QEMU ends
 * an unplugged device's requests), then REMOVED and selection time-outs.
 */
#include <fcntl.h>
#include <signal.h>
#include "vioscsi_test.h"

#define TT_SLOT 2u /* the target made at run time */

/* Make tgt's target TT_SLOT with LUNs 1 and 2 and log the back end in to it */
static bool tt_add(struct vm *vm, struct sc_host *h)
{
    char iqn[64], err[256];
    if (!sc_tgt_target(vm, h, TT_SLOT, iqn, sizeof(iqn)))
        return false;
    for (int l = 1; l <= 2; l++) {
        char name[32];
        snprintf(name, sizeof(name), "t%ul%d.img", TT_SLOT, l);
        if (tgt_add_lun(&h->tgt, sc_tgt_tid(h, TT_SLOT), l, name, SC_TGT_LUN_BYTES, 1) != 0) {
            vw_fail(vm, "tgt: %s", h->tgt.err);
            return false;
        }
    }
    if (iscsi_target_add(h->it, TT_SLOT, h->tgt.portal, iqn, err, sizeof(err)) != 0) {
        vw_fail(vm, "libiscsi: %s", err);
        return false;
    }
    return true;
}

/* The device looks at the LUNs again: WANT changes, each an event, StorPort told */
static void tt_rescan(struct vm *vm, struct sc_host *h, int want, const char *what)
{
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h->scsi->model);
    uint64_t events = ms->events;
    unsigned before = sc_bus_changes(vm);
    int changes = vmodel_scsi_rescan(h->scsi->model);
    sc_deliver(vm);
    VW_EXPECT(
        vm, changes == want && ms->events - events == (uint64_t)want && sc_bus_changes(vm) > before,
        "target %u %s: %d changes, %llu events (want %d), %u bus changes told StorPort", TT_SLOT,
        what, changes, (unsigned long long)(ms->events - events), want,
        sc_bus_changes(vm) - before);
}

/* Block LBA of tgt's TT_SLOT:L backing file is WANT */
static bool tt_file_has(struct sc_host *h, unsigned l, uint64_t lba, const uint8_t *want)
{
    char path[300];
    uint8_t b[SC_BLOCK];
    sc_tgt_file(h, TT_SLOT, l, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && pread(fd, b, SC_BLOCK, (off_t)lba * SC_BLOCK) == SC_BLOCK &&
              memcmp(b, want, SC_BLOCK) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void whole_target(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.targets = 2;
    o.luns = 1;
    o.plant = *p;
    if (!sc_start_tgt(vm, &h, &o))
        goto out;
    sc_deliver(vm); /* the device takes the event buffers posted at the start */
    if (!tt_add(vm, &h))
        goto out;
    tt_rescan(vm, &h, 3, "made and logged in to");
    struct vw_stor_rescan rs;
    vw_stor_address(vm, TT_SLOT, 0);
    if (vm->failed || !vw_stor_rescan(vm, &rs))
        goto out;
    vw_log(vm, "rescan at target %u: REPORT LUNS %s, %u LUNs, LUN 0 type 0x%02x", TT_SLOT,
           rs.report_luns ? "listed" : "failed", rs.luns, rs.device_type);
    VW_EXPECT(vm, rs.ran && rs.report_luns && rs.luns == 3,
              "StorPort's rescan at the new target %u: %s, REPORT LUNS %s %u LUNs (want 3)",
              TT_SLOT, rs.ran ? "ran" : "not run", rs.report_luns ? "listed" : "failed,", rs.luns);
    uint8_t cap[32], c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32}, tur[6] = {0};
    if (!vm->failed && sc_ok(vm, TT_SLOT, 2, tur, 6, NULL, 0, false, "TEST UNIT READY") &&
        sc_ok(vm, TT_SLOT, 2, c16, 16, cap, 32, true, "READ CAPACITY(16) at the new target"))
        VW_EXPECT(vm, stor_be64(cap) + 1 == SC_TGT_LUN_BYTES / SC_BLOCK,
                  "%u:2: %llu blocks, want %u", TT_SLOT, (unsigned long long)(stor_be64(cap) + 1),
                  SC_TGT_LUN_BYTES / SC_BLOCK);
    sc_round_trip(vm, TT_SLOT, 1, 21, 3, "the target was added");
    uint8_t want[SC_BLOCK];
    sc_fill(want, SC_BLOCK, TT_SLOT, 1, 21, 3);
    if (!vm->failed)
        VW_EXPECT(vm, tt_file_has(&h, 1, 21, want),
                  "%u:1 LBA 21 written through the driver is not in tgt's backing file", TT_SLOT);
    if (vm->failed)
        goto out;
    iscsi_target_remove(h.it, TT_SLOT);
    if (tgt_del_target(&h.tgt, sc_tgt_tid(&h, TT_SLOT)) != 0) {
        vw_fail(vm, "tgt: %s", h.tgt.err);
        goto out;
    }
    tt_rescan(vm, &h, 3, "logged out and deleted");
    for (uint8_t l = 0; l <= 2 && !vm->failed; l++) {
        struct vw_stor_result r;
        if (sc_scsi(vm, TT_SLOT, l, tur, 6, NULL, 0, false, &r))
            VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SELECTION_TIMEOUT,
                      "deleted target %u:%u: TEST UNIT READY SRB 0x%02x (want SELECTION_TIMEOUT)",
                      TT_SLOT, l, r.srb_status);
    }
    sc_round_trip(vm, 0, 1, 22, 4, "target 2 was deleted");
    sc_round_trip(vm, 1, 1, 22, 4, "target 2 was deleted");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", tgt_whole_target_added_removed, NULL)
{
    whole_target(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device drops its events; the new target goes unnoticed */
VW_SCENARIO("vioscsi", planted_tgt_whole_target_dropped,
            "target 2 made and logged in to: 3 changes, 0 events")
{
    whole_target(vm, &(struct vmodel_scsi_planted){.drop_events = true});
}

/* Target 1 dropped by the back end while 8 writes to 1:1 are at tgt (the
 * run's own tgtd, SIGSTOPped): the device ends them ABORTED; each completes
 * once (StorPort's emulation fails a second completion or one left
 * pending); then tgtadm deletes it, REMOVED for its LUNs 0 and 1, a bus
 * change, and 1:1 is a selection time-out; 0:1 still works */
VW_SCENARIO("vioscsi", tgt_whole_target_removed_under_io, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.targets = 2;
    o.luns = 1;
    o.own_tgtd = true;
    bool stopped = false;
    uint8_t tur[6] = {0};
    if (!sc_start_tgt(vm, &h, &o) || !sc_ok(vm, 1, 1, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        goto out;
    sc_deliver(vm);
    unsigned before = sc_completed(vm);
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    uint64_t aborted = ms->responses[VIRTIO_SCSI_S_ABORTED];
    vw_stor_submit_from(vm, 0);
    if (kill(h.tgt.pid, SIGSTOP) != 0) {
        vw_fail(vm, "cannot stop tgtd %d", (int)h.tgt.pid);
        goto out;
    }
    stopped = true;
    vw_scsi_no_wait(h.scsi, true); /* handed to the stopped tgtd, not waited for */
    vw_stor_address(vm, 1, 1);
    bool handed = vw_stor_submit_writes(vm, 8, 50, 0x6b);
    vw_scsi_no_wait(h.scsi, false);
    unsigned at_tgt = h.scsi->target->ops->outstanding(h.scsi->target);
    iscsi_target_remove(h.it, 1);
    kill(h.tgt.pid, SIGCONT);
    stopped = false;
    if (!handed || vm->failed)
        goto out;
    unsigned extra = 0;
    sc_tgt_drain(vm, before, 8, 0, 1, &extra);
    VW_EXPECT(vm,
              at_tgt == 8 && ms->responses[VIRTIO_SCSI_S_ABORTED] - aborted == 8 &&
                  sc_completed(vm) - before - extra == 8,
              "target 1 dropped with %u writes at tgt (want 8): %llu ended ABORTED, %u completed",
              at_tgt, (unsigned long long)(ms->responses[VIRTIO_SCSI_S_ABORTED] - aborted),
              sc_completed(vm) - before - extra);
    if (vm->failed)
        goto out;
    if (tgt_del_target(&h.tgt, sc_tgt_tid(&h, 1)) != 0) {
        vw_fail(vm, "tgt: %s", h.tgt.err);
        goto out;
    }
    unsigned changes0 = sc_bus_changes(vm);
    int changes = vmodel_scsi_rescan(h.scsi->model);
    sc_deliver(vm);
    VW_EXPECT(vm, changes == 2 && sc_bus_changes(vm) > changes0,
              "target 1 dropped: %d changes (want 2), %u bus changes told StorPort", changes,
              sc_bus_changes(vm) - changes0);
    struct vw_stor_result r;
    if (!vm->failed && sc_scsi(vm, 1, 1, tur, 6, NULL, 0, false, &r))
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SELECTION_TIMEOUT,
                  "dropped target 1:1: TEST UNIT READY SRB 0x%02x (want SELECTION_TIMEOUT)",
                  r.srb_status);
    sc_round_trip(vm, 0, 1, 23, 5, "target 1 was dropped under I/O");
out:
    if (stopped)
        kill(h.tgt.pid, SIGCONT);
    sc_finish(vm, &h);
}
