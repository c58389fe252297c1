/*
 * vmodel_scsi.h - the device end of virtio-scsi (spec 5.6, "SCSI Host
 * Device") as a vmodel request handler.  Queue 0 is the control queue
 * (task management, asynchronous notification), queue 1 the event queue,
 * queues 2.. the request queues; every CDB goes to a SCSI target back end
 * (tests/models/scsi/target.h: tgt through libiscsi, or the in-process
 * target with faults) and completes when the back end answers.
 *
 *   struct vmodel_scsi_config sc;
 *   vmodel_scsi_default_config(&sc);              (then any value, hostile too)
 *   vmodel_scsi_vmodel_config(&mc, &sc);          (device type, queues, config length)
 *   m = vmodel_create(&mc);
 *   s = vmodel_scsi_create(m, target, &sc);       (config space, handler)
 *   loop: vmodel_run(m); vmodel_scsi_poll(s, 0); vmodel_run(m);
 *
 * The model checks what a driver puts on the rings as the spec asks and
 * names the rule a driver broke (vmodel_scsi_stats: rule_errors,
 * last_rule "RULE: detail"):
 *   short-request-header     readable bytes < 19 + cdb_size (as the driver left cdb_size)
 *   short-response           writable bytes < 12 + sense_size
 *   lun-format               lun[0] != 1, lun[2..3] neither peripheral nor flat, lun[4..7] != 0
 *   lun-out-of-range         target > max_target or LUN > max_lun
 *   inout-without-feature    data out and data in in one request without F_INOUT
 *   too-many-segments        more than seg_max + 2 segments
 *   tag-in-use               a tag already outstanding on the same LUN
 *   ctrl-short               control request shorter than its type's layout
 *   ctrl-unknown-type        control request type neither TMF nor AN
 *   event-buffer-readable    event buffer with device-readable bytes
 *   event-buffer-short       event buffer shorter than event_info_size
 *   request-on-wrong-queue   a queue index the device does not have
 * (A device-readable segment after a writable one is refused by the ring
 * layer, vmodel_ring.c, before the model sees the request.)
 * Asynchronous notification (5.6.6.2.2): AN_QUERY answers an_supported, AN_SUBSCRIBE
 * answers and records requested & an_supported per LUN (0 ends it; a device reset ends
 * all); vmodel_scsi_async_notify raises ASYNC_NOTIFY for what a LUN subscribed.
 * A broken request is answered (FAILURE / BAD_TARGET, or a used length of
 * 0 when there is no room for a response) and never reaches the target.
 */
#ifndef VMODEL_SCSI_H
#define VMODEL_SCSI_H

#include "../scsi/target.h"
#include "vmodel.h"

#define VMODEL_SCSI_DEVICE_TYPE 8
#define VMODEL_SCSI_CFG_LEN     36
#define VMODEL_SCSI_CONTROLQ    0
#define VMODEL_SCSI_EVENTQ      1
#define VMODEL_SCSI_REQUESTQ    2

/* Feature bits (spec 5.6.3) */
#define VIRTIO_SCSI_F_INOUT   0
#define VIRTIO_SCSI_F_HOTPLUG 1
#define VIRTIO_SCSI_F_CHANGE  2
#define VIRTIO_SCSI_F_T10_PI  3

/* Response codes (spec 5.6.6.1) */
#define VIRTIO_SCSI_S_OK                 0
#define VIRTIO_SCSI_S_FUNCTION_COMPLETE  0
#define VIRTIO_SCSI_S_OVERRUN            1
#define VIRTIO_SCSI_S_ABORTED            2
#define VIRTIO_SCSI_S_BAD_TARGET         3
#define VIRTIO_SCSI_S_RESET              4
#define VIRTIO_SCSI_S_BUSY               5
#define VIRTIO_SCSI_S_TRANSPORT_FAILURE  6
#define VIRTIO_SCSI_S_TARGET_FAILURE     7
#define VIRTIO_SCSI_S_NEXUS_FAILURE      8
#define VIRTIO_SCSI_S_FAILURE            9
#define VIRTIO_SCSI_S_FUNCTION_SUCCEEDED 10
#define VIRTIO_SCSI_S_FUNCTION_REJECTED  11
#define VIRTIO_SCSI_S_INCORRECT_LUN      12

