/*
 * A device whose configuration lies (the README's "every device value
 * checked"): each bad value gets its safe default and the disk works, or
 * the start fails with one clear error; never a division by zero, an
 * underflow or a hang.  Also: fewer MSI-X messages than queues makes the
 * queues share them, never fall back to one queue.
 */
#include "viostor_test.h"

/* One-block writes and reads at a few places (the class layer does not
 * split to MaximumTransferLength, so one block fits any limit). */
static void small_io(struct vm *vm, struct vs_disk *d, uint32_t bs)
{
    static uint8_t out[65536], in[65536];
    uint8_t cdb[16];
    for (unsigned i = 0; i < 3 && !vm->failed; i++) {
        uint64_t lba = 1 + i * 5;
        vs_fill(out, bs, lba, 77);
        vs_rw16(cdb, true, lba, 1, false);
        if (!vs_ok(vm, cdb, 16, out, bs, false, "WRITE(16) of one block"))
            return;
        vs_rw16(cdb, false, lba, 1, false);
        if (!vs_ok(vm, cdb, 16, in, bs, true, "READ(16) of one block"))
            return;
        VW_EXPECT(vm, memcmp(in, out, bs) == 0, "LBA %llu read back wrong",
                  (unsigned long long)lba);
        VW_EXPECT(vm, vs_image_read(d, lba * (bs / 512), in, bs) && memcmp(in, out, bs) == 0,
                  "LBA %llu not in the image file", (unsigned long long)lba);
    }
}

/* READ CAPACITY(16): last LBA, block size, exponent, lowest aligned. */
static bool capacity16(struct vm *vm, uint8_t *r)
{
    uint8_t c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32};
    return vs_ok(vm, c16, 16, r, 32, true, "READ CAPACITY(16)");
}

/* The driver logged "viostor: bad device value: FIELD..." (its format
 * since h-stordrv3: the virtio field's name, then the value and what is
 * used), or "viostor: OLD..." (the wording before it; NULL: none). */
static void bad_value_logged(struct vm *vm, const char *field, const char *old)
{
    VW_EXPECT(vm,
              stor_logged(vm, "viostor: bad device value: ", field) ||
                  (old != NULL && stor_logged(vm, "viostor: ", old)),
              "no log line \"viostor: bad device value: %s...\"%s%s (the driver must log it)",
              field, old ? " or \"viostor: " : "", old ? old : "");
}

/* Start on O, expect block size BS and the driver's log line naming the
 * bad FIELD (or its OLD wording; FIELD NULL: none asked), exercise a
 * little I/O. */
static void survives(struct vm *vm, struct vs_opts *o, uint32_t bs, const char *field,
                     const char *old)
{
    struct vs_disk d;
    uint8_t r[32];
    o->raw_cfg = true;
    if (o->size_max == 0 && o->seg_max == 0 && o->blk_size == 0 && o->num_queues == 0)
        o->num_queues = 1; /* the test of another field: keep the rest sane */
    if (!vs_start(vm, &d, o) || !capacity16(vm, r))
        goto out;
    if (field != NULL)
        bad_value_logged(vm, field, old);
    VW_EXPECT(vm, stor_be32(r + 8) == bs, "block size %u, expected the default %u",
              stor_be32(r + 8), bs);
    small_io(vm, &d, bs);
out:
    vs_finish(vm, &d);
}

/* The configuration as vs_config writes it by default, every field given. */
static struct vs_opts sane(void)
{
    return (struct vs_opts){.size_max = 65536,
                            .seg_max = 126,
                            .blk_size = 512,
                            .num_queues = 1,
                            .max_discard = 8192,
                            .discard_seg = 16,
                            .discard_align = 8,
                            .max_wz = 8192,
                            .wz_seg = 1};
}

VW_SCENARIO("viostor", hostile_blk_size_zero, NULL)
{
    struct vs_opts o = sane();
    o.blk_size = 0;
    survives(vm, &o, 512, "blk_size", NULL);
}

VW_SCENARIO("viostor", hostile_blk_size_not_power_of_two, NULL)
{
    struct vs_opts o = sane();
    o.blk_size = 1000;
    survives(vm, &o, 512, "blk_size", NULL);
}

