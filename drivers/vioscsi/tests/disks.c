/*
 * vioscsi finds its disks as the class layer does: REPORT LUNS at LUN 0 of
 * each target, then INQUIRY and READ CAPACITY of each LUN it lists
 * (SPC-4 6.33 REPORT LUNS, 6.6 INQUIRY; SBC-3 5.16 READ CAPACITY(16));
 * a target the device does not have is a selection time-out (virtio 1.2
 * 5.6.6.1: VIRTIO_SCSI_S_BAD_TARGET; StorPort: SRB_STATUS_SELECTION_TIMEOUT).
 */
#include "vioscsi_test.h"

/* The LUNs REPORT LUNS lists at TARGET (single-level, peripheral or flat). */
static int report_luns(struct vm *vm, uint8_t target, uint32_t *luns, unsigned max)
{
    uint8_t cdb[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0}, r[512];
    memset(r, 0xee, sizeof(r));
    uint32_t moved = 0;
    if (!sc_ok_moved(vm, target, 0, cdb, 12, r, sizeof(r), true, "REPORT LUNS", &moved))
        return -1;
    unsigned n = stor_be32(r) / 8;
    VW_EXPECT(vm, moved == 8 + 8 * n, "target %u: REPORT LUNS moved %u bytes for %u LUNs", target,
              moved, n);
    for (unsigned i = 0; i < n && i < max; i++)
        luns[i] = ((r[8 + 8 * i] & 0x3f) << 8) | r[9 + 8 * i];
    return (int)n;
}

/* Every LUN of every target found and read as a disk of the size made. */
static void find_disks(struct vm *vm, struct sc_host *h, const struct sc_opts *o, uint32_t first,
                       uint64_t blocks, unsigned block_size)
{
    for (uint8_t t = 0; t < o->targets && !vm->failed; t++) {
        uint32_t luns[16];
        int n = report_luns(vm, t, luns, 16);
        if (n < 0)
            return;
        VW_EXPECT(vm, n == (int)o->luns, "target %u: REPORT LUNS lists %d LUNs, not %u", t, n,
                  o->luns);
        for (int i = 0; i < n && i < 16 && !vm->failed; i++) {
            VW_EXPECT(vm, luns[i] == first + (uint32_t)i, "target %u: LUN %u listed as %u", t,
                      first + i, luns[i]);
            uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0}, r[36];
            if (!sc_ok(vm, t, (uint8_t)luns[i], cdb, 6, r, 36, true, "INQUIRY"))
                return;
            VW_EXPECT(vm, r[0] == 0, "%u:%u: INQUIRY peripheral 0x%02x, not a disk", t, luns[i],
                      r[0]);
            uint8_t c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32}, cap[32];
            if (!sc_ok(vm, t, (uint8_t)luns[i], c16, 16, cap, 32, true, "READ CAPACITY(16)"))
                return;
            VW_EXPECT(vm, stor_be64(cap) == blocks - 1 && stor_be32(cap + 8) == block_size,
                      "%u:%u: READ CAPACITY(16) last LBA %llu of %u bytes (want %llu of %u)", t,
                      luns[i], (unsigned long long)stor_be64(cap), stor_be32(cap + 8),
                      (unsigned long long)blocks - 1, block_size);
        }
    }
    (void)h;
}

/* 2 targets x 2 LUNs on the in-process target; a third target is absent */
VW_SCENARIO("vioscsi", disks_mem_2x2, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    find_disks(vm, &h, &o, 0, o.blocks, SC_BLOCK);
    uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0}, r[36];
    struct vw_stor_result res;
    if (!vm->failed && sc_scsi(vm, 2, 0, cdb, 6, r, 36, true, &res))
        VW_EXPECT(vm, (res.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SELECTION_TIMEOUT,
                  "INQUIRY of absent target 2: SRB status 0x%02x, not SELECTION_TIMEOUT",
                  res.srb_status);
out:
    sc_finish(vm, &h);
}

/* tgt: 2 targets x 2 disks (LUNs 1, 2; LUN 0 is tgt's controller), INQUIRY
 * answered by tgt (vendor "IET") */
VW_SCENARIO("vioscsi", disks_tgt_2x2, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_tgt(vm, &h, &o))
        goto out;
    for (uint8_t t = 0; t < o.targets && !vm->failed; t++) {
        uint32_t luns[16];
        int n = report_luns(vm, t, luns, 16);
        VW_EXPECT(vm, n == (int)o.luns + 1 && luns[0] == 0 && luns[1] == 1 && luns[2] == 2,
                  "target %u: tgt's REPORT LUNS lists %d LUNs (want 0, 1, 2)", t, n);
        for (uint8_t l = 1; l <= o.luns && !vm->failed; l++) {
            uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0}, r[36];
            if (!sc_ok(vm, t, l, cdb, 6, r, 36, true, "INQUIRY"))
                break;
            VW_EXPECT(vm, r[0] == 0 && memcmp(r + 8, "IET", 3) == 0,
                      "%u:%u: INQUIRY type 0x%02x vendor '%.8s', not tgt's disk", t, l, r[0],
                      (const char *)r + 8);
            uint8_t c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32}, cap[32];
            if (!sc_ok(vm, t, l, c16, 16, cap, 32, true, "READ CAPACITY(16)"))
                break;
            VW_EXPECT(vm,
                      stor_be64(cap) == SC_TGT_LUN_BYTES / SC_BLOCK - 1 &&
                          stor_be32(cap + 8) == SC_BLOCK,
                      "%u:%u: READ CAPACITY(16) last LBA %llu of %u bytes", t, l,
                      (unsigned long long)stor_be64(cap), stor_be32(cap + 8));
        }
    }
out:
    sc_finish(vm, &h);
}
