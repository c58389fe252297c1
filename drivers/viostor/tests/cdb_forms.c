/*
 * viostor's README lists READ/WRITE 6/10/12/16 and VERIFY 10/12/16 with
 * BYTCHK 0; here each family goes through StorPort: data written by one
 * form is read back by another and found in the image file, and a CDB
 * field out of range gets ILLEGAL REQUEST sense (SBC-3: 5/21/00 LOGICAL
 * BLOCK ADDRESS OUT OF RANGE, 5/24/00 INVALID FIELD IN CDB).  Layouts
 * (SBC-3 5.x): READ/WRITE(6) 21-bit LBA in bytes 1-3, length in byte 4
 * (0 means 256 blocks); (10) LBA 2-5, length 7-8; (12) LBA 2-5, length
 * 6-9; (16) LBA 2-9, length 10-13; VERIFY's BYTCHK in byte 1 bits 2:1.
 */
#include "viostor_test.h"

enum form { F6, F10, F12, F16 };

#define OP_VERIFY10 0x2f
#define OP_VERIFY12 0xaf
#define OP_VERIFY16 0x8f
#define SK_ILLEGAL  0x5
#define ASC_LBA     0x21 /* LOGICAL BLOCK ADDRESS OUT OF RANGE */
#define ASC_FIELD   0x24 /* INVALID FIELD IN CDB */

/* A READ or WRITE CDB of FORM for BLOCKS blocks at LBA; its length. */
static unsigned rw_cdb(uint8_t *cdb, enum form f, bool write, uint64_t lba, uint32_t blocks)
{
    memset(cdb, 0, 16);
    switch (f) {
    case F6:
        cdb[0] = write ? 0x0a : 0x08;
        stor_put_be(cdb + 1, lba & 0x1fffff, 3);
        cdb[4] = (uint8_t)blocks; /* 256 -> 0 */
        return 6;
    case F10:
        cdb[0] = write ? 0x2a : 0x28;
        stor_put_be(cdb + 2, lba, 4);
        stor_put_be(cdb + 7, blocks, 2);
        return 10;
    case F12:
        cdb[0] = write ? 0xaa : 0xa8;
        stor_put_be(cdb + 2, lba, 4);
        stor_put_be(cdb + 6, blocks, 4);
        return 12;
    case F16:
    default:
        vs_rw16(cdb, write, lba, blocks, false);
        return 16;
    }
}

/* A VERIFY CDB (10, 12 or 16 by LEN) with BYTCHK, BLOCKS blocks at LBA. */
static void verify_cdb(uint8_t *cdb, unsigned len, unsigned bytchk, uint64_t lba, uint32_t blocks)
{
    memset(cdb, 0, 16);
    cdb[1] = (uint8_t)((bytchk & 3) << 1);
    if (len == 10) {
        cdb[0] = OP_VERIFY10;
        stor_put_be(cdb + 2, lba, 4);
        stor_put_be(cdb + 7, blocks, 2);
    } else if (len == 12) {
        cdb[0] = OP_VERIFY12;
        stor_put_be(cdb + 2, lba, 4);
        stor_put_be(cdb + 6, blocks, 4);
    } else {
        cdb[0] = OP_VERIFY16;
        stor_put_be(cdb + 2, lba, 8);
        stor_put_be(cdb + 10, blocks, 4);
    }
}

