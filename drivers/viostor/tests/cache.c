/*
 * The write cache switched off and on as disk.sys does it (the class
 * layer's vw_stor_cache_set: MODE SENSE(6) of the caching page, then
 * MODE SELECT(6) with a block descriptor and the page, WCE changed).
 * With VIRTIO_BLK_F_CONFIG_WCE the device's writeback byte follows (virtio
 * 1.2 5.2.6.1: the driver may switch the cache mode by writing it), MODE
 * SENSE reports the new mode, and a FUA write costs a FLUSH only in
 * write-back mode.  Without CONFIG_WCE the mode cannot change: MODE SELECT
 * is refused with ILLEGAL REQUEST / INVALID FIELD IN PARAMETER LIST
 * (SPC-4 6.9: a parameter the device cannot change), the changeable-values
 * page says WCE is fixed, and the device's byte is untouched.
 */
#include "viostor_test.h"

#define VS_CFG_WRITEBACK 32 /* virtio_blk_config.writeback */

static uint8_t device_writeback(struct vs_disk *d)
{
    uint8_t wb = 0xee;
    vmodel_get_device_cfg(d->dev->model, VS_CFG_WRITEBACK, &wb, 1);
    return wb;
}

/* MODE SENSE(6) of the caching page's changeable values: WCE's bit. */
static bool wce_changeable(struct vm *vm)
{
    uint8_t c[6] = {0x1a, 0x08, 0x48, 0, 64, 0}, r[64] = {0};
    if (!vs_ok(vm, c, 6, r, sizeof(r), true, "MODE SENSE(6) changeable values"))
        return false;
    unsigned off = 4 + r[3];
    return off + 3 <= sizeof(r) && (r[off] & 0x3f) == 0x08 && (r[off + 2] & 0x04) != 0;
}

/* A FUA WRITE(16) of one block: the FLUSHes it cost the device. */
static uint64_t fua_write_flushes(struct vm *vm, struct vs_disk *d, uint64_t lba)
{
    uint8_t cdb[16], buf[512];
    uint64_t before = d->blk.flushes;
    vs_fill(buf, sizeof(buf), lba, 4);
    vs_rw16(cdb, true, lba, 1, true);
    if (!vs_ok(vm, cdb, 16, buf, sizeof(buf), false, "FUA WRITE(16)"))
        return 0;
    uint8_t file[512];
    VW_EXPECT(vm, vs_image_read(d, lba, file, 512) && memcmp(file, buf, 512) == 0,
              "the FUA write of LBA %llu is not in the file", (unsigned long long)lba);
    return d->blk.flushes - before;
}

VW_SCENARIO("viostor", write_cache_off_on_config_wce, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT | VS_F_CONFIG_WCE};
    if (!vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_cache c;
    struct vw_stor_result r;
    if (!vw_stor_cache_get(vm, &c, &r))
        goto out;
    VW_EXPECT(vm, c.found && c.wce && !c.write_protected && wce_changeable(vm),
              "before: caching page %d, WCE %d, WP %d, WCE changeable", c.found, c.wce,
              c.write_protected);
    VW_EXPECT(vm, fua_write_flushes(vm, &d, 30) == 1, "write-back: a FUA write without its FLUSH");
    for (int on = 0; on < 2 && !vm->failed; on++) {
        if (!vw_stor_cache_set(vm, on, 512, &r))
            goto out;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.scsi_status == 0,
                  "MODE SELECT WCE %d: SRB 0x%02x SCSI 0x%02x sense %x/%02x", on, r.srb_status,
                  r.scsi_status, r.sense_key, r.asc);
        VW_EXPECT(vm, device_writeback(&d) == on, "WCE %d: the device's writeback byte is %u", on,
                  device_writeback(&d));
        if (!vw_stor_cache_get(vm, &c, &r))
            goto out;
        VW_EXPECT(vm, c.found && c.wce == on, "MODE SENSE after WCE %d says WCE %d", on, c.wce);
        uint64_t flushes = fua_write_flushes(vm, &d, 31 + (uint64_t)on);
        VW_EXPECT(vm, flushes == (on ? 1u : 0u), "WCE %d: a FUA write cost %llu FLUSHes", on,
                  (unsigned long long)flushes);
    }
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", write_cache_off_refused_without_config_wce, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0}; /* FLUSH, no CONFIG_WCE: write-back, fixed */
    if (!vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_cache c;
    struct vw_stor_result r;
    uint64_t writes = d.blk.writes;
    if (!vw_stor_cache_get(vm, &c, &r))
        goto out;
    VW_EXPECT(vm, c.found && c.wce && !wce_changeable(vm),
              "before: caching page %d, WCE %d, or WCE changeable", c.found, c.wce);
    if (!vw_stor_cache_set(vm, false, 512, &r))
        goto out;
    VW_EXPECT(
        vm,
        (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r.scsi_status == VS_CHECK_COND &&
            r.sense_valid && r.sense_key == 0x5 && r.asc == 0x26 && r.ascq == 0,
        "MODE SELECT WCE 0 without CONFIG_WCE: SRB 0x%02x SCSI 0x%02x sense %s %x/%02x/%02x",
        r.srb_status, r.scsi_status, r.sense_valid ? "valid" : "none", r.sense_key, r.asc, r.ascq);
    VW_EXPECT(vm, device_writeback(&d) == 1 && d.blk.writes == writes,
              "the refused MODE SELECT reached the device (writeback %u, %llu writes)",
              device_writeback(&d), (unsigned long long)(d.blk.writes - writes));
    if (vw_stor_cache_get(vm, &c, &r))
        VW_EXPECT(vm, c.found && c.wce, "MODE SENSE after the refusal says WCE %d", c.wce);
    /* Setting what is already there is no change and succeeds. */
    if (vw_stor_cache_set(vm, true, 512, &r))
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "MODE SELECT of the current WCE 1: SRB 0x%02x", r.srb_status);
    VW_EXPECT(vm, fua_write_flushes(vm, &d, 40) == 1, "a FUA write without its FLUSH");
out:
    vs_finish(vm, &d);
}
