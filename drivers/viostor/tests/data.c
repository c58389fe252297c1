/*
 * viostor's data path on the blk model: checksummed writes then reads at
 * queue depths 1 to the ring's size (vw_stor_scsi_batch), single- and
 * multi-page transfers, split and packed rings, with and without
 * EVENT_IDX and indirect descriptors, one and four device queues; every
 * block read back and compared with the image file.  SYNCHRONIZE CACHE ->
 * FLUSH, a FUA write -> write then FLUSH, UNMAP -> one DISCARD with the
 * exact ranges, WRITE SAME(16) of zeroes -> WRITE_ZEROES (zeroes in the
 * file, the unmap flag when allowed).  The queue depth StorPort is given
 * is what the rings hold, and it is reached.
 */
#include "viostor_test.h"

#define MAX_BLOCKS 16 /* 8 KiB per request at most */
#define RUN_MAX    64 /* the class layer's batch limit */

/* QD writes of 1..MAX_BLOCKS blocks at distinct places, then reads of the
 * same, compared with what was written and with the file. */
static void write_read(struct vm *vm, struct vs_disk *d, unsigned qd, unsigned gen)
{
    static uint8_t out[RUN_MAX][MAX_BLOCKS * 512], in[RUN_MAX][MAX_BLOCKS * 512];
    uint8_t cdbs[RUN_MAX][16], *bufs[RUN_MAX];
    unsigned lens[RUN_MAX];
    uint32_t sizes[RUN_MAX];
    bool dir[RUN_MAX];
    struct vw_stor_result res[RUN_MAX];
    uint64_t lba[RUN_MAX];

    for (unsigned pass = 0; pass < 2 && !vm->failed; pass++) {
        for (unsigned i = 0; i < qd; i++) {
            unsigned blocks = 1 + (i * 7 + gen) % MAX_BLOCKS;
            lba[i] = (uint64_t)i * 24 + gen % 8; /* 24 apart: never overlapping */
            if (pass == 0)
                vs_fill(out[i], blocks * 512, lba[i], gen);
            memset(in[i], 0xcc, sizeof(in[i]));
            vs_rw16(cdbs[i], pass == 0, lba[i], blocks, false);
            bufs[i] = pass == 0 ? out[i] : in[i];
            lens[i] = 16, sizes[i] = blocks * 512, dir[i] = pass == 1;
        }
        if (!vw_stor_scsi_batch(vm, qd, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, dir, res))
            return;
        for (unsigned i = 0; i < qd; i++)
            VW_EXPECT(vm,
                      (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                          res[i].transferred == sizes[i],
                      "QD %u %s %u: SRB status 0x%02x, %u of %u bytes", qd, pass ? "read" : "write",
                      i, res[i].srb_status, res[i].transferred, sizes[i]);
    }
    static uint8_t file[MAX_BLOCKS * 512];
    for (unsigned i = 0; i < qd && !vm->failed; i++) {
        VW_EXPECT(vm, memcmp(in[i], out[i], sizes[i]) == 0, "QD %u: LBA %llu read back wrong", qd,
                  (unsigned long long)lba[i]);
        VW_EXPECT(
            vm, vs_image_read(d, lba[i], file, sizes[i]) && memcmp(file, out[i], sizes[i]) == 0,
            "QD %u: LBA %llu not in the image file as written", qd, (unsigned long long)lba[i]);
    }
}

static void data_run_ooo(struct vm *vm, uint64_t features, uint16_t queues, bool out_of_order)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = queues, .queue_max = 64};
    if (!vs_start(vm, &d, &o))
        goto out;
    /* Several queues: each request from its own CPU (request i on CPU i mod
     * CPUS), so every queue the CPUs map to carries data */
    if (queues > 1)
        vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    if (out_of_order) /* each request 10 us .. 2 ms, used as its time comes */
        vw_virtio_delay(d.dev, -1, 100, 20000, true);
    static const unsigned qds[] = {1, 2, 5, 16, 33, 64};
    for (unsigned k = 0; k < sizeof(qds) / sizeof(qds[0]) && !vm->failed; k++)
        write_read(vm, &d, qds[k], k + 1);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    vw_log(vm, "viostor data: %llu writes, %llu reads; at most %u outstanding of %u",
           (unsigned long long)d.blk.writes, (unsigned long long)d.blk.reads, s.max_outstanding,
           s.max_io);
    VW_EXPECT(vm, s.resets == 0, "%u bus resets", s.resets);
    if (queues > 1) {
        unsigned cpus = vw_cpu_count(vm), used = cpus < queues ? cpus : queues;
        unsigned want = used >= 32 ? ~0u : (1u << used) - 1;
        VW_EXPECT(vm, (s.startio_cpus & want) == want, "HwStartIo on CPUs 0x%x (0x%x expected)",
                  s.startio_cpus, want);
    }
    if (out_of_order) {
        const struct vmodel_stats *ms = vmodel_stats(d.dev->model);
        vw_log(vm, "viostor data: %llu of %llu used entries overtook an older request",
               (unsigned long long)ms->overtaking, (unsigned long long)ms->completions);
        VW_EXPECT(vm, ms->overtaking > 0, "no request was used out of order");
    }