VW_SCENARIO("viostor", hostile_blk_size_128k, NULL)
{
    struct vs_opts o = sane();
    o.blk_size = 128 * 1024;
    survives(vm, &o, 512, "blk_size", NULL);
}

VW_SCENARIO("viostor", hostile_seg_max_zero, NULL)
{
    struct vs_opts o = sane();
    o.seg_max = 0;
    survives(vm, &o, 512, "seg_max", NULL);
}

VW_SCENARIO("viostor", hostile_size_max_zero, NULL)
{
    struct vs_opts o = sane();
    o.size_max = 0;
    survives(vm, &o, 512, NULL, NULL);
}

VW_SCENARIO("viostor", hostile_num_queues_zero, NULL)
{
    struct vs_opts o = sane();
    o.num_queues = 0, o.queues = 2;
    survives(vm, &o, 512, "num_queues", NULL);
}

/* 65535 queues claimed, 2 present: the driver runs what exists. */
VW_SCENARIO("viostor", hostile_num_queues_65535, NULL)
{
    struct vs_opts o = sane();
    o.num_queues = 65535, o.queues = 2;
    survives(vm, &o, 512, "num_queues 65535", "num_queues says 65535");
}

/* size_max 0 with VIRTIO_BLK_F_SIZE_MAX offered (the scenario above does
 * not offer it, so its field means nothing): a bad value, logged. */
VW_SCENARIO("viostor", hostile_size_max_zero_logged, NULL)
{
    struct vs_opts o = sane();
    o.size_max = 0, o.features = VS_F_DEFAULT | VS_F_SIZE_MAX;
    survives(vm, &o, 512, "size_max", NULL);
}

/* Planted twin of the log checks: a sane configuration has no bad value,
 * so asking for that line must fail by name. */
VW_SCENARIO("viostor", planted_sane_config_bad_value_logged, "no log line")
{
    struct vs_opts o = sane();
    survives(vm, &o, 512, "", NULL);
}

/* Topology nonsense (exponent 20, offset 200): ignored, none reported. */
VW_SCENARIO("viostor", hostile_topology, NULL)
{
    struct vs_opts o = sane();
    o.phys_exp = 20, o.align_off = 200, o.min_io = 0xffff, o.opt_io = 0xffffffffu;
    struct vs_disk d;
    uint8_t r[32];
    o.raw_cfg = true;
    if (!vs_start(vm, &d, &o) || !capacity16(vm, r))
        goto out;
    bad_value_logged(vm, "physical_block_exp", "bad device value: topology");
    VW_EXPECT(vm, (r[13] & 0x0f) == 0 && ((r[14] & 0x3f) << 8 | r[15]) == 0,
              "exponent %u, lowest aligned %u reported", r[13] & 0x0f, (r[14] & 0x3f) << 8 | r[15]);
    small_io(vm, &d, 512);
out:
    vs_finish(vm, &d);
}

/* Discard and write-zeroes limits 0: both off; UNMAP and WRITE SAME are
 * refused without reaching the device. */
VW_SCENARIO("viostor", hostile_discard_limits_zero, NULL)
{
    struct vs_opts o = sane();
    o.max_discard = 0, o.discard_seg = 0, o.max_wz = 0, o.wz_seg = 0, o.raw_cfg = true;
    struct vs_disk d;
    if (!vs_start(vm, &d, &o))
        goto out;
    bad_value_logged(vm, "max_discard_sectors", "bad device value: discard limits");
    bad_value_logged(vm, "max_write_zeroes_sectors", "bad device value: write-zeroes limits");
    uint8_t r[64];
    uint8_t inq[6] = {0x12, 1, 0xb2, 0, 8, 0};
    if (!vs_ok(vm, inq, 6, r, 8, true, "INQUIRY VPD B2"))
        goto out;
    VW_EXPECT(vm, (r[5] & 0xc0) == 0, "VPD B2 claims LBPU/LBPWS 0x%02x", r[5]);
    uint8_t p[24] = {0, 22, 0, 16};
    stor_put_be(p + 8, 10, 8), stor_put_be(p + 16, 4, 4);
    uint8_t unmap[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 24};
    struct vw_stor_result res;
    if (!vs_scsi(vm, unmap, 10, p, 24, false, &res))
        goto out;
    uint8_t zero[512] = {0}, ws[16] = {0x93};
    stor_put_be(ws + 10, 4, 4);
    struct vw_stor_result res2;
    if (!vs_scsi(vm, ws, 16, zero, 512, false, &res2))
        goto out;
    VW_EXPECT(vm, res.scsi_status == VS_CHECK_COND && res2.scsi_status == VS_CHECK_COND,
              "UNMAP / WRITE SAME without limits: SCSI status 0x%02x / 0x%02x", res.scsi_status,
              res2.scsi_status);
    VW_EXPECT(vm, d.blk.discards == 0 && d.blk.write_zeroes == 0 && d.blk.unsupported == 0,
              "the device got %llu DISCARD, %llu WRITE_ZEROES", (unsigned long long)d.blk.discards,
              (unsigned long long)d.blk.write_zeroes);
out:
    vs_finish(vm, &d);
}

