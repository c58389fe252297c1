/*
 * Test driver for the harness's timers, waits, work items, MDLs and system
 * threads
 * (selftest/kernel_objects.c).  DriverEntry runs each check in turn against
 * the virtual clock, which only the harness moves, so the elapsed times are
 * exact; a failed check raises bug check VWKERN_FAILED with the check's
 * number and the value seen.  DriverEntry also leaves a periodic timer
 * running; the scenario lets VWKERN_TICK_RUN of idle time pass and
 * DriverUnload checks that it ticked VWKERN_TICKS times.
 */
#include <ntddk.h>

#define VWKERN_FAILED 0x0000dead
#define MS            10000LL /* 100 ns units */
#define VWKERN_TICKS  10      /* 10 ms period, 100 ms of idle time */
#define TAG           'krWV'
/* Below kernel space on every arch: where user-mode mappings must land. */
#define USER_LIMIT ((ULONG_PTR)0x7fff0000)

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD KernUnload;
static KDEFERRED_ROUTINE CountDpc, TickDpc;
static IO_WORKITEM_ROUTINE SimpleWork;
static IO_WORKITEM_ROUTINE_EX WaitingWork;
static KSTART_ROUTINE Doubler;

static PDEVICE_OBJECT Device;
static KTIMER Timer, Periodic, Ticker;
static KDPC CountDpcObject, TickDpcObject;
static KEVENT Done, Other;
static volatile LONG Count, Ticks, WorkRuns, WorkIrql;
static KEVENT Go, Back;
static volatile LONG Request, Reply, Stop;

static void Check(ULONG check, BOOLEAN ok, ULONG_PTR seen)
{
    if (!ok)
        KeBugCheckEx(VWKERN_FAILED, check, seen, 0, 0);
}

static LONGLONG Now(void)
{
    return (LONGLONG)KeQueryInterruptTime();
}

static void Delay(LONGLONG units)
{
    LARGE_INTEGER interval;
    interval.QuadPart = -units;
    KeDelayExecutionThread(KernelMode, FALSE, &interval);
}

static VOID NTAPI CountDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc, (void)Context, (void)Arg1, (void)Arg2;
    Check(100, KeGetCurrentIrql() == DISPATCH_LEVEL, KeGetCurrentIrql());
    if (InterlockedIncrement(&Count) == 5)
        KeSetEvent(&Done, IO_NO_INCREMENT, FALSE);
}

static VOID NTAPI TickDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc, (void)Context, (void)Arg1, (void)Arg2;
    InterlockedIncrement(&Ticks);
}

static VOID NTAPI SimpleWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    Check(200, DeviceObject == Device && Context == &Done, (ULONG_PTR)Context);
    WorkIrql = KeGetCurrentIrql();
    InterlockedIncrement(&WorkRuns);
    KeSetEvent(&Done, IO_NO_INCREMENT, FALSE);
}

/* Runs in a worker thread: it may wait, and time moves for it. */
static VOID NTAPI WaitingWork(PVOID IoObject, PVOID Context, PIO_WORKITEM Item)
{
    LONGLONG start = Now();
    Check(300, IoObject == Device && Context == &Other && Item != NULL, (ULONG_PTR)Item);
    Delay(2 * MS);
    Check(301, Now() - start == 2 * MS, (ULONG_PTR)(Now() - start));
    KeSetEvent(&Other, IO_NO_INCREMENT, FALSE);
}

