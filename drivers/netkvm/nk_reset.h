/*
 * nk_reset.h - the adapter reset's state machine (MiniportResetEx),
 * OS-neutral (no Windows header; the host unit tests build it as is).
 *
 * Facts (ndis/nc-ndis-miniport_reset): NDIS calls MiniportResetEx at IRQL
 * <= DISPATCH_LEVEL and aborts no send; from NDIS 6.30 on the miniport
 * must complete every pending send before the reset completes;
 * NDIS_STATUS_RESET_IN_PROGRESS answers a reset asked while one runs; the
 * status indications of the reset are NDIS's, a link change the
 * miniport's.
 *
 * States, in this order only:
 *   IDLE     sends go to the device, buffers are posted
 *   QUIESCE  the reset began: a new send is refused with RESET_IN_PROGRESS,
 *            nothing is posted to a ring (a returned buffer waits free)
 *   DEVICE   the device is reset: every send it held or that waited is
 *            completed (RESET_IN_PROGRESS), every posted buffer taken back
 *   RESTORE  the device is negotiated again: buffers posted, the control
 *            settings said again; then IDLE (or IDLE counted as failed)
 *
 * Usage (driver.c, NkReset):
 *     if (!nk_reset_begin(&r)) return NDIS_STATUS_RESET_IN_PROGRESS;
 *     nk_reset_advance(&r, NK_RESET_DEVICE);  ... reset, complete, take back
 *     nk_reset_advance(&r, NK_RESET_RESTORE); ... negotiate, post, restore
 *     nk_reset_end(&r, ok);
 *   data path: nk_reset_refuses_sends(&r), nk_reset_may_post(&r).
 */
#ifndef NK_RESET_H
#define NK_RESET_H

#include <stdbool.h>
#include <stdint.h>

enum nk_reset_state { NK_RESET_IDLE = 0, NK_RESET_QUIESCE, NK_RESET_DEVICE, NK_RESET_RESTORE };

struct nk_reset {
    volatile int32_t state; /* enum nk_reset_state */
    uint32_t done, failed;  /* resets finished, of them failed */
};

/* IDLE -> QUIESCE, atomically: false when a reset already runs. */
bool nk_reset_begin(struct nk_reset *r);
/* One step forward (QUIESCE -> DEVICE -> RESTORE); false, nothing
 * changed, for any other move. */
bool nk_reset_advance(struct nk_reset *r, enum nk_reset_state to);
/* RESTORE (or DEVICE, when the restore could not start) -> IDLE, counted;
 * false, nothing changed, from any other state. */
bool nk_reset_end(struct nk_reset *r, bool ok);
/* A send arriving now is refused with RESET_IN_PROGRESS (any state but IDLE). */
bool nk_reset_refuses_sends(const struct nk_reset *r);
/* Buffers and frames may go to a ring now (IDLE and RESTORE). */
bool nk_reset_may_post(const struct nk_reset *r);

#endif /* NK_RESET_H */
