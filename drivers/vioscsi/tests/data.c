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
            uint64_t lba = sc_be64(cdbs[i] + 2);
            VW_EXPECT(vm,
                      (res[i].srb_status & SC_SRB_MASK) == SC_SRB_SUCCESS &&
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
