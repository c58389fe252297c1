/*
 * ctrl.c - the control queue: one command at a time (a lock), written into
 * the adapter's control page (command, then the ack byte the device
 * writes), the device notified and its answer polled for at most
 * NK_CTRL_POLLS x 10 us.  A command the device does not acknowledge is
 * logged and reported to the caller; nothing waits forever.
 */
#include "netkvm.h"

#define NK_CTRL_ACK_OFF 1024u /* the ack byte's place in the control page */

/* IRQL <= DISPATCH_LEVEL. send one command; TRUE when the device acknowledged it. */
BOOLEAN NkCtrlSend(PNK_ADAPTER a, const struct nk_ctrl_cmd *cmd)
{
    struct virtqueue_req rq;
    BOOLEAN ok = FALSE;
    if (!a->HasCtrl || !a->Ready || a->Removed || a->CtrlDma.va == NULL)
        return FALSE;
    NdisAcquireSpinLock(&a->CtrlLock);
    PUCHAR page = a->CtrlDma.va;
    size_t n = nk_ctrl_wire(cmd, page);
    volatile UCHAR *ack = page + NK_CTRL_ACK_OFF;
    *ack = 0xff;
    if (virtqueue_req_open(&a->Ctrl, &rq, 2, NULL) == 0) {
        virtqueue_req_seg(&rq, a->CtrlDma.pa, (uint32_t)n, 0);
        virtqueue_req_seg(&rq, a->CtrlDma.pa + NK_CTRL_ACK_OFF, 1, VIRTQUEUE_SEG_WRITE);
        if (virtqueue_req_close(&rq, page) == 0) {
            uint32_t written = 0;
            void *done = NULL;
            virtqueue_kick(&a->Ctrl);
            for (ULONG i = 0; i < NK_CTRL_POLLS && done == NULL && !virtqueue_broken(&a->Ctrl);
                 i++) {
                done = virtqueue_get(&a->Ctrl, &written);
                if (done == NULL)
                    KeStallExecutionProcessor(10);
            }
            ok = done != NULL && nk_ctrl_acked(*ack, written);
            if (done == NULL)
                DbgPrint("netkvm: control command %u/%u unanswered\n", cmd->class_, cmd->cmd);
        }
    }
    NdisReleaseSpinLock(&a->CtrlLock);
    if (!ok)
        DbgPrint("netkvm: control command %u/%u not acknowledged\n", cmd->class_, cmd->cmd);
    return ok;
}

/* IRQL: PASSIVE_LEVEL. tell the device how many pairs to use (MQ). */
void NkCtrlSetPairs(PNK_ADAPTER a)
{
    struct nk_ctrl_cmd c;
    a->ActivePairs = 1;
    if (a->Pairs <= 1 || !(a->Features & NK_BIT(VIRTIO_NET_F_MQ)))
        return;
    if (nk_ctrl_mq_pairs(a->Pairs, &c) && NkCtrlSend(a, &c))
        a->ActivePairs = a->Pairs;
}

/* IRQL <= DISPATCH_LEVEL. receive mode and multicast table for the current filter. */
void NkCtrlApplyFilter(PNK_ADAPTER a)
{
    struct nk_ctrl_cmd c[4];
    unsigned n = nk_ctrl_rx_mode(a->PacketFilter, a->Features, c);
    for (unsigned i = 0; i < n; i++)
        NkCtrlSend(a, &c[i]);
    if ((a->Features & NK_BIT(VIRTIO_NET_F_CTRL_RX)) &&
        nk_ctrl_mac_table((const uint8_t(*)[NK_ETH_ALEN])a->Mcast, a->McastCount, &c[0]))
        NkCtrlSend(a, &c[0]);
}

/* IRQL: PASSIVE_LEVEL. NetworkAddress: tell the device the address in use
 * (CTRL_MAC_ADDR); refused, the device's own address is kept and logged. */
void NkCtrlSetMac(PNK_ADAPTER a)
{
    struct nk_ctrl_cmd c;
    ULONG same = 0;
    while (same < NK_ETH_ALEN && a->CurrentMac[same] == a->Cfg.mac[same])
        same++;
    if (same == NK_ETH_ALEN)
        return; /* the device's own address: nothing to tell */
    nk_ctrl_mac_addr(a->CurrentMac, &c);
    if (!NkCtrlSend(a, &c)) {
        DbgPrint("netkvm: NetworkAddress refused by the device; keeping its own address\n");
        RtlCopyMemory(a->CurrentMac, a->Cfg.mac, NK_ETH_ALEN);
    }
}
