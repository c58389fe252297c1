/*
 * StorPortStateChangeDetected (port/storport/statechange.c) against the
 * RAM-disk miniport's "sc=N" (testdrv/vwstor.c: the notification at each
 * TEST UNIT READY, vendor command 0xC0 reads back what happened): the
 * entity re-enumerated, HwStateChange called once with the address and a
 * success status, a second notification before it refused BUSY, a
 * ChangedEntity outside the three flags refused INVALID_PARAMETER.  The
 * callback gets its Context and Address back intact; on x86 it is stdcall
 * (a miniport's callbacks, kernel code built /Gz: the harness checks the
 * stack balance at every call), and a __cdecl one fails by that check.
 */
#include "stor_common.h"

/* What vwstor saw: the status returned, HwStateChange calls, their
 * Status, AddressType, target and LUN. */
struct sc_seen {
    uint32_t returned, calls, status;
    unsigned type, target, lun;
    unsigned intact; /* 1: Context came back as given, 2: Address did */
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* TEST UNIT READY (the miniport notifies), then its 0xC0 report. */
static bool tur_and_read(struct vm *vm, bool tur, struct sc_seen *s)
{
    uint8_t cdb[16] = {0}, buf[17] = {0};
    if (tur && !stor_scsi(vm, cdb, 6, NULL, 0, false, 1, "TEST UNIT READY"))
        return false;
    cdb[0] = 0xc0;
    if (!stor_scsi(vm, cdb, 6, buf, sizeof(buf), true, 1, "vendor 0xC0"))
        return false;
    s->returned = be32(buf), s->calls = be32(buf + 4), s->status = be32(buf + 8);
    s->type = (unsigned)buf[12] << 8 | buf[13], s->target = buf[14], s->lun = buf[15];
    s->intact = buf[16];
    return true;
}

/* A LUN's state change: accepted, the LUN re-enumerated (REPORT LUNS,
 * INQUIRY, READ CAPACITY), HwStateChange once with BTL8 and success; a
 * second while the first is pending is BUSY; none pending after. */
static void lun_case(struct vm *vm, const char *driver, const char *args)
{
    if (!stor_start_ram(vm, driver, args))
        return;
    struct sc_seen s;
    if (!tur_and_read(vm, true, &s))
        goto out;
    VW_EXPECT(vm, s.returned == 0 && s.calls == 0, "first notification: 0x%08x, %u callbacks",
              s.returned, s.calls);
    if (!tur_and_read(vm, true, &s))
        goto out;
    VW_EXPECT(vm, s.returned == 0xC100000Cu, "a second one before the callback: 0x%08x, not BUSY",
              s.returned);
    struct vw_stor_state_change sc;
    if (!vw_stor_state_change(vm, &sc))
        goto out;
    VW_EXPECT(vm,
              sc.ran && sc.entity == 1 && sc.found.inquiry_ok && sc.found.blocks == 128 &&
                  sc.callback_ran,
              "state change: ran %d, entity %u, INQUIRY %d, %llu blocks, callback %d", sc.ran,
              sc.entity, sc.found.inquiry_ok, (unsigned long long)sc.found.blocks, sc.callback_ran);
    if (!tur_and_read(vm, false, &s))
        goto out;
    VW_EXPECT(vm, s.calls == 1 && s.status == 0 && s.type == 1 && s.target == 0 && s.lun == 0,
              "HwStateChange: %u calls, Status 0x%08x, AddressType %u, %u:%u", s.calls, s.status,
              s.type, s.target, s.lun);
    VW_EXPECT(vm, s.intact == 3, "HwStateChange: Context %s, Address %s",
              s.intact & 1 ? "intact" : "not the one given",
              s.intact & 2 ? "intact" : "not the one given");
    if (!vw_stor_state_change(vm, &sc))
        goto out;
    VW_EXPECT(vm, !sc.ran, "a state change handled twice");
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.state_changes == 1 && st.state_changes_busy == 1,
              "%u state changes accepted, %u refused BUSY", st.state_changes,
              st.state_changes_busy);
out:
    stor_finish(vm);
}

VW_SCENARIO("vwstor", storport_state_change_lun, NULL)
{
    lun_case(vm, "vwstor", "sc=1");
}

/* Planted: HwStateChange declared __cdecl pops no arguments on x86, where
 * StorPort calls a miniport's callbacks stdcall (VWSTOR_BUG_SC_CDECL). */
VW_SCENARIO_ON("badstor", checker_stor_state_change_cdecl, "x86 stack imbalance",
               VW_ARCH_BIT(VW_X86))
{
    lun_case(vm, "badstor", "sc=1 mode=22");
}

/* Planted: HwStateChange reads Context and Address from each other's
 * place (VWSTOR_BUG_SC_SWAPPED). */
VW_SCENARIO("badstor", checker_stor_state_change_args, "Context not the one given")
{
    lun_case(vm, "badstor", "sc=1 mode=23");
}

/* ARGS' notification: returned WANT; re-enumerated (INQUIRY answered)
 * only when accepted. */
static void entity_case(struct vm *vm, const char *args, bool accepted, uint32_t want)
{
    if (!stor_start_ram(vm, "vwstor", args))
        return;
    struct sc_seen s;
    struct vw_stor_state_change sc;
    if (tur_and_read(vm, true, &s) && vw_stor_state_change(vm, &sc)) {
        VW_EXPECT(vm, s.returned == want, "%s: returned 0x%08x, expected 0x%08x", args, s.returned,
                  want);
        VW_EXPECT(vm, sc.ran == accepted && (!sc.ran || sc.found.inquiry_ok),
                  "%s: ran %d, INQUIRY %d", args, sc.ran, sc.found.inquiry_ok);
    }
    stor_finish(vm);
}

/* The bus and a target together (the larger flag wins: from target 0's LUN 0). */
VW_SCENARIO("vwstor", storport_state_change_bus, NULL)
{
    entity_case(vm, "sc=6", true, 0);
}

/* A ChangedEntity with no documented flag: STOR_STATUS_INVALID_PARAMETER
 * (0xC1000006, storport.h), nothing re-enumerated. */
VW_SCENARIO("vwstor", storport_state_change_bad_entity, NULL)
{
    entity_case(vm, "sc=8", false, 0xC1000006u);
}
