/*
 * viostor on what StorPort sends besides reads and writes, and on what it
 * promises about refusals: every refused command carries its sense (a
 * write to a read-only disk DATA PROTECT / WRITE PROTECTED, an unknown
 * operation code ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE, a
 * bad LBA ILLEGAL REQUEST / LBA OUT OF RANGE); SRB_FUNCTION_PNP and
 * SRB_FUNCTION_POWER are completed (never left pending) and I/O goes on
 * after them; a stop with writes in flight loses none of them; requests
 * from every CPU fill ring x queues.
 */
#include "viostor_test.h"

/* One command that must be refused with KEY/ASC/ASCQ (fixed or
 * descriptor sense, through the class layer's parser). */
static void expect_sense(struct vm *vm, const uint8_t *cdb, unsigned n, void *buf, uint32_t len,
                         bool in, uint8_t key, uint8_t asc, uint8_t ascq, const char *what)
{
    struct vw_stor_result r;
    if (!vs_scsi(vm, cdb, n, buf, len, in, &r))
        return;
    VW_EXPECT(vm,
              (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR &&
                  r.scsi_status == VS_CHECK_COND && r.sense_valid && r.sense_key == key &&
                  r.asc == asc && r.ascq == ascq,
              "%s: SRB 0x%02x SCSI 0x%02x sense %s %x/%02x/%02x, expected %x/%02x/%02x", what,
              r.srb_status, r.scsi_status, r.sense_valid ? "valid" : "none", r.sense_key, r.asc,
              r.ascq, key, asc, ascq);
}

VW_SCENARIO("viostor", refusal_sense_read_only, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT | VS_F_RO};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t cdb[16], buf[512] = {0};
    vs_rw16(cdb, true, 8, 1, false);
    expect_sense(vm, cdb, 16, buf, 512, false, 0x7, 0x27, 0x00, "WRITE(16) on a read-only disk");
    VW_EXPECT(vm, d.blk.writes == 0, "the device got %llu writes",
              (unsigned long long)d.blk.writes);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", refusal_sense_illegal_request, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t unknown[10] = {0x3b, 0x02, 0, 0, 0, 0, 0, 0, 0, 0}, buf[512] = {0}; /* WRITE BUFFER */
    expect_sense(vm, unknown, 10, buf, 512, false, 0x5, 0x20, 0x00, "WRITE BUFFER");
    uint8_t cdb[16];
    vs_rw16(cdb, false, d.blk.sectors, 1, false); /* one past the last block */
    expect_sense(vm, cdb, 16, buf, 512, true, 0x5, 0x21, 0x00, "READ(16) past the capacity");
out:
    vs_finish(vm, &d);
}

/* PnP and power SRBs as StorPort sends them to a disk miniport: each is
 * completed with a final status, and a write and read work after them. */
VW_SCENARIO("viostor", pnp_power_srbs_then_io, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    static const struct {
        unsigned action;
        bool adapter;
    } pnp[] = {{0x09, false}, {0x09, true}, {0x0b, true}, {0x04, true}};
    struct vw_stor_result r;
    for (unsigned i = 0; i < sizeof(pnp) / sizeof(pnp[0]) && !vm->failed; i++)
        if (vw_stor_pnp_srb(vm, pnp[i].action, pnp[i].adapter, &r))
            VW_EXPECT(vm, r.srb_status != 0, "PnP action 0x%02x left pending", pnp[i].action);
    static const unsigned power[][2] = {{4, 2}, {1, 0}}; /* D3 for sleep, then D0 */
    for (unsigned i = 0; i < 2 && !vm->failed; i++)
        if (vw_stor_power_srb(vm, power[i][0], power[i][1], false, &r))
            VW_EXPECT(vm, r.srb_status != 0, "power D%u left pending", power[i][0] - 1);
    uint8_t cdb[16], out[4096], in[4096];
    vs_fill(out, sizeof(out), 40, 3);
    vs_rw16(cdb, true, 40, 8, false);
    if (!vs_ok(vm, cdb, 16, out, sizeof(out), false, "WRITE after PnP/power SRBs"))
        goto out;
    vs_rw16(cdb, false, 40, 8, false);
    if (vs_ok(vm, cdb, 16, in, sizeof(in), true, "READ after PnP/power SRBs"))
        VW_EXPECT(vm, memcmp(in, out, sizeof(in)) == 0, "read back wrong after PnP/power SRBs");
out:
    vs_finish(vm, &d);
}

