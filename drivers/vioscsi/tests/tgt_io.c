/*
 * Against tgt, what happens to I/O when the target's LUNs change or are
 * reset under it: a LOGICAL UNIT RESET (virtio 1.2 5.6.6.2) while writes
 * are handed to the miniport on that LUN and another; LUNs added and
 * removed with tgtadm while writes are in flight on the others (virtio
 * 1.2 5.6.6.3, TRANSPORT_RESET); and a reservation another initiator holds
 * (SPC-2 RESERVE(6), SPC-4 PERSISTENT RESERVE OUT) answered RESERVATION
 * CONFLICT.  StorPort's emulation fails a request completed twice or left
 * pending at the end; the writes on the LUNs that stay are read in tgt's
 * backing files, outside the driver.
 */
#include <fcntl.h>
#include <pthread.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include "vioscsi_test.h"

#define SCSI_RESERVATION_CONFLICT 0x18

/* TEST UNIT READY at T:L until GOOD (the unit attention of a new nexus or a reset taken) */
static bool ready(struct vm *vm, uint8_t t, uint8_t l)
{
    uint8_t tur[6] = {0};
    return sc_ok(vm, t, l, tur, 6, NULL, 0, false, "TEST UNIT READY");
}

/* 16 writes each on 0:1 and 1:1 taken by the device (tgt executes them)
 * whose answers the device holds, then a LUN reset of 0:1: its TMF is
 * answered while the device still owns 0:1's writes, which must end before
 * the reset SRB does (storage/multi-tier-reset-in-storport) and cannot end
 * while the device owns them, so the device is reset: all 32 writes end
 * once (BUS_RESET) and the SRB SUCCESS, 33 completions when it returns.
 * 1:1's writes sent again (as the class driver does after BUS_RESET) are
 * all in its file, and 0:1 works after */
VW_SCENARIO("vioscsi", tgt_lun_reset_under_io, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    if (!sc_start_tgt(vm, &h, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    if (!ready(vm, 0, 1) || !ready(vm, 1, 1))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    unsigned before = sc_completed(vm), extra = 0;
    /* From one CPU: every write is at the miniport (none queued on another
     * CPU's submission) when the reset comes; the device takes them (tgt
     * sees them) and holds their answers until after the reset */
    vw_stor_submit_from(vm, 0);
    for (uint16_t q = 0; q < 4; q++)
        vmodel_hold_queue(h.scsi->dev->model, VMODEL_SCSI_REQUESTQ + q, true);
    vw_stor_address(vm, 0, 1);
    if (!vw_stor_submit_writes(vm, 16, 100, 0x5a))
        goto out;
    vw_stor_address(vm, 1, 1);
    if (!vw_stor_submit_writes(vm, 16, 100, 0xa5))
        goto out;
    unsigned early = sc_completed(vm) - before;
    vw_stor_address(vm, 0, 1);
    struct vw_stor_result r;
    if (!vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r) || vm->failed)
        goto out;
    VW_EXPECT(vm, early == 0 && sc_completed(vm) - before == 33,
              "%u writes completed before the reset, %u of 32 with it", early,
              sc_completed(vm) - before - 1 - early);
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "RESET_LOGICAL_UNIT: SRB 0x%02x", r.srb_status);
    VW_EXPECT(vm,
              vmodel_scsi_stats(h.scsi->model)->tmfs >= 1 &&
                  vmodel_reset_count(h.scsi->dev->model) - resets == 1,
              "LUN reset: %llu TMFs, %u device resets (1: the device kept 0:1's writes)",
              (unsigned long long)vmodel_scsi_stats(h.scsi->model)->tmfs,
              vmodel_reset_count(h.scsi->dev->model) - resets);
    for (uint16_t q = 0; q < 4; q++)
        vmodel_hold_queue(h.scsi->dev->model, VMODEL_SCSI_REQUESTQ + q, false);
    vw_stor_address(vm, 1, 1);
    if (!ready(vm, 1, 1))
        goto out;
    before = sc_completed(vm), extra = 0;
    if (!vw_stor_submit_writes(vm, 16, 100, 0xa5))
        goto out;
    sc_tgt_drain(vm, before, 16, 1, 1, &extra);
    VW_EXPECT(vm, sc_completed(vm) - before - extra == 16,
              "%u of 1:1's 16 writes sent again completed", sc_completed(vm) - before - extra);
    VW_EXPECT(vm, sc_tgt_file_holds(&h, 1, 1, 100, 16, 0xa5),
              "1:1's 16 writes, sent again after the reset, are not all in its backing file");
    sc_round_trip(vm, 0, 1, 300, 4, "the LUN reset");
out:
    sc_finish(vm, &h);
}