/* One command refused with ILLEGAL REQUEST and ASC (ASCQ 0). */
static void expect_illegal(struct vm *vm, const uint8_t *cdb, unsigned n, void *buf, uint32_t len,
                           bool in, uint8_t asc, const char *what)
{
    struct vw_stor_result r;
    if (!vs_scsi(vm, cdb, n, buf, len, in, &r))
        return;
    VW_EXPECT(
        vm,
        (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r.scsi_status == VS_CHECK_COND &&
            r.sense_valid && r.sense_key == SK_ILLEGAL && r.asc == asc && r.ascq == 0,
        "%s: SRB 0x%02x SCSI 0x%02x sense %s %x/%02x/%02x, expected 5/%02x/00", what, r.srb_status,
        r.scsi_status, r.sense_valid ? "valid" : "none", r.sense_key, r.asc, r.ascq, asc);
}

/* BLOCKS blocks at LBA written by form W, read back by form R (READ
 * offset by SKEW blocks: 0, or the planted twin's wrong place): the
 * bytes read and the image file hold what was written. */
static void cross(struct vm *vm, struct vs_disk *d, enum form w, enum form r, uint64_t lba,
                  uint32_t blocks, unsigned gen, unsigned skew)
{
    static uint8_t out[256 * 512], in[256 * 512], file[256 * 512];
    uint32_t len = blocks * 512;
    uint8_t cdb[16];
    char what[64];
    static const unsigned bytes[] = {6, 10, 12, 16};
    vs_fill(out, len, lba, gen);
    memset(in, 0xcc, len);
    unsigned n = rw_cdb(cdb, w, true, lba, blocks);
    snprintf(what, sizeof(what), "WRITE(%u) of %u blocks at %llu", bytes[w], blocks,
             (unsigned long long)lba);
    if (!vs_ok(vm, cdb, n, out, len, false, what))
        return;
    n = rw_cdb(cdb, r, false, lba + skew, blocks);
    snprintf(what, sizeof(what), "READ(%u) of %u blocks at %llu", bytes[r], blocks,
             (unsigned long long)(lba + skew));
    if (!vs_ok(vm, cdb, n, in, len, true, what))
        return;
    VW_EXPECT(vm, memcmp(in, out, len) == 0, "WRITE(%u) at %llu read back wrong by READ(%u)",
              bytes[w], (unsigned long long)lba, bytes[r]);
    VW_EXPECT(vm, vs_image_read(d, lba, file, len) && memcmp(file, out, len) == 0,
              "WRITE(%u) at %llu not in the image file as written", bytes[w],
              (unsigned long long)lba);
}

/* The family F: written by F and read by the next form, written by the
 * one before and read by F; then a transfer crossing the last block and
 * one starting past it, read and write, refused with 5/21/00. */
static void family(struct vm *vm, enum form f, unsigned skew)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint64_t last = d.blk.sectors - 1;
    cross(vm, &d, f, (enum form)((f + 1) % 4), 100 + f * 40, 8, 1 + f, skew);
    cross(vm, &d, (enum form)((f + 3) % 4), f, 400 + f * 40, 1 + 3 * f, 5 + f, skew);
    cross(vm, &d, f, f, last, 1, 9, 0); /* the last block is reachable */
    static uint8_t buf[2 * 512];
    uint8_t cdb[16];
    unsigned n = rw_cdb(cdb, f, false, last, 2);
    expect_illegal(vm, cdb, n, buf, sizeof(buf), true, ASC_LBA, "READ crossing the last block");
    n = rw_cdb(cdb, f, true, d.blk.sectors, 1);
    expect_illegal(vm, cdb, n, buf, 512, false, ASC_LBA, "WRITE past the capacity");
    VW_EXPECT(vm, vs_image_read(&d, last, buf, 512), "the image's last block cannot be read");
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", cdb_rw6, NULL)
{
    family(vm, F6, 0);
}

VW_SCENARIO("viostor", cdb_rw10, NULL)
{
    family(vm, F10, 0);
}

VW_SCENARIO("viostor", cdb_rw12, NULL)
{
    family(vm, F12, 0);
}

VW_SCENARIO("viostor", cdb_rw16, NULL)
{
    family(vm, F16, 0);
}

/* Planted twin of the cross-form check: the READ one block off must be
 * caught as data read back wrong. */
VW_SCENARIO("viostor", planted_cdb_rw10_read_elsewhere, "read back wrong")
{
    family(vm, F10, 1);
}

/* READ(6) with length 0 moves 256 blocks (SBC-3 5.13): written by
 * WRITE(16), read back whole by READ(6) and by WRITE(6) length 0 too. */
VW_SCENARIO("viostor", cdb_rw6_length_zero_is_256, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    cross(vm, &d, F16, F6, 512, 256, 3, 0);
    cross(vm, &d, F6, F16, 1024, 256, 4, 0);
out:
    vs_finish(vm, &d);
}

/* VERIFY 10/12/16 with BYTCHK 0: GOOD over written and unwritten blocks
 * with no data moved, nothing written to the device; past the capacity
 * 5/21/00; BYTCHK 1 (compare with data-out, which the driver does not
 * do) 5/24/00. */
VW_SCENARIO("viostor", cdb_verify, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    static const unsigned lens[] = {10, 12, 16};
    uint8_t cdb[16], buf[512] = {0};
    char what[64];
    for (unsigned i = 0; i < 3 && !vm->failed; i++) {
        unsigned long long writes = d.blk.writes;
        verify_cdb(cdb, lens[i], 0, 0, 64);
        snprintf(what, sizeof(what), "VERIFY(%u) BYTCHK 0 of 64 blocks", lens[i]);
        struct vw_stor_result r;
        if (!vs_scsi(vm, cdb, lens[i], NULL, 0, false, &r))
            goto out;
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.scsi_status == 0,
                  "%s: SRB 0x%02x SCSI 0x%02x", what, r.srb_status, r.scsi_status);
        verify_cdb(cdb, lens[i], 0, d.blk.sectors - 1, 1);
        snprintf(what, sizeof(what), "VERIFY(%u) of the last block", lens[i]);
        if (!vs_ok(vm, cdb, lens[i], NULL, 0, false, what))
            goto out;
        verify_cdb(cdb, lens[i], 0, d.blk.sectors - 1, 2);
        snprintf(what, sizeof(what), "VERIFY(%u) crossing the last block", lens[i]);
        expect_illegal(vm, cdb, lens[i], NULL, 0, false, ASC_LBA, what);
        verify_cdb(cdb, lens[i], 1, 0, 1);
        snprintf(what, sizeof(what), "VERIFY(%u) BYTCHK 1", lens[i]);
        expect_illegal(vm, cdb, lens[i], buf, 512, false, ASC_FIELD, what);
        VW_EXPECT(vm, d.blk.writes == writes, "VERIFY(%u) wrote %llu times to the device", lens[i],
                  (unsigned long long)(d.blk.writes - writes));
    }
out:
    vs_finish(vm, &d);
}