static void TimerChecks(void)
{
    LARGE_INTEGER due, timeout;
    LONGLONG start = Now();

    /* A synchronization timer: the wait ends at its due time and resets it. */
    KeInitializeTimerEx(&Timer, SynchronizationTimer);
    due.QuadPart = -10 * MS;
    Check(1, KeSetTimer(&Timer, due, NULL) == FALSE, 0);
    Check(2, KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL) == STATUS_SUCCESS,
          0);
    Check(3, Now() - start == 10 * MS, (ULONG_PTR)(Now() - start));
    Check(4, KeReadStateTimer(&Timer) == FALSE, 1);

    /* A time-out shorter than the timer. */
    start = Now();
    due.QuadPart = -50 * MS;
    timeout.QuadPart = -5 * MS;
    KeSetTimer(&Timer, due, NULL);
    Check(5,
          KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT,
          0);
    Check(6, Now() - start == 5 * MS, (ULONG_PTR)(Now() - start));
    Check(7, KeCancelTimer(&Timer) == TRUE, 0);
    Check(8, KeCancelTimer(&Timer) == FALSE, 1);

    /* An absolute due time (system time), on a notification timer. */
    KeInitializeTimer(&Timer);
    KeQuerySystemTime(&due);
    due.QuadPart += 20 * MS;
    start = Now();
    KeSetTimer(&Timer, due, NULL);
    KeWaitForSingleObject(&Timer, Executive, KernelMode, FALSE, NULL);
    Check(9, Now() - start == 20 * MS, (ULONG_PTR)(Now() - start));
    Check(10, KeReadStateTimer(&Timer) == TRUE, 0);

    /* A periodic timer with a DPC: first after 1 ms, then every 2 ms. */
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    KeInitializeDpc(&CountDpcObject, CountDpc, NULL);
    KeInitializeTimer(&Periodic);
    due.QuadPart = -1 * MS;
    start = Now();
    KeSetTimerEx(&Periodic, due, 2, &CountDpcObject);
    KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);
    Check(11, Count == 5 && Now() - start == 9 * MS, (ULONG_PTR)(Now() - start));
    Check(12, KeCancelTimer(&Periodic) == TRUE, 0);

    /* KeDelayExecutionThread moves the clock by exactly its interval. */
    start = Now();
    Delay(3 * MS);
    Check(13, Now() - start == 3 * MS, (ULONG_PTR)(Now() - start));
}

static void WaitMultipleChecks(void)
{
    LARGE_INTEGER due;
    PVOID objects[2];
    LONGLONG start = Now();

    /* Wait any: the timer (index 1) ends it, the event stays unsignalled. */
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    KeInitializeEvent(&Other, SynchronizationEvent, FALSE);
    KeInitializeTimer(&Timer);
    due.QuadPart = -4 * MS;
    KeSetTimer(&Timer, due, NULL);
    objects[0] = &Done;
    objects[1] = &Timer;
    NTSTATUS status =
        KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
    Check(20, status == STATUS_WAIT_1 && Now() - start == 4 * MS, status);

    /* Wait all: both set; the synchronization event is reset, the
     * notification event is not. */
    KeSetEvent(&Done, IO_NO_INCREMENT, FALSE);
    KeSetEvent(&Other, IO_NO_INCREMENT, FALSE);
    objects[1] = &Other;
    status =
        KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode, FALSE, NULL, NULL);
    Check(21, status == STATUS_SUCCESS, status);
    Check(22, KeReadStateEvent(&Done) != 0 && KeReadStateEvent(&Other) == 0, 0);
}

static void WorkItemChecks(void)
{
    /* An allocated item: runs at PASSIVE_LEVEL in a worker, once. */
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    PIO_WORKITEM item = IoAllocateWorkItem(Device);
    Check(30, item != NULL, 0);
    IoQueueWorkItem(item, SimpleWork, DelayedWorkQueue, &Done);
    KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL);
    Check(31, WorkRuns == 1 && WorkIrql == PASSIVE_LEVEL, (ULONG_PTR)WorkRuns);
    IoFreeWorkItem(item);

    /* An item in driver memory whose routine waits. */
    KeInitializeEvent(&Other, NotificationEvent, FALSE);
    PIO_WORKITEM own = ExAllocatePoolWithTag(NonPagedPool, IoSizeofWorkItem(), TAG);
    Check(32, own != NULL, 0);
    IoInitializeWorkItem(Device, own);
    IoQueueWorkItemEx(own, WaitingWork, DelayedWorkQueue, &Other);
    KeWaitForSingleObject(&Other, Executive, KernelMode, FALSE, NULL);
    IoUninitializeWorkItem(own);
    ExFreePoolWithTag(own, TAG);
}

/* A system thread answering requests: it runs only while DriverEntry
 * waits, and each answer takes it 1 ms. */
