/*
 * vwdm: interrupts.  Message-signalled interrupts (MSI/MSI-X) when the PnP
 * manager assigned them, with the line-based interrupt as the fallback that
 * IoConnectInterruptEx itself chooses; one DPC per message so that queues
 * served by different messages never share a DPC.  What the kernel hands
 * back is checked before use (VwConnectMessages).
 */
#include "vwdm.h"

static KMESSAGE_SERVICE_ROUTINE VwMessageIsr;
static KSERVICE_ROUTINE VwLineIsr;
static KDEFERRED_ROUTINE VwInterruptDpc;

/* Ask the driver's ISR whether the interrupt is its own, and queue the DPC it asks for. IRQL:
 * DIRQL. */
static BOOLEAN VwServe(PVW_DEVICE Device, ULONG MessageId)
{
    BOOLEAN queueDpc = FALSE;

    if (MessageId >= Device->InterruptCount)
        return FALSE;
    BOOLEAN ours = Device->Config->Isr(Device, MessageId, &queueDpc);
    if (ours && queueDpc && Device->Config->Dpc != NULL)
        KeInsertQueueDpc(&Device->Interrupts[MessageId].Dpc, NULL, NULL);
    return ours;
}

/* Message-signalled interrupt service routine: one message of the device. IRQL: DIRQL. */
static BOOLEAN NTAPI VwMessageIsr(PKINTERRUPT Interrupt, PVOID Context, ULONG MessageId)
{
    (void)Interrupt;
    return VwServe((PVW_DEVICE)Context, MessageId);
}

/* Line-based interrupt service routine: the line may be shared, so the driver's ISR decides. IRQL:
 * DIRQL. */
static BOOLEAN NTAPI VwLineIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    (void)Interrupt;
    return VwServe((PVW_DEVICE)Context, 0);
}

/* The interrupt's DPC: run the driver's DPC for the message that queued it. IRQL: DISPATCH_LEVEL.
 */
static VOID NTAPI VwInterruptDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PVW_INTERRUPT_CONTEXT ctx = (PVW_INTERRUPT_CONTEXT)Context;

    (void)Dpc;
    (void)Arg1;
    (void)Arg2;
    ctx->Device->Config->Dpc(ctx->Device, ctx->MessageId);
}

/* A line-based connection of the PDO's interrupt (PASSIVE_LEVEL): the
 * fallback when the kernel's message-based answer cannot be used. IRQL: PASSIVE_LEVEL. */