/* RDPROTECT/WRPROTECT (byte 1 bits 7:5) not 0 on a disk without
 * protection information (READ CAPACITY(16) PROT_EN 0): SBC-3 5.x, the
 * READ and WRITE tables: "the device server should terminate the
 * command with CHECK CONDITION status with the sense key set to ILLEGAL
 * REQUEST and the additional sense code set to INVALID FIELD IN CDB";
 * nothing reaches the device. */
VW_SCENARIO("viostor", cdb_protect_field_refused, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    static const enum form forms[] = {F10, F12, F16};
    static uint8_t buf[512];
    uint8_t cdb[16];
    for (unsigned i = 0; i < 3 && !vm->failed; i++) {
        unsigned long long reads = d.blk.reads, writes = d.blk.writes;
        unsigned n = rw_cdb(cdb, forms[i], false, 8, 1);
        cdb[1] |= 1 << 5;
        expect_illegal(vm, cdb, n, buf, 512, true, ASC_FIELD, "READ with RDPROTECT 1");
        n = rw_cdb(cdb, forms[i], true, 8, 1);
        cdb[1] |= 1 << 5;
        expect_illegal(vm, cdb, n, buf, 512, false, ASC_FIELD, "WRITE with WRPROTECT 1");
        VW_EXPECT(vm, d.blk.reads == reads && d.blk.writes == writes,
                  "a refused command reached the device (%u-byte CDB)", n);
    }
out:
    vs_finish(vm, &d);
}

