/*
 * The write-cache switch of the class layer, as disk.sys runs it for
 * IOCTL_DISK_GET_CACHE_INFORMATION / IOCTL_DISK_SET_CACHE_INFORMATION
 * (what the "Enable write caching on the device" box of the disk's
 * Policies tab sends): MODE SENSE(6) of the caching page (current values,
 * block descriptors allowed), then MODE SELECT(6) with PF set, SP as the
 * page's PS bit said, a 4-byte header, one 8-byte block descriptor
 * carrying the block length and the 20-byte caching page with WCE changed
 * (disk.sys's DiskModeSelect, Windows-driver-samples
 * storage/class/disk/src/disk.c; the CDB and parameter list per SPC-4
 * 6.9 and 7.5, the caching page per SBC-3 6.4.5).
 */
#include <string.h>
#include "internal.h"

#define MODE_SENSE6       0x1a
#define MODE_SELECT6      0x15
#define MODE_PAGE_CACHING 0x08
#define MODE_DATA_SIZE    192 /* what disk.sys asks MODE SENSE for */
#define CACHING_PAGE_LEN  20  /* MODE_CACHING_PAGE: code, length 0x12, 18 bytes */

/* The caching page of a MODE SENSE(6) answer of LEN bytes, or NULL. */
static const uint8_t *find_caching_page(const uint8_t *d, uint32_t len)
{
    if (len < 4)
        return NULL;
    uint32_t end = (uint32_t)d[0] + 1 < len ? (uint32_t)d[0] + 1 : len;
    for (uint32_t off = 4 + d[3]; off + 2 <= end; off += 2 + d[off + 1])
        if ((d[off] & 0x3f) == MODE_PAGE_CACHING && off + 2 + d[off + 1] <= end &&
            d[off + 1] + 2u >= CACHING_PAGE_LEN)
            return d + off;
    return NULL;
}

bool vw_stor_cache_get(struct vm *vm, struct vw_stor_cache *out, struct vw_stor_result *res)
{
    uint8_t data[MODE_DATA_SIZE] = {0};
    uint8_t cdb[6] = {MODE_SENSE6, 0, MODE_PAGE_CACHING, 0, MODE_DATA_SIZE, 0};
    memset(out, 0, sizeof(*out));
    if (!vw_stor_scsi(vm, cdb, 6, data, sizeof(data), true, res))
        return false;
    if ((res->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
        return true;
    const uint8_t *p = find_caching_page(data, res->transferred);
    if (p == NULL)
        return true;
    out->found = true;
    out->write_protected = (data[2] & 0x80) != 0;
    out->savable = (p[0] & 0x80) != 0;
    out->wce = (p[2] & 0x04) != 0;
    out->rcd = (p[2] & 0x01) != 0;
    memcpy(out->page, p, CACHING_PAGE_LEN);
    return true;
}

bool vw_stor_cache_set(struct vm *vm, bool wce, uint32_t block_size, struct vw_stor_result *res)
{
    struct vw_stor_cache now;
    if (!vw_stor_cache_get(vm, &now, res))
        return false;
    if (!now.found) {
        vw_fail(vm, "storport: MODE SENSE found no caching page to change (SRB 0x%02x)",
                res->srb_status);
        return false;
    }
    /* Header with only the block descriptor length; the descriptor with
     * the block length; the page as read, PS cleared (reserved in MODE
     * SELECT), WCE as asked. */
    uint8_t list[4 + 8 + CACHING_PAGE_LEN] = {0};
    list[3] = 8;
    list[9] = (uint8_t)(block_size >> 16);
    list[10] = (uint8_t)(block_size >> 8);
    list[11] = (uint8_t)block_size;
    memcpy(list + 12, now.page, CACHING_PAGE_LEN);
    list[12] &= 0x7f;
    list[14] = (uint8_t)((list[14] & ~0x04) | (wce ? 0x04 : 0));
    uint8_t cdb[6] = {
        MODE_SELECT6, (uint8_t)(0x10 | (now.savable ? 0x01 : 0)), 0, 0, sizeof(list), 0};
    return vw_stor_scsi(vm, cdb, 6, list, sizeof(list), false, res);
}

/* The "Turn off Windows write-cache buffer flushing on the device" box
 * of the Policies tab (the disk's CacheIsPowerProtected parameter):
 * disk.sys then treats both caches as battery-backed (classpnp's
 * DEV_POWER_PROTECTED, Windows-driver-samples storage/class): it
 * completes IRP_MJ_FLUSH_BUFFERS without sending SYNCHRONIZE CACHE, and a
 * write-through write carries no FUA. */
void vw_stor_cache_power_protected(struct vm *vm, bool on)
{
    stor_state(vm)->power_protected = on;
}

bool vw_stor_flush_buffers(struct vm *vm, bool *sent, struct vw_stor_result *res)
{
    memset(res, 0, sizeof(*res));
    *sent = !stor_state(vm)->power_protected;
    /* Planted: sent anyway while it says not (the device counts it). */
    if (!*sent && !(stor_state(vm)->plant_class & VW_STOR_PLANT_FLUSH_CHECKED)) {
        res->srb_status = SRB_STATUS_SUCCESS;
        return true;
    }
    uint8_t cdb[10] = {0x35}; /* SYNCHRONIZE CACHE(10), the whole medium */
    return vw_stor_scsi(vm, cdb, 10, NULL, 0, false, res);
}

bool vw_stor_write_through(struct vm *vm, uint64_t lba, uint32_t blocks, void *buf, uint32_t len,
                           bool *fua, struct vw_stor_result *res)
{
    /* FUA only with the device's write cache on (the caching page's WCE,
     * classpnp's DEV_WRITE_CACHE) and not power protected. */
    struct vw_stor_cache c;
    if (!vw_stor_cache_get(vm, &c, res))
        return false;
    *fua = c.found && c.wce && !stor_state(vm)->power_protected;
    uint8_t cdb[16] = {0x8a, (uint8_t)(*fua ? 0x08 : 0)};
    for (unsigned i = 0; i < 8; i++)
        cdb[2 + i] = (uint8_t)(lba >> (56 - 8 * i));
    for (unsigned i = 0; i < 4; i++)
        cdb[10 + i] = (uint8_t)(blocks >> (24 - 8 * i));
    return vw_stor_scsi(vm, cdb, 16, buf, len, false, res);
}

void vw_stor_plant_class_bug(struct vm *vm, unsigned bugs)
{
    stor_state(vm)->plant_class = bugs;
}
