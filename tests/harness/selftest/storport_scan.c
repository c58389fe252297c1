/*
 * The bus scan StorPort runs at the start (port/storport/scan.c) on the
 * RAM-disk miniport (testdrv/vwstor.c: one target, one LUN, no REPORT
 * LUNS): its one disk found by the INQUIRY that follows the refused
 * REPORT LUNS; a miniport whose INQUIRY never reaches a target
 * ("noinq=1": selection time-out) leaves no LUN, and the emulation
 * planted to count any answer as a LUN fails that check.
 */
#include "stor_common.h"

/* The scan found exactly WANT LUNs after one REPORT LUNS and one INQUIRY. */
static void expect_scan(struct vm *vm, unsigned want)
{
    struct vw_stor_scan sc;
    vw_stor_scan(vm, &sc);
    VW_EXPECT(vm, sc.ran && sc.targets == 1 && sc.max_luns == 1,
              "scan: ran %d over %u targets of %u LUNs (1 of 1)", sc.ran, sc.targets, sc.max_luns);
    VW_EXPECT(vm, sc.report_luns == 1 && sc.inquiries == 1,
              "scan: %u REPORT LUNS and %u INQUIRY (1 and 1: LUN 0 after the refusal)",
              sc.report_luns, sc.inquiries);
    VW_EXPECT(vm, sc.nfound == want, "scan: %u LUNs found, %u expected (INQUIRY %s)", sc.nfound,
              want, want ? "answered" : "never answered");
    if (want && sc.nfound)
        VW_EXPECT(vm,
                  sc.found[0].target == 0 && sc.found[0].lun == 0 && sc.found[0].device_type == 0,
                  "scan: found %u:%u type %u (0:0, a disk)", sc.found[0].target, sc.found[0].lun,
                  sc.found[0].device_type);
}

VW_SCENARIO("vwstor", storport_scan_at_start, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    expect_scan(vm, 1);
    stor_finish(vm);
}

VW_SCENARIO("vwstor", storport_scan_no_inquiry_no_lun, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "noinq=1"))
        return;
    expect_scan(vm, 0);
    stor_finish(vm);
}

VW_SCENARIO("vwstor", checker_stor_scan_unanswered_lun, "1 LUNs found, 0 expected")
{
    vw_stor_plant_scan_any_answer(vm);
    if (!stor_start_ram(vm, "vwstor", "noinq=1"))
        return;
    expect_scan(vm, 0);
    stor_finish(vm);
}
