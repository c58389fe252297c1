/*
 * pvpanic: tells the host that Windows crashed.
 *
 * The QEMU pvpanic device has one byte-wide register at offset 0 of its only
 * resource: an I/O port (ACPI QEMU0001, normally 0x505) or BAR0 memory
 * (PCI 1B36:0011).  Reading it returns the events the device supports;
 * writing an event bit reports that event.  Nothing is written before a bug
 * check, so the device costs nothing while Windows runs.
 */
#pragma once
#include <ntddk.h>
#include "../../common/wdm/vwdm.h"

/* Event bits (QEMU docs/specs/pvpanic.rst). */
#define PVPANIC_PANICKED     0x01 /* guest crashed: the host may stop the VM */
#define PVPANIC_CRASH_LOADED 0x02 /* guest crashed and is writing a crash dump */
#define PVPANIC_EVENTS_KNOWN (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

#define PVPANIC_POOL_TAG 'cnPV'

/* Driver state after the framework's VW_DEVICE header (VwDeviceContext). */
typedef struct _PVPANIC_DEVICE {
    VW_RANGE Register;     /* the device's one register, a copy of its range */
    UCHAR SupportedEvents; /* device-reported, masked to PVPANIC_EVENTS_KNOWN */

    /* Bug-check state, touched only at HIGH_LEVEL on the crashing CPU. */
    BOOLEAN CrashLoadedSent;
    BOOLEAN BugCheckRegistered;
    BOOLEAN DumpIoRegistered;
    KBUGCHECK_CALLBACK_RECORD BugCheckRecord;
    KBUGCHECK_REASON_CALLBACK_RECORD DumpIoRecord;
} PVPANIC_DEVICE, *PPVPANIC_DEVICE;

/* register.c */
UCHAR PvPanicReadRegister(const VW_RANGE *Register);
VOID PvPanicWriteRegister(const VW_RANGE *Register, UCHAR Value);

/* bugcheck.c */
VOID PvPanicRegisterCallbacks(PPVPANIC_DEVICE Device);
VOID PvPanicDeregisterCallbacks(PPVPANIC_DEVICE Device);

#define PvPanicLog(level, ...) DbgPrintEx(DPFLTR_IHVDRIVER_ID, (level), "pvpanic: " __VA_ARGS__)
