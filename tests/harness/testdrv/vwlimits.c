/*
 * Test driver for the harness's limits (selftest/limits.c): more of each
 * kernel object than the harness's old fixed tables held.  DriverEntry
 * sets 100 timers, queues 100 work items and 100 DPCs (raised to
 * DISPATCH_LEVEL, so all wait in the queue at once), builds and maps 100
 * MDLs, creates 70 named device objects and 100 symbolic links, holds 20
 * spin locks at once, initializes 70 remove locks and runs 10 system
 * threads, checking each and undoing it all; a failed check raises bug
 * check VWLIMITS_FAILED with the check's number and the value seen.  Each
 * device it is added to connects all its interrupt messages (up to
 * MSI-X's 2048) and its ISR logs each message it takes.  With exactly 3
 * processors it plants the crossing of a limit that remains: 70 system
 * threads.
 */
#include <ntddk.h>

#define VWLIMITS_FAILED 0x0000dea1
#define TAG             'mlWV'
#define MANY            100 /* above the old 64 per table */
#define NAMED           70
#define LOCKS           20 /* above the old 16 held at once */
#define THREADS         10 /* above the old 8 */
#define PLANTED_THREADS 70 /* above the 64 that remain */

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD LimitsUnload;
static DRIVER_ADD_DEVICE LimitsAddDevice;
static DRIVER_DISPATCH LimitsPnp;
static KDEFERRED_ROUTINE CountDpc;
static IO_WORKITEM_ROUTINE CountWork;
static KSTART_ROUTINE CountThread;
static KMESSAGE_SERVICE_ROUTINE LimitsIsr;

/* A device of ours: where it sits in its stack, its message table. */
typedef struct _LIMITS_DEVICE {
    PDEVICE_OBJECT Lower;
    PVOID Connection;
} LIMITS_DEVICE, *PLIMITS_DEVICE;

static volatile LONG DpcRuns, WorkRuns, ThreadRuns;
static KEVENT AllDone;

static void Check(ULONG check, BOOLEAN ok, ULONG_PTR seen)
{
    if (!ok)
        KeBugCheckEx(VWLIMITS_FAILED, check, seen, 0, 0);
}

/* Counts itself; the last of MANY wakes DriverEntry (DISPATCH_LEVEL). */
static VOID NTAPI CountDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc, (void)Context, (void)Arg1, (void)Arg2;
    if (InterlockedIncrement(&DpcRuns) == MANY)
        KeSetEvent(&AllDone, IO_NO_INCREMENT, FALSE);
}

/* Counts itself; the last of MANY wakes DriverEntry (PASSIVE_LEVEL). */
static VOID NTAPI CountWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    (void)DeviceObject, (void)Context;
    if (InterlockedIncrement(&WorkRuns) == MANY)
        KeSetEvent(&AllDone, IO_NO_INCREMENT, FALSE);
}

