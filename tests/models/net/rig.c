/*
 * rig.c - the virtio-net test rig (rig.h).
 */
#include "rig.h"

#include <string.h>

#define F(x) VIRTIO_BIT(VIRTIO_F_##x)

int nrig_init(struct nrig *r, const struct vmodel_net_config *nc, uint64_t want, bool packed,
              void (*mc_edit)(struct vmodel_config *mc))
{
    struct vmodel_config mc;
    int rc;

    memset(r, 0, sizeof(*r));
    r->nc = *nc;
    bed_default_config(&mc);
    mc.queue_max = 64;
    vmodel_net_vmodel_config(&mc, nc);
    if (mc_edit != NULL)
        mc_edit(&mc);
    if (mc.num_queues > BED_MAX_QUEUES)
        return -1;
    uint64_t ring = F(EVENT_IDX) | (packed ? F(RING_PACKED) : 0);
    if (mc.transport != VMODEL_LEGACY)
        ring |= F(VERSION_1);
    rc = bed_init(&r->b, &mc, VIRTIO_PCI_MODE_AUTO, ring | want, mc.num_queues, 64, 0);
    if (rc != 0)
        return rc;
    r->n = vmodel_net_create(r->b.m, nc, NULL);
    if (r->n == NULL)
        return -1;
    r->pairs = (mc.num_queues - 1) / 2;
    r->hdr = vmodel_net_hdr_len(r->n);
    return 0;
}

void nrig_fini(struct nrig *r)
{
    bed_fini(&r->b); /* resets the device first: the model drops what it held */
    vmodel_net_destroy(r->n);
    r->n = NULL;
}

void nrig_step(struct nrig *r)
{
    vmodel_run(r->b.m);
    vmodel_run(r->b.m);
}

int nrig_send(struct nrig *r, unsigned pair, const uint8_t *hdr, const uint8_t *frame, uint32_t len,
              bool split)
{
    struct virtqueue *vq = &r->b.vq[2 * pair + 1];
    uint8_t *va = bed_buf_va(&r->b, NRIG_TX_BUF);
    uint64_t pa = bed_buf_pa(&r->b, NRIG_TX_BUF);
    struct virtqueue_req rq;
    int rc;

    if (r->hdr + len > 17u * BED_BUF_SIZE)
        return -1;
    memcpy(va, hdr, r->hdr);
    memcpy(va + r->hdr, frame, len);
    if ((rc = virtqueue_req_open(vq, &rq, split ? 2 : 1, NULL)) != 0)
        return rc;
    if (split) {
        virtqueue_req_seg(&rq, pa, r->hdr, 0);
        virtqueue_req_seg(&rq, pa + r->hdr, len, 0);
    } else {
        virtqueue_req_seg(&rq, pa, r->hdr + len, 0);
    }
    if ((rc = virtqueue_req_close(&rq, va)) != 0)
        return rc;
    virtqueue_kick(vq);
    nrig_step(r);
    uint32_t used;
    while (virtqueue_get(vq, &used) != NULL)
        ;
    return 0;
}

int nrig_post_rx_at(struct nrig *r, unsigned pair, unsigned first, uint32_t len)
{
    struct virtqueue *vq = &r->b.vq[2 * pair];
    struct virtqueue_req rq;
    int rc;

    memset(bed_buf_va(&r->b, first), 0xee, len);
    if ((rc = virtqueue_req_open(vq, &rq, 1, NULL)) != 0)
        return rc;
    virtqueue_req_seg(&rq, bed_buf_pa(&r->b, first), len, VIRTQUEUE_SEG_WRITE);
    if ((rc = virtqueue_req_close(&rq, bed_buf_va(&r->b, first))) != 0)
        return rc;
    virtqueue_kick(vq);
    return 0;
}

int nrig_post_rx(struct nrig *r, unsigned pair, unsigned n, uint32_t len)
{
    for (unsigned i = 0; i < n; i++) {
        int rc = nrig_post_rx_at(r, pair, NRIG_RX_BUF + r->rx_next, len);
        if (rc != 0)
            return rc;
        r->rx_next = (r->rx_next + 1) % NRIG_RX_COUNT;
    }
    return 0;
}

uint8_t *nrig_rx_get(struct nrig *r, unsigned pair, uint32_t *len)
{
    return virtqueue_get(&r->b.vq[2 * pair], len);
}

int nrig_receive(struct nrig *r, unsigned pair, uint8_t *hdr, uint8_t *out, uint32_t cap,
                 unsigned *nbufs)
{
    uint32_t len, got = 0;
    uint8_t *b;

    nrig_step(r);
    if ((b = nrig_rx_get(r, pair, &len)) == NULL)
        return -1;
    if (len < r->hdr)
        return -2;
    memcpy(hdr, b, r->hdr);
    unsigned n = r->hdr >= 12 && vmodel_driver_features(r->b.m) >> VIRTIO_NET_F_MRG_RXBUF & 1
                     ? (unsigned)(hdr[10] | hdr[11] << 8)
                     : 1;
    *nbufs = n;
    if (n == 0)
        return -2;
    for (unsigned i = 0; i < n; i++) {
        uint32_t skip = i == 0 ? r->hdr : 0;
        if (i > 0 && (b = nrig_rx_get(r, pair, &len)) == NULL)
            return -2;
        if (got + len - skip > cap)
            return -2;
        memcpy(out + got, b + skip, len - skip);
        got += len - skip;
    }
    return (int)got;
}

int nrig_ctrl(struct nrig *r, uint8_t cls, uint8_t cmd, const void *data, uint32_t len)
{
    unsigned q = r->b.nq - 1;
    struct virtqueue *vq = &r->b.vq[q];
    uint8_t *b = bed_buf_va(&r->b, NRIG_CTRL_BUF);
    uint64_t pa = bed_buf_pa(&r->b, NRIG_CTRL_BUF);
    struct virtqueue_req rq;
    uint32_t used;

    if (len + 2 > 3 * BED_BUF_SIZE)
        return -1;
    b[0] = cls;
    b[1] = cmd;
    if (len)
        memcpy(b + 2, data, len);
    uint8_t *ack = bed_buf_va(&r->b, NRIG_CTRL_BUF + 3);
    *ack = 0xaa;
    if (virtqueue_req_open(vq, &rq, 2, NULL) != 0)
        return -1;
    virtqueue_req_seg(&rq, pa, 2 + len, 0);
    virtqueue_req_seg(&rq, bed_buf_pa(&r->b, NRIG_CTRL_BUF + 3), 1, VIRTQUEUE_SEG_WRITE);
    if (virtqueue_req_close(&rq, b) != 0)
        return -1;
    virtqueue_kick(vq);
    nrig_step(r);
    if (virtqueue_get(vq, &used) == NULL)
        return -1;
    return *ack;
}