/* A stop (power down) with 48 writes in flight: StorPort lets them finish
 * and flushes before ScsiStopAdapter; after ScsiRestartAdapter every write
 * is in the image file and reads back. */
VW_SCENARIO("viostor", stop_restart_with_io_outstanding, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = 4};
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    struct vw_stor_stats st;
    if (!vw_stor_submit_writes(vm, 48, 100, 0x3c) || !vw_stor_power(vm, false))
        goto out;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.control_stop == 1 && st.stop_flushes == 1 && d.blk.flushes >= 1,
              "stop: ScsiStopAdapter %u, flushes sent %u, reached the device %llu", st.control_stop,
              st.stop_flushes, (unsigned long long)d.blk.flushes);
    if (!vw_stor_power(vm, true))
        goto out;
    static uint8_t in[48 * 512], file[48 * 512];
    uint8_t cdb[16];
    vs_rw16(cdb, false, 100, 48, false);
    if (!vs_ok(vm, cdb, 16, in, sizeof(in), true, "READ after the restart"))
        goto out;
    bool same = vs_image_read(&d, 100, file, sizeof(file));
    for (unsigned i = 0; i < sizeof(in) && !vm->failed; i++)
        VW_EXPECT(vm, in[i] == 0x3c && same && file[i] == 0x3c,
                  "byte %u after the stop: read 0x%02x, file 0x%02x", i, in[i], file[i]);
out:
    vs_finish(vm, &d);
}

/* PhysicalBreaks under Parameters\Device lowers the breaks StorPort is
 * given (and the max transfer with them); a value above what the device
 * allows changes nothing; a transfer of the new maximum still works. */
static void breaks_run(struct vm *vm, uint32_t value, bool set, struct vw_stor_stats *st)
{
    struct vs_disk d;
    struct vs_opts o = {.size_max = 1u << 20};
    if (set)
        vw_stor_registry_set(vm, true, "PhysicalBreaks", 4, &value, 4);
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_stats(vm, st);
    static uint8_t out[1u << 20], in[1u << 20];
    uint32_t len = st->max_transfer < sizeof(out) ? st->max_transfer : sizeof(out);
    uint8_t cdb[16];
    vs_fill(out, len, 64, 5);
    vs_rw16(cdb, true, 64, len / 512, false);
    if (!vs_ok(vm, cdb, 16, out, len, false, "WRITE of the max transfer"))
        goto out;
    vs_rw16(cdb, false, 64, len / 512, false);
    if (vs_ok(vm, cdb, 16, in, len, true, "READ of the max transfer"))
        VW_EXPECT(vm, memcmp(in, out, len) == 0, "max transfer read back wrong");
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", physical_breaks_from_registry, NULL)
{
    struct vw_stor_stats st;
    breaks_run(vm, 15, true, &st);
    if (vm->failed)
        return;
    VW_EXPECT(vm, st.breaks == 15 && st.max_transfer == 15 * 4096,
              "PhysicalBreaks 15: StorPort got %u breaks, max transfer %u", st.breaks,
              st.max_transfer);
}

VW_SCENARIO("viostor", physical_breaks_above_the_device, NULL)
{
    struct vw_stor_stats st;
    breaks_run(vm, 100000, true, &st);
    if (vm->failed)
        return;
    VW_EXPECT(vm, st.breaks >= 16 && st.breaks < 100000 && st.max_transfer >= 16 * 4096,
              "PhysicalBreaks 100000 not clamped to the device: %u breaks, max transfer %u",
              st.breaks, st.max_transfer);
}

/* Requests from every CPU (vw_stor_submit_from): with 4 queues of 32 and
 * as many requests as StorPort was told (ring x queues for the queues the
 * CPUs use), all of them are outstanding at once, HwStartIo runs on every
 * CPU, and every write reads back. */
VW_SCENARIO("viostor", queue_depth_every_cpu, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = 4, .queue_max = 32};
    if (!vs_start(vm, &d, &o))
        goto out;
    unsigned cpus = vw_cpu_count(vm), q = cpus < 4 ? cpus : 4, n = 32 * q;
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.max_io == n, "MaxNumberOfIO %u, expected 32 x %u queues", s.max_io, q);
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    static uint8_t blocks[128][512], back[128][512];
    static uint8_t cdbs[128][16];
    uint8_t *bufs[128];
    unsigned lens[128];
    uint32_t sizes[128];
    bool dir[128];
    struct vw_stor_result res[128];
    for (unsigned pass = 0; pass < 2 && !vm->failed; pass++) {
        for (unsigned i = 0; i < n; i++) {
            if (pass == 0)
                vs_fill(blocks[i], 512, 200 + i, 9);
            vs_rw16(cdbs[i], pass == 0, 200 + i, 1, false);
            bufs[i] = pass == 0 ? blocks[i] : back[i];
            lens[i] = 16, sizes[i] = 512, dir[i] = pass == 1;
        }
        if (!vw_stor_scsi_batch(vm, n, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, dir, res))
            goto out;
        for (unsigned i = 0; i < n; i++)
            VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                      "request %u of pass %u: SRB status 0x%02x", i, pass, res[i].srb_status);
    }
    for (unsigned i = 0; i < n && !vm->failed; i++)
        VW_EXPECT(vm, memcmp(blocks[i], back[i], 512) == 0, "LBA %u read back wrong", 200 + i);
    vw_stor_stats(vm, &s);
    unsigned want_cpus = q >= 32 ? ~0u : (1u << q) - 1;
    VW_EXPECT(vm, s.max_outstanding == n && (s.startio_cpus & want_cpus) == want_cpus,
              "%u outstanding at most (%u expected), HwStartIo on CPUs 0x%x", s.max_outstanding, n,
              s.startio_cpus);
