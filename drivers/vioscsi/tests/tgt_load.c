/*
 * tgt under load (issue 15, "Against tgt"): seeded random checksummed
 * writes on every LUN at once (each batch spans all LUNs), at queue
 * depths 1, 32 and 256, submitted from every CPU onto 4 request queues,
 * on three layouts: 2 targets x 4 LUNs, 1 x 8 and 4 x 1;
 * each batch read back through the driver at the same depth; at the end
 * every slot written read again through the driver and tgt (QD 256), and
 * every block of every LUN read in tgt's backing files, outside the
 * driver: what was last acknowledged is there, the rest is zero.  The queue
 * depths StorPort was given are the device's: MaxNumberOfIO = ring size x
 * request queues, the LUN depth = cmd_per_lun (virtio 1.2 5.6.4,
 * PORT_CONFIGURATION_INFORMATION, StorPortSetDeviceQueueDepth as the
 * emulation records them).
 */
#include <fcntl.h>
#include <stdlib.h>
#include "vioscsi_test.h"

#define LD_DISKS  8u /* targets x LUNs at most (LUNs 1..n of each target) */
#define LD_SLOT   8u /* blocks in a slot: one request writes within one */
#define LD_SLOTS  (SC_TGT_LUN_BYTES / SC_BLOCK / LD_SLOT)
#define LD_BLOCKS (SC_TGT_LUN_BYTES / SC_BLOCK)
#define LD_QD_MAX 256u
#define LD_RING   128u
#define LD_QUEUES 4u

/* The run's layout: LUNs 1..luns on each of targets targets */
static unsigned ld_targets, ld_luns, ld_disks;
/* What the test wrote: the generation of each block of each disk (disk
 * t x luns + l - 1; 0: never written) */
static uint32_t shadow[LD_DISKS][LD_BLOCKS];
/* Slots written at any depth, read back again at the end */
static uint8_t touched[LD_DISKS * LD_SLOTS];

/* One batch of at most LD_QD_MAX requests */
struct ld_batch {
    unsigned n;
    uint8_t btl[LD_QD_MAX][2], cdbs[LD_QD_MAX][16], *bufs[LD_QD_MAX];
    unsigned cdb_lens[LD_QD_MAX];
    uint32_t lens[LD_QD_MAX];
    bool in[LD_QD_MAX];
    struct vw_stor_result res[LD_QD_MAX];
};

static struct ld_batch batch;
static uint8_t data[LD_QD_MAX][LD_SLOT * SC_BLOCK];

/* The seeded stream of the scenario */
static uint32_t ld_rand(uint64_t *rng)
{
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*rng >> 33);
}

/* Block LBA of T:L at generation GEN (0: the zeroes of a thin file) */
static void ld_block(uint8_t *out, unsigned t, unsigned l, uint64_t lba, uint32_t gen)
{
    if (gen == 0)
        memset(out, 0, SC_BLOCK);
    else
        sc_fill(out, SC_BLOCK, t, l, lba, gen);
}

/* QD random requests (WRITE: new data at generation GEN) at distinct
 * slots spread over every LUN, as one batch; false if the run failed */
