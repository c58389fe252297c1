/*
 * The vhost-user front end (the role QEMU plays; protocol facts from QEMU's
 * docs/interop/vhost-user.rst): messages on a unix socket, file descriptors
 * as SCM_RIGHTS, guest RAM shared as one memfd, one kick and one call
 * eventfd per queue, split or packed rings.  Synchronous: every call
 * returns when the back end has answered (with REPLY_ACK negotiated, every
 * request is acknowledged), or, without it, when the request has been sent.
 * Device-independent: the device types live in dev_vhost_*.c.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* Protocol features (bits of GET/SET_PROTOCOL_FEATURES) the front end uses. */
#define VHOST_USER_PROTO_MQ           0
#define VHOST_USER_PROTO_REPLY_ACK    3
#define VHOST_USER_PROTO_CONFIG       9
#define VHOST_USER_PROTO_RESET_DEVICE 13

struct vw_vhost {
    int sock;
    uint64_t features, protocol_features; /* offered; protocol: negotiated */
    uint64_t queue_num;                   /* GET_QUEUE_NUM (MQ), else 0 */
    unsigned requests;                    /* messages sent (statistics) */
    unsigned reply_ms;                    /* a reply's real-time bound (0: 30 s) */
    char error[200];
};

/* One queue as the back end is told about it (this process's addresses). */
struct vw_vhost_ring {
    unsigned index, num;
    bool packed;
    /* Split: descriptor table, avail ring, used ring.  Packed: descriptor
     * ring, driver event area, device event area. */
    const void *desc, *driver, *device;
    int kick, call;
};

static inline bool vw_vhost_has(const struct vw_vhost *v, unsigned proto_bit)
{
    return v->protocol_features >> proto_bit & 1;
}

/* Connect (retrying for up to TIMEOUT_MS while the back end starts). */
bool vw_vhost_connect(struct vw_vhost *v, const char *path, unsigned timeout_ms);
void vw_vhost_close(struct vw_vhost *v);
/* GET_FEATURES, the protocol features above where offered (and
 * GET_QUEUE_NUM with MQ), SET_OWNER. */
bool vw_vhost_handshake(struct vw_vhost *v);
/* GET_CONFIG (needs the CONFIG protocol feature). */
bool vw_vhost_get_config(struct vw_vhost *v, void *buf, uint32_t len);
/* SET_FEATURES: FEATURES is what the driver acked (the protocol bit is
 * added when the back end offers it). */
bool vw_vhost_set_features(struct vw_vhost *v, uint64_t features);
/* SET_MEM_TABLE with one region: guest-physical 0..SIZE = FD from offset 0,
 * mapped in this process at HOST. */
bool vw_vhost_set_mem_table(struct vw_vhost *v, int fd, uint64_t size, const void *host);
/* Start a queue from its first entry: SET_VRING_NUM, SET_VRING_ADDR,
 * SET_VRING_BASE (packed: index 0, wrap counters 1), SET_VRING_KICK,
 * SET_VRING_CALL, then SET_VRING_ENABLE when protocol features are on. */
bool vw_vhost_start_queue(struct vw_vhost *v, const struct vw_vhost_ring *r);
/* GET_VRING_BASE: stops the queue; *BASE is the back end's next avail
 * index (packed: bit 15 its wrap counter). */
bool vw_vhost_stop_queue(struct vw_vhost *v, unsigned index, uint32_t *base);
/* RESET_DEVICE where offered (the driver wrote status 0); true without it. */
bool vw_vhost_reset(struct vw_vhost *v);