/* NACA (the CONTROL byte's bit 2, the last byte of every CDB) asks for
 * ACA on a CHECK CONDITION; SAM-5 5.3: a logical unit that does not
 * support it terminates the command with CHECK CONDITION, ILLEGAL
 * REQUEST, INVALID FIELD IN CDB, and SPC-4 4.5.2.4.2 points at the bit:
 * sense-key specific field pointer SKSV 1, C/D 1 (a CDB field), BPV 1,
 * bit pointer 2, field pointer the CONTROL byte's index.  Fixed format
 * holds it in bytes 15-17, descriptor format in a type 02h descriptor. */
struct naca_cmd {
    const char *name;
    uint8_t cdb[16];
    unsigned len;
    uint32_t data; /* bytes moved */
    bool in;
};

/* The 3 sense-key specific bytes of R (fixed or descriptor format), or
 * NULL when R carries none within what was kept. */
static const uint8_t *sense_key_specific(const struct vw_stor_result *r)
{
    unsigned n = r->sense_len < VW_STOR_SENSE_KEPT ? r->sense_len : VW_STOR_SENSE_KEPT;
    unsigned code = r->sense[0] & 0x7f;
    if ((code == 0x70 || code == 0x71) && n >= 18)
        return r->sense + 15;
    if ((code != 0x72 && code != 0x73) || n < 8)
        return NULL;
    /* descriptors from byte 8, each type, additional length, body */
    for (unsigned i = 8; i + 1 < n; i += 2u + r->sense[i + 1])
        if (r->sense[i] == 0x02 && r->sense[i + 1] >= 6 && i + 7 <= n)
            return r->sense + i + 4;
    return NULL;
}

/* C refused for its NACA bit as above, nothing reaching the device; the
 * twin expects the pointer at bit BIT (2, or the planted twin's 1). */
