/*
 * Surprise removal of a StorPort adapter with requests at the device
 * (vw_stor_surprise_remove, port/storport/removal.c) on the stordisk PCI
 * function: the function unplugged with 4 writes held by the disk, each
 * comes back exactly once with BUS_RESET (their time-out, HwResetBus), the
 * remove stops and frees the adapter without a FLUSH; and the planted twin
 * whose HwResetBus polls the removed function's ID register is named.
 */
#include "port/storport/stor.h"
#include "port/storport/stordisk.h"
#include "scenario.h"

#define SRB_BUS_RESET 0x0e

static struct vw_stordisk *removal_start(struct vm *vm, const char *driver, const char *args)
{
    struct vw_stordisk_config dc = {.sectors = 256, .messages = 2, .delay = 300};
    struct vw_stordisk *d = vw_stordisk_create(vm, &dc);
    if (d == NULL)
        return NULL;
    vw_stor_attach_pci(vm, vw_stordisk_pdo(d));
    struct vw_stor_config cfg = {.args = args, .timeout_s = 10};
    if (!vw_driver_load(vm, driver) || !vw_stor_start(vm, &cfg))
        return NULL;
    return d;
}

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
    struct vw_stordisk *d = removal_start(vm, "vwpcidisk", NULL);
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
    struct vw_stordisk *d = removal_start(vm, "badpcidisk", "mode=6");
    struct vw_stor_result res[8];
    unsigned n = 0;
    if (d != NULL)
        remove_with_writes(vm, d, res, &n);
}
