/*
 * power.c - OID_PNP_SET_POWER (network/oid-pnp-set-power, "Handling a Set
 * Power Request"): NDIS pauses the adapter first, so at D3 every send is
 * completed and every indicated NBL came back.  To D3 the device is reset
 * (status 0: it stops using the rings and forgets every control setting)
 * and the buffers it held are taken back; frames that arrive while the
 * function is down never reach the driver (the device has no queue to put
 * them in).  To D0 the device is negotiated again with the same features,
 * its queues enabled again on their memory, the receive buffers posted,
 * and everything the control queue set is said again: queue pairs, MAC
 * address, receive mode and multicast table, VLAN filter, RSS, guest
 * offloads.  NDIS restarts the adapter afterwards.
 */
#include "netkvm.h"

/* IRQL: PASSIVE_LEVEL. to D3: reset the device, take back what it held. */
static void NkPowerDown(PNK_ADAPTER a)
{
    if (a->PoweredDown || !a->Mapped)
        return;
    a->Ready = FALSE; /* DPCs, the announcement and control commands stop here */
    for (ULONG i = 0; i < 100 && a->AnnounceQueued != 0; i++)
        NdisMSleep(1000); /* an announcement in flight finishes its command */
    a->PoweredDown = TRUE;
    NkRxRefillStop(a); /* no refill retry posts into the device being reset */
    if (a->Removed)
        return; /* the function is gone: nothing to reset */
    virtio_device_reset(&a->V.Dev);
    for (ULONG k = 0; k < a->Pairs; k++) {
        NkRxReclaim(&a->Rx[k]);
        NkTxCancelAll(&a->Tx[k], NDIS_STATUS_PAUSED); /* only the miniport's own frames */
    }
    /* The control queue: its one command (if any) was answered or abandoned;
     * the page is claimed as a command would (ctrl.c's CtrlBusy) */
    LONG claimed = 0;
    for (ULONG i = 0; i < 1000 && !(claimed = InterlockedCompareExchange(&a->CtrlBusy, 1, 0) == 0);
         i++)
        NdisMSleep(100);
    if (a->HasCtrl)
        while (virtqueue_detach_unused(&a->Ctrl) != NULL)
            ;
    if (claimed)
        InterlockedExchange(&a->CtrlBusy, 0);
    NK_LOG(a, NK_LOG_ERR, "netkvm: D3: device reset, receive buffers taken back\n");
}

/* IRQL: PASSIVE_LEVEL. to D0: the device again, as the OS last set it. */
static NDIS_STATUS NkPowerUp(PNK_ADAPTER a)
{
    if (!a->PoweredDown)
        return NDIS_STATUS_SUCCESS;
    if (a->Removed)
        return NDIS_STATUS_ADAPTER_REMOVED;
    NDIS_STATUS st = NkDeviceReinit(a);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    a->PoweredDown = FALSE;
    a->D0Failed = FALSE;
    a->Ready = TRUE;
    NkRxRefillStart(a);
    for (ULONG k = 0; k < a->Pairs; k++)
        NkRxPost(&a->Rx[k]); /* paused: nothing is indicated before the restart */
    NkCtrlSetPairs(a);
    NkCtrlSetMac(a);
    NkCtrlApplyFilter(a);
    NkVlanInit(a);
    NkRssRestore(a);
    NkOffloadRestore(a);
    NkLinkUpdate(a, FALSE);
    NK_LOG(a, NK_LOG_ERR,
           "netkvm: D0: device negotiated again, %lu pairs, control settings restored\n", a->Pairs);
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. OID_PNP_SET_POWER: D0, or a low-power state (D3;
 * D1/D2 are not advertised, and treated as D3 if asked). */
NDIS_STATUS NkPowerSet(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    ULONG state;
    if (r->DATA.SET_INFORMATION.InformationBufferLength < sizeof(ULONG)) {
        r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    RtlCopyMemory(&state, r->DATA.SET_INFORMATION.InformationBuffer, sizeof(state));
    if (state < NdisDeviceStateD0 || state > NdisDeviceStateD3)
        return NDIS_STATUS_INVALID_DATA;
    r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
    if (state == NdisDeviceStateD0) {
        NDIS_STATUS st = NkPowerUp(a);
        if (st == NDIS_STATUS_SUCCESS || st == NDIS_STATUS_ADAPTER_REMOVED)
            return st;
        /* network/oid-pnp-set-power: the miniport always answers
         * NDIS_STATUS_SUCCESS.  The device stays down (nothing posted or
         * sent: PoweredDown), NDIS's check for hang asks for a reset and
         * MiniportResetEx tries the device again (reset.c) */
        a->D0Failed = TRUE;
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: D0: the device did not come back (0x%x); down until a reset brings it\n",
               st);
        return NDIS_STATUS_SUCCESS;
    }
    NkPowerDown(a);
    return NDIS_STATUS_SUCCESS;
}