static void naca_refused(struct vm *vm, struct vs_disk *d, const struct naca_cmd *c, unsigned bit)
{
    static uint8_t buf[4096];
    uint8_t cdb[16];
    memcpy(cdb, c->cdb, sizeof(cdb));
    cdb[c->len - 1] |= 1 << 2;
    struct vmodel_blk before = d->blk;
    memset(buf, 0xa5, sizeof(buf));
    struct vw_stor_result r;
    if (!vs_scsi(vm, cdb, c->len, c->data ? buf : NULL, c->data, c->in, &r))
        return;
    VW_EXPECT(
        vm,
        (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r.scsi_status == VS_CHECK_COND &&
            r.sense_valid && r.sense_key == SK_ILLEGAL && r.asc == ASC_FIELD && r.ascq == 0,
        "%s with NACA: SRB 0x%02x SCSI 0x%02x sense %s %x/%02x/%02x, expected 5/24/00", c->name,
        r.srb_status, r.scsi_status, r.sense_valid ? "valid" : "none", r.sense_key, r.asc, r.ascq);
    const uint8_t *sks = sense_key_specific(&r);
    unsigned want = 0x80 | 0x40 | 0x08 | bit, field = c->len - 1;
    VW_EXPECT(vm, sks != NULL && sks[0] == want && (unsigned)(sks[1] << 8 | sks[2]) == field,
              "%s with NACA: sense-key specific %02x %02x %02x (sense length %u), expected "
              "%02x %02x %02x (CDB byte %u bit %u)",
              c->name, sks ? sks[0] : 0, sks ? sks[1] : 0, sks ? sks[2] : 0, r.sense_len, want,
              field >> 8, field & 0xff, field, bit);
    VW_EXPECT(vm,
              d->blk.reads == before.reads && d->blk.writes == before.writes &&
                  d->blk.flushes == before.flushes && d->blk.ids == before.ids &&
                  d->blk.unsupported == before.unsupported,
              "%s with NACA reached the device (reads %llu writes %llu flushes %llu ids %llu)",
              c->name, (unsigned long long)(d->blk.reads - before.reads),
              (unsigned long long)(d->blk.writes - before.writes),
              (unsigned long long)(d->blk.flushes - before.flushes),
              (unsigned long long)(d->blk.ids - before.ids));
}

/* READ(10), WRITE(10), INQUIRY, READ CAPACITY(16) and SYNCHRONIZE
 * CACHE(10) with NACA: each refused (pointer expected at BIT), the WRITE
 * leaves the image as it was; the same CDBs without NACA work. */
static void naca(struct vm *vm, unsigned bit)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    static const struct naca_cmd cmds[] = {
        {"READ(10)", {0x28, 0, 0, 0, 0, 64, 0, 0, 1}, 10, 512, true},
        {"WRITE(10)", {0x2a, 0, 0, 0, 0, 64, 0, 0, 1}, 10, 512, false},
        {"INQUIRY", {0x12, 0, 0, 0, 96}, 6, 96, true},
        {"READ CAPACITY(16)", {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32}, 16, 32, true},
        {"SYNCHRONIZE CACHE(10)", {0x35}, 10, 0, false},
    };
    static uint8_t image[512], after[512], out[512], in[512];
    if (!vs_image_read(&d, 64, image, 512)) {
        vw_fail(vm, "the image's block 64 cannot be read");
        goto out;
    }
    for (unsigned i = 0; i < 5 && !vm->failed; i++)
        naca_refused(vm, &d, &cmds[i], bit);
    if (vm->failed)
        goto out;
    VW_EXPECT(vm, vs_image_read(&d, 64, after, 512) && memcmp(after, image, 512) == 0,
              "WRITE(10) with NACA changed block 64 of the image");
    /* without NACA: data read, written and found in the image, INQUIRY
     * and READ CAPACITY(16) answered, the cache flushed by the device */
    if (!vs_ok(vm, cmds[0].cdb, 10, in, 512, true, "READ(10)"))
        goto out;
    VW_EXPECT(vm, memcmp(in, image, 512) == 0, "READ(10) without NACA read back wrong");
    vs_fill(out, 512, 64, 21);
    if (!vs_ok(vm, cmds[1].cdb, 10, out, 512, false, "WRITE(10)"))
        goto out;
    VW_EXPECT(vm, vs_image_read(&d, 64, after, 512) && memcmp(after, out, 512) == 0,
              "WRITE(10) without NACA not in the image file");
    memset(in, 0, sizeof(in));
    if (!vs_ok(vm, cmds[2].cdb, 6, in, 96, true, "INQUIRY"))
        goto out;
    VW_EXPECT(vm, (in[0] & 0x1f) == 0 && in[4] >= 31, "INQUIRY: type 0x%02x additional length %u",
              in[0], in[4]);
    memset(in, 0, sizeof(in));
    if (!vs_ok(vm, cmds[3].cdb, 16, in, 32, true, "READ CAPACITY(16)"))
        goto out;
    uint64_t lastlba = 0;
    for (unsigned i = 0; i < 8; i++)
        lastlba = lastlba << 8 | in[i];
    VW_EXPECT(vm, lastlba == d.blk.sectors - 1, "READ CAPACITY(16): last LBA %llu, expected %llu",
              (unsigned long long)lastlba, (unsigned long long)(d.blk.sectors - 1));
    unsigned long long flushes = d.blk.flushes;
    if (!vs_ok(vm, cmds[4].cdb, 10, NULL, 0, false, "SYNCHRONIZE CACHE(10)"))
        goto out;
    VW_EXPECT(vm, d.blk.flushes > flushes, "SYNCHRONIZE CACHE(10) without NACA flushed nothing");
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", cdb_naca_refused, NULL)
{
    naca(vm, 2);
}

/* Planted twin of the field pointer check: expecting the pointer at bit
 * 1 must be caught as the wrong sense-key specific bytes. */
VW_SCENARIO("viostor", planted_cdb_naca_pointer_elsewhere, "sense-key specific")
{
    naca(vm, 1);
}
