/*
 * vwdm: interrupts.  Message-signalled interrupts (MSI/MSI-X) when the PnP
 * manager assigned them, with the line-based interrupt as the fallback that
 * IoConnectInterruptEx itself chooses; one DPC per message so that queues
 * served by different messages never share a DPC.
 */
#include "vwdm.h"

static KMESSAGE_SERVICE_ROUTINE VwMessageIsr;
static KSERVICE_ROUTINE VwLineIsr;
static KDEFERRED_ROUTINE VwInterruptDpc;

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

static BOOLEAN NTAPI VwMessageIsr(PKINTERRUPT Interrupt, PVOID Context, ULONG MessageId)
{
    (void)Interrupt;
    return VwServe((PVW_DEVICE)Context, MessageId);
}

static BOOLEAN NTAPI VwLineIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    (void)Interrupt;
    return VwServe((PVW_DEVICE)Context, 0);
}

static VOID NTAPI VwInterruptDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PVW_INTERRUPT_CONTEXT ctx = (PVW_INTERRUPT_CONTEXT)Context;

    (void)Dpc;
    (void)Arg1;
    (void)Arg2;
    ctx->Device->Config->Dpc(ctx->Device, ctx->MessageId);
}

NTSTATUS VwConnectInterrupts(PVW_DEVICE Device)
{
    IO_CONNECT_INTERRUPT_PARAMETERS params;
    NTSTATUS status;

    if (!Device->Resources.HasInterrupt)
        return STATUS_SUCCESS; /* polled device */

    RtlZeroMemory(&params, sizeof(params));
    params.Version = CONNECT_MESSAGE_BASED;
    params.MessageBased.PhysicalDeviceObject = Device->Pdo;
    params.MessageBased.ConnectionContext.Generic = &Device->ConnectionContext;
    params.MessageBased.MessageServiceRoutine = VwMessageIsr;
    params.MessageBased.ServiceContext = Device;
    params.MessageBased.FallBackServiceRoutine = VwLineIsr;
    status = IoConnectInterruptEx(&params);
    if (!NT_SUCCESS(status)) {
        VwError(Device, "IoConnectInterruptEx failed 0x%08lx", status);
        return status;
    }
    Device->ConnectionVersion = params.Version;

    /* The kernel says which kind it connected; the message table (MSI)
     * gives the count.  More messages than we track stay unused. */
    ULONG count = 1;
    if (params.Version == CONNECT_MESSAGE_BASED) {
        PIO_INTERRUPT_MESSAGE_INFO table = (PIO_INTERRUPT_MESSAGE_INFO)Device->ConnectionContext;
        count = table->MessageCount < VW_MAX_INTERRUPTS ? table->MessageCount : VW_MAX_INTERRUPTS;
    }
    for (ULONG i = 0; i < count; i++) {
        Device->Interrupts[i].Device = Device;
        Device->Interrupts[i].MessageId = i;
        KeInitializeDpc(&Device->Interrupts[i].Dpc, VwInterruptDpc, &Device->Interrupts[i]);
    }
    /* Published last: VwServe ignores messages until their DPC exists. */
    InterlockedExchange((LONG volatile *)&Device->InterruptCount, (LONG)count);
    VwInfo(Device, "%s interrupt, %lu message(s)",
           params.Version == CONNECT_MESSAGE_BASED ? "message-signalled" : "line-based", count);
    return STATUS_SUCCESS;
}

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
