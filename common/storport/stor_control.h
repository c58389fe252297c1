/*
 * stor_control.h - the adapter control and configuration log pieces both
 * StorPort miniports of ours (viostor, vioscsi) do alike: the control types
 * HwAdapterControl answers, the lock dance of a surprise removal, and the
 * one-line log of a device value the driver does not use as given.
 *
 *   HwAdapterControl: case ScsiQuerySupportedControlTypes:
 *                         VwStorSupportedControls(Parameters); ...
 *                     case ScsiAdapterSurpriseRemoval:
 *                         XMarkGone(ext); VwStorRemoveUnderLocks(ext, &perf, XGone, ext);
 *   HwFindAdapter:    VwStorLogBadValue("viostor", &bad) for each finding of
 *                     the configuration check (stor_bad_value.h)
 */
#pragma once
#include <storport/stor_bad_value.h>
#include <storport/stor_perf.h>

/* IRQL: any. mark the stop, restart and surprise removal control types
 * supported in List (those it has room for). */
VOID VwStorSupportedControls(PSCSI_SUPPORTED_CONTROL_TYPE_LIST List);

/* IRQL: below DISPATCH_LEVEL (HwAdapterControl's surprise removal): run
 * Gone(Ctx) holding the StartIo lock and, with concurrent channels, every
 * queue's lock, so a HwStartIo that began before (and its notify) has ended
 * and this processor is ordered after it.  The caller has already published
 * the removal, so one that begins after ends at once. */
VOID VwStorRemoveUnderLocks(PVOID DeviceExtension, PVW_STOR_PERF Perf, void (*Gone)(void *Ctx),
                            void *Ctx);

/* IRQL: any. the log line of one device value not used as given:
 * "<driver>: bad device value: <field> <value>: <instead>" or, instead
 * NULL, "...: <used> used". */
VOID VwStorLogBadValue(const char *Driver, const struct vw_bad_value *Bad);
