/*
 * vscsi.h - the OS-neutral half of vioscsi: virtio-scsi facts (virtio 1.2,
 * section 5.6, "SCSI Host Device"), the controller as the driver sees it
 * once the device's configuration has been checked (vscsi_config.c), the
 * queue and message plan (vscsi_queues.c), and the wire formats: request
 * header and response, task management, events (vscsi_proto.c).  Nothing
 * here includes a Windows header: the host unit tests (tests/host/) build
 * these files as they are, under ASan and UBSan.
 */
#ifndef VSCSI_H
#define VSCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <storport/stor_bad_value.h>

/* ---- virtio-scsi (spec 5.6) -------------------------------------------- */
#define VIRTIO_SCSI_DEVICE_ID 8

#define VIRTIO_SCSI_F_INOUT   0
#define VIRTIO_SCSI_F_HOTPLUG 1
#define VIRTIO_SCSI_F_CHANGE  2
#define VIRTIO_SCSI_F_T10_PI  3

/* Queues: control, event, then the request queues */
#define VSCSI_CONTROL_QUEUE 0
#define VSCSI_EVENT_QUEUE   1
#define VSCSI_FIRST_REQUEST 2

/* Offsets in struct virtio_scsi_config (spec 5.6.4), little-endian */
#define VSCSI_CFG_NUM_QUEUES      0  /* le32 */
#define VSCSI_CFG_SEG_MAX         4  /* le32 */
#define VSCSI_CFG_MAX_SECTORS     8  /* le32 */
#define VSCSI_CFG_CMD_PER_LUN     12 /* le32 */
#define VSCSI_CFG_EVENT_INFO_SIZE 16 /* le32 */
#define VSCSI_CFG_SENSE_SIZE      20 /* le32, driver-writable */
#define VSCSI_CFG_CDB_SIZE        24 /* le32, driver-writable */
#define VSCSI_CFG_MAX_CHANNEL     28 /* le16 */
#define VSCSI_CFG_MAX_TARGET      30 /* le16 */
#define VSCSI_CFG_MAX_LUN         32 /* le32 */
#define VSCSI_CFG_BYTES           36

/* Response codes of requests and task management (spec 5.6.6.1, 5.6.6.2) */
#define VIRTIO_SCSI_S_OK                 0
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
#define VIRTIO_SCSI_S_FUNCTION_COMPLETE  0

/* Task attributes */
#define VIRTIO_SCSI_S_SIMPLE  0
#define VIRTIO_SCSI_S_ORDERED 1
#define VIRTIO_SCSI_S_HEAD    2
#define VIRTIO_SCSI_S_ACA     3

/* Control queue request types and task management functions */
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

/* Events (spec 5.6.6.3) */
#define VIRTIO_SCSI_T_EVENTS_MISSED   0x80000000u
#define VIRTIO_SCSI_T_NO_EVENT        0
#define VIRTIO_SCSI_T_TRANSPORT_RESET 1
#define VIRTIO_SCSI_T_ASYNC_NOTIFY    2
#define VIRTIO_SCSI_T_PARAM_CHANGE    3
#define VIRTIO_SCSI_EVT_RESET_HARD    0
#define VIRTIO_SCSI_EVT_RESET_RESCAN  1
#define VIRTIO_SCSI_EVT_RESET_REMOVED 2
/* Asynchronous notification classes (spec 5.6.6.4; MMC's GET EVENT
 * STATUS NOTIFICATION classes as bits) */
#define VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE 0x02
#define VIRTIO_SCSI_EVT_ASYNC_POWER_MGMT         0x04
#define VIRTIO_SCSI_EVT_ASYNC_EXTERNAL_REQUEST   0x08
#define VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE       0x10
#define VIRTIO_SCSI_EVT_ASYNC_MULTI_HOST         0x20
#define VIRTIO_SCSI_EVT_ASYNC_DEVICE_BUSY        0x40
#define VSCSI_AN_KNOWN                           0x7e
/* What the class layer acts on: a changed medium, a changed operating state */
#define VSCSI_AN_WANTED                                                                            \
    (VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE | VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE)

/* Wire sizes: request header before the CDB, response before the sense,
 * a task management request and an event */
#define VSCSI_REQ_HDR_BYTES 19 /* lun[8], id le64, task_attr, prio, crn */
#define VSCSI_RESP_HDR_BYTES                                                                       \
    12 /* sense_len le32, resid le32, status_qualifier le16, status, response */
