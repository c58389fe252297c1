/*
 * vscsi_config.c - every value of the virtio-scsi configuration checked
 * (spec 5.6.4): a finding for the log and a safe default, or a failed
 * start when the request or response could not be laid out; then the
 * limits StorPort is told (segments, transfer, queue depth) and the two
 * registry parameters the existing driver reads.
 */
#include "vscsi.h"

/* IRQL: any (pure): the transfer limit that follows from the segments and max_sectors */
static void vscsi_set_transfer(struct vscsi_ctrl *ctrl)
{
    /* An unaligned buffer spans one page more than its length in pages */
    uint64_t bytes =
        ctrl->data_segs > 1 ? (uint64_t)(ctrl->data_segs - 1) * VSCSI_PAGE : VSCSI_PAGE;
    uint64_t sect = (uint64_t)ctrl->max_sectors * 512;

    if (sect < bytes)
        bytes = sect;
    if (bytes > 0x7fffffffu)
        bytes = 0x7fffffffu & ~(uint64_t)(VSCSI_PAGE - 1);
    ctrl->max_transfer = (uint32_t)bytes;
}

/* IRQL: any (pure): see vscsi.h */
unsigned vscsi_config_check(const uint8_t *cfg, uint32_t len, uint64_t features,
                            struct vscsi_ctrl *ctrl)
{
    unsigned f = 0;
    uint8_t c[VSCSI_CFG_BYTES] = {0};

    if (len < VSCSI_CFG_BYTES)
        f |= VSCSI_SHORT_CONFIG;
    for (uint32_t i = 0; i < VSCSI_CFG_BYTES && i < len; i++)
        c[i] = cfg[i];

    ctrl->hotplug = (features >> VIRTIO_SCSI_F_HOTPLUG) & 1;
    ctrl->change = (features >> VIRTIO_SCSI_F_CHANGE) & 1;

    ctrl->num_queues = vscsi_le32(c + VSCSI_CFG_NUM_QUEUES);
    if (ctrl->num_queues == 0) {
        f |= VSCSI_BAD_NUM_QUEUES;
        ctrl->num_queues = 1;
    }
#ifndef VSCSI_PLANTED_NUMQ /* the planted bug of the unit tests: the claim unchecked */
    else if (ctrl->num_queues > VSCSI_NUM_QUEUES_MAX) {
        /* More than a 16-bit queue index can select: a claim, not a
         * count; the request queues present (up to VSCSI_MAX_QUEUES) run */
        f |= VSCSI_BAD_NUM_QUEUES;
        ctrl->num_queues = VSCSI_MAX_QUEUES;
    }
#endif
    ctrl->seg_max = vscsi_le32(c + VSCSI_CFG_SEG_MAX);
    /* virtio 1.2 5.6.4: seg_max is the most segments a command may have;
     * 0 leaves no room for any data, and the device may hold us to it */
    if (ctrl->seg_max == 0) {
        f |= VSCSI_BAD_SEG_MAX;
        ctrl->seg_max = 1;
    }
    ctrl->max_sectors = vscsi_le32(c + VSCSI_CFG_MAX_SECTORS);
    if (ctrl->max_sectors == 0) {
        f |= VSCSI_BAD_MAX_SECTORS;
        ctrl->max_sectors = VSCSI_PAGE / 512;
    }
    ctrl->cmd_per_lun = vscsi_le32(c + VSCSI_CFG_CMD_PER_LUN);
    if (ctrl->cmd_per_lun == 0) {
        f |= VSCSI_BAD_CMD_PER_LUN;
        ctrl->cmd_per_lun = 1;
    }
    /* An event buffer holds at least one event; a longer one gains nothing */
    ctrl->event_bytes = vscsi_le32(c + VSCSI_CFG_EVENT_INFO_SIZE);
    if ((ctrl->hotplug || ctrl->change) && ctrl->event_bytes < VSCSI_EVENT_BYTES) {
        f |= VSCSI_BAD_EVENT_SIZE;
        ctrl->event_bytes = VSCSI_EVENT_BYTES;
    } else if (ctrl->event_bytes > VSCSI_EVENT_MAX_BYTES) {
        f |= VSCSI_BAD_EVENT_SIZE;
        ctrl->event_bytes = VSCSI_EVENT_MAX_BYTES;
    } else if (ctrl->event_bytes < VSCSI_EVENT_BYTES) {
        ctrl->event_bytes = VSCSI_EVENT_BYTES; /* no events asked for: nothing wrong */
    }
    /* Both sizes place every later field: a value the driver cannot post fails */
    ctrl->sense_size = vscsi_le32(c + VSCSI_CFG_SENSE_SIZE);
    if (ctrl->sense_size > VSCSI_SENSE_MAX)
        f |= VSCSI_BAD_SENSE_SIZE;
    ctrl->cdb_size = vscsi_le32(c + VSCSI_CFG_CDB_SIZE);
    if (ctrl->cdb_size < 6 || ctrl->cdb_size > VSCSI_CDB_MAX)
        f |= VSCSI_BAD_CDB_SIZE;
    if (vscsi_le16(c + VSCSI_CFG_MAX_CHANNEL) != 0)
        f |= VSCSI_BAD_MAX_CHANNEL;
    ctrl->dev_max_target = vscsi_le16(c + VSCSI_CFG_MAX_TARGET);
    ctrl->max_target = ctrl->dev_max_target;
    /* Above 255 the single-level LUN's target byte cannot hold it (a bad
     * value); 255 is valid (QEMU's own) but StorPort's target count is a
     * UCHAR, so the highest target id it can address is 254 */
    if (ctrl->max_target > 255)
        f |= VSCSI_BAD_MAX_TARGET;
    if (ctrl->max_target > VSCSI_PORT_MAX_TARGET)
        ctrl->max_target = VSCSI_PORT_MAX_TARGET;
    ctrl->max_lun = vscsi_le32(c + VSCSI_CFG_MAX_LUN);
    if (ctrl->max_lun > VSCSI_MAX_LUN_FLAT) {
        f |= VSCSI_BAD_MAX_LUN;
        ctrl->max_lun = VSCSI_MAX_LUN_FLAT;
    }
    ctrl->data_segs = ctrl->seg_max < VSCSI_MAX_DATA_SEGS ? ctrl->seg_max : VSCSI_MAX_DATA_SEGS;
    vscsi_set_transfer(ctrl);
    return f;
}