/* Counts itself and exits (PASSIVE_LEVEL). */
static VOID NTAPI CountThread(PVOID Context)
{
    (void)Context;
    InterlockedIncrement(&ThreadRuns);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void WaitAllDone(ULONG check)
{
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000000LL; /* 1 s of virtual time */
    Check(check,
          KeWaitForSingleObject(&AllDone, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS,
          0);
    KeClearEvent(&AllDone);
}

/* MANY timers set at once, then cancelled (PASSIVE_LEVEL). */
static void ManyTimers(void)
{
    PKTIMER timers = ExAllocatePoolWithTag(NonPagedPool, MANY * sizeof(KTIMER), TAG);
    LARGE_INTEGER due;
    Check(1, timers != NULL, 0);
    due.QuadPart = -36000000000LL; /* an hour */
    for (ULONG i = 0; i < MANY; i++) {
        KeInitializeTimer(&timers[i]);
        KeSetTimer(&timers[i], due, NULL);
    }
    for (ULONG i = 0; i < MANY; i++)
        Check(2, KeCancelTimer(&timers[i]), i);
    ExFreePoolWithTag(timers, TAG);
}

/* MANY work items queued at once, run, freed (PASSIVE_LEVEL). */
static void ManyWorkItems(PDEVICE_OBJECT Device)
{
    PIO_WORKITEM *items = ExAllocatePoolWithTag(NonPagedPool, MANY * sizeof(PIO_WORKITEM), TAG);
    Check(3, items != NULL, 0);
    for (ULONG i = 0; i < MANY; i++) {
        items[i] = IoAllocateWorkItem(Device);
        Check(4, items[i] != NULL, i);
    }
    for (ULONG i = 0; i < MANY; i++)
        IoQueueWorkItem(items[i], CountWork, DelayedWorkQueue, NULL);
    WaitAllDone(5);
    Check(6, WorkRuns == MANY, (ULONG_PTR)WorkRuns);
    for (ULONG i = 0; i < MANY; i++)
        IoFreeWorkItem(items[i]);
    ExFreePoolWithTag(items, TAG);
}

/* MANY DPCs in the queue at once: queued at DISPATCH_LEVEL, they run when
 * the IRQL drops (PASSIVE_LEVEL). */
static void ManyDpcs(void)
{
    PKDPC dpcs = ExAllocatePoolWithTag(NonPagedPool, MANY * sizeof(KDPC), TAG);
    KIRQL old;
    Check(7, dpcs != NULL, 0);
    for (ULONG i = 0; i < MANY; i++)
        KeInitializeDpc(&dpcs[i], CountDpc, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (ULONG i = 0; i < MANY; i++)
        Check(8, KeInsertQueueDpc(&dpcs[i], NULL, NULL), i);
    KeLowerIrql(old);
    WaitAllDone(9);
    Check(10, DpcRuns == MANY, (ULONG_PTR)DpcRuns);
    ExFreePoolWithTag(dpcs, TAG);
}

/* MANY MDLs over one buffer, each mapped, then all undone (PASSIVE_LEVEL). */
static void ManyMdls(void)
{
    PUCHAR buffer = ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, TAG);
    PMDL *mdls = ExAllocatePoolWithTag(NonPagedPool, MANY * sizeof(PMDL), TAG);
    PVOID *maps = ExAllocatePoolWithTag(NonPagedPool, MANY * sizeof(PVOID), TAG);
    Check(11, buffer != NULL && mdls != NULL && maps != NULL, 0);
    buffer[0] = 0x5a;
    for (ULONG i = 0; i < MANY; i++) {
        mdls[i] = IoAllocateMdl(buffer, PAGE_SIZE, FALSE, FALSE, NULL);
        Check(12, mdls[i] != NULL, i);
        MmBuildMdlForNonPagedPool(mdls[i]);
        maps[i] = MmMapLockedPagesSpecifyCache(mdls[i], KernelMode, MmCached, NULL, FALSE,
                                               NormalPagePriority);
        Check(13, maps[i] != NULL && *(PUCHAR)maps[i] == 0x5a, i);
    }
    for (ULONG i = 0; i < MANY; i++) {
        MmUnmapLockedPages(maps[i], mdls[i]);
        IoFreeMdl(mdls[i]);
    }
    ExFreePoolWithTag(maps, TAG);
    ExFreePoolWithTag(mdls, TAG);
    ExFreePoolWithTag(buffer, TAG);
}

/* Writes "<prefix><n>" into NAME (a buffer of 64 WCHARs). */
static void Numbered(PUNICODE_STRING Name, PWCHAR Buffer, PCWSTR Prefix, ULONG N)
{
    ULONG len = 0;
    while (Prefix[len] != 0 && len < 56) {
        Buffer[len] = Prefix[len];
        len++;
    }
    Buffer[len++] = (WCHAR)(L'0' + N / 100 % 10);
    Buffer[len++] = (WCHAR)(L'0' + N / 10 % 10);
    Buffer[len++] = (WCHAR)(L'0' + N % 10);
    Name->Buffer = Buffer;
    Name->Length = (USHORT)(len * sizeof(WCHAR));
    Name->MaximumLength = (USHORT)(64 * sizeof(WCHAR));
}

/* NAMED named device objects and MANY symbolic links to the first, then
 * all deleted (PASSIVE_LEVEL). */
static void ManyNames(PDRIVER_OBJECT Driver)
{
    PDEVICE_OBJECT *devices = ExAllocatePoolWithTag(NonPagedPool, NAMED * sizeof(PVOID), TAG);
    WCHAR buffer[64], target[64];
    UNICODE_STRING name, first;
    Check(14, devices != NULL, 0);
    for (ULONG i = 0; i < NAMED; i++) {
        Numbered(&name, buffer, L"\\Device\\vwlimits", i);
        Check(15,
              NT_SUCCESS(
                  IoCreateDevice(Driver, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &devices[i])),
              i);
        devices[i]->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    Numbered(&first, target, L"\\Device\\vwlimits", 0);
    for (ULONG i = 0; i < MANY; i++) {
        Numbered(&name, buffer, L"\\DosDevices\\vwlimits", i);
        Check(16, NT_SUCCESS(IoCreateSymbolicLink(&name, &first)), i);
    }
    for (ULONG i = 0; i < MANY; i++) {
        Numbered(&name, buffer, L"\\DosDevices\\vwlimits", i);
        Check(17, NT_SUCCESS(IoDeleteSymbolicLink(&name)), i);
    }
    for (ULONG i = 0; i < NAMED; i++)
        IoDeleteDevice(devices[i]);
    ExFreePoolWithTag(devices, TAG);
}

/* LOCKS spin locks held at once, released in reverse (PASSIVE_LEVEL). */
static void ManyLocks(void)
{
    KSPIN_LOCK locks[LOCKS];
    KIRQL old;
    for (ULONG i = 0; i < LOCKS; i++)
        KeInitializeSpinLock(&locks[i]);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (ULONG i = 0; i < LOCKS; i++)
        KeAcquireSpinLockAtDpcLevel(&locks[i]);
    for (ULONG i = LOCKS; i-- > 0;)
        KeReleaseSpinLockFromDpcLevel(&locks[i]);
    KeLowerIrql(old);
}

/* NAMED remove locks (PASSIVE_LEVEL): nothing to undo. */
static void ManyRemoveLocks(void)
{
    PIO_REMOVE_LOCK locks =
        ExAllocatePoolWithTag(NonPagedPool, NAMED * sizeof(IO_REMOVE_LOCK), TAG);
    Check(18, locks != NULL, 0);
    for (ULONG i = 0; i < NAMED; i++) {
        IoInitializeRemoveLock(&locks[i], TAG, 0, 0);
        Check(19, NT_SUCCESS(IoAcquireRemoveLock(&locks[i], NULL)), i);
        IoReleaseRemoveLock(&locks[i], NULL);
    }
    ExFreePoolWithTag(locks, TAG);
}

/* COUNT system threads, each waited for and its handle closed
 * (PASSIVE_LEVEL). */
static void ManyThreads(ULONG Count)
{
    HANDLE *handles = ExAllocatePoolWithTag(NonPagedPool, Count * sizeof(HANDLE), TAG);
    Check(20, handles != NULL, 0);
    for (ULONG i = 0; i < Count; i++)
        Check(21,
              NT_SUCCESS(PsCreateSystemThread(&handles[i], THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                              CountThread, NULL)),
              i);
    for (ULONG i = 0; i < Count; i++) {
        PVOID thread;
        Check(22,
              NT_SUCCESS(ObReferenceObjectByHandle(handles[i], SYNCHRONIZE, NULL, KernelMode,
                                                   &thread, NULL)),
              i);
        KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(thread);
        ZwClose(handles[i]);
    }
    Check(23, ThreadRuns == (LONG)Count, (ULONG_PTR)ThreadRuns);
    ExFreePoolWithTag(handles, TAG);
}

/* Logs each message it takes (device IRQL). */
static BOOLEAN NTAPI LimitsIsr(PKINTERRUPT Interrupt, PVOID Context, ULONG MessageId)
{
    (void)Interrupt, (void)Context;
    DbgPrint("vwlimits: message %lu\n", MessageId);
    return TRUE;
}

/* START connects every message; REMOVE undoes it and the device
 * (PASSIVE_LEVEL; the harness's PDO needs nothing forwarded). */
static NTSTATUS NTAPI LimitsPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLIMITS_DEVICE dev = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    if (stack->MinorFunction == IRP_MN_START_DEVICE) {
        IO_CONNECT_INTERRUPT_PARAMETERS params;
        RtlZeroMemory(&params, sizeof(params));
        params.Version = CONNECT_MESSAGE_BASED;
        params.MessageBased.PhysicalDeviceObject = dev->Lower;
        params.MessageBased.ConnectionContext.Generic = &dev->Connection;
        params.MessageBased.MessageServiceRoutine = LimitsIsr;
        status = IoConnectInterruptEx(&params);
        if (NT_SUCCESS(status))
            DbgPrint("vwlimits: %lu message(s) connected\n",
                     ((PIO_INTERRUPT_MESSAGE_INFO)dev->Connection)->MessageCount);
    } else if (stack->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        if (dev->Connection != NULL) {
            IO_DISCONNECT_INTERRUPT_PARAMETERS params;
            params.Version = CONNECT_MESSAGE_BASED;
            params.ConnectionContext.Generic = dev->Connection;
            IoDisconnectInterruptEx(&params);
        }
        IoDetachDevice(dev->Lower);
        IoDeleteDevice(DeviceObject);
    } else if (stack->MinorFunction != IRP_MN_QUERY_REMOVE_DEVICE &&
               stack->MinorFunction != IRP_MN_SURPRISE_REMOVAL) {
        status = Irp->IoStatus.Status;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* A device on PDO (PASSIVE_LEVEL). */
static NTSTATUS NTAPI LimitsAddDevice(PDRIVER_OBJECT Driver, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status =
        IoCreateDevice(Driver, sizeof(LIMITS_DEVICE), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    PLIMITS_DEVICE dev = fdo->DeviceExtension;
    dev->Connection = NULL;
    dev->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static VOID NTAPI LimitsUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    (void)RegistryPath;
    DriverObject->DriverUnload = LimitsUnload;
    DriverObject->DriverExtension->AddDevice = LimitsAddDevice;
    DriverObject->MajorFunction[IRP_MJ_PNP] = LimitsPnp;
    KeInitializeEvent(&AllDone, NotificationEvent, FALSE);
    if (KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS) == 3) {
        ManyThreads(PLANTED_THREADS); /* the harness fails the run by name */
        return STATUS_SUCCESS;
    }
    Check(30,
          NT_SUCCESS(IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device)),
          0);
    ManyTimers();
    ManyWorkItems(device);
    ManyDpcs();
    ManyMdls();
    ManyNames(DriverObject);
    ManyLocks();
    ManyRemoveLocks();
    ManyThreads(THREADS);
    IoDeleteDevice(device);
    DbgPrint("vwlimits: every object beyond the old limits made and undone\n");
    return STATUS_SUCCESS;
}
