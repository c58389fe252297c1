/*
 * vblk_scsi.c - SCSI commands (SPC-4, SBC-3) over a virtio-blk disk:
 * answered here (INQUIRY and its VPD pages, READ CAPACITY, MODE SENSE,
 * REPORT LUNS, TEST UNIT READY, START STOP UNIT, REQUEST SENSE) or turned
 * into one virtio-blk request (reads, writes, flushes, discards, zeroes).
 * Anything else, and any field this disk cannot honour, gets ILLEGAL
 * REQUEST sense: never a guess.  Runs in the driver at DISPATCH_LEVEL or
 * below and in the host unit tests; it touches only the command.
 */
#include "vblk.h"

#define SCSI_TEST_UNIT_READY 0x00
#define SCSI_REQUEST_SENSE   0x03
#define SCSI_READ6           0x08
#define SCSI_WRITE6          0x0a
#define SCSI_INQUIRY         0x12
#define SCSI_MODE_SELECT6    0x15
#define SCSI_MODE_SENSE6     0x1a
#define SCSI_START_STOP_UNIT 0x1b
#define SCSI_READ_CAPACITY10 0x25
#define SCSI_READ10          0x28
#define SCSI_WRITE10         0x2a
#define SCSI_VERIFY10        0x2f
#define SCSI_SYNC_CACHE10    0x35
#define SCSI_UNMAP           0x42
#define SCSI_MODE_SELECT10   0x55
#define SCSI_MODE_SENSE10    0x5a
#define SCSI_READ16          0x88
#define SCSI_WRITE16         0x8a
#define SCSI_VERIFY16        0x8f
#define SCSI_SYNC_CACHE16    0x91
#define SCSI_WRITE_SAME16    0x93
#define SCSI_SERVICE_IN16    0x9e
#define SCSI_REPORT_LUNS     0xa0
#define SCSI_READ12          0xa8
#define SCSI_WRITE12         0xaa
#define SCSI_VERIFY12        0xaf
#define SA_READ_CAPACITY16   0x10
#define MODE_PAGE_CACHING    0x08
#define MODE_PAGE_ALL        0x3f

static const char vblk_vendor[8] = {'V', 'i', 'r', 't', 'I', 'O', ' ', ' '};
static const char vblk_product[16] = {'B', 'l', 'o', 'c', 'k', ' ', 'D', 'e',
                                      'v', 'i', 'c', 'e', ' ', ' ', ' ', ' '};
static const char vblk_revision[4] = {'0', '0', '0', '1'};

/* IRQL: any. big-endian loads and stores of CDB and data fields */
static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}
/* A big-endian 32-bit field. IRQL: any. */
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
/* A big-endian 64-bit field. IRQL: any. */
static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}
/* Store a big-endian 16-bit field. IRQL: any. */
static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}
/* Store a big-endian 32-bit field. IRQL: any. */
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}
/* Store a big-endian 64-bit field. IRQL: any. */
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32)), put32(p + 4, (uint32_t)v);
}

/* IRQL: any. fixed-format sense data (SPC-4 4.5.3) with CHECK CONDITION */
void vblk_scsi_sense(struct vblk_cmd *cmd, uint8_t key, uint8_t asc, uint8_t ascq)
{
    for (unsigned i = 0; i < VBLK_SENSE_BYTES; i++)
        cmd->sense[i] = 0;
    cmd->sense[0] = 0x70; /* current error, fixed format */
    cmd->sense[2] = key;
    cmd->sense[7] = VBLK_SENSE_BYTES - 8;
    cmd->sense[12] = asc;
    cmd->sense[13] = ascq;
    cmd->sense_valid = true;
    cmd->status = SCSI_STATUS_CHECK_CONDITION;
    cmd->data_len = 0;
}

/* IRQL: any. ILLEGAL REQUEST with asc, answered here */
static enum vblk_action illegal(struct vblk_cmd *cmd, uint8_t asc)
{
    vblk_scsi_sense(cmd, SCSI_SENSE_ILLEGAL_REQUEST, asc, 0);
    return VBLK_DONE;
}

/* IRQL: any. GOOD with len bytes of the response buffer transferred */
static enum vblk_action good(struct vblk_cmd *cmd, uint32_t len)
{
    cmd->status = SCSI_STATUS_GOOD;
    cmd->sense_valid = false;
    cmd->data_len = len;
    return VBLK_DONE;
}

