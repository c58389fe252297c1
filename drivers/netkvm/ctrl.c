/*
 * ctrl.c - the control queue: one command at a time (a claim flag, not a
 * lock held across the wait), written into the adapter's control page
 * (command, then the ack byte the device writes), the device notified and
 * its answer polled for NK_CTRL_BOUND_US of waiting at most.  Spec 5.1.6.5: the
 * device answers through the used ring; NDIS may call MiniportOidRequest
 * at IRQL <= DISPATCH_LEVEL ("Porting Miniport Driver OID Request Handling
 * to NDIS 6.0"), and initialisation runs at PASSIVE_LEVEL: at PASSIVE the
 * wait sleeps between polls (NdisMSleep), above it a caller can only
 * stall.  A command the device does not acknowledge is logged and
 * reported to the caller; the bound is logged when hit; nothing waits
 * forever.  A command that timed out stays the device's (its page, its
 * ring entry): no command is posted until its used entry came back and
 * was reaped, so no command takes an old answer as its own, and each
 * answer is matched to its command by cookie.
 */
#include "netkvm.h"

#define NK_CTRL_ACK_OFF  1024u   /* the ack byte's place in the control page */
#define NK_CTRL_BOUND_US 100000u /* a command's claim, and its answer: 100 ms each */
#define NK_POLL_STEP_US  10u     /* the first wait between two polls */
#define NK_POLL_STEP_MAX 1000u   /* asleep: the step doubles up to 1 ms */

/* IRQL <= DISPATCH_LEVEL. poll ready(ctx) until it says TRUE or bound_us
 * of waiting passed: asleep between polls at PASSIVE_LEVEL (NdisMSleep:
 * no lock held, the processor free; steps of 10 us doubling to 1 ms, so a
 * quick answer is seen quickly and a slow one costs few wake-ups), a 10 us
 * stall above it.  The bound counts the waits asked for (a sleep may last
 * longer: the timer's resolution).  FALSE: the bound was hit. */
BOOLEAN NkPoll(BOOLEAN (*ready)(PVOID), PVOID ctx, ULONG bound_us)
{
    ULONG waited = 0, step = NK_POLL_STEP_US;
    for (;;) {
        if (ready(ctx))
            return TRUE;
        if (waited >= bound_us)
            return FALSE;
        if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
            NdisMSleep(step);
            waited += step;
            step = step * 2 > NK_POLL_STEP_MAX ? NK_POLL_STEP_MAX : step * 2;
        } else {
            KeStallExecutionProcessor(NK_POLL_STEP_US);
            waited += NK_POLL_STEP_US;
        }
    }
}

/* IRQL <= DISPATCH_LEVEL. NkPoll's test: the control page claimed. */
static BOOLEAN NkCtrlClaimed(PVOID ctx)
{
    PNK_ADAPTER a = (PNK_ADAPTER)ctx;
    return InterlockedCompareExchange(&a->CtrlBusy, 1, 0) == 0;
}

/* What the answer poll looks for: the device's used entry for Cookie */
typedef struct _NK_CTRL_WAIT {
    PNK_ADAPTER Adapter;
    void *Cookie;
    void *Done;
    uint32_t Written;
} NK_CTRL_WAIT;

/* IRQL <= DISPATCH_LEVEL. NkPoll's test: the device answered this command
 * (another cookie, an older command's, is reaped and not taken), or the
 * queue broke. */
static BOOLEAN NkCtrlAnswered(PVOID ctx)
{
    NK_CTRL_WAIT *w = (NK_CTRL_WAIT *)ctx;
    void *got;
    w->Done = NULL;
    while ((got = virtqueue_get(&w->Adapter->Ctrl, &w->Written)) != NULL) {
        if (got == w->Cookie) {
            w->Done = got;
            return TRUE;
        }
        NK_LOG(w->Adapter, NK_LOG_ERR, "netkvm: control answer for an older command reaped\n");
    }
    return virtqueue_broken(&w->Adapter->Ctrl);
}

/* IRQL <= DISPATCH_LEVEL, the control page claimed. whether the command
 * that timed out came back (reaped now): until it does, the page and the
 * ring entry are the device's and no command may be posted. */
static BOOLEAN NkCtrlReapStale(PNK_ADAPTER a)
{
    uint32_t len;
    void *got;
    if (!a->CtrlStale)
        return TRUE;
    while ((got = virtqueue_get(&a->Ctrl, &len)) != NULL)
        if (got == (void *)a->CtrlSeq)
            a->CtrlStale = FALSE;
    return !a->CtrlStale;
}

