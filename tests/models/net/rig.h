/*
 * rig.h - a virtio-net test rig: the device model (vmodel_net) driven
 * through the project's virtio core (the test bed of tests/virtio) as a
 * small driver would: frames sent with a header, receive buffers posted and
 * read back, control commands with their ack.  No NetKVM code.
 */
#ifndef NET_RIG_H
#define NET_RIG_H

#include "../../../common/virtio/virtqueue_req.h"
#include "../../virtio/bed.h"
#include "../virtio/vmodel_net.h"

#define NRIG_TX_BUF   0u  /* transmit area: bed buffers 0..16 (68 KiB, contiguous) */
#define NRIG_RX_BUF   17u /* receive buffers: 17..56, 4 KiB each */
#define NRIG_RX_COUNT 40u
#define NRIG_CTRL_BUF 60u /* control commands: 60..63 */

struct nrig {
    struct bed b;
    struct vmodel_net *n;
    struct vmodel_net_config nc;
    unsigned pairs; /* queue pairs the rig set up */
    unsigned hdr;   /* header length as negotiated */
    unsigned rx_next;
};

/** Model with NC; WANT: device-specific bits the driver accepts (ring bits: EVENT_IDX and
 *  VERSION_1 unless LEGACY); PACKED: the packed ring; MC_EDIT may change the model config */
int nrig_init(struct nrig *r, const struct vmodel_net_config *nc, uint64_t want, bool packed,
              void (*mc_edit)(struct vmodel_config *mc));
void nrig_fini(struct nrig *r);
/** One device step */
void nrig_step(struct nrig *r);
/** Send FRAME with header HDR (hdr bytes as negotiated) on PAIR; SPLIT: header in its own
 *  descriptor */
int nrig_send(struct nrig *r, unsigned pair, const uint8_t *hdr, const uint8_t *frame, uint32_t len,
              bool split);
/** Post N receive buffers of LEN bytes (<= 4096) on PAIR */
int nrig_post_rx(struct nrig *r, unsigned pair, unsigned n, uint32_t len);
/** Post one receive buffer of LEN bytes (contiguous, up to 160 KiB) at bed buffer FIRST */
int nrig_post_rx_at(struct nrig *r, unsigned pair, unsigned first, uint32_t len);
/** The next used receive buffer of PAIR: its bytes and used length; NULL when none */
uint8_t *nrig_rx_get(struct nrig *r, unsigned pair, uint32_t *len);
/** A received frame reassembled from merged buffers: header into HDR (hdr bytes), frame
 *  into OUT (CAP bytes); returns the frame length, -1 none, -2 a broken num_buffers */
int nrig_receive(struct nrig *r, unsigned pair, uint8_t *hdr, uint8_t *out, uint32_t cap,
                 unsigned *nbufs);
/** A control command; returns the ack byte, or -1 when no answer came */
int nrig_ctrl(struct nrig *r, uint8_t cls, uint8_t cmd, const void *data, uint32_t len);

#endif /* NET_RIG_H */
