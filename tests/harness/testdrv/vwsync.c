/*
 * Test driver for the interrupt spin lock (selftest/cpus.c): the ISR adds
 * 100 to a counter and counts itself; D0Entry adds 1 twice with a
 * read-modify-write around a kernel call, once through
 * KeSynchronizeExecution and once under KeAcquireInterruptSpinLock, while
 * the scenario raises the line interrupt (delivered on CPU 1) at that
 * call.  Both must exclude the ISR: START fails with STATUS_DATA_ERROR if
 * an update was lost.  With exactly 3 processors it plants the bug: the
 * second update is made without the lock, and the ISR's update is lost.
 * Its DPC logs an ISR that preempted it at a kernel call.
 */
#include <wdm/vwdm.h>

static volatile LONG Shared, IsrRuns;
static ULONG Planted;

/* Counts the interrupt and asks for the DPC (device IRQL). */
static BOOLEAN SyncIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    (void)Device;
    (void)MessageId;
    *QueueDpc = TRUE;
    Shared += 100;
    IsrRuns++;
    return TRUE;
}

/* Logs an ISR that ran during its kernel call (DISPATCH_LEVEL): the
 * scenario raises the interrupt there, and it must preempt the DPC. */
static VOID SyncDpc(PVW_DEVICE Device, ULONG MessageId)
{
    LONG seen = IsrRuns;
    PROCESSOR_NUMBER pn;
    ULONG cpu = KeGetCurrentProcessorNumberEx(&pn);

    (void)MessageId;
    if (IsrRuns != seen)
        VwInfo(Device, "ISR ran inside the DPC on CPU %lu", cpu);
}

/* Read, a kernel call, write (device IRQL or any). */
static BOOLEAN NTAPI AddOne(PVOID Context)
{
    LONG seen = Shared;

    (void)Context;
    KeStallExecutionProcessor(1);
    Shared = seen + 1;
    return TRUE;
}

static NTSTATUS SyncD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PKINTERRUPT interrupt = Device->ConnectionContext;
    KIRQL old;

    (void)Previous;
    if (Device->ConnectionVersion != CONNECT_LINE_BASED || interrupt == NULL)
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    Planted = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS) == 3;
    if (!KeSynchronizeExecution(interrupt, AddOne, NULL))
        return STATUS_UNSUCCESSFUL;
    if (Planted) {
        AddOne(NULL); /* the bug: the ISR on CPU 1 runs in the middle */
    } else {
        old = KeAcquireInterruptSpinLock(interrupt);
        AddOne(NULL);
        KeReleaseInterruptSpinLock(interrupt, old);
    }
    VwInfo(Device, "counter %ld after %ld interrupt(s)", Shared, IsrRuns);
    return Shared == 2 + 100 * IsrRuns ? STATUS_SUCCESS : STATUS_DATA_ERROR;
}

static const VW_DRIVER_CONFIG SyncConfig = {
    .Name = "vwsync",
    .PoolTag = 'ySWV',
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .D0Entry = SyncD0Entry,
    .Isr = SyncIsr,
    .Dpc = SyncDpc,
};

DRIVER_INITIALIZE DriverEntry;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &SyncConfig);
}