/*
 * IRQL: any. Copy a response of len bytes built in resp to the data-in
 * buffer, truncated to the allocation length and the buffer (SPC-4 4.2.5.6).
 */
static enum vblk_action reply(struct vblk_cmd *cmd, const uint8_t *resp, uint32_t len,
                              uint32_t alloc)
{
    uint32_t n = len < alloc ? len : alloc;

    if (cmd->data == NULL || !cmd->data_in)
        n = 0;
    if (n > cmd->data_len)
        n = cmd->data_len;
    for (uint32_t i = 0; i < n; i++)
        cmd->data[i] = resp[i];
    return good(cmd, n);
}

/* IRQL: any. standard INQUIRY data (SPC-4 6.4.2), 36 bytes */
static uint32_t inquiry_std(uint8_t *r)
{
    r[0] = 0x00; /* peripheral: connected direct-access block device */
    r[2] = 0x06; /* SPC-4 */
    r[3] = 0x02; /* response data format 2 */
    r[4] = 36 - 5;
    r[7] = 0x02; /* CMDQUE */
    for (unsigned i = 0; i < 8; i++)
        r[8 + i] = (uint8_t)vblk_vendor[i];
    for (unsigned i = 0; i < 16; i++)
        r[16 + i] = (uint8_t)vblk_product[i];
    for (unsigned i = 0; i < 4; i++)
        r[32 + i] = (uint8_t)vblk_revision[i];
    return 36;
}

/* IRQL: any. the VPD page page into r (zeroed, 64 bytes); its length or 0 */
static uint32_t inquiry_vpd(const struct vblk_disk *d, uint8_t page, uint8_t *r)
{
    static const uint8_t pages[] = {0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2};
    uint32_t bs = 1u << d->blk_shift; /* sectors per block */

    r[1] = page;
    switch (page) {
    case 0x00: /* supported pages */
        for (unsigned i = 0; i < sizeof(pages); i++)
            r[4 + i] = pages[i];
        r[3] = sizeof(pages);
        return 4 + sizeof(pages);
    case 0x80: /* unit serial number: GET_ID's printable prefix */
        for (unsigned i = 0; i < d->serial_len; i++)
            r[4 + i] = d->serial[i];
        r[3] = d->serial_len;
        return 4u + d->serial_len;
    case 0x83: { /* device identification: one T10 vendor designator */
        uint8_t *des = r + 4;
        unsigned n = 8;
        des[0] = 0x02; /* ASCII */
        des[1] = 0x01; /* T10 vendor ID, associated with the LU */
        for (unsigned i = 0; i < 8; i++)
            des[4 + i] = (uint8_t)vblk_vendor[i];
        if (d->serial_len != 0) {
            for (unsigned i = 0; i < d->serial_len; i++)
                des[4 + n++] = d->serial[i];
        } else {
            for (unsigned i = 0; i < 16; i++)
                des[4 + n++] = (uint8_t)vblk_product[i];
        }
        des[3] = (uint8_t)n;
        r[3] = (uint8_t)(4 + n);
        return 8 + n;
    }
    case 0xb0: { /* block limits (SBC-3 6.5.3) */
        uint32_t unmap_gran = d->discard_align / bs;
        uint32_t max_blocks = d->max_transfer >> (VIRTIO_BLK_SECTOR_SHIFT + d->blk_shift);
        r[3] = 0x3c;
        r[4] = 0x01; /* WSNZ: WRITE SAME with 0 blocks is refused */
        put16(r + 6, d->min_io);
        put32(r + 8, max_blocks);
        /* SBC-3 6.6.4: never above the maximum (PhysicalBreaks may lower it) */
        put32(r + 12, d->opt_io < max_blocks ? d->opt_io : max_blocks);
        if (d->discard) {
            put32(r + 20, d->max_discard / bs);
            put32(r + 24, d->discard_segs);
            put32(r + 28, unmap_gran != 0 ? unmap_gran : 1);
            /* UGAVALID with UNMAP GRANULARITY ALIGNMENT 0 (SBC-3 6.6.4): the
             * granularity is discard_sector_alignment, an alignment by its
             * name, so whole granules count from LBA 0 (virtio 1.2 5.2.4
             * states no offset for discards; alignment_offset is the
             * physical block's) */
            r[32] = 0x80;
        }
        if (d->write_zeroes)
            put64(r + 36, d->max_wz / bs);
        else if (d->discard)
            put64(r + 36, d->max_discard / bs);
        return 64;
    }
    case 0xb1: /* block device characteristics */
        r[3] = 0x3c;
        r[5] = 0x01; /* medium rotation rate 1: non-rotating */
        return 64;
    case 0xb2: /* logical block provisioning */
        r[3] = 0x04;
        if (d->discard)
            r[5] = 0x80; /* LBPU */
        if (d->discard || d->write_zeroes)
            r[5] |= 0x40;                /* LBPWS */
        r[6] = d->discard ? 0x02 : 0x00; /* thin provisioned */
        return 8;
    }
    return 0;
}

