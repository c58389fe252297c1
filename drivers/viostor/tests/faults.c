/*
 * Device faults: status bytes IOERR, UNSUPP and unknown, a read whose
 * written length is short, DEVICE_NEEDS_RESET, and a queue that stalls
 * until the request times out: HwResetBus resets the device, every
 * outstanding request ends once with BUS_RESET (StorPort's checkers: never
 * twice, never after the reset, never while the device owns its buffers),
 * then I/O resumes.  Also the read-only disk and the capacity change.
 */
#include "viostor_test.h"

/* One write and one read of a block at LBA; their results. */
static bool rw_pair(struct vm *vm, uint64_t lba, struct vw_stor_result *w, struct vw_stor_result *r)
{
    static uint8_t out[512], in[512];
    uint8_t cdb[16];
    vs_fill(out, 512, lba, 3);
    vs_rw16(cdb, true, lba, 1, false);
    if (!vs_scsi(vm, cdb, 16, out, 512, false, w))
        return false;
    vs_rw16(cdb, false, lba, 1, false);
    return vs_scsi(vm, cdb, 16, in, 512, true, r);
}

/* The next request gets device status STATUS: CHECK CONDITION, no data;
 * the one after works. */
static void bad_status(struct vm *vm, uint8_t status)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    struct vw_stor_result w, r;
    if (!vs_start(vm, &d, &o))
        goto out;
    d.blk.fault_status = status, d.blk.fault_count = 1;
    if (!rw_pair(vm, 20, &w, &r))
        goto out;
    VW_EXPECT(vm,
              (w.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
                  w.scsi_status == VS_CHECK_COND && w.transferred == 0,
              "device status %u: SRB 0x%02x, SCSI 0x%02x, %u bytes", status, w.srb_status,
              w.scsi_status, w.transferred);
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && d.blk.faults == 1,
              "the request after the fault: SRB 0x%02x", r.srb_status);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", fault_status_ioerr, NULL)
{
    bad_status(vm, 1);
}

VW_SCENARIO("viostor", fault_status_unsupp, NULL)
{
    bad_status(vm, 2);
}

VW_SCENARIO("viostor", fault_status_unknown, NULL)
{
    bad_status(vm, 0x7f);
}

