/*
 * nk_queues.c - how many queue pairs run and which interrupt message each
 * queue uses.  One pair per CPU up to what the device has: no other cap
 * (the old driver stopped at 32).  The full set of messages is one per
 * queue plus the configuration's (2 * pairs + 2 with a control queue);
 * with fewer, queues share them, and the number of pairs stays.
 */
#include "nk_net.h"

/* IRQL: any. messages for one each (see nk_net.h) */
unsigned nk_messages_wanted(unsigned pairs, bool ctrl)
{
    return 2 * pairs + 1 + (ctrl ? 1 : 0);
}

/* IRQL: any. choose pairs and the message mode (see nk_net.h) */
void nk_plan_queues(unsigned cpus, unsigned dev_pairs, unsigned wanted, bool ctrl,
                    unsigned messages, struct nk_queue_plan *plan)
{
    unsigned pairs = cpus != 0 ? cpus : 1;
    if (dev_pairs == 0) /* nk_config_check never gives 0; one pair if it did */
        dev_pairs = 1;
    if (dev_pairs > VIRTIO_NET_MQ_PAIRS_MAX)
        dev_pairs = VIRTIO_NET_MQ_PAIRS_MAX;
    if (pairs > dev_pairs)
        pairs = dev_pairs;
    if (wanted != 0 && pairs > wanted)
        pairs = wanted;
    plan->pairs = pairs;
    plan->ctrl = ctrl;
    /* The control queue follows the device's last pair, used or not (spec 5.1.2) */
    plan->ctrl_index = (uint16_t)(2 * dev_pairs);
    plan->messages = messages;
    if (messages <= 1)
        plan->mode = NK_MSG_ALL_ONE;
    else if (messages >= nk_messages_wanted(pairs, ctrl))
        plan->mode = NK_MSG_ONE_EACH;
    else if (messages >= pairs + 1 + (ctrl ? 1 : 0))
        plan->mode = NK_MSG_PER_PAIR;
    else
        plan->mode = NK_MSG_SHARED;
}

/* IRQL: any. the message of a queue or of the configuration (see nk_net.h) */
unsigned nk_queue_message(const struct nk_queue_plan *plan, unsigned index)
{
    bool is_ctrl = plan->ctrl && index == plan->ctrl_index;
    unsigned pair = index / 2;
    if (index == NK_CONFIG_QUEUE || plan->mode == NK_MSG_ALL_ONE)
        return 0;
    if (!is_ctrl && pair >= plan->pairs)
        return 0; /* not a queue of the plan */
    switch (plan->mode) {
    case NK_MSG_ONE_EACH:
        return is_ctrl ? 1 + 2 * plan->pairs : 1 + index;
    case NK_MSG_PER_PAIR:
        if (is_ctrl)
            return 1;
        return (plan->ctrl ? 2 : 1) + pair;
    default: /* NK_MSG_SHARED: messages >= 2 here */
        if (is_ctrl)
            return 0;
        return 1 + pair % (plan->messages - 1);
    }
}