#define VSCSI_TMF_BYTES     24 /* type le32, subtype le32, lun[8], id le64 */
#define VSCSI_EVENT_BYTES   16 /* event le32, lun[8], reason le32 */
#define VSCSI_AN_REQ_BYTES  16 /* type le32, lun[8], event_requested le32 */
#define VSCSI_AN_RESP_BYTES 5  /* event_actual le32, response */

/* ---- Driver limits ----------------------------------------------------- */
#define VSCSI_MAX_QUEUES 64 /* request queues the driver runs at most */
/* The most request queues a device can have: queue_select is 16 bits
 * (virtio 1.2 4.1.4.3) and controlq and eventq take two of the indices */
#define VSCSI_NUM_QUEUES_MAX 65534u
/* The highest target id StorPort can address: MaximumNumberOfTargets is a
 * UCHAR (PORT_CONFIGURATION_INFORMATION), 255 targets 0..254 at most */
#define VSCSI_PORT_MAX_TARGET 254
#define VSCSI_CDB_SIZE        32    /* the cdb_size the driver asks for (the spec's default) */
#define VSCSI_SENSE_SIZE      96    /* the sense_size the driver asks for (the spec's default) */
#define VSCSI_CDB_MAX         256   /* a larger cdb_size cannot be laid out: start fails */
#define VSCSI_SENSE_MAX       256   /* a larger sense_size cannot be laid out: start fails */
#define VSCSI_MAX_DATA_SEGS   512   /* data segments per request */
#define VSCSI_DEFAULT_SEGS    128   /* seg_max 0: the finding's default */
#define VSCSI_EVENT_MAX_BYTES 64    /* an event buffer posted is at most this long */
#define VSCSI_MAX_LUN_FLAT    16383 /* single-level flat LUN addressing (14 bits) */
#define VSCSI_PAGE            4096

/* ---- The controller, from a checked configuration (vscsi_config.c) ---- */
struct vscsi_ctrl {
    uint32_t num_queues;     /* request queues the device has */
    uint32_t seg_max;        /* data segments per request the device takes */
    uint32_t max_sectors;    /* 512-byte sectors per request */
    uint32_t cmd_per_lun;    /* linked commands per LUN */
    uint32_t event_bytes;    /* length of an event buffer to post */
    uint32_t sense_size;     /* sense bytes in every response */
    uint32_t cdb_size;       /* CDB bytes in every request header */
    uint16_t max_target;     /* highest target id the driver addresses */
    uint16_t dev_max_target; /* the device's max_target as it gave it */
    uint32_t max_lun;        /* highest LUN the driver addresses */
    bool hotplug, change;    /* F_HOTPLUG, F_CHANGE negotiated */
    /* derived: what StorPort is told */
    uint32_t data_segs;    /* scatter/gather elements per request */
    uint32_t max_transfer; /* bytes per request */
};

/* Findings of vscsi_config_check: each a value the device got wrong */
enum vscsi_finding {
    VSCSI_BAD_NUM_QUEUES = 1u << 0,  /* 0: one queue; above 65534: those present */
    VSCSI_BAD_SEG_MAX = 1u << 1,     /* 0: no data fits: start fails */
    VSCSI_BAD_MAX_SECTORS = 1u << 2, /* 0: one page */
    VSCSI_BAD_CMD_PER_LUN = 1u << 3, /* 0: one */
    VSCSI_BAD_EVENT_SIZE = 1u << 4,  /* below an event or above VSCSI_EVENT_MAX_BYTES: clamped */
    VSCSI_BAD_SENSE_SIZE = 1u << 5,  /* above VSCSI_SENSE_MAX: start fails */
    VSCSI_BAD_CDB_SIZE = 1u << 6,    /* below 6 or above VSCSI_CDB_MAX: start fails */
    VSCSI_BAD_MAX_CHANNEL = 1u << 7, /* not 0: channel 0 only */
    VSCSI_BAD_MAX_TARGET = 1u << 8,  /* above 255: VSCSI_PORT_MAX_TARGET */
    VSCSI_BAD_MAX_LUN = 1u << 9,     /* above 16383: 16383 */
    VSCSI_SHORT_CONFIG = 1u << 10,   /* the region is shorter than the structure: start fails */
};
#define VSCSI_FATAL_FINDINGS                                                                       \
    (VSCSI_BAD_SEG_MAX | VSCSI_BAD_SENSE_SIZE | VSCSI_BAD_CDB_SIZE | VSCSI_SHORT_CONFIG)