/* IRQL: any. INQUIRY (SPC-4 6.4) */
static enum vblk_action inquiry(const struct vblk_disk *d, struct vblk_cmd *cmd)
{
    const uint8_t *cdb = cmd->cdb;
    uint8_t r[64] = {0};
    uint32_t alloc = be16(cdb + 3), len;

    if (cdb[1] & 0x02) /* CMDDT: obsolete */
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (!(cdb[1] & 0x01)) {
        if (cdb[2] != 0)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        len = inquiry_std(r);
    } else {
        len = inquiry_vpd(d, cdb[2], r);
        if (len == 0)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    }
    return reply(cmd, r, len, alloc);
}

/* IRQL: any. see vblk.h */
bool vblk_scsi_needs_serial(const uint8_t *cdb, unsigned cdb_len)
{
    /* NACA set (CONTROL byte 5, bit 2): refused by the translation, no serial asked for */
    return cdb != NULL && cdb_len >= 6 && cdb[0] == 0x12 && (cdb[1] & 0x03) == 0x01 &&
           (cdb[2] == 0x80 || cdb[2] == 0x83) && !(cdb[5] & 0x04);
}

/* IRQL: any. READ CAPACITY (10) and (16) (SBC-3 5.15, 5.16) */
static enum vblk_action read_capacity(const struct vblk_disk *d, struct vblk_cmd *cmd, bool c16)
{
    uint8_t r[32] = {0};
    uint64_t last = d->blocks != 0 ? d->blocks - 1 : 0;

    if (!c16) {
        put32(r, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
        put32(r + 4, d->blk_size);
        return reply(cmd, r, 8, 8);
    }
    put64(r, last);
    put32(r + 8, d->blk_size);
    r[13] = d->phys_exp & 0x0f;
    r[14] = (uint8_t)((d->align_off >> 8) & 0x3f);
    if (d->discard)
        r[14] |= 0x80; /* LBPME */
    r[15] = (uint8_t)d->align_off;
    return reply(cmd, r, 32, be32(cmd->cdb + 10));
}

/* IRQL: any. the caching mode page (SBC-3 6.4.5); changeable when pc is 1 */
static uint32_t caching_page(const struct vblk_disk *d, unsigned pc, uint8_t *p)
{
    p[0] = MODE_PAGE_CACHING;
    p[1] = 0x12;
    if (pc == 1)
        p[2] = d->config_wce ? 0x04 : 0x00;
    else if (pc == 2)
        p[2] = d->flush ? 0x04 : 0x00; /* the device's default (spec 5.2.6.3) */
    else
        p[2] = d->writeback ? 0x04 : 0x00;
    return 20;
}

/* IRQL: any. MODE SENSE (6) and (10) (SPC-4 6.11, 6.12) */
static enum vblk_action mode_sense(const struct vblk_disk *d, struct vblk_cmd *cmd, bool m10)
{
    const uint8_t *cdb = cmd->cdb;
    unsigned page = cdb[2] & 0x3f, pc = cdb[2] >> 6;
    bool dbd = (cdb[1] & 0x08) != 0;
    uint8_t r[64] = {0};
    uint32_t hdr = m10 ? 8 : 4, len = hdr;

