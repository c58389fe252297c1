/*
 * The device's limits as StorPort is told them (virtio 1.2 5.6.4,
 * storport/ns-storport-_port_configuration_information): max_sectors
 * bounds MaximumTransferLength (the README: (segments - 1) pages, within
 * max_sectors), and a write of exactly that size reaches the disk;
 * max_channel not 0 ("SHOULD be zero") is logged and only channel 0
 * is used: NumberOfBuses 1, the LUNs of channel 0 work.
 */
#include <stdlib.h>
#include "vioscsi_test.h"

/* max_sectors SECTORS on a device of 126 segments: StorPort told WANT
 * bytes; a WRITE(16) of WANT bytes reaches the disk and reads back. */
static void max_sectors_case(struct vm *vm, uint32_t sectors, uint32_t want)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.max_sectors = sectors;
    o.targets = 1, o.luns = 1, o.blocks = 8192;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.max_transfer == want, "max_sectors %u: MaximumTransferLength %u, want %u",
              sectors, st.max_transfer, want);
    uint32_t len = want;
    uint8_t *out = malloc(len), *in = malloc(len), cdb[16];
    uint64_t blocks;
    if (out == NULL || in == NULL || vm->failed)
        goto free;
    sc_fill(out, len, 0, 0, 32, 4);
    sc_rw16(cdb, true, 32, len / SC_BLOCK);
    if (!sc_ok(vm, 0, 0, cdb, 16, out, len, false, "WRITE(16) of MaximumTransferLength"))
        goto free;
    sc_rw16(cdb, false, 32, len / SC_BLOCK);
    if (!sc_ok(vm, 0, 0, cdb, 16, in, len, true, "READ(16) of MaximumTransferLength"))
        goto free;
    uint8_t *disk = mem_target_disk(h.mem, 0, 0, &blocks);
    VW_EXPECT(vm,
              memcmp(in, out, len) == 0 && disk != NULL &&
                  memcmp(disk + 32 * SC_BLOCK, out, len) == 0,
              "the %u-byte write is not on the disk or reads back wrong", len);
free:
    free(out);
    free(in);
out:
    sc_finish(vm, &h);
}

/* 64 sectors: 32 KiB, below the 125 pages the segments allow */
VW_SCENARIO("vioscsi", limits_max_sectors_64, NULL)
{
    max_sectors_case(vm, 64, 64 * SC_BLOCK);
}

/* 200 sectors: 100 KiB, not a whole number of pages */
VW_SCENARIO("vioscsi", limits_max_sectors_200, NULL)
{
    max_sectors_case(vm, 200, 200 * SC_BLOCK);
}

/* Planted twin: the default max_sectors (0xffff) leaves the segments'
 * limit (125 pages), so asking 64 sectors' worth must fail by name */
VW_SCENARIO("vioscsi", planted_limits_max_sectors_ignored, "MaximumTransferLength 512000")
{
    max_sectors_case(vm, 0xffff, 64 * SC_BLOCK);
}

/* max_channel 3: logged, StorPort told one bus, 0:0 and 1:1 work */
VW_SCENARIO("vioscsi", limits_max_channel_3_channel_0_only, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.max_channel = 3;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    stor_expect_logged(vm, "vioscsi: bad device value: max_channel", NULL);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.buses == 1, "NumberOfBuses %u with max_channel 3 (channel 0 only)", st.buses);
    uint8_t cdb[16], out[SC_BLOCK], in[SC_BLOCK];
    for (uint8_t t = 0; t < 2 && !vm->failed; t++) {
        sc_fill(out, SC_BLOCK, t, t, 10, 6);
        sc_rw16(cdb, true, 10, 1);
        if (!sc_ok(vm, t, t, cdb, 16, out, SC_BLOCK, false, "WRITE(16)"))
            break;
        sc_rw16(cdb, false, 10, 1);
        if (!sc_ok(vm, t, t, cdb, 16, in, SC_BLOCK, true, "READ(16)"))
            break;
        VW_EXPECT(vm, memcmp(in, out, SC_BLOCK) == 0, "%u:%u reads back wrong", t, t);
    }
out:
    sc_finish(vm, &h);
}

/* max_sectors 64 (32 KiB): a 100 KiB write and read above it, split as
 * the class layer does (vw_stor_scsi_split): 4 pieces each way, every
 * byte on the disk and read back */
VW_SCENARIO("vioscsi", limits_max_sectors_64_split_above, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.max_sectors = 64;
    o.targets = 1, o.luns = 1, o.blocks = 8192;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    enum { LEN = 200 * SC_BLOCK };
    static uint8_t out[LEN], in[LEN];
    uint8_t cdb[16];
    struct vw_stor_result r;
    unsigned pieces;
    uint64_t blocks;
    sc_fill(out, LEN, 0, 0, 100, 7);
    sc_rw16(cdb, true, 100, LEN / SC_BLOCK);
    if (!vw_stor_scsi_split(vm, cdb, SC_BLOCK, out, LEN, false, &r, &pieces) || vm->failed)
        goto out;
    VW_EXPECT(vm,
              (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.transferred == LEN &&
                  pieces == 4,
              "the split write: SRB 0x%02x, %u of %u bytes in %u pieces (4)", r.srb_status,
              r.transferred, (unsigned)LEN, pieces);
    sc_rw16(cdb, false, 100, LEN / SC_BLOCK);
    if (!vw_stor_scsi_split(vm, cdb, SC_BLOCK, in, LEN, true, &r, &pieces) || vm->failed)
        goto out;
    VW_EXPECT(vm,
              (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.transferred == LEN &&
                  pieces == 4,
              "the split read: SRB 0x%02x, %u of %u bytes in %u pieces (4)", r.srb_status,
              r.transferred, (unsigned)LEN, pieces);
    uint8_t *disk = mem_target_disk(h.mem, 0, 0, &blocks);
    VW_EXPECT(vm,
              memcmp(in, out, LEN) == 0 && disk != NULL &&
                  memcmp(disk + 100 * SC_BLOCK, out, LEN) == 0,
              "the split 100 KiB is not on the disk or reads back wrong");
out:
    sc_finish(vm, &h);
}
