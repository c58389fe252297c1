/*
 * state.c - the miniport's run state and link: pause completes only when
 * every accepted send was completed and every indicated NBL came back
 * (TxOut and RxOut, counted before the state is read on both paths);
 * restart; link-state indications from the device's STATUS field.
 */
#include "netkvm.h"

/* IRQL <= DISPATCH_LEVEL. finish a pending pause once nothing is outstanding (once). */
void NkPauseCheck(PNK_ADAPTER a)
{
    if (a->State != NK_PAUSING || a->TxOut != 0 || a->RxOut != 0)
        return;
    if (InterlockedCompareExchange(&a->State, NK_PAUSED, NK_PAUSING) == NK_PAUSING)
        NdisMPauseComplete(a->Handle);
}

/* IRQL: PASSIVE_LEVEL. MiniportPause: no new sends or indications; pending
 * until what is outstanding comes back. */
NDIS_STATUS NTAPI NkPause(NDIS_HANDLE Context, PNDIS_MINIPORT_PAUSE_PARAMETERS Params)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)Params;
    InterlockedExchange(&a->State, NK_PAUSING);
    if (a->Removed)
        for (ULONG i = 0; i < a->Pairs; i++)
            NkTxCancelAll(&a->Tx[i], NDIS_STATUS_ADAPTER_REMOVED);
    if (a->TxOut == 0 && a->RxOut == 0 &&
        InterlockedCompareExchange(&a->State, NK_PAUSED, NK_PAUSING) == NK_PAUSING)
        return NDIS_STATUS_SUCCESS;
    return a->State == NK_PAUSED ? NDIS_STATUS_SUCCESS : NDIS_STATUS_PENDING;
}

/* IRQL: PASSIVE_LEVEL. MiniportRestart: sends and indications resume. */
NDIS_STATUS NTAPI NkRestart(NDIS_HANDLE Context, PNDIS_MINIPORT_RESTART_PARAMETERS Params)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)Params;
    InterlockedExchange(&a->State, NK_RUNNING);
    for (ULONG i = 0; i < a->Pairs; i++)
        NkRxPost(&a->Rx[i]);
    NkAnnounceResume(a); /* an announcement asked for while paused */
    return NDIS_STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. read the link from the device and indicate a
 * change (or always, with Force). */
void NkLinkUpdate(PNK_ADAPTER a, BOOLEAN Force)
{
    uint8_t cfg[NK_CFG_BYTES];
    struct nk_config c = a->Cfg;
    uint32_t len = virtio_config_len(&a->V.Dev);
    if (len > sizeof(cfg))
        len = sizeof(cfg);
    if (len < NK_CFG_STATUS + 2 || virtio_config_read(&a->V.Dev, 0, cfg, len) != 0)
        return;
    BOOLEAN status = nk_config_status(cfg, len, a->Features, &c);
    /* SPEED_DUPLEX: the device may change speed or duplex with the same
     * interrupt; without it the defaults stay (nk_config_check's) */
    if (a->Features & NK_BIT(VIRTIO_NET_F_SPEED_DUPLEX))
        nk_config_link(cfg, len, a->Features, &c);
    else if (!status)
        return;
    if (c.announce)
        NkAnnounceRequest(a); /* GUEST_ANNOUNCE: a work item sends it (announce.c) */
    if (!Force && c.link_up == a->LinkUp && c.speed_bps == a->Cfg.speed_bps &&
        c.duplex == a->Cfg.duplex)
        return;
    if (c.speed_bps != a->Cfg.speed_bps || c.duplex != a->Cfg.duplex)
        NK_LOG(a, NK_LOG_ERR, "netkvm: link %s, %llu Mbit/s, duplex %u\n",
               c.link_up ? "up" : "down", (unsigned long long)(c.speed_bps / 1000000u), c.duplex);
    a->Cfg.speed_bps = c.speed_bps;
    a->Cfg.duplex = c.duplex;
    a->LinkUp = c.link_up;

    NDIS_LINK_STATE ls;
    RtlZeroMemory(&ls, sizeof(ls));
    NK_HEADER(ls.Header, NDIS_OBJECT_TYPE_DEFAULT, NDIS_LINK_STATE_REVISION_1, sizeof(ls));
    ls.MediaConnectState = c.link_up ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    ls.MediaDuplexState = !c.link_up                           ? MediaDuplexStateUnknown
                          : c.duplex == VIRTIO_NET_DUPLEX_HALF ? MediaDuplexStateHalf
                          : c.duplex == VIRTIO_NET_DUPLEX_FULL ? MediaDuplexStateFull
                                                               : MediaDuplexStateUnknown;
    ls.XmitLinkSpeed = ls.RcvLinkSpeed = c.link_up ? c.speed_bps : NDIS_LINK_SPEED_UNKNOWN;
    ls.PauseFunctions = NdisPauseFunctionsUnsupported;
    NkIndicateStatus(a, NDIS_STATUS_LINK_STATE, &ls, sizeof(ls));
}

/* IRQL <= DISPATCH_LEVEL. one status indication on the default port:
 * code with len bytes at buf (NDIS_STATUS_INDICATION). */
void NkIndicateStatus(PNK_ADAPTER a, NDIS_STATUS code, PVOID buf, ULONG len)
{
    NDIS_STATUS_INDICATION ind;
    RtlZeroMemory(&ind, sizeof(ind));
    NK_HEADER(ind.Header, NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_STATUS_INDICATION_REVISION_1,
              sizeof(ind));
    ind.SourceHandle = a->Handle;
    ind.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    ind.StatusCode = code;
    ind.StatusBuffer = buf;
    ind.StatusBufferSize = len;
    NdisMIndicateStatusEx(a->Handle, &ind);
}

/* IRQL: any. 0 directed, 1 multicast, 2 broadcast, from a destination address. */
void NkFrameClass(const UCHAR *Dest, ULONG *Class)
{
    UCHAR all = 0xff;
    for (ULONG i = 0; i < NK_ETH_ALEN; i++)
        all &= Dest[i];
    if (all == 0xff)
        *Class = 2;
    else if (Dest[0] & 1)
        *Class = 1;
    else
        *Class = 0;
}
