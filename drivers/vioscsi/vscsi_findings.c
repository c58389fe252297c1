/*
 * vscsi_findings.c - what the log says of each value vscsi_config_check
 * found wrong: the field by its virtio_scsi_config name (virtio 1.2 5.6.4),
 * the value the device gave, and what the driver uses instead (or that the
 * start fails).  One line per finding, so the log names the field.
 */
#include "vscsi.h"

#define VSCSI_STR_(x) #x
#define VSCSI_STR(x)  VSCSI_STR_(x)

/* Where a finding's field lies in the configuration and how it is named */
struct vscsi_field {
    unsigned finding;
    const char *name;
    uint8_t offset, width; /* bytes into virtio_scsi_config: 2 or 4 */
};

static const struct vscsi_field vscsi_fields[] = {
    {VSCSI_BAD_NUM_QUEUES, "num_queues", VSCSI_CFG_NUM_QUEUES, 4},
    {VSCSI_BAD_SEG_MAX, "seg_max", VSCSI_CFG_SEG_MAX, 4},
    {VSCSI_BAD_MAX_SECTORS, "max_sectors", VSCSI_CFG_MAX_SECTORS, 4},
    {VSCSI_BAD_CMD_PER_LUN, "cmd_per_lun", VSCSI_CFG_CMD_PER_LUN, 4},
    {VSCSI_BAD_EVENT_SIZE, "event_info_size", VSCSI_CFG_EVENT_INFO_SIZE, 4},
    {VSCSI_BAD_SENSE_SIZE, "sense_size", VSCSI_CFG_SENSE_SIZE, 4},
    {VSCSI_BAD_CDB_SIZE, "cdb_size", VSCSI_CFG_CDB_SIZE, 4},
    {VSCSI_BAD_MAX_CHANNEL, "max_channel", VSCSI_CFG_MAX_CHANNEL, 2},
    {VSCSI_BAD_MAX_TARGET, "max_target", VSCSI_CFG_MAX_TARGET, 2},
    {VSCSI_BAD_MAX_LUN, "max_lun", VSCSI_CFG_MAX_LUN, 4},
};

/* IRQL: any (pure): see vscsi.h */
bool vscsi_finding_value(unsigned finding, const uint8_t *cfg, uint32_t len,
                         const struct vscsi_ctrl *ctrl, struct vw_bad_value *out)
{
    out->used = 0;
    out->instead = NULL;
    if (finding == VSCSI_SHORT_CONFIG) {
        out->field = "configuration length";
        out->value = len;
        out->instead = "the start fails";
        return true;
    }
    for (unsigned i = 0; i < sizeof(vscsi_fields) / sizeof(vscsi_fields[0]); i++) {
        const struct vscsi_field *f = &vscsi_fields[i];
        if (f->finding != finding)
            continue;
        out->field = f->name;
        out->value = 0;
        /* Past a short region the check read zeroes: so does the log */
        for (unsigned b = 0; b < f->width; b++)
            if (f->offset + b < len)
                out->value |= (uint64_t)cfg[f->offset + b] << (8 * b);
        if (finding & VSCSI_FATAL_FINDINGS)
            out->instead = "the start fails";
        else if (finding == VSCSI_BAD_NUM_QUEUES && out->value > VSCSI_NUM_QUEUES_MAX)
            out->instead =
                "the request queues present are used, " VSCSI_STR(VSCSI_MAX_QUEUES) " at most";
        else if (finding == VSCSI_BAD_NUM_QUEUES)
            out->used = ctrl->num_queues;
        else if (finding == VSCSI_BAD_MAX_SECTORS)
            out->used = ctrl->max_sectors;
        else if (finding == VSCSI_BAD_CMD_PER_LUN)
            out->used = ctrl->cmd_per_lun;
        else if (finding == VSCSI_BAD_EVENT_SIZE)
            out->used = ctrl->event_bytes;
        else if (finding == VSCSI_BAD_MAX_CHANNEL)
            out->used = 0; /* channel 0 only */
        else if (finding == VSCSI_BAD_MAX_TARGET)
            out->used = ctrl->max_target;
        else
            out->used = ctrl->max_lun;
        return true;
    }
    return false;
}
