/*
 * vscsi_queues.c - how many request queues vioscsi runs and which message
 * each queue interrupts on.  One request queue per CPU up to what the
 * device has; control and event queues beside them.  When the system grants
 * fewer messages than queues + 3, queues share messages; the number of
 * request queues never drops for that.
 */
#include "vscsi.h"

/* IRQL: any (pure): fill plan (see vscsi.h) */
void vscsi_plan_queues(unsigned cpus, unsigned dev_queues, unsigned messages,
                       struct vscsi_queue_plan *plan)
{
    unsigned n = cpus != 0 ? cpus : 1;

    if (dev_queues == 0)
        dev_queues = 1;
    if (n > dev_queues)
        n = dev_queues;
    if (n > VSCSI_MAX_QUEUES)
        n = VSCSI_MAX_QUEUES;
    plan->nqueues = n;
    for (unsigned q = 0; q < VSCSI_MAX_QUEUES; q++)
        plan->queue_msg[q] = 0;
    plan->config_msg = plan->control_msg = plan->event_msg = 0;
    if (messages >= n + 3) {
        plan->mode = VSCSI_MSG_ONE_EACH;
        plan->control_msg = 1, plan->event_msg = 2;
        for (unsigned q = 0; q < n; q++)
            plan->queue_msg[q] = (uint16_t)(3 + q);
    } else if (messages >= 4) {
        /* The three rare sources keep their own; requests share the rest */
        plan->mode = VSCSI_MSG_SHARED;
        plan->control_msg = 1, plan->event_msg = 2;
        for (unsigned q = 0; q < n; q++)
            plan->queue_msg[q] = (uint16_t)(3 + q % (messages - 3));
    } else if (messages >= 2) {
        /* Configuration, control and event on 0; requests share the rest */
        plan->mode = VSCSI_MSG_SHARED;
        for (unsigned q = 0; q < n; q++)
            plan->queue_msg[q] = (uint16_t)(1 + q % (messages - 1));
    } else {
        plan->mode = VSCSI_MSG_ALL_ONE;
    }
}