/* IRQL: any (pure): see vscsi.h */
void vscsi_limit_segments(struct vscsi_ctrl *ctrl, uint32_t segs)
{
    if (segs == 0 || segs >= ctrl->data_segs)
        return;
    ctrl->data_segs = segs;
    vscsi_set_transfer(ctrl);
}

/* IRQL: any (pure): see vscsi.h */
enum vscsi_reset_action vscsi_reset_action(bool present, uint32_t value, bool *bad)
{
    *bad = false;
    if (!present || value == 0)
        return VSCSI_RESET_COMPLETE;
    if (value == 1)
        return VSCSI_RESET_NOTHING;
    if (value == VSCSI_REG_BUGCHECK_VALUE)
        return VSCSI_RESET_BUGCHECK;
    *bad = true;
    return VSCSI_RESET_COMPLETE;
}

/* IRQL: any (pure): see vscsi.h */
uint32_t vscsi_breaks_segments(const struct vscsi_ctrl *ctrl, bool present, uint32_t breaks,
                               bool *bad)
{
    *bad = false;
    if (!present)
        return ctrl->data_segs;
    /* breaks + 1 elements; at least two (one page, unaligned) */
    uint64_t segs = (uint64_t)breaks + 1;
    if (segs < 2) {
        *bad = true;
        segs = 2;
    }
    if (segs > ctrl->data_segs) {
        *bad = true;
        segs = ctrl->data_segs;
    }
    return (uint32_t)segs;
}

/* IRQL: any (pure): see vscsi.h */
uint32_t vscsi_adapter_depth(uint32_t ring_slots)
{
    return ring_slots != 0 ? ring_slots : 1;
}

/* IRQL: any (pure): see vscsi.h */
uint32_t vscsi_lun_depth(const struct vscsi_ctrl *ctrl, uint32_t adapter_depth)
{
    uint32_t d = ctrl->cmd_per_lun;
    if (d > adapter_depth)
        d = adapter_depth;
    return d != 0 ? d : 1;
}
