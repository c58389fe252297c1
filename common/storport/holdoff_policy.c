/*
 * The CompletionHoldoff setting as a number (see holdoff_policy.h).
 */
#include "holdoff_policy.h"

/* IRQL: any. see holdoff_policy.h; the ring conditions first: a value
 * that has no effect is never also said to be clamped. */
uint32_t vw_holdoff_us(uint32_t Raw, bool EventIdx, bool Packed, enum vw_holdoff_note *Note)
{
    *Note = VW_HOLDOFF_NOTE_NONE;
    if (Raw == 0)
        return 0;
    if (!EventIdx) {
        *Note = VW_HOLDOFF_NOTE_NO_EVENT_IDX;
        return 0;
    }
    if (Packed) {
        *Note = VW_HOLDOFF_NOTE_PACKED;
        return 0;
    }
    if (Raw > VW_HOLDOFF_MAX_US) {
        *Note = VW_HOLDOFF_NOTE_CLAMPED;
        return VW_HOLDOFF_MAX_US;
    }
    return Raw;
}

/* IRQL: any. see holdoff_policy.h. */
uint32_t vw_holdoff_idle_periods(uint32_t Us)
{
    if (Us == 0 || Us >= VW_HOLDOFF_IDLE_US)
        return 1;
    uint32_t n = (VW_HOLDOFF_IDLE_US + Us - 1) / Us;
    return n < VW_HOLDOFF_IDLE_PERIODS ? n : VW_HOLDOFF_IDLE_PERIODS;
}
