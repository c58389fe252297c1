/*
 * Sense data between the miniport and the class layer: the sense buffer
 * the class driver gives each SRB_EX (SenseInfoBuffer, SenseInfoBufferLength
 * in the CDB block), the rules a miniport follows when it returns sense
 * with SRB_STATUS_AUTOSENSE_VALID (storage/storport-s-role-in-transmitting-
 * scsi-sense-data; srb/ns-srb-_srbex_data_scsi_cdb16), and the parsing of
 * fixed and descriptor sense that scenarios read (sense key, ASC, ASCQ).
 */
#include <inttypes.h>
#include <string.h>
#include "internal.h"

#define SRB_STATUS_AUTOSENSE_VALID 0x80
#define SENSE_GUARD                0x5a

/* The CDB16 block of R's SRB (the class layer puts it at SrbExDataOffset). */
static gva_t cdb_block(struct vm *vm, const struct stor_req *r)
{
    return r->srb + vw_rd(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbExDataOffset), 4);
}

/* Guard bytes after the LEN bytes the class layer gave at SENSE. */
void stor_sense_guard(struct vm *vm, gva_t sense, unsigned len)
{
    uint8_t guard[STOR_SENSE_GUARD];
    memset(guard, SENSE_GUARD, sizeof(guard));
    vw_write(vm, sense + len, guard, sizeof(guard));
}

/* At RequestComplete: the sense rules.  The miniport writes at most
 * SenseInfoBufferLength bytes and, on an underrun, lowers that member to
 * what it wrote (never raises it); SRB_STATUS_AUTOSENSE_VALID says the
 * buffer holds sense, so it needs a buffer and a non-zero length
 * (storage/storport-s-role-in-transmitting-scsi-sense-data: the port
 * returns sense only where SenseInfoBuffer and its length are defined).
 * False (the run failed) on a breach. */
bool stor_check_sense(struct vm *vm, struct stor_req *r)
{
    if (r->sense == 0 && r->sense_len == 0) {
        uint8_t st =
            (uint8_t)vw_rd(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbStatus), 1);
        if (st & SRB_STATUS_AUTOSENSE_VALID) {
            vw_fail(vm,
                    "storport: SRB 0x%" PRIx64 " completed with SRB_STATUS_AUTOSENSE_VALID "
                    "but the class driver gave no sense buffer",
                    r->srb);
            return false;
        }
        return true;
    }
    uint8_t after[STOR_SENSE_GUARD];
    vw_read(vm, r->sense + r->sense_len, after, sizeof(after));
    for (unsigned i = 0; i < sizeof(after); i++)
        if (after[i] != SENSE_GUARD) {
            vw_fail(vm,
                    "storport: SRB 0x%" PRIx64 ": the miniport wrote sense data past "
                    "SenseInfoBufferLength %u (byte %u)",
                    r->srb, r->sense_len, r->sense_len + i);
            return false;
        }
    gva_t ex = cdb_block(vm, r);
    unsigned now =
        (unsigned)vw_rd(vm, ex + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, SenseInfoBufferLength), 1);
    if (now > r->sense_len) {
        vw_fail(vm, "storport: SRB 0x%" PRIx64 ": SenseInfoBufferLength raised from %u to %u",
                r->srb, r->sense_len, now);
        return false;
    }
    uint8_t st = (uint8_t)vw_rd(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbStatus), 1);
    if ((st & SRB_STATUS_AUTOSENSE_VALID) && now == 0) {
        vw_fail(vm,
                "storport: SRB 0x%" PRIx64 " completed with SRB_STATUS_AUTOSENSE_VALID and "
                "SenseInfoBufferLength 0",
                r->srb);
        return false;
    }
    return true;
}

/* Sense key, ASC and ASCQ from R's sense buffer when the miniport said it
 * is valid: fixed format (response code 0x70/0x71: key in byte 2, ASC and
 * ASCQ in bytes 12-13) or descriptor format (0x72/0x73: bytes 1-3), only
 * from the bytes SenseInfoBufferLength says were written (SPC; the
 * SENSE_DATA layout of win32/devnotes/sense-data). */
void stor_parse_sense(struct vm *vm, const struct stor_req *r, struct vw_stor_result *res)
{
    res->sense_valid = false;
    res->sense_key = res->asc = res->ascq = 0;
    res->sense_len = 0;
    memset(res->sense, 0, sizeof(res->sense));
    if (!(r->status & SRB_STATUS_AUTOSENSE_VALID) || r->sense == 0)
        return;
    unsigned n = (unsigned)vw_rd(
        vm, cdb_block(vm, r) + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, SenseInfoBufferLength), 1);
    uint8_t b[256] = {0};
    vw_read(vm, r->sense, b, n < r->sense_len ? n : r->sense_len);
    res->sense_len = (uint8_t)n;
    memcpy(res->sense, b, sizeof(res->sense));
    unsigned code = b[0] & 0x7f;
    if ((code == 0x70 || code == 0x71) && n >= 3) {
        res->sense_valid = true;
        res->sense_key = b[2] & 0x0f;
        res->asc = n > 12 ? b[12] : 0;
        res->ascq = n > 13 ? b[13] : 0;
    } else if ((code == 0x72 || code == 0x73) && n >= 2) {
        res->sense_valid = true;
        res->sense_key = b[1] & 0x0f;
        res->asc = n > 2 ? b[2] : 0;
        res->ascq = n > 3 ? b[3] : 0;
    }
}

/* ---- The class driver's retries ---------------------------------------- */

/* Should the class driver send it again?  What disk.sys retries (classpnp's
 * ClassInterpretSenseInfo, Microsoft's published class driver): a bus
 * reset, a time-out, BUSY (SRB_STATUS_BUSY, or SRB_STATUS_ERROR with the
 * SCSI status BUSY), and CHECK CONDITION with UNIT ATTENTION or
 * ABORTED COMMAND; never ILLEGAL REQUEST, DATA PROTECT or a selection
 * time-out. */
static bool retryable(const struct vw_stor_result *r)
{
    switch (r->srb_status) {
    case 0x05: /* SRB_STATUS_BUSY */
    case 0x09: /* SRB_STATUS_TIMEOUT */
    case 0x0b: /* SRB_STATUS_COMMAND_TIMEOUT */
    case 0x0e: /* SRB_STATUS_BUS_RESET */
        return true;
    case 0x04: /* SRB_STATUS_ERROR: SCSI status BUSY, else by the sense */
        if (r->scsi_status == 0x08)
            return true;
        return r->sense_valid && (r->sense_key == 0x6 || r->sense_key == 0xb);
    }
    return false;
}

bool vw_stor_scsi_retry(struct vm *vm, const uint8_t *cdb, unsigned cdb_len, void *buf,
                        uint32_t len, bool data_in, unsigned retries, struct vw_stor_result *res,
                        unsigned *tries)
{
    struct vw_stor_result r;
    unsigned n = 0;
    for (;;) {
        n++;
        if (!vw_stor_scsi(vm, cdb, cdb_len, buf, len, data_in, &r))
            return false;
        if (!retryable(&r) || n > retries)
            break;
    }
    if (res)
        *res = r;
    if (tries)
        *tries = n;
    return true;
}
