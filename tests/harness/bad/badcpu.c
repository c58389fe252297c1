/*
 * Planted bugs for the many-CPU model (k_cpus.c), one per processor count
 * the scenario gives the machine (selftest/cpus.c), and the same flows done
 * right at any other count:
 *   2  a DPC on another CPU updates a counter without the spin lock the
 *      code on CPU 0 holds around its read-modify-write: a lost update
 *      (DriverEntry fails with STATUS_DATA_ERROR);
 *   3  a DPC queued at DISPATCH_LEVEL frees its context; the driver lowers
 *      the IRQL with KeReleaseSpinLock and still writes the context,
 *      assuming the DPC has not run (use after free);
 *   5  the same, lowering with KeLowerIrql (inline mov cr8 on amd64);
 *   6  a spin lock released twice;
 *   7  a DPC that returns with the IRQL it raised;
 *   8  two CPUs taking two locks in opposite orders (a deadlock).
 * Done right: the DPC takes the lock and spins until CPU 0 releases it.
 */
#include <ntddk.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD BadCpuUnload;
static KDEFERRED_ROUTINE CountDpc, FreeDpc, RaiseDpc, OrderDpc;

static KSPIN_LOCK Lock, Lock2;
static KDPC Dpc;
static volatile LONG Counter;
static ULONG Mode, Target;
static volatile LONG DpcCpuOk;

struct ctx {
    LONG Done;
};

/* The DPC's half of the counter (DISPATCH_LEVEL, on the target CPU). */
static VOID NTAPI CountDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    PROCESSOR_NUMBER pn;

    (void)D;
    (void)Context;
    (void)A1;
    (void)A2;
    DpcCpuOk = KeGetCurrentProcessorNumberEx(&pn) == Target && pn.Group * 64u + pn.Number == Target;
    if (Mode == 2) {
        Counter++; /* the bug: without the lock */
        return;
    }
    KeAcquireSpinLockAtDpcLevel(&Lock);
    Counter++;
    KeReleaseSpinLockFromDpcLevel(&Lock);
}

/* Frees its context (DISPATCH_LEVEL). */
static VOID NTAPI FreeDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    (void)D;
    (void)A1;
    (void)A2;
    ExFreePoolWithTag(Context, 'upcB');
}

/* Returns at the IRQL it raised to (the bug). */
static VOID NTAPI RaiseDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    KIRQL old;

    (void)D;
    (void)Context;
    (void)A1;
    (void)A2;
    KeRaiseIrql(HIGH_LEVEL, &old);
}

/* Takes Lock2 then Lock (CPU 0 takes Lock then Lock2: the bug). */
static VOID NTAPI OrderDpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    (void)D;
    (void)Context;
    (void)A1;
    (void)A2;
    KeAcquireSpinLockAtDpcLevel(&Lock2);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KeReleaseSpinLockFromDpcLevel(&Lock2);
}

static VOID NTAPI BadCpuUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
}

/* Kernel calls where the DPC on its CPU runs (any IRQL): several, so that
 * it lands inside the window under every scheduling seed (at a seeded
 * point an idle CPU runs its work about every other time). */
static void Window(void)
{
    for (int i = 0; i < 16; i++)
        KeStallExecutionProcessor(1);
}

/* Queue ROUTINE's DPC on the last processor (any IRQL). */
static NTSTATUS QueueOnTarget(PKDEFERRED_ROUTINE Routine)
{
    PROCESSOR_NUMBER pn;
    NTSTATUS status;

    KeInitializeDpc(&Dpc, Routine, NULL);
    status = KeGetProcessorNumberFromIndex(Target, &pn);
    if (NT_SUCCESS(status))
        status = KeSetTargetProcessorDpcEx(&Dpc, &pn);
    if (NT_SUCCESS(status))
        KeInsertQueueDpc(&Dpc, NULL, NULL);
    return status;
}

/* A DPC on this CPU frees CTX when the IRQL drops; the write after the
 * lowering assumes it has not run yet (modes 3 and 5). */
static NTSTATUS LowerWithDpcPending(void)
{
    struct ctx *c = ExAllocatePoolWithTag(NonPagedPool, sizeof(*c), 'upcB');
    KIRQL old;

    if (c == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeDpc(&Dpc, FreeDpc, c);
    if (Mode == 3) {
        KeAcquireSpinLock(&Lock, &old);
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        KeReleaseSpinLock(&Lock, old);
    } else {
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        KeInsertQueueDpc(&Dpc, NULL, NULL);
        KeLowerIrql(old);
    }
    c->Done = 1; /* the bug: the DPC ran when the IRQL dropped */
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    KIRQL old;
    LONG seen;
    NTSTATUS status;

    (void)RegistryPath;
    DriverObject->DriverUnload = BadCpuUnload;
    KeInitializeSpinLock(&Lock);
    KeInitializeSpinLock(&Lock2);
    Mode = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    if (KeQueryMaximumProcessorCountEx(ALL_PROCESSOR_GROUPS) != Mode)
        return STATUS_NOT_SUPPORTED;
    if (Mode < 2)
        return STATUS_SUCCESS; /* nothing to race with */
    Target = Mode - 1;
    switch (Mode) {
    case 3:
    case 5:
        return LowerWithDpcPending();
    case 6:
        KeAcquireSpinLock(&Lock, &old);
        KeAcquireSpinLockAtDpcLevel(&Lock2);
        KeReleaseSpinLockFromDpcLevel(&Lock2);
        KeReleaseSpinLockFromDpcLevel(&Lock2); /* the bug */
        KeReleaseSpinLock(&Lock, old);
        return STATUS_SUCCESS;
    case 7:
        status = QueueOnTarget(RaiseDpc);
        KeFlushQueuedDpcs();
        return status;
    case 8:
        KeAcquireSpinLock(&Lock, &old);
        status = QueueOnTarget(OrderDpc);
        Window(); /* the DPC runs on its CPU: takes Lock2, spins */
        KeAcquireSpinLockAtDpcLevel(&Lock2);
        KeReleaseSpinLockFromDpcLevel(&Lock2);
        KeReleaseSpinLock(&Lock, old);
        return status;
    default:
        break;
    }
    /* The counter: read under the lock, a kernel call (where the DPC runs
     * on its CPU), then the write. */
    KeAcquireSpinLock(&Lock, &old);
    seen = Counter;
    status = QueueOnTarget(CountDpc);
    Window();
    Counter = seen + 1;
    KeReleaseSpinLock(&Lock, old);
    KeFlushQueuedDpcs();
    if (!NT_SUCCESS(status))
        return status;
    if (Counter != 2)
        return STATUS_DATA_ERROR;
    return DpcCpuOk ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
