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

/* Event bits (QEMU docs/specs/pvpanic.rst). */
#define PVPANIC_PANICKED     0x01 /* guest crashed: the host may stop the VM */
#define PVPANIC_CRASH_LOADED 0x02 /* guest crashed and is writing a crash dump */
#define PVPANIC_EVENTS_KNOWN (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

#define PVPANIC_POOL_TAG 'cnPV'

typedef struct _PVPANIC_REGISTER {
    PUCHAR Address;   /* port number, or virtual address of mapped MMIO */
    BOOLEAN IsPort;   /* I/O port space (x86/amd64 only) */
    BOOLEAN IsMapped; /* Address came from MmMapIoSpace */
} PVPANIC_REGISTER, *PPVPANIC_REGISTER;

typedef struct _PVPANIC_DEVICE {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT LowerDevice;
    IO_REMOVE_LOCK RemoveLock;
    BOOLEAN Started;

    PVPANIC_REGISTER Register;
    UCHAR SupportedEvents; /* device-reported, masked to PVPANIC_EVENTS_KNOWN */

    /* Bug-check state, touched only at HIGH_LEVEL on the crashing CPU. */
    BOOLEAN CrashLoadedSent;
    BOOLEAN BugCheckRegistered;
    BOOLEAN DumpIoRegistered;
    KBUGCHECK_CALLBACK_RECORD BugCheckRecord;
    KBUGCHECK_REASON_CALLBACK_RECORD DumpIoRecord;
} PVPANIC_DEVICE, *PPVPANIC_DEVICE;

/* register.c */
NTSTATUS PvPanicMapRegister(PPVPANIC_REGISTER Register, PCM_RESOURCE_LIST Translated);
VOID PvPanicUnmapRegister(PPVPANIC_REGISTER Register);
UCHAR PvPanicReadRegister(PPVPANIC_REGISTER Register);
VOID PvPanicWriteRegister(PPVPANIC_REGISTER Register, UCHAR Value);

/* bugcheck.c */
VOID PvPanicRegisterCallbacks(PPVPANIC_DEVICE Device);
VOID PvPanicDeregisterCallbacks(PPVPANIC_DEVICE Device);

/* pnp.c */
DRIVER_DISPATCH PvPanicDispatchPnp;
DRIVER_DISPATCH PvPanicDispatchPower;
DRIVER_DISPATCH PvPanicDispatchSystemControl;

#define PvPanicLog(level, ...) DbgPrintEx(DPFLTR_IHVDRIVER_ID, (level), "pvpanic: " __VA_ARGS__)
