/*
 * viostor found and started on the blk model, then asked what disk.sys
 * and Windows Setup ask first: INQUIRY (standard and the VPD pages
 * 00/80/83/B0/B1/B2) and READ CAPACITY (10) and (16), every answer checked
 * against the configuration the model offered.
 */
#include "viostor_test.h"

/* INQUIRY with EVPD for PAGE (or the standard data); its bytes in R. */
static bool inquiry(struct vm *vm, int page, uint8_t *r, uint32_t len)
{
    uint8_t cdb[6] = {0x12, page >= 0 ? 1 : 0, (uint8_t)(page >= 0 ? page : 0), 0, (uint8_t)len, 0};
    memset(r, 0xee, len);
    return vs_ok(vm, cdb, 6, r, len, true, "INQUIRY");
}

static void discovery(struct vm *vm, const struct vs_opts *o)
{
    struct vs_disk d;
    if (!vs_start(vm, &d, o))
        goto out;
    uint32_t bs = o->blk_size ? o->blk_size : 512, spb = bs / 512;
    uint64_t blocks = d.blk.sectors / spb;
    uint8_t r[64];
    if (!inquiry(vm, -1, r, 36))
        goto out;
    VW_EXPECT(vm, (r[0] & 0x1f) == 0 && r[2] >= 5 && (r[7] & 0x02),
              "standard INQUIRY: type %u, version %u, CmdQue %u", r[0] & 0x1f, r[2], r[7] >> 1 & 1);
    if (!inquiry(vm, 0x00, r, 64))
        goto out;
    static const uint8_t pages[] = {0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2};
    VW_EXPECT(vm, r[1] == 0 && r[3] == sizeof(pages) && memcmp(r + 4, pages, sizeof(pages)) == 0,
              "VPD 00 lists %u pages", r[3]);
    if (!inquiry(vm, 0x80, r, 64))
        goto out;
    VW_EXPECT(vm,
              r[1] == 0x80 && r[3] == strlen("vmodel-blk") && memcmp(r + 4, "vmodel-blk", 10) == 0,
              "VPD 80: serial of %u bytes '%.*s', not the model's GET_ID 'vmodel-blk'", r[3],
              r[3] < 60 ? r[3] : 60, (const char *)r + 4);
    if (!inquiry(vm, 0x83, r, 64))
        goto out;
    VW_EXPECT(vm, r[1] == 0x83 && (r[5] & 0x0f) == 1 && memcmp(r + 16, "vmodel-blk", 10) == 0,
              "VPD 83: designator type %u without the serial", r[5] & 0x0f);
    if (!inquiry(vm, 0xb0, r, 64))
        goto out;
    uint32_t max_discard = o->max_discard ? o->max_discard : 8192;
    VW_EXPECT(vm, stor_be32(r + 20) == max_discard / spb && stor_be32(r + 24) == 16,
              "VPD B0: max unmap %u blocks, %u descriptors (want %u, 16)", stor_be32(r + 20),
              stor_be32(r + 24), max_discard / spb);
    VW_EXPECT(vm, stor_be32(r + 8) != 0 && (uint64_t)stor_be32(r + 8) * bs >= 4096,
              "VPD B0: max transfer %u blocks", stor_be32(r + 8));
    VW_EXPECT(vm, stor_be64(r + 36) == (o->max_wz ? o->max_wz : 8192) / spb,
              "VPD B0: max write same %llu", (unsigned long long)stor_be64(r + 36));
    /* discard_sector_alignment (512-byte sectors, virtio 1.2 5.2.4) is
     * the OPTIMAL UNMAP GRANULARITY in logical blocks (SBC-3 6.6.4, bytes
     * 28-31); UGAVALID (byte 32 bit 7) set means UNMAP GRANULARITY
     * ALIGNMENT (bytes 32-35, 31 bits) is valid: LBA 0 starts a granule. */
    uint32_t gran = (o->discard_align ? o->discard_align : 8) / spb;
    bool ugavalid = (r[32] & 0x80) != 0;
    uint32_t gran_align = stor_be32(r + 32) & 0x7fffffffu;
    vw_log(vm, "VPD B0: optimal unmap granularity %u, UGAVALID %d, alignment %u", stor_be32(r + 28),
           ugavalid, gran_align);
    VW_EXPECT(vm, stor_be32(r + 28) == (gran ? gran : 1),
              "VPD B0: optimal unmap granularity %u blocks (want %u: discard_sector_alignment %u "
              "of %u-byte blocks)",
              stor_be32(r + 28), gran ? gran : 1, o->discard_align ? o->discard_align : 8, bs);
    VW_EXPECT(vm, !ugavalid || gran_align == 0,
              "VPD B0: UGAVALID with unmap granularity alignment %u (virtio aligns to LBA 0)",
              gran_align);
    if (o->opt_io)
        VW_EXPECT(vm, stor_be32(r + 12) == o->opt_io && (r[6] << 8 | r[7]) == o->min_io,
                  "VPD B0: optimal %u, granularity %u (want %u, %u)", stor_be32(r + 12),
                  r[6] << 8 | r[7], o->opt_io, o->min_io);
    if (!inquiry(vm, 0xb1, r, 64))
        goto out;
    VW_EXPECT(vm, r[1] == 0xb1 && r[4] == 0 && r[5] == 1, "VPD B1: rotation rate %u",
              r[4] << 8 | r[5]);
    if (!inquiry(vm, 0xb2, r, 8))
        goto out;
    VW_EXPECT(vm, r[1] == 0xb2 && (r[5] & 0xc0) == 0xc0, "VPD B2: LBPU/LBPWS 0x%02x", r[5]);

    uint8_t c10[10] = {0x25};
    if (!vs_ok(vm, c10, 10, r, 8, true, "READ CAPACITY(10)"))
        goto out;
    VW_EXPECT(vm, stor_be32(r) == blocks - 1 && stor_be32(r + 4) == bs,
              "READ CAPACITY(10): last LBA %u of %u bytes (want %llu of %u)", stor_be32(r),
              stor_be32(r + 4), (unsigned long long)blocks - 1, bs);
    uint8_t c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32};
    if (!vs_ok(vm, c16, 16, r, 32, true, "READ CAPACITY(16)"))
        goto out;
    VW_EXPECT(vm, stor_be64(r) == blocks - 1 && stor_be32(r + 8) == bs,
              "READ CAPACITY(16): last LBA %llu of %u bytes", (unsigned long long)stor_be64(r),
              stor_be32(r + 8));
    VW_EXPECT(vm,
              (r[13] & 0x0f) == o->phys_exp && (r[14] & 0x80) &&
                  ((r[14] & 0x3f) << 8 | r[15]) == o->align_off,
              "READ CAPACITY(16): exponent %u, LBPME %u, lowest aligned %u", r[13] & 0x0f,
              r[14] >> 7, (r[14] & 0x3f) << 8 | r[15]);
    VW_EXPECT(vm, d.blk.ids == 1, "the device got %llu GET_ID requests, not 1",
              (unsigned long long)d.blk.ids);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", disk_inquiry_capacity, NULL)
{
    struct vs_opts o = {0};
    discovery(vm, &o);
}

