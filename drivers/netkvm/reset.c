/*
 * reset.c - MiniportResetEx (ndis/nc-ndis-miniport_reset) under traffic,
 * completed synchronously at the caller's IRQL (<= DISPATCH_LEVEL: no
 * NdisMResetComplete needed).  The steps follow nk_reset's state machine:
 * new sends are refused with NDIS_STATUS_RESET_IN_PROGRESS and nothing is
 * posted; the device is reset (it stops using every ring), every send it
 * held or that waited is completed once with NDIS_STATUS_RESET_IN_PROGRESS
 * (from NDIS 6.30 pending sends must be completed before the reset is),
 * every posted receive buffer is taken back (frames indicated and still
 * held by the protocol come back through MiniportReturnNetBufferLists and
 * are posted later, never lost or indicated twice); the device is
 * negotiated again on the same rings and the buffers posted, sends go on
 * pair 0 until the control settings (pairs, MAC address, receive mode,
 * VLAN filter, RSS, guest offloads: PASSIVE_LEVEL commands) are said again
 * by a work item.  AddressingReset is FALSE: the miniport restores all.
 */
#include "netkvm.h"

static NDIS_IO_WORKITEM_FUNCTION NkResetRestoreWork;

/* IRQL: PASSIVE_LEVEL. the work item that says the control settings again. */
NDIS_STATUS NkResetInit(PNK_ADAPTER a)
{
    a->ResetWork = NdisAllocateIoWorkItem(a->Handle);
    return a->ResetWork != NULL ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

/* IRQL: PASSIVE_LEVEL. wait for a queued restore (1 s at most), free the item. */
void NkResetFree(PNK_ADAPTER a)
{
    for (ULONG i = 0; i < 1000 && a->ResetQueued != 0; i++)
        NdisMSleep(1000);
    if (a->ResetWork != NULL)
        NdisFreeIoWorkItem(a->ResetWork);
    a->ResetWork = NULL;
}

/* IRQL: PASSIVE_LEVEL. the control settings said again after a reset. */
static VOID NTAPI NkResetRestoreWork(PVOID Context, NDIS_HANDLE WorkItem)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)WorkItem;
    if (a->Ready && !a->Removed) {
        NkCtrlSetPairs(a);
        NkCtrlSetMac(a);
        NkCtrlApplyFilter(a);
        NkVlanInit(a);
        NkRssRestore(a);
        NkOffloadRestore(a);
    }
    InterlockedExchange(&a->ResetQueued, 0);
}

/* IRQL <= DISPATCH_LEVEL. the device reset, its sends completed and its
 * buffers taken back; FALSE when the control page is in use by a command
 * on another processor (that command's answer would be lost: no reset). */
