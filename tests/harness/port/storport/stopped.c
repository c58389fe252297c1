/*
 * The stopped adapter: between ScsiStopAdapter and the power-up
 * (ScsiSetRunningConfig, ScsiRestartAdapter) the miniport leaves its
 * function alone.  StorPort stops the HBA "for power management" and
 * after that call "any data structures allocated on behalf of the
 * miniport driver for the HBA should be considered invalid until the
 * miniport driver is asked to restart" (storport/nc-storport-hw_adapter_control,
 * ScsiStopAdapter); the device may be in D3 or gone.  Inside
 * HwAdapterControl (ScsiSetBootConfig restores what the BIOS needs,
 * ScsiSetRunningConfig what the miniport needs) and in the repeated
 * HwFindAdapter/HwInitialize of a miniport without ScsiRestartAdapter the
 * function may be touched, and the hibernation copy owns it while it
 * writes.  Any other register access -- a DPC, a timer or an ISR of the
 * normal instance that still runs -- fails the run by name.
 */
#include "internal.h"

void vw_stor_device_access(struct vm *vm, const char *device)
{
    struct stor_state *s = stor_state_if_any(vm);
    if (s == NULL)
        return;
    struct stor_adapter *a = &s->normal;
    if (!a->registered || !a->powered_down || a->surprise_removed || vm->failed)
        return;
    enum stor_ctx ctx = stor_cpu(vm, a)->ctx;
    if (ctx == CTX_ADAPTER_CONTROL || ctx == CTX_FIND_ADAPTER || ctx == CTX_HW_INITIALIZE)
        return;
    if (s->dumpcopy.registered && stor_cpu(vm, &s->dumpcopy)->ctx != CTX_NONE)
        return; /* the hibernation copy's own access */
    a->stats.stopped_accesses++;
    vw_fail(vm,
            "storport: register access (%s) to the stopped adapter in %s: after "
            "ScsiStopAdapter the function is left alone until ScsiSetRunningConfig/"
            "ScsiRestartAdapter",
            device, ctx == CTX_NONE ? "a DPC or no StorPort routine" : stor_ctx_name(ctx));
}
