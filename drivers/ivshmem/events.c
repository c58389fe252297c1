/*
 * ivshmem: user events set when an interrupt vector fires.  The event
 * objects are referenced while registered; entries belong to a handle and
 * go with it.  References are dropped outside the spin lock.
 */
#include "ivshmem.h"

/* Register a caller's event for a vector, referenced until it fires once or its handle closes.
 * IRQL: PASSIVE_LEVEL. */
NTSTATUS IvshmemRegisterEvent(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner, HANDLE Handle,
                              USHORT Vector, BOOLEAN SingleShot, KPROCESSOR_MODE Mode)
{
    PKEVENT event = NULL;
    KIRQL irql;

    if (Vector >= Ivshmem->Vectors)
        return STATUS_INVALID_PARAMETER; /* it can never fire */
    NTSTATUS status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE | EVENT_MODIFY_STATE,
                                                *ExEventObjectType, Mode, (PVOID *)&event, NULL);
    if (!NT_SUCCESS(status))
        return STATUS_INVALID_HANDLE;
    KeClearEvent(event);

    status = STATUS_INSUFFICIENT_RESOURCES;
    KeAcquireSpinLock(&Ivshmem->EventLock, &irql);
    for (ULONG i = 0; i < IVSHMEM_MAX_EVENTS; i++) {
        IVSHMEM_EVENT_ENTRY *entry = &Ivshmem->Events[i];
        if (entry->Owner != NULL)
            continue;
        entry->Owner = Owner;
        entry->Event = event;
        entry->Vector = Vector;
        entry->SingleShot = SingleShot;
        status = STATUS_SUCCESS;
        break;
    }
    KeReleaseSpinLock(&Ivshmem->EventLock, irql);
    if (!NT_SUCCESS(status))
        ObDereferenceObject(event);
    return status;
}

/* DISPATCH_LEVEL, from the DPC. IRQL: DISPATCH_LEVEL. */
VOID IvshmemSignalVector(PIVSHMEM_DEVICE Ivshmem, ULONG Vector)
{
    PKEVENT done[IVSHMEM_MAX_EVENTS];
    ULONG count = 0;

    KeAcquireSpinLockAtDpcLevel(&Ivshmem->EventLock);
    for (ULONG i = 0; i < IVSHMEM_MAX_EVENTS; i++) {
        IVSHMEM_EVENT_ENTRY *entry = &Ivshmem->Events[i];
        if (entry->Owner == NULL || entry->Vector != Vector)
            continue;
        KeSetEvent(entry->Event, IO_NO_INCREMENT, FALSE);
        if (entry->SingleShot) {
            done[count++] = entry->Event;
            RtlZeroMemory(entry, sizeof(*entry));
        }
    }
    KeReleaseSpinLockFromDpcLevel(&Ivshmem->EventLock);
    for (ULONG i = 0; i < count; i++)
        ObDereferenceObject(done[i]);
}

/* Dereference every event a file object registered. IRQL: PASSIVE_LEVEL. */
VOID IvshmemDropEvents(PIVSHMEM_DEVICE Ivshmem, PFILE_OBJECT Owner)
{
    PKEVENT done[IVSHMEM_MAX_EVENTS];
    ULONG count = 0;
    KIRQL irql;

    KeAcquireSpinLock(&Ivshmem->EventLock, &irql);
    for (ULONG i = 0; i < IVSHMEM_MAX_EVENTS; i++) {
        IVSHMEM_EVENT_ENTRY *entry = &Ivshmem->Events[i];
        if (entry->Owner != Owner || Owner == NULL)
            continue;
        done[count++] = entry->Event;
        RtlZeroMemory(entry, sizeof(*entry));
    }
    KeReleaseSpinLock(&Ivshmem->EventLock, irql);
    for (ULONG i = 0; i < count; i++)
        ObDereferenceObject(done[i]);
}