static BOOLEAN NkResetDevice(PNK_ADAPTER a)
{
    if (InterlockedCompareExchange(&a->CtrlBusy, 1, 0) != 0)
        return FALSE;
    a->Ready = FALSE; /* DPCs, the announcement and control commands stop here */
    nk_reset_advance(&a->Reset, NK_RESET_DEVICE);
    virtio_device_reset(&a->V.Dev);
    for (ULONG k = 0; k < a->Pairs; k++) {
        NkRxReclaim(&a->Rx[k]);
        NkTxCancelAll(&a->Tx[k], NDIS_STATUS_RESET_IN_PROGRESS);
    }
    if (a->HasCtrl)
        while (virtqueue_detach_unused(&a->Ctrl) != NULL)
            ;
    a->CtrlStale = FALSE; /* an unanswered command went with the reset */
    InterlockedExchange(&a->CtrlBusy, 0);
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. MiniportResetEx. */
NDIS_STATUS NTAPI NkReset(NDIS_HANDLE Context, PBOOLEAN AddressingReset)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    *AddressingReset = FALSE;
    /* A D0 the device did not come back from (power.c) is tried again here */
    BOOLEAN d0_again = a->D0Failed && !a->Removed;
    if (!d0_again && (!a->Ready || a->Removed || a->PoweredDown))
        return NDIS_STATUS_SUCCESS; /* no device running: nothing in flight to reset */
    if (!nk_reset_begin(&a->Reset))
        return NDIS_STATUS_RESET_IN_PROGRESS;
    if (!NkResetDevice(a)) {
        /* Not started: back to IDLE through the two steps, counted failed */
        nk_reset_advance(&a->Reset, NK_RESET_DEVICE);
        nk_reset_end(&a->Reset, FALSE);
        NK_LOG(a, NK_LOG_ERR, "netkvm: reset refused: a control command is in flight\n");
        return NDIS_STATUS_RESET_IN_PROGRESS;
    }
    nk_reset_advance(&a->Reset, NK_RESET_RESTORE);
    NDIS_STATUS st = NkDeviceReinit(a);
    if (st == NDIS_STATUS_SUCCESS) {
        a->ActivePairs = 1; /* the device's default until VQ_PAIRS_SET (the work item) */
        if (d0_again) {
            a->PoweredDown = FALSE;
            a->D0Failed = FALSE;
            NkRxRefillStart(a);
        }
        a->Ready = TRUE;
        for (ULONG k = 0; k < a->Pairs; k++)
            NkRxPost(&a->Rx[k]);
    }
    nk_reset_end(&a->Reset, st == NDIS_STATUS_SUCCESS);
    NK_LOG(a, NK_LOG_ERR, "netkvm: reset %lu: %s\n", a->Reset.done,
           st == NDIS_STATUS_SUCCESS ? "device negotiated again, buffers posted"
                                     : "the device did not come back");
    if (st != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_HARD_ERRORS;
    NkLinkUpdate(a, FALSE);
    if (a->ResetWork != NULL && InterlockedCompareExchange(&a->ResetQueued, 1, 0) == 0)
        NdisQueueIoWorkItem(a->ResetWork, NkResetRestoreWork, a);
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL (ndis/nc-ndis-miniport_check_for_hang; about every
 * two seconds). TRUE when the adapter needs MiniportResetEx: the device set
 * DEVICE_NEEDS_RESET, a ring broke (the core found the device breaking a
 * rule: it completes nothing more), or a transmit queue held sends and
 * completed none over NK_TX_STALL_LOOKS looks (nk_tx_watch).  Only looks:
 * the reset is NDIS's call.  FALSE while no device runs or a reset does. */
BOOLEAN NTAPI NkCheckForHang(NDIS_HANDLE Context)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    const char *why = NULL;
    ULONG which = 0;
    if (a->D0Failed && !a->Removed && !nk_reset_refuses_sends(&a->Reset)) {
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: check for hang: the device is down since D0; asking for a "
               "reset\n");
        return TRUE;
    }
    if (!a->Ready || a->Removed || a->PoweredDown || nk_reset_refuses_sends(&a->Reset))
        return FALSE;
    if (virtio_device_needs_reset(&a->V.Dev))
        why = "the device needs a reset";
    for (ULONG k = 0; k < a->Pairs; k++) {
        PNK_TXQ q = &a->Tx[k];
        NdisAcquireSpinLock(&q->Lock);
        uint32_t held = (uint32_t)(q->Vq.num - virtqueue_num_free(&q->Vq));
        ULONG64 done = q->Done;
        NdisReleaseSpinLock(&q->Lock);
        BOOLEAN stalled = nk_tx_watch(&q->Watch, held, done);
        if (why != NULL)
            continue; /* every queue's look taken, the reason known */
        if (virtqueue_broken(&q->Vq) || virtqueue_broken(&a->Rx[k].Vq))
            why = "a ring broke", which = k;
        else if (stalled)
            why = "sends held with none completed", which = k;
    }
    if (why == NULL)
        return FALSE;
    NK_LOG(a, NK_LOG_ERR, "netkvm: check for hang: %s (pair %lu); asking for a reset\n", why,
           which);
    return TRUE;
}
