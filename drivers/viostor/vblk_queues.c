/*
 * vblk_queues.c - how many request queues viostor runs and which message
 * each one interrupts on.  One queue per CPU up to what the device has; the
 * messages the system granted are shared when there are too few, never
 * traded for fewer queues (the existing driver's silent fall-back to one
 * queue is what this replaces).
 */
#include "vblk.h"

/* IRQL: any (pure): fill plan (see vblk.h) */
void vblk_plan_queues(unsigned cpus, unsigned dev_queues, unsigned messages,
                      struct vblk_queue_plan *plan)
{
    unsigned n = cpus != 0 ? cpus : 1;

    if (dev_queues == 0)
        dev_queues = 1;
    if (n > dev_queues)
        n = dev_queues;
    if (n > VBLK_MAX_QUEUES)
        n = VBLK_MAX_QUEUES;
    plan->nqueues = n;
    plan->config_msg = 0;
    if (messages >= n + 1) {
        plan->mode = VBLK_MSG_ONE_EACH;
        for (unsigned q = 0; q < n; q++)
            plan->queue_msg[q] = (uint16_t)(q + 1);
    } else if (messages >= 2) {
        plan->mode = VBLK_MSG_SHARED;
        for (unsigned q = 0; q < n; q++)
            plan->queue_msg[q] = (uint16_t)(1 + q % (messages - 1));
    } else {
        plan->mode = VBLK_MSG_ALL_ONE;
        for (unsigned q = 0; q < n; q++)
            plan->queue_msg[q] = 0;
    }
    for (unsigned q = n; q < VBLK_MAX_QUEUES; q++)
        plan->queue_msg[q] = 0;
}

/* IRQL: any (pure): see vblk.h */
uint32_t vblk_queue_depth(const uint16_t *sizes, unsigned n, bool indirect)
{
    uint32_t depth = 0;

    for (unsigned q = 0; q < n; q++)
        depth += indirect ? sizes[q] : sizes[q] / 3u;
    return depth != 0 ? depth : 1;
}
