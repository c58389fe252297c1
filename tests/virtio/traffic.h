/*
 * traffic.h - request generator shared by the tests: keeps a queue at a
 * given depth against the model and checks every completion.
 */
#ifndef TRAFFIC_H
#define TRAFFIC_H

#include "bed.h"

#define TRAFFIC_MAX 1024

struct treq {
    bool live;
    uint32_t in_len;
    uint32_t seq;
};

struct traffic {
    struct treq req[TRAFFIC_MAX];
    uint32_t seq;
    uint64_t added, completed;
    uint64_t bad;     /**< Completions that failed a check (must stay 0) */
    unsigned max_seg; /**< 1..max_seg segments per request */
    bool short_ok;    /**< Device may write less than in_len */
};

/** Run until total requests completed (or the queue breaks / stalls) */
uint64_t traffic_run(struct traffic *t, struct bed *b, struct virtqueue *vq, uint64_t total,
                     unsigned depth);

/** Build request number k's segment list; returns out/in counts */
void traffic_sg(struct bed *b, unsigned k, unsigned nseg, struct virtqueue_sg *sg, unsigned *out,
                unsigned *in);

#endif /* TRAFFIC_H */