/* The number of LUNs REPORT LUNS lists at target T */
static int lun_count(struct vm *vm, uint8_t t)
{
    uint8_t cdb[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0}, r[512];
    if (!sc_ok(vm, t, 0, cdb, 12, r, sizeof(r), true, "REPORT LUNS"))
        return -1;
    return (int)(stor_be32(r) / 8);
}

/* The device looks at tgt's LUNs again and the driver takes the event */
static void rescan(struct vm *vm, struct sc_host *h, const char *what)
{
    unsigned before = sc_bus_changes(vm);
    int changes = vmodel_scsi_rescan(h->scsi->model);
    sc_deliver(vm);
    VW_EXPECT(vm, changes == 1 && sc_bus_changes(vm) > before,
              "%s: %d changes seen by the device, %u bus changes told StorPort", what, changes,
              sc_bus_changes(vm) - before);
}

/* tgtadm run from a thread of the scenario after DELAY_MS of real time,
 * while the scenario's batch of requests runs on the device */
struct plug_job {
    struct tgt_fixture tgt; /* a copy: the thread writes only its err */
    int tid, lun, rc;
    bool add;
    pthread_t thread;
};

static void *plug_run(void *arg)
{
    struct plug_job *j = arg;
    usleep(30000);
    if (j->add) {
        j->rc = tgt_add_lun(&j->tgt, j->tid, j->lun, "t0l3.img", 1u << 20, 1);
        return NULL;
    }
    /* tgt refuses to delete a LUN with commands queued: again, 2 s at most */
    for (int i = 0; i < 100 && (j->rc = tgt_del_lun(&j->tgt, j->tid, j->lun)) != 0; i++)
        usleep(20000);
    return NULL;
}

#define PLUG_IO 64u

/* PLUG_IO one-block writes at QD 32 to 0:L (LBA FIRST.., generation GEN)
 * while JOB changes tgt's LUNs.  Each ends GOOD; or CHECK CONDITION with
 * UNIT ATTENTION, REPORTED LUNS DATA HAS CHANGED (SPC-4 6.37: tgt tells
 * every nexus), sent again as disk.sys does; or, when GONE_OK (the LUN
 * written is the one removed), ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED
 * (SPC-4 4.5.6).  Every GOOD write is in the LUN's backing file.  The
 * statuses seen are counted in *UA and *GONE. */
