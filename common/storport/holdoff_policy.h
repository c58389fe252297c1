/*
 * holdoff_policy.h - the CompletionHoldoff setting of viostor and vioscsi
 * (registry DWORD under the service's Parameters\Device, microseconds),
 * as a number and the one log line it may call for.  OS-neutral (no
 * Windows header): host-tested; stor_holdoff.c reads the registry and
 * prints the line.
 *
 *   0 or absent   off: the rings are driven as without the setting
 *   1..1000       on (split rings with EVENT_IDX): after a drain, the
 *                 interrupt is asked for when the last request the device
 *                 holds completes, and a timer drains at most that many
 *                 microseconds later
 *   above 1000    1000 ("<drv>: CompletionHoldoff N: 1000 used")
 *   no EVENT_IDX  off ("<drv>: CompletionHoldoff N: no effect without EVENT_IDX")
 *   packed rings  off ("<drv>: CompletionHoldoff N: no effect on packed rings")
 *   dump copy     not read (no registry at HIGH_LEVEL): off, no line
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define VW_HOLDOFF_MAX_US 1000 /* the longest hold a completion may get */
/* Timer drains in a row that find nothing go on for this long and this
 * many periods at most, then the queue's interrupt is armed as without the
 * setting: a device that pauses between completions keeps the holdoff, a
 * stalled one is not polled */
#define VW_HOLDOFF_IDLE_US      2000
#define VW_HOLDOFF_IDLE_PERIODS 16

/* What the setting's log line says (none when it is off or taken as given) */
enum vw_holdoff_note {
    VW_HOLDOFF_NOTE_NONE = 0,
    VW_HOLDOFF_NOTE_CLAMPED,      /* above VW_HOLDOFF_MAX_US: that used */
    VW_HOLDOFF_NOTE_NO_EVENT_IDX, /* VIRTIO_F_EVENT_IDX not negotiated: no effect */
    VW_HOLDOFF_NOTE_PACKED,       /* packed rings negotiated: no effect */
};

/* IRQL: any. the microseconds in force for the registry value Raw (0:
 * absent) on a device with (EventIdx, Packed); *Note what to log. */
uint32_t vw_holdoff_us(uint32_t Raw, bool EventIdx, bool Packed, enum vw_holdoff_note *Note);

/* IRQL: any. how many empty timer drains in a row a queue held Us
 * microseconds (1..VW_HOLDOFF_MAX_US) gets: VW_HOLDOFF_IDLE_US of them,
 * rounded up, at least 1, at most VW_HOLDOFF_IDLE_PERIODS. */
uint32_t vw_holdoff_idle_periods(uint32_t Us);
