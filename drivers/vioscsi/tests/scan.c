/*
 * StorPort's bus scan at the start (port/storport/scan.c) on QEMU's
 * max_target 255 (the other scenarios offer 8 targets, sc_defaults): a
 * REPORT LUNS to LUN 0 of each of the 255 targets a UCHAR
 * MaximumNumberOfTargets can name, the 253 absent ones a selection
 * time-out (no INQUIRY follows), an INQUIRY at each LUN the 2 present
 * targets list: the 4 LUNs of 2 x 2 found, each a disk; on 8 targets the
 * same 4 from 8 REPORT LUNS.
 */
#include "vioscsi_test.h"

/* Start on MAX_TARGET; the scan asked TARGETS targets and found 2 x 2. */
static void scan_found(struct vm *vm, uint16_t max_target, unsigned targets)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.max_target = max_target;
    if (sc_start_mem(vm, &h, &o)) {
        struct vw_stor_scan s;
        vw_stor_scan(vm, &s);
        VW_EXPECT(vm,
                  s.ran && s.targets == targets && s.report_luns == targets && s.inquiries == 4 &&
                      s.nfound == 4,
                  "bus scan: %u targets, %u REPORT LUNS, %u INQUIRY, %u LUNs found (want %u, "
                  "%u, 4, 4)",
                  s.targets, s.report_luns, s.inquiries, s.nfound, targets, targets);
        for (unsigned i = 0; i < s.nfound && i < 4; i++)
            VW_EXPECT(vm,
                      s.found[i].target == i / 2 && s.found[i].lun == i % 2 &&
                          s.found[i].device_type == 0,
                      "LUN %u found at %u:%u type %u (want %u:%u, a disk)", i, s.found[i].target,
                      s.found[i].lun, s.found[i].device_type, i / 2, i % 2);
    }
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", scan_255_targets, NULL)
{
    scan_found(vm, 255, 255);
}

VW_SCENARIO("vioscsi", scan_8_targets, NULL)
{
    scan_found(vm, 7, 8);
}
