/*
 * Checksummed data through vioscsi on every LUN: 4 KiB writes at queue
 * depth 1 and 32 (requests from every CPU, so on every request queue),
 * each block then read in the disk outside the driver (the in-process
 * target's memory, or tgt's backing file) and read back through the
 * driver.  Split and packed rings, with and without EVENT_IDX, 1 and 4
 * request queues, the modern and the transitional function.
 */
#include <fcntl.h>
#include <stdlib.h>
#include "vioscsi_test.h"

#define IO_BYTES  4096u
#define IO_BLOCKS (IO_BYTES / SC_BLOCK)

/* The LUN's bytes at block LBA, read outside the driver. */
static bool backing_read(struct sc_host *h, unsigned t, unsigned l, uint64_t lba, uint8_t *out,
                         uint32_t len)
{
    if (h->mem != NULL) {
        uint64_t blocks;
        uint8_t *disk = mem_target_disk(h->mem, (uint16_t)t, l, &blocks);
        if (disk == NULL || lba * SC_BLOCK + len > blocks * SC_BLOCK)
            return false;
        memcpy(out, disk + lba * SC_BLOCK, len);
        return true;
    }
    char path[300];
    sc_tgt_file(h, t, l, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && pread(fd, out, len, (off_t)(lba * SC_BLOCK)) == (ssize_t)len;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* COUNT writes of IO_BYTES at QD (1: one at a time) to T:L, generation
 * GEN, at LBAs spread over the disk; then each checked in the backing
 * store and read back through the driver at the same depth. */
static void round_trip(struct vm *vm, struct sc_host *h, uint8_t t, uint8_t l, unsigned count,
                       unsigned qd, unsigned gen)
{
    uint8_t cdbs[64][16], *bufs[64];
    unsigned lens[64];
    uint32_t sizes[64];
    bool in[64];
    struct vw_stor_result res[64];
    uint8_t want[IO_BYTES], got[IO_BYTES];
    if (count > 64)
        count = 64;
    for (unsigned i = 0; i < count; i++)
        bufs[i] = malloc(IO_BYTES);
    for (int pass = 0; pass < 2 && !vm->failed; pass++) {
        bool write = pass == 0;
        for (unsigned i = 0; i < count; i++) {
            uint64_t lba = (uint64_t)(i * 37 % 64) * IO_BLOCKS * 3;
            sc_rw16(cdbs[i], write, lba, IO_BLOCKS);
            lens[i] = 16;
            sizes[i] = IO_BYTES;
            in[i] = !write;
            if (write)
                sc_fill(bufs[i], IO_BYTES, t, l, lba, gen + i);
            else
                memset(bufs[i], 0xee, IO_BYTES);
        }
        vw_stor_address(vm, t, l);
        for (unsigned i = 0; i < count && !vm->failed; i += qd) {
            unsigned n = count - i < qd ? count - i : qd;
            if (!vw_stor_scsi_batch(vm, n, (const uint8_t(*)[16])cdbs[i], lens + i, bufs + i,
                                    sizes + i, in + i, res + i))
                break;
        }
        for (unsigned i = 0; i < count && !vm->failed; i++) {
            uint64_t lba = stor_be64(cdbs[i] + 2);
            VW_EXPECT(vm,
                      (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                          res[i].scsi_status == 0 && res[i].transferred == IO_BYTES,
                      "%s %u:%u LBA %llu: SRB 0x%02x, SCSI 0x%02x, %u bytes",
                      write ? "WRITE(16)" : "READ(16)", t, l, (unsigned long long)lba,
                      res[i].srb_status, res[i].scsi_status, res[i].transferred);
            sc_fill(want, IO_BYTES, t, l, lba, gen + i);
            if (write) {
                VW_EXPECT(vm,
                          backing_read(h, t, l, lba, got, IO_BYTES) &&
                              memcmp(got, want, IO_BYTES) == 0,
                          "%u:%u LBA %llu: the disk does not hold what was written", t, l,
                          (unsigned long long)lba);
            } else {
                VW_EXPECT(vm, memcmp(bufs[i], want, IO_BYTES) == 0,
                          "%u:%u LBA %llu: read back differs from what was written", t, l,
                          (unsigned long long)lba);
            }
        }
    }
    for (unsigned i = 0; i < count; i++)
        free(bufs[i]);
}

/* Every LUN of the 2 x 2, at QD 1 then 32, from every CPU. */
static void all_luns(struct vm *vm, struct sc_host *h, const struct sc_opts *o, uint8_t first)
{
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (uint8_t t = 0; t < o->targets && !vm->failed; t++)
        for (uint8_t l = first; l < first + o->luns && !vm->failed; l++) {
            /* The unit attention a new I_T nexus reports first (tgt), taken
             * with the class driver's retry as disk.sys does at start */
            uint8_t tur[6] = {0};
            if (!sc_ok(vm, t, l, tur, 6, NULL, 0, false, "TEST UNIT READY"))
                break;
            round_trip(vm, h, t, l, 8, 1, 1);
            round_trip(vm, h, t, l, 64, 32, 100);
        }
}

static void data_mem(struct vm *vm, struct sc_opts *o)
{
    struct sc_host h;
    if (sc_start_mem(vm, &h, o))
        all_luns(vm, &h, o, 0);
    sc_finish(vm, &h);
}

/* The device uses answered requests in any order (each queue picks a random
 * one of those ready): in a packed ring a used descriptor goes to the next
 * used slot whichever buffer ID it names (virtio 1.2 2.8). */
static void data_mem_out_of_order(struct vm *vm, struct sc_opts *o)
{
    struct sc_host h;
    if (sc_start_mem(vm, &h, o)) {
        vw_virtio_delay(h.scsi->dev, -1, 100, 20000, true); /* 10 us .. 2 ms */
        all_luns(vm, &h, o, 0);
        const struct vmodel_stats *ms = vmodel_stats(h.scsi->dev->model);
        vw_log(vm, "vioscsi data: %llu of %llu used entries overtook an older request",
               (unsigned long long)ms->overtaking, (unsigned long long)ms->completions);
        VW_EXPECT(vm, ms->overtaking > 0, "no request was used out of order");
    }
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", data_mem_4q_packed_out_of_order, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.features = SC_F_VIRTIO_DEFAULT | 1ull << VIRTIO_F_RING_PACKED;
    data_mem_out_of_order(vm, &o);
}

VW_SCENARIO("vioscsi", data_mem_1q_packed_direct_out_of_order, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.features =
        (SC_F_VIRTIO_DEFAULT | 1ull << VIRTIO_F_RING_PACKED) & ~(1ull << VIRTIO_F_INDIRECT_DESC);
    data_mem_out_of_order(vm, &o);
}

VW_SCENARIO("vioscsi", data_mem_1q_split, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    data_mem(vm, &o);
}

VW_SCENARIO("vioscsi", data_mem_4q_split, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    data_mem(vm, &o);
}

VW_SCENARIO("vioscsi", data_mem_4q_packed, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.features = SC_F_VIRTIO_DEFAULT | 1ull << VIRTIO_F_RING_PACKED;
    data_mem(vm, &o);
}

VW_SCENARIO("vioscsi", data_mem_4q_no_event_idx, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.features = SC_F_VIRTIO_DEFAULT & ~(1ull << VIRTIO_F_EVENT_IDX);
    data_mem(vm, &o);
}

/* Without indirect descriptors: chains in the ring itself */
VW_SCENARIO("vioscsi", data_mem_1q_packed_direct, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.features =
        (SC_F_VIRTIO_DEFAULT | 1ull << VIRTIO_F_RING_PACKED) & ~(1ull << VIRTIO_F_INDIRECT_DESC);
    data_mem(vm, &o);
}

/* The transitional function (1AF4:1004), legacy interface, the INTx line */
VW_SCENARIO("vioscsi", data_mem_legacy_line, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.transport = VMODEL_LEGACY;
    o.line = true;
    o.features = 1ull << VIRTIO_F_INDIRECT_DESC;
    data_mem(vm, &o);
}

/* tgt: every write found in tgt's backing files, on 4 request queues */
VW_SCENARIO("vioscsi", data_tgt_4q, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    if (sc_start_tgt(vm, &h, &o))
        all_luns(vm, &h, &o, 1);
    sc_finish(vm, &h);
}

/* LUNs REPORT LUNS lists at target T (tgt: LUN 0, its controller, and the
 * disks 1..LUNS, single-level peripheral form, SAM-5 4.7) are exactly those */
static void luns_found(struct vm *vm, uint8_t t, unsigned luns)
{
    uint8_t cdb[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0}, r[512];
    uint32_t moved;
    if (!sc_ok_moved(vm, t, 0, cdb, 12, r, sizeof(r), true, "REPORT LUNS", &moved))
        return;
    unsigned n = stor_be32(r) / 8, seen = 0;
    for (unsigned i = 0; i < n && 8 + 8 * i + 8 <= moved; i++)
        if (r[8 + 8 * i] == 0 && r[9 + 8 * i] <= luns)
            seen |= 1u << r[9 + 8 * i];
    VW_EXPECT(vm, n == luns + 1 && seen == (2u << luns) - 1,
              "REPORT LUNS at target %u: %u LUNs (set 0x%x), want 0..%u", t, n, seen, luns);
}

/* tgt with TARGETS x LUNS disks: every LUN found, 32 checksummed writes at
 * QD 32 from every CPU on each, found in its own backing file and read back */
static void data_tgt_shape(struct vm *vm, uint16_t targets, uint32_t luns)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.targets = targets;
    o.luns = luns;
    if (sc_start_tgt(vm, &h, &o)) {
        vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
        for (uint8_t t = 0; t < targets && !vm->failed; t++)
            luns_found(vm, t, luns);
        for (uint8_t t = 0; t < targets && !vm->failed; t++)
            for (uint8_t l = 1; l <= luns && !vm->failed; l++) {
                uint8_t tur[6] = {0};
                if (sc_ok(vm, t, l, tur, 6, NULL, 0, false, "TEST UNIT READY"))
                    round_trip(vm, &h, t, l, 32, 32, 200);
            }
    }
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", data_tgt_1x8, NULL)
{
    data_tgt_shape(vm, 1, 8);
}

VW_SCENARIO("vioscsi", data_tgt_4x1, NULL)
{
    data_tgt_shape(vm, 4, 1);
}

#define QD_MAX 256u

/* 256 checksummed 4 KiB writes at once, request i from CPU i mod CPUS (so
 * on every request queue): each on the disk (read outside the driver),
 * StartIo ran on every CPU, 256 reached the miniport at once.  Every arch,
 * as many CPUs as the run has (1, 4, 64): about 0.2-0.3 s of CPU a run
 * since the pool is one unicorn mapping.  (No read pass: data_mem_* read
 * back at QD 32.) */
VW_SCENARIO("vioscsi", data_mem_qd256_every_cpu, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.sc.cmd_per_lun = QD_MAX;
    o.queue_max = 256;
    o.targets = 1;
    o.luns = 1;
    static uint8_t cdbs[QD_MAX][16], *bufs[QD_MAX], want[IO_BYTES];
    static unsigned lens[QD_MAX];
    static uint32_t sizes[QD_MAX];
    static bool in[QD_MAX];
    static struct vw_stor_result res[QD_MAX];
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (unsigned i = 0; i < QD_MAX; i++)
        bufs[i] = malloc(IO_BYTES);
    for (int pass = 0; pass < 1 && !vm->failed; pass++) {
        unsigned n = pass == 0 ? QD_MAX : QD_MAX / 8, step = QD_MAX / n;
        for (unsigned i = 0; i < QD_MAX; i++) {
            sc_rw16(cdbs[i], pass == 0, (uint64_t)(i % n) * step * IO_BLOCKS, IO_BLOCKS);
            lens[i] = 16, sizes[i] = IO_BYTES, in[i] = pass == 1;
            if (pass == 0)
                sc_fill(bufs[i], IO_BYTES, 0, 0, (uint64_t)i * IO_BLOCKS, 7);
            else
                memset(bufs[i], 0xee, IO_BYTES);
        }
        if (!vw_stor_scsi_batch(vm, QD_MAX, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
            break;
        for (unsigned i = 0; i < QD_MAX && !vm->failed; i++) {
            uint64_t lba = (uint64_t)i * IO_BLOCKS;
            uint8_t got[IO_BYTES];
            VW_EXPECT(vm,
                      (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                          res[i].transferred == IO_BYTES,
                      "request %u of 256 (pass %d): SRB 0x%02x, %u bytes", i, pass,
                      res[i].srb_status, res[i].transferred);
            sc_fill(want, IO_BYTES, 0, 0, lba, 7);
            if (pass == 0)
                VW_EXPECT(vm,
                          backing_read(&h, 0, 0, lba, got, IO_BYTES) &&
                              memcmp(got, want, IO_BYTES) == 0,
                          "LBA %llu: the disk does not hold write %u", (unsigned long long)lba, i);
            else
                VW_EXPECT(vm, memcmp(bufs[i], want, IO_BYTES) == 0, "LBA %llu: read %u differs",
                          (unsigned long long)lba, i);
        }
    }
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned cpus = vw_cpu_count(vm) < 32 ? vw_cpu_count(vm) : 32;
    unsigned all = cpus == 32 ? 0xffffffffu : (1u << cpus) - 1;
    VW_EXPECT(vm, (st.startio_cpus & all) == all,
              "HwStartIo ran on CPUs 0x%x of %u: not from every CPU", st.startio_cpus,
              vw_cpu_count(vm));
    vw_log(vm, "QD 256: %u outstanding at the miniport at most, adapter depth %u, LUN depth %u",
           st.max_outstanding, st.max_io, st.lun_depth);
    VW_EXPECT(vm, st.max_outstanding >= QD_MAX,
              "at most %u of %u requests at the miniport at once (adapter depth %u, LUN %u)",
              st.max_outstanding, QD_MAX, st.max_io, st.lun_depth);
    for (unsigned i = 0; i < QD_MAX; i++)
        free(bufs[i]);
out:
    sc_finish(vm, &h);
}