/* 4 KiB logical blocks, 8 per physical... of 32 KiB, aligned at 3, with I/O sizes */
VW_SCENARIO("viostor", disk_4k_topology, NULL)
{
    struct vs_opts o = {.blk_size = 4096,
                        .phys_exp = 3,
                        .align_off = 3,
                        .min_io = 1,
                        .opt_io = 64,
                        .max_discard = 2048,
                        .max_wz = 4096};
    discovery(vm, &o);
}

/* discard_sector_alignment 32: VPD B0's optimal unmap granularity 32 */
VW_SCENARIO("viostor", disk_unmap_granularity_32, NULL)
{
    struct vs_opts o = {.discard_align = 32};
    discovery(vm, &o);
}

/* A legacy device (no VERSION_1, no MQ): the legacy interface, split ring, the line */
VW_SCENARIO("viostor", disk_legacy_line, NULL)
{
    struct vs_opts o = {.transport = VMODEL_LEGACY,
                        .line = true,
                        .features = VS_F_DEFAULT & ~(VS_F_VERSION_1 | VS_F_MQ)};
    discovery(vm, &o);
}

/* A device that answers GET_ID late (queue 0 answers nothing for HANG from
 * before the start): HwInitialize runs at DIRQL and may not wait for it
 * (storport/nc-storport-hw_initialize; StorPortStallExecution: "less than
 * a full millisecond"), so the start takes under 1 ms of virtual time; an
 * INQUIRY for VPD 0x80 waits for GET_ID's answer, 100 ms at most.  Answered
 * within them (50 ms): the model's serial, in 0x80 and 0x83.  Later (300
 * ms): the INQUIRY is answered without a serial after 100 ms, the late
 * answer is ignored (0x80 stays empty rather than change), and the disk
 * works once the queue answers again. */