/* A read whose used length says only the status byte was written. */
VW_SCENARIO("viostor", fault_short_read_length, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    struct vw_stor_result w, r;
    if (!vs_start(vm, &d, &o))
        goto out;
    d.blk.short_count = 1;
    if (!rw_pair(vm, 30, &w, &r))
        goto out;
    VW_EXPECT(vm,
              (w.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
                  r.scsi_status == VS_CHECK_COND && r.transferred == 0,
              "short read: write SRB 0x%02x, read SRB 0x%02x SCSI 0x%02x, %u bytes", w.srb_status,
              r.srb_status, r.scsi_status, r.transferred);
out:
    vs_finish(vm, &d);
}

/* DEVICE_NEEDS_RESET with a configuration interrupt: the driver resets the
 * device and goes on. */
VW_SCENARIO("viostor", fault_needs_reset, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    struct vw_stor_result w, r;
    if (!vs_start(vm, &d, &o) || !rw_pair(vm, 40, &w, &r))
        goto out;
    vmodel_needs_reset(d.dev->model);
    vw_run_for(vm, VS_SECOND / 100);
    VW_EXPECT(vm, !(vmodel_status(d.dev->model) & 0x40) && (vmodel_status(d.dev->model) & 0x04),
              "device status 0x%02x after NEEDS_RESET (reset and DRIVER_OK expected)",
              vmodel_status(d.dev->model));
    if (!rw_pair(vm, 41, &w, &r))
        goto out;
    VW_EXPECT(vm,
              (w.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "after the reset: write SRB 0x%02x, read 0x%02x", w.srb_status, r.srb_status);
out:
    vs_finish(vm, &d);
}

/* Queue 0 holds everything for 3 s; requests time out at 2 s: StorPort's
 * first tier, the LUN reset SRB (storage/multi-tier-reset-in-storport),
 * ends the time-out (no HwResetBus): all eight end with BUS_RESET exactly once, none completed by
 * the device afterwards (the emulation fails the run if so), and the disk works on. A packed ring
 * too. */
static void stall(struct vm *vm, uint64_t features)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .timeout_s = 2};
    if (!vs_start(vm, &d, &o))
        goto out;
    enum { N = 8 };
    static uint8_t data[N][512];
    uint8_t cdbs[N][16], *bufs[N];
    unsigned lens[N];
    uint32_t sizes[N];
    bool in[N];
    struct vw_stor_result res[N];
    for (unsigned i = 0; i < N; i++) {
        vs_fill(data[i], 512, 500 + i, 1);
        vs_rw16(cdbs[i], true, 500 + i, 1, false);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = 512, in[i] = false;
    }
    for (uint16_t q = 0; q < 4; q++)
        vw_virtio_hang_queue(d.dev, q, 3 * VS_SECOND);
    if (!vw_stor_scsi_batch(vm, N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
        goto out;
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    for (unsigned i = 0; i < N; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_BUS_RESET,
                  "stalled write %u: SRB 0x%02x, not BUS_RESET", i, res[i].srb_status);
    VW_EXPECT(vm, s.timeouts == 1 && s.last_tier == VW_STOR_TIER_LUN && s.resets == 0,
              "%u time-outs, ended by tier %u (the LUN reset, 1, expected), %u bus resets",
              s.timeouts, s.last_tier, s.resets);
    struct vw_stor_result w, r;
    if (!rw_pair(vm, 600, &w, &r))
        goto out;
    VW_EXPECT(vm,
              (w.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "after the reset: write SRB 0x%02x, read 0x%02x", w.srb_status, r.srb_status);
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.timeouts == 1 && s.resets == 0, "%u time-outs, %u bus resets after I/O resumed",
              s.timeouts, s.resets);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", fault_stall_timeout_reset, NULL)
{
    stall(vm, VS_F_DEFAULT);
}

VW_SCENARIO("viostor", fault_stall_timeout_reset_packed, NULL)
{
    stall(vm, VS_F_DEFAULT | VS_F_PACKED);
}

/* F_RO: MODE SENSE says write-protected; writes, UNMAP and WRITE SAME end
 * with CHECK CONDITION and never reach the device; reads work. */
VW_SCENARIO("viostor", read_only_disk, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT | VS_F_RO};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t ms[6] = {0x1a, 0, 0x08, 0, 64, 0}, r[64];
    if (!vs_ok(vm, ms, 6, r, 64, true, "MODE SENSE(6)"))
        goto out;
    VW_EXPECT(vm, r[2] & 0x80, "MODE SENSE: WP clear (device-specific 0x%02x)", r[2]);
    struct vw_stor_result w, rd;
    if (!rw_pair(vm, 50, &w, &rd))
        goto out;
    VW_EXPECT(vm,
              (w.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
                  w.scsi_status == VS_CHECK_COND &&
                  (rd.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "read-only: write SRB 0x%02x SCSI 0x%02x, read SRB 0x%02x", w.srb_status,
              w.scsi_status, rd.srb_status);
    uint8_t zero[512] = {0}, ws[16] = {0x93};
    stor_put_be(ws + 10, 4, 4);
    struct vw_stor_result res;
    if (!vs_scsi(vm, ws, 16, zero, 512, false, &res))
        goto out;
    VW_EXPECT(vm, res.scsi_status == VS_CHECK_COND, "WRITE SAME on a read-only disk: 0x%02x",
              res.scsi_status);
    VW_EXPECT(vm, d.blk.writes == 0 && d.blk.write_zeroes == 0 && d.blk.errors == 0,
              "the device got %llu writes, %llu errors", (unsigned long long)d.blk.writes,
              (unsigned long long)d.blk.errors);
out:
    vs_finish(vm, &d);
}

/* The capacity grows (configuration interrupt): BusChangeDetected, and
 * READ CAPACITY gives the new size. */
VW_SCENARIO("viostor", capacity_change, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t cap[8];
    vs_put(cap, 4096, 8);
    vmodel_set_device_cfg(d.dev->model, 0, cap, 8);
    vmodel_config_changed(d.dev->model);
    vw_run_for(vm, VS_SECOND / 100);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.bus_changes == 1, "%u BusChangeDetected notifications (1 expected)",
              s.bus_changes);
    uint8_t c10[10] = {0x25}, r[8];
    if (vs_ok(vm, c10, 10, r, 8, true, "READ CAPACITY(10)"))
        VW_EXPECT(vm, stor_be32(r) == 4095, "READ CAPACITY after the change: last LBA %u",
                  stor_be32(r));
    /* The same capacity again: no notification */
    vmodel_config_changed(d.dev->model);
    vw_run_for(vm, VS_SECOND / 100);
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.bus_changes == 1, "%u notifications for an unchanged capacity", s.bus_changes);
out:
    vs_finish(vm, &d);
}
