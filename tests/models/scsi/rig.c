/*
 * rig.c - the virtio-scsi test rig (rig.h).
 */
#include "rig.h"

#include <string.h>

#define F(x) VIRTIO_BIT(VIRTIO_F_##x)

static void le32_put(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t le32_get(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int rig_init(struct rig *r, struct scsi_target *t, const struct vmodel_scsi_config *sc,
             uint64_t want_scsi, void (*mc_edit)(struct vmodel_config *mc))
{
    struct vmodel_config mc;
    int rc;

    memset(r, 0, sizeof(*r));
    r->t = t;
    r->sc = *sc;
    bed_default_config(&mc);
    mc.queue_max = 64;
    vmodel_scsi_vmodel_config(&mc, sc);
    if (mc_edit != NULL)
        mc_edit(&mc);
    if (mc.num_queues > BED_MAX_QUEUES)
        return -1;
    rc = bed_init(&r->b, &mc, VIRTIO_PCI_MODE_AUTO, F(EVENT_IDX) | F(VERSION_1) | want_scsi,
                  mc.num_queues, 64, 0);
    if (rc != 0)
        return rc;
    r->s = vmodel_scsi_create(r->b.m, t, sc);
    return r->s == NULL ? -1 : 0;
}

void rig_fini(struct rig *r)
{
    bed_fini(&r->b); /* resets the device first: the model drops what it held */
    vmodel_scsi_destroy(r->s);
    r->s = NULL;
}

uint8_t *rig_data(struct rig *r, unsigned slot)
{
    return bed_buf_va(&r->b, 2 * slot + 1);
}

int rig_send(struct rig *r, unsigned q, unsigned slot, const struct rig_cmd *c)
{
    struct virtqueue *vq = &r->b.vq[VMODEL_SCSI_REQUESTQ + q];
    uint8_t *hdr = bed_buf_va(&r->b, 2 * slot);
    uint64_t pa = bed_buf_pa(&r->b, 2 * slot), data = bed_buf_pa(&r->b, 2 * slot + 1);
    uint32_t hdr_len = VIRTIO_SCSI_REQ_HDR + r->sc.cdb_size;
    uint32_t resp_len = VIRTIO_SCSI_RESP_HDR + r->sc.sense_size;
    struct virtqueue_req rq;
    int rc;

    memset(hdr, 0, 2048);
    memset(hdr + 2048, 0x5a, 2048); /* response area: shows what the device wrote */
    if (c->lun_raw) {
        memcpy(hdr, c->lun_bytes, 8);
    } else {
        hdr[0] = 1;
        hdr[1] = (uint8_t)c->target;
        hdr[2] = (uint8_t)(0x40 | (c->lun >> 8));
        hdr[3] = (uint8_t)c->lun;
    }
    for (unsigned i = 0; i < 8; i++)
        hdr[8 + i] = (uint8_t)(c->tag >> (8 * i));
    memcpy(hdr + VIRTIO_SCSI_REQ_HDR, c->cdb, 16);
    rc = virtqueue_req_open(vq, &rq, 2 + (c->out_len > 0) + (c->in_len > 0), NULL);
    if (rc != 0)
        return rc;
    virtqueue_req_seg(&rq, pa, hdr_len, 0);
    if (c->out_len > 0)
        virtqueue_req_seg(&rq, data, c->out_len, 0);
    virtqueue_req_seg(&rq, pa + 2048, resp_len, VIRTQUEUE_SEG_WRITE);
    if (c->in_len > 0)
        virtqueue_req_seg(&rq, data + (c->out_len > 0 ? 2048 : 0), c->in_len, VIRTQUEUE_SEG_WRITE);
    rc = virtqueue_req_close(&rq, hdr);
    if (rc == 0)
        virtqueue_kick(vq);
    return rc;
}

void rig_step(struct rig *r)
{
    vmodel_run(r->b.m);
    vmodel_scsi_poll(r->s, r->poll_ms);
    vmodel_run(r->b.m);
}

bool rig_wait(struct rig *r, unsigned q, unsigned slot, struct rig_resp *out, unsigned tries)
{
    struct virtqueue *vq = &r->b.vq[VMODEL_SCSI_REQUESTQ + q];
    uint8_t *want = bed_buf_va(&r->b, 2 * slot);

    for (unsigned i = 0; i < tries; i++) {
        uint32_t len;
        void *cookie;

        rig_step(r);
        /* Completions of other slots wait in the model's own order; keep looking */
        while ((cookie = virtqueue_get(vq, &len)) != NULL) {
            uint8_t *h = cookie;
            h[4095] = 1; /* completed mark for rig_wait of that slot */
            *(uint32_t *)(h + 4088) = len;
        }
        if (want[4095] == 1) {
            const uint8_t *resp = want + 2048;
            out->used = *(uint32_t *)(want + 4088);
            out->sense_len = le32_get(resp);
            out->resid = le32_get(resp + 4);
            out->status = resp[10];
            out->response = resp[11];
            out->sense = resp + 12;
            out->data = rig_data(r, slot) + 0;
            want[4095] = 0;
            return true;
        }
    }
    return false;
}

/* Control slot CS's request (OUT_LEN bytes from its start, IN_LEN
 * device-written bytes at offset 256) made available and kicked. */
static int ctrl_send(struct rig *r, unsigned cs, uint32_t out_len, uint32_t in_len)
{
    struct virtqueue *vq = &r->b.vq[VMODEL_SCSI_CONTROLQ];
    uint8_t *b = (uint8_t *)bed_buf_va(&r->b, RIG_CTRL_BUF) + 512 * cs;
    uint64_t pa = bed_buf_pa(&r->b, RIG_CTRL_BUF) + 512 * cs;
    struct virtqueue_req rq;
    int rc;

    if ((rc = virtqueue_req_open(vq, &rq, 2, NULL)) != 0)
        return rc;
    virtqueue_req_seg(&rq, pa, out_len, 0);
    virtqueue_req_seg(&rq, pa + 256, in_len, VIRTQUEUE_SEG_WRITE);
    rc = virtqueue_req_close(&rq, b);
    if (rc == 0)
        virtqueue_kick(vq);
    return rc;
}

int rig_tmf(struct rig *r, unsigned cs, uint32_t subtype, uint16_t target, uint32_t lun,
            uint64_t tag)
{
    uint8_t *b = (uint8_t *)bed_buf_va(&r->b, RIG_CTRL_BUF) + 512 * cs;

    memset(b, 0, 512);
    le32_put(b, VIRTIO_SCSI_T_TMF);
    le32_put(b + 4, subtype);
    b[8] = 1;
    b[9] = (uint8_t)target;
    b[10] = (uint8_t)(0x40 | (lun >> 8));
    b[11] = (uint8_t)lun;
    for (unsigned i = 0; i < 8; i++)
        b[16 + i] = (uint8_t)(tag >> (8 * i));
    b[256] = 0xff;
    return ctrl_send(r, cs, 24, 1);
}

int rig_an(struct rig *r, unsigned cs, uint32_t type, uint16_t target, uint32_t lun,
           uint32_t requested)
{
    uint8_t *b = (uint8_t *)bed_buf_va(&r->b, RIG_CTRL_BUF) + 512 * cs;

    memset(b, 0, 512);
    le32_put(b, type);
    b[4] = 1;
    b[5] = (uint8_t)target;
    b[6] = (uint8_t)(0x40 | (lun >> 8));
    b[7] = (uint8_t)lun;
    le32_put(b + 12, requested);
    memset(b + 256, 0xee, 5);
    return ctrl_send(r, cs, 16, 5);
}

const uint8_t *rig_ctrl_resp(struct rig *r, unsigned cs)
{
    return (const uint8_t *)bed_buf_va(&r->b, RIG_CTRL_BUF) + 512 * cs + 256;
}

bool rig_wait_ctrl(struct rig *r, unsigned cs, uint8_t *response, unsigned tries)
{
    struct virtqueue *vq = &r->b.vq[VMODEL_SCSI_CONTROLQ];
    uint8_t *want = (uint8_t *)bed_buf_va(&r->b, RIG_CTRL_BUF) + 512 * cs;

    for (unsigned i = 0; i < tries; i++) {
        uint32_t len;
        uint8_t *cookie;

        rig_step(r);
        while ((cookie = virtqueue_get(vq, &len)) != NULL)
            cookie[511] = 1;
        if (want[511] == 1) {
            *response = want[256];
            want[511] = 0;
            return true;
        }
    }
    return false;
}

int rig_post_event(struct rig *r, unsigned e)
{
    struct virtqueue *vq = &r->b.vq[VMODEL_SCSI_EVENTQ];
    uint8_t *b = (uint8_t *)bed_buf_va(&r->b, RIG_EVENT_BUF) + 64 * e;
    uint64_t pa = bed_buf_pa(&r->b, RIG_EVENT_BUF) + 64 * e;
    struct virtqueue_req rq;
    int rc;

    memset(b, 0xee, 64);
    if ((rc = virtqueue_req_open(vq, &rq, 1, NULL)) != 0)
        return rc;
    virtqueue_req_seg(&rq, pa, 16, VIRTQUEUE_SEG_WRITE);
    rc = virtqueue_req_close(&rq, b);
    if (rc == 0)
        virtqueue_kick(vq);
    return rc;
}

bool rig_get_event_len(struct rig *r, unsigned *e, uint8_t ev[16], uint32_t *len)
{
    struct virtqueue *vq = &r->b.vq[VMODEL_SCSI_EVENTQ];
    uint8_t *base = bed_buf_va(&r->b, RIG_EVENT_BUF);
    uint8_t *cookie = virtqueue_get(vq, len);

    if (cookie == NULL)
        return false;
    *e = (unsigned)(cookie - base) / 64;
    memcpy(ev, cookie, 16);
    return true;
}

bool rig_get_event(struct rig *r, unsigned *e, uint8_t ev[16])
{
    uint32_t len;

    return rig_get_event_len(r, e, ev, &len) && len == 16;
}