/* IRQL <= DISPATCH_LEVEL. send one command; TRUE when the device acknowledged it. */
BOOLEAN NkCtrlSend(PNK_ADAPTER a, const struct nk_ctrl_cmd *cmd)
{
    struct virtqueue_req rq;
    NK_CTRL_WAIT w = {a, NULL, NULL, 0};
    BOOLEAN ok = FALSE;
    if (!a->HasCtrl || !a->Ready || a->Removed || a->CtrlDma.va == NULL)
        return FALSE;
    if (!NkPoll(NkCtrlClaimed, a, NK_CTRL_BOUND_US)) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: control command %u/%u: the queue stayed busy for %u us\n",
               cmd->class_, cmd->cmd, NK_CTRL_BOUND_US);
        return FALSE;
    }
    if (!NkCtrlReapStale(a)) {
        InterlockedExchange(&a->CtrlBusy, 0);
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: control command %u/%u refused: an earlier one is still unanswered\n",
               cmd->class_, cmd->cmd);
        return FALSE;
    }
    PUCHAR page = a->CtrlDma.va;
    size_t n = nk_ctrl_wire(cmd, page);
    volatile UCHAR *ack = page + NK_CTRL_ACK_OFF;
    *ack = 0xff;
    if (virtqueue_req_open(&a->Ctrl, &rq, 2, NULL) == 0) {
        virtqueue_req_seg(&rq, a->CtrlDma.pa, (uint32_t)n, 0);
        virtqueue_req_seg(&rq, a->CtrlDma.pa + NK_CTRL_ACK_OFF, 1, VIRTQUEUE_SEG_WRITE);
        a->CtrlSeq += 2;
        w.Cookie = (void *)a->CtrlSeq;
        if (virtqueue_req_close(&rq, w.Cookie) == 0) {
            virtqueue_kick(&a->Ctrl);
            if (!NkPoll(NkCtrlAnswered, &w, NK_CTRL_BOUND_US)) {
                NK_LOG(a, NK_LOG_ERR,
                       "netkvm: control command %u/%u unanswered after %u us (the bound)\n",
                       cmd->class_, cmd->cmd, NK_CTRL_BOUND_US);
                a->CtrlStale = TRUE; /* the next command reaps it first */
            }
            ok = w.Done != NULL && nk_ctrl_acked(*ack, w.Written);
        }
    }
    InterlockedExchange(&a->CtrlBusy, 0);
    NK_LOG(a, NK_LOG_CTRL, "netkvm: control command %u/%u, %lu bytes: %s\n", cmd->class_, cmd->cmd,
           (ULONG)n, ok ? "acknowledged" : "not acknowledged");
    if (!ok)
        NK_LOG(a, NK_LOG_ERR, "netkvm: control command %u/%u not acknowledged\n", cmd->class_,
               cmd->cmd);
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

/* IRQL <= DISPATCH_LEVEL. MAC_TABLE_SET: the address in use in the unicast
 * list when the device delivers to it only so (NK_MAC_UNICAST), and the
 * multicast list; FALSE when not sent or refused. */
static BOOLEAN NkCtrlSendTable(PNK_ADAPTER a)
{
    struct nk_ctrl_cmd c;
    return nk_ctrl_rx_table(a->MacWay, a->Features, a->CurrentMac,
                            (const uint8_t(*)[NK_ETH_ALEN])a->Mcast, a->McastCount, &c) &&
           NkCtrlSend(a, &c);
}

/* IRQL <= DISPATCH_LEVEL. receive mode and MAC table for the current filter
 * and multicast list (the unicast entry with every table: a table replaces
 * the last). */
void NkCtrlApplyFilter(PNK_ADAPTER a)
{
    struct nk_ctrl_cmd c[4];
    unsigned n = nk_ctrl_rx_mode(a->PacketFilter, a->Features, c);
    for (unsigned i = 0; i < n; i++)
        NkCtrlSend(a, &c[i]);
    (void)NkCtrlSendTable(a);
}

/* IRQL: PASSIVE_LEVEL. NetworkAddress: tell the device the address in use
 * (MAC_ADDR_SET, or the unicast list of MAC_TABLE_SET); refused, the
 * device's own address is kept and logged. */
void NkCtrlSetMac(PNK_ADAPTER a)
{
    struct nk_ctrl_cmd c;
    BOOLEAN ok;
    if (a->MacWay == NK_MAC_DEVICE)
        return; /* the device's own address: nothing to tell */
    if (a->MacWay == NK_MAC_UNICAST) {
        ok = NkCtrlSendTable(a);
    } else {
        nk_ctrl_mac_addr(a->CurrentMac, &c);
        ok = NkCtrlSend(a, &c);
    }
    if (!ok) {
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: NetworkAddress refused by the device (%s); keeping its own address\n",
               a->MacWay == NK_MAC_UNICAST ? "MAC_TABLE_SET" : "MAC_ADDR_SET");
        a->MacWay = NK_MAC_DEVICE;
        RtlCopyMemory(a->CurrentMac, a->Cfg.mac, NK_ETH_ALEN);
        if (!NkRxFilterPublish(a)) /* frames judged against the address in use */
            NK_LOG(a, NK_LOG_ERR, "netkvm: receive filter keeps the refused address\n");
    }
}
