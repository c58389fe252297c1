/*
 * Adapter control and configuration log pieces both StorPort miniports of
 * ours share (see stor_control.h).
 */
#include "stor_control.h"

/* IRQL: any. see stor_control.h. */
VOID VwStorSupportedControls(PSCSI_SUPPORTED_CONTROL_TYPE_LIST List)
{
    if (List->MaxControlType > ScsiStopAdapter)
        List->SupportedTypeList[ScsiStopAdapter] = TRUE;
    if (List->MaxControlType > ScsiRestartAdapter)
        List->SupportedTypeList[ScsiRestartAdapter] = TRUE;
    if (List->MaxControlType > ScsiAdapterSurpriseRemoval)
        List->SupportedTypeList[ScsiAdapterSurpriseRemoval] = TRUE;
}

/* IRQL: below DISPATCH_LEVEL: see stor_control.h. */
VOID VwStorRemoveUnderLocks(PVOID DeviceExtension, PVW_STOR_PERF Perf, void (*Gone)(void *Ctx),
                            void *Ctx)
{
    STOR_LOCK_HANDLE lock;
    VW_STOR_LOCKS all;

    StorPortAcquireSpinLock(DeviceExtension, StartIoLock, NULL, &lock);
    VwStorLockAll(DeviceExtension, Perf, &all);
    Gone(Ctx);
    VwStorUnlockAll(DeviceExtension, Perf, &all);
    StorPortReleaseSpinLock(DeviceExtension, &lock);
}

/* IRQL: any. see stor_control.h. */
VOID VwStorLogBadValue(const char *Driver, const struct vw_bad_value *Bad)
{
    if (Bad->instead != NULL)
        DbgPrint("%s: bad device value: %s %llu: %s\n", Driver, Bad->field,
                 (unsigned long long)Bad->value, Bad->instead);
    else
        DbgPrint("%s: bad device value: %s %llu: %llu used\n", Driver, Bad->field,
                 (unsigned long long)Bad->value, (unsigned long long)Bad->used);
}
