/*
 * vscsi_luns.c - the LUNs vioscsi has seen and the asynchronous
 * notifications each subscribed (virtio 1.2 5.6.6.2.2: AN_SUBSCRIBE names
 * one LUN, so each LUN found asks for itself; a device reset ends them
 * all).  A LUN is seen when INQUIRY says one is there or REPORT LUNS lists
 * it; both answers come from the device and are checked here.  Nothing
 * here includes a Windows header.
 */
#include "vscsi.h"

/* IRQL: any (pure): the entry of target:lun, or -1 */
static int vscsi_an_find(const struct vscsi_an_table *t, uint8_t target, uint32_t lun)
{
    for (unsigned i = 0; i < t->used; i++)
        if (t->e[i].state != VSCSI_AN_FREE && t->e[i].target == target && t->e[i].lun == lun)
            return (int)i;
    return -1;
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_an_seen(struct vscsi_an_table *t, uint8_t target, uint32_t lun)
{
    if (vscsi_an_find(t, target, lun) >= 0)
        return true;
    unsigned i;
    for (i = 0; i < t->used && t->e[i].state != VSCSI_AN_FREE; i++)
        ;
    if (i == VSCSI_AN_LUNS)
        return false;
    if (i == t->used)
        t->used++;
    t->e[i].target = target;
    t->e[i].lun = lun;
    t->e[i].granted = 0;
    t->e[i].state = VSCSI_AN_WANT;
    t->want++;
    return true;
}

/* IRQL: any (pure): see vscsi.h */
void vscsi_an_forget(struct vscsi_an_table *t, uint8_t target, uint32_t lun)
{
    int i = vscsi_an_find(t, target, lun);
    if (i < 0)
        return;
    if (t->e[i].state == VSCSI_AN_WANT)
        t->want--;
    t->e[i].state = VSCSI_AN_FREE;
    t->e[i].granted = 0;
    while (t->used > 0 && t->e[t->used - 1].state == VSCSI_AN_FREE)
        t->used--;
}

/* IRQL: any (pure): see vscsi.h */
int vscsi_an_next(struct vscsi_an_table *t, uint8_t *target, uint32_t *lun)
{
    if (t->want == 0)
        return -1;
    for (unsigned i = 0; i < t->used; i++)
        if (t->e[i].state == VSCSI_AN_WANT) {
            t->e[i].state = VSCSI_AN_ASKED;
            t->want--;
            *target = t->e[i].target;
            *lun = t->e[i].lun;
            return (int)i;
        }
    return -1;
}

/* IRQL: any (pure): see vscsi.h */
void vscsi_an_unask(struct vscsi_an_table *t, int i)
{
    if (i >= 0 && (unsigned)i < t->used && t->e[i].state == VSCSI_AN_ASKED) {
        t->e[i].state = VSCSI_AN_WANT;
        t->want++;
    }
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_an_answered(struct vscsi_an_table *t, int i, uint8_t target, uint32_t lun,
                       uint32_t granted)
{
    if (i < 0 || (unsigned)i >= t->used || t->e[i].state != VSCSI_AN_ASKED ||
        t->e[i].target != target || t->e[i].lun != lun)
        return false;
    t->e[i].granted = (uint8_t)(granted & VSCSI_AN_KNOWN);
    t->e[i].state = VSCSI_AN_DONE;
    return true;
}

/* IRQL: any (pure): see vscsi.h */
uint32_t vscsi_an_granted(const struct vscsi_an_table *t, uint8_t target, uint32_t lun)
{
    int i = t != NULL ? vscsi_an_find(t, target, lun) : -1;
    return i >= 0 && t->e[i].state == VSCSI_AN_DONE ? t->e[i].granted : 0;
}

/* IRQL: any (pure): see vscsi.h */
void vscsi_an_renew(struct vscsi_an_table *t)
{
    t->want = 0;
    for (unsigned i = 0; i < t->used; i++)
        if (t->e[i].state != VSCSI_AN_FREE) {
            t->e[i].state = VSCSI_AN_WANT;
            t->e[i].granted = 0;
            t->want++;
        }
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_inquiry_present(const uint8_t *data, uint32_t moved)
{
    /* Qualifier 001b (not connected now) and 011b (no LUN) say no LUN to
     * subscribe; type 1Fh is "unknown or no device type" */
    return moved >= 1 && (data[0] >> 5) == 0 && (data[0] & 0x1f) != 0x1f;
}

/* IRQL: any (pure): see vscsi.h */
int vscsi_report_lun(const uint8_t *data, uint32_t moved, unsigned i, uint32_t *lun)
{
    if (moved < VSCSI_LUN_LIST_HDR)
        return -1;
    uint32_t listed =
        (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    uint32_t have = moved - VSCSI_LUN_LIST_HDR;
    if (listed < have)
        have = listed;
    if (i >= have / 8)
        return -1;
    const uint8_t *e = data + VSCSI_LUN_LIST_HDR + 8 * i;
    /* SAM-5 4.7: single level, peripheral (00b, bus 0) or flat (01b)
     * addressing, the second to fourth levels zero */
    if (e[2] != 0 || e[3] != 0 || e[4] != 0 || e[5] != 0 || e[6] != 0 || e[7] != 0)
        return 0;
    if (e[0] == 0) {
        *lun = e[1];
        return 1;
    }
    if ((e[0] >> 6) == 1) {
        *lun = (uint32_t)(e[0] & 0x3f) << 8 | e[1];
        return 1;
    }
    return 0;
}