    if (pc == 3)
        return illegal(cmd, SCSI_ASC_SAVING_UNSUPPORTED);
    if (page != MODE_PAGE_CACHING && page != MODE_PAGE_ALL)
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if ((cdb[3] != 0 && cdb[3] != 0xff) || (page == MODE_PAGE_CACHING && cdb[3] == 0xff))
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD); /* subpages */
    /* Device-specific parameter: WP, and DPOFUA (FUA is a flush that follows) */
    r[m10 ? 3 : 2] = (uint8_t)((d->ro ? 0x80 : 0) | (d->flush ? 0x10 : 0));
    if (!dbd) {
        uint8_t *bd = r + hdr;
        put32(bd, d->blocks > 0xffffffu ? 0xffffffu : (uint32_t)d->blocks);
        bd[0] = 0; /* density code */
        put32(bd + 4, d->blk_size & 0xffffff);
        r[m10 ? 7 : 3] = 8;
        len += 8;
    }
    len += caching_page(d, pc, r + len);
    if (m10)
        put16(r, len - 2);
    else
        r[0] = (uint8_t)(len - 1);
    return reply(cmd, r, len, m10 ? be16(cdb + 7) : cdb[4]);
}

/* IRQL: any. MODE SELECT (6) and (10): only the caching page's WCE */
static enum vblk_action mode_select(const struct vblk_disk *d, struct vblk_cmd *cmd, bool m10)
{
    const uint8_t *cdb = cmd->cdb;
    uint32_t plen = m10 ? be16(cdb + 7) : cdb[4];
    uint32_t hdr = m10 ? 8 : 4, off;
    const uint8_t *p = cmd->data;

    if (!(cdb[1] & 0x10) || (cdb[1] & 0x01)) /* PF must be set; SP (save) is not kept */
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (plen == 0)
        return good(cmd, 0);
    if (p == NULL || cmd->data_in || plen > cmd->data_len || plen < hdr)
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    off = hdr + (m10 ? be16(p + 6) : p[3]); /* skip block descriptors */
    if (off > plen)
        return illegal(cmd, SCSI_ASC_INVALID_PARAM_FIELD);
    if (off == plen)
        return good(cmd, 0);
    if (plen - off < 3 || (p[off] & 0x3f) != MODE_PAGE_CACHING || (p[off] & 0x40) ||
        p[off + 1] != 0x12 || plen - off < 20)
        return illegal(cmd, SCSI_ASC_INVALID_PARAM_FIELD);
    bool wce = (p[off + 2] & 0x04) != 0;
    if (wce == d->writeback)
        return good(cmd, 0);
    if (!d->config_wce)
        return illegal(cmd, SCSI_ASC_INVALID_PARAM_FIELD);
    cmd->io.wce = wce;
    cmd->status = SCSI_STATUS_GOOD;
    cmd->data_len = 0;
    return VBLK_SET_WCE;
}

/* IRQL: any. LBA and block count of a read/write/verify CDB; false if not one */
static bool rw_range(const uint8_t *cdb, unsigned cdb_len, uint64_t *lba, uint32_t *blocks)
{
    switch (cdb[0]) {
    case SCSI_READ6:
    case SCSI_WRITE6:
        if (cdb_len < 6)
            return false;
        *lba = (uint64_t)(cdb[1] & 0x1f) << 16 | be16(cdb + 2);
        *blocks = cdb[4] != 0 ? cdb[4] : 256; /* 0 means 256 (SBC-3 5.8) */
        return true;
    case SCSI_READ10:
    case SCSI_WRITE10:
    case SCSI_VERIFY10:
    case SCSI_SYNC_CACHE10:
        if (cdb_len < 10)
            return false;
        *lba = be32(cdb + 2);
        *blocks = be16(cdb + 7);
        return true;
    case SCSI_READ12:
    case SCSI_WRITE12:
    case SCSI_VERIFY12:
        if (cdb_len < 12)
            return false;
        *lba = be32(cdb + 2);
        *blocks = be32(cdb + 6);
        return true;
    case SCSI_READ16:
    case SCSI_WRITE16:
    case SCSI_VERIFY16:
    case SCSI_SYNC_CACHE16:
    case SCSI_WRITE_SAME16:
        if (cdb_len < 16)
            return false;
        *lba = be64(cdb + 2);
        *blocks = be32(cdb + 10);
        return true;
    }
    return false;
}

/* IRQL: any. true if blocks at lba lie inside the disk (no wrap) */
static bool in_range(const struct vblk_disk *d, uint64_t lba, uint64_t blocks)
{
#ifdef VBLK_PLANTED_WRAP
    /* The planted bug of the unit tests: the sum wraps past 2^64 */
    return lba + blocks <= d->blocks;
#else
    return lba <= d->blocks && blocks <= d->blocks - lba;
#endif
}