out:
    vs_finish(vm, &d);
}

static void data_run(struct vm *vm, uint64_t features, uint16_t queues)
{
    data_run_ooo(vm, features, queues, false);
}

VW_SCENARIO("viostor", data_split_indirect_event_idx, NULL)
{
    data_run(vm, VS_F_DEFAULT, 1);
}

VW_SCENARIO("viostor", data_split_direct, NULL)
{
    data_run(vm, VS_F_DEFAULT & ~(VS_F_INDIRECT | VS_F_EVENT_IDX), 1);
}

VW_SCENARIO("viostor", data_packed_indirect_event_idx, NULL)
{
    data_run(vm, VS_F_DEFAULT | VS_F_PACKED, 1);
}

VW_SCENARIO("viostor", data_packed_direct, NULL)
{
    data_run(vm, (VS_F_DEFAULT | VS_F_PACKED) & ~(VS_F_INDIRECT | VS_F_EVENT_IDX), 1);
}

/* Four device queues: as many as the CPUs (CPUS=4: four, one message each) */
VW_SCENARIO("viostor", data_four_queues, NULL)
{
    data_run(vm, VS_F_DEFAULT, 4);
}

VW_SCENARIO("viostor", data_four_queues_packed, NULL)
{
    data_run(vm, VS_F_DEFAULT | VS_F_PACKED, 4);
}

/* Out-of-order completion: the device uses each request when its own
 * delay is over, so used entries name buffers in any order (virtio 1.2
 * 2.7.8 and 2.8 "Packed Virtqueues": in a packed ring a used descriptor
 * goes to the device's next used slot, whichever buffer ID it names, and
 * overwrites whatever chain was there). */
VW_SCENARIO("viostor", data_split_out_of_order, NULL)
{
    data_run_ooo(vm, VS_F_DEFAULT, 1, true);
}

VW_SCENARIO("viostor", data_packed_out_of_order, NULL)
{
    data_run_ooo(vm, VS_F_DEFAULT | VS_F_PACKED, 1, true);
}

VW_SCENARIO("viostor", data_packed_direct_out_of_order, NULL)
{
    data_run_ooo(vm, (VS_F_DEFAULT | VS_F_PACKED) & ~(VS_F_INDIRECT | VS_F_EVENT_IDX), 1, true);
}

VW_SCENARIO("viostor", data_four_queues_packed_out_of_order, NULL)
{
    data_run_ooo(vm, VS_F_DEFAULT | VS_F_PACKED, 4, true);
}

VW_SCENARIO("viostor", data_four_queues_packed_direct_out_of_order, NULL)
{
    data_run_ooo(vm, (VS_F_DEFAULT | VS_F_PACKED) & ~VS_F_INDIRECT, 4, true);
}