static NTSTATUS VwConnectLine(PVW_DEVICE Device)
{
    IO_CONNECT_INTERRUPT_PARAMETERS params;
    PKINTERRUPT object = NULL;

    RtlZeroMemory(&params, sizeof(params));
    params.Version = CONNECT_LINE_BASED;
    params.LineBased.PhysicalDeviceObject = Device->Pdo;
    params.LineBased.InterruptObject = &object;
    params.LineBased.ServiceRoutine = VwLineIsr;
    params.LineBased.ServiceContext = Device;
    NTSTATUS status = IoConnectInterruptEx(&params);
    if (!NT_SUCCESS(status))
        return status;
    if (object == NULL) {
        /* Success without an interrupt object: nothing we could ever
         * disconnect; treat it as no interrupt at all. */
        VwError(Device, "IoConnectInterruptEx(line) succeeded without an interrupt object");
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    Device->ConnectionContext = object;
    Device->ConnectionVersion = CONNECT_LINE_BASED;
    return STATUS_SUCCESS;
}

/* IoConnectInterruptEx(CONNECT_MESSAGE_BASED), its answer checked like a
 * device value: the kernel says which kind it connected in Version and
 * fills the connection context (the message table, or the line's
 * interrupt object).  A kernel that returns success without filling it (an
 * NT-compatible kernel did, for an x86 guest under QEMU) gets the
 * line-based connection instead; the message count comes from the table
 * and is bounded.  Returns the number of messages in *Count. IRQL: PASSIVE_LEVEL. */
static NTSTATUS VwConnectMessages(PVW_DEVICE Device, PULONG Count)
{
    IO_CONNECT_INTERRUPT_PARAMETERS params;
    PVOID context = NULL;
    NTSTATUS status;

    RtlZeroMemory(&params, sizeof(params));
    params.Version = CONNECT_MESSAGE_BASED;
    params.MessageBased.PhysicalDeviceObject = Device->Pdo;
    params.MessageBased.ConnectionContext.Generic = &context;
    params.MessageBased.MessageServiceRoutine = VwMessageIsr;
    params.MessageBased.ServiceContext = Device;
    params.MessageBased.FallBackServiceRoutine = VwLineIsr;
    status = IoConnectInterruptEx(&params);
    if (!NT_SUCCESS(status))
        return status;

    *Count = 1;
    if (params.Version == CONNECT_MESSAGE_BASED && context != NULL) {
        PIO_INTERRUPT_MESSAGE_INFO table = (PIO_INTERRUPT_MESSAGE_INFO)context;
        ULONG messages = table->MessageCount;
        Device->ConnectionContext = context;
        Device->ConnectionVersion = CONNECT_MESSAGE_BASED;
        if (messages == 0) {
            /* Connected, but no message to serve: undo and use the line. */
            VwError(Device, "message table with no message: using the line interrupt");
            VwDisconnectInterrupts(Device);
            return VwConnectLine(Device);
        }
        /* More messages than we track stay unused. */
        *Count = messages < VW_MAX_INTERRUPTS ? messages : VW_MAX_INTERRUPTS;
        return STATUS_SUCCESS;
    }
    if (params.Version == CONNECT_LINE_BASED && context != NULL) {
        Device->ConnectionContext = context;
        Device->ConnectionVersion = CONNECT_LINE_BASED;
        return STATUS_SUCCESS;
    }
    /* Success with no context (or a kind we did not ask for): nothing was
     * handed back that could be served or disconnected. */
    VwError(Device,
            "IoConnectInterruptEx: success without a connection (version %lu): "
            "connecting the line interrupt",
            params.Version);
    return VwConnectLine(Device);
}

/* Connect the device's interrupts at start: messages when granted, else the line. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS VwConnectInterrupts(PVW_DEVICE Device)
{
    ULONG count = 0;
    NTSTATUS status;

    if (!Device->Resources.HasInterrupt)
        return STATUS_SUCCESS; /* polled device */

    status = VwConnectMessages(Device, &count);
    if (!NT_SUCCESS(status)) {
        VwError(Device, "IoConnectInterruptEx failed 0x%08lx", status);
        return status;
    }
    for (ULONG i = 0; i < count; i++) {
        Device->Interrupts[i].Device = Device;
        Device->Interrupts[i].MessageId = i;
        KeInitializeDpc(&Device->Interrupts[i].Dpc, VwInterruptDpc, &Device->Interrupts[i]);
    }
    /* Published last: VwServe ignores messages until their DPC exists. */
    InterlockedExchange((LONG volatile *)&Device->InterruptCount, (LONG)count);
    VwInfo(Device, "%s interrupt, %lu message(s)",
           Device->ConnectionVersion == CONNECT_MESSAGE_BASED ? "message-signalled" : "line-based",
           count);
    return STATUS_SUCCESS;
}

/* Disconnect what VwConnectInterrupts connected, with the version it connected. IRQL:
 * PASSIVE_LEVEL. */
VOID VwDisconnectInterrupts(PVW_DEVICE Device)
{
    IO_DISCONNECT_INTERRUPT_PARAMETERS params;

    if (Device->ConnectionContext == NULL)
        return;
    params.Version = Device->ConnectionVersion;
    params.ConnectionContext.Generic = Device->ConnectionContext;
    IoDisconnectInterruptEx(&params);
    /* No ISR runs any more; let DPCs already queued finish. */
    for (ULONG i = 0; i < Device->InterruptCount; i++)
        KeRemoveQueueDpc(&Device->Interrupts[i].Dpc);
    KeFlushQueuedDpcs();
    Device->InterruptCount = 0;
    Device->ConnectionContext = NULL;
}