/*
 * IRQL: any. INVALID FIELD IN CDB pointing at bits 7-5 of CDB byte 1, the
 * RDPROTECT/WRPROTECT/VRPROTECT field: the sense key specific bytes 15-17
 * (SPC-4 4.5.2.4.2) say SKSV, C/D (the CDB), BPV with bit 7 and byte 1.
 */
static enum vblk_action protect_refused(struct vblk_cmd *cmd)
{
    vblk_scsi_sense(cmd, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_CDB_FIELD, 0);
    cmd->sense[15] = 0x80 | 0x40 | 0x08 | 7;
    cmd->sense[16] = 0;
    cmd->sense[17] = 1;
    return VBLK_DONE;
}

/*
 * IRQL: any. Whether a 10-, 12- or 16-byte READ, WRITE or VERIFY asks for
 * protection information (CDB byte 1 bits 7-5 non-zero).  A virtio-blk disk
 * has none (its INQUIRY says PROTECT 0), and SBC-3 (the RDPROTECT, WRPROTECT
 * and VRPROTECT field tables) then wants any non-zero value refused with
 * INVALID FIELD IN CDB.  The 6-byte CDBs have no such field.
 */
static bool asks_protection(const uint8_t *cdb)
{
#ifdef VBLK_PLANTED_PROTECT
    /* The planted bug of the unit tests: the field is ignored */
    (void)cdb;
    return false;
#else
    return cdb[0] != SCSI_READ6 && cdb[0] != SCSI_WRITE6 && (cdb[1] & 0xe0) != 0;
#endif
}

/* IRQL: any. READ, WRITE and VERIFY of every size */
static enum vblk_action read_write(const struct vblk_disk *d, struct vblk_cmd *cmd)
{
    const uint8_t *cdb = cmd->cdb;
    uint64_t lba;
    uint32_t blocks;
    uint8_t op = cdb[0];
    bool write =
        op == SCSI_WRITE6 || op == SCSI_WRITE10 || op == SCSI_WRITE12 || op == SCSI_WRITE16;
    bool verify = op == SCSI_VERIFY10 || op == SCSI_VERIFY12 || op == SCSI_VERIFY16;

    if (!rw_range(cdb, cmd->cdb_len, &lba, &blocks))
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (asks_protection(cdb))
        return protect_refused(cmd);
    if (write && d->ro) {
        vblk_scsi_sense(cmd, SCSI_SENSE_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED, 0);
        return VBLK_DONE;
    }
    if (!in_range(d, lba, blocks))
        return illegal(cmd, SCSI_ASC_LBA_OUT_OF_RANGE);
    if (verify) {
        /* BYTCHK 0: a medium check the device has no command for; the
         * range is all that can be verified.  Comparing data is refused. */
        if (cdb[1] & 0x06)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        return good(cmd, 0);
    }
    if (blocks == 0)
        return good(cmd, 0);
    uint64_t bytes = (uint64_t)blocks << (VIRTIO_BLK_SECTOR_SHIFT + d->blk_shift);
    if (bytes > d->max_transfer || bytes > cmd->data_len)
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (cmd->data_in == write)
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    cmd->io.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
    cmd->io.sector = lba << d->blk_shift;
    cmd->io.bytes = (uint32_t)bytes;
    /* FUA (not in the 6-byte CDBs): a write-back cache gets a FLUSH after */
    cmd->io.fua = write && op != SCSI_WRITE6 && (cdb[1] & 0x08) && d->writeback && d->flush;
    return VBLK_IO;
}

/*
 * IRQL: any. SYNCHRONIZE CACHE 10/16 (SBC-3 5.22, 5.23) -> FLUSH.  The range
 * only names what to flush (FLUSH takes the whole cache, 0 blocks means
 * through the last one), but a range past the capacity is still refused with
 * LBA OUT OF RANGE, as for any other command naming blocks.
 */
static enum vblk_action sync_cache(const struct vblk_disk *d, struct vblk_cmd *cmd)
{
    uint64_t lba;
    uint32_t blocks;

    if (!rw_range(cmd->cdb, cmd->cdb_len, &lba, &blocks))
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
#ifndef VBLK_PLANTED_SYNC_RANGE /* the planted bug of the unit tests: any range flushed */
    if (!in_range(d, lba, blocks))
        return illegal(cmd, SCSI_ASC_LBA_OUT_OF_RANGE);
#endif
    /* Without FLUSH the device has no volatile cache (spec 5.2.6.3) */
    if (!d->flush)
        return good(cmd, 0);
    cmd->io.type = VIRTIO_BLK_T_FLUSH;
    return VBLK_IO;
}