/* SYNCHRONIZE CACHE -> one FLUSH; WRITE(16) FUA -> the write, then a FLUSH. */
VW_SCENARIO("viostor", data_flush_fua, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t sync[10] = {0x35};
    uint64_t f0 = d.blk.flushes, w0 = d.blk.writes;
    if (!vs_ok(vm, sync, 10, NULL, 0, false, "SYNCHRONIZE CACHE(10)"))
        goto out;
    VW_EXPECT(vm, d.blk.flushes == f0 + 1, "SYNCHRONIZE CACHE: %llu FLUSH requests",
              (unsigned long long)(d.blk.flushes - f0));
    uint8_t cdb[16], buf[4096], file[4096];
    vs_fill(buf, sizeof(buf), 300, 9);
    vs_rw16(cdb, true, 300, 8, true);
    if (!vs_ok(vm, cdb, 16, buf, sizeof(buf), false, "WRITE(16) FUA"))
        goto out;
    VW_EXPECT(vm, d.blk.writes == w0 + 1 && d.blk.flushes == f0 + 2,
              "WRITE FUA: %llu writes, %llu flushes at the device (1 and 1 expected)",
              (unsigned long long)(d.blk.writes - w0),
              (unsigned long long)(d.blk.flushes - f0 - 1));
    VW_EXPECT(vm, vs_image_read(&d, 300, file, sizeof(file)) && memcmp(file, buf, 4096) == 0,
              "the FUA write is not in the file");
    vs_rw16(cdb, true, 310, 8, false);
    if (!vs_ok(vm, cdb, 16, buf, sizeof(buf), false, "WRITE(16)"))
        goto out;
    VW_EXPECT(vm, d.blk.flushes == f0 + 2, "a plain write was flushed");
out:
    vs_finish(vm, &d);
}

/* UNMAP of three descriptors (one of 0 blocks) -> one DISCARD with the two
 * real ranges, in sectors; 4 KiB blocks scale them. */
