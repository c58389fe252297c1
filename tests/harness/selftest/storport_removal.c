/*
 * Surprise removal of a StorPort adapter with requests at the device
 * (vw_stor_surprise_remove, port/storport/removal.c) on the stordisk PCI
 * function: the function unplugged with 4 writes held by the disk, each
 * comes back exactly once with BUS_RESET (their time-out, HwResetBus), the
 * remove stops and frees the adapter without a FLUSH; and the planted twin
 * whose HwResetBus polls the removed function's ID register is named; the
 * same with ScsiAdapterSurpriseRemoval claimed (no access at all after
 * it), the PnP remove of the disk and its capabilities query, and the
 * power-down rule (no access between ScsiStopAdapter and the restart).
 */
#include "stor_common.h"

#define SRB_BUS_RESET 0x0e

/* Four writes held by the disk, the function unplugged, the removal. */
static bool remove_with_writes(struct vm *vm, struct vw_stordisk *d, struct vw_stor_result *res,
                               unsigned *n)
{
    vw_stordisk_hold(d, true);
    if (!vw_stor_submit_writes(vm, 4, 10, 0x6b))
        return false;
    vw_stordisk_unplug(d);
    return vw_stor_surprise_remove(vm, res, 8, n);
}

VW_SCENARIO("vwpcidisk", storport_surprise_removal_in_flight, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 2, NULL);
    struct vw_stor_result res[8];
    unsigned n = 0;
    if (d == NULL || !remove_with_writes(vm, d, res, &n))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, n == 4 && st.removed_outstanding == 4 && st.resets == 1,
              "%u results, %u outstanding at the removal, %u resets (4, 4, 1 expected)", n,
              st.removed_outstanding, st.resets);
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, res[i].srb_status == SRB_BUS_RESET, "write %u ended 0x%02x, not BUS_RESET", i,
                  res[i].srb_status);
    if (!vm->failed && vw_stor_remove(vm)) {
        vw_stor_stats(vm, &st);
        VW_EXPECT(vm, st.stop_flushes == 0 && st.control_stop == 1,
                  "remove after surprise removal: %u FLUSHes, %u ScsiStopAdapter (0, 1 expected)",
                  st.stop_flushes, st.control_stop);
        vw_driver_unload(vm);
    }
}

VW_SCENARIO("badpcidisk", checker_stor_removed_register_poll,
            "to the surprise-removed adapter in one call of HwResetBus")
{
    struct vw_stordisk *d = stor_start_pci(vm, "badpcidisk", 2, "mode=6");
    struct vw_stor_result res[8];
    unsigned n = 0;
    if (d != NULL)
        remove_with_writes(vm, d, res, &n);
}

/* The miniport claims ScsiAdapterSurpriseRemoval ("sr=1"): StorPort sends
 * StorSurpriseRemoval to the LUN, then the control type; the miniport
 * leaves the function alone from there (no register access at all), and
 * the writes it had still end once each with BUS_RESET. */
VW_SCENARIO("vwpcidisk", storport_surprise_removal_control, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 2, "sr=1");
    struct vw_stor_result res[8];
    unsigned n = 0;
    if (d == NULL || !remove_with_writes(vm, d, res, &n))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, n == 4 && st.control_surprise == 1 && st.pnp_srbs == 1,
              "%u results, %u ScsiAdapterSurpriseRemoval, %u PnP SRBs (4, 1, 1 expected)", n,
              st.control_surprise, st.pnp_srbs);
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, res[i].srb_status == SRB_BUS_RESET, "write %u ended 0x%02x, not BUS_RESET", i,
                  res[i].srb_status);
    if (!vm->failed && vw_stor_remove(vm)) {
        vw_stor_stats(vm, &st);
        VW_EXPECT(vm, st.removed_accesses == 0 && st.pnp_srbs == 2 && st.control_stop == 1,
                  "after the remove: %u register accesses, %u PnP SRBs, %u ScsiStopAdapter "
                  "(0, 2, 1 expected)",
                  st.removed_accesses, st.pnp_srbs, st.control_stop);
        vw_driver_unload(vm);
    }
}

VW_SCENARIO("badpcidisk", checker_stor_surprise_removal_touch,
            "after HwAdapterControl(ScsiAdapterSurpriseRemoval) told the miniport")
{
    struct vw_stordisk *d = stor_start_pci(vm, "badpcidisk", 2, "mode=7 sr=1");
    struct vw_stor_result res[8];
    unsigned n = 0;
    if (d != NULL)
        remove_with_writes(vm, d, res, &n);
}

/* PnP remove of the disk (StorRemoveDevice to its LUN) after the
 * capabilities query; the adapter's remove sends it again for its LUN. */
VW_SCENARIO("vwpcidisk", storport_pnp_remove_disk, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 2, NULL);
    struct vw_stor_caps caps;
    struct vw_stor_result res;
    if (d == NULL || !vw_stor_query_capabilities(vm, &caps, &res) || !vw_stor_remove_lun(vm, &res))
        return;
    VW_EXPECT(vm, caps.answered && res.srb_status == 1, "capabilities %s, remove status 0x%02x",
              caps.answered ? "answered" : "not answered", res.srb_status);
    struct vw_stor_stats st;
    if (!vm->failed && vw_stor_remove(vm)) {
        vw_stor_stats(vm, &st);
        VW_EXPECT(vm, st.pnp_srbs == 3, "%u PnP SRBs (3 expected)", st.pnp_srbs);
        vw_driver_unload(vm);
    }
}

VW_SCENARIO("badpcidisk", checker_stor_capabilities_d1, "DeviceD1, DeviceD2, NoDisplayInUI")
{
    struct vw_stordisk *d = stor_start_pci(vm, "badpcidisk", 2, "mode=9");
    struct vw_stor_caps caps;
    struct vw_stor_result res;
    if (d != NULL)
        vw_stor_query_capabilities(vm, &caps, &res);
}

/* D3 and back with writes in flight, the miniport completing through a
 * DPC: nothing touches the function between ScsiStopAdapter and
 * ScsiRestartAdapter, and I/O works after it. */
VW_SCENARIO("vwpcidisk", storport_stop_leaves_device, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 2, "dpc=1");
    if (d == NULL || !vw_stor_submit_writes(vm, 4, 20, 0x3c) || !vw_stor_power(vm, false) ||
        !vw_stor_power(vm, true))
        return;
    uint8_t cdb[10] = {0x28, 0, 0, 0, 0, 20, 0, 0, 1, 0}, buf[512];
    struct vw_stor_result res;
    if (!vw_stor_scsi(vm, cdb, 10, buf, sizeof(buf), true, &res))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              res.srb_status == 1 && buf[0] == 0x3c && st.stopped_accesses == 0 &&
                  st.control_stop == 1 && st.control_restart == 1,
              "read after D3->D0: status 0x%02x, byte 0x%02x, %u stopped accesses, stop %u, "
              "restart %u",
              res.srb_status, buf[0], st.stopped_accesses, st.control_stop, st.control_restart);
    if (!vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
}

VW_SCENARIO("badpcidisk", checker_stor_stopped_access, "to the stopped adapter in a DPC")
{
    struct vw_stordisk *d = stor_start_pci(vm, "badpcidisk", 2, "mode=8 dpc=1");
    if (d != NULL)
        vw_stor_power(vm, false);
}