/* IRQL: any. one range of blocks as a little-endian virtio range */
static void put_range(struct vblk_range *r, uint64_t sector, uint32_t sectors, uint32_t flags)
{
    uint8_t *b = (uint8_t *)r;
    for (unsigned i = 0; i < 8; i++)
        b[i] = (uint8_t)(sector >> (8 * i));
    for (unsigned i = 0; i < 4; i++)
        b[8 + i] = (uint8_t)(sectors >> (8 * i));
    for (unsigned i = 0; i < 4; i++)
        b[12 + i] = (uint8_t)(flags >> (8 * i));
}

/* IRQL: any. UNMAP (SBC-3 5.28) -> DISCARD with one range per descriptor */
static enum vblk_action unmap(const struct vblk_disk *d, struct vblk_cmd *cmd)
{
    const uint8_t *p = cmd->data;
    uint32_t plen = be16(cmd->cdb + 7), n = 0;

    if (!d->discard)
        return illegal(cmd, SCSI_ASC_INVALID_OPCODE);
    if (d->ro) {
        vblk_scsi_sense(cmd, SCSI_SENSE_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED, 0);
        return VBLK_DONE;
    }
    if (cmd->cdb[1] & 0x01) /* ANCHOR */
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (plen == 0)
        return good(cmd, 0);
    if (p == NULL || cmd->data_in || plen > cmd->data_len || plen < 8)
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    uint32_t dlen = be16(p + 2);
    if (dlen > plen - 8 || dlen % 16 != 0)
        return illegal(cmd, SCSI_ASC_INVALID_PARAM_FIELD);
    if (dlen / 16 > d->discard_segs)
        return illegal(cmd, SCSI_ASC_INVALID_PARAM_FIELD);
    for (uint32_t off = 8; off < 8 + dlen; off += 16) {
        uint64_t lba = be64(p + off);
        uint32_t blocks = be32(p + off + 8);
        if (blocks == 0)
            continue;
        if (!in_range(d, lba, blocks))
            return illegal(cmd, SCSI_ASC_LBA_OUT_OF_RANGE);
        if (((uint64_t)blocks << d->blk_shift) > d->max_discard)
            return illegal(cmd, SCSI_ASC_INVALID_PARAM_FIELD);
        put_range(&cmd->ranges[n++], lba << d->blk_shift, blocks << d->blk_shift, 0);
    }
    if (n == 0)
        return good(cmd, 0);
    cmd->io.type = VIRTIO_BLK_T_DISCARD;
    cmd->io.nranges = (uint16_t)n;
    return VBLK_IO;
}

/* IRQL: any. WRITE SAME (16) (SBC-3 5.42) with a zero block -> WRITE_ZEROES or DISCARD */
static enum vblk_action write_same(const struct vblk_disk *d, struct vblk_cmd *cmd)
{
    const uint8_t *cdb = cmd->cdb;
    bool unmap_bit = (cdb[1] & 0x08) != 0, ndob = (cdb[1] & 0x01) != 0;
    uint64_t lba;
    uint32_t blocks;

    if (!d->write_zeroes && !(unmap_bit && d->discard))
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (!rw_range(cdb, cmd->cdb_len, &lba, &blocks))
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (asks_protection(cdb)) /* WRPROTECT (SBC-3 5.42) */
        return protect_refused(cmd);
    if (d->ro) {
        vblk_scsi_sense(cmd, SCSI_SENSE_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED, 0);
        return VBLK_DONE;
    }
    if (blocks == 0) /* WSNZ is set in the block limits page */
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    if (!in_range(d, lba, blocks))
        return illegal(cmd, SCSI_ASC_LBA_OUT_OF_RANGE);
    /* Only a zero pattern can be written without a data buffer per block */
    if (!ndob) {
        if (cmd->data == NULL || cmd->data_in || cmd->data_len < d->blk_size)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        for (uint32_t i = 0; i < d->blk_size; i++)
            if (cmd->data[i] != 0)
                return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    }
    uint64_t sectors = (uint64_t)blocks << d->blk_shift;
    if (d->write_zeroes) {
        if (sectors > d->max_wz)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        cmd->io.type = VIRTIO_BLK_T_WRITE_ZEROES;
        put_range(&cmd->ranges[0], lba << d->blk_shift, (uint32_t)sectors,
                  unmap_bit && d->wz_may_unmap ? VIRTIO_BLK_WZ_FLAG_UNMAP : 0);
    } else {
        /* UNMAP without WRITE_ZEROES: LBPRZ is 0, so a read after may return anything */
        if (sectors > d->max_discard)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        cmd->io.type = VIRTIO_BLK_T_DISCARD;
        put_range(&cmd->ranges[0], lba << d->blk_shift, (uint32_t)sectors, 0);
    }
    cmd->io.nranges = 1;
    return VBLK_IO;
}

