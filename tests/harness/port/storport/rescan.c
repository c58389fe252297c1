/*
 * The bus rescan a StorPortNotification(BusChangeDetected) asks for
 * (storport/nf-storport-storportnotification: the port enumerates the
 * bus again): REPORT LUNS to LUN 0 (an answer shorter than asked for is
 * the list), INQUIRY to each LUN reported (LUN 0
 * alone when REPORT LUNS is refused, as for a SCSI-2 device), then what
 * disk.sys asks a disk it finds: READ CAPACITY(16), (10) when refused.
 * Run by the scenario (vw_stor_rescan) at PASSIVE_LEVEL, never from the
 * notification itself, which may come at DIRQL.  The class layer
 * addresses LUN 0 only, so the LUNs past it are counted, not probed.
 */
#include <string.h>
#include "internal.h"

/* Big-endian fields of SCSI answers. */
static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static bool rescan(struct vm *vm, struct vw_stor_rescan *out);

bool vw_stor_rescan(struct vm *vm, struct vw_stor_rescan *out)
{
    struct stor_state *s = stor_state(vm);
    memset(out, 0, sizeof(*out));
    if (s->normal.stats.bus_changes == s->bus_changes_seen)
        return true; /* nothing notified since the last rescan */
    s->bus_changes_seen = s->normal.stats.bus_changes;
    out->ran = true;
    return rescan(vm, out);
}

bool stor_rescan_at(struct vm *vm, uint8_t target, uint8_t lun, struct vw_stor_rescan *out)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    uint8_t t = a->target, l = a->lun;
    memset(out, 0, sizeof(*out));
    out->ran = true;
    /* REPORT LUNS goes to LUN 0 of the target (SPC-4 6.33: the well-known
     * LUN 0 answers for the target), the probes to the LUN named. */
    a->target = target, a->lun = 0;
    struct vw_stor_rescan luns;
    memset(&luns, 0, sizeof(luns));
    bool ok = rescan(vm, &luns);
    if (ok && lun != 0) {
        a->lun = lun;
        ok = rescan(vm, out);
    } else {
        *out = luns;
    }
    out->report_luns = luns.report_luns, out->underrun = luns.underrun, out->luns = luns.luns;
    out->ran = true;
    a->target = t, a->lun = l;
    return ok;
}

/* REPORT LUNS, INQUIRY and READ CAPACITY at the class layer's address. */
static bool rescan(struct vm *vm, struct vw_stor_rescan *out)
{
    struct vw_stor_result r;
    /* Room for 256 LUNs, as a port driver allocates: a target with fewer
     * answers less than that (an underrun, which miniports report as
     * SRB_STATUS_DATA_OVERRUN with DataTransferLength the bytes sent).
     * The LUN LIST LENGTH field says how many there are (SPC-4 6.33). */
    static uint8_t luns[8 + 8 * 256];
    uint8_t rl[12] = {0xa0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      (uint8_t)(sizeof(luns) >> 24),
                      (uint8_t)(sizeof(luns) >> 16),
                      (uint8_t)(sizeof(luns) >> 8),
                      (uint8_t)sizeof(luns),
                      0,
                      0};
    memset(luns, 0, sizeof(luns));
    if (!vw_stor_scsi(vm, rl, 12, luns, sizeof(luns), true, &r))
        return false;
    uint8_t status = r.srb_status & SRB_STATUS_MASK;
    bool underrun =
        status == SRB_STATUS_DATA_OVERRUN && r.transferred >= 8 && r.transferred < sizeof(luns);
    if (status == SRB_STATUS_SUCCESS || underrun) {
        out->report_luns = true;
        out->underrun = underrun;
        uint32_t bytes = (uint32_t)be(luns, 4);
        out->luns = bytes / 8;
    } else {
        out->luns = 1;
    }
    uint8_t inq[36] = {0}, ic[6] = {0x12, 0, 0, 0, sizeof(inq), 0};
    if (!vw_stor_scsi(vm, ic, 6, inq, sizeof(inq), true, &r))
        return false;
    out->inquiry_ok = (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS;
    out->device_type = inq[0] & 0x1f;
    if (!out->inquiry_ok || out->device_type != 0)
        return true; /* not a disk: disk.sys asks no capacity */
    uint8_t cap[32] = {0}, c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sizeof(cap)};
    if (!vw_stor_scsi(vm, c16, 16, cap, sizeof(cap), true, &r))
        return false;
    if ((r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS) {
        out->blocks = be(cap, 8) + 1;
        out->block_size = (uint32_t)be(cap + 8, 4);
        return true;
    }
    uint8_t c10[10] = {0x25};
    if (!vw_stor_scsi(vm, c10, 10, cap, 8, true, &r))
        return false;
    if ((r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS) {
        out->blocks = be(cap, 4) + 1;
        out->block_size = (uint32_t)be(cap + 4, 4);
    }
    return true;
}