#define VSCSI_FINDINGS 11 /* bits in enum vscsi_finding */

/* A little-endian 16-bit load. IRQL: any. */
static inline uint16_t vscsi_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
/* A little-endian 32-bit load. IRQL: any. */
static inline uint32_t vscsi_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
/* A little-endian 64-bit load. IRQL: any. */
static inline uint64_t vscsi_le64(const uint8_t *p)
{
    return vscsi_le32(p) | (uint64_t)vscsi_le32(p + 4) << 32;
}

/*
 * Check the device configuration (cfg: len bytes read consistently) against
 * the negotiated features and fill ctrl.  Returns the findings; start fails
 * when one of VSCSI_FATAL_FINDINGS is among them, every other finding has a
 * safe default in ctrl.
 */
unsigned vscsi_config_check(const uint8_t *cfg, uint32_t len, uint64_t features,
                            struct vscsi_ctrl *ctrl);

/* Describe one finding (a single bit) of the check of cfg (len bytes) that
 * produced ctrl, for the log; false for a bit that is no finding */
bool vscsi_finding_value(unsigned finding, const uint8_t *cfg, uint32_t len,
                         const struct vscsi_ctrl *ctrl, struct vw_bad_value *out);

/* Lower the data segments per request to segs (a short ring, or the
 * PhysicalBreaks parameter: elements = breaks + 1), with the transfer
 * limit that follows; 0 or a larger value changes nothing. */
void vscsi_limit_segments(struct vscsi_ctrl *ctrl, uint32_t segs);

/* Registry parameters, as the existing driver names them */
enum vscsi_reset_action {
    VSCSI_RESET_COMPLETE = 0, /* VioscsiActionOnReset 0: complete what the device owned (default) */
    VSCSI_RESET_NOTHING = 1,  /* 1: the existing driver leaves the requests with the device;
                                 here logged, and HwResetBus completes them as with 0 */
    VSCSI_RESET_BUGCHECK = 2, /* 0xDEADDEAD: stop the system (debugging) */
};
#define VSCSI_REG_BUGCHECK_VALUE 0xDEADDEADu

/* VioscsiActionOnReset's value (present false: not set) as an action; an
 * unknown value is *bad and the default applies. */
enum vscsi_reset_action vscsi_reset_action(bool present, uint32_t value, bool *bad);

/* PhysicalBreaks (present false: not set) as data segments per request
 * within [2, ctrl->data_segs]; an out-of-range value is clamped and *bad. */
uint32_t vscsi_breaks_segments(const struct vscsi_ctrl *ctrl, bool present, uint32_t breaks,
                               bool *bad);

/* Requests StorPort may have at the adapter: what the request rings hold
 * (ring_slots summed over the queues) and per LUN (cmd_per_lun within it). */
uint32_t vscsi_adapter_depth(uint32_t ring_slots);
uint32_t vscsi_lun_depth(const struct vscsi_ctrl *ctrl, uint32_t adapter_depth);

/* ---- Queues and messages (vscsi_queues.c) ------------------------------ */
enum vscsi_msg_mode {
    VSCSI_MSG_ONE_EACH = 0, /* config 0, control 1, event 2, request queue q on 3 + q */
    VSCSI_MSG_SHARED =
        1, /* config/control/event as above (or all on 0), requests round robin on the rest */
    VSCSI_MSG_ALL_ONE = 2, /* one message (or a line) for everything */
};

struct vscsi_queue_plan {
    unsigned nqueues; /* request queues to run */
    enum vscsi_msg_mode mode;
    uint16_t config_msg, control_msg, event_msg;
    uint16_t queue_msg[VSCSI_MAX_QUEUES];
};

/*
 * Choose the request queues and their messages: one request queue per CPU
 * up to what the device has (and VSCSI_MAX_QUEUES); messages is what the
 * system granted (0: a line interrupt).  Fewer messages than queues + 3
 * make queues share messages; the number of queues never drops for that.
 */
void vscsi_plan_queues(unsigned cpus, unsigned dev_queues, unsigned messages,
                       struct vscsi_queue_plan *plan);

