/*
 * The vhost-user front end (the role QEMU plays; protocol facts from QEMU's
 * docs/interop/vhost-user.rst): messages on a unix
 * socket, file descriptors as SCM_RIGHTS, guest RAM shared as one memfd,
 * kick and call as eventfds.  Synchronous: every call returns when the back
 * end has answered (or, for messages without a reply, has been sent).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define VHOST_USER_F_PROTOCOL_FEATURES 30

struct vw_vhost {
    int sock;
    uint64_t features, protocol_features;
    char error[160];
};

/* Connect (retrying for up to TIMEOUT_MS while the back end starts). */
bool vw_vhost_connect(struct vw_vhost *v, const char *path, unsigned timeout_ms);
void vw_vhost_close(struct vw_vhost *v);
/* GET_FEATURES, protocol features (CONFIG, MQ) if offered, SET_OWNER. */
bool vw_vhost_handshake(struct vw_vhost *v);
bool vw_vhost_get_config(struct vw_vhost *v, void *buf, uint32_t len);
/* SET_FEATURES: FEATURES is what the driver acked (the protocol bit is
 * added when negotiated). */
bool vw_vhost_set_features(struct vw_vhost *v, uint64_t features);
/* SET_MEM_TABLE with one region: guest-physical 0..SIZE = FD from offset 0,
 * mapped in this process at HOST. */
bool vw_vhost_set_mem_table(struct vw_vhost *v, int fd, uint64_t size, const void *host);
/* Start queue INDEX: size, ring addresses (this process's addresses),
 * base 0, kick and call eventfds, enabled. */
bool vw_vhost_start_queue(struct vw_vhost *v, unsigned index, unsigned num, const void *desc,
                          const void *avail, const void *used, int kick, int call);
/* GET_VRING_BASE: stops the queue. */
bool vw_vhost_stop_queue(struct vw_vhost *v, unsigned index);
