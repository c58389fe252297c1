/*
 * Commands passed through to a target we did not write (tgt): UNMAP
 * (SBC-3 5.28) and WRITE SAME(16) (SBC-3 5.42) reach tgt's backing file
 * with exactly the ranges asked, and a CHECK CONDITION's sense data comes
 * back as autosense (srb/ns-srb-_scsi_request_block: SrbStatus with
 * SRB_STATUS_AUTOSENSE_VALID, the sense in SenseInfoBuffer: the class
 * layer's sense_valid needs that flag; virtio 1.2
 * 5.6.6.1: sense and sense_len in the response).
 */
#include <fcntl.h>
#include "vioscsi_test.h"

/* LEN bytes of tgt's backing file of 0:L at block LBA. */
static bool file_read(struct sc_host *h, unsigned l, uint64_t lba, uint8_t *out, uint32_t len)
{
    char path[300];
    sc_tgt_file(h, 0, l, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && pread(fd, out, len, (off_t)(lba * SC_BLOCK)) == (ssize_t)len;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* UNMAP of the second 4 KiB of a 16 KiB written range: zeroes there only. */
static void unmap_range(struct vm *vm, struct sc_host *h)
{
    uint8_t data[4096], file[16384], cdb[16];
    memset(data, 0xab, sizeof(data));
    for (unsigned i = 0; i < 4 && !vm->failed; i++) {
        sc_rw16(cdb, true, 1024 + 8 * i, 8);
        sc_ok(vm, 0, 1, cdb, 16, data, 4096, false, "WRITE(16)");
    }
    uint8_t list[24] = {0, 22, 0, 16};
    stor_put_be(list + 8, 1032, 8);
    stor_put_be(list + 16, 8, 4);
    uint8_t unmap[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0};
    if (!sc_ok(vm, 0, 1, unmap, 10, list, 24, false, "UNMAP"))
        return;
    if (!file_read(h, 1, 1024, file, sizeof(file))) {
        vw_fail(vm, "cannot read tgt's backing file");
        return;
    }
    for (unsigned i = 0; i < sizeof(file) && !vm->failed; i++)
        VW_EXPECT(vm, file[i] == (i >= 4096 && i < 8192 ? 0 : 0xab),
                  "after UNMAP of LBA 1032+8: file byte %u of LBA 1024.. is 0x%02x", i, file[i]);
}

/* WRITE SAME(16) of one block over LBA 3001..3008: the block there only. */
static void write_same_range(struct vm *vm, struct sc_host *h)
{
    uint8_t block[SC_BLOCK], file[10 * SC_BLOCK], cdb[16] = {0x93};
    for (unsigned i = 0; i < SC_BLOCK; i++)
        block[i] = (uint8_t)(i ^ 0x5c);
    stor_put_be(cdb + 2, 3001, 8);
    stor_put_be(cdb + 10, 8, 4);
    if (!sc_ok(vm, 0, 1, cdb, 16, block, SC_BLOCK, false, "WRITE SAME(16)"))
        return;
    if (!file_read(h, 1, 3000, file, sizeof(file))) {
        vw_fail(vm, "cannot read tgt's backing file");
        return;
    }
    for (unsigned b = 0; b < 10 && !vm->failed; b++)
        for (unsigned i = 0; i < SC_BLOCK && !vm->failed; i++)
            VW_EXPECT(vm, file[b * SC_BLOCK + i] == (b >= 1 && b <= 8 ? (uint8_t)(i ^ 0x5c) : 0),
                      "after WRITE SAME(16) of LBA 3001+8: block %u byte %u is 0x%02x", 3000 + b, i,
                      file[b * SC_BLOCK + i]);
}

/* A READ past the last block: CHECK CONDITION, ILLEGAL REQUEST, LBA OUT
 * OF RANGE (SBC-3 4.5) as autosense in the class driver's buffer. */
static void sense_out_of_range(struct vm *vm, uint8_t t, uint8_t l, uint64_t blocks)
{
    uint8_t cdb[16], buf[SC_BLOCK];
    struct vw_stor_result r;
    sc_rw16(cdb, false, blocks + 8, 1);
    if (!sc_scsi(vm, t, l, cdb, 16, buf, SC_BLOCK, true, &r))
        return;
    VW_EXPECT(vm,
              (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r.scsi_status == 0x02 &&
                  r.sense_valid && r.sense_key == 0x05 && r.asc == 0x21 && r.ascq == 0x00,
              "READ past the end at %u:%u: SRB 0x%02x, SCSI 0x%02x, sense %s key %x %02x/%02x "
              "(want ERROR|AUTOSENSE_VALID, CHECK CONDITION, 5 21/00)",
              t, l, r.srb_status, r.scsi_status, r.sense_valid ? "valid" : "none", r.sense_key,
              r.asc, r.ascq);
}

VW_SCENARIO("vioscsi", cmds_tgt_unmap_write_same_sense, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.targets = 1;
    o.luns = 1;
    if (!sc_start_tgt(vm, &h, &o))
        goto out;
    uint8_t tur[6] = {0};
    if (!sc_ok(vm, 0, 1, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        goto out;
    unmap_range(vm, &h);
    write_same_range(vm, &h);
    sense_out_of_range(vm, 0, 1, SC_TGT_LUN_BYTES / SC_BLOCK);
out:
    sc_finish(vm, &h);
}

/* The in-process target's sense for the same read, and for an unknown
 * opcode (ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE 20/00) */
VW_SCENARIO("vioscsi", cmds_mem_sense, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    sense_out_of_range(vm, 1, 1, o.blocks);
    uint8_t cdb[6] = {0x1d /* SEND DIAGNOSTIC */, 0x04};
    struct vw_stor_result r;
    if (sc_scsi(vm, 0, 0, cdb, 6, NULL, 0, false, &r))
        VW_EXPECT(vm, r.sense_valid && r.sense_key == 0x05 && r.asc == 0x20,
                  "SEND DIAGNOSTIC: SRB 0x%02x, sense key %x asc %02x (want 5 20)", r.srb_status,
                  r.sense_key, r.asc);
out:
    sc_finish(vm, &h);
}