static void serial_late(struct vm *vm, uint64_t hang)
{
    struct vs_disk d;
    struct vs_opts o = {.hang_q0 = hang};
    uint64_t t0 = vm->k->interrupt_time;
    if (!vs_start(vm, &d, &o))
        goto out;
    uint64_t t1 = vm->k->interrupt_time;
    VW_EXPECT(vm, t1 - t0 < VS_SECOND / 1000, "the start took %llu us of virtual time",
              (unsigned long long)((t1 - t0) / 10));
    uint8_t r[64];
    if (!inquiry(vm, 0x80, r, 64))
        goto out;
    uint64_t t2 = vm->k->interrupt_time;
    bool in_time = hang <= VS_SECOND / 10;
    if (in_time) {
        VW_EXPECT(vm,
                  r[1] == 0x80 && r[3] == strlen("vmodel-blk") &&
                      memcmp(r + 4, "vmodel-blk", 10) == 0,
                  "VPD 80 after a GET_ID answered late: serial of %u bytes '%.*s'", r[3],
                  r[3] < 60 ? r[3] : 60, (const char *)r + 4);
        VW_EXPECT(vm, t2 - t0 >= hang && t2 - t0 < hang + VS_SECOND / 100,
                  "VPD 80 answered %llu us after the start (GET_ID answered after %llu us)",
                  (unsigned long long)((t2 - t0) / 10), (unsigned long long)(hang / 10));
        if (!inquiry(vm, 0x83, r, 64))
            goto out;
        VW_EXPECT(vm, r[1] == 0x83 && (r[5] & 0x0f) == 1 && memcmp(r + 16, "vmodel-blk", 10) == 0,
                  "VPD 83: designator type %u without the serial", r[5] & 0x0f);
    } else {
        VW_EXPECT(vm, r[1] == 0x80 && r[3] == 0, "VPD 80 with GET_ID unanswered: %u bytes", r[3]);
        VW_EXPECT(vm, t2 - t1 >= VS_SECOND / 10 && t2 - t1 < VS_SECOND / 10 + VS_SECOND / 100,
                  "VPD 80 with GET_ID unanswered took %llu us (100 ms)",
                  (unsigned long long)((t2 - t1) / 10));
        vw_run_for(vm, hang);
        if (!inquiry(vm, 0x80, r, 64))
            goto out;
        VW_EXPECT(vm, r[1] == 0x80 && r[3] == 0, "VPD 80 changed after GET_ID's late answer: %u",
                  r[3]);
    }
    uint8_t cdb[16], out[512], back[512];
    vs_fill(out, sizeof(out), 40, 9);
    vs_rw16(cdb, true, 40, 1, false);
    if (!vs_ok(vm, cdb, 16, out, sizeof(out), false, "WRITE after the serial"))
        goto out;
    vs_rw16(cdb, false, 40, 1, false);
    if (vs_ok(vm, cdb, 16, back, sizeof(back), true, "READ after the serial"))
        VW_EXPECT(vm, memcmp(out, back, sizeof(out)) == 0, "the write reads back wrong");
    VW_EXPECT(vm, d.blk.ids == 1, "the device got %llu GET_ID requests, not 1",
              (unsigned long long)d.blk.ids);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", disk_serial_get_id_late, NULL)
{
    serial_late(vm, VS_SECOND / 20);
}

VW_SCENARIO("viostor", disk_serial_get_id_too_late, NULL)
{
    serial_late(vm, 3 * VS_SECOND / 10);
}