/* IRQL: any. REPORT LUNS (SPC-4 6.33): LUN 0 only */
static enum vblk_action report_luns(struct vblk_cmd *cmd)
{
    uint8_t r[16] = {0};
    uint32_t alloc = be32(cmd->cdb + 6);

    if (alloc < 16) /* SPC-4: below 16 is an invalid field */
        return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
    put32(r, 8);
    return reply(cmd, r, 16, alloc);
}

/* IRQL: any. REQUEST SENSE: autosense carries every error, so nothing is pending */
static enum vblk_action request_sense(struct vblk_cmd *cmd)
{
    uint8_t r[VBLK_SENSE_BYTES] = {0};

    r[0] = 0x70;
    r[7] = VBLK_SENSE_BYTES - 8;
    return reply(cmd, r, sizeof(r), cmd->cdb[4]);
}

/* IRQL: any. Whether the translation below knows opcode op (the rest is
 * INVALID COMMAND OPERATION CODE, whatever else the CDB says). */
static bool known_opcode(uint8_t op)
{
    switch (op) {
    case SCSI_TEST_UNIT_READY:
    case SCSI_START_STOP_UNIT:
    case SCSI_REQUEST_SENSE:
    case SCSI_INQUIRY:
    case SCSI_READ_CAPACITY10:
    case SCSI_SERVICE_IN16:
    case SCSI_MODE_SENSE6:
    case SCSI_MODE_SENSE10:
    case SCSI_MODE_SELECT6:
    case SCSI_MODE_SELECT10:
    case SCSI_READ6:
    case SCSI_WRITE6:
    case SCSI_READ10:
    case SCSI_WRITE10:
    case SCSI_VERIFY10:
    case SCSI_READ12:
    case SCSI_WRITE12:
    case SCSI_VERIFY12:
    case SCSI_READ16:
    case SCSI_WRITE16:
    case SCSI_VERIFY16:
    case SCSI_SYNC_CACHE10:
    case SCSI_SYNC_CACHE16:
    case SCSI_UNMAP:
    case SCSI_WRITE_SAME16:
    case SCSI_REPORT_LUNS:
        return true;
    }
    return false;
}

/* IRQL: any. The CONTROL byte's place in a CDB of opcode op by its group
 * (SPC-4 4.2.5: 6, 10, 10, -, 16, 12 bytes), or -1 (reserved and vendor
 * groups: no CONTROL byte known). */
static int control_byte(uint8_t op)
{
    switch (op >> 5) {
    case 0:
        return 5;
    case 1:
    case 2:
        return 9;
    case 4:
        return 15;
    case 5:
        return 11;
    }
    return -1;
}

/*
 * IRQL: any. NACA (bit 2 of the CONTROL byte) set: this logical unit does
 * not support NACA, so SAM-5 5.3 has the command terminated with CHECK
 * CONDITION, ILLEGAL REQUEST, INVALID FIELD IN CDB; the sense key specific
 * bytes 15-17 (SPC-4 4.5.2.4.2) point at bit 2 of the CONTROL byte.
 */
static bool naca_refused(struct vblk_cmd *cmd)
{
    int at = control_byte(cmd->cdb[0]);

#ifdef VBLK_PLANTED_NACA
    /* The planted bug of the unit tests: NACA ignored */
    at = -1;
#endif
    if (at < 0 || (unsigned)at >= cmd->cdb_len || !(cmd->cdb[at] & 0x04) ||
        !known_opcode(cmd->cdb[0]))
        return false;
    vblk_scsi_sense(cmd, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_CDB_FIELD, 0);
    cmd->sense[15] = 0x80 | 0x40 | 0x08 | 2;
    cmd->sense[16] = 0;
    cmd->sense[17] = (uint8_t)at;
    return true;
}