/* ---- Wire formats (vscsi_proto.c) -------------------------------------- */
/* The 8-byte LUN of target/lun (single-level, flat addressing); false when
 * lun is above VSCSI_MAX_LUN_FLAT. */
bool vscsi_encode_lun(uint8_t out[8], uint8_t target, uint32_t lun);

/* target/lun from an 8-byte LUN; false unless it is the form encode writes */
bool vscsi_decode_lun(const uint8_t in[8], uint8_t *target, uint32_t *lun);

/* A request header (VSCSI_REQ_HDR_BYTES + cdb_size bytes in out): the LUN,
 * tag, task attribute and the CDB zero-padded to cdb_size.  Returns its
 * length, or 0 when the CDB is empty or longer than cdb_size, or the LUN
 * cannot be addressed. */
uint32_t vscsi_encode_cmd(uint8_t *out, uint32_t cdb_size, uint8_t target, uint32_t lun,
                          uint64_t tag, uint8_t task_attr, const uint8_t *cdb, uint32_t cdb_len);

/* What a finished request becomes (vscsi_decode_resp) */
enum vscsi_outcome {
    VSCSI_OUT_SUCCESS = 0, /* GOOD, the whole transfer */
    VSCSI_OUT_UNDERRUN,    /* GOOD with a residual: transferred is less */
    VSCSI_OUT_SCSI_ERROR,  /* a SCSI status other than GOOD (sense, if any, in sense_len) */
    VSCSI_OUT_OVERRUN,     /* the target had more data than posted */
    VSCSI_OUT_ABORTED,     /* ABORTED (a TMF took it) */
    VSCSI_OUT_NO_TARGET,   /* BAD_TARGET: selection timeout, the LUN goes away */
    VSCSI_OUT_BUS_RESET,   /* RESET */
    VSCSI_OUT_BUSY,        /* BUSY: retry */
    VSCSI_OUT_TRANSPORT,   /* TRANSPORT_FAILURE: retry */
    VSCSI_OUT_FAILED,      /* TARGET_FAILURE, NEXUS_FAILURE, FAILURE */
    VSCSI_OUT_PROTOCOL,    /* the device broke the protocol (see the flags) */
};

/* Protocol findings of one response */
enum vscsi_resp_finding {
    VSCSI_RESP_SHORT = 1u << 0,           /* fewer bytes written than a response header */
    VSCSI_RESP_SENSE_LONG = 1u << 1,      /* sense_len above sense_size: clamped */
    VSCSI_RESP_SENSE_UNWRITTEN = 1u << 2, /* sense_len beyond what was written: clamped */
    VSCSI_RESP_RESID_LONG = 1u << 3,      /* residual above the transfer */
    VSCSI_RESP_BAD_CODE = 1u << 4,        /* unknown response code */
    VSCSI_RESP_DATA_UNWRITTEN = 1u << 5,  /* a read claims more data than was written */
};

struct vscsi_result {
    enum vscsi_outcome outcome;
    uint8_t scsi_status;  /* the target's status byte (VSCSI_OUT_SUCCESS/UNDERRUN/SCSI_ERROR) */
    uint8_t response;     /* the virtio response code as written */
    uint32_t sense_len;   /* sense bytes to copy from the response's sense field */
    uint32_t transferred; /* data bytes moved */
    unsigned findings;    /* enum vscsi_resp_finding */
};

/*
 * Decode the response resp (VSCSI_RESP_HDR_BYTES + ctrl sense_size bytes
 * posted) of a request that posted transfer data bytes (data_in: towards
 * the driver), written the used length the device reported (response plus
 * data in).  Every field is checked against what was posted.
 */
void vscsi_decode_resp(const uint8_t *resp, uint32_t sense_size, uint32_t transfer, bool data_in,
                       uint32_t written, struct vscsi_result *res);

/* A task management request (VSCSI_TMF_BYTES in out); false when the LUN
 * cannot be addressed or the function is not one the driver sends. */
bool vscsi_encode_tmf(uint8_t *out, uint32_t subtype, uint8_t target, uint32_t lun, uint64_t tag);

enum vscsi_tmf_outcome {
    VSCSI_TMF_DONE = 0,     /* FUNCTION_COMPLETE or FUNCTION_SUCCEEDED */
    VSCSI_TMF_REJECTED = 1, /* FUNCTION_REJECTED, INCORRECT_LUN */
    VSCSI_TMF_FAILED = 2,   /* any other code, or no response byte written */
};