out:
    vs_finish(vm, &d);
}

/* A capacity change: BusChangeDetected, then the rescan StorPort and
 * disk.sys run (REPORT LUNS, INQUIRY, READ CAPACITY) sees the new size;
 * an unchanged configuration asks for no rescan. */
VW_SCENARIO("viostor", capacity_change_rescan, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_rescan rs;
    if (!vw_stor_rescan(vm, &rs))
        goto out;
    VW_EXPECT(vm, !rs.ran, "a rescan before any bus change");
    uint8_t cap[8];
    vs_put(cap, 6144, 8);
    vmodel_set_device_cfg(d.dev->model, 0, cap, 8);
    vmodel_config_changed(d.dev->model);
    vw_run_for(vm, VS_SECOND / 100);
    if (!vw_stor_rescan(vm, &rs))
        goto out;
    VW_EXPECT(vm,
              rs.ran && rs.luns >= 1 && rs.inquiry_ok && rs.device_type == 0 && rs.blocks == 6144 &&
                  rs.block_size == 512,
              "rescan: ran %d, %u LUNs (REPORT LUNS %d), type %u, %llu blocks of %u", rs.ran,
              rs.luns, rs.report_luns, rs.device_type, (unsigned long long)rs.blocks,
              rs.block_size);
    vmodel_config_changed(d.dev->model);
    vw_run_for(vm, VS_SECOND / 100);
    if (vw_stor_rescan(vm, &rs))
        VW_EXPECT(vm, !rs.ran, "a rescan for an unchanged capacity");
out:
    vs_finish(vm, &d);
}

/* MODE SENSE(10) as disk.sys sends it for the caching page: the 8-byte
 * header (WP in the device-specific byte on a read-only disk), then page
 * 0x08 with WCE set for a writeback device. */
static void mode_sense10(struct vm *vm, bool ro)
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT | VS_F_CONFIG_WCE | (ro ? VS_F_RO : 0)};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t c[10] = {0x5a, 0x08, 0x08, 0, 0, 0, 0, 0, 64, 0}, r[64] = {0};
    if (!vs_ok(vm, c, 10, r, sizeof(r), true, "MODE SENSE(10) caching page"))
        goto out;
    unsigned bd = (unsigned)r[6] << 8 | r[7], off = 8 + bd;
    VW_EXPECT(vm, ((r[3] & 0x80) != 0) == ro, "MODE SENSE(10): WP %s on a %s disk",
              (r[3] & 0x80) ? "set" : "clear", ro ? "read-only" : "writable");
    VW_EXPECT(vm, off + 3 <= sizeof(r) && (r[off] & 0x3f) == 0x08 && (r[off + 2] & 0x04) != 0,
              "MODE SENSE(10): page 0x%02x at %u, WCE %d (writeback device)", r[off] & 0x3f, off,
              (r[off + 2] & 0x04) != 0);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", mode_sense10_caching, NULL)
{
    mode_sense10(vm, false);
}

VW_SCENARIO("viostor", mode_sense10_read_only, NULL)
{
    mode_sense10(vm, true);
}
