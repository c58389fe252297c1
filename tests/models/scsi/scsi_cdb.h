/*
 * scsi_cdb.h - SCSI facts (SPC/SBC: operation codes, sense format, REPORT
 * LUNS addressing) shared by the back ends, the model and its tests.
 */
#ifndef SCSI_CDB_H
#define SCSI_CDB_H

#include <stdint.h>

#define SCSI_OP_TEST_UNIT_READY 0x00
#define SCSI_OP_REQUEST_SENSE   0x03
#define SCSI_OP_INQUIRY         0x12
#define SCSI_OP_READ_CAPACITY10 0x25
#define SCSI_OP_READ10          0x28
#define SCSI_OP_WRITE10         0x2a
#define SCSI_OP_SYNC_CACHE10    0x35
#define SCSI_OP_UNMAP           0x42
#define SCSI_OP_READ16          0x88
#define SCSI_OP_WRITE16         0x8a
#define SCSI_OP_SERVICE_IN16    0x9e /* service action 0x10: READ CAPACITY(16) */
#define SCSI_OP_REPORT_LUNS     0xa0
#define SCSI_SA_READ_CAPACITY16 0x10

/* Additional sense codes (ASC, ASCQ) */
#define SCSI_ASC_INVALID_OPCODE    0x20
#define SCSI_ASC_LBA_OUT_OF_RANGE  0x21
#define SCSI_ASC_INVALID_FIELD     0x24
#define SCSI_ASC_LUN_NOT_SUPPORTED 0x25

static inline uint32_t scsi_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t scsi_be64(const uint8_t *p)
{
    return (uint64_t)scsi_be32(p) << 32 | scsi_be32(p + 4);
}

static inline void scsi_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void scsi_put_be64(uint8_t *p, uint64_t v)
{
    scsi_put_be32(p, (uint32_t)(v >> 32));
    scsi_put_be32(p + 4, (uint32_t)v);
}

/** A REPORT LUNS entry: peripheral addressing below 256, flat space above (SAM-5) */
static inline void scsi_put_lun(uint8_t *p, uint32_t lun)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = 0;
    if (lun < 256) {
        p[1] = (uint8_t)lun;
    } else {
        p[0] = (uint8_t)(0x40 | ((lun >> 8) & 0x3f));
        p[1] = (uint8_t)lun;
    }
}

/** The LUN of a REPORT LUNS entry (peripheral or flat), or -1 */
static inline int64_t scsi_get_lun(const uint8_t *p)
{
    switch (p[0] >> 6) {
    case 0:
        return p[0] == 0 ? p[1] : -1;
    case 1:
        return (int64_t)((uint32_t)(p[0] & 0x3f) << 8 | p[1]);
    default:
        return -1;
    }
}

#endif /* SCSI_CDB_H */