/* The outcome of a task management request from its response byte and the
 * bytes the device wrote. */
enum vscsi_tmf_outcome vscsi_decode_tmf(uint8_t response, uint32_t written);

/* What an event asks of the driver */
enum vscsi_event_kind {
    VSCSI_EV_NONE = 0,     /* NO_EVENT, or an event that asks nothing */
    VSCSI_EV_RESCAN,       /* TRANSPORT_RESET RESCAN: a target or LUN appeared */
    VSCSI_EV_REMOVED,      /* TRANSPORT_RESET REMOVED: a target or LUN went away */
    VSCSI_EV_RESET,        /* TRANSPORT_RESET HARD: the target was reset */
    VSCSI_EV_PARAM_CHANGE, /* PARAM_CHANGE: asc/ascq (e.g. capacity changed) */
    VSCSI_EV_MISSED,       /* EVENTS_MISSED: rescan everything */
    VSCSI_EV_ASYNC,        /* ASYNC_NOTIFY of subscribed classes (events) at target:lun */
    VSCSI_EV_BAD,          /* malformed: the findings say why; ignored (buffer reposted) */
};

enum vscsi_event_finding {
    VSCSI_EVF_SHORT = 1u << 0,      /* fewer bytes written than an event */
    VSCSI_EVF_BAD_LUN = 1u << 1,    /* LUN not in the single-level form */
    VSCSI_EVF_RANGE = 1u << 2,      /* target or LUN beyond max_target/max_lun */
    VSCSI_EVF_BAD_EVENT = 1u << 3,  /* unknown event type */
    VSCSI_EVF_BAD_REASON = 1u << 4, /* unknown TRANSPORT_RESET reason */
    VSCSI_EVF_UNASKED = 1u << 5,    /* an event of a feature not negotiated, a class or LUN
                                       not subscribed */
};

struct vscsi_event {
    enum vscsi_event_kind kind;
    uint8_t target;
    uint32_t lun;
    uint8_t asc, ascq; /* VSCSI_EV_PARAM_CHANGE */
    uint32_t events;   /* VSCSI_EV_ASYNC: VIRTIO_SCSI_EVT_ASYNC_* */
    unsigned findings;
};

struct vscsi_an_table;
/* Decode an event buffer of which the device wrote written bytes; an
 * ASYNC_NOTIFY is checked against what an (NULL: nothing) subscribed */
void vscsi_decode_event(const uint8_t *buf, uint32_t written, const struct vscsi_ctrl *ctrl,
                        const struct vscsi_an_table *an, struct vscsi_event *ev);

/* ---- Asynchronous notification (vscsi_an.c) --------------------------- */
/* An AN_QUERY or AN_SUBSCRIBE request (VSCSI_AN_REQ_BYTES in out) for
 * events (within VSCSI_AN_KNOWN) at target:lun; false when the type or
 * events are not ones the driver sends or the LUN cannot be addressed. */
bool vscsi_encode_an(uint8_t *out, uint32_t type, uint8_t target, uint32_t lun, uint32_t events);

/* Protocol findings of an AN response */
enum vscsi_an_finding {
    VSCSI_AN_SHORT = 1u << 0,   /* fewer bytes written than a response */
    VSCSI_AN_REFUSED = 1u << 1, /* a response code other than OK / FUNCTION_COMPLETE */
    VSCSI_AN_UNASKED = 1u << 2, /* event_actual has classes not requested: those dropped */
};

/* The classes an AN response (of which the device wrote written bytes)
 * grants out of requested; 0 and *findings set when it grants none. */
uint32_t vscsi_decode_an(const uint8_t *resp, uint32_t written, uint32_t requested,
                         unsigned *findings);

/* ---- The LUNs seen and their subscriptions (vscsi_luns.c) ------------- */
#define VSCSI_AN_LUNS      256 /* LUNs the driver subscribes at most */
#define VSCSI_LUN_LIST_HDR 8   /* REPORT LUNS: LUN LIST LENGTH (be32), reserved */

enum vscsi_an_state {
    VSCSI_AN_FREE = 0,  /* no LUN */
    VSCSI_AN_WANT = 1,  /* seen, AN_SUBSCRIBE still to be sent */
    VSCSI_AN_ASKED = 2, /* AN_SUBSCRIBE at the device */
    VSCSI_AN_DONE = 3,  /* answered: granted holds what the device will report */
};