static bool ld_batch_run(struct vm *vm, uint64_t *rng, unsigned qd, bool write, uint32_t gen,
                         const uint32_t *slot_pick)
{
    batch.n = qd;
    for (unsigned i = 0; i < qd; i++) {
        uint32_t pick = slot_pick[i];
        unsigned t = pick / (ld_luns * LD_SLOTS), l = pick / LD_SLOTS % ld_luns;
        uint64_t lba = (uint64_t)(pick % LD_SLOTS) * LD_SLOT;
        uint32_t blocks = write ? 1 + ld_rand(rng) % LD_SLOT : LD_SLOT;
        lba += write ? ld_rand(rng) % (LD_SLOT - blocks + 1) : 0;
        batch.btl[i][0] = (uint8_t)t;
        batch.btl[i][1] = (uint8_t)(l + 1);
        sc_rw16(batch.cdbs[i], write, lba, blocks);
        batch.cdb_lens[i] = 16;
        batch.lens[i] = blocks * SC_BLOCK;
        batch.in[i] = !write;
        batch.bufs[i] = data[i];
        for (uint32_t b = 0; b < blocks; b++)
            if (write)
                ld_block(data[i] + b * SC_BLOCK, t, l + 1, lba + b, gen);
            else
                memset(data[i] + b * SC_BLOCK, 0xee, SC_BLOCK);
    }
    if (!vw_stor_scsi_batch_at(vm, qd, (const uint8_t(*)[2])batch.btl,
                               (const uint8_t(*)[16])batch.cdbs, batch.cdb_lens, batch.bufs,
                               batch.lens, batch.in, batch.res))
        return false;
    for (unsigned i = 0; i < qd && !vm->failed; i++) {
        struct vw_stor_result *r = &batch.res[i];
        unsigned t = batch.btl[i][0], l = batch.btl[i][1];
        uint64_t lba = stor_be64(batch.cdbs[i] + 2);
        uint32_t blocks = batch.lens[i] / SC_BLOCK;
        VW_EXPECT(vm,
                  (r->srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r->scsi_status == 0 &&
                      r->transferred == batch.lens[i],
                  "QD %u %s %u:%u LBA %llu x%u: SRB 0x%02x, SCSI 0x%02x, %u of %u bytes", qd,
                  write ? "WRITE(16)" : "READ(16)", t, l, (unsigned long long)lba, blocks,
                  r->srb_status, r->scsi_status, r->transferred, batch.lens[i]);
        for (uint32_t b = 0; b < blocks && !vm->failed; b++) {
            uint32_t *g = &shadow[t * ld_luns + l - 1][lba + b];
            if (write) {
                *g = gen;
                continue;
            }
            uint8_t want[SC_BLOCK];
            ld_block(want, t, l, lba + b, *g);
            VW_EXPECT(vm, memcmp(data[i] + b * SC_BLOCK, want, SC_BLOCK) == 0,
                      "QD %u: %u:%u LBA %llu reads back wrong through tgt (generation %u)", qd, t,
                      l, (unsigned long long)(lba + b), *g);
        }
    }
    return !vm->failed;
}

/* ROUNDS batches of QD writes, each then read back at QD, on distinct
 * random slots of all LUNs per batch */
static void ld_depth(struct vm *vm, uint64_t *rng, unsigned qd, unsigned rounds, uint32_t *gen)
{
    static uint32_t picks[LD_QD_MAX];
    static uint8_t used[LD_DISKS * LD_SLOTS];
    for (unsigned round = 0; round < rounds && !vm->failed; round++) {
        memset(used, 0, sizeof(used));
        for (unsigned i = 0; i < qd; i++) {
            /* disks in turn for the first of a batch (every disk in each
             * batch, and in turn at QD 1), then any; a slot not yet taken */
            unsigned lun = i < ld_disks ? (i + round * qd) % ld_disks : ld_rand(rng) % ld_disks;
            uint32_t p;
            do
                p = lun * LD_SLOTS + ld_rand(rng) % LD_SLOTS;
            while (used[p]);
            used[p] = 1;
            touched[p] = 1;
            picks[i] = p;
        }
        ++*gen;
        if (!ld_batch_run(vm, rng, qd, true, *gen, picks))
            return;
        ld_batch_run(vm, rng, qd, false, 0, picks);
    }
}

/* Every slot written, read back through the driver and tgt at QD 256 */
static void ld_reread(struct vm *vm, uint64_t *rng, unsigned *slots)
{
    static uint32_t picks[LD_QD_MAX];
    unsigned n = 0;
    *slots = 0;
    for (uint32_t p = 0; p < ld_disks * LD_SLOTS && !vm->failed; p++) {
        if (!touched[p])
            continue;
        picks[n++] = p;
        ++*slots;
        if (n == LD_QD_MAX) {
            ld_batch_run(vm, rng, n, false, 0, picks);
            n = 0;
        }
    }
    if (n > 0 && !vm->failed)
        ld_batch_run(vm, rng, n, false, 0, picks);
}

/* Every block of every LUN in tgt's backing files is what was last
 * acknowledged there (or zero) */
static void ld_files(struct vm *vm, struct sc_host *h)
{
    static uint8_t file[SC_TGT_LUN_BYTES];
    for (unsigned t = 0; t < ld_targets && !vm->failed; t++)
        for (unsigned l = 1; l <= ld_luns && !vm->failed; l++) {
            const uint32_t *gens = shadow[t * ld_luns + l - 1];
            char path[300];
            sc_tgt_file(h, t, l, path, sizeof(path));
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            ssize_t got = fd >= 0 ? pread(fd, file, sizeof(file), 0) : -1;
            if (fd >= 0)
                close(fd);
            if (got < 0) {
                vw_fail(vm, "cannot read tgt's backing file %s", path);
                return;
            }
            if ((size_t)got < sizeof(file)) /* a thin file: the rest reads as zero */
                memset(file + got, 0, sizeof(file) - (size_t)got);
            for (uint64_t b = 0; b < LD_BLOCKS && !vm->failed; b++) {
                uint8_t want[SC_BLOCK];
                ld_block(want, t, l, b, gens[b]);
                VW_EXPECT(vm, memcmp(file + b * SC_BLOCK, want, SC_BLOCK) == 0,
                          "%u:%u LBA %llu in tgt's backing file: not generation %u", t, l,
                          (unsigned long long)b, gens[b]);
            }
        }
}

/* TARGETS x LUNS (at most 8 disks) on tgt, 4 request queues of 128, cmd_per_lun
 * 256: StorPort's depths are the device's; QD 1 (16 writes), 32 (4 x 32)
 * and 256 (2 x 256, 256 at the miniport at once; 128 on 1 CPU, one queue)
 * from every CPU, then every block checked in the backing files */
static void ld_run(struct vm *vm, unsigned targets, unsigned luns,
                   const struct vmodel_scsi_planted *plant)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.plant = *plant;
    if (targets * luns > LD_DISKS) {
        vw_fail(vm, "tgt load: %u x %u is more than %u disks", targets, luns, LD_DISKS);
        return;
    }
    ld_targets = targets, ld_luns = luns, ld_disks = targets * luns;
    o.targets = (uint16_t)targets;
    o.luns = luns;
    o.sc.num_queues = LD_QUEUES;
    o.sc.cmd_per_lun = LD_QD_MAX;
    o.queue_max = LD_RING;
    memset(shadow, 0, sizeof(shadow));
    memset(touched, 0, sizeof(touched));
    if (!sc_start_tgt(vm, &h, &o))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    /* one queue per CPU up to num_queues; the LUN depth within MaxNumberOfIO */
    unsigned queues = vw_cpu_count(vm) < LD_QUEUES ? vw_cpu_count(vm) : LD_QUEUES;
    unsigned max_io = LD_RING * queues, lun_depth = LD_QD_MAX < max_io ? LD_QD_MAX : max_io;
    VW_EXPECT(vm, st.max_io == max_io && st.lun_depth == lun_depth,
              "MaxNumberOfIO %u (ring %u x %u queues = %u), LUN depth %u (cmd_per_lun %u: %u)",
              st.max_io, LD_RING, queues, max_io, st.lun_depth, LD_QD_MAX, lun_depth);
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (uint8_t t = 0; t < targets && !vm->failed; t++)
        for (uint8_t l = 1; l <= luns && !vm->failed; l++) {
            uint8_t tur[6] = {0}; /* the unit attention of the new nexus, taken */
            sc_ok(vm, t, l, tur, 6, NULL, 0, false, "TEST UNIT READY");
        }
    uint64_t rng = vw_device_seed(vm, 0x10ad) | 1;
    uint32_t gen = 0;
    ld_depth(vm, &rng, 1, 16, &gen);
    ld_depth(vm, &rng, 32, 4, &gen);
    ld_depth(vm, &rng, LD_QD_MAX, 2, &gen);
    unsigned slots = 0;
    if (!vm->failed)
        ld_reread(vm, &rng, &slots);
    if (vm->failed)
        goto out;
    ld_files(vm, &h);
    vw_stor_stats(vm, &st);
    unsigned cpus = vw_cpu_count(vm) < 32 ? vw_cpu_count(vm) : 32;
    unsigned all = cpus == 32 ? 0xffffffffu : (1u << cpus) - 1;
    VW_EXPECT(vm, (st.startio_cpus & all) == all, "HwStartIo ran on CPUs 0x%x of %u",
              st.startio_cpus, vw_cpu_count(vm));
    VW_EXPECT(vm, st.max_outstanding >= lun_depth,
              "at most %u requests at the miniport at once at QD %u (depth %u)", st.max_outstanding,
              LD_QD_MAX, lun_depth);
    vw_log(vm,
           "tgt load %u x %u: %u generations on %u LUNs, %u slots read again at the end, %u at "
           "the miniport at most, %llu per LUN at the device at most",
           targets, luns, gen, ld_disks, slots, st.max_outstanding,
           (unsigned long long)vmodel_scsi_stats(h.scsi->model)->max_lun_cmds);
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", tgt_load_all_luns_qd1_32_256, NULL)
{
    ld_run(vm, 2, 4, &(struct vmodel_scsi_planted){0});
}

/* Issue 15's two other layouts at every depth: 1 target with 8 LUNs */
VW_SCENARIO("vioscsi", tgt_load_1x8_qd1_32_256, NULL)
{
    ld_run(vm, 1, 8, &(struct vmodel_scsi_planted){0});
}

/* ... and 4 targets with 1 LUN each (each batch spans all 4 targets) */
VW_SCENARIO("vioscsi", tgt_load_4x1_qd1_32_256, NULL)
{
    ld_run(vm, 4, 1, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device answers every 37th WRITE GOOD without handing
 * it to tgt; the read-back through tgt must catch it */
VW_SCENARIO("vioscsi", planted_tgt_load_lost_writes, "reads back wrong through tgt")
{
    ld_run(vm, 2, 4, &(struct vmodel_scsi_planted){.lose_write_every = 37});
}

/* The same on 4 targets x 1 LUN: a lost write on any target is caught */
VW_SCENARIO("vioscsi", planted_tgt_load_4x1_lost_writes, "reads back wrong through tgt")
{
    ld_run(vm, 4, 1, &(struct vmodel_scsi_planted){.lose_write_every = 37});
}
