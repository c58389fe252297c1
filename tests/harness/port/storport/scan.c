/*
 * The bus scan StorPort runs when an adapter has started: PnP asks the
 * new adapter for its children at once, and StorPort answers by scanning
 * the bus before any class driver sends a request.  For each target below
 * MaximumNumberOfTargets (path 0, the path the class layer addresses),
 * REPORT LUNS to LUN 0; when it is answered, INQUIRY to each LUN it lists
 * below MaximumNumberOfLogicalUnits; when it fails with a selection
 * time-out the target is absent (next target); when it fails otherwise,
 * INQUIRY to LUN 0 and, if that answers, LUNs 1-7 (a SCSI-2 target); an
 * INQUIRY that fails ends the target.  A LUN whose INQUIRY answers with
 * peripheral qualifier 0 becomes a disk's PDO (found).  Sources: the
 * StorPort team's account of its bus scan (OSR ntdev, "When does Storport
 * enumerate targets and its LUNs"), SPC-4 6.4.2 (peripheral qualifier)
 * and 6.33 (REPORT LUNS), srb/ns-srb-_scsi_request_block (SrbStatus).
 * The dump and hibernation copies never scan (they know their disk).
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define SCAN_SCSI2_LUNS 8 /* LUNs 0-7 of a target without REPORT LUNS */

/* Big-endian 32-bit field of a SCSI answer. */
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One command of the scan to TARGET:LUN (the class layer's address kept). */
static bool scan_cmd(struct vm *vm, struct stor_adapter *a, uint8_t target, uint8_t lun,
                     const uint8_t *cdb, unsigned cdb_len, uint8_t *buf, uint32_t len,
                     struct vw_stor_result *r)
{
    uint8_t t = a->target, l = a->lun;
    a->target = target, a->lun = lun;
    bool ok = vw_stor_scsi(vm, cdb, cdb_len, buf, len, true, r);
    a->target = t, a->lun = l;
    a->scan.commands++;
    return ok;
}

/* An answer with data: SUCCESS, or an underrun (DATA_OVERRUN, fewer bytes). */
static bool answered(const struct vw_stor_result *r, uint32_t len)
{
    uint8_t st = r->srb_status & SRB_STATUS_MASK;
    return st == SRB_STATUS_SUCCESS || (st == SRB_STATUS_DATA_OVERRUN && r->transferred < len);
}

/* INQUIRY to TARGET:LUN; true in *FOUND when a logical unit is there. */
static bool inquire(struct vm *vm, struct stor_adapter *a, uint8_t target, uint8_t lun, bool *found)
{
    uint8_t inq[36] = {0}, cdb[6] = {0x12, 0, 0, 0, sizeof(inq), 0};
    struct vw_stor_result r;
    *found = false;
    if (!scan_cmd(vm, a, target, lun, cdb, 6, inq, sizeof(inq), &r))
        return false;
    a->scan.inquiries++;
    if (!a->scan_plant_any && (!answered(&r, sizeof(inq)) || r.transferred < 1 || inq[0] >> 5 != 0))
        return true; /* no answer, or qualifier 1/3: nothing to enumerate */
    *found = true;
    if (a->scan.nfound < VW_STOR_SCAN_MAX) {
        struct vw_stor_lun *f = &a->scan.found[a->scan.nfound++];
        f->target = target, f->lun = lun, f->device_type = inq[0] & 0x1f;
    }
    return true;
}

/* The LUN numbers of REPORT LUNS' list (single level, peripheral or flat
 * addressing: SAM-5 4.7) below MAX_LUNS, marked in WANT. */
static void listed(const uint8_t *list, uint32_t got, unsigned max_luns, bool *want)
{
    uint32_t bytes = got >= 8 ? be32(list) : 0;
    for (uint32_t off = 8; off + 8 <= got && off < 8 + bytes; off += 8) {
        unsigned method = list[off] >> 6;
        if (method > 1)
            continue; /* logical unit or extended addressing: not a BTL8 LUN */
        unsigned lun = (unsigned)(list[off] & 0x3f) << 8 | list[off + 1];
        if (lun < max_luns)
            want[lun] = true;
    }
}

/* One target: REPORT LUNS, then the INQUIRYs it leads to. */
static bool scan_target(struct vm *vm, struct stor_adapter *a, uint8_t target, unsigned max_luns)
{
    static uint8_t list[8 + 8 * 256];
    uint8_t cdb[12] = {
        0xa0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(sizeof(list) >> 8), (uint8_t)sizeof(list)};
    struct vw_stor_result r;
    memset(list, 0, sizeof(list));
    if (!scan_cmd(vm, a, target, 0, cdb, 12, list, sizeof(list), &r))
        return false;
    a->scan.report_luns++;
    uint8_t st = r.srb_status & SRB_STATUS_MASK;
    if (st == SRB_STATUS_SELECTION_TIMEOUT)
        return true; /* no target there */
    bool want[256] = {false};
    bool found;
    if (answered(&r, sizeof(list))) {
        uint32_t got = st == SRB_STATUS_SUCCESS ? sizeof(list) : r.transferred;
        listed(list, got, max_luns, want);
        for (unsigned l = 0; l < max_luns && l < 256; l++)
            if (want[l] && !inquire(vm, a, target, (uint8_t)l, &found))
                return false;
        return true;
    }
    /* REPORT LUNS refused: LUN 0 first, then 1-7 if LUN 0 answered. */
    if (!inquire(vm, a, target, 0, &found))
        return false;
    if (!found)
        return true;
    for (unsigned l = 1; l < SCAN_SCSI2_LUNS && l < max_luns; l++)
        if (!inquire(vm, a, target, (uint8_t)l, &found))
            return false;
    return true;
}

bool stor_scan_bus(struct vm *vm, struct stor_adapter *a)
{
    a->scan_plant_any = stor_state(vm)->plant_scan_any;
    memset(&a->scan, 0, sizeof(a->scan));
    unsigned targets = (unsigned)vw_rd(
        vm, a->cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, MaximumNumberOfTargets), 1);
    unsigned luns = (unsigned)vw_rd(
        vm, a->cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, MaximumNumberOfLogicalUnits), 1);
    a->scan.targets = targets, a->scan.max_luns = luns;
    for (unsigned t = 0; t < targets; t++)
        if (!scan_target(vm, a, (uint8_t)t, luns))
            return false;
    a->scan.ran = true;
    char list[160] = "";
    size_t n = 0;
    for (unsigned i = 0; i < a->scan.nfound && n + 12 < sizeof(list); i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, " %u:%u", a->scan.found[i].target,
                              a->scan.found[i].lun);
    vw_log(vm,
           "storport: bus scan: %u targets, %u LUNs each at most: %u REPORT LUNS, %u INQUIRY, "
           "%u LUNs found%s",
           targets, luns, a->scan.report_luns, a->scan.inquiries, a->scan.nfound, list);
    return !vm->failed;
}

void vw_stor_scan(struct vm *vm, struct vw_stor_scan *out)
{
    *out = stor_state(vm)->normal.scan;
}

void vw_stor_plant_scan_any_answer(struct vm *vm)
{
    stor_state(vm)->plant_scan_any = true;
}