/* The LUNs the driver has seen (INQUIRY or REPORT LUNS answered) and what
 * each subscribed; entries stay in place (a slot's answer names one) */
struct vscsi_an_table {
    unsigned used; /* entries below it may be in use */
    unsigned want; /* entries in VSCSI_AN_WANT */
    struct {
        uint8_t target, state, granted;
        uint32_t lun;
    } e[VSCSI_AN_LUNS];
};

/* target:lun seen: an entry wanting a subscription unless it has one;
 * false when the table is full (not subscribed). */
bool vscsi_an_seen(struct vscsi_an_table *t, uint8_t target, uint32_t lun);
/* target:lun gone (removed, or INQUIRY says no LUN there): forgotten, so
 * that one found there again is subscribed again. */
void vscsi_an_forget(struct vscsi_an_table *t, uint8_t target, uint32_t lun);
/* The next entry wanting a subscription, now ASKED (its LUN in *target,
 * *lun); -1 if none. */
int vscsi_an_next(struct vscsi_an_table *t, uint8_t *target, uint32_t *lun);
/* Entry i's request could not be sent: it wants one again. */
void vscsi_an_unask(struct vscsi_an_table *t, int i);
/* The answer of entry i's request for target:lun: granted classes recorded,
 * unless the entry was forgotten or asked again since (false). */
bool vscsi_an_answered(struct vscsi_an_table *t, int i, uint8_t target, uint32_t lun,
                       uint32_t granted);
/* The classes the device granted at target:lun (0: none, or not seen). */
uint32_t vscsi_an_granted(const struct vscsi_an_table *t, uint8_t target, uint32_t lun);
/* The device was reset (every subscription ended): every LUN wants one again. */
void vscsi_an_renew(struct vscsi_an_table *t);

/* INQUIRY data (moved bytes of it): whether a LUN is there (peripheral
 * qualifier 000b, a device type other than 1Fh, SPC-4 6.6.2). */
bool vscsi_inquiry_present(const uint8_t *data, uint32_t moved);
/* Entry i of REPORT LUNS parameter data (moved bytes of it): 1 and its LUN
 * in *lun, 0 when it is not a single-level peripheral or flat LUN, -1 past
 * what both the LUN LIST LENGTH and moved cover. */
int vscsi_report_lun(const uint8_t *data, uint32_t moved, unsigned i, uint32_t *lun);

/* ---- Unit attentions the driver reports (vscsi_ua.c) ------------------ */
/* SPC-4 facts: the status, sense format and key of a unit attention, and
 * the commands that never report one (SPC-4 5.14: INQUIRY and REPORT LUNS
 * complete without; REQUEST SENSE would return it as data) */
#define VSCSI_STATUS_CHECK_CONDITION 0x02
#define VSCSI_SENSE_FIXED_CURRENT    0x70
#define VSCSI_SENSE_UNIT_ATTENTION   0x06
#define VSCSI_SENSE_FIXED_BYTES      18
#define VSCSI_OP_REQUEST_SENSE       0x03
#define VSCSI_OP_INQUIRY             0x12
#define VSCSI_OP_REPORT_LUNS         0xa0
#define VSCSI_UA_MAX                 16 /* LUNs with a unit attention waiting */

/* Unit attentions PARAM_CHANGE events raised, one per LUN (the newest) */
struct vscsi_ua_table {
    unsigned count; /* entries in use */
    struct {
        uint8_t target, asc, ascq;
        uint32_t lun;
    } e[VSCSI_UA_MAX];
};

/* Raise ASC/ASCQ at target:lun (replacing one already waiting there);
 * false when VSCSI_UA_MAX other LUNs have one waiting (not raised). */
bool vscsi_ua_raise(struct vscsi_ua_table *t, uint8_t target, uint32_t lun, uint8_t asc,
                    uint8_t ascq);

/* A command (opcode op) to target:lun: if a unit attention waits there and
 * op reports one, it is taken and its fixed-format sense written to sense
 * (VSCSI_SENSE_FIXED_BYTES): true, the command completes with CHECK
 * CONDITION instead of going to the device. */
bool vscsi_ua_take(struct vscsi_ua_table *t, uint8_t target, uint32_t lun, uint8_t op,
                   uint8_t sense[VSCSI_SENSE_FIXED_BYTES]);

#endif /* VSCSI_H */
