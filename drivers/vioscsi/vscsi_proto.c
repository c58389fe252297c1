/*
 * vscsi_proto.c - the virtio-scsi wire formats (spec 5.6.6): the request
 * header with its 8-byte LUN, tag, task attribute and CDB; the response
 * (sense within what was posted and within sense_size, residual within the
 * transfer, response codes to outcomes); task management requests and
 * their response byte; events, every field checked.
 */
#include "vscsi.h"

/* IRQL: any (pure): store v little-endian */
static void vscsi_put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* IRQL: any (pure): store v little-endian */
static void vscsi_put64(uint8_t *p, uint64_t v)
{
    vscsi_put32(p, (uint32_t)v), vscsi_put32(p + 4, (uint32_t)(v >> 32));
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_encode_lun(uint8_t out[8], uint8_t target, uint32_t lun)
{
    for (unsigned i = 0; i < 8; i++)
        out[i] = 0;
    if (lun > VSCSI_MAX_LUN_FLAT)
        return false;
    /* First level: 1, the target; second: a flat-space LUN (SAM: 01b, 14 bits) */
    out[0] = 1;
    out[1] = target;
    out[2] = (uint8_t)(0x40 | lun >> 8);
    out[3] = (uint8_t)lun;
    return true;
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_decode_lun(const uint8_t in[8], uint8_t *target, uint32_t *lun)
{
    if (in[0] != 1 || in[4] != 0 || in[5] != 0 || in[6] != 0 || in[7] != 0)
        return false;
    /* Flat space (01b) or peripheral device addressing on bus 0 (00b, 8 bits) */
    if ((in[2] & 0xc0) != 0x40 && in[2] != 0)
        return false;
    *target = in[1];
    *lun = (uint32_t)(in[2] & 0x3f) << 8 | in[3];
    return true;
}

/* IRQL: any (pure): see vscsi.h */
uint32_t vscsi_encode_cmd(uint8_t *out, uint32_t cdb_size, uint8_t target, uint32_t lun,
                          uint64_t tag, uint8_t task_attr, const uint8_t *cdb, uint32_t cdb_len)
{
    if (cdb_len == 0 || cdb_len > cdb_size || cdb == NULL)
        return 0;
    if (!vscsi_encode_lun(out, target, lun))
        return 0;
    vscsi_put64(out + 8, tag);
    out[16] = task_attr <= VIRTIO_SCSI_S_ACA ? task_attr : VIRTIO_SCSI_S_SIMPLE;
    out[17] = 0; /* prio */
    out[18] = 0; /* crn */
    /* Two plain runs, no test per byte: this is on every command's path */
    uint8_t *p = out + VSCSI_REQ_HDR_BYTES;
    uint32_t i = 0;
    for (; i < cdb_len; i++)
        p[i] = cdb[i];
    for (; i < cdb_size; i++)
        p[i] = 0;
    return VSCSI_REQ_HDR_BYTES + cdb_size;
}

/* IRQL: any (pure): the outcome of a response code other than OK and OVERRUN */
static enum vscsi_outcome vscsi_code_outcome(uint8_t code, unsigned *findings)
{
    switch (code) {
    case VIRTIO_SCSI_S_ABORTED:
        return VSCSI_OUT_ABORTED;
    case VIRTIO_SCSI_S_BAD_TARGET:
        return VSCSI_OUT_NO_TARGET;
    case VIRTIO_SCSI_S_RESET:
        return VSCSI_OUT_BUS_RESET;
    case VIRTIO_SCSI_S_BUSY:
        return VSCSI_OUT_BUSY;
    case VIRTIO_SCSI_S_TRANSPORT_FAILURE:
        return VSCSI_OUT_TRANSPORT;
    case VIRTIO_SCSI_S_TARGET_FAILURE:
    case VIRTIO_SCSI_S_NEXUS_FAILURE:
    case VIRTIO_SCSI_S_FAILURE:
        return VSCSI_OUT_FAILED;
    default:
        *findings |= VSCSI_RESP_BAD_CODE;
        return VSCSI_OUT_PROTOCOL;
    }
}

/* IRQL: any (pure): see vscsi.h */
void vscsi_decode_resp(const uint8_t *resp, uint32_t sense_size, uint32_t transfer, bool data_in,
                       uint32_t written, struct vscsi_result *res)
{
    res->findings = 0;
    res->sense_len = 0;
    res->transferred = 0;
    res->scsi_status = 0;
    res->response = 0xff;
    if (written < VSCSI_RESP_HDR_BYTES) {
        res->findings = VSCSI_RESP_SHORT;
        res->outcome = VSCSI_OUT_PROTOCOL;
        return;
    }
    uint32_t sense_len = vscsi_le32(resp);
    uint32_t resid = vscsi_le32(resp + 4);
    res->scsi_status = resp[10];
    res->response = resp[11];

    if (res->response == VIRTIO_SCSI_S_OVERRUN) {
        /* Everything posted was moved; the target had more */
        res->scsi_status = 0;
        res->transferred = transfer;
        res->outcome = VSCSI_OUT_OVERRUN;
        return;
    }
    if (res->response != VIRTIO_SCSI_S_OK) {
        /* The command never reached a status: the byte means nothing */
        res->scsi_status = 0;
        res->outcome = vscsi_code_outcome(res->response, &res->findings);
        return;
    }
#ifdef VSCSI_PLANTED_RESID
    bool resid_bad = false; /* the planted bug (check-vioscsi): the residual trusted */
#else
    bool resid_bad = resid > transfer;
#endif
    if (resid_bad) {
        res->findings |= VSCSI_RESP_RESID_LONG;
        res->outcome = VSCSI_OUT_PROTOCOL;
        return;
    }
    res->transferred = transfer - resid;
    if (data_in) {
        /* Data in follows the whole sense field; nothing past written is the device's */
        uint32_t moved = written - VSCSI_RESP_HDR_BYTES;
        moved = moved > sense_size ? moved - sense_size : 0;
        if (res->transferred > moved) {
            res->findings |= VSCSI_RESP_DATA_UNWRITTEN;
            res->transferred = moved;
        }
    }
    if (res->scsi_status != 0) {
        /* Sense within sense_size and within what the device wrote */
        uint32_t n = sense_len;
        uint32_t avail = written - VSCSI_RESP_HDR_BYTES;
        if (n > sense_size) {
            res->findings |= VSCSI_RESP_SENSE_LONG;
            n = sense_size;
        }
        if (n > avail) {
            res->findings |= VSCSI_RESP_SENSE_UNWRITTEN;
            n = avail;
        }
        res->sense_len = n;
        res->outcome = VSCSI_OUT_SCSI_ERROR;
        return;
    }
    res->outcome = res->transferred == transfer ? VSCSI_OUT_SUCCESS : VSCSI_OUT_UNDERRUN;
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_encode_tmf(uint8_t *out, uint32_t subtype, uint8_t target, uint32_t lun, uint64_t tag)
{
    if (subtype != VIRTIO_SCSI_T_TMF_ABORT_TASK &&
        subtype != VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET &&
        subtype != VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET)
        return false;
    vscsi_put32(out, VIRTIO_SCSI_T_TMF);
    vscsi_put32(out + 4, subtype);
    if (!vscsi_encode_lun(out + 8, target, lun))
        return false;
    /* The tag names the task to abort; the resets name none */
    vscsi_put64(out + 16, subtype == VIRTIO_SCSI_T_TMF_ABORT_TASK ? tag : 0);
    return true;
}

/* IRQL: any (pure): see vscsi.h */
enum vscsi_tmf_outcome vscsi_decode_tmf(uint8_t response, uint32_t written)
{
    if (written < 1)
        return VSCSI_TMF_FAILED;
    switch (response) {
    case VIRTIO_SCSI_S_FUNCTION_COMPLETE:
    case VIRTIO_SCSI_S_FUNCTION_SUCCEEDED:
        return VSCSI_TMF_DONE;
    case VIRTIO_SCSI_S_FUNCTION_REJECTED:
    case VIRTIO_SCSI_S_INCORRECT_LUN:
        return VSCSI_TMF_REJECTED;
    default:
        return VSCSI_TMF_FAILED;
    }
}

/* IRQL: any (pure): the target and LUN of an event, checked; false if unusable */
static bool vscsi_event_lun(const uint8_t *buf, const struct vscsi_ctrl *ctrl,
                            struct vscsi_event *ev)
{
    if (!vscsi_decode_lun(buf + 4, &ev->target, &ev->lun)) {
        ev->findings |= VSCSI_EVF_BAD_LUN;
        return false;
    }
    if (ev->target > ctrl->max_target || ev->lun > ctrl->max_lun) {
        ev->findings |= VSCSI_EVF_RANGE;
        return false;
    }
    return true;
}

/* IRQL: any (pure): see vscsi.h */
void vscsi_decode_event(const uint8_t *buf, uint32_t written, const struct vscsi_ctrl *ctrl,
                        const struct vscsi_an_table *an, struct vscsi_event *ev)
{
    ev->kind = VSCSI_EV_BAD;
    ev->target = 0;
    ev->lun = 0;
    ev->asc = ev->ascq = 0;
    ev->events = 0;
    ev->findings = 0;
    if (written < VSCSI_EVENT_BYTES) {
        ev->findings = VSCSI_EVF_SHORT;
        return;
    }
    uint32_t event = vscsi_le32(buf);
    uint32_t reason = vscsi_le32(buf + 12);

    if (event & VIRTIO_SCSI_T_EVENTS_MISSED) {
        /* Whatever else it says, the driver lost track: rescan everything */
        ev->kind = VSCSI_EV_MISSED;
        return;
    }
    switch (event) {
    case VIRTIO_SCSI_T_NO_EVENT:
        ev->kind = VSCSI_EV_NONE;
        return;
    case VIRTIO_SCSI_T_TRANSPORT_RESET:
        if (!ctrl->hotplug) {
            ev->findings |= VSCSI_EVF_UNASKED;
            return;
        }
        if (!vscsi_event_lun(buf, ctrl, ev))
            return;
        if (reason == VIRTIO_SCSI_EVT_RESET_RESCAN)
            ev->kind = VSCSI_EV_RESCAN;
        else if (reason == VIRTIO_SCSI_EVT_RESET_REMOVED)
            ev->kind = VSCSI_EV_REMOVED;
        else if (reason == VIRTIO_SCSI_EVT_RESET_HARD)
            ev->kind = VSCSI_EV_RESET;
        else
            ev->findings |= VSCSI_EVF_BAD_REASON;
        return;
    case VIRTIO_SCSI_T_PARAM_CHANGE:
        if (!ctrl->change) {
            ev->findings |= VSCSI_EVF_UNASKED;
            return;
        }
        if (!vscsi_event_lun(buf, ctrl, ev))
            return;
        /* The reason carries the unit attention's ASC and ASCQ */
        ev->asc = (uint8_t)reason;
        ev->ascq = (uint8_t)(reason >> 8);
        ev->kind = VSCSI_EV_PARAM_CHANGE;
        return;
    case VIRTIO_SCSI_T_ASYNC_NOTIFY: {
        if (!vscsi_event_lun(buf, ctrl, ev))
            return;
        /* The reason names the classes that fired: none, an unknown one or
         * one not granted is a device fault */
        if (reason == 0 || (reason & ~(uint32_t)VSCSI_AN_KNOWN) != 0) {
            ev->findings |= VSCSI_EVF_BAD_REASON;
            return;
        }
        /* Only a LUN that subscribed, only the classes it was granted */
        uint32_t granted = vscsi_an_granted(an, ev->target, ev->lun);
        if (granted == 0 || (reason & ~granted) != 0) {
            ev->findings |= VSCSI_EVF_UNASKED;
            return;
        }
        ev->events = reason;
        ev->kind = VSCSI_EV_ASYNC;
        return;
    }
    default:
        ev->findings |= VSCSI_EVF_BAD_EVENT;
        return;
    }
}
