/*
 * nk_txdone.h - the device's account of the sends it completed, and
 * whether a transmit queue stopped completing them, OS-neutral (no Windows
 * header; the host unit tests build it as is).
 *
 * Facts: a send is a device-readable chain only (a virtio_net_hdr and the
 * frame, virtio 1.2 5.1.6.2); the used entry's len is "the total bytes
 * written into the buffer" (2.7.8), so for a send anything but 0 is the
 * device describing a write it cannot have made: the frame completes
 * failed, counted, logged (tx.c).  MiniportCheckForHangEx
 * (ndis/nc-ndis-miniport_check_for_hang) returns TRUE when the adapter is
 * not operating and needs MiniportResetEx: the device set
 * DEVICE_NEEDS_RESET (2.1.2), a queue broke, or a queue holds sends and
 * completed none over NK_TX_STALL_LOOKS looks in a row.
 *
 * Usage:
 *   completion (tx.c, DISPATCH_LEVEL): if (!nk_tx_used_ok(len)) fail the frame
 *   MiniportCheckForHangEx (PASSIVE_LEVEL, every CheckForHangTimeInSeconds),
 *   per queue after reaping what the device used:
 *     if (nk_tx_watch(&q->Watch, sends_at_device, sends_completed)) hung
 */
#ifndef NK_TXDONE_H
#define NK_TXDONE_H

#include <stdbool.h>
#include <stdint.h>

/* Looks (CheckForHang calls) in a row with sends held and none completed
 * before the queue counts as hung: two, so a send posted just before a
 * look is never the reason: the device held it a whole interval at least
 * (2 s by default) */
#define NK_TX_STALL_LOOKS 2u

/* A queue's progress as the last look saw it */
struct nk_tx_watch {
    uint64_t done;   /* sends completed at the last look */
    uint32_t stalls; /* looks in a row with sends held and none completed */
};

/* True when a send's used length is what the device may report (0). */
bool nk_tx_used_ok(uint32_t used_len);

/* One look at a queue holding `held` sends at the device, `done`
 * completed so far (never decreasing): true once NK_TX_STALL_LOOKS looks
 * in a row saw sends held and `done` unchanged; a completion or an empty
 * queue starts the count again. */
bool nk_tx_watch(struct nk_tx_watch *w, uint32_t held, uint64_t done);

#endif /* NK_TXDONE_H */