static void io_while(struct vm *vm, struct sc_host *h, uint8_t l, uint64_t first, unsigned gen,
                     struct plug_job *job, bool gone_ok, unsigned *ua, unsigned *gone)
{
    static uint8_t cdbs[PLUG_IO][16], data[PLUG_IO][SC_BLOCK], *bufs[PLUG_IO];
    static unsigned lens[PLUG_IO];
    static uint32_t sizes[PLUG_IO];
    static bool in[PLUG_IO];
    static struct vw_stor_result res[PLUG_IO];
    for (unsigned i = 0; i < PLUG_IO; i++) {
        sc_rw16(cdbs[i], true, first + i, 1);
        sc_fill(data[i], SC_BLOCK, 0, l, first + i, gen);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = SC_BLOCK, in[i] = false;
    }
    if (pthread_create(&job->thread, NULL, plug_run, job) != 0) {
        vw_fail(vm, "cannot start the tgtadm thread");
        return;
    }
    vw_stor_address(vm, 0, l);
    for (unsigned i = 0; i < PLUG_IO && !vm->failed; i += 32)
        vw_stor_scsi_batch(vm, 32, (const uint8_t(*)[16])cdbs[i], lens + i, bufs + i, sizes + i,
                           in + i, res + i);
    pthread_join(job->thread, NULL);
    if (job->rc != 0) {
        vw_fail(vm, "tgt: %s", job->tgt.err);
        return;
    }
    char path[300];
    sc_tgt_file(h, 0, l, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    for (unsigned i = 0; i < PLUG_IO && !vm->failed; i++) {
        struct vw_stor_result *r = &res[i];
        uint8_t st = r->srb_status & SRB_STATUS_MASK, got[SC_BLOCK];
        bool cc = st == SRB_STATUS_ERROR && r->scsi_status == 0x02 && r->sense_valid;
        bool is_ua = cc && r->sense_key == 0x06 && r->asc == 0x3f && r->ascq == 0x0e;
        bool is_gone = cc && r->sense_key == 0x05 && r->asc == 0x25;
        *ua += is_ua;
        *gone += is_gone;
        if (is_ua && !gone_ok)
            sc_ok(vm, 0, l, cdbs[i], 16, data[i], SC_BLOCK, false, "WRITE(16) sent again");
        else if (!(st == SRB_STATUS_SUCCESS && r->scsi_status == 0) &&
                 !(gone_ok && (is_gone || is_ua)))
            vw_fail(vm,
                    "write %u to 0:%u under hot plug: SRB 0x%02x, SCSI 0x%02x, sense %x/%02x/%02x",
                    i, l, r->srb_status, r->scsi_status, r->sense_key, r->asc, r->ascq);
        bool good = st == SRB_STATUS_SUCCESS || (is_ua && !gone_ok);
        if (good && !vm->failed)
            VW_EXPECT(vm,
                      fd >= 0 &&
                          pread(fd, got, SC_BLOCK, (off_t)(first + i) * SC_BLOCK) == SC_BLOCK &&
                          memcmp(got, data[i], SC_BLOCK) == 0,
                      "0:%u LBA %llu: a write that ended GOOD is not in the backing file", l,
                      (unsigned long long)(first + i));
    }
    if (fd >= 0)
        close(fd);
}

/* Target 0 with LUNs 1 and 2.  LUN 3 added with tgtadm while 64 writes run
 * on LUN 1; LUN 2 removed while 64 writes run on it and 16 more are in
 * flight on LUN 1.  Each change raises an event that tells StorPort of a
 * bus change and REPORT LUNS follows it; every write completes (StorPort's
 * emulation fails a second completion); on the LUNs that stay every write
 * is in the backing file (one answered with the unit attention after it
 * was sent again); the removed LUN's writes end GOOD (and are in its file)
 * or with LOGICAL UNIT NOT SUPPORTED, as does a READ of it after; the new
 * LUN 3 holds what is written to it */
static void hotplug_under_io(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.plant = *p;
    o.targets = 1;
    o.luns = 2;
    o.sc.num_queues = 4;
    unsigned ua = 0, gone = 0;
    if (!sc_start_tgt(vm, &h, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    if (!ready(vm, 0, 1) || !ready(vm, 0, 2))
        goto out;
    struct plug_job add = {.tgt = h.tgt, .tid = sc_tgt_tid(&h, 0), .lun = 3, .add = true};
    io_while(vm, &h, 1, 10, 1, &add, false, &ua, &gone);
    if (vm->failed)
        goto out;
    rescan(vm, &h, "LUN 3 added under I/O");
    VW_EXPECT(vm, lun_count(vm, 0) == 4, "after the add: REPORT LUNS lists %d, want 4",
              lun_count(vm, 0));
    if (vm->failed || !ready(vm, 0, 1))
        goto out;
    vw_stor_submit_from(vm, 0);
    vw_stor_address(vm, 0, 1);
    if (!vw_stor_submit_writes(vm, 16, 200, 0x33))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    struct plug_job del = {.tgt = h.tgt, .tid = sc_tgt_tid(&h, 0), .lun = 2, .add = false};
    io_while(vm, &h, 2, 10, 2, &del, true, &ua, &gone);
    if (vm->failed)
        goto out;
    rescan(vm, &h, "LUN 2 removed under I/O");
    VW_EXPECT(vm, lun_count(vm, 0) == 3, "after the removal: REPORT LUNS lists %d, want 3",
              lun_count(vm, 0));
    /* What is still in flight ends while the class layer waits for its own */
    for (int i = 0; i < 200 && !vm->failed && !sc_tgt_file_holds(&h, 0, 1, 200, 16, 0x33); i++)
        if (ready(vm, 0, 1))
            usleep(5000);
    VW_EXPECT(vm, sc_tgt_file_holds(&h, 0, 1, 200, 16, 0x33),
              "LUN 1 stayed: the 16 writes in flight while LUN 2 went are not all in its file");
    vw_log(vm, "hot plug: %u unit attentions, %u writes to the removed LUN not supported", ua,
           gone);
    uint8_t cdb[16], buf[SC_BLOCK];
    struct vw_stor_result r;
    sc_rw16(cdb, false, 40, 1);
    for (int i = 0; i < 3 && !vm->failed; i++) { /* past a unit attention */
        if (!sc_scsi(vm, 0, 2, cdb, 16, buf, SC_BLOCK, true, &r) || r.sense_key != 0x06)
            break;
    }
    if (!vm->failed)
        VW_EXPECT(vm,
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r.scsi_status == 0x02 &&
                      r.sense_valid && r.sense_key == 0x05 && r.asc == 0x25,
                  "READ of removed LUN 2: SRB 0x%02x, SCSI 0x%02x, sense %s %x/%02x/%02x",
                  r.srb_status, r.scsi_status, r.sense_valid ? "valid" : "none", r.sense_key, r.asc,
                  r.ascq);
    sc_round_trip(vm, 0, 3, 5, 1, "LUN 3 was added");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", tgt_hotplug_under_io, NULL)
{
    hotplug_under_io(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device drops its events; the add must go unnoticed */
VW_SCENARIO("vioscsi", planted_tgt_hotplug_under_io_dropped,
            "LUN 3 added under I/O: 1 changes seen by the device, 0 bus changes")
{
    hotplug_under_io(vm, &(struct vmodel_scsi_planted){.drop_events = true});
}

/* A second initiator of the test's own on tgt's target 0, LUN 1 */
static struct iscsi_context *other_initiator(struct vm *vm, struct sc_host *h)
{
    char iqn[64];
    snprintf(iqn, sizeof(iqn), "iqn.2026-12.org.virtio-win.vioscsi:p%dt0", (int)getpid());
    struct iscsi_context *c = iscsi_create_context("iqn.2026-12.org.virtio-win.test:other");
    if (c == NULL || iscsi_set_targetname(c, iqn) != 0 ||
        iscsi_set_session_type(c, ISCSI_SESSION_NORMAL) != 0 ||
        iscsi_set_header_digest(c, ISCSI_HEADER_DIGEST_NONE) != 0 ||
        iscsi_full_connect_sync(c, h->tgt.portal, 1) != 0) {
        vw_fail(vm, "the other initiator cannot log in: %s", c ? iscsi_get_error(c) : "no memory");
        if (c != NULL)
            iscsi_destroy_context(c);
        return NULL;
    }
    return c;
}

/* TASK's SCSI status (the other initiator's), freed; a unit attention
 * (its nexus is new) is sent again by the caller */
static int task_status(struct scsi_task *task)
{
    int s = task != NULL ? task->status : -1;
    if (task != NULL)
        scsi_free_scsi_task(task);
    return s;
}

/* One 4 KiB WRITE(16) at 0:1 through vioscsi: its result */
static bool write_01(struct vm *vm, struct vw_stor_result *r)
{
    uint8_t out[SC_BLOCK], cdb[16];
    memset(out, 0x77, sizeof(out));
    sc_rw16(cdb, true, 60, 1);
    return sc_scsi(vm, 0, 1, cdb, 16, out, SC_BLOCK, false, r);
}

/* Another initiator holds the LUN (RESERVE(6), then a persistent
 * reservation WRITE EXCLUSIVE): vioscsi's WRITE ends with SCSI status
 * RESERVATION CONFLICT (SAM-5 5.3.1: no sense data) and SRB_STATUS_ERROR;
 * a READ under WRITE EXCLUSIVE is GOOD; released, the WRITE goes through */
VW_SCENARIO("vioscsi", tgt_reservation_conflict, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    struct iscsi_context *c = NULL;
    sc_defaults(&o);
    o.targets = 1;
    o.luns = 1;
    if (!sc_start_tgt(vm, &h, &o) || !ready(vm, 0, 1) || (c = other_initiator(vm, &h)) == NULL)
        goto out;
    int s = -1;
    for (int i = 0; i < 3 && s != SCSI_STATUS_GOOD; i++)
        s = task_status(iscsi_reserve6_sync(c, 1));
    if (s != SCSI_STATUS_GOOD) {
        vw_fail(vm, "RESERVE(6) from the other initiator: status 0x%02x", s);
        goto out;
    }
    struct vw_stor_result r;
    if (write_01(vm, &r))
        VW_EXPECT(vm,
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
                      r.scsi_status == SCSI_RESERVATION_CONFLICT,
                  "WRITE to a LUN reserved by another initiator: SRB 0x%02x, SCSI 0x%02x",
                  r.srb_status, r.scsi_status);
    if (vm->failed || task_status(iscsi_release6_sync(c, 1)) != SCSI_STATUS_GOOD) {
        VW_EXPECT(vm, false, "RELEASE(6) from the other initiator failed");
        goto out;
    }
    /* PERSISTENT RESERVE OUT: REGISTER key 0x1234, then RESERVE WRITE EXCLUSIVE */
    struct scsi_persistent_reserve_out_basic key = {.service_action_reservation_key = 0x1234};
    if (task_status(iscsi_persistent_reserve_out_sync(c, 1, SCSI_PERSISTENT_RESERVE_REGISTER, 0, 0,
                                                      &key)) != SCSI_STATUS_GOOD) {
        vw_fail(vm, "PERSISTENT RESERVE OUT REGISTER failed");
        goto out;
    }
    key = (struct scsi_persistent_reserve_out_basic){.reservation_key = 0x1234};
    if (task_status(iscsi_persistent_reserve_out_sync(c, 1, SCSI_PERSISTENT_RESERVE_RESERVE, 0,
                                                      SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE,
                                                      &key)) != SCSI_STATUS_GOOD) {
        vw_fail(vm, "PERSISTENT RESERVE OUT RESERVE failed");
        goto out;
    }
    if (write_01(vm, &r))
        VW_EXPECT(vm,
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
                      r.scsi_status == SCSI_RESERVATION_CONFLICT,
                  "WRITE under another's WRITE EXCLUSIVE: SRB 0x%02x, SCSI 0x%02x", r.srb_status,
                  r.scsi_status);
    uint8_t cdb[16], buf[SC_BLOCK];
    sc_rw16(cdb, false, 60, 1);
    if (!vm->failed)
        sc_ok(vm, 0, 1, cdb, 16, buf, SC_BLOCK, true, "READ under another's WRITE EXCLUSIVE");
    key = (struct scsi_persistent_reserve_out_basic){.reservation_key = 0x1234};
    if (!vm->failed && task_status(iscsi_persistent_reserve_out_sync(
                           c, 1, SCSI_PERSISTENT_RESERVE_RELEASE, 0,
                           SCSI_PERSISTENT_RESERVE_TYPE_WRITE_EXCLUSIVE, &key)) != SCSI_STATUS_GOOD)
        vw_fail(vm, "PERSISTENT RESERVE OUT RELEASE failed");
    if (!vm->failed && write_01(vm, &r))
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.scsi_status == 0,
                  "WRITE after the release: SRB 0x%02x, SCSI 0x%02x", r.srb_status, r.scsi_status);
out:
    if (c != NULL) {
        iscsi_logout_sync(c);
        iscsi_destroy_context(c);
    }
    sc_finish(vm, &h);
}
