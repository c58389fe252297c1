/*
 * vscsi_ua.c - the unit attentions vioscsi reports for PARAM_CHANGE events
 * (virtio 1.2 5.6.6.3.3: the event carries the ASC and ASCQ of a unit
 * attention, e.g. 2A/09 CAPACITY DATA HAS CHANGED).  The LUN's next command
 * completes with CHECK CONDITION and that sense (SPC-4 5.14), which is what
 * makes the class driver re-read the capacity of a disk it already has; a
 * bus rescan alone only finds LUNs that came or went.  A small table, one
 * entry per LUN; nothing here includes a Windows header.
 */
#include "vscsi.h"

/* IRQL: any (pure): the entry of target:lun, or count if none */
static unsigned vscsi_ua_find(const struct vscsi_ua_table *t, uint8_t target, uint32_t lun)
{
    unsigned i;
    for (i = 0; i < t->count; i++)
        if (t->e[i].target == target && t->e[i].lun == lun)
            break;
    return i;
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_ua_raise(struct vscsi_ua_table *t, uint8_t target, uint32_t lun, uint8_t asc,
                    uint8_t ascq)
{
    unsigned i = vscsi_ua_find(t, target, lun);
    if (i == t->count) {
        if (t->count >= VSCSI_UA_MAX)
            return false;
        t->count++;
    }
    t->e[i].target = target;
    t->e[i].lun = lun;
    t->e[i].asc = asc;
    t->e[i].ascq = ascq;
    return true;
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_ua_take(struct vscsi_ua_table *t, uint8_t target, uint32_t lun, uint8_t op,
                   uint8_t sense[VSCSI_SENSE_FIXED_BYTES])
{
    if (t->count == 0 || op == VSCSI_OP_INQUIRY || op == VSCSI_OP_REPORT_LUNS ||
        op == VSCSI_OP_REQUEST_SENSE)
        return false;
    unsigned i = vscsi_ua_find(t, target, lun);
    if (i == t->count)
        return false;
    for (unsigned b = 0; b < VSCSI_SENSE_FIXED_BYTES; b++)
        sense[b] = 0;
    sense[0] = VSCSI_SENSE_FIXED_CURRENT;
    sense[2] = VSCSI_SENSE_UNIT_ATTENTION;
    sense[7] = VSCSI_SENSE_FIXED_BYTES - 8; /* additional sense length */
    sense[12] = t->e[i].asc;
    sense[13] = t->e[i].ascq;
    t->e[i] = t->e[--t->count];
    return true;
}