/* Control queue (spec 5.6.6.2) */
#define VIRTIO_SCSI_T_TMF                    0
#define VIRTIO_SCSI_T_AN_QUERY               1
#define VIRTIO_SCSI_T_AN_SUBSCRIBE           2
#define VIRTIO_SCSI_T_TMF_ABORT_TASK         0
#define VIRTIO_SCSI_T_TMF_ABORT_TASK_SET     1
#define VIRTIO_SCSI_T_TMF_CLEAR_ACA          2
#define VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET     3
#define VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET    4
#define VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET 5
#define VIRTIO_SCSI_T_TMF_QUERY_TASK         6
#define VIRTIO_SCSI_T_TMF_QUERY_TASK_SET     7
/* Asynchronous notification event classes (spec 5.6.6.2.2; SCSI MMC's GET EVENT STATUS
 * NOTIFICATION classes): the bits of event_requested, event_actual and an event's reason */
#define VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE 2
#define VIRTIO_SCSI_EVT_ASYNC_POWER_MGMT         4
#define VIRTIO_SCSI_EVT_ASYNC_EXTERNAL_REQUEST   8
#define VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE       16
#define VIRTIO_SCSI_EVT_ASYNC_MULTI_HOST         32
#define VIRTIO_SCSI_EVT_ASYNC_DEVICE_BUSY        64

/* Event queue (spec 5.6.6.3) */
#define VIRTIO_SCSI_T_NO_EVENT        0
#define VIRTIO_SCSI_T_TRANSPORT_RESET 1
#define VIRTIO_SCSI_T_ASYNC_NOTIFY    2
#define VIRTIO_SCSI_T_PARAM_CHANGE    3
#define VIRTIO_SCSI_T_EVENTS_MISSED   0x80000000u
#define VIRTIO_SCSI_EVT_RESET_HARD    0
#define VIRTIO_SCSI_EVT_RESET_RESCAN  1
#define VIRTIO_SCSI_EVT_RESET_REMOVED 2

/* Request layout: header 19 + cdb_size readable, response 12 + sense_size writable */
#define VIRTIO_SCSI_REQ_HDR   19u
#define VIRTIO_SCSI_RESP_HDR  12u
#define VIRTIO_SCSI_EVENT_LEN 16u

/** The device configuration as offered (spec 5.6.4); any value, hostile too */
struct vmodel_scsi_config {
    uint32_t num_queues; /**< request queues */
    uint32_t seg_max;
    uint32_t max_sectors;
    uint32_t cmd_per_lun;
    uint32_t event_info_size;
    uint32_t sense_size;
    uint32_t cdb_size;
    uint16_t max_channel;
    uint16_t max_target;
    uint32_t max_lun;
    uint64_t features;     /**< device-specific feature bits offered (VIRTIO_SCSI_F_*) */
    uint32_t an_supported; /**< asynchronous notification classes every LUN supports:
                                AN_QUERY answers them, AN_SUBSCRIBE those asked of them */
};

/** Hostile responses: pass the back end's claims through unclamped */
struct vmodel_scsi_hostile {
    bool sense_len; /**< sense_len as the target claims, beyond sense_size */
    bool residual;  /**< residual as the target claims, beyond the transfer */
};

/** Planted device faults (none by default): the twins of vioscsi's scenarios run with one
 *  and must fail, showing each scenario fails when the behaviour it asserts is absent */
struct vmodel_scsi_planted {
    bool drop_events;          /**< every event dropped: no buffer used, nothing reported missed */
    unsigned lose_write_every; /**< every Nth WRITE answered GOOD without reaching the back end */
    bool resid_zero;           /**< vmodel_scsi_answer_next's residual reported as 0 */
    bool swap;                 /**< response SWAP_FROM written as SWAP_TO */
    uint8_t swap_from, swap_to;
    bool an_next_lun; /**< each AN_SUBSCRIBE recorded at the LUN after the one named */
};

struct vmodel_scsi_stats {
    uint64_t cmds, tmfs, ans, events, events_missed, stale, responses[13];
    uint64_t reset_aborts;     /**< ABORT TASK SETs the device sent after a device reset */
    uint64_t tmf_after_ended;  /**< TMF answers held until the commands they ended were used */
    uint64_t tmf_answer_first; /**< commands used only after the answer of the TMF that ended
                                    them (vmodel_scsi_set_tmf_answer_first) */
    uint64_t max_lun_cmds;     /**< most commands outstanding at one LUN at once */
    uint64_t read_capacity;    /**< READ CAPACITY (10) and (16) commands taken */
    uint64_t injected;         /**< commands answered by vmodel_scsi_answer_next */
    uint64_t tmf_raced;        /**< most commands at the back end on a TMF's LUN as it was taken */
    uint64_t planted;          /**< answers or events a planted fault changed */
    uint64_t an_queries;       /**< AN_QUERY requests answered OK */
    uint64_t an_subscribes;    /**< AN_SUBSCRIBE requests answered OK */
    uint64_t an_events;        /**< ASYNC_NOTIFY events used (vmodel_scsi_async_notify) */
    uint64_t rule_errors;
    char last_rule[160];
};