static VOID NTAPI Doubler(PVOID Context)
{
    Check(60, Context == &Go && KeGetCurrentIrql() == PASSIVE_LEVEL, (ULONG_PTR)Context);
    for (;;) {
        KeWaitForSingleObject(&Go, Executive, KernelMode, FALSE, NULL);
        if (Stop)
            break;
        Reply = 2 * Request;
        Delay(1 * MS);
        KeSetEvent(&Back, IO_NO_INCREMENT, FALSE);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void ThreadChecks(void)
{
    HANDLE handle;
    PVOID thread;
    LONGLONG start = Now();

    KeInitializeEvent(&Go, SynchronizationEvent, FALSE);
    KeInitializeEvent(&Back, SynchronizationEvent, FALSE);
    NTSTATUS status =
        PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Doubler, &Go);
    Check(61, NT_SUCCESS(status), status);
    status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, NULL, KernelMode, &thread, NULL);
    Check(62, NT_SUCCESS(status), status);
    ZwClose(handle);
    for (LONG i = 1; i <= 4; i++) {
        Request = i;
        KeSetEvent(&Go, IO_NO_INCREMENT, FALSE);
        KeWaitForSingleObject(&Back, Executive, KernelMode, FALSE, NULL);
        Check(63, Reply == 2 * i, (ULONG_PTR)Reply);
    }
    Check(64, Now() - start == 4 * MS, (ULONG_PTR)(Now() - start));
    /* The thread object is signalled when the thread ends. */
    Stop = TRUE;
    KeSetEvent(&Go, IO_NO_INCREMENT, FALSE);
    status = KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, NULL);
    Check(65, status == STATUS_SUCCESS, status);
    ObDereferenceObject(thread);
}

static void MdlChecks(void)
{
    PUCHAR buffer = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE + 100, TAG);
    ULONG length = 2 * PAGE_SIZE + 50;
    Check(40, buffer != NULL, 0);

    /* Nonpaged pool: the MDL describes the buffer itself. */
    PMDL mdl = IoAllocateMdl(buffer + 100, length, FALSE, FALSE, NULL);
    Check(41, mdl != NULL, 0);
    MmBuildMdlForNonPagedPool(mdl);
    Check(42, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == buffer + 100, 0);
    Check(43, MmGetMdlVirtualAddress(mdl) == buffer + 100 && MmGetMdlByteCount(mdl) == length, 0);
    PPFN_NUMBER pfns = MmGetMdlPfnArray(mdl);
    Check(44, pfns[0] != 0 && pfns[1] == pfns[0] + 1 && pfns[2] == pfns[1] + 1, pfns[0]);
    IoFreeMdl(mdl);

    /* Locked pages mapped twice more: the mappings alias the same memory. */
    mdl = IoAllocateMdl(buffer + 100, length, FALSE, FALSE, NULL);
    Check(45, mdl != NULL, 0);
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    PUCHAR system = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    Check(46, system != NULL && system != buffer + 100, (ULONG_PTR)system);
    system[PAGE_SIZE] = 0x5a;
    Check(47, buffer[100 + PAGE_SIZE] == 0x5a, buffer[100 + PAGE_SIZE]);
    PUCHAR user =
        MmMapLockedPagesSpecifyCache(mdl, UserMode, MmCached, NULL, FALSE, NormalPagePriority);
    Check(48, user != NULL && (ULONG_PTR)user < USER_LIMIT, (ULONG_PTR)user);
    buffer[101] = 0x77;
    Check(49, user[1] == 0x77, user[1]);
    MmUnmapLockedPages(user, mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buffer, TAG);
}

static VOID NTAPI KernUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
    Check(50, KeCancelTimer(&Ticker) == TRUE, 0);
    Check(51, Ticks == VWKERN_TICKS, (ULONG_PTR)Ticks);
    IoDeleteDevice(Device);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    LARGE_INTEGER due;
    (void)RegistryPath;
    DriverObject->DriverUnload = KernUnload;
    NTSTATUS status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &Device);
    if (!NT_SUCCESS(status))
        return status;
    TimerChecks();
    WaitMultipleChecks();
    WorkItemChecks();
    MdlChecks();
    ThreadChecks();

    /* Left running for the scenario's idle time. */
    KeInitializeDpc(&TickDpcObject, TickDpc, NULL);
    KeInitializeTimer(&Ticker);
    due.QuadPart = -10 * MS;
    KeSetTimerEx(&Ticker, due, 10, &TickDpcObject);
    return STATUS_SUCCESS;
}
