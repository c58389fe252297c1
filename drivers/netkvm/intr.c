/*
 * intr.c - interrupts: one MSI-X message per queue when the system grants
 * 2 * pairs + 2, queues sharing messages when it grants fewer (the plan in
 * nk_queues.c), or one line.  The ISRs only decide and queue a DPC; the
 * DPC of a pair's message runs on that pair's CPU and serves its receive
 * and send queues; the configuration message (or a line's CONFIG bit)
 * updates the link state.
 */
#include "netkvm.h"

/* IRQL: DISPATCH_LEVEL. serve every queue that uses message (or all: a line). */
static void NkServe(PNK_ADAPTER a, ULONG message, BOOLEAN all, BOOLEAN config)
{
    if (!a->Ready)
        return;
    if (config)
        NkLinkUpdate(a, FALSE);
    for (ULONG k = 0; k < a->Pairs; k++) {
        if (all || a->Rx[k].Message == message)
            NkRxDrain(&a->Rx[k]);
        if (all || a->Tx[k].Message == message)
            NkTxDrain(&a->Tx[k]);
    }
}

/* IRQL: DIRQL. a line interrupt: ours when the ISR status says so.
 * Reading it acknowledges (virtio 1.2 4.1.4.5: the read resets it and
 * de-asserts the line), so it is read whenever the device is mapped, also
 * while a reset or D3 keeps the DPC from serving: a level-triggered line
 * left asserted would interrupt without end.  0 on a shared line: another
 * device's; all ones: the device is gone. */
static BOOLEAN NTAPI NkIsr(NDIS_HANDLE Context, PBOOLEAN QueueDpc, PULONG TargetProcessors)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)TargetProcessors;
    *QueueDpc = FALSE;
    if (!a->Mapped || a->Removed)
        return FALSE;
    uint8_t isr = virtio_isr_ack(&a->V.Dev, 0);
    if (isr == 0 || isr == 0xff)
        return FALSE; /* not ours, or the device is gone */
    /* Kept for the next DPC: a configuration change seen while not Ready
     * is served when the adapter is again (the restarts read the link too) */
    InterlockedOr(&a->LineIsr, isr);
    *QueueDpc = a->Ready;
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL. the line interrupt's DPC: every queue. */
static VOID NTAPI NkDpc(NDIS_HANDLE Context, PVOID DpcContext, PVOID Throttle, PVOID Reserved)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)DpcContext, (void)Throttle, (void)Reserved;
    LONG isr = InterlockedExchange(&a->LineIsr, 0);
    NkServe(a, 0, TRUE, (isr & VIRTIO_PCI_ISR_CONFIG) != 0);
}

/* IRQL: DIRQL. a message: queue its DPC, on the pair's CPU when the
 * message is one pair's. */
static BOOLEAN NTAPI NkMsiIsr(NDIS_HANDLE Context, ULONG MessageId, PBOOLEAN QueueDpc,
                              PULONG TargetProcessors)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)TargetProcessors;
    *QueueDpc = FALSE;
    if (!a->Ready)
        return TRUE; /* a message is never shared: ours, nothing to do yet */
    if (a->Plan.mode == NK_MSG_ONE_EACH || a->Plan.mode == NK_MSG_PER_PAIR) {
        for (ULONG k = 0; k < a->Pairs; k++) {
            if (a->Rx[k].Message != MessageId && a->Tx[k].Message != MessageId)
                continue;
            if (a->Rx[k].HasAffinity) {
                NdisMQueueDpcEx(a->Interrupt, MessageId, &a->Rx[k].Affinity, NULL);
                return TRUE;
            }
            break;
        }
    }
    *QueueDpc = TRUE;
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL. a message's DPC: the queues on it, and the link
 * state when it carries configuration changes. */
static VOID NTAPI NkMsiDpc(NDIS_HANDLE Context, ULONG MessageId, PVOID DpcContext, PVOID Throttle,
                           PVOID Reserved)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)DpcContext, (void)Throttle, (void)Reserved;
    BOOLEAN config = MessageId == nk_queue_message(&a->Plan, NK_CONFIG_QUEUE);
    NkServe(a, MessageId, a->Plan.mode == NK_MSG_ALL_ONE, config);
}

/* IRQL: DIRQL. nothing to mask: queues suppress their own notifications. */
static VOID NTAPI NkIntrNop(NDIS_HANDLE Context)
{
    (void)Context;
}

/* IRQL: DIRQL. see NkIntrNop. */
static VOID NTAPI NkMsiNop(NDIS_HANDLE Context, ULONG MessageId)
{
    (void)Context, (void)MessageId;
}

/* IRQL: PASSIVE_LEVEL. connect line and message handlers; NDIS picks. */
NDIS_STATUS NkInterruptRegister(PNK_ADAPTER a)
{
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS c;
    RtlZeroMemory(&c, sizeof(c));
    NK_HEADER(c.Header, NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, NDIS_MINIPORT_INTERRUPT_REVISION_1,
              sizeof(c));
    c.InterruptHandler = NkIsr;
    c.InterruptDpcHandler = NkDpc;
    c.DisableInterruptHandler = NkIntrNop;
    c.EnableInterruptHandler = NkIntrNop;
    c.MsiSupported = TRUE;
    c.MsiSyncWithAllMessages = FALSE;
    c.MessageInterruptHandler = NkMsiIsr;
    c.MessageInterruptDpcHandler = NkMsiDpc;
    c.DisableMessageInterruptHandler = NkMsiNop;
    c.EnableMessageInterruptHandler = NkMsiNop;
    NDIS_STATUS st = NdisMRegisterInterruptEx(a->Handle, a, &c, &a->Interrupt);
    if (st != NDIS_STATUS_SUCCESS) {
        a->Interrupt = NULL;
        return st;
    }
    a->InterruptType = c.InterruptType;
    a->MessageInfo = c.MessageInfoTable;
    a->Messages = 0;
    if (c.InterruptType == NDIS_CONNECT_MESSAGE_BASED && c.MessageInfoTable != NULL)
        a->Messages = c.MessageInfoTable->MessageCount;
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. disconnect; no ISR or DPC runs afterwards. */
void NkInterruptDeregister(PNK_ADAPTER a)
{
    if (a->Interrupt != NULL)
        NdisMDeregisterInterruptEx(a->Interrupt);
    a->Interrupt = NULL;
}