/* IRQL: any. translate cmd (see vblk.h) */
enum vblk_action vblk_scsi_translate(const struct vblk_disk *d, struct vblk_cmd *cmd)
{
    const uint8_t *cdb = cmd->cdb;

    cmd->io = (struct vblk_io){0};
    cmd->sense_valid = false;
    cmd->status = SCSI_STATUS_GOOD;
    if (cdb == NULL || cmd->cdb_len < 6)
        return illegal(cmd, SCSI_ASC_INVALID_OPCODE);
    if (naca_refused(cmd))
        return VBLK_DONE;
    switch (cdb[0]) {
    case SCSI_TEST_UNIT_READY:
    case SCSI_START_STOP_UNIT: /* no medium to load or spin */
        return good(cmd, 0);
    case SCSI_REQUEST_SENSE:
        return request_sense(cmd);
    case SCSI_INQUIRY:
        return inquiry(d, cmd);
    case SCSI_READ_CAPACITY10:
        if (cmd->cdb_len < 10)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        return read_capacity(d, cmd, false);
    case SCSI_SERVICE_IN16:
        if (cmd->cdb_len < 16 || (cdb[1] & 0x1f) != SA_READ_CAPACITY16)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        return read_capacity(d, cmd, true);
    case SCSI_MODE_SENSE6:
        return mode_sense(d, cmd, false);
    case SCSI_MODE_SENSE10:
        if (cmd->cdb_len < 10)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        return mode_sense(d, cmd, true);
    case SCSI_MODE_SELECT6:
        return mode_select(d, cmd, false);
    case SCSI_MODE_SELECT10:
        if (cmd->cdb_len < 10)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        return mode_select(d, cmd, true);
    case SCSI_READ6:
    case SCSI_WRITE6:
    case SCSI_READ10:
    case SCSI_WRITE10:
    case SCSI_VERIFY10:
    case SCSI_READ12:
    case SCSI_WRITE12:
    case SCSI_VERIFY12:
    case SCSI_READ16:
    case SCSI_WRITE16:
    case SCSI_VERIFY16:
        return read_write(d, cmd);
    case SCSI_SYNC_CACHE10:
    case SCSI_SYNC_CACHE16:
        return sync_cache(d, cmd);
    case SCSI_UNMAP:
        if (cmd->cdb_len < 10)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        return unmap(d, cmd);
    case SCSI_WRITE_SAME16:
        return write_same(d, cmd);
    case SCSI_REPORT_LUNS:
        if (cmd->cdb_len < 12)
            return illegal(cmd, SCSI_ASC_INVALID_CDB_FIELD);
        return report_luns(cmd);
    }
    return illegal(cmd, SCSI_ASC_INVALID_OPCODE);
}

/* IRQL: any. the SCSI outcome of a finished request (see vblk.h) */
void vblk_scsi_complete(struct vblk_cmd *cmd, uint8_t blk_status, uint32_t written)
{
    uint32_t type = cmd->io.type;

    /* The status byte is the last writable byte: an IN request reports its
     * data plus one; a device that says otherwise is not believed */
    if (blk_status == VIRTIO_BLK_S_OK && type == VIRTIO_BLK_T_IN && written != cmd->io.bytes + 1)
        blk_status = 0xff;
    switch (blk_status) {
    case VIRTIO_BLK_S_OK:
        cmd->status = SCSI_STATUS_GOOD;
        cmd->sense_valid = false;
        cmd->data_len = cmd->io.bytes;
        return;
    case VIRTIO_BLK_S_IOERR:
        if (type == VIRTIO_BLK_T_IN)
            vblk_scsi_sense(cmd, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ, 0);
        else if (type == VIRTIO_BLK_T_OUT || type == VIRTIO_BLK_T_WRITE_ZEROES)
            vblk_scsi_sense(cmd, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR, 0);
        else
            vblk_scsi_sense(cmd, SCSI_SENSE_HARDWARE_ERROR, SCSI_ASC_INTERNAL_FAILURE, 0);
        return;
    case VIRTIO_BLK_S_UNSUPP:
        vblk_scsi_sense(cmd, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE, 0);
        return;
    }
    /* Any other byte, or none written: the device broke its side */
    vblk_scsi_sense(cmd, SCSI_SENSE_HARDWARE_ERROR, SCSI_ASC_INTERNAL_FAILURE, 0);
}