/* Capacity of 2^54 - 1 sectors (bytes just fit 64 bits): the disk starts,
 * READ CAPACITY(10) says "use (16)", (16) gives the last LBA. */
VW_SCENARIO("viostor", hostile_capacity_huge, NULL)
{
    struct vs_opts o = sane();
    o.capacity = (1ull << 54) - 1, o.raw_cfg = true;
    struct vs_disk d;
    uint8_t r[32];
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t c10[10] = {0x25};
    if (!vs_ok(vm, c10, 10, r, 8, true, "READ CAPACITY(10)"))
        goto out;
    VW_EXPECT(vm, stor_be32(r) == 0xffffffffu, "READ CAPACITY(10): last LBA 0x%x", stor_be32(r));
    if (!capacity16(vm, r))
        goto out;
    VW_EXPECT(vm, stor_be64(r) == (1ull << 54) - 2, "READ CAPACITY(16): last LBA 0x%llx",
              (unsigned long long)stor_be64(r));
    small_io(vm, &d, 512);
out:
    vs_finish(vm, &d);
}

/* Capacity whose byte count overflows 64 bits: the start fails, by name. */
VW_SCENARIO("viostor", hostile_capacity_overflow, "HwFindAdapter returned")
{
    struct vs_opts o = sane();
    o.capacity = UINT64_MAX - 1, o.raw_cfg = true;
    struct vs_disk d;
    vs_start(vm, &d, &o);
    vs_finish(vm, &d);
}

/* Fewer MSI-X messages than queues + 1: still one queue per CPU (up to 4),
 * sharing messages 1..n-1; a single message carries everything; the
 * choice logged ("N queues on M message(s): shared" / "all on one"). */
static void few_messages(struct vm *vm, uint16_t messages)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = 4, .queue_max = 32, .msix_vectors = messages};
    if (!vs_start(vm, &d, &o))
        goto out;
    unsigned cpus = vw_cpu_count(vm), nq = cpus < 4 ? cpus : 4;
    char line[64];
    snprintf(line, sizeof(line), "viostor: %u queues on %u message(s): ", nq, messages);
    stor_expect_logged(vm, line,
                       messages == 1   ? "all on one"
                       : messages > nq ? "one each"
                                       : "shared");
    for (unsigned q = 0; q < 4; q++) {
        bool on = vmodel_queue_enabled(d.dev->model, (uint16_t)q);
        uint16_t v = vw_virtio_queue_vector(d.dev, q);
        uint16_t want = messages >= 2 ? (uint16_t)(1 + q % (messages - 1)) : 0;
        VW_EXPECT(vm, on == (q < nq), "queue %u %s (%u queues expected on %u CPUs)", q,
                  on ? "enabled" : "not enabled", nq, cpus);
        if (q < nq)
            VW_EXPECT(vm, v == want, "queue %u on message %u, expected %u", q, v, want);
    }
    small_io(vm, &d, 512);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", msix_fewer_messages_shared, NULL)
{
    few_messages(vm, 3);
}

VW_SCENARIO("viostor", msix_one_message, NULL)
{
    few_messages(vm, 1);
}
