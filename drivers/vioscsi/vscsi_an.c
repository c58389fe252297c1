/*
 * vscsi_an.c - asynchronous notification on the control queue (virtio 1.2
 * 5.6.6.4): the AN_QUERY / AN_SUBSCRIBE request and what its response
 * grants.  The device answers with the classes it will report; every
 * field it writes is checked against what was asked.  Nothing here
 * includes a Windows header.
 */
#include "vscsi.h"

/* IRQL: any (pure): a little-endian 32-bit store */
static void vscsi_an_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* IRQL: any (pure): see vscsi.h */
bool vscsi_encode_an(uint8_t *out, uint32_t type, uint8_t target, uint32_t lun, uint32_t events)
{
    if ((type != VIRTIO_SCSI_T_AN_QUERY && type != VIRTIO_SCSI_T_AN_SUBSCRIBE) || events == 0 ||
        (events & ~(uint32_t)VSCSI_AN_KNOWN) != 0)
        return false;
    vscsi_an_put32(out, type);
    if (!vscsi_encode_lun(out + 4, target, lun))
        return false;
    vscsi_an_put32(out + 12, events);
    return true;
}

/* IRQL: any (pure): see vscsi.h */
uint32_t vscsi_decode_an(const uint8_t *resp, uint32_t written, uint32_t requested,
                         unsigned *findings)
{
    *findings = 0;
    if (written < VSCSI_AN_RESP_BYTES) {
        *findings = VSCSI_AN_SHORT;
        return 0;
    }
    uint8_t response = resp[4];
    if (response != VIRTIO_SCSI_S_OK) {
        *findings = VSCSI_AN_REFUSED;
        return 0;
    }
    uint32_t actual = vscsi_le32(resp);
    if ((actual & ~requested) != 0)
        *findings |= VSCSI_AN_UNASKED;
    return actual & requested;
}