static void unmap_run(struct vm *vm, uint32_t bs)
{
    struct vs_disk d;
    struct vs_opts o = {.blk_size = bs};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint32_t spb = bs / 512;
    uint8_t p[8 + 3 * 16] = {0};
    stor_put_be(p, 6 + 3 * 16, 2);
    stor_put_be(p + 2, 3 * 16, 2);
    stor_put_be(p + 8, 10, 8), stor_put_be(p + 16, 4, 4);
    stor_put_be(p + 24, 50, 8), stor_put_be(p + 32, 0, 4);
    stor_put_be(p + 40, 100, 8), stor_put_be(p + 48, 30, 4);
    uint8_t cdb[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, sizeof(p)};
    if (!vs_ok(vm, cdb, 10, p, sizeof(p), false, "UNMAP"))
        goto out;
    VW_EXPECT(vm, d.blk.discards == 1 && d.blk.nranges == 2,
              "UNMAP: %llu DISCARD requests with %u ranges (1 with 2 expected)",
              (unsigned long long)d.blk.discards, d.blk.nranges);
    if (d.blk.nranges == 2) {
        struct vmodel_blk_range *r = d.blk.ranges;
        VW_EXPECT(vm,
                  r[0].type == 11 && r[0].sector == 10 * spb && r[0].sectors == 4 * spb &&
                      r[1].sector == 100 * spb && r[1].sectors == 30 * spb && r[0].flags == 0,
                  "DISCARD ranges %llu+%u, %llu+%u (want %u+%u, %u+%u)",
                  (unsigned long long)r[0].sector, r[0].sectors, (unsigned long long)r[1].sector,
                  r[1].sectors, 10 * spb, 4 * spb, 100 * spb, 30 * spb);
    }
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", data_unmap_discard, NULL)
{
    unmap_run(vm, 512);
}

VW_SCENARIO("viostor", data_unmap_discard_4k, NULL)
{
    unmap_run(vm, 4096);
}

/* WRITE SAME(16) with a zero block -> WRITE_ZEROES: the range zeroed in the
 * file; with the UNMAP bit and write_zeroes_may_unmap, the unmap flag. */
VW_SCENARIO("viostor", data_write_same_zeroes, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.wz_may_unmap = 1};
    if (!vs_start(vm, &d, &o))
        goto out;
    uint8_t zero[512] = {0}, file[512 * 20];
    for (unsigned unmap = 0; unmap < 2 && !vm->failed; unmap++) {
        uint64_t lba = unmap ? 700 : 400;
        uint8_t cdb[16] = {0x93, (uint8_t)(unmap ? 0x08 : 0)};
        stor_put_be(cdb + 2, lba, 8);
        stor_put_be(cdb + 10, 20, 4);
        if (!vs_ok(vm, cdb, 16, zero, sizeof(zero), false, "WRITE SAME(16)"))
            goto out;
        struct vmodel_blk_range *r = &d.blk.ranges[unmap];
        VW_EXPECT(vm,
                  d.blk.nranges == unmap + 1 && r->type == 13 && r->sector == lba &&
                      r->sectors == 20 && r->flags == unmap,
                  "WRITE SAME: range %u: type %u %llu+%u flags %u", unmap, r->type,
                  (unsigned long long)r->sector, r->sectors, r->flags);
        uint8_t zeroes[sizeof(file)] = {0};
        VW_EXPECT(vm,
                  vs_image_read(&d, lba, file, sizeof(file)) &&
                      memcmp(file, zeroes, sizeof(file)) == 0,
                  "WRITE SAME: LBA %llu..+20 not zero in the file", (unsigned long long)lba);
    }
    /* A non-zero pattern is refused (virtio-blk writes only zeroes) */
    zero[5] = 1;
    uint8_t cdb[16] = {0x93};
    stor_put_be(cdb + 10, 4, 4);
    struct vw_stor_result res;
    if (vs_scsi(vm, cdb, 16, zero, sizeof(zero), false, &res))
        VW_EXPECT(vm, res.scsi_status == VS_CHECK_COND && d.blk.write_zeroes == 2,
                  "WRITE SAME of a pattern: SCSI status 0x%02x, %llu WRITE_ZEROES", res.scsi_status,
                  (unsigned long long)d.blk.write_zeroes);
out:
    vs_finish(vm, &d);
}

/* Queue depth: StorPort is told ring x queues for the adapter and the LUN
 * (not its default 20), and 64 requests at once all reach the device of a
 * 64-entry ring.  (Submission comes from one CPU: the spread over four
 * queues needs the class layer's concurrent StartIo channels.) */
VW_SCENARIO("viostor", queue_depth_ring_times_queues, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = 1, .queue_max = 64};
    if (!vs_start(vm, &d, &o))
        goto out;
    write_read(vm, &d, 64, 3);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.max_io == 64 && s.lun_depth == 64,
              "MaxNumberOfIO %u, LUN depth %u (ring 64 x 1 queue expected)", s.max_io, s.lun_depth);
    VW_EXPECT(vm, s.max_outstanding == 64 && s.busy_retries == 0,
              "at most %u requests outstanding (64 expected), %u BUSY retries", s.max_outstanding,
              s.busy_retries);
out:
    vs_finish(vm, &d);
}

/* Four queues of 16: depth 64 for the adapter whatever the CPU count. */
VW_SCENARIO("viostor", queue_depth_four_queues, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = 4, .queue_max = 16};
    if (!vs_start(vm, &d, &o))
        goto out;
    unsigned cpus = vw_cpu_count(vm), q = cpus < 4 ? cpus : 4;
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.max_io == 16 * q && s.lun_depth == 16 * q,
              "MaxNumberOfIO %u, LUN depth %u (16 x %u queues expected)", s.max_io, s.lun_depth, q);
    write_read(vm, &d, 32, 5);
out:
    vs_finish(vm, &d);
}