struct vmodel_scsi;

void vmodel_scsi_default_config(struct vmodel_scsi_config *sc);
/** Device type, queue count (2 + num_queues), config length and features into MC */
void vmodel_scsi_vmodel_config(struct vmodel_config *mc, const struct vmodel_scsi_config *sc);
/** Writes the config space, installs the handler, binds the target's completions */
struct vmodel_scsi *vmodel_scsi_create(struct vmodel *m, struct scsi_target *t,
                                       const struct vmodel_scsi_config *sc);
void vmodel_scsi_destroy(struct vmodel_scsi *s);
void vmodel_scsi_set_hostile(struct vmodel_scsi *s, const struct vmodel_scsi_hostile *h);
/** Plant the device faults P (a zeroed P plants none) */
void vmodel_scsi_plant(struct vmodel_scsi *s, const struct vmodel_scsi_planted *p);
/** The other legal order (virtio orders no queue against another): a command a TMF ends
 *  is used only after the TMF's answer, not before it (the default), and no earlier than
 *  HOLD of virtual time after the back end ended it (a window in which the driver holds
 *  requests the device has ended) */
void vmodel_scsi_set_tmf_answer_first(struct vmodel_scsi *s, bool on, uint64_t hold);
/** The next COUNT commands on the request queues (well-formed, for a target the back end
 *  has) answered by the device itself: RESPONSE other than VIRTIO_SCSI_S_OK without
 *  reaching the back end, at the next vmodel_scsi_poll; VIRTIO_SCSI_S_OK through the back end with
 * RESID bytes of the transfer left unmoved (an underrun: spec 5.6.6.1, residual) */
void vmodel_scsi_answer_next(struct vmodel_scsi *s, unsigned count, uint8_t response,
                             uint32_t resid);
/** Let the back end work (up to TIMEOUT_MS) and deliver events; then vmodel_run writes
 *  the used entries */
void vmodel_scsi_poll(struct vmodel_scsi *s, int timeout_ms);
/** Compare each target's LUNs with the last look: TRANSPORT_RESET events (RESCAN for a
 *  new LUN, REMOVED for a gone one) when F_HOTPLUG was negotiated; returns changes */
int vmodel_scsi_rescan(struct vmodel_scsi *s);
/** A PARAM_CHANGE event (reason ASC | ASCQ << 8) when F_CHANGE was negotiated */
void vmodel_scsi_param_change(struct vmodel_scsi *s, uint16_t target, uint32_t lun, uint8_t asc,
                              uint8_t ascq);
/** An asynchronous notification (spec 5.6.6.3, VIRTIO_SCSI_T_ASYNC_NOTIFY) to raise */
struct vmodel_scsi_an_event {
    uint16_t target;
    uint32_t lun;
    uint32_t classes;  /**< the events that fired (VIRTIO_SCSI_EVT_ASYNC_*) */
    bool unchecked;    /**< hostile: sent as given, whatever was subscribed (an unknown LUN,
                            a class never subscribed) */
    uint32_t used_len; /**< hostile: the used length, 1..15 (0: the 16-byte event) */
};
/** Raise E: its reason is CLASSES & what the driver subscribed at that LUN (unless
 *  unchecked); 1 used, 0 nothing to raise (nothing of it subscribed), -1 no buffer
 *  posted (EVENTS_MISSED follows) or dropped by a planted fault */
int vmodel_scsi_async_notify(struct vmodel_scsi *s, const struct vmodel_scsi_an_event *e);
/** The classes the driver subscribed at TARGET:LUN (0: none) */
uint32_t vmodel_scsi_an_subscribed(const struct vmodel_scsi *s, uint16_t target, uint32_t lun);
/** The Ith LUN with a subscription (in the order subscribed): its classes, the LUN in
 *  *TARGET and *LUN; 0 past the last */
uint32_t vmodel_scsi_an_subscription(const struct vmodel_scsi *s, unsigned i, uint16_t *target,
                                     uint32_t *lun);
/** Commands and TMFs taken and not answered yet */
unsigned vmodel_scsi_inflight(const struct vmodel_scsi *s);
const struct vmodel_scsi_stats *vmodel_scsi_stats(const struct vmodel_scsi *s);

#endif /* VMODEL_SCSI_H */
