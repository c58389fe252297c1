/*
 * rig.h - a virtio-scsi test rig: the device model (vmodel_scsi) over a
 * target back end, driven through the project's virtio core (the test bed
 * of tests/virtio) as a small driver would: requests, control and event
 * queue buffers put on the rings, responses read back.  No vioscsi code.
 */
#ifndef SCSI_RIG_H
#define SCSI_RIG_H

#include "../../../common/virtio/virtqueue_req.h"
#include "../../virtio/bed.h"
#include "../virtio/vmodel_scsi.h"

#define RIG_SLOTS     24u   /* requests in flight at once (buffers 2k, 2k+1) */
#define RIG_DATA      4096u /* data bytes per slot */
#define RIG_CTRL_BUF  56u   /* control requests: buffer 56 (8 x 512 bytes) */
#define RIG_EVENT_BUF 60u   /* event buffers: 60.. (16 x 64 bytes each) */

struct rig {
    struct bed b;
    struct vmodel_scsi *s;
    struct scsi_target *t;
    struct vmodel_scsi_config sc;
    int poll_ms; /* how long a poll may wait for the back end (tgt: > 0) */
};

/** A command as the test driver sends it */
struct rig_cmd {
    uint16_t target;
    uint32_t lun;
    uint64_t tag;
    uint8_t cdb[16];
    uint32_t out_len, in_len; /* data bytes (slot buffer), 0 = none */
    uint8_t lun_bytes[8];     /* used when lun_raw is set (planted bad LUNs) */
    bool lun_raw;
};

/** A response as the device wrote it */
struct rig_resp {
    uint32_t used; /* used length */
    uint32_t sense_len, resid;
    uint8_t status, response;
    const uint8_t *sense, *data;
};

/** Model over T with SC, MC overrides from MC_EDIT (may be NULL); WANT: scsi feature bits */
int rig_init(struct rig *r, struct scsi_target *t, const struct vmodel_scsi_config *sc,
             uint64_t want_scsi, void (*mc_edit)(struct vmodel_config *mc));
void rig_fini(struct rig *r);
/** Put command C in SLOT on request queue Q (0-based) */
int rig_send(struct rig *r, unsigned q, unsigned slot, const struct rig_cmd *c);
/** Step device and back end until SLOT's response comes back (or TRIES steps) */
bool rig_wait(struct rig *r, unsigned q, unsigned slot, struct rig_resp *out, unsigned tries);
/** One device step: run, poll the back end, run */
void rig_step(struct rig *r);
/** Data buffer of SLOT */
uint8_t *rig_data(struct rig *r, unsigned slot);
/** Send a TMF (SUBTYPE) in control slot CS; rig_wait_ctrl reads its response byte */
int rig_tmf(struct rig *r, unsigned cs, uint32_t subtype, uint16_t target, uint32_t lun,
            uint64_t tag);
bool rig_wait_ctrl(struct rig *r, unsigned cs, uint8_t *response, unsigned tries);
/** Send an AN_QUERY or AN_SUBSCRIBE (TYPE) for TARGET:LUN asking REQUESTED in control slot
 *  CS; after rig_wait_ctrl, rig_ctrl_resp gives event_actual (4 bytes) and the response */
int rig_an(struct rig *r, unsigned cs, uint32_t type, uint16_t target, uint32_t lun,
           uint32_t requested);
const uint8_t *rig_ctrl_resp(struct rig *r, unsigned cs);
/** Post event buffer E (64 bytes) */
int rig_post_event(struct rig *r, unsigned e);
/** Next event the device returned: its 16 bytes; false if none */
bool rig_get_event(struct rig *r, unsigned *e, uint8_t ev[16]);
/** Next event the device returned, whatever its used length (in *LEN); false if none */
bool rig_get_event_len(struct rig *r, unsigned *e, uint8_t ev[16], uint32_t *len);

#endif /* SCSI_RIG_H */
